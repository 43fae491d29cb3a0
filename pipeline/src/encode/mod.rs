//! Baseline JPEG encoding with 4:2:0 chroma and Huffman tables optimised for each picture.
//! YCbCr planes are written as they are (`planes.rs`); RGB is converted on the way, its chroma
//! averaged over each 2x2 block as libjpeg does (`rows.rs`).
//! Nothing but pixels and (if the source had one) its RGB ICC profile is written: no EXIF,
//! GPS, XMP, IPTC or comments.

mod planes;
mod rows;

pub(crate) use rows::planes_of;

use image::RgbImage;
use jpeg_encoder::{Encoder, ImageBuffer, JpegColorType, SamplingFactor};

use crate::picture::Picture;
use crate::{PipelineError, Rendition};

/// An RGB picture as a JPEG.
pub fn jpeg(
    pixels: &RgbImage,
    quality: u8,
    icc: Option<&[u8]>,
) -> Result<Rendition, PipelineError> {
    let (w16, h16) = sides(pixels.dimensions())?;
    let image = rows::Subsampled::new(pixels.as_raw(), w16, h16)
        .ok_or_else(|| PipelineError::Encode("an empty picture".into()))?;
    encode(Ycbcr(image), pixels.len() / 3, quality, icc)
}

/// A picture in either layout as a JPEG: YCbCr planes are written as they are.
pub fn jpeg_picture(
    picture: &Picture,
    quality: u8,
    icc: Option<&[u8]>,
) -> Result<Rendition, PipelineError> {
    let planes = match picture {
        Picture::Rgb(rgb) => return jpeg(rgb, quality, icc),
        Picture::YCbCr(planes) => planes,
    };
    sides(planes.luma.dimensions())?;
    let image = planes::Planar::new(planes).ok_or_else(|| {
        PipelineError::Encode("the chroma planes are not half the picture's size".into())
    })?;
    encode(Ycbcr(image), planes.luma.len(), quality, icc)
}

/// A picture as the rows of YCbCr the encoder reads, each ready for its 4:2:0 sampling.
trait Rows {
    /// Width and height.
    fn size(&self) -> (u16, u16);
    /// Pushes row `y`'s luma, Cb and Cr onto the first three buffers.
    fn fill(&self, y: usize, buffers: &mut [Vec<u8>; 4]);
}

/// Any [`Rows`] as the encoder's input.
struct Ycbcr<R>(R);

impl<R: Rows> ImageBuffer for Ycbcr<R> {
    fn get_jpeg_color_type(&self) -> JpegColorType {
        JpegColorType::Ycbcr
    }

    fn width(&self) -> u16 {
        self.0.size().0
    }

    fn height(&self) -> u16 {
        self.0.size().1
    }

    fn fill_buffers(&self, y: u16, buffers: &mut [Vec<u8>; 4]) {
        self.0.fill(usize::from(y), buffers);
    }
}

/// Both sides of a picture as JPEG stores them (16 bits each).
fn sides((width, height): (u32, u32)) -> Result<(u16, u16), PipelineError> {
    Ok((
        u16::try_from(width).map_err(|_| PipelineError::Encode("too wide for JPEG".into()))?,
        u16::try_from(height).map_err(|_| PipelineError::Encode("too tall for JPEG".into()))?,
    ))
}

fn encode(
    image: impl ImageBuffer,
    pixels: usize,
    quality: u8,
    icc: Option<&[u8]>,
) -> Result<Rendition, PipelineError> {
    let (width, height) = (u32::from(image.width()), u32::from(image.height()));
    let mut bytes = Vec::with_capacity(pixels * 3 / 8);
    let mut encoder = Encoder::new(&mut bytes, quality);
    encoder.set_sampling_factor(SamplingFactor::F_2_2);
    encoder.set_optimized_huffman_tables(true);
    if let Some(profile) = icc {
        encoder
            .add_icc_profile(profile)
            .map_err(|e| PipelineError::Encode(e.to_string()))?;
    }
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

    /// The encoder writes, byte for byte, what jpeg-encoder 0.7.1 as published on crates.io
    /// writes: the vendored copy (`pipeline/vendor/jpeg-encoder`) only makes it faster. The
    /// digests were taken from the published crate. The picture mixes smooth gradients (long
    /// runs of zeros), noise (every coefficient busy) and hard edges, at an awkward size; the
    /// qualities reach from coarse (runs over 15 zeros) to 100 (the largest coefficients).
    #[test]
    fn the_encoder_writes_what_jpeg_encoder_0_7_1_writes() {
        let mut seed = 0x2545_f491_u32;
        let mut noise = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        let (w, h) = (203u32, 157u32);
        let mut picture = RgbImage::from_fn(w, h, |x, y| {
            Rgb([
                (x * 255 / w) as u8,
                (y * 255 / h) as u8,
                ((x + y) % 64 * 4) as u8,
            ])
        });
        for (x, y, px) in picture.enumerate_pixels_mut() {
            if x > w / 2 && y > h / 3 {
                let n = noise().to_le_bytes();
                *px = Rgb([n[0], n[1], n[2]]);
            } else if (x / 9 + y / 7) % 5 == 0 {
                *px = Rgb([0, 0, 0]);
            }
        }
        let digests: Vec<String> = [1, 35, 81, 100]
            .into_iter()
            .map(|quality| {
                let rgb = jpeg(&picture, quality, None).expect("encodes");
                crate::checksum::sha256(&rgb.bytes).to_base64()
            })
            .chain({
                // The planes' path too: luma and half-size chroma taken from the same picture.
                let plane = |(pw, ph): (u32, u32), c: usize| {
                    image::GrayImage::from_fn(pw, ph, |x, y| {
                        image::Luma([picture.get_pixel(x * w / pw, y * h / ph)[c]])
                    })
                };
                let half = crate::picture::chroma_size((w, h));
                let planes = crate::picture::Planes {
                    luma: plane((w, h), 1),
                    cb: plane(half, 2),
                    cr: plane(half, 0),
                };
                let ycbcr = jpeg_picture(&Picture::YCbCr(planes), 81, None).expect("encodes");
                [crate::checksum::sha256(&ycbcr.bytes).to_base64()]
            })
            .collect();
        assert_eq!(
            digests,
            [
                "HixFhRAsqsks0xYzE5oNYfHgyMIDVuWnyfRPHaboc84=",
                "8Y16iFKEi6/+OvK4K6iGephtUe27NLtjlhUYGP9psxc=",
                "7aqekjrGRye11RKkxZhs1A9XzQGlkCm+p1kLt6VEmYA=",
                "D8Ka0qc+XgMcLWJzLWHgLu/3dyoK3go25zydfxw+ZPc=",
                "1jHD1oEoYFXZrO1kSPhI/YvY//ft1IrQmODiIVrkLj8=",
            ]
        );
    }
}
