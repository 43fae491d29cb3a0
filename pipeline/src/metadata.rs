//! Which metadata a stored picture still carries. The pipeline's promise is that none does
//! (GPS above all); the server holds every stored variant to it, whoever made the file.
//! Colour profiles (ICC) and the segments that say how to read the pixels (JFIF, Adobe) are
//! not metadata about the photo and are allowed, exactly as [`crate::strip`] keeps them.
//! Animation is refused with it: frames after the first are pictures no check has seen (an
//! animated PNG's frames may not even include the picture the decoders read), and a browser
//! plays them.

use crate::jpeg_segments::{Part, walk};

/// A kind of metadata found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// EXIF (camera, time, GPS), in a JPEG APP1, a PNG `eXIf` or a WebP `EXIF` chunk.
    Exif,
    /// XMP (Adobe's metadata, also GPS and editing history).
    Xmp,
    /// IPTC (captions, names, places), in a JPEG APP13.
    Iptc,
    /// Free text: a JPEG comment or PNG text chunks.
    Text,
    /// An application segment of unknown content, or data after the picture's end.
    Other,
    /// Animation frames: an animated PNG (`acTL`) or WebP (`ANIM`, `ANMF`).
    Animation,
}

impl std::fmt::Display for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Found::Exif => "EXIF",
            Found::Xmp => "XMP",
            Found::Iptc => "IPTC",
            Found::Text => "a text comment",
            Found::Other => "unknown extra data",
            Found::Animation => "animation frames",
        })
    }
}

/// The metadata `bytes` (a JPEG, PNG or WebP) carries, in the order found; empty when clean.
/// A file too damaged to walk is reported as [`Found::Other`].
pub fn found(bytes: &[u8]) -> Vec<Found> {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        jpeg(bytes)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png(bytes)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        webp(bytes)
    } else {
        vec![Found::Other]
    }
}

fn jpeg(bytes: &[u8]) -> Vec<Found> {
    let mut out = Vec::new();
    for part in walk(bytes) {
        match part {
            Ok(Part::Segment {
                marker, payload, ..
            }) => out.extend(kind_of_segment(marker, payload)),
            Ok(Part::Standalone { .. }) => {}
            // Anything after the end of the picture (phones append previews) is extra.
            Ok(Part::End { rest }) => {
                if !rest.is_empty() {
                    out.push(Found::Other);
                }
                return out;
            }
            Err(_) => break,
        }
    }
    out.push(Found::Other);
    out
}

fn kind_of_segment(marker: u8, payload: &[u8]) -> Option<Found> {
    match marker {
        0xE1 if payload.starts_with(b"Exif\0") => Some(Found::Exif),
        0xE1 if payload.starts_with(b"http://ns.adobe.com/xap/") => Some(Found::Xmp),
        0xED => Some(Found::Iptc),
        0xFE => Some(Found::Text),
        0xE0 if payload.starts_with(b"JFIF\0") => None,
        0xE2 if payload.starts_with(b"ICC_PROFILE\0") => None,
        0xEE if payload.starts_with(b"Adobe") => None,
        0xE0..=0xEF => Some(Found::Other),
        _ => None,
    }
}

fn png(bytes: &[u8]) -> Vec<Found> {
    let mut out = Vec::new();
    let mut pos = 8;
    while let Some(header) = bytes.get(pos..pos + 8) {
        let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let kind = &header[4..8];
        match kind {
            b"eXIf" => out.push(Found::Exif),
            b"acTL" | b"fcTL" | b"fdAT" => out.push(Found::Animation),
            b"tEXt" | b"zTXt" => out.push(Found::Text),
            // XMP travels in an iTXt chunk keyed "XML:com.adobe.xmp".
            b"iTXt" => {
                let data = bytes.get(pos + 8..pos + 8 + length).unwrap_or_default();
                out.push(if data.starts_with(b"XML:com.adobe.xmp") {
                    Found::Xmp
                } else {
                    Found::Text
                });
            }
            b"IEND" => {
                if bytes.len() > pos + 12 {
                    out.push(Found::Other);
                }
                return out;
            }
            _ => {}
        }
        pos += 12 + length;
    }
    out.push(Found::Other);
    out
}

fn webp(bytes: &[u8]) -> Vec<Found> {
    let mut out = Vec::new();
    let mut pos = 12;
    while let Some(header) = bytes.get(pos..pos + 8) {
        let length = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        match &header[..4] {
            b"EXIF" => out.push(Found::Exif),
            b"XMP " => out.push(Found::Xmp),
            b"ANIM" | b"ANMF" => out.push(Found::Animation),
            _ => {}
        }
        // Chunks are padded to an even length.
        pos += 8 + length + (length & 1);
    }
    if pos != bytes.len() {
        out.push(Found::Other);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strip::tests::segment;

    fn jpeg_with(segments: &[Vec<u8>]) -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        for s in segments {
            j.extend_from_slice(s);
        }
        j.extend_from_slice(&segment(0xDA, &[1, 1, 0, 0, 63, 0]));
        j.extend_from_slice(&[0x12, 0x34, 0xFF, 0x00, 0x56]);
        j.extend_from_slice(&[0xFF, 0xD9]);
        j
    }

    #[test]
    fn a_clean_jpeg_carries_nothing() {
        let clean = jpeg_with(&[
            segment(0xE0, b"JFIF\0\x01\x02"),
            segment(0xE2, b"ICC_PROFILE\0\x01\x01"),
            segment(0xDB, &[0; 65]),
        ]);
        assert_eq!(found(&clean), []);
    }

    #[test]
    fn exif_xmp_iptc_and_comments_are_found() {
        let dirty = jpeg_with(&[
            segment(0xE1, b"Exif\0\0GPS"),
            segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0<x/>"),
            segment(0xED, b"Photoshop 3.0\0"),
            segment(0xFE, b"shot at home"),
        ]);
        assert_eq!(
            found(&dirty),
            [Found::Exif, Found::Xmp, Found::Iptc, Found::Text]
        );
    }

    #[test]
    fn data_after_the_end_of_a_jpeg_is_found() {
        let mut trailing = jpeg_with(&[]);
        trailing.extend_from_slice(b"\xFF\xD8 a second picture");
        assert_eq!(found(&trailing), [Found::Other]);
    }

    #[test]
    fn the_pipelines_own_output_is_clean() {
        let pixels = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8, y as u8, 9]));
        let jpeg = crate::encode::jpeg(&pixels, crate::JPEG_QUALITY, None).unwrap();
        assert_eq!(found(&jpeg.bytes), []);
    }

    #[test]
    fn png_text_and_webp_exif_are_found() {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        for (kind, data) in [
            (&b"IHDR"[..], &[0u8; 13][..]),
            (b"tEXt", b"Author\0me"),
            (b"IEND", b""),
        ] {
            png.extend_from_slice(&(data.len() as u32).to_be_bytes());
            png.extend_from_slice(kind);
            png.extend_from_slice(data);
            png.extend_from_slice(&[0; 4]);
        }
        assert_eq!(found(&png), [Found::Text]);

        let mut webp = b"RIFF\0\0\0\0WEBP".to_vec();
        for (kind, data) in [(&b"VP8 "[..], &[0u8; 10][..]), (b"EXIF", b"abc")] {
            webp.extend_from_slice(kind);
            webp.extend_from_slice(&(data.len() as u32).to_le_bytes());
            webp.extend_from_slice(data);
            if data.len() % 2 == 1 {
                webp.push(0);
            }
        }
        assert_eq!(found(&webp), [Found::Exif]);

        // An animated WebP: its frames are pictures no check has seen.
        let mut animated = b"RIFF\0\0\0\0WEBP".to_vec();
        for (kind, data) in [(&b"ANIM"[..], &[0u8; 6][..]), (b"ANMF", &[0u8; 16][..])] {
            animated.extend_from_slice(kind);
            animated.extend_from_slice(&(data.len() as u32).to_le_bytes());
            animated.extend_from_slice(data);
        }
        assert_eq!(found(&animated), [Found::Animation, Found::Animation]);
    }
}
