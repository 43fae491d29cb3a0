//! SSIM of a shrunk photo against the reference the benchmarks use: the original decoded at
//! full size (a JPEG as libjpeg shows it), correctly oriented, transparency on white, resized
//! with Lanczos3 to the output's size. `cargo run --release -p pipeline --example ssim -- ORIGINAL OUTPUT` prints e.g. 0.9843.
//!
//! `ssim --bytes-at SSIM ORIGINAL` compares encoders on their rate-distortion curves rather than
//! at one quality setting: the pipeline's display variant at the lowest JPEG quality whose SSIM
//! reaches SSIM (another encoder's score), as `QUALITY BYTES SSIM`. Made natively, so within a
//! few hundred bytes of the WebAssembly worker's output (its resize rounds alike but not exactly).
//!
//! `ssim --variants ORIGINAL...` makes every upload variant of each photo natively and prints
//! `FILE VARIANT WIDTHxHEIGHT BYTES SSIM CHROMA_PSNR` for each: the smaller variants' quality,
//! which the browser benchmark (display only) does not see. SSIM looks at luma only; the chroma
//! PSNR (dB, Cb and Cr together) is where a change in how colour is resized shows.
use std::process::exit;

use image::RgbImage;
use pipeline::{
    UPLOAD_VARIANTS, Variant, VariantSpec, decode, encode, orient, repair, resize, similarity,
};

const USAGE: &str =
    "usage: ssim ORIGINAL OUTPUT | ssim --bytes-at SSIM ORIGINAL | ssim --variants ORIGINAL...";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [flag, target, original] if flag == "--bytes-at" => target
            .parse::<f64>()
            .map_err(|e| format!("SSIM {target}: {e}"))
            .and_then(|t| bytes_at(t, original))
            .map(|(q, bytes, s)| format!("{q} {bytes} {s:.4}")),
        [flag, originals @ ..] if flag == "--variants" && !originals.is_empty() => originals
            .iter()
            .map(|original| variants(original))
            .collect::<Result<Vec<_>, _>>()
            .map(|lines| lines.join("\n")),
        [original, output] => score(original, output).map(|s| format!("{s:.4}")),
        _ => {
            eprintln!("{USAGE}");
            exit(2);
        }
    };
    match result {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("ssim: {e}");
            exit(1);
        }
    }
}

fn read(path: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{path}: {e}"))
}

/// The reference for an output of `size`: the original at full size, upright, resized.
fn reference(original: &[u8], size: (u32, u32)) -> Result<RgbImage, String> {
    let source = decode::decode(original, u32::MAX).map_err(|e| e.to_string())?;
    // A JPEG as libjpeg shows it (fancy upsampling, clamped RGB), not as the pipeline carries
    // it: the reference must not move with the code it judges. A CMYK JPEG's colours are the
    // pipeline's own conversion (jpeg-decoder leaves CMYK to its caller).
    let pixels = if original.starts_with(&[0xFF, 0xD8]) && !is_cmyk(original) {
        let repaired = repair::is_damaged(original)
            .then(|| repair::repair_scan(original))
            .flatten();
        load(repaired.as_deref().unwrap_or(original))?
    } else {
        source.pixels.into_rgb().map_err(|e| e.to_string())?
    };
    let upright = orient::orient(&pixels, source.orientation);
    let resized = resize::resize_to(&upright, size).map_err(|e| e.to_string())?;
    Ok(resized.into_owned())
}

fn score(original: &str, output: &str) -> Result<f64, String> {
    let out = load(&read(output)?).map_err(|e| format!("{output}: {e}"))?;
    let reference = reference(&read(original)?, out.dimensions())?;
    similarity::ssim(&reference, &out).ok_or_else(|| "sizes differ".into())
}

/// Every upload variant of `original`, one line each.
fn variants(original: &str) -> Result<String, String> {
    let input = read(original)?;
    let specs: Vec<VariantSpec> = UPLOAD_VARIANTS.iter().map(|(_, spec)| *spec).collect();
    let made = pipeline::process(&input, &specs).map_err(|e| format!("{original}: {e}"))?;
    let mut lines = Vec::new();
    for ((variant, _), rendition) in UPLOAD_VARIANTS.iter().zip(made) {
        let pixels = load(&rendition.bytes)?;
        let reference = reference(&input, pixels.dimensions())?;
        let s = similarity::ssim(&reference, &pixels).ok_or("sizes differ")?;
        lines.push(format!(
            "{original} {} {}x{} {} {s:.4} {:.2}",
            variant.as_str(),
            rendition.width,
            rendition.height,
            rendition.bytes.len(),
            chroma_psnr(&reference, &pixels)
        ));
    }
    Ok(lines.join("\n"))
}

/// PSNR in dB of the two pictures' Cb and Cr (BT.601, full range), taken together.
fn chroma_psnr(a: &RgbImage, b: &RgbImage) -> f64 {
    let chroma = |p: &image::Rgb<u8>| {
        let [r, g, b] = p.0.map(f64::from);
        (
            -0.168_736 * r - 0.331_264 * g + 0.5 * b,
            0.5 * r - 0.418_688 * g - 0.081_312 * b,
        )
    };
    let squares: f64 = a
        .pixels()
        .zip(b.pixels())
        .map(|(p, q)| {
            let ((pb, pr), (qb, qr)) = (chroma(p), chroma(q));
            (pb - qb).powi(2) + (pr - qr).powi(2)
        })
        .sum();
    let mse = squares / (2.0 * f64::from(a.width()) * f64::from(a.height()));
    // Grey pictures differ only by the float rounding of a zero chroma.
    if mse < 1e-9 {
        return f64::INFINITY;
    }
    10.0 * (255.0 * 255.0 / mse).log10()
}

/// The lowest quality (and its bytes and SSIM) at which the display variant scores `target`.
fn bytes_at(target: f64, original: &str) -> Result<(u8, usize, f64), String> {
    let input = read(original)?;
    let max_side = VariantSpec::of(Variant::Display).max_side;
    let source = decode::decode(&input, max_side).map_err(|e| e.to_string())?;
    let (w, h) = source.full_size;
    let resized = resize::resize_picture(&source.pixels, resize::fitted_size(w, h, max_side))
        .map_err(|e| e.to_string())?;
    let pixels = orient::orient_picture(&resized, source.orientation);
    let reference = reference(&input, pixels.dimensions())?;
    let at = |quality: u8| -> Result<(usize, f64), String> {
        let jpeg = encode::jpeg_picture(&pixels, quality, source.icc.as_deref())
            .map_err(|e| e.to_string())?;
        let decoded = load(&jpeg.bytes)?;
        let s = similarity::ssim(&reference, &decoded).ok_or("sizes differ")?;
        Ok((jpeg.bytes.len(), s))
    };
    // SSIM grows with quality: the lowest quality reaching the target, by bisection.
    let (mut low, mut high) = (1u8, 100u8);
    if at(high)?.1 < target {
        return Err(format!("even quality 100 scores below {target}"));
    }
    while low < high {
        let mid = low + (high - low) / 2;
        if at(mid)?.1 >= target {
            high = mid
        } else {
            low = mid + 1
        }
    }
    let (bytes, s) = at(low)?;
    Ok((low, bytes, s))
}

fn is_cmyk(jpeg: &[u8]) -> bool {
    let mut decoder = jpeg_decoder::Decoder::new(jpeg);
    decoder.read_info().is_ok()
        && decoder
            .info()
            .is_some_and(|i| i.pixel_format == jpeg_decoder::PixelFormat::CMYK32)
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
