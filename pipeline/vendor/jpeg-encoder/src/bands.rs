//! Vitrine: progressive JPEG by spectral selection, as libjpeg writes it.
//!
//! The published crate's progressive mode splits every component's coefficients into equal
//! bands under the one Huffman table of the whole picture, and ends each block of each band
//! with its own end-of-block code: its files are larger than baseline ones. Here each scan is
//! one band of one component with a Huffman table made for that scan alone, and a run of
//! blocks with nothing left in the band costs one end-of-band-run code (ITU T.81, G.1.2.2).
//! The coefficients are the baseline encoder's, so the decoded pixels are the same; only the
//! entropy coding differs. Successive approximation (Ah, Al) is not written.

use alloc::string::String;
use alloc::vec::Vec;

use crate::EncodingError;
use crate::encoder::{AlignedBlock, Component};
use crate::huffman::{CodingClass, HuffmanTable};
use crate::writer::{AcRuns, JfifWrite, JfifWriter, get_code, nonzero_mask};

/// One scan of a progressive JPEG: the zig-zag coefficients `first..=last` of one component.
/// A DC scan is `first == last == 0`; an AC scan lies within `1..=63`.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub struct BandScan {
    /// The component's index in the frame (0 is luma, 1 Cb, 2 Cr for YCbCr).
    pub component: u8,
    /// The first zig-zag coefficient of the band.
    pub first: u8,
    /// The last zig-zag coefficient of the band.
    pub last: u8,
}

/// The longest end-of-band run one code can carry (14 extra bits).
const MAX_EOB_RUN: u16 = 0x7FFF;

/// Checks that `scans` is a script a decoder can follow: each component's DC first, its 64
/// coefficients each sent exactly once.
pub(crate) fn check(scans: &[BandScan], components: usize) -> Result<(), EncodingError> {
    let refuse = |why: String| Err(EncodingError::InvalidBandScans(why));
    let mut sent = [0u64; 4];
    for scan in scans {
        let c = usize::from(scan.component);
        let (first, last) = (scan.first, scan.last);
        if c >= components {
            return refuse(alloc::format!("scan of component {c}: the picture has {components}"));
        }
        if first > last || last > 63 || (first == 0 && last != 0) {
            return refuse(alloc::format!("scan {first}..={last}: not a DC scan or an AC band"));
        }
        if first > 0 && sent[c] & 1 == 0 {
            return refuse(alloc::format!("component {c}'s AC scan comes before its DC scan"));
        }
        let band = (u64::MAX >> (63 - last)) & (u64::MAX << first);
        if sent[c] & band != 0 {
            return refuse(alloc::format!("component {c}'s coefficients {first}..={last} are sent twice"));
        }
        sent[c] |= band;
    }
    match sent[..components].iter().position(|&s| s != u64::MAX) {
        Some(c) => refuse(alloc::format!("component {c}'s coefficients are not all sent")),
        None => Ok(()),
    }
}

/// Writes every scan of `scans`, each after its own Huffman table, for `blocks` (each
/// component's quantised zig-zag blocks, as the sequential encoder makes them).
pub(crate) fn write_scans<W: JfifWrite>(
    writer: &mut JfifWriter<W>,
    components: &[Component],
    blocks: &[Vec<AlignedBlock>; 4],
    scans: &[BandScan],
) -> Result<(), EncodingError> {
    // Which coefficients are nonzero, found once per block for all of its scans.
    let masks: Vec<Vec<u64>> = blocks[..components.len()]
        .iter()
        .map(|blocks| blocks.iter().map(|b| nonzero_mask(&b.data)).collect())
        .collect();
    for scan in scans {
        let c = usize::from(scan.component);
        let component = &components[c];
        let (blocks, masks) = (&blocks[c], &masks[c]);
        let mut freq = [0u32; 257];
        // One code is reserved so no code is all ones (libjpeg's rule, as `new_optimized` expects).
        freq[256] = 1;
        if scan.first == 0 {
            code_dc(blocks, &mut Counter(&mut freq))?;
            let table = HuffmanTable::new_optimized(freq);
            writer.write_huffman_segment(CodingClass::Dc, component.dc_huffman_table, &table)?;
            writer.write_scan_header(&[component], Some((0, 0)))?;
            code_dc(blocks, &mut Coder { writer, table: &table })?;
        } else {
            let band = (usize::from(scan.first), usize::from(scan.last) + 1);
            code_band(blocks, masks, band, &mut Counter(&mut freq))?;
            let table = HuffmanTable::new_optimized(freq);
            writer.write_huffman_segment(CodingClass::Ac, component.ac_huffman_table, &table)?;
            writer.write_scan_header(&[component], Some((scan.first, scan.last)))?;
            code_band(blocks, masks, band, &mut Coder { writer, table: &table })?;
        }
        writer.finalize_bit_buffer()?;
    }
    Ok(())
}

/// Where a scan's symbols go: counted for its Huffman table, then written with it. Both passes
/// run the same code below, so the table has a code for every symbol written.
trait Symbols {
    /// A symbol followed by the low `len` bits of `bits`.
    fn put(&mut self, symbol: u8, bits: u16, len: u8) -> Result<(), EncodingError>;
}

struct Counter<'a>(&'a mut [u32; 257]);

impl Symbols for Counter<'_> {
    #[inline]
    fn put(&mut self, symbol: u8, _: u16, _: u8) -> Result<(), EncodingError> {
        self.0[usize::from(symbol)] += 1;
        Ok(())
    }
}

struct Coder<'a, W: JfifWrite> {
    writer: &'a mut JfifWriter<W>,
    table: &'a HuffmanTable,
}

impl<W: JfifWrite> Symbols for Coder<'_, W> {
    #[inline]
    fn put(&mut self, symbol: u8, bits: u16, len: u8) -> Result<(), EncodingError> {
        self.writer.huffman_encode_value(len, symbol, bits, self.table)
    }
}

/// A DC scan: each block's DC as its difference from the block before (F.1.2.1).
fn code_dc(blocks: &[AlignedBlock], out: &mut impl Symbols) -> Result<(), EncodingError> {
    let mut previous = 0i16;
    for block in blocks {
        let (len, bits) = get_code(block.data[0].wrapping_sub(previous));
        out.put(len, bits, len)?;
        previous = block.data[0];
    }
    Ok(())
}

/// An AC band `start..end` of every block (G.1.2.2): runs of zeros and values as in a baseline
/// block, except that a block whose band ends in zeros adds one to the end-of-band run, sent
/// before the next value or at the end of the scan.
fn code_band(
    blocks: &[AlignedBlock],
    masks: &[u64],
    (start, end): (usize, usize),
    out: &mut impl Symbols,
) -> Result<(), EncodingError> {
    let mut eob_run = 0u16;
    for (block, &mask) in blocks.iter().zip(masks) {
        let mut runs = AcRuns::with_mask(&block.data, mask, start, end);
        for (mut zeros, value) in &mut runs {
            end_of_bands(&mut eob_run, out)?;
            while zeros > 15 {
                out.put(0xF0, 0, 0)?;
                zeros -= 16;
            }
            let (len, bits) = get_code(value);
            out.put((zeros << 4) | len, bits, len)?;
        }
        if runs.ends_in_zeros() {
            eob_run += 1;
            if eob_run == MAX_EOB_RUN {
                end_of_bands(&mut eob_run, out)?;
            }
        }
    }
    end_of_bands(&mut eob_run, out)
}

/// Sends a pending end-of-band run: EOBn (n = its bit length less one), then its low n bits.
#[inline]
fn end_of_bands(eob_run: &mut u16, out: &mut impl Symbols) -> Result<(), EncodingError> {
    if *eob_run > 0 {
        let n = (15 - eob_run.leading_zeros()) as u8;
        out.put(n << 4, *eob_run & ((1 << n) - 1), n)?;
        *eob_run = 0;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(component: u8, first: u8, last: u8) -> BandScan {
        BandScan { component, first, last }
    }

    #[test]
    fn a_script_must_send_every_coefficient_once_dc_first() {
        let full = [scan(0, 0, 0), scan(0, 1, 5), scan(0, 6, 63)];
        assert!(check(&full, 1).is_ok());
        for bad in [
            &[scan(0, 1, 63), scan(0, 0, 0)][..],
            &[scan(0, 0, 0), scan(0, 1, 5)],
            &[scan(0, 0, 0), scan(0, 1, 5), scan(0, 5, 63)],
            &[scan(0, 0, 63)],
            &[scan(0, 0, 0), scan(0, 9, 8), scan(0, 1, 63)],
            &[scan(0, 0, 0), scan(0, 1, 64)],
            &[scan(0, 0, 0), scan(0, 1, 63), scan(1, 0, 0)],
        ] {
            assert!(check(bad, 1).is_err(), "{bad:?}");
        }
    }

    /// Symbols with their extra bits, as a decoder would read them back.
    struct Log(Vec<(u8, u16, u8)>);

    impl Symbols for Log {
        fn put(&mut self, symbol: u8, bits: u16, len: u8) -> Result<(), EncodingError> {
            self.0.push((symbol, bits, len));
            Ok(())
        }
    }

    fn block(values: &[(usize, i16)]) -> AlignedBlock {
        let mut data = [0i16; 64];
        for &(k, v) in values {
            data[k] = v;
        }
        AlignedBlock::new(data)
    }

    fn band(blocks: &[AlignedBlock], start: usize, end: usize) -> Vec<(u8, u16, u8)> {
        let masks: Vec<u64> = blocks.iter().map(|b| nonzero_mask(&b.data)).collect();
        let mut log = Log(Vec::new());
        code_band(blocks, &masks, (start, end), &mut log).expect("counted");
        log.0
    }

    #[test]
    fn empty_bands_in_a_row_are_one_run() {
        // Three empty blocks, a value (3 at coefficient 18: 17 zeros before it in 1..), then
        // five blocks ending in zeros, the last of the scan.
        let mut blocks = alloc::vec![block(&[]); 3];
        blocks.push(block(&[(18, 3)]));
        blocks.extend([block(&[(0, 7)]); 4]);
        assert_eq!(
            band(&blocks, 1, 64),
            [
                (0x10, 1, 1),        // EOB1: a run of 3 = 0b11, its low bit 1
                (0xF0, 0, 0),        // sixteen zeros
                (0x12, 3, 2),        // one more zero, then 3 in two bits
                (0x20, 1, 2),        // EOB2: a run of 5 (this block's tail and four more)
            ]
        );
    }

    #[test]
    fn the_longest_run_is_sent_before_it_overflows() {
        let blocks = alloc::vec![block(&[]); usize::from(MAX_EOB_RUN) + 2];
        assert_eq!(band(&blocks, 6, 64), [(0xE0, 0x3FFF, 14), (0x10, 0, 1)]);
    }

    #[test]
    fn dc_is_sent_as_differences() {
        let blocks = [block(&[(0, 5)]), block(&[(0, 5)]), block(&[(0, -2)])];
        let mut log = Log(Vec::new());
        code_dc(&blocks, &mut log).expect("counted");
        // 5 (three bits), 0 (no bits), -7 (three bits, one's complement 0b000).
        assert_eq!(log.0, [(3, 5, 3), (0, 0, 0), (3, 0, 3)]);
    }
}
