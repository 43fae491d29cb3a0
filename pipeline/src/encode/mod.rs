//! Baseline JPEG encoding with 4:2:0 chroma (averaged over each 2x2 block, as libjpeg does) and
//! Huffman tables optimised for each picture.
//! Nothing but pixels and (if the source had one) its RGB ICC profile is written: no EXIF,
//! GPS, XMP, IPTC or comments.

mod rows;

use image::RgbImage;
use jpeg_encoder::{Encoder, SamplingFactor};

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
    let image = rows::Subsampled::new(pixels.as_raw(), w16, h16)
        .ok_or_else(|| PipelineError::Encode("an empty picture".into()))?;
    encoder
        .encode_image(image)
        .map_err(|e| PipelineError::Encode(e.to_string()))?;
    Ok(Rendition {
        bytes,
        width,
        height,
        content_type: domain::ContentType::Jpeg,
    })
}

#[cfg(test)]
mod tests {
    use image::Rgb;

    use super::*;

    /// Columns of pure red and pure blue, one pixel wide, seen from a distance are purple: the
    /// JPEG must keep that mix, not the colour of every block's left column.
    #[test]
    fn a_colour_edge_keeps_its_mix() {
        let stripes = RgbImage::from_fn(64, 64, |x, _| {
            if x % 2 == 0 {
                Rgb([255, 0, 0])
            } else {
                Rgb([0, 0, 255])
            }
        });
        let jpeg = jpeg(&stripes, 90, None).expect("encodes");
        // jpeg-decoder, which reads one-scan-per-component files as libjpeg does.
        let decoded = jpeg_decoder::Decoder::new(&jpeg.bytes[..])
            .decode()
            .expect("decodes");
        let mean = |c: usize| {
            decoded
                .iter()
                .skip(c)
                .step_by(3)
                .map(|&v| f64::from(v))
                .sum::<f64>()
                / (64.0 * 64.0)
        };
        let (red, blue) = (mean(0), mean(2));
        assert!(
            (red - blue).abs() < 25.0 && (100.0..160.0).contains(&red),
            "red {red:.0}, blue {blue:.0}: the stripes should average to purple"
        );
    }
}
