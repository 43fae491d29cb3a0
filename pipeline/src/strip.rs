//! Lossless metadata removal, for a JPEG that needs neither resizing nor rotation: re-encoding
//! it would only lose quality. Segments are copied except EXIF and XMP (APP1), IPTC (APP13),
//! comments and every other APPn, but JFIF (APP0), the ICC profile (APP2) and Adobe's (APP14,
//! which says how to read the colours) stay. The compressed picture is copied byte for byte.
//! Copying stops at the first end-of-image: phones append more pictures (MPF previews, depth
//! maps) after it.

use crate::jpeg_segments::{Part, walk};

const EOI: u8 = 0xD9;

/// The JPEG without its metadata, or `None` when it is not a well-formed JPEG.
pub fn strip_metadata(jpeg: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(jpeg.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    for part in walk(jpeg) {
        match part.ok()? {
            Part::Segment {
                marker,
                bytes,
                payload,
                data,
            } => {
                if keep(marker, payload) {
                    out.extend_from_slice(bytes);
                }
                out.extend_from_slice(data);
            }
            Part::Standalone { bytes } => out.extend_from_slice(bytes),
            Part::End { .. } => {
                out.extend_from_slice(&[0xFF, EOI]);
                return Some(out);
            }
        }
    }
    None
}

fn keep(marker: u8, payload: &[u8]) -> bool {
    match marker {
        0xE0 => payload.starts_with(b"JFIF\0"),
        0xE2 => payload.starts_with(b"ICC_PROFILE\0"),
        0xEE => payload.starts_with(b"Adobe"),
        0xE1 | 0xE3..=0xED | 0xEF | 0xFE => false,
        _ => true,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const SOS: u8 = 0xDA;

    /// A JPEG segment: marker, length, payload (the metadata tests build JPEGs with it too).
    pub(crate) fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(payload);
        s
    }

    #[test]
    fn drops_metadata_and_keeps_the_picture() {
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend(segment(0xE0, b"JFIF\0\x01\x01"));
        jpeg.extend(segment(0xE1, b"Exif\0\0GPS here"));
        jpeg.extend(segment(0xE2, b"ICC_PROFILE\0\x01\x01data"));
        jpeg.extend(segment(0xFE, b"a comment"));
        jpeg.extend(segment(0xDB, b"\0quant"));
        jpeg.extend(segment(SOS, b"\x01\x01\0\0\x3f\0"));
        jpeg.extend([0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]);
        jpeg.extend([0xFF, EOI]);
        // A second picture appended after the first (an MPF preview) must not be copied.
        jpeg.extend([0xFF, 0xD8, 0xFF, 0xE1, 0, 4, b'G', b'P', 0xFF, EOI]);

        let out = strip_metadata(&jpeg).expect("well formed");
        let mut expected = vec![0xFF, 0xD8];
        expected.extend(segment(0xE0, b"JFIF\0\x01\x01"));
        expected.extend(segment(0xE2, b"ICC_PROFILE\0\x01\x01data"));
        expected.extend(segment(0xDB, b"\0quant"));
        expected.extend(segment(SOS, b"\x01\x01\0\0\x3f\0"));
        expected.extend([0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, EOI]);
        assert_eq!(out, expected);
    }

    #[test]
    fn refuses_what_is_not_a_whole_jpeg() {
        assert_eq!(strip_metadata(b"not a jpeg"), None);
        assert_eq!(strip_metadata(&[0xFF, 0xD8, 0xFF, 0xE1, 0x00]), None);
        let mut cut = vec![0xFF, 0xD8];
        cut.extend(segment(0xE1, b"Exif\0\0"));
        cut.truncate(cut.len() - 2);
        assert_eq!(strip_metadata(&cut), None);
        // A length below its own two bytes (a flipped bit in a camera file) is damage, not a
        // segment: it once panicked and took the photo tool down.
        for length in [0u8, 1] {
            let bad = [0xFF, 0xD8, 0xFF, 0xE5, 0x00, length, 0xFF, 0xD9];
            assert_eq!(strip_metadata(&bad), None);
        }
    }
}
