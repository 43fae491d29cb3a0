//! What kind of file this is, from its first bytes, before any decoder runs: refuses what the
//! pipeline must never decode (SVG, HEIF, cut-off JPEGs) with the reason.

use image::ImageFormat;

use crate::PipelineError;

pub(crate) fn detect(input: &[u8]) -> Result<ImageFormat, PipelineError> {
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
pub(crate) fn is_truncated_jpeg(input: &[u8]) -> bool {
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

/// ISO-BMFF `ftyp` box with a HEIF brand (iPhone photos). Refused by [`detect`]: only a build
/// with the `heif` feature decodes them, before asking it.
pub fn is_heif(input: &[u8]) -> bool {
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
