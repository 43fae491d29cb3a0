//! Decoding, with the size checked from the header before any pixel is allocated.
//!
//! JPEGs (nearly every phone photo) decode at a reduced scale inside the inverse DCT when the
//! largest variant allows it: a 24 MP photo bound for a 2048 px display variant is decoded at
//! 3000x2000, a quarter of the work and memory, and the Lanczos resize does the rest. Other
//! formats, and CMYK or 12-bit JPEGs, go through the `image` crate at full size.
//!
//! The EXIF orientation is read but not applied: rotating the small result is far cheaper.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{
    DynamicImage, GrayImage, ImageDecoder, ImageFormat, ImageReader, Limits, Luma, RgbImage,
};
use jpeg_decoder::{ColorTransform, PixelFormat};

pub use crate::decoded::Decoded;
use crate::decoded::{flatten_onto_white, is_rgb_profile, pixels_over_white};
use crate::detect::detect;
use crate::picture::{Picture, Planes, chroma_size};
use crate::repair;
use crate::resize::fitted_size;
use crate::{MAX_INPUT_PIXELS, PipelineError};

/// Decodes `input` at the smallest scale that still covers `largest_side` (the longest side
/// of the largest variant wanted).
pub fn decode(input: &[u8], largest_side: u32) -> Result<Decoded, PipelineError> {
    #[cfg(feature = "heif")]
    if crate::detect::is_heif(input) {
        return crate::heif::decode(input);
    }
    let format = detect(input)?;
    if format == ImageFormat::Jpeg
        && let Some(decoded) = decode_jpeg(input, largest_side)?
    {
        return Ok(decoded);
    }
    if format == ImageFormat::Png
        && let Some(decoded) = decode_png(input)?
    {
        return Ok(decoded);
    }
    decode_generic(input, format)
}

fn check_size(width: u32, height: u32) -> Result<(), PipelineError> {
    if u64::from(width) * u64::from(height) > MAX_INPUT_PIXELS {
        return Err(PipelineError::TooLarge { width, height });
    }
    Ok(())
}

/// `None` for JPEGs the generic decoder handles better (CMYK/YCCK, 12-bit, damaged scans).
fn decode_jpeg(input: &[u8], largest_side: u32) -> Result<Option<Decoded>, PipelineError> {
    let mut decoder = jpeg_decoder::Decoder::new(input);
    decoder.read_info().map_err(jpeg_corrupt)?;
    let info = decoder
        .info()
        .ok_or_else(|| PipelineError::Corrupt("the JPEG header is missing".into()))?;
    let full_size = (u32::from(info.width), u32::from(info.height));
    check_size(full_size.0, full_size.1)?;
    if !matches!(info.pixel_format, PixelFormat::RGB24 | PixelFormat::L8) {
        return Ok(None);
    }
    let want = fitted_size(full_size.0, full_size.1, largest_side);
    // A damaged scan is read past as browsers do (see `repair`); checked first so a damaged
    // photo is decoded once, and again after a failure the check did not foresee.
    let repaired = repair::is_damaged(input)
        .then(|| repair::repair_scan(input))
        .flatten();
    let decode = |bytes: &[u8]| decode_scaled(&mut jpeg_decoder::Decoder::new(bytes), want);
    let scaled = match decode(repaired.as_deref().unwrap_or(input)) {
        Ok(scaled) => scaled,
        // Damage the check cannot see (intervals missing at the end): repair and try once more.
        Err(_) if repaired.is_none() => match repair::repair_scan(input).map(|r| decode(&r)) {
            Some(Ok(scaled)) => scaled,
            _ => return Ok(None),
        },
        // Let the generic decoder try.
        Err(_) => return Ok(None),
    };
    let Some(pixels) = picture_of(scaled) else {
        return Ok(None);
    };
    // A damaged EXIF block must not cost the seller a photo whose pixels are fine. The first
    // block, as browsers read it: jpeg-decoder keeps the last.
    let orientation = crate::jpeg_segments::first_exif(input)
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    Ok(Some(Decoded {
        pixels,
        full_size,
        orientation,
        icc: decoder.icc_profile().filter(|p| is_rgb_profile(p)),
        plain_jpeg: true,
    }))
}

/// Decodes at the smallest DCT scale covering `(want_w, want_h)`, each component as stored.
fn decode_scaled(
    decoder: &mut jpeg_decoder::Decoder<&[u8]>,
    (want_w, want_h): (u32, u32),
) -> Result<(jpeg_decoder::Planes, (u32, u32)), jpeg_decoder::Error> {
    // Both fit in u16: JPEG sizes are 16-bit and the wanted size is never larger.
    let (w, h) = decoder.scale(want_w as u16, want_h as u16)?;
    Ok((decoder.decode_planes()?, (u32::from(w), u32::from(h))))
}

/// A JPEG's components as a [`Picture`]: YCbCr and grey as planes, RGB interleaved. `None`
/// for what the generic decoder should read (luma not at full size, planes that disagree).
fn picture_of((decoded, size): (jpeg_decoder::Planes, (u32, u32))) -> Option<Picture> {
    let plane = |p: jpeg_decoder::Plane| {
        GrayImage::from_raw(
            u32::try_from(p.width).ok()?,
            u32::try_from(p.height).ok()?,
            p.data,
        )
    };
    let mut planes = decoded.planes.into_iter().map(plane);
    let picture = match (decoded.color_transform, planes.len()) {
        (ColorTransform::Grayscale, 1) => {
            let luma = planes.next()??;
            // Grey is YCbCr with neutral chroma.
            let (cw, ch) = chroma_size(luma.dimensions());
            let neutral = GrayImage::from_pixel(cw, ch, Luma([128]));
            Picture::YCbCr(Planes {
                luma,
                cb: neutral.clone(),
                cr: neutral,
            })
        }
        (ColorTransform::YCbCr, 3) => Picture::YCbCr(Planes {
            luma: planes.next()??,
            cb: planes.next()??,
            cr: planes.next()??,
        }),
        (ColorTransform::RGB, 3) => {
            let [r, g, b] = [planes.next()??, planes.next()??, planes.next()??];
            if r.dimensions() != g.dimensions() || r.dimensions() != b.dimensions() {
                return None;
            }
            let rgb = r.iter().zip(g.iter().zip(b.iter()));
            let rgb = rgb.flat_map(|(&r, (&g, &b))| [r, g, b]).collect();
            Picture::Rgb(RgbImage::from_raw(r.width(), r.height(), rgb)?)
        }
        _ => return None,
    };
    (picture.dimensions() == size).then_some(picture)
}

/// Room for a PNG reader's own buffers: a 16,384 px row of RGBA16 twice, and a colour profile
/// up to what a JPEG can carry (16 MB), with room to spare.
pub const PNG_READER_BYTES: usize = 32 << 20;

/// 8-bit RGB and RGBA PNGs (cut-outs, screenshots, palettes) read row by row straight into
/// opaque RGB, transparency over white: no full RGBA copy and no second pass over it. `None`
/// for the others (grey, 16-bit, interlaced), which the generic decoder reads.
fn decode_png(input: &[u8]) -> Result<Option<Decoded>, PipelineError> {
    // What the reader itself allocates: a row, and chunks such as the colour profile, which
    // inflate (a 1 MB iCCP can claim 700 MB). The pixels are ours, allocated below.
    let limits = png::Limits {
        bytes: PNG_READER_BYTES,
    };
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(input), limits);
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().map_err(png_corrupt)?;
    let info = reader.info();
    let (width, height) = (info.width, info.height);
    check_size(width, height)?;
    let alpha = match reader.output_color_type() {
        (png::ColorType::Rgba, png::BitDepth::Eight) => true,
        (png::ColorType::Rgb, png::BitDepth::Eight) => false,
        _ => return Ok(None),
    };
    if info.interlaced {
        return Ok(None);
    }
    let icc = info
        .icc_profile
        .as_deref()
        .filter(|p| is_rgb_profile(p))
        .map(<[u8]>::to_vec);
    let orientation = info
        .exif_metadata
        .as_deref()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    let line = width as usize * 3;
    let mut rgb = vec![0u8; line * height as usize];
    for out in rgb.chunks_exact_mut(line) {
        let row = reader
            .next_row()
            .map_err(png_corrupt)?
            .ok_or_else(|| PipelineError::Corrupt("the picture ends early".into()))?;
        if alpha {
            pixels_over_white(out, row.data());
        } else {
            out.copy_from_slice(row.data().get(..line).unwrap_or_default());
        }
    }
    let pixels = RgbImage::from_raw(width, height, rgb)
        .ok_or_else(|| PipelineError::Corrupt("the picture's size does not add up".into()))?;
    Ok(Some(Decoded {
        pixels: Picture::Rgb(pixels),
        full_size: (width, height),
        orientation,
        icc,
        plain_jpeg: false,
    }))
}

/// Both decoders' words for a file whose decode would pass the memory limit.
const TOO_MUCH_MEMORY: &str = "it needs more memory than a photo should";

fn png_corrupt(err: png::DecodingError) -> PipelineError {
    match err {
        png::DecodingError::LimitsExceeded => PipelineError::Corrupt(TOO_MUCH_MEMORY.into()),
        other => PipelineError::Corrupt(other.to_string()),
    }
}

fn decode_generic(input: &[u8], format: ImageFormat) -> Result<Decoded, PipelineError> {
    let mut reader = ImageReader::with_format(Cursor::new(input), format);
    let mut limits = Limits::default();
    // Room for the RGBA16 frame of the largest accepted picture, and no more.
    limits.max_alloc = Some(MAX_INPUT_PIXELS * 8);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;

    let (width, height) = decoder.dimensions();
    check_size(width, height)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let icc = decoder
        .icc_profile()
        .ok()
        .flatten()
        .filter(|p| is_rgb_profile(p));
    let image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    Ok(Decoded {
        pixels: Picture::Rgb(flatten_onto_white(image)),
        full_size: (width, height),
        orientation,
        icc,
        plain_jpeg: false,
    })
}

fn jpeg_corrupt(err: jpeg_decoder::Error) -> PipelineError {
    PipelineError::Corrupt(err.to_string())
}

fn corrupt(err: image::ImageError) -> PipelineError {
    match err {
        image::ImageError::Limits(_) => PipelineError::Corrupt(TOO_MUCH_MEMORY.into()),
        other => PipelineError::Corrupt(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_of(image: DynamicImage) -> Vec<u8> {
        let mut bytes = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
            .expect("encodes");
        bytes
    }

    /// A colour profile that inflates past what a reader may hold is dropped as it is read, never
    /// held whole (once up to 800 MB from a file of a few hundred kilobytes).
    #[test]
    fn a_png_whose_profile_inflates_beyond_reason_is_refused() {
        let mut profile = vec![0u8; PNG_READER_BYTES + (8 << 20)];
        profile[16..20].copy_from_slice(b"RGB ");
        let mut bytes = Vec::new();
        let mut info = png::Info::with_size(64, 64);
        info.color_type = png::ColorType::Rgb;
        info.icc_profile = Some(profile.into());
        let encoder = png::Encoder::with_info(&mut bytes, info).unwrap();
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&[200u8; 64 * 64 * 3]).unwrap();
        writer.finish().unwrap();
        assert!(bytes.len() < 200 << 10, "{} bytes", bytes.len());
        // The reader stops inflating it at its limit and drops it (a profile is ancillary), so
        // the photo is made, without a profile nobody could have meant.
        let decoded = decode(&bytes, 2048).unwrap();
        assert_eq!(decoded.full_size, (64, 64));
        assert!(decoded.icc.is_none());
    }

    /// The row-by-row reader makes exactly what the generic decoder makes, and leaves what it
    /// does not read to it.
    #[test]
    fn pngs_read_by_rows_match_the_generic_decoder() {
        let (w, h) = (37, 23);
        let rgba = image::RgbaImage::from_fn(w, h, |x, y| {
            image::Rgba([
                (x * 7) as u8,
                (y * 11) as u8,
                (x * y) as u8,
                (x * 13 + y) as u8,
            ])
        });
        let rgb = DynamicImage::ImageRgba8(rgba.clone()).into_rgb8();
        for (name, image) in [
            ("rgba", DynamicImage::ImageRgba8(rgba)),
            ("rgb", DynamicImage::ImageRgb8(rgb)),
        ] {
            let bytes = png_of(image);
            let rows = decode_png(&bytes).expect("decodes").expect("read by rows");
            let generic = decode_generic(&bytes, ImageFormat::Png).expect("decodes");
            assert!(rows.pixels == generic.pixels, "{name}");
            assert_eq!(rows.full_size, (w, h));
        }
        let grey = png_of(DynamicImage::ImageLuma8(image::GrayImage::new(4, 4)));
        assert!(decode_png(&grey).expect("reads").is_none(), "grey: generic");
        let deep = png_of(DynamicImage::ImageRgba16(image::ImageBuffer::new(4, 4)));
        assert!(
            decode_png(&deep).expect("reads").is_none(),
            "16-bit: generic"
        );
    }

    /// A smooth, colourful picture as a JPEG with the given chroma sampling (grey when `None`).
    fn jpeg_of(w: u16, h: u16, sampling: Option<jpeg_encoder::SamplingFactor>) -> Vec<u8> {
        let rgb = RgbImage::from_fn(u32::from(w), u32::from(h), |x, y| {
            image::Rgb([
                (x * 3 % 256) as u8,
                (y * 5 % 256) as u8,
                (255 - (x + y) % 256) as u8,
            ])
        });
        let mut bytes = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut bytes, 95);
        match sampling {
            Some(sampling) => {
                encoder.set_sampling_factor(sampling);
                encoder.encode(rgb.as_raw(), w, h, jpeg_encoder::ColorType::Rgb)
            }
            None => {
                let grey = DynamicImage::ImageRgb8(rgb).into_luma8();
                encoder.encode(grey.as_raw(), w, h, jpeg_encoder::ColorType::Luma)
            }
        }
        .expect("encodes");
        bytes
    }

    /// A YCbCr JPEG stays in its planes whatever its subsampling, and they are the picture the
    /// JPEG decoder's own RGB shows: within a few levels (its chroma upsampling is not ours).
    #[test]
    fn a_jpeg_decodes_to_its_own_planes() {
        use jpeg_encoder::SamplingFactor::{F_1_1, F_2_1, F_2_2};
        for (sampling, chroma) in [
            (Some(F_2_2), (31, 12)),
            (Some(F_2_1), (31, 23)),
            (Some(F_1_1), (61, 23)),
            (None, (31, 12)),
        ] {
            let bytes = jpeg_of(61, 23, sampling);
            let decoded = decode(&bytes, 4096).expect("decodes");
            let Picture::YCbCr(planes) = &decoded.pixels else {
                panic!("{sampling:?}: not planes");
            };
            assert_eq!(planes.luma.dimensions(), (61, 23), "{sampling:?}");
            assert_eq!(planes.cb.dimensions(), chroma, "{sampling:?}");
            if sampling.is_none() {
                assert!(planes.cb.iter().chain(planes.cr.iter()).all(|&c| c == 128));
            }
            let ours = planes.to_rgb().expect("converts");
            let theirs = jpeg_decoder::Decoder::new(&bytes[..])
                .decode()
                .expect("decodes");
            let theirs = match sampling {
                Some(_) => theirs,
                None => theirs.iter().flat_map(|&l| [l, l, l]).collect(),
            };
            let mean = ours
                .as_raw()
                .iter()
                .zip(&theirs)
                .map(|(&a, &b)| f64::from(a.abs_diff(b)))
                .sum::<f64>()
                / theirs.len() as f64;
            assert!(mean < 2.0, "{sampling:?}: mean difference {mean:.2}");
        }
    }

    /// A JPEG cut anywhere (a failed copy, an upload cut short) is refused or read as far as
    /// it goes, never a panic: baseline and progressive, every subsampling, scaled or not.
    #[test]
    fn a_cut_jpeg_never_panics() {
        use jpeg_encoder::SamplingFactor::{F_1_1, F_2_1, F_2_2};
        let mut files: Vec<Vec<u8>> = [Some(F_2_2), Some(F_2_1), Some(F_1_1), None]
            .into_iter()
            .map(|sampling| jpeg_of(61, 23, sampling))
            .collect();
        let mut progressive = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut progressive, 90);
        encoder.set_progressive(true);
        let rgb = RgbImage::from_fn(120, 90, |x, y| image::Rgb([x as u8, y as u8, 77]));
        encoder
            .encode(rgb.as_raw(), 120, 90, jpeg_encoder::ColorType::Rgb)
            .expect("encodes");
        files.push(progressive);
        for bytes in &files {
            for cut in 0..bytes.len() {
                for largest in [4096, 30] {
                    match decode(&bytes[..cut], largest) {
                        Ok(_) | Err(PipelineError::Corrupt(_) | PipelineError::NotAnImage) => {}
                        Err(PipelineError::Empty) if cut == 0 => {}
                        Err(other) => panic!("cut at {cut}: {other}"),
                    }
                }
            }
        }
    }

    /// Scaled in the inverse DCT, the planes keep their proportions: half the luma, half the
    /// chroma.
    #[test]
    fn a_scaled_jpeg_keeps_half_size_chroma() {
        let bytes = jpeg_of(640, 480, Some(jpeg_encoder::SamplingFactor::F_2_2));
        let decoded = decode(&bytes, 320).expect("decodes");
        let Picture::YCbCr(planes) = &decoded.pixels else {
            panic!("not planes");
        };
        assert_eq!(decoded.full_size, (640, 480));
        assert_eq!(planes.luma.dimensions(), (320, 240));
        assert!(planes.is_half_chroma());
    }

    #[test]
    fn a_cut_png_is_refused() {
        let bytes = png_of(DynamicImage::ImageRgb8(RgbImage::from_fn(
            64,
            64,
            |x, y| image::Rgb([(x * y) as u8, x as u8, y as u8]),
        )));
        // Its pixels half missing; only its header.
        for cut in [bytes.len() / 2, 33] {
            assert!(
                matches!(decode(&bytes[..cut], 2048), Err(PipelineError::Corrupt(_))),
                "cut at {cut}"
            );
        }
    }
}
