//! Whether a JPEG's scans describe one picture, once, at a bounded cost.
//!
//! A JPEG's picture arrives in scans. Each coefficient of each component is sent once in a
//! first pass, then (progressive files only) refined one bit per later scan. Two things a file
//! may do besides are refused for stored variants:
//! - send a coefficient's first pass twice, or refine it out of turn. Decoders disagree on
//!   such a file: ours (jpeg-decoder) keeps the first picture, browsers (libjpeg-turbo) the
//!   last, so a thumbnail could pass the server's check and show shoppers another picture;
//! - carry more than [`MAX_SCANS`] scans. A scan can be a ten-byte header whose data the
//!   decoder pads, and each one visits every block: millions of them are minutes of CPU.

use crate::jpeg_segments::{Damage, Part, walk};

/// Most scans a stored variant may have: our encoder writes 10, and common progressive
/// scripts (libjpeg's, mozjpeg's) stay under 20.
pub const MAX_SCANS: usize = 64;

/// Why a JPEG's scans are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanProblem {
    #[error("it has more than {MAX_SCANS} scans, which no photo needs")]
    TooMany,
    #[error(
        "component {component}'s coefficients {from} to {to} are sent again out of turn, so decoders would show different pictures"
    )]
    OutOfTurn { component: u8, from: u8, to: u8 },
    #[error("its scans cannot be walked ({0})")]
    Damaged(Damage),
    #[error("its {0} is impossible")]
    Impossible(&'static str),
}

const SOF_PROGRESSIVE: u8 = 0xC2;
const SOS: u8 = 0xDA;
#[cfg(test)]
const EOI: u8 = 0xD9;

/// What is known of one component's coefficients: for each of the 64, the lowest bit sent so
/// far (`None` before its first pass).
struct Component {
    id: u8,
    low_bit: [Option<u8>; 64],
}

/// Checks `jpeg`'s scans (see the module's comment); returns how many there are.
pub fn check(jpeg: &[u8]) -> Result<usize, ScanProblem> {
    let mut components: Vec<Component> = Vec::new();
    let mut progressive = false;
    let mut scans = 0;
    for part in walk(jpeg) {
        match part.map_err(ScanProblem::Damaged)? {
            // Start of frame (every kind but DHT 0xC4, JPG 0xC8 and DAC 0xCC): the components.
            Part::Segment {
                marker: marker @ 0xC0..=0xCF,
                payload,
                ..
            } if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                progressive = marker == SOF_PROGRESSIVE;
                components = frame_components(payload)?;
            }
            Part::Segment {
                marker: SOS,
                payload,
                ..
            } => {
                scans += 1;
                if scans > MAX_SCANS {
                    return Err(ScanProblem::TooMany);
                }
                record_scan(payload, progressive, &mut components)?;
            }
            Part::Segment { .. } | Part::Standalone { .. } => {}
            Part::End { .. } => return Ok(scans),
        }
    }
    Err(ScanProblem::Damaged(Damage::CutShort))
}

fn frame_components(payload: &[u8]) -> Result<Vec<Component>, ScanProblem> {
    let count = usize::from(
        *payload
            .get(5)
            .ok_or(ScanProblem::Impossible("frame header"))?,
    );
    let ids = payload
        .get(6..6 + 3 * count)
        .ok_or(ScanProblem::Impossible("frame header"))?;
    Ok(ids
        .chunks_exact(3)
        .map(|c| Component {
            id: c[0],
            low_bit: [None; 64],
        })
        .collect())
}

/// Records one scan's coefficients, refusing any sent out of turn.
fn record_scan(
    payload: &[u8],
    progressive: bool,
    components: &mut [Component],
) -> Result<(), ScanProblem> {
    let count = usize::from(
        *payload
            .first()
            .ok_or(ScanProblem::Impossible("scan header"))?,
    );
    let ids = payload
        .get(1..1 + 2 * count)
        .ok_or(ScanProblem::Impossible("scan header"))?;
    let tail = payload
        .get(1 + 2 * count..1 + 2 * count + 3)
        .ok_or(ScanProblem::Impossible("scan header"))?;
    // Sequential files send every coefficient in full (the header's values mean nothing).
    let (from, to, high, low) = if progressive {
        (tail[0], tail[1], tail[2] >> 4, tail[2] & 0x0F)
    } else {
        (0, 63, 0, 0)
    };
    if from > to || to > 63 {
        return Err(ScanProblem::Impossible("coefficient range"));
    }
    for id in ids.chunks_exact(2).map(|c| c[0]) {
        let component =
            components
                .iter_mut()
                .find(|c| c.id == id)
                .ok_or(ScanProblem::Impossible(
                    "scan's component (the frame has no such one)",
                ))?;
        let out_of_turn = ScanProblem::OutOfTurn {
            component: id,
            from,
            to,
        };
        for bit in &mut component.low_bit[usize::from(from)..=usize::from(to)] {
            // A first pass finds nothing sent; a refinement sends the bit just below the last.
            let in_turn = match *bit {
                None => high == 0,
                Some(last) => high != 0 && high == last && low + 1 == high,
            };
            if !in_turn {
                return Err(out_of_turn);
            }
            *bit = Some(low);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo() -> image::RgbImage {
        image::RgbImage::from_fn(96, 64, |x, y| {
            image::Rgb([(x * 2) as u8, (y * 3) as u8, 90])
        })
    }

    /// The header and tables of `jpeg` (up to its first scan), and its scans (up to its end).
    fn split(jpeg: &[u8]) -> (&[u8], &[u8]) {
        let first_scan = jpeg.windows(2).position(|w| w == [0xFF, SOS]).unwrap();
        (&jpeg[..first_scan], &jpeg[first_scan..jpeg.len() - 2])
    }

    #[test]
    fn our_encoders_files_pass_and_count_their_scans() {
        let jpeg = crate::encode::jpeg(&photo(), 85, None).unwrap().bytes;
        assert_eq!(check(&jpeg), Ok(10));
    }

    /// A second picture's scans after the first's: jpeg-decoder shows the first, browsers the
    /// second.
    #[test]
    fn a_second_pictures_scans_are_refused() {
        let honest = crate::encode::jpeg(&photo(), 85, None).unwrap().bytes;
        let mut other_picture = photo();
        other_picture.pixels_mut().for_each(|p| p.0.swap(0, 2));
        let other = crate::encode::jpeg(&other_picture, 85, None).unwrap().bytes;
        let (head, scans) = split(&honest);
        let (_, other_scans) = split(&other);
        let two = [head, scans, other_scans, &[0xFF, EOI][..]].concat();
        assert!(
            matches!(check(&two), Err(ScanProblem::OutOfTurn { .. })),
            "{:?}",
            check(&two)
        );
        // Sequential files too: one component in two scans.
        let mut sequential = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut sequential)
            .encode_image(&photo())
            .unwrap();
        assert_eq!(check(&sequential), Ok(1));
        let (head, scan) = split(&sequential);
        let twice = [head, scan, scan, &[0xFF, EOI][..]].concat();
        assert!(matches!(check(&twice), Err(ScanProblem::OutOfTurn { .. })));
    }

    #[test]
    fn scans_past_the_limit_are_refused() {
        let honest = crate::encode::jpeg(&photo(), 85, None).unwrap().bytes;
        let (head, scans) = split(&honest);
        // The last scan (luma's last refinement) repeated: out of turn before it is too many.
        let last = scans.windows(2).rposition(|w| w == [0xFF, SOS]).unwrap();
        let many = [
            head,
            scans,
            &scans[last..].repeat(MAX_SCANS),
            &[0xFF, EOI][..],
        ]
        .concat();
        assert!(matches!(check(&many), Err(ScanProblem::OutOfTurn { .. })));
        // Each coefficient of two components in its own first pass: every scan in turn, and far
        // more of them than a photo needs (each empty scan still visits every block).
        let mut bomb = head.to_vec();
        for component in [1, 2] {
            for k in 1..=63 {
                bomb.extend([0xFF, SOS, 0, 8, 1, component, 0, k, k, 0]);
            }
        }
        bomb.extend([0xFF, EOI]);
        assert_eq!(check(&bomb), Err(ScanProblem::TooMany));
    }

    #[test]
    fn damage_is_reported_not_panicked_on() {
        let honest = crate::encode::jpeg(&photo(), 85, None).unwrap().bytes;
        for cut in [0, 1, 2, 3, 10, honest.len() / 2] {
            assert!(check(&honest[..cut]).is_err(), "cut at {cut}");
        }
        assert!(check(&[0xFF, 0xD8, 0xFF, 0xC2, 0, 1, 0xFF, EOI]).is_err());
    }
}
