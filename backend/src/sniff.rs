//! What a stored object really is, read from its first bytes: the server never trusts the
//! declared type, and never decodes a whole picture to find out.

use std::io::Cursor;

use image::ImageReader;

use domain::ContentType;
pub use domain::limits::{MAX_PIXELS, MAX_SIDE};

/// How many leading bytes the server reads to sniff an object.
pub const SNIFF_BYTES: u64 = 256 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub content_type: ContentType,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SniffError {
    #[error("the stored file is not a JPEG, PNG or WebP image")]
    NotAnImage,
    #[error("the stored file is {actual} but was declared as {declared}")]
    TypeMismatch {
        declared: ContentType,
        actual: ContentType,
    },
    #[error("the stored image's header is damaged: {0}")]
    BadHeader(String),
    #[error("the stored image is {width}x{height}, beyond the {MAX_SIDE} px / {} megapixel limit", MAX_PIXELS / 1_000_000)]
    TooLarge { width: u32, height: u32 },
}

/// Sniffs `head` (the object's first bytes) and checks it is the `declared` type.
pub fn sniff(head: &[u8], declared: ContentType) -> Result<Sniffed, SniffError> {
    let format = image::guess_format(head).map_err(|_| SniffError::NotAnImage)?;
    let actual = content_type_of(format).ok_or(SniffError::NotAnImage)?;
    if actual != declared {
        return Err(SniffError::TypeMismatch { declared, actual });
    }
    let mut reader = ImageReader::with_format(Cursor::new(head), format);
    // Only a header is read, but a PNG's profile before it inflates: no more than a reader needs.
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(pipeline::decode::PNG_READER_BYTES as u64);
    reader.limits(limits);
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| SniffError::BadHeader(e.to_string()))?;
    if width == 0 || height == 0 {
        return Err(SniffError::BadHeader("zero width or height".into()));
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(SniffError::TooLarge { width, height });
    }
    Ok(Sniffed {
        content_type: actual,
        width,
        height,
    })
}

/// The stored type of an image format, if Vitrine stores that format.
fn content_type_of(format: image::ImageFormat) -> Option<ContentType> {
    match format {
        image::ImageFormat::Jpeg => Some(ContentType::Jpeg),
        image::ImageFormat::Png => Some(ContentType::Png),
        image::ImageFormat::WebP => Some(ContentType::Webp),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        image::RgbImage::new(width, height)
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn reads_type_and_size() {
        let bytes = png(3, 2);
        assert_eq!(
            sniff(&bytes, ContentType::Png),
            Ok(Sniffed {
                content_type: ContentType::Png,
                width: 3,
                height: 2
            })
        );
    }

    #[test]
    fn a_header_prefix_is_enough() {
        let mut jpeg = Vec::new();
        image::RgbImage::new(640, 480)
            .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
            .unwrap();
        let head = &jpeg[..jpeg.len().min(1024)];
        assert_eq!(
            sniff(head, ContentType::Jpeg).map(|s| (s.width, s.height)),
            Ok((640, 480))
        );
    }

    #[test]
    fn declared_type_must_match() {
        assert_eq!(
            sniff(&png(1, 1), ContentType::Jpeg),
            Err(SniffError::TypeMismatch {
                declared: ContentType::Jpeg,
                actual: ContentType::Png
            })
        );
    }

    #[test]
    fn text_and_svg_are_not_images() {
        assert_eq!(
            sniff(b"hello, I am text", ContentType::Jpeg),
            Err(SniffError::NotAnImage)
        );
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
        assert_eq!(sniff(svg, ContentType::Png), Err(SniffError::NotAnImage));
    }

    #[test]
    fn decompression_bombs_are_refused_from_the_header() {
        let bomb = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/corpus/bad/bomb-30000x30000.png"
        ))
        .expect("fixtures/corpus is in the repository");
        assert_eq!(
            sniff(&bomb[..4096], ContentType::Png),
            Err(SniffError::TooLarge {
                width: 30_000,
                height: 30_000
            })
        );
    }
}
