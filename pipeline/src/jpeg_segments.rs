//! A JPEG's parts, in file order: the one walk that [`crate::strip`], [`crate::metadata`],
//! [`crate::jpeg_scans`] and [`first_exif`] share, so they never disagree on where a segment
//! ends (a walk that reads lengths differently is how metadata hides from a check).

const SOS: u8 = 0xDA;
const EOI: u8 = 0xD9;

/// One part of a JPEG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part<'a> {
    /// A marker segment: its marker, the whole segment (marker and length included), its
    /// payload, and for a scan header the compressed data after it (empty otherwise).
    Segment {
        marker: u8,
        bytes: &'a [u8],
        payload: &'a [u8],
        data: &'a [u8],
    },
    /// A marker without a length (TEM, a restart marker out of a scan).
    Standalone { bytes: &'a [u8] },
    /// The end of the picture, and whatever the file carries after it.
    End { rest: &'a [u8] },
}

/// Where a walk could not go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Damage {
    #[error("no start of image")]
    NoStart,
    #[error("a marker is missing")]
    NoMarker,
    #[error("a segment is cut short")]
    CutShort,
    #[error("a segment's length is too small")]
    BadLength,
}

/// The parts of `jpeg` after its start-of-image marker, ending with [`Part::End`] or an error.
pub(crate) fn walk(jpeg: &[u8]) -> impl Iterator<Item = Result<Part<'_>, Damage>> {
    let mut pos = if jpeg.starts_with(&[0xFF, 0xD8]) {
        Some(2)
    } else {
        None
    };
    let mut started = false;
    std::iter::from_fn(move || {
        let Some(at) = pos else {
            if started {
                return None;
            }
            started = true;
            return Some(Err(Damage::NoStart));
        };
        started = true;
        let (part, next) = match part_at(jpeg, at) {
            Ok((part @ Part::End { .. }, _)) => (Ok(part), None),
            Ok((part, next)) => (Ok(part), Some(next)),
            Err(damage) => (Err(damage), None),
        };
        pos = next;
        Some(part)
    })
}

fn part_at(jpeg: &[u8], mut pos: usize) -> Result<(Part<'_>, usize), Damage> {
    // Any number of 0xFF fill bytes may precede a marker.
    while jpeg.get(pos) == Some(&0xFF) && jpeg.get(pos + 1) == Some(&0xFF) {
        pos += 1;
    }
    let (Some(0xFF), Some(&marker)) = (jpeg.get(pos), jpeg.get(pos + 1)) else {
        return Err(Damage::NoMarker);
    };
    match marker {
        EOI => {
            return Ok((
                Part::End {
                    rest: &jpeg[pos + 2..],
                },
                jpeg.len(),
            ));
        }
        0x01 | 0xD0..=0xD7 => {
            let bytes = &jpeg[pos..pos + 2];
            return Ok((Part::Standalone { bytes }, pos + 2));
        }
        _ => {}
    }
    let (Some(&hi), Some(&lo)) = (jpeg.get(pos + 2), jpeg.get(pos + 3)) else {
        return Err(Damage::CutShort);
    };
    // The length counts its own two bytes: less is damage, not a segment.
    let length = usize::from(u16::from_be_bytes([hi, lo]));
    if length < 2 {
        return Err(Damage::BadLength);
    }
    let end = pos + 2 + length;
    let bytes = jpeg.get(pos..end).ok_or(Damage::CutShort)?;
    let data_end = if marker == SOS {
        entropy_coded_end(jpeg, end)
    } else {
        end
    };
    let part = Part::Segment {
        marker,
        bytes,
        payload: &bytes[4..],
        data: &jpeg[end..data_end],
    };
    Ok((part, data_end))
}

/// Where the compressed data after a scan header ends: at the first marker that is neither a
/// stuffed `FF 00` nor a restart marker.
pub(crate) fn entropy_coded_end(jpeg: &[u8], from: usize) -> usize {
    let mut i = from;
    while i + 1 < jpeg.len() {
        if jpeg[i] == 0xFF && !matches!(jpeg[i + 1], 0x00 | 0xD0..=0xD7 | 0xFF) {
            return i;
        }
        i += 1;
    }
    jpeg.len()
}

/// The first EXIF block's TIFF data: the one browsers read the orientation from (decoders
/// that take the last would turn a photo with two blocks otherwise than the seller saw it).
pub fn first_exif(jpeg: &[u8]) -> Option<&[u8]> {
    walk(jpeg)
        .map_while(Result::ok)
        .find_map(|part| match part {
            Part::Segment {
                marker: 0xE1,
                payload,
                ..
            } => payload.strip_prefix(b"Exif\0\0"),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strip::tests::segment;

    #[test]
    fn a_jpeg_walks_into_its_parts() {
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend(segment(0xE0, b"JFIF\0"));
        jpeg.extend(segment(SOS, b"\x01\x01\0\0\x3f\0"));
        jpeg.extend([0x12, 0xFF, 0x00, 0xFF, 0xD0, 0x34]);
        jpeg.extend([0xFF, EOI, 7]);
        let parts: Vec<_> = walk(&jpeg).collect::<Result<_, _>>().unwrap();
        assert_eq!(parts.len(), 3);
        assert!(matches!(
            parts[0],
            Part::Segment {
                marker: 0xE0,
                payload: b"JFIF\0",
                ..
            }
        ));
        match parts[1] {
            Part::Segment {
                marker: SOS, data, ..
            } => {
                assert_eq!(data, &[0x12, 0xFF, 0x00, 0xFF, 0xD0, 0x34])
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(parts[2], Part::End { rest: &[7] });
    }

    #[test]
    fn damage_ends_the_walk_with_its_reason() {
        fn last(jpeg: &[u8]) -> Result<Part<'_>, Damage> {
            walk(jpeg).last().unwrap()
        }
        assert_eq!(last(b"not a jpeg"), Err(Damage::NoStart));
        assert_eq!(last(&[0xFF, 0xD8, 0x00]), Err(Damage::NoMarker));
        assert_eq!(last(&[0xFF, 0xD8, 0xFF, 0xE1, 0x00]), Err(Damage::CutShort));
        assert_eq!(
            last(&[0xFF, 0xD8, 0xFF, 0xE5, 0x00, 0x01]),
            Err(Damage::BadLength)
        );
        assert_eq!(walk(b"not a jpeg").count(), 1);
    }

    #[test]
    fn the_first_exif_block_is_the_one_read() {
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend(segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0<x/>"));
        jpeg.extend(segment(0xE1, b"Exif\0\0first"));
        jpeg.extend(segment(0xE1, b"Exif\0\0second"));
        jpeg.extend([0xFF, EOI]);
        assert_eq!(first_exif(&jpeg), Some(&b"first"[..]));
    }
}
