//! JPEG encoding: 4:2:0 chroma and optimised Huffman tables, the two things that matter most
//! for size at this quality. Nothing but pixels is written: no EXIF, GPS, XMP or comments.

use image::DynamicImage;
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

use crate::{PipelineError, Rendition};

pub(crate) fn jpeg(image: &DynamicImage, quality: u8) -> Result<Rendition, PipelineError> {
    let rgb = image.to_rgb8();
    let (width, height) = rgb.dimensions();
    let (w16, h16) = (
        u16::try_from(width).map_err(|_| PipelineError::Encode("too wide for JPEG".into()))?,
        u16::try_from(height).map_err(|_| PipelineError::Encode("too tall for JPEG".into()))?,
    );
    let mut bytes = Vec::with_capacity(rgb.len() / 8);
    let mut encoder = Encoder::new(&mut bytes, quality);
    encoder.set_sampling_factor(SamplingFactor::F_2_2);
    encoder.set_optimized_huffman_tables(true);
    encoder
        .encode(rgb.as_raw(), w16, h16, ColorType::Rgb)
        .map_err(|e| PipelineError::Encode(e.to_string()))?;
    Ok(Rendition { bytes, width, height, content_type: "image/jpeg" })
}
