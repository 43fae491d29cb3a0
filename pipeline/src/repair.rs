//! Reading past damaged scans the way libjpeg (and so every browser) does, for JPEGs with
//! restart markers: bytes that cannot be entropy-coded data (a run of 0xFF from a bad flash
//! sector, a stray marker) are dropped up to the next restart marker, the restart markers that
//! follow are renumbered in sequence (libjpeg's resync takes the next one as the expected one),
//! and intervals missing at the end are added empty. The damaged stripe comes out blank or
//! shifted, as in a browser, instead of the whole rest of the photo turning grey.

const SOS: u8 = 0xDA;
const EOI: u8 = 0xD9;
const DRI: u8 = 0xDD;

/// A repaired copy, or `None` when there is nothing this can repair (no restart markers,
/// progressive or multi-scan files, a damaged header).
pub fn repair_scan(jpeg: &[u8]) -> Option<Vec<u8>> {
    let header = Header::read(jpeg)?;
    let intervals = header.mcus.div_ceil(header.restart_interval);
    let mut out = jpeg[..header.scan_start].to_vec();
    let mut next_rst = 0u8;
    let mut written_intervals = 1usize;
    let mut i = header.scan_start;
    while i < jpeg.len() {
        // Copy up to the next 0xFF in one go: only there can anything be wrong.
        let Some(offset) = jpeg[i..].iter().position(|&b| b == 0xFF) else {
            out.extend_from_slice(&jpeg[i..]);
            break;
        };
        out.extend_from_slice(&jpeg[i..i + offset]);
        i += offset;
        let mut j = i + 1;
        while jpeg.get(j) == Some(&0xFF) {
            j += 1;
        }
        match jpeg.get(j) {
            Some(0x00) if j == i + 1 => {
                out.extend_from_slice(&[0xFF, 0x00]);
                i = j + 1;
            }
            Some(0xD0..=0xD7) if written_intervals < intervals => {
                out.extend_from_slice(&[0xFF, 0xD0 + next_rst]);
                next_rst = (next_rst + 1) % 8;
                written_intervals += 1;
                i = j + 1;
            }
            Some(&EOI) => break,
            // Damage: skip to the next restart or end-of-image marker.
            _ => i = next_marker(jpeg, j).unwrap_or(jpeg.len()),
        }
    }
    while written_intervals < intervals {
        out.extend_from_slice(&[0xFF, 0xD0 + next_rst]);
        next_rst = (next_rst + 1) % 8;
        written_intervals += 1;
    }
    out.extend_from_slice(&[0xFF, EOI]);
    Some(out)
}

/// Whether the scan of a JPEG with restart markers holds what no encoder writes: a stray
/// marker, a run of 0xFF, restart markers out of sequence, or no end. Fast: it only stops at
/// 0xFF bytes.
pub fn is_damaged(jpeg: &[u8]) -> bool {
    let Some(header) = Header::read(jpeg) else {
        return false;
    };
    let (mut i, mut next_rst) = (header.scan_start, 0u8);
    while let Some(offset) = jpeg[i..].iter().position(|&b| b == 0xFF) {
        let at = i + offset;
        match jpeg.get(at + 1) {
            Some(0x00) => {}
            Some(&marker @ 0xD0..=0xD7) if marker == 0xD0 + next_rst => {
                next_rst = (next_rst + 1) % 8;
            }
            Some(&EOI) => return false,
            _ => return true,
        }
        i = at + 2;
    }
    true
}

/// The position of the next `FF Dn` (restart) or `FF D9` at or after `from`.
fn next_marker(jpeg: &[u8], from: usize) -> Option<usize> {
    (from..jpeg.len().saturating_sub(1))
        .find(|&k| jpeg[k] == 0xFF && matches!(jpeg[k + 1], 0xD0..=0xD7 | EOI))
}

struct Header {
    scan_start: usize,
    mcus: usize,
    restart_interval: usize,
}

impl Header {
    /// Walks the segments up to the first scan of a baseline or extended (not progressive)
    /// frame with restart markers.
    fn read(jpeg: &[u8]) -> Option<Header> {
        if jpeg.get(..2) != Some(&[0xFF, 0xD8]) {
            return None;
        }
        let (mut mcus, mut frame_components, mut restart_interval, mut pos) =
            (None, None, 0usize, 2usize);
        loop {
            if *jpeg.get(pos)? != 0xFF {
                return None;
            }
            let marker = *jpeg.get(pos + 1)?;
            let length = usize::from(u16::from_be_bytes([
                *jpeg.get(pos + 2)?,
                *jpeg.get(pos + 3)?,
            ]));
            let payload = jpeg.get(pos + 4..pos + 2 + length)?;
            match marker {
                0xC0 | 0xC1 => {
                    mcus = Some(mcu_count(payload)?);
                    frame_components = payload.get(5).copied();
                }
                0xC2 | 0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => return None,
                DRI => {
                    restart_interval =
                        usize::from(u16::from_be_bytes([*payload.first()?, *payload.get(1)?]))
                }
                SOS => {
                    // Only a single scan holding every component can be walked like this.
                    if restart_interval == 0 || payload.first() != frame_components.as_ref() {
                        return None;
                    }
                    return Some(Header {
                        scan_start: pos + 2 + length,
                        mcus: mcus?,
                        restart_interval,
                    });
                }
                _ => {}
            }
            pos += 2 + length;
        }
    }
}

/// MCUs in an interleaved frame, from the SOF payload: size and sampling factors.
fn mcu_count(sof: &[u8]) -> Option<usize> {
    let height = usize::from(u16::from_be_bytes([*sof.get(1)?, *sof.get(2)?]));
    let width = usize::from(u16::from_be_bytes([*sof.get(3)?, *sof.get(4)?]));
    let components = usize::from(*sof.get(5)?);
    let (mut h_max, mut v_max) = (1usize, 1usize);
    for c in 0..components {
        let sampling = *sof.get(6 + c * 3 + 1)?;
        h_max = h_max.max(usize::from(sampling >> 4));
        v_max = v_max.max(usize::from(sampling & 0x0F));
    }
    Some(width.div_ceil(8 * h_max) * height.div_ceil(8 * v_max))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 64x48 gradient JPEG with a restart marker every 2 MCUs.
    fn with_restarts() -> Vec<u8> {
        let pixels: Vec<u8> = (0..64 * 48)
            .flat_map(|i| [(i % 64 * 4) as u8, (i / 64 * 5) as u8, 90])
            .collect();
        let mut bytes = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut bytes, 90);
        encoder.set_restart_interval(2);
        encoder
            .encode(&pixels, 64, 48, jpeg_encoder::ColorType::Rgb)
            .expect("encodes");
        bytes
    }

    #[test]
    fn a_sound_file_is_left_as_it_is() {
        let jpeg = with_restarts();
        assert!(!is_damaged(&jpeg));
        assert_eq!(repair_scan(&jpeg), Some(jpeg));
    }

    #[test]
    fn a_damaged_stripe_is_skipped_and_the_rest_decodes() {
        let jpeg = with_restarts();
        let scan = Header::read(&jpeg).expect("has restarts").scan_start;
        let mut damaged = jpeg.clone();
        // A bad sector: a run of 0xFF ending in a byte that is no marker, over some markers.
        let end = (scan + 60).min(jpeg.len() - 10);
        damaged[scan + 20..end].fill(0xFF);
        damaged[end] = 0x9F;
        assert!(jpeg_decoder::Decoder::new(&damaged[..]).decode().is_err());
        assert!(is_damaged(&damaged));

        let repaired = repair_scan(&damaged).expect("repairable");
        let mut decoder = jpeg_decoder::Decoder::new(&repaired[..]);
        let pixels = decoder.decode().expect("decodes once repaired");
        assert_eq!(pixels.len(), 64 * 48 * 3);
    }

    #[test]
    fn files_without_restart_markers_are_not_touched() {
        let mut bytes = Vec::new();
        jpeg_encoder::Encoder::new(&mut bytes, 90)
            .encode(&[128; 16 * 16 * 3], 16, 16, jpeg_encoder::ColorType::Rgb)
            .expect("encodes");
        assert_eq!(repair_scan(&bytes), None);
        assert_eq!(repair_scan(b"not a jpeg"), None);
    }
}
