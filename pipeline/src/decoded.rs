//! What a decoder hands the rest of the pipeline, and what every decoder does to its pixels
//! on the way: transparency flattened onto white, and only an RGB colour profile kept.

use image::metadata::Orientation;
use image::{DynamicImage, RgbImage};

use crate::picture::Picture;

/// A decoded photo, possibly at a reduced scale.
pub struct Decoded {
    /// Opaque pixels, as stored (orientation not applied), maybe DCT-scaled: a YCbCr JPEG's
    /// own planes, anything else as RGB.
    pub pixels: Picture,
    /// The stored size of the original, which variant sizes are computed from.
    pub full_size: (u32, u32),
    pub orientation: Orientation,
    /// An RGB ICC profile to carry over: colour is the one piece of metadata kept.
    pub icc: Option<Vec<u8>>,
    /// A YCbCr or grey JPEG, which can be passed through with only its metadata removed.
    pub plain_jpeg: bool,
}

/// Only an RGB profile describes the RGB pixels written out; a CMYK or grey one would shift
/// every colour. The colour space is at bytes 16..20 of the ICC header.
pub(crate) fn is_rgb_profile(profile: &[u8]) -> bool {
    profile.get(16..20) == Some(b"RGB ")
}

/// Transparent pixels become white on purpose (a JPEG has no alpha; black would be the
/// browser's accident). Grey, 16-bit and CMYK sources all end up as 8-bit RGB here.
pub(crate) fn flatten_onto_white(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut rgb = RgbImage::new(w, h);
    pixels_over_white(&mut rgb, &rgba);
    rgb
}

/// RGBA pixels over white into RGB. A cut-out is mostly wholly opaque or wholly transparent,
/// and those pixels are copied or whitened without arithmetic; the branch follows the long runs.
pub(crate) fn pixels_over_white(rgb: &mut [u8], rgba: &[u8]) {
    for (dst, src) in rgb.chunks_exact_mut(3).zip(rgba.chunks_exact(4)) {
        match src[3] {
            255 => dst.copy_from_slice(&src[..3]),
            0 => dst.fill(255),
            _ => dst.copy_from_slice(&over_white(src)),
        }
    }
}

/// One RGBA pixel over white, rounded: (c·a + 255·(255 − a)) / 255, with the division done as
/// a multiply-free shift (exact for every input) because it runs for every pixel.
#[inline(always)]
fn over_white(px: &[u8]) -> [u8; 3] {
    let a = u32::from(px[3]);
    let white = 255 * (255 - a) + 128;
    let blend = |c: u8| {
        let x = u32::from(c) * a + white;
        ((x + (x >> 8)) >> 8) as u8
    };
    [blend(px[0]), blend(px[1]), blend(px[2])]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blending_over_white_is_exact_for_every_colour_and_alpha() {
        for a in 0..=255u32 {
            for c in 0..=255u32 {
                let exact = (c * a + 255 * (255 - a) + 127) / 255;
                let px = [c as u8, 0, 255, a as u8];
                assert_eq!(u32::from(over_white(&px)[0]), exact, "c={c} a={a}");
            }
        }
        assert_eq!(over_white(&[10, 20, 30, 0]), [255, 255, 255]);
        assert_eq!(over_white(&[10, 20, 30, 255]), [10, 20, 30]);
    }

    /// The shortcuts for opaque and transparent pixels give what the blend gives.
    #[test]
    fn a_row_over_white_is_each_pixel_blended() {
        let rgba: Vec<u8> = (0..=255u8)
            .flat_map(|a| {
                (0..=255u8)
                    .step_by(3)
                    .flat_map(move |c| [c, 255 - c, c / 2, a])
            })
            .collect();
        let mut rgb = vec![0; rgba.len() / 4 * 3];
        pixels_over_white(&mut rgb, &rgba);
        let blended: Vec<u8> = rgba.chunks_exact(4).flat_map(over_white).collect();
        assert_eq!(rgb, blended);
    }
}
