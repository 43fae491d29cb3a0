//! SSIM of a shrunk photo against the reference the benchmarks use: the original decoded at
//! full size, correctly oriented, transparency on white, resized with Lanczos3 to the output's
//! size. `cargo run --release -p pipeline --example ssim -- ORIGINAL OUTPUT` prints e.g. 0.9843.
use std::process::exit;

use pipeline::{decode, orient, resize, similarity};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(original), Some(output)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: ssim ORIGINAL OUTPUT");
        exit(2);
    };
    match score(original, output) {
        Ok(s) => println!("{s:.4}"),
        Err(e) => {
            eprintln!("ssim: {e}");
            exit(1);
        }
    }
}

fn score(original: &str, output: &str) -> Result<f64, String> {
    let read = |path: &str| std::fs::read(path).map_err(|e| format!("{path}: {e}"));
    let source = decode::decode(&read(original)?, u32::MAX).map_err(|e| e.to_string())?;
    let upright = orient::orient(&source.pixels, source.orientation);
    let out = load(&read(output)?).map_err(|e| format!("{output}: {e}"))?;
    let reference = resize::resize_to(&upright, out.dimensions()).map_err(|e| e.to_string())?;
    similarity::ssim(&reference, &out).ok_or_else(|| "sizes differ".into())
}

/// JPEGs through jpeg-decoder, which reads like libjpeg: zune-jpeg (the `image` crate's)
/// misreads the one-scan-per-component files optimised Huffman tables produce.
fn load(bytes: &[u8]) -> Result<image::RgbImage, String> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return image::load_from_memory(bytes)
            .map(|i| i.to_rgb8())
            .map_err(|e| e.to_string());
    }
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    let pixels = decoder.decode().map_err(|e| e.to_string())?;
    let info = decoder.info().ok_or("no JPEG header")?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    let rgb = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => pixels,
        jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|&l| [l, l, l]).collect(),
        other => return Err(format!("unexpected pixel format {other:?}")),
    };
    image::RgbImage::from_raw(w, h, rgb).ok_or_else(|| "wrong pixel count".into())
}
