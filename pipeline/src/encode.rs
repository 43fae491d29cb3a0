//! Baseline JPEG encoding with 4:2:0 chroma and Huffman tables optimised for each picture.
//! Nothing but pixels and (if the source had one) its RGB ICC profile is written: no EXIF,
//! GPS, XMP, IPTC or comments.

use image::RgbImage;
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

use crate::{PipelineError, Rendition};

pub fn jpeg(
    pixels: &RgbImage,
    quality: u8,
    icc: Option<&[u8]>,
) -> Result<Rendition, PipelineError> {
    let (width, height) = pixels.dimensions();
    let (w16, h16) = (
        u16::try_from(width).map_err(|_| PipelineError::Encode("too wide for JPEG".into()))?,
        u16::try_from(height).map_err(|_| PipelineError::Encode("too tall for JPEG".into()))?,
    );
    let mut bytes = Vec::with_capacity(pixels.len() / 8);
    let mut encoder = Encoder::new(&mut bytes, quality);
    encoder.set_sampling_factor(SamplingFactor::F_2_2);
    encoder.set_optimized_huffman_tables(true);
    if let Some(profile) = icc {
        encoder
            .add_icc_profile(profile)
            .map_err(|e| PipelineError::Encode(e.to_string()))?;
    }
    encoder
        .encode(pixels.as_raw(), w16, h16, ColorType::Rgb)
        .map_err(|e| PipelineError::Encode(e.to_string()))?;
    Ok(Rendition {
        bytes,
        width,
        height,
        content_type: domain::ContentType::Jpeg,
    })
}
