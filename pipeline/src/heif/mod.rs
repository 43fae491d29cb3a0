//! HEIC/HEIF photos (what iPhones save), decoded in pure Rust by `heifer`. Built only with the
//! `heif` feature: the photo worker's HEIC module has it, the usual module does not, so a
//! page that never sees an iPhone photo never downloads the decoder.
//!
//! heifer assembles grids (iPhones store 512 px tiles), attaches the alpha plane, applies the
//! `clap`/`irot`/`imir` transforms and reads the colour: an RGB ICC profile (iPhones embed
//! Display P3) is carried into the variants as a JPEG's is, `nclx` colours are converted to
//! sRGB. The EXIF orientation is *not* applied: HEIF readers follow `irot`, and
//! an iPhone writes both, so applying the EXIF tag too would turn the photo twice.

pub mod tiles;

use heifer::heifer_isobmff::HeifFile;
use image::metadata::Orientation;
use image::{DynamicImage, RgbaImage};

use crate::decoded::{Decoded, flatten_onto_white, is_rgb_profile};
use crate::picture::Picture;
use crate::{MAX_INPUT_PIXELS, PipelineError};

/// Decodes the primary picture of a HEIF file to opaque pixels, upright: in its embedded RGB
/// profile's colours (returned with them), else in sRGB.
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
    check_derivations(&file)?;
    let options = heifer::Options {
        // Grid tiles in parallel where threads exist; a Web Worker has one.
        max_threads: 0,
        max_pixels: MAX_INPUT_PIXELS,
    };
    // An RGB profile (iPhones embed Display P3) travels with the pixels into the variants, as
    // a JPEG's does: the browser shows the photo's own colours, wide gamut kept, and the
    // conversion (a third of the decode on a 12 MP photo) is never paid here.
    let icc = rgb_profile(&file, file.primary_id);
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
    let (width, height, has_alpha) = (image.width, image.height, image.has_alpha);
    let rgba = RgbaImage::from_raw(width, height, image.data)
        .ok_or_else(|| PipelineError::Corrupt("the picture decoded to the wrong size".into()))?;
    // heifer always answers RGBA; only a real alpha plane needs blending onto white.
    let pixels = if has_alpha {
        flatten_onto_white(DynamicImage::ImageRgba8(rgba))
    } else {
        DynamicImage::ImageRgba8(rgba).into_rgb8()
    };
    Ok(Decoded {
        pixels: Picture::Rgb(pixels),
        full_size: (width, height),
        orientation: Orientation::NoTransforms,
        icc,
        plain_jpeg: false,
    })
}

/// Coded pictures one photo may ask to decode: an iPhone's 48 MP photo is 192 tiles.
const MAX_CODED_PICTURES: usize = 1024;
/// Pictures an overlay may stack, each held decoded at once.
const MAX_OVERLAY_INPUTS: usize = 16;
/// How deep derived pictures (grids, overlays) may nest: heifer's own limit.
const MAX_NESTING: u32 = 4;

/// Refuses a file whose derived pictures would make a few kilobytes cost without end: a grid
/// naming one tile thousands of times, grids of grids, an overlay of hundreds of pictures.
/// (A header-checked size bounds one picture, not how many times it is decoded.)
fn check_derivations(file: &HeifFile<'_>) -> Result<(), PipelineError> {
    let refuse = |why: &str| {
        Err(PipelineError::Corrupt(format!(
            "{why}, which no photo does"
        )))
    };
    let mut coded = 0;
    let mut to_visit = vec![(file.primary_id, 0u32)];
    while let Some((id, depth)) = to_visit.pop() {
        let kind = file
            .item(id)
            .map_err(|e| PipelineError::Corrupt(e.to_string()))?
            .item_type
            .0;
        if !matches!(&kind, b"grid" | b"iovl" | b"iden") {
            coded += 1;
            if coded > MAX_CODED_PICTURES {
                return refuse("it asks for more than 1,024 pictures to be decoded");
            }
            continue;
        }
        if depth >= MAX_NESTING {
            return refuse("its pictures nest too deeply");
        }
        let inputs = file.referenced_items(id, b"dimg");
        if &kind == b"iovl" && inputs.len() > MAX_OVERLAY_INPUTS {
            return refuse("it stacks more than 16 pictures");
        }
        let mut distinct = inputs.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() != inputs.len() {
            return refuse("a picture uses one of its parts twice");
        }
        to_visit.extend(inputs.iter().map(|&input| (input, depth + 1)));
    }
    Ok(())
}

/// The item's embedded ICC profile, when it describes RGB: the one a photo's variants carry.
pub(crate) fn rgb_profile(
    file: &HeifFile<'_>,
    id: heifer::heifer_isobmff::ItemId,
) -> Option<Vec<u8>> {
    heifer::item_metadata(file, id)
        .ok()
        .and_then(|m| m.icc_profile)
        .filter(|p| is_rgb_profile(p))
}

pub(crate) fn heif_error(err: heifer::Error) -> PipelineError {
    match err {
        heifer::Error::Unsupported(what) => PipelineError::HeifUnsupported(what),
        other => PipelineError::Corrupt(other.to_string()),
    }
}
