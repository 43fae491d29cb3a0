//! Decoding with the size checked from the header first, and EXIF orientation read (but not
//! yet applied: rotating the small resized picture is far cheaper than the full frame).

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};

use crate::{MAX_INPUT_PIXELS, PipelineError};

pub(crate) struct Decoded {
    /// Opaque RGB pixels, as stored (orientation not applied).
    pub pixels: RgbImage,
    pub orientation: Orientation,
}

pub(crate) fn decode(input: &[u8]) -> Result<Decoded, PipelineError> {
    let format = detect(input)?;
    let mut reader = ImageReader::with_format(Cursor::new(input), format);
    let mut limits = Limits::default();
    // Room for the RGBA16 frame of the largest accepted picture, and no more.
    limits.max_alloc = Some(MAX_INPUT_PIXELS * 8);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;

    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_INPUT_PIXELS {
        return Err(PipelineError::TooLarge { width, height });
    }
    // A damaged EXIF block must not cost the seller a photo whose pixels are fine.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    Ok(Decoded {
        pixels: flatten_onto_white(image),
        orientation,
    })
}

fn detect(input: &[u8]) -> Result<ImageFormat, PipelineError> {
    if input.is_empty() {
        return Err(PipelineError::Empty);
    }
    if is_heif(input) {
        return Err(PipelineError::Heif);
    }
    match image::guess_format(input) {
        Ok(ImageFormat::Jpeg) if is_truncated_jpeg(input) => Err(PipelineError::Corrupt(
            "the file ends before the picture does: it was cut off".into(),
        )),
        Ok(
            format @ (ImageFormat::Jpeg
            | ImageFormat::Png
            | ImageFormat::WebP
            | ImageFormat::Tiff
            | ImageFormat::Gif),
        ) => Ok(format),
        _ if looks_like_svg(input) => Err(PipelineError::Svg),
        _ => Err(PipelineError::NotAnImage),
    }
}

/// A JPEG whose last scan (SOS, `FF DA`) is not followed by an end-of-image marker (`FF D9`).
/// The JPEG decoder fills a cut-off picture with grey instead of failing, so check first.
/// Entropy-coded data never contains `FF D9` (an `FF` there is always stuffed), and an EXIF
/// thumbnail's own markers all come before the main picture's last scan.
fn is_truncated_jpeg(input: &[u8]) -> bool {
    let last = |marker: u8| {
        input
            .windows(2)
            .rposition(|w| w[0] == 0xFF && w[1] == marker)
    };
    match (last(0xDA), last(0xD9)) {
        (Some(sos), Some(eoi)) => eoi < sos,
        (Some(_), None) => true,
        _ => false,
    }
}

/// ISO-BMFF `ftyp` box with a HEIF brand (iPhone photos).
fn is_heif(input: &[u8]) -> bool {
    input.len() >= 12
        && &input[4..8] == b"ftyp"
        && matches!(
            &input[8..12],
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"mif1" | b"msf1" | b"heim" | b"heis"
        )
}

fn looks_like_svg(input: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&input[..input.len().min(1024)]).to_ascii_lowercase();
    head.contains("<svg")
}

fn corrupt(err: image::ImageError) -> PipelineError {
    match err {
        image::ImageError::Limits(_) => {
            PipelineError::Corrupt("it needs more memory than a photo should".into())
        }
        other => PipelineError::Corrupt(other.to_string()),
    }
}

/// Transparent pixels become white on purpose (a JPEG has no alpha; black would be the
/// browser's accident). Grey, 16-bit and CMYK sources all end up as 8-bit RGB here.
fn flatten_onto_white(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut out = RgbImage::new(w, h);
    for (dst, src) in out.pixels_mut().zip(rgba.pixels()) {
        let [r, g, b, a] = src.0;
        let a = u16::from(a);
        let blend = |c: u8| ((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
        dst.0 = [blend(r), blend(g), blend(b)];
    }
    out
}

pub(crate) fn orient(mut image: DynamicImage, orientation: Orientation) -> DynamicImage {
    image.apply_orientation(orientation);
    image
}
