//! HEIC/HEIF photos (what iPhones save), decoded in pure Rust by `heifer`. Built only with the
//! `heif` feature: the photo worker's HEIC module has it, the usual module does not, so a
//! page that never sees an iPhone photo never downloads the decoder.
//!
//! heifer assembles grids (iPhones store 512 px tiles), attaches the alpha plane, applies the
//! `clap`/`irot`/`imir` transforms and reads the colour: an RGB ICC profile (iPhones embed
//! Display P3) is carried into the variants as a JPEG's is, `nclx` colours are converted to
//! sRGB. The EXIF orientation is *not* applied: HEIF readers follow `irot`, and
//! an iPhone writes both, so applying the EXIF tag too would turn the photo twice.

use heifer::heifer_isobmff::HeifFile;
use image::RgbImage;
use image::metadata::Orientation;

use crate::decode::{Decoded, is_rgb_profile, over_white};
use crate::{MAX_INPUT_PIXELS, PipelineError};

/// Decodes the primary picture of a HEIF file to opaque sRGB pixels, upright.
pub(crate) fn decode(input: &[u8]) -> Result<Decoded, PipelineError> {
    let file = HeifFile::parse(input).map_err(|e| PipelineError::Corrupt(e.to_string()))?;
    // The size from the header first: a bomb is refused before any pixel is decoded.
    if let Some((width, height)) = file
        .image_size(file.primary_id)
        .map_err(|e| PipelineError::Corrupt(e.to_string()))?
        && u64::from(width) * u64::from(height) > MAX_INPUT_PIXELS
    {
        return Err(PipelineError::TooLarge { width, height });
    }
    let options = heifer::Options {
        // Grid tiles in parallel where threads exist; a Web Worker has one.
        max_threads: 0,
        max_pixels: MAX_INPUT_PIXELS,
    };
    // An RGB profile (iPhones embed Display P3) travels with the pixels into the variants, as
    // a JPEG's does: the browser shows the photo's own colours, wide gamut kept, and the
    // conversion (a third of the decode on a 12 MP photo) is never paid here.
    let icc = heifer::item_metadata(&file, file.primary_id)
        .ok()
        .and_then(|m| m.icc_profile)
        .filter(|p| is_rgb_profile(p));
    let image = if icc.is_some() {
        heifer::decode_rgba8(input, &options).map_err(heif_error)?
    } else {
        // `nclx` colours (or none): converted to sRGB where they are not sRGB already.
        match heifer::decode_srgb_rgba8(input, &options) {
            Ok(image) => image,
            // A colour space heifer cannot convert (HDR transfers): the coded values are
            // still a faithful picture, only not colour-managed.
            Err(heifer::Error::Unsupported(_)) => {
                heifer::decode_rgba8(input, &options).map_err(heif_error)?
            }
            Err(err) => return Err(heif_error(err)),
        }
    };
    let (width, height) = (image.width, image.height);
    let mut pixels = RgbImage::new(width, height);
    for (dst, src) in pixels.chunks_exact_mut(3).zip(image.data.chunks_exact(4)) {
        dst.copy_from_slice(&over_white(src));
    }
    Ok(Decoded {
        pixels,
        full_size: (width, height),
        orientation: Orientation::NoTransforms,
        icc,
        plain_jpeg: false,
    })
}

fn heif_error(err: heifer::Error) -> PipelineError {
    match err {
        heifer::Error::Unsupported(what) => PipelineError::HeifUnsupported(what),
        other => PipelineError::Corrupt(other.to_string()),
    }
}
