//! High-quality downscaling (Lanczos3, SIMD where the target has it: SSE4/AVX2 natively,
//! simd128 in the browser). Never upscales.

use std::borrow::Cow;

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;

use crate::PipelineError;

/// The size that fits `(width, height)` within a `max_side` square, keeping the aspect ratio.
pub fn fitted_size(width: u32, height: u32, max_side: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= max_side {
        return (width, height);
    }
    let scale = f64::from(max_side) / f64::from(longest);
    let fit = |side: u32| ((f64::from(side) * scale).round() as u32).clamp(1, max_side);
    (fit(width), fit(height))
}

/// `src` resized to exactly `size` (itself, not a copy, when it already has that size).
pub fn resize_to(
    src: &RgbImage,
    (new_w, new_h): (u32, u32),
) -> Result<Cow<'_, RgbImage>, PipelineError> {
    let (width, height) = src.dimensions();
    if (new_w, new_h) == (width, height) {
        return Ok(Cow::Borrowed(src));
    }
    let source = ImageRef::new(width, height, src.as_raw(), PixelType::U8x3)
        .map_err(|e| PipelineError::Corrupt(e.to_string()))?;
    let mut target = Image::new(new_w, new_h, PixelType::U8x3);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(&source, &mut target, &options)
        .map_err(|e| PipelineError::Encode(e.to_string()))?;
    RgbImage::from_raw(new_w, new_h, target.into_vec())
        .map(Cow::Owned)
        .ok_or_else(|| PipelineError::Encode("resized buffer has the wrong size".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_the_longest_side() {
        assert_eq!(fitted_size(6000, 4000, 2048), (2048, 1365));
        assert_eq!(fitted_size(4000, 6000, 2048), (1365, 2048));
        assert_eq!(fitted_size(3000, 3000, 400), (400, 400));
    }

    #[test]
    fn never_upscales() {
        assert_eq!(fitted_size(800, 600, 2048), (800, 600));
    }

    #[test]
    fn extreme_ratios_keep_one_pixel() {
        assert_eq!(fitted_size(10_000, 2, 400), (400, 1));
    }
}
