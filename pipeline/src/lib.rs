//! The client image pipeline: one chosen file in, upload-ready JPEG variants out.
//!
//! Decode once (refusing bombs from the header, JPEGs at a reduced DCT scale when the largest
//! variant allows, and YCbCr JPEGs into their own planes, never converted to RGB: see
//! [`picture`]), resize each variant with a Lanczos filter, largest first and each from the
//! one before, apply the EXIF orientation to the small result, flatten transparency onto white
//! and encode a fresh JPEG. Re-encoding from pixels is what strips every metadata block (EXIF,
//! GPS, XMP); only an RGB ICC profile is carried over so colours do not shift. A JPEG variant
//! that needs neither resizing nor rotation is passed through with its metadata removed.
//!
//! The stages are public for the benchmarks (`benches/stages.rs`).

pub mod checksum;
pub mod decode;
mod decoded;
mod detect;
pub mod encode;
mod error;
pub mod handoff;
#[cfg(feature = "heif")]
pub mod heif;
pub mod jpeg_scans;
pub mod jpeg_segments;
pub mod metadata;
pub mod orient;
pub mod picture;
pub mod repair;
pub mod resize;
pub mod same_picture;
pub mod similarity;
pub mod strip;

use std::borrow::Cow;
use std::cmp::Reverse;

pub use detect::is_heif;
pub use domain::{ContentType, Variant};
pub use error::PipelineError;
use image::metadata::Orientation;
use picture::Picture;

/// Largest input accepted, in pixels: the same limit the server applies to what it registers.
pub use domain::limits::MAX_PIXELS as MAX_INPUT_PIXELS;
/// JPEG quality of every variant (libjpeg's scale). Luma's dead zone (`encode::LUMA_AC_ROUNDING`)
/// makes 83 smaller than 82 without it, with a better SSIM and chroma; written in bands
/// (`encode::BANDS`), it scores more than the browser's own path's SSIM at 0.82 in fewer bytes
/// on every benchmark photo but the noisy corrupt-exif one, whose sharper resize keeps detail the
/// browser's blurs away (`scripts/bench-browser.sh`).
pub const JPEG_QUALITY: u8 = 83;

/// The variants stored for every photo, largest first, with the longest side each may have:
/// the browser makes them before upload, `vitrine import` on the server.
pub const UPLOAD_VARIANTS: [(Variant, VariantSpec); 3] = [
    (Variant::Display, VariantSpec::of(Variant::Display)),
    (Variant::Medium, VariantSpec::of(Variant::Medium)),
    (Variant::Thumb, VariantSpec::of(Variant::Thumb)),
];

/// One rendition to produce, by the longest side it may have. Benchmarks ask for any size;
/// uploads for a [`Variant`]'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VariantSpec {
    pub max_side: u32,
}

impl VariantSpec {
    pub const fn of(variant: Variant) -> Self {
        Self {
            max_side: variant.max_side(),
        }
    }
}

/// An encoded rendition, ready to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendition {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub content_type: ContentType,
}

/// Processes `input` (the file's bytes) into one rendition per spec, in the same order.
pub fn process(input: &[u8], specs: &[VariantSpec]) -> Result<Vec<Rendition>, PipelineError> {
    let largest = specs.iter().map(|s| s.max_side).max().unwrap_or(0);
    render(input, &decode::decode(input, largest)?, specs)
}

/// Makes one rendition per spec from `source`, already decoded from `input`.
pub fn render(
    input: &[u8],
    source: &decode::Decoded,
    specs: &[VariantSpec],
) -> Result<Vec<Rendition>, PipelineError> {
    let (full_w, full_h) = source.full_size;

    // Largest first, each resized from the previous result: 2048 → 1024 px looks the same as
    // the original → 1024 px, at a fraction of the cost.
    let mut order: Vec<usize> = (0..specs.len()).collect();
    order.sort_by_key(|&i| Reverse(specs[i].max_side));
    let mut out: Vec<Option<Rendition>> = vec![None; specs.len()];
    let sizes: Vec<(u32, u32)> = order
        .iter()
        .map(|&i| resize::fitted_size(full_w, full_h, specs[i].max_side))
        .collect();
    let mut current: Cow<Picture> = Cow::Borrowed(&source.pixels);
    for (n, (&i, &size)) in order.iter().zip(&sizes).enumerate() {
        if let Some(passed) = pass_through(input, source, size, &out) {
            out[i] = Some(passed);
            continue;
        }
        let mut resized = resize::resize_picture(&current, size)?;
        // RGB that smaller variants will be resized from goes into planes once, here: the same
        // bytes for this variant, half the work for theirs (as a JPEG's planes are resized).
        if sizes[n + 1..].iter().any(|&smaller| smaller != size)
            && let Cow::Owned(planes) = resized.to_planes()?
        {
            resized = Cow::Owned(planes);
        }
        let oriented = orient::orient_picture(&resized, source.orientation);
        out[i] = Some(encode::jpeg_picture(
            &oriented,
            JPEG_QUALITY,
            source.icc.as_deref(),
        )?);
        if let Cow::Owned(smaller) = resized {
            current = Cow::Owned(smaller);
        }
    }
    Ok(out.into_iter().flatten().collect())
}

/// The original JPEG minus its metadata, when this variant is the original's size and upright.
/// Stripped once: a small photo's display and medium variants are the same bytes.
fn pass_through(
    input: &[u8],
    source: &decode::Decoded,
    size: (u32, u32),
    done: &[Option<Rendition>],
) -> Option<Rendition> {
    if !source.plain_jpeg
        || source.orientation != Orientation::NoTransforms
        || size != source.full_size
    {
        return None;
    }
    let same = done.iter().flatten().find(|r| (r.width, r.height) == size);
    let bytes = match same {
        Some(earlier) => earlier.bytes.clone(),
        None => strip::strip_metadata(input)?,
    };
    Some(Rendition {
        bytes,
        width: size.0,
        height: size.1,
        content_type: ContentType::Jpeg,
    })
}
