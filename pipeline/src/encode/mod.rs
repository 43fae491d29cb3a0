//! Progressive JPEG encoding with 4:2:0 chroma: the coefficients of a baseline JPEG, sent in
//! bands, each with a Huffman table optimised for it ([`BANDS`]).
//! YCbCr planes are written as they are (`planes.rs`); RGB is converted on the way, its chroma
//! averaged over each 2x2 block as libjpeg does (`rows.rs`).
//! Nothing but pixels and (if the source had one) its RGB ICC profile is written: no EXIF,
//! GPS, XMP, IPTC or comments.

mod planes;
mod rows;

pub(crate) use rows::planes_of;

use image::RgbImage;
use jpeg_encoder::{BandScan, Encoder, ImageBuffer, JpegColorType, SamplingFactor};

use crate::picture::Picture;
use crate::{PipelineError, Rendition};

/// The scans of every JPEG Vitrine writes: each component's DC, then its AC coefficients in
/// bands of like statistics (luma's lowest two, the next three, the rest; chroma's lowest two,
/// the rest). Measured with `jpegtran -scans` on the benchmark photos' display variants, this
/// script was the smallest of those tried: 0.95 of the baseline bytes on jolla and the 24 MP
/// photo, 0.93 on the cut-out, 0.98 on the noisy corrupt-exif (libjpeg's default script, with
/// successive approximation: 0.99, 0.99, 0.96, 0.96). A browser shows the picture coarse first
/// and sharper as the bands arrive.
pub const BANDS: [BandScan; 10] = {
    const fn scan(component: u8, first: u8, last: u8) -> BandScan {
        BandScan {
            component,
            first,
            last,
        }
    }
    [
        scan(0, 0, 0),
        scan(1, 0, 0),
        scan(2, 0, 0),
        scan(0, 1, 2),
        scan(0, 3, 5),
        scan(0, 6, 63),
        scan(1, 1, 2),
        scan(1, 3, 63),
        scan(2, 1, 2),
        scan(2, 3, 63),
    ]
};

/// The share of a quantiser step added to luma's AC coefficients before truncating, in percent
/// (libjpeg adds half a step): a dead zone, so a coefficient just over half a step, mostly noise,
/// is written as a zero. At quality 83 it makes every variant of the benchmark photos but the
/// thumbnails smaller than quality 82 without it, with a higher SSIM and chroma PSNR (display:
/// 0.98-0.99 of the bytes, +0.0003 to +0.0008 SSIM); a thumbnail is 0.98 of the bytes for about
/// the SSIM a quality step down gives. Chroma keeps half a step: there a dead zone cost more
/// colour than it saved bytes. Measured with `ssim --variants`.
pub const LUMA_AC_ROUNDING: u8 = 40;

/// How the encoder is set up. The pipeline uses [`Coding::VITRINE`]; the tests take each
/// change apart from the published encoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Coding {
    /// Progressive, in [`BANDS`]; otherwise one scan per component.
    bands: bool,
    /// Luma's dead zone ([`LUMA_AC_ROUNDING`]); otherwise every value rounds to nearest.
    dead_zone: bool,
}

impl Coding {
    const VITRINE: Coding = Coding {
        bands: true,
        dead_zone: true,
    };
}

/// An RGB picture as a JPEG.
pub fn jpeg(
    pixels: &RgbImage,
    quality: u8,
    icc: Option<&[u8]>,
) -> Result<Rendition, PipelineError> {
    encode(
        rgb_rows(pixels)?,
        pixels.len() / 3,
        quality,
        icc,
        Coding::VITRINE,
    )
}

/// A picture in either layout as a JPEG: YCbCr planes are written as they are.
pub fn jpeg_picture(
    picture: &Picture,
    quality: u8,
    icc: Option<&[u8]>,
) -> Result<Rendition, PipelineError> {
    jpeg_picture_coded(picture, quality, icc, Coding::VITRINE)
}

/// RGB as the encoder reads it, converted row by row.
fn rgb_rows(pixels: &RgbImage) -> Result<Ycbcr<rows::Subsampled<'_>>, PipelineError> {
    let (w16, h16) = sides(pixels.dimensions())?;
    rows::Subsampled::new(pixels.as_raw(), w16, h16)
        .map(Ycbcr)
        .ok_or_else(|| PipelineError::Encode("an empty picture".into()))
}

fn jpeg_picture_coded(
    picture: &Picture,
    quality: u8,
    icc: Option<&[u8]>,
    coding: Coding,
) -> Result<Rendition, PipelineError> {
    let planes = match picture {
        Picture::Rgb(rgb) => {
            return encode(rgb_rows(rgb)?, rgb.len() / 3, quality, icc, coding);
        }
        Picture::YCbCr(planes) => planes,
    };
    sides(planes.luma.dimensions())?;
    let image = planes::Planar::new(planes).ok_or_else(|| {
        PipelineError::Encode("the chroma planes are not half the picture's size".into())
    })?;
    encode(Ycbcr(image), planes.luma.len(), quality, icc, coding)
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
    coding: Coding,
) -> Result<Rendition, PipelineError> {
    let (width, height) = (u32::from(image.width()), u32::from(image.height()));
    let mut bytes = Vec::with_capacity(pixels * 3 / 8);
    let mut encoder = Encoder::new(&mut bytes, quality);
    encoder.set_sampling_factor(SamplingFactor::F_2_2);
    encoder.set_optimized_huffman_tables(true);
    if coding.bands {
        encoder.set_band_scans(Some(BANDS.to_vec()));
    }
    if coding.dead_zone {
        encoder.set_ac_rounding(LUMA_AC_ROUNDING, 50);
    }
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

    /// jpeg-encoder as published: one scan per component, every value rounded to nearest.
    const PUBLISHED: Coding = Coding {
        bands: false,
        dead_zone: false,
    };

    /// What the encoder writes in one scan per component, with or without luma's dead zone.
    fn sequential_jpeg(picture: &RgbImage, quality: u8, dead_zone: bool) -> Rendition {
        let picture = Picture::Rgb(picture.clone());
        let coding = Coding {
            bands: false,
            dead_zone,
        };
        jpeg_picture_coded(&picture, quality, None, coding).expect("encodes")
    }

    /// Smooth gradients (long runs of zeros), noise (every coefficient busy) and hard edges.
    fn busy_picture(w: u32, h: u32) -> RgbImage {
        let mut seed = 0x2545_f491_u32;
        let mut noise = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
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
        picture
    }

    /// The progressive file holds the sequential file's coefficients (both with luma's dead
    /// zone): jpeg-decoder shows
    /// exactly the same pixels for both, at sizes ending anywhere on the block grid, at coarse
    /// and fine qualities; zune-jpeg (the image crate's decoder) shows them too, within its
    /// own rounding of the chroma upsampling. It cannot be the reference: 0.5.15 misreads
    /// sequential files with one scan per component (zune-image issue 422), libjpeg's too. And
    /// the bands are smaller, as [`BANDS`] promises, and the dead zone smaller still.
    #[test]
    fn the_bands_hold_the_sequential_pixels_in_fewer_bytes() {
        let jpeg_decoder = |bytes: &[u8]| {
            jpeg_decoder::Decoder::new(bytes)
                .decode()
                .expect("jpeg-decoder reads it")
        };
        let zune = |bytes: &[u8]| {
            image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg)
                .expect("zune-jpeg reads it")
                .into_rgb8()
                .into_raw()
        };
        let (mut in_bands, mut sequential_total, mut published) = (0, 0, 0);
        let pictures = [(1, 1), (8, 8), (17, 9), (16, 33), (203, 157), (640, 480)]
            .map(|(w, h)| busy_picture(w, h))
            .into_iter()
            // A smooth picture: runs of empty bands over the whole scan, longer than one
            // end-of-band code can carry (36,864 luma blocks).
            .chain([RgbImage::from_fn(2048, 1152, |x, y| {
                Rgb([(x / 8) as u8, (y / 5) as u8, 128])
            })]);
        for picture in pictures {
            let (w, h) = picture.dimensions();
            for quality in [20, 81, 95] {
                let bands = jpeg(&picture, quality, None).expect("encodes");
                let sequential = sequential_jpeg(&picture, quality, true);
                // SOF2: a progressive frame.
                assert!(bands.bytes.windows(2).any(|m| m == [0xFF, 0xC2]));
                let reference = jpeg_decoder(&sequential.bytes);
                assert!(
                    jpeg_decoder(&bands.bytes) == reference,
                    "{w}x{h} at {quality}: the bands decode differently"
                );
                let zune = zune(&bands.bytes);
                let worst = zune
                    .iter()
                    .zip(&reference)
                    .map(|(a, b)| a.abs_diff(*b))
                    .max();
                assert!(
                    zune.len() == reference.len() && worst <= Some(8),
                    "{w}x{h} at {quality}: zune-jpeg is {worst:?} away"
                );
                if w * h >= 203 * 157 {
                    in_bands += bands.bytes.len();
                    sequential_total += sequential.bytes.len();
                    published += sequential_jpeg(&picture, quality, false).bytes.len();
                }
            }
        }
        assert!(
            in_bands < sequential_total && sequential_total < published,
            "{in_bands} bytes in bands against {sequential_total} sequential, \
             {published} without the dead zone"
        );
    }

    /// In one scan per component, the encoder writes, byte for byte, what jpeg-encoder 0.7.1
    /// as published on crates.io writes: the vendored copy (`pipeline/vendor/jpeg-encoder`)
    /// only makes it faster, and the bands reuse its coefficients (the test above). The
    /// digests were taken from the published crate. The picture mixes smooth gradients (long
    /// runs of zeros), noise (every coefficient busy) and hard edges, at an awkward size; the
    /// qualities reach from coarse (runs over 15 zeros) to 100 (the largest coefficients).
    #[test]
    fn the_encoder_writes_what_jpeg_encoder_0_7_1_writes() {
        let (w, h) = (203u32, 157u32);
        let picture = busy_picture(w, h);
        let digests: Vec<String> = [1, 35, 81, 100]
            .into_iter()
            .map(|quality| {
                let rgb = sequential_jpeg(&picture, quality, false);
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
                let ycbcr = jpeg_picture_coded(&Picture::YCbCr(planes), 81, None, PUBLISHED)
                    .expect("encodes");
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
