//! JPEG encoding with 4:2:0 chroma. Nothing but pixels is written: no EXIF, GPS, XMP or comments.
//!
//! Optimised Huffman tables would save about 4 %, but jpeg-encoder then writes one scan per
//! component (non-interleaved), which the `image` crate's own decoder (zune-jpeg 0.5) renders
//! with wrong colours: a file some decoders misread is not worth 4 %.

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
    encoder
        .encode(rgb.as_raw(), w16, h16, ColorType::Rgb)
        .map_err(|e| PipelineError::Encode(e.to_string()))?;
    Ok(Rendition {
        bytes,
        width,
        height,
        content_type: "image/jpeg",
    })
}
