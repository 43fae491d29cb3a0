//! Each stage of the pipeline on the benchmark photos, next to its baseline in the same run:
//! `cargo bench -p pipeline` (the browser comparison is `scripts/bench-browser.sh`).
//!
//! - decode: full size (baseline) vs reduced DCT scale for a 2048 px display variant;
//! - resize: Lanczos3 to 2048 px, fast_image_resize vs `image::imageops` (baseline);
//! - orient: a quarter turn of the display variant, tiled vs `image::imageops` (baseline);
//! - encode: one scan with the standard Huffman tables (baseline) vs the pipeline's progressive
//!   bands, each with its own optimised table; bytes printed;
//! - process: the whole display variant, and all three variants, vs the obvious `image`-crate
//!   route (load, orient, resize, encode: baseline);
//! - same picture (what `complete_upload` adds): the three stored variants checked as one
//!   clean picture, DCT-scaled, vs decoding each at full size first (baseline).

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageReader};
use pipeline::{
    JPEG_QUALITY, UPLOAD_VARIANTS, VariantSpec, decode, encode, orient, process, resize,
};

const PHOTOS: [&str; 4] = [
    "jolla.jpg",
    "corrupt-exif-10mp.jpg",
    "phone-24mp-orient6-gps.jpg",
    "cutout-alpha.png",
];
const DISPLAY: VariantSpec = VariantSpec { max_side: 2048 };

fn photo(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/corpus/photos")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn stages(c: &mut Criterion) {
    for name in PHOTOS {
        let input = photo(name);
        let mut group = c.benchmark_group(name);
        group.sample_size(10);

        group.bench_function("decode/full (baseline)", |b| {
            b.iter(|| decode::decode(black_box(&input), u32::MAX))
        });
        group.bench_function("decode/scaled for 2048", |b| {
            b.iter(|| decode::decode(black_box(&input), DISPLAY.max_side))
        });

        let decoded = decode::decode(&input, DISPLAY.max_side).expect("decodes");
        let (w, h) = decoded.full_size;
        let size = resize::fitted_size(w, h, DISPLAY.max_side);
        let rgb = decoded.pixels.to_rgb().expect("converts");
        group.bench_function("resize/lanczos3 fast_image_resize", |b| {
            b.iter(|| resize::resize_picture(black_box(&decoded.pixels), size))
        });
        group.bench_function("resize/lanczos3 image::imageops (baseline)", |b| {
            b.iter(|| {
                image::imageops::resize(
                    black_box(&*rgb),
                    size.0,
                    size.1,
                    image::imageops::FilterType::Lanczos3,
                )
            })
        });

        let picture = resize::resize_picture(&decoded.pixels, size).expect("resizes");
        let resized = resize::resize_to(&rgb, size).expect("resizes");
        // A quarter turn, as phones store portraits (orientation 6).
        group.bench_function("orient/rotate90 image::imageops (baseline)", |b| {
            b.iter(|| image::imageops::rotate90(black_box(&*resized)))
        });
        group.bench_function("orient/rotate90 tiled", |b| {
            b.iter(|| orient::orient_picture(black_box(&picture), Orientation::Rotate90))
        });
        group.bench_function("encode/standard huffman (baseline)", |b| {
            b.iter(|| standard_jpeg(black_box(&resized)))
        });
        group.bench_function("encode/bands, a Huffman table each", |b| {
            b.iter(|| encode::jpeg_picture(black_box(&picture), JPEG_QUALITY, None))
        });
        let in_bands = encode::jpeg_picture(&picture, JPEG_QUALITY, None).expect("encodes");
        println!(
            "{name}: display {}x{}, {} bytes in bands vs {} standard",
            size.0,
            size.1,
            in_bands.bytes.len(),
            standard_jpeg(&resized).len()
        );

        group.bench_function("process/display (image crate, baseline)", |b| {
            b.iter(|| image_crate_route(black_box(&input)))
        });
        group.bench_function("process/display", |b| {
            b.iter(|| process(black_box(&input), &[DISPLAY]))
        });
        let all = UPLOAD_VARIANTS.map(|(_, spec)| spec);
        group.bench_function(BenchmarkId::new("process", "all three variants"), |b| {
            b.iter(|| process(black_box(&input), &all))
        });

        let stored: Vec<(pipeline::Variant, Vec<u8>)> = UPLOAD_VARIANTS
            .iter()
            .zip(process(&input, &all).expect("processes"))
            .map(|((v, _), r)| (*v, r.bytes))
            .collect();
        let stored: Vec<(pipeline::Variant, &[u8])> =
            stored.iter().map(|(v, b)| (*v, b.as_slice())).collect();
        group.bench_function("same picture/full-size decodes (baseline)", |b| {
            b.iter(|| {
                let decoded: Vec<_> = stored
                    .iter()
                    .map(|(_, bytes)| decode::decode(black_box(bytes), u32::MAX).expect("decodes"))
                    .collect();
                let size = resize::fitted_size(
                    decoded[0].full_size.0,
                    decoded[0].full_size.1,
                    pipeline::same_picture::COMPARE_SIDE,
                );
                let rgb = |d: &decode::Decoded| d.pixels.to_rgb().expect("converts").into_owned();
                let reference = resize::resize_to(&rgb(&decoded[0]), size)
                    .expect("resizes")
                    .into_owned();
                for other in &decoded[1..] {
                    let small = resize::resize_to(&rgb(other), size)
                        .expect("resizes")
                        .into_owned();
                    black_box(pipeline::similarity::ssim(&reference, &small));
                }
            })
        });
        group.bench_function("same picture/check", |b| {
            b.iter(|| pipeline::same_picture::check(black_box(&stored)).expect("one picture"))
        });
        group.finish();
    }
}

fn standard_jpeg(pixels: &image::RgbImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut bytes, JPEG_QUALITY);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
    encoder
        .encode(
            pixels.as_raw(),
            pixels.width() as u16,
            pixels.height() as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .expect("encodes");
    bytes
}

/// What a Rust developer reaches for first: `image` for everything, at full size.
fn image_crate_route(input: &[u8]) -> Vec<u8> {
    let mut decoder = ImageReader::new(std::io::Cursor::new(input))
        .with_guessed_format()
        .expect("reads")
        .into_decoder()
        .expect("decoder");
    let orientation = decoder.orientation().expect("orientation");
    let mut picture = DynamicImage::from_decoder(decoder).expect("decodes");
    picture.apply_orientation(orientation);
    let (w, h) = resize::fitted_size(picture.width(), picture.height(), DISPLAY.max_side);
    let small = picture
        .resize_exact(w, h, image::imageops::FilterType::Lanczos3)
        .to_rgb8();
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY)
        .encode_image(&small)
        .expect("encodes");
    bytes
}

criterion_group!(benches, stages);
criterion_main!(benches);
