//! The client image pipeline: one chosen file in, upload-ready JPEG variants out.
//!
//! Decode once (refusing bombs from the header), resize each variant with a Lanczos filter,
//! apply the EXIF orientation to the small result, flatten transparency onto white and encode
//! a fresh JPEG. Re-encoding from pixels is what strips every metadata block (EXIF, GPS, XMP).

mod decode;
mod encode;
mod error;
mod resize;

pub use error::PipelineError;

/// Largest input accepted, in pixels: beyond this a phone runs out of memory.
pub const MAX_INPUT_PIXELS: u64 = 100_000_000;
/// JPEG quality of every variant.
pub const JPEG_QUALITY: u8 = 82;

/// The variants stored for every photo, by name (see `domain::Variant`) and longest side:
/// the browser makes them before upload, `vitrine import-local` on the server.
pub const UPLOAD_VARIANTS: [(&str, VariantSpec); 3] = [
    ("display", VariantSpec { max_side: 2048 }),
    ("medium", VariantSpec { max_side: 1024 }),
    ("thumb", VariantSpec { max_side: 400 }),
];

/// One rendition to produce, by the longest side it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VariantSpec {
    pub max_side: u32,
}

/// An encoded rendition, ready to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendition {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub content_type: &'static str,
}

/// Processes `input` (the file's bytes) into one rendition per spec, in the same order.
pub fn process(input: &[u8], specs: &[VariantSpec]) -> Result<Vec<Rendition>, PipelineError> {
    let decoded = decode::decode(input)?;
    specs
        .iter()
        .map(|spec| {
            let resized = resize::fit_within(&decoded.pixels, spec.max_side)?;
            let oriented = decode::orient(resized, decoded.orientation);
            encode::jpeg(&oriented, JPEG_QUALITY)
        })
        .collect()
}
