//! The pixels carried from decode to encode, in one of two layouts.
//!
//! Nearly every photo is a YCbCr JPEG whose chroma is stored at half size, and the variants
//! are YCbCr JPEGs with half-size chroma too. Such a photo stays in its own planes from end to
//! end: its chroma is never upsampled, it is never converted to RGB and back, and each chroma
//! plane is resized at a quarter of the luma's cost. Every other source (PNG, WebP, HEIC, CMYK
//! JPEGs...) is carried as RGB until its largest variant is made, then as planes
//! ([`Picture::to_planes`]).

use std::borrow::Cow;

use image::{GrayImage, RgbImage};

use crate::PipelineError;

/// A decoded, maybe resized, photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Picture {
    Rgb(RgbImage),
    YCbCr(Planes),
}

/// Luma at full size and the two chroma planes, each of any size covering the same picture:
/// as decoded, whatever the JPEG's subsampling; after [`crate::resize::resize_picture`], at
/// [`chroma_size`], as the encoder writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planes {
    pub luma: GrayImage,
    pub cb: GrayImage,
    pub cr: GrayImage,
}

/// The chroma planes' size for 4:2:0: half, rounded up (a last odd column or row of luma
/// shares its chroma with no neighbour).
pub fn chroma_size((width, height): (u32, u32)) -> (u32, u32) {
    (width.div_ceil(2), height.div_ceil(2))
}

impl Planes {
    /// Whether the chroma is at half size, as the encoder reads it.
    pub fn is_half_chroma(&self) -> bool {
        let want = chroma_size(self.luma.dimensions());
        self.cb.dimensions() == want && self.cr.dimensions() == want
    }

    /// The same picture as RGB, each pixel converted as libjpeg does (BT.601, full range) with
    /// the chroma sample that covers it. Nearest, not interpolated: only comparisons and
    /// measurements ask for RGB, and they look at luma.
    pub fn to_rgb(&self) -> Result<RgbImage, PipelineError> {
        let (w, h) = self.luma.dimensions();
        let (cw, ch) = self.cb.dimensions();
        if self.cr.dimensions() != (cw, ch) || cw == 0 || ch == 0 {
            return Err(PipelineError::Corrupt("the chroma planes disagree".into()));
        }
        // The chroma sample covering pixel `i` of a side of `n` pixels, of `c` samples.
        let covering = |i: u32, n: u32, c: u32| (u64::from(i) * u64::from(c) / u64::from(n)) as u32;
        let mut rgb = Vec::with_capacity(self.luma.len() * 3);
        for (y, row) in self.luma.rows().enumerate() {
            let cy = covering(y as u32, h, ch);
            for (x, luma) in row.enumerate() {
                let cx = covering(x as u32, w, cw);
                let (cb, cr) = (
                    self.cb.get_pixel(cx, cy).0[0],
                    self.cr.get_pixel(cx, cy).0[0],
                );
                rgb.extend(ycbcr_to_rgb(luma.0[0], cb, cr));
            }
        }
        RgbImage::from_raw(w, h, rgb)
            .ok_or_else(|| PipelineError::Corrupt("the planes' sizes do not add up".into()))
    }
}

impl Picture {
    pub fn dimensions(&self) -> (u32, u32) {
        match self {
            Picture::Rgb(rgb) => rgb.dimensions(),
            Picture::YCbCr(planes) => planes.luma.dimensions(),
        }
    }

    /// The picture as RGB, for comparing and measuring (the variants never need it).
    pub fn to_rgb(&self) -> Result<Cow<'_, RgbImage>, PipelineError> {
        match self {
            Picture::Rgb(rgb) => Ok(Cow::Borrowed(rgb)),
            Picture::YCbCr(planes) => planes.to_rgb().map(Cow::Owned),
        }
    }

    /// The picture as planes with half-size chroma, to be resized: RGB at half the bytes (a
    /// resize then costs half as much, and a helper worker is handed half as much), converted
    /// as the encoder converts it, so encoding the planes writes the RGB's bytes. Planes are
    /// borrowed as they are.
    pub fn to_planes(&self) -> Result<Cow<'_, Picture>, PipelineError> {
        match self {
            Picture::Rgb(rgb) => crate::encode::planes_of(rgb)
                .map(|planes| Cow::Owned(Picture::YCbCr(planes)))
                .ok_or_else(|| PipelineError::Encode("an empty picture".into())),
            Picture::YCbCr(_) => Ok(Cow::Borrowed(self)),
        }
    }

    pub fn into_rgb(self) -> Result<RgbImage, PipelineError> {
        match self {
            Picture::Rgb(rgb) => Ok(rgb),
            Picture::YCbCr(planes) => planes.to_rgb(),
        }
    }
}

/// libjpeg's YCbCr to RGB, in 16-bit fixed point.
fn ycbcr_to_rgb(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    const ONE: i32 = 1 << 16;
    const HALF: i32 = 1 << 15;
    let fixed = |x: f64| (x * f64::from(ONE)).round() as i32;
    let y = i32::from(y) * ONE + HALF;
    let (cb, cr) = (i32::from(cb) - 128, i32::from(cr) - 128);
    let clamp = |v: i32| (v >> 16).clamp(0, 255) as u8;
    [
        clamp(y + fixed(1.402) * cr),
        clamp(y - fixed(0.344_136) * cb - fixed(0.714_136) * cr),
        clamp(y + fixed(1.772) * cb),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chroma_is_half_size_rounded_up() {
        assert_eq!(chroma_size((2048, 1365)), (1024, 683));
        assert_eq!(chroma_size((1, 1)), (1, 1));
    }

    /// The conversion is the encoder's inverse: RGB through jpeg-encoder's YCbCr and back
    /// lands within a level or two on every channel.
    #[test]
    fn ycbcr_round_trips_the_encoders_conversion() {
        for r in (0..=255u8).step_by(15) {
            for g in (0..=255u8).step_by(15) {
                for b in (0..=255u8).step_by(15) {
                    let (y, cb, cr) = jpeg_encoder::rgb_to_ycbcr(r, g, b);
                    let back = ycbcr_to_rgb(y, cb, cr);
                    for (got, want) in back.into_iter().zip([r, g, b]) {
                        assert!(got.abs_diff(want) <= 2, "{r},{g},{b} came back {back:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn planes_become_the_rgb_they_describe() {
        let grey = |w, h, v| GrayImage::from_pixel(w, h, image::Luma([v]));
        // Pure red in BT.601: Y 76, Cb 85, Cr 255.
        let red = Planes {
            luma: grey(5, 3, 76),
            cb: grey(3, 2, 85),
            cr: grey(3, 2, 255),
        };
        assert!(red.is_half_chroma());
        let rgb = red.to_rgb().expect("converts");
        assert_eq!(rgb.dimensions(), (5, 3));
        for p in rgb.pixels() {
            assert!(p.0[0] >= 253 && p.0[1] <= 2 && p.0[2] <= 2, "{p:?}");
        }
    }
}
