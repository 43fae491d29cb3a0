//! The rows the JPEG encoder reads: luma for every pixel, and chroma averaged over each 2x2
//! block as libjpeg does (`h2v2_downsample`), so a colour edge keeps its mix instead of taking
//! the colour of whichever pixel sits at the block's corner.
//!
//! The encoder, asked for 4:2:0, reads chroma at the top-left of each 2x2 block of the rows it
//! is given (its own averaging is a slow scalar loop, 8 % of a display variant's time in the
//! browser). So each row carries its pair's averages, each repeated for both columns: the
//! encoder's sampling then reads the averages, and chroma is converted once per block, not once
//! per pixel.

use std::cell::RefCell;

use image::{GrayImage, RgbImage};

use super::Rows;
use crate::picture::{Planes, chroma_size};

/// Pixels per batch: fixed-size arrays let the compiler vectorise the arithmetic.
const BATCH: usize = 16;

/// An RGB picture (3 bytes a pixel, rows packed) as the encoder reads it for 4:2:0.
pub(super) struct Subsampled<'a> {
    rgb: &'a [u8],
    width: u16,
    height: u16,
    /// The chroma of the last pair of rows made (its top row, Cb, Cr): the pair's second row
    /// carries the same, so it is made once.
    pair: RefCell<(Option<usize>, Vec<u8>, Vec<u8>)>,
}

impl<'a> Subsampled<'a> {
    /// `None` unless `rgb` holds exactly `width` x `height` pixels.
    pub(super) fn new(rgb: &'a [u8], width: u16, height: u16) -> Option<Self> {
        let want = usize::from(width) * usize::from(height) * 3;
        (rgb.len() == want && want > 0).then(|| Self {
            rgb,
            width,
            height,
            pair: RefCell::new((None, Vec::new(), Vec::new())),
        })
    }

    fn row(&self, y: usize) -> &[u8] {
        let line = usize::from(self.width) * 3;
        let y = y.min(usize::from(self.height) - 1);
        &self.rgb[y * line..(y + 1) * line]
    }
}

impl Rows for Subsampled<'_> {
    fn size(&self) -> (u16, u16) {
        (self.width, self.height)
    }

    fn fill(&self, y: usize, buffers: &mut [Vec<u8>; 4]) {
        let [luma, cb, cr, _] = buffers;
        push_luma(self.row(y), luma);
        // Both rows of a pair carry the pair's chroma: the encoder clamps the rows it pads the
        // picture with to the last one, so an odd row may stand where an even one is read.
        let top = y & !1;
        let mut pair = self.pair.borrow_mut();
        let (made, pair_cb, pair_cr) = &mut *pair;
        if *made != Some(top) {
            pair_cb.clear();
            pair_cr.clear();
            push_chroma::<2>(self.row(top), self.row(top + 1), pair_cb, pair_cr);
            *made = Some(top);
        }
        cb.extend_from_slice(pair_cb);
        cr.extend_from_slice(pair_cr);
    }
}

/// An RGB picture as the planes the encoder would make of it: its luma, and its chroma averaged
/// over each 2x2 block at half size. Encoded, these planes write the same bytes as the RGB.
/// `None` for an empty picture.
pub(crate) fn planes_of(rgb: &RgbImage) -> Option<Planes> {
    let (width, height) = rgb.dimensions();
    let (chroma_w, chroma_h) = chroma_size((width, height));
    let line = width as usize * 3;
    let last = height.checked_sub(1)?;
    let row = |y: u32| &rgb.as_raw()[y.min(last) as usize * line..][..line];
    let mut luma = Vec::with_capacity(width as usize * height as usize);
    for y in 0..height {
        push_luma(row(y), &mut luma);
    }
    let (mut cb, mut cr) = (Vec::new(), Vec::new());
    for y in (0..height).step_by(2) {
        // A last odd row pairs with itself, as in the encoder's rows.
        push_chroma::<1>(row(y), row(y + 1), &mut cb, &mut cr);
    }
    Some(Planes {
        luma: GrayImage::from_raw(width, height, luma)?,
        cb: GrayImage::from_raw(chroma_w, chroma_h, cb)?,
        cr: GrayImage::from_raw(chroma_w, chroma_h, cr)?,
    })
}

/// JPEG's luma (BT.601, full range) of each pixel, with jpeg-encoder's fixed-point constants.
fn push_luma(row: &[u8], out: &mut Vec<u8>) {
    let mut pixels = row.chunks_exact(3 * BATCH);
    for chunk in &mut pixels {
        let [r, g, b] = channels(chunk);
        let mut batch = [0u8; BATCH];
        for i in 0..BATCH {
            batch[i] = luma(r[i], g[i], b[i]);
        }
        out.extend_from_slice(&batch);
    }
    out.extend(
        pixels
            .remainder()
            .chunks_exact(3)
            .map(|p| luma(p[0], p[1], p[2])),
    );
}

/// A batch of packed RGB pixels as three arrays, one per channel: the arithmetic on them is
/// then plain lane-by-lane work.
fn channels(chunk: &[u8]) -> [[u8; BATCH]; 3] {
    let mut planes = [[0u8; BATCH]; 3];
    for (i, p) in chunk.chunks_exact(3).take(BATCH).enumerate() {
        planes[0][i] = p[0];
        planes[1][i] = p[1];
        planes[2][i] = p[2];
    }
    planes
}

fn luma(r: u8, g: u8, b: u8) -> u8 {
    let y = 19595 * i32::from(r) + 38470 * i32::from(g) + 7471 * i32::from(b);
    ((y + 0x7FFF) >> 16) as u8
}

/// Cb and Cr of each 2x2 block of the rows `top` and `bottom`, each pushed `REPEAT` times: twice
/// for the encoder's rows (a value for each column), once for a half-size plane. A last odd
/// column pairs with itself.
fn push_chroma<const REPEAT: usize>(top: &[u8], bottom: &[u8], cb: &mut Vec<u8>, cr: &mut Vec<u8>) {
    let (mut t, mut b) = (top.chunks_exact(3 * BATCH), bottom.chunks_exact(3 * BATCH));
    for (t, b) in (&mut t).zip(&mut b) {
        let (t, b) = (channels(t), channels(b));
        let (mut us, mut vs) = ([0u8; BATCH], [0u8; BATCH]);
        for x in (0..BATCH).step_by(2) {
            let sum = |c: usize| {
                i32::from(t[c][x])
                    + i32::from(t[c][x + 1])
                    + i32::from(b[c][x])
                    + i32::from(b[c][x + 1])
            };
            let (u, v) = chroma_of_sum(sum(0), sum(1), sum(2));
            for r in 0..REPEAT {
                (us[x / 2 * REPEAT + r], vs[x / 2 * REPEAT + r]) = (u, v);
            }
        }
        cb.extend_from_slice(&us[..BATCH / 2 * REPEAT]);
        cr.extend_from_slice(&vs[..BATCH / 2 * REPEAT]);
    }
    // The tail, two pixels (six bytes) at a time; a last odd pixel is its own right neighbour
    // (and, in the encoder's rows, carries its chroma once).
    for (t, b) in t.remainder().chunks(6).zip(b.remainder().chunks(6)) {
        let sum = |c: usize| {
            let right = t.len() - 3 + c;
            i32::from(t[c]) + i32::from(t[right]) + i32::from(b[c]) + i32::from(b[right])
        };
        let (u, v) = chroma_of_sum(sum(0), sum(1), sum(2));
        cb.extend(std::iter::repeat_n(u, REPEAT.min(t.len() / 3)));
        cr.extend(std::iter::repeat_n(v, REPEAT.min(t.len() / 3)));
    }
}

/// Cb and Cr of the mean of four pixels, from the sums of their channels: the conversion is
/// linear, so this is the mean of the four pixels' chroma, rounded once.
fn chroma_of_sum(r: i32, g: i32, b: i32) -> (u8, u8) {
    const HALF: i32 = 1 << 17;
    const OFFSET: i32 = 128 << 18;
    let cb = -11059 * r - 21709 * g + 32768 * b + OFFSET + HALF - 1;
    let cr = 32768 * r - 27439 * g - 5329 * b + OFFSET + HALF - 1;
    (
        (cb >> 18).clamp(0, 255) as u8,
        (cr >> 18).clamp(0, 255) as u8,
    )
}

#[cfg(test)]
mod tests {
    use jpeg_encoder::rgb_to_ycbcr;

    use super::*;

    fn filled(rgb: &[u8], width: u16, height: u16) -> Vec<[Vec<u8>; 4]> {
        let image = Subsampled::new(rgb, width, height).expect("sizes agree");
        (0..usize::from(height))
            .map(|y| {
                let mut buffers: [Vec<u8>; 4] = Default::default();
                image.fill(y, &mut buffers);
                buffers
            })
            .collect()
    }

    #[test]
    fn luma_is_the_encoders_own() {
        let rgb: Vec<u8> = (0..37 * 3 * 2).map(|i| (i * 37 % 256) as u8).collect();
        for (y, rows) in filled(&rgb, 37, 2).iter().enumerate() {
            let want: Vec<u8> = rgb[y * 111..(y + 1) * 111]
                .chunks_exact(3)
                .map(|p| rgb_to_ycbcr(p[0], p[1], p[2]).0)
                .collect();
            assert_eq!(rows[0], want);
        }
    }

    /// Against libjpeg's order (convert each pixel, then average): within one level, for
    /// every block of a picture with an odd width, so the batches and the tail are both tried.
    #[test]
    #[expect(
        clippy::needless_range_loop,
        reason = "x and y are coordinates, not just indices"
    )]
    fn chroma_is_each_blocks_mean_within_one_level() {
        let (w, h) = (37usize, 4usize);
        let rgb: Vec<u8> = (0..w * h * 3).map(|i| (i * 91 % 256) as u8).collect();
        let rows = filled(&rgb, w as u16, h as u16);
        let px = |x: usize, y: usize| {
            let p = &rgb[(y * w + x) * 3..][..3];
            rgb_to_ycbcr(p[0], p[1], p[2])
        };
        for y in 0..h {
            assert_eq!(rows[y][1].len(), w);
            for x in 0..w {
                let (x0, y0) = (x & !1, y & !1);
                let block = [
                    px(x0, y0),
                    px((x0 + 1).min(w - 1), y0),
                    px(x0, y0 + 1),
                    px((x0 + 1).min(w - 1), y0 + 1),
                ];
                let mean = |f: fn(&(u8, u8, u8)) -> u8| {
                    block.iter().map(|p| i32::from(f(p))).sum::<i32>() as f64 / 4.0
                };
                for (got, want) in [
                    (rows[y][1][x], mean(|p| p.1)),
                    (rows[y][2][x], mean(|p| p.2)),
                ] {
                    assert!(
                        (f64::from(got) - want).abs() <= 1.0,
                        "({x}, {y}): {got} against {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_last_odd_row_pairs_with_itself() {
        let rgb = [
            255, 0, 0, 0, 0, 255, 0, 255, 0, 255, 255, 255, 10, 20, 30, 200, 100, 50,
        ];
        let rows = filled(&rgb, 2, 3);
        let alone = filled(&rgb[12..], 2, 1);
        assert_eq!(rows[2][1], alone[0][1]);
        assert_eq!(rows[2][2], alone[0][2]);
    }

    /// The planes hold what the encoder's rows carry: the same luma, and each block's chroma
    /// once instead of twice, odd sizes included.
    #[test]
    fn planes_hold_what_the_rows_carry() {
        for (w, h) in [(37u16, 5u16), (1, 1), (2, 3), (64, 2)] {
            let rgb: Vec<u8> = (0..usize::from(w) * usize::from(h) * 3)
                .map(|i| (i * 91 % 256) as u8)
                .collect();
            let picture = RgbImage::from_raw(w.into(), h.into(), rgb.clone()).expect("sizes agree");
            let planes = planes_of(&picture).expect("not empty");
            assert!(planes.is_half_chroma(), "{w}x{h}");
            for (y, rows) in filled(&rgb, w, h).iter().enumerate() {
                let luma_row = &planes.luma.as_raw()[y * usize::from(w)..][..usize::from(w)];
                assert_eq!(rows[0], luma_row, "{w}x{h}, row {y}");
                let half = usize::from(w).div_ceil(2);
                for (plane, carried) in [(&planes.cb, &rows[1]), (&planes.cr, &rows[2])] {
                    let samples = &plane.as_raw()[y / 2 * half..][..half];
                    let doubled: Vec<u8> = samples.iter().flat_map(|&s| [s, s]).collect();
                    assert_eq!(carried[..], doubled[..usize::from(w)], "{w}x{h}, row {y}");
                }
            }
        }
        assert!(planes_of(&RgbImage::new(0, 0)).is_none());
    }

    #[test]
    fn a_picture_of_the_wrong_size_is_refused() {
        assert!(Subsampled::new(&[0; 9], 2, 2).is_none());
        assert!(Subsampled::new(&[], 0, 0).is_none());
    }
}
