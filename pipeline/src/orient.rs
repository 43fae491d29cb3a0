//! EXIF orientation applied to pixels: each of the eight is one pass that reads every output
//! pixel from its source place, in square tiles so neither side is walked down a column
//! (phones store most portraits rotated, so this runs for most uploads).

use std::borrow::Cow;

use image::metadata::Orientation;
use image::{ImageBuffer, Pixel, RgbImage};

use crate::picture::{Picture, Planes};

/// Output pixels per tile side, the fastest of 8, 16, 32 and 64 here (`cargo bench -p pipeline`).
const TILE: usize = 16;

/// Applies `orientation` to a (small, resized) picture; an upright one is not copied.
pub fn orient(pixels: &RgbImage, orientation: Orientation) -> Cow<'_, RgbImage> {
    match remap::<_, 3>(pixels, orientation) {
        Some(turned) => Cow::Owned(turned),
        None => Cow::Borrowed(pixels),
    }
}

/// [`orient`] for either layout: each plane is turned on its own (a half-size chroma plane
/// turned is the turned picture's half-size chroma).
pub fn orient_picture(picture: &Picture, orientation: Orientation) -> Cow<'_, Picture> {
    match picture {
        Picture::Rgb(rgb) => match orient(rgb, orientation) {
            Cow::Owned(turned) => Cow::Owned(Picture::Rgb(turned)),
            Cow::Borrowed(_) => Cow::Borrowed(picture),
        },
        Picture::YCbCr(planes) => {
            let turn = |p| remap::<_, 1>(p, orientation);
            match (turn(&planes.luma), turn(&planes.cb), turn(&planes.cr)) {
                (Some(luma), Some(cb), Some(cr)) => {
                    Cow::Owned(Picture::YCbCr(Planes { luma, cb, cr }))
                }
                _ => Cow::Borrowed(picture),
            }
        }
    }
}

/// Where output pixel (x, y) comes from: source column `x·ax + y·bx + cx` and row
/// `x·ay + y·by + cy`. Every orientation is such a linear map.
struct SourceMap {
    transposed: bool,
    ax: isize,
    bx: isize,
    cx: isize,
    ay: isize,
    by: isize,
    cy: isize,
}

impl SourceMap {
    fn for_orientation(orientation: Orientation, width: u32, height: u32) -> Option<Self> {
        let (w, h) = (width as isize - 1, height as isize - 1);
        let map = |transposed, ax, bx, cx, ay, by, cy| SourceMap {
            transposed,
            ax,
            bx,
            cx,
            ay,
            by,
            cy,
        };
        Some(match orientation {
            Orientation::NoTransforms => return None,
            Orientation::FlipHorizontal => map(false, -1, 0, w, 0, 1, 0),
            Orientation::Rotate180 => map(false, -1, 0, w, 0, -1, h),
            Orientation::FlipVertical => map(false, 1, 0, 0, 0, -1, h),
            Orientation::Rotate90FlipH => map(true, 0, 1, 0, 1, 0, 0),
            Orientation::Rotate90 => map(true, 0, 1, 0, -1, 0, h),
            Orientation::Rotate270FlipH => map(true, 0, -1, w, -1, 0, h),
            Orientation::Rotate270 => map(true, 0, -1, w, 1, 0, 0),
        })
    }
}

/// `src` turned by `orientation`, or `None` when it is upright. `N` bytes a pixel.
fn remap<P, const N: usize>(
    src: &ImageBuffer<P, Vec<u8>>,
    orientation: Orientation,
) -> Option<ImageBuffer<P, Vec<u8>>>
where
    P: Pixel<Subpixel = u8>,
{
    // The pixels are read as `N`-byte chunks: a mismatch with the pixel type does not compile.
    const { assert!(P::CHANNEL_COUNT as usize == N) };
    let map = SourceMap::for_orientation(orientation, src.width(), src.height())?;
    let (sw, sh) = (src.width() as usize, src.height() as usize);
    let (ow, oh) = if map.transposed { (sh, sw) } else { (sw, sh) };
    let (source, _) = src.as_raw().as_chunks::<N>();
    let mut image = ImageBuffer::<P, Vec<u8>>::new(ow as u32, oh as u32);
    let (out, _) = image.as_chunks_mut::<N>();
    // Pixel steps in the source per output step right and down, and the source of (0, 0).
    let step_x = map.ay * sw as isize + map.ax;
    let step_y = map.by * sw as isize + map.bx;
    let origin = map.cy * sw as isize + map.cx;
    for tile_y in (0..oh).step_by(TILE) {
        for tile_x in (0..ow).step_by(TILE) {
            let x_end = (tile_x + TILE).min(ow);
            for y in tile_y..(tile_y + TILE).min(oh) {
                let row_start = origin + y as isize * step_y;
                let out_row = &mut out[y * ow + tile_x..y * ow + x_end];
                for (x, px) in (tile_x..x_end).zip(out_row) {
                    *px = source[(row_start + x as isize * step_x) as usize];
                }
            }
        }
    }
    Some(image)
}

#[cfg(test)]
mod tests {
    use image::{DynamicImage, GrayImage, Luma};

    use super::*;

    /// A picture whose every pixel is different, of an odd size so no tile is whole.
    fn numbered(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([x as u8, y as u8, (x * 7 + y * 13) as u8])
        })
    }

    /// The seven turns, as the image crate makes them: the reference both tests compare with.
    const TURNS: [Orientation; 7] = [
        Orientation::FlipHorizontal,
        Orientation::Rotate180,
        Orientation::FlipVertical,
        Orientation::Rotate90FlipH,
        Orientation::Rotate90,
        Orientation::Rotate270FlipH,
        Orientation::Rotate270,
    ];

    fn turned_by_image_crate(pixels: impl Into<DynamicImage>, turn: Orientation) -> DynamicImage {
        let mut image = pixels.into();
        image.apply_orientation(turn);
        image
    }

    #[test]
    fn every_orientation_matches_the_image_crate() {
        let src = numbered(75, 41);
        for orientation in TURNS {
            let got = orient(&src, orientation);
            let want = turned_by_image_crate(src.clone(), orientation).into_rgb8();
            assert_eq!(got.dimensions(), want.dimensions(), "{orientation:?}");
            assert!(*got == want, "{orientation:?} differs");
        }
    }

    /// Planes of odd sizes (luma 75x41, chroma 38x21): each plane turns as the image crate
    /// turns it, and the turned chroma is the turned luma's half size.
    #[test]
    fn each_plane_turns_on_its_own() {
        use crate::picture::chroma_size;

        let plane = |w, h, k: u32| GrayImage::from_fn(w, h, |x, y| Luma([(x * k + y * 31) as u8]));
        let (luma, cb, cr) = (plane(75, 41, 3), plane(38, 21, 5), plane(38, 21, 7));
        let picture = Picture::YCbCr(Planes {
            luma: luma.clone(),
            cb: cb.clone(),
            cr: cr.clone(),
        });
        for orientation in TURNS {
            let Cow::Owned(Picture::YCbCr(turned)) = orient_picture(&picture, orientation) else {
                panic!("{orientation:?}: not turned into planes");
            };
            let turn =
                |plane: &GrayImage| turned_by_image_crate(plane.clone(), orientation).into_luma8();
            assert!(turned.luma == turn(&luma), "{orientation:?}: luma differs");
            assert!(turned.cb == turn(&cb), "{orientation:?}: Cb differs");
            assert!(turned.cr == turn(&cr), "{orientation:?}: Cr differs");
            assert_eq!(
                turned.cb.dimensions(),
                chroma_size(turned.luma.dimensions()),
                "{orientation:?}"
            );
        }
        assert!(matches!(
            orient_picture(&picture, Orientation::NoTransforms),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn upright_is_not_copied() {
        let src = numbered(3, 2);
        assert!(matches!(
            orient(&src, Orientation::NoTransforms),
            Cow::Borrowed(_)
        ));
    }
}
