//! Vitrine: PNGs whose every row is Paeth-filtered, written here with the PNG specification's
//! predictor (not the crate's), must decode to the pixels they were made from. Run natively and
//! as WebAssembly with SIMD by Vitrine's `scripts/test-vendored.sh`: there `simd128::unfilter`
//! decodes the 3- and 4-byte pixels, so a wrong lane or predictor in it fails this test.

use std::io::Cursor;

/// The predictor as the PNG specification writes it (section 9.4): the neighbour nearest to
/// `a + b - c`, ties going to `a`, then `b`.
fn paeth(a: u8, b: u8, c: u8) -> (u8, Branch) {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        (a, Branch::A)
    } else if pb <= pc {
        (b, Branch::B)
    } else {
        (c, Branch::C)
    }
}

#[derive(Clone, Copy)]
enum Branch {
    A,
    B,
    C,
}

/// Deterministic bytes (a 32-bit LCG's high byte), so a failure reproduces.
struct Noise(u32);

impl Noise {
    fn byte(&mut self) -> u8 {
        self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (self.0 >> 24) as u8
    }
}

/// Rows that take every branch of the predictor: noise, gradients, flat runs and rows that
/// repeat the one above with small changes.
fn pixels(width: usize, height: usize, bpp: usize, seed: u32) -> Vec<u8> {
    let mut noise = Noise(seed);
    let stride = width * bpp;
    let mut out = vec![0u8; stride * height];
    for y in 0..height {
        for i in 0..stride {
            let x = i / bpp;
            out[y * stride + i] = match (x / 5 + y) % 4 {
                0 => noise.byte(),
                1 => (x * 7 + y * 3 + i % bpp * 50) as u8,
                2 => 200,
                _ if y > 0 => out[(y - 1) * stride + i].wrapping_add(noise.byte() % 5),
                _ => noise.byte(),
            };
        }
    }
    out
}

/// The filtered scanlines (each led by filter type 4) and how often each branch was taken.
fn paeth_filtered(raw: &[u8], stride: usize, bpp: usize) -> (Vec<u8>, [usize; 3]) {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / stride);
    let mut taken = [0; 3];
    for (y, row) in raw.chunks(stride).enumerate() {
        out.push(4);
        for i in 0..stride {
            let a = if i >= bpp { row[i - bpp] } else { 0 };
            let b = if y > 0 { raw[(y - 1) * stride + i] } else { 0 };
            let c = if y > 0 && i >= bpp {
                raw[(y - 1) * stride + i - bpp]
            } else {
                0
            };
            let (predicted, branch) = paeth(a, b, c);
            taken[branch as usize] += 1;
            out.push(row[i].wrapping_sub(predicted));
        }
    }
    (out, taken)
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = png.len();
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let crc = crc32fast::hash(&png[start..]);
    png.extend_from_slice(&crc.to_be_bytes());
}

fn encode(width: u32, height: u32, colour: u8, depth: u8, scanlines: &[u8]) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[depth, colour, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &header);
    let compressed = miniz_oxide::deflate::compress_to_vec_zlib(scanlines, 6);
    chunk(&mut png, b"IDAT", &compressed);
    chunk(&mut png, b"IEND", &[]);
    png
}

#[test]
fn paeth_rows_decode_to_their_pixels() {
    // (colour type, bit depth, bytes a pixel): grey, grey+alpha, RGB, RGBA, in 8 and 16 bits.
    let formats = [(0, 8, 1), (4, 8, 2), (2, 8, 3), (6, 8, 4), (2, 16, 6), (6, 16, 8)];
    let mut taken = [0; 3];
    for (colour, depth, bpp) in formats {
        for (width, height) in [(1, 3), (2, 2), (7, 5), (333, 41)] {
            let seed = width as u32 * 131 + bpp as u32;
            let raw = pixels(width, height, bpp, seed);
            let (scanlines, branches) = paeth_filtered(&raw, width * bpp, bpp);
            for (total, n) in taken.iter_mut().zip(branches) {
                *total += n;
            }
            let png = encode(width as u32, height as u32, colour, depth, &scanlines);

            let mut reader = png::Decoder::new(Cursor::new(png))
                .read_info()
                .expect("a valid header");
            let mut decoded = vec![0; reader.output_buffer_size().expect("a small image")];
            reader.next_frame(&mut decoded).expect("a valid image");
            let case = format!("colour {colour}, {depth} bits, {width}x{height}");
            assert_eq!(decoded.len(), raw.len(), "{case}: size");
            if let Some(at) = decoded.iter().zip(&raw).position(|(d, r)| d != r) {
                panic!(
                    "{case}: byte {at} (row {}) decoded {} instead of {}",
                    at / (width * bpp),
                    decoded[at],
                    raw[at]
                );
            }
        }
    }
    // The rows above must have exercised all three neighbours, or the test proves little.
    assert!(taken.iter().all(|&n| n > 1000), "branches taken: {taken:?}");
}
