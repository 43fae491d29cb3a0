//! The pipeline against the shared corpus of real and awkward photos.

use std::path::PathBuf;

use pipeline::{PipelineError, Rendition, VariantSpec, process};

const DISPLAY: VariantSpec = VariantSpec { max_side: 2048 };

fn corpus(path: &str) -> Vec<u8> {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/corpus")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

fn display(path: &str) -> Rendition {
    process(&corpus(path), &[DISPLAY])
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .remove(0)
}

/// Decodes an output with jpeg-decoder, a port of libjpeg's reading rules (browsers use
/// libjpeg-turbo). zune-jpeg, the `image` crate's decoder, misreads the one-scan-per-component
/// files that optimised Huffman tables produce.
fn decoded(r: &Rendition) -> image::RgbImage {
    let mut decoder = jpeg_decoder::Decoder::new(r.bytes.as_slice());
    let pixels = decoder.decode().expect("outputs decode");
    let info = decoder.info().expect("decoded");
    assert_eq!(
        (u32::from(info.width), u32::from(info.height)),
        (r.width, r.height)
    );
    image::RgbImage::from_raw(r.width, r.height, pixels).expect("RGB output")
}

/// True when the JPEG has an APP1 (EXIF/XMP), APP13 (IPTC) or COM segment before the scan.
fn has_metadata_segments(jpeg: &[u8]) -> bool {
    let mut i = 2;
    while i + 4 <= jpeg.len() && jpeg[i] == 0xFF {
        let marker = jpeg[i + 1];
        if marker == 0xDA {
            return false;
        }
        if matches!(marker, 0xE1 | 0xED | 0xFE) {
            return true;
        }
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        i += 2 + len;
    }
    false
}

#[test]
fn phone_photo_is_rotated_upright_and_shrunk() {
    let out = display("photos/phone-24mp-orient6-gps.jpg");
    assert_eq!(
        (out.width, out.height),
        (2048, 1365),
        "stored 4000x6000 with orientation 6 shows landscape"
    );
    assert_eq!(decoded(&out).dimensions(), (2048, 1365));
    assert!(!has_metadata_segments(&out.bytes));
    assert!(!out.bytes.windows(4).any(|w| w == b"GPS\0" || w == b"Exif"));
}

#[test]
fn every_orientation_comes_out_upright() {
    for n in 0..=8 {
        let landscape = display(&format!("orientation/Landscape_{n}.jpg"));
        assert_eq!(
            (landscape.width, landscape.height),
            (1800, 1200),
            "Landscape_{n}"
        );
        let portrait = display(&format!("orientation/Portrait_{n}.jpg"));
        assert_eq!(
            (portrait.width, portrait.height),
            (1200, 1800),
            "Portrait_{n}"
        );
    }
}

/// A second EXIF block saying "upright" after the camera's "turn a quarter": browsers read the
/// first, so the pipeline must too (reading the last, it left the photo on its side).
#[test]
fn with_two_exif_blocks_the_first_orientation_counts() {
    let original = corpus("orientation/Landscape_6.jpg");
    let upright_exif: &[u8] = &[
        b'E', b'x', b'i', b'f', 0, 0, b'M', b'M', 0, 42, 0, 0, 0, 8, // TIFF header
        0, 1, // one entry: Orientation (0x0112), SHORT, 1 value, = 1
        0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 1, 0, 0, //
        0, 0, 0, 0, // no next IFD
    ];
    // Right after the camera's block, before the frame header, where every reader looks.
    let frame = original.windows(2).position(|w| w == [0xFF, 0xDB]).unwrap();
    let mut two = original[..frame].to_vec();
    two.extend([0xFF, 0xE1]);
    two.extend(((upright_exif.len() + 2) as u16).to_be_bytes());
    two.extend(upright_exif);
    two.extend(&original[frame..]);
    let out = process(&two, &[DISPLAY]).unwrap().remove(0);
    assert_eq!((out.width, out.height), (1800, 1200));
}

#[test]
fn orientations_look_alike() {
    // Every Landscape_N shows the same picture once oriented: compare a coarse grid of luma.
    let grid = |r: &Rendition| {
        let img = image::imageops::thumbnail(&decoded(r), 6, 4);
        img.pixels()
            .map(|p| i32::from(p.0[0]) + i32::from(p.0[1]) + i32::from(p.0[2]))
            .collect::<Vec<_>>()
    };
    let reference = grid(&display("orientation/Landscape_1.jpg"));
    for n in 2..=8 {
        let other = grid(&display(&format!("orientation/Landscape_{n}.jpg")));
        let diff: i32 = reference
            .iter()
            .zip(&other)
            .map(|(a, b)| (a - b).abs())
            .max()
            .unwrap();
        assert!(
            diff < 60,
            "Landscape_{n} differs from Landscape_1 by {diff}"
        );
    }
}

/// Cameras' and editors' JPEGs, whole.
const CAMERA_JPEGS: [&str; 8] = [
    "photos/jolla.jpg",
    "photos/canon_hdr_NO.jpg",
    "photos/DSCN0010.jpg",
    "photos/Reconyx_HC500_Hyperfire.jpg",
    "photos/odd-exif.jpg",
    "photos/progressive.jpg",
    "photos/cmyk.jpg",
    "photos/phone-24mp-orient6-gps.jpg",
];

#[test]
fn accepted_photos_all_process() {
    let others = [
        "photos/corrupt-exif-10mp.jpg",
        "photos/cutout-alpha.png",
        "photos/gray16.png",
        "photos/BSG1.tiff",
    ];
    for path in CAMERA_JPEGS.into_iter().chain(others) {
        let out = display(path);
        assert!(out.width.max(out.height) <= 2048, "{path}");
        assert!(!has_metadata_segments(&out.bytes), "{path} kept metadata");
    }
}

#[test]
fn gps_never_survives() {
    for path in [
        "photos/DSCN0010.jpg",
        "photos/canon_hdr_NO.jpg",
        "photos/phone-24mp-orient6-gps.jpg",
    ] {
        let input = corpus(path);
        assert!(
            input.windows(4).any(|w| w == b"Exif"),
            "{path} should start with EXIF"
        );
        let out = display(path);
        assert!(!out.bytes.windows(4).any(|w| w == b"Exif"), "{path}");
    }
}

#[test]
fn transparency_is_flattened_onto_white_not_black() {
    let out = display("photos/cutout-alpha.png");
    let img = decoded(&out);
    // The cut-out's corners are transparent in the source.
    let corner = img.get_pixel(0, 0).0;
    assert!(corner.iter().all(|&c| c > 240), "corner is {corner:?}");
}

#[test]
fn variants_come_from_one_call_in_order() {
    let specs = [
        DISPLAY,
        VariantSpec { max_side: 1024 },
        VariantSpec { max_side: 400 },
    ];
    let out = process(&corpus("photos/jolla.jpg"), &specs).unwrap();
    let sides: Vec<u32> = out.iter().map(|r| r.width.max(r.height)).collect();
    assert_eq!(sides, vec![2048, 1024, 400]);
}

#[test]
fn bad_files_are_refused_with_the_right_reason() {
    assert_eq!(
        process(&corpus("bad/zero-bytes.jpg"), &[DISPLAY]),
        Err(PipelineError::Empty)
    );
    assert_eq!(
        process(&corpus("bad/not-an-image.jpg"), &[DISPLAY]),
        Err(PipelineError::NotAnImage)
    );
    assert_eq!(
        process(&corpus("bad/script.svg"), &[DISPLAY]),
        Err(PipelineError::Svg)
    );
    assert_eq!(
        process(&corpus("bad/bomb-30000x30000.png"), &[DISPLAY]),
        Err(PipelineError::TooLarge {
            width: 30_000,
            height: 30_000
        })
    );
    assert!(matches!(
        process(&corpus("bad/half.jpg"), &[DISPLAY]),
        Err(PipelineError::Corrupt(_))
    ));
    // Without the `heif` feature (the usual worker module, the server), HEIF is refused with
    // advice; the worker's HEIC module decodes it (tests/heif.rs).
    #[cfg(not(feature = "heif"))]
    assert_eq!(
        process(&corpus("photos/samplefilehub.heif"), &[DISPLAY]),
        Err(PipelineError::Heif)
    );
}

#[test]
fn small_upright_jpeg_passes_through_losslessly() {
    // 2048x1536 with no orientation: the display variant needs no change, so its compressed
    // picture is copied as is and only the metadata goes.
    let input = corpus("photos/Reconyx_HC500_Hyperfire.jpg");
    let out = display("photos/Reconyx_HC500_Hyperfire.jpg");
    assert_eq!(
        Some(out.bytes.clone()),
        pipeline::strip::strip_metadata(&input)
    );
    assert!(out.bytes.len() < input.len());
    assert!(!has_metadata_segments(&out.bytes));
    let original = jpeg_decoder::Decoder::new(input.as_slice())
        .decode()
        .unwrap();
    assert_eq!(decoded(&out).into_raw(), original, "pixels unchanged");
}

/// A copy of `jpeg` with an APP2 ICC profile whose header names `space` ("RGB " or "CMYK").
fn with_icc_profile(jpeg: &[u8], space: &[u8; 4]) -> (Vec<u8>, Vec<u8>) {
    let mut profile = vec![0u8; 200];
    profile[..4].copy_from_slice(&200u32.to_be_bytes());
    profile[12..16].copy_from_slice(b"mntr");
    profile[16..20].copy_from_slice(space);
    profile[36..40].copy_from_slice(b"acsp");
    for (i, b) in profile.iter_mut().enumerate().skip(128) {
        *b = i as u8;
    }
    let mut payload = b"ICC_PROFILE\0\x01\x01".to_vec();
    payload.extend_from_slice(&profile);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE2]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&jpeg[2..]);
    (out, profile)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn colour_profile_is_kept_so_colours_do_not_shift() {
    let (input, profile) = with_icc_profile(&corpus("orientation/Landscape_6.jpg"), b"RGB ");
    let specs = pipeline::UPLOAD_VARIANTS.map(|(_, spec)| spec);
    for out in process(&input, &specs).unwrap() {
        assert!(
            contains(&out.bytes, b"ICC_PROFILE\0"),
            "{}px lost its profile",
            out.width
        );
        assert!(
            contains(&out.bytes, &profile),
            "{}px changed the profile",
            out.width
        );
        assert!(!contains(&out.bytes, b"Exif"));
    }
    // Kept by the lossless pass-through too (Landscape_1 needs no rotation or resize).
    let (input, profile) = with_icc_profile(&corpus("orientation/Landscape_1.jpg"), b"RGB ");
    let out = process(&input, &[DISPLAY]).unwrap().remove(0);
    assert!(contains(&out.bytes, &profile));
}

#[test]
fn a_cmyk_profile_is_not_attached_to_rgb_pixels() {
    let (input, _) = with_icc_profile(&corpus("orientation/Landscape_6.jpg"), b"CMYK");
    let out = process(&input, &[DISPLAY]).unwrap().remove(0);
    assert!(!contains(&out.bytes, b"ICC_PROFILE"));
}

fn mean_rgb(image: &image::RgbImage) -> [f64; 3] {
    let mut sum = [0f64; 3];
    for p in image.pixels() {
        for (total, channel) in sum.iter_mut().zip(p.0) {
            *total += f64::from(channel);
        }
    }
    sum.map(|s| s / f64::from(image.width() * image.height()))
}

#[test]
fn cmyk_comes_out_in_the_right_colours() {
    // cmyk.jpg was made from the trail-camera photo: both must look the same.
    let from_cmyk = decoded(&display("photos/cmyk.jpg"));
    let from_rgb = decoded(&display("photos/Reconyx_HC500_Hyperfire.jpg"));
    let ssim = pipeline::similarity::ssim(&from_rgb, &from_cmyk).unwrap();
    assert!(ssim > 0.95, "SSIM {ssim}");
    let (a, b) = (mean_rgb(&from_cmyk), mean_rgb(&from_rgb));
    for c in 0..3 {
        assert!((a[c] - b[c]).abs() < 8.0, "channel {c}: {a:?} vs {b:?}");
    }
}

#[test]
fn sixteen_bit_grey_comes_out_grey_with_its_tones() {
    let out = decoded(&display("photos/gray16.png"));
    let lumas: Vec<u8> = out.pixels().map(|p| p.0[1]).collect();
    for p in out.pixels() {
        let [r, g, b] = p.0.map(i16::from);
        assert!(
            (r - g).abs() <= 2 && (b - g).abs() <= 2,
            "not grey: {:?}",
            p.0
        );
    }
    let (min, max) = (lumas.iter().min().unwrap(), lumas.iter().max().unwrap());
    assert!(max - min > 100, "tones lost: {min}..{max}");
}

#[test]
fn damaged_exif_with_good_pixels_is_accepted_and_read_past_its_bad_sector() {
    assert!(pipeline::repair::is_damaged(&corpus(
        "photos/corrupt-exif-10mp.jpg"
    )));
    let out = display("photos/corrupt-exif-10mp.jpg");
    assert_eq!((out.width, out.height), (2048, 1536));
    assert!(!contains(&out.bytes, b"Exif"));
    // A run of 16 KB of 0xFF sits a tenth of the way into its scan. Browsers read past it;
    // so must we, instead of turning the rest of the photo grey.
    let img = decoded(&out);
    let bottom = image::imageops::crop_imm(&img, 0, 1200, 2048, 300).to_image();
    let lumas: Vec<u8> = bottom.pixels().map(|p| p.0[1]).collect();
    let mean = lumas.iter().map(|&l| f64::from(l)).sum::<f64>() / lumas.len() as f64;
    let variance = lumas
        .iter()
        .map(|&l| (f64::from(l) - mean).powi(2))
        .sum::<f64>()
        / lumas.len() as f64;
    assert!(
        variance > 200.0,
        "the bottom is flat (variance {variance:.0})"
    );
}

/// Phone photos stay in their YCbCr planes from decode to encode; each plane (and each turned
/// by the EXIF orientation) must land where the picture's does. Against the photo as libjpeg
/// shows it, oriented and resized as RGB: luma SSIM, and chroma PSNR (a swapped, shifted or
/// unturned chroma plane falls far below either bound).
#[test]
fn jpeg_planes_keep_the_pictures_colours_in_place() {
    use pipeline::{decode, orient, resize, similarity};
    let cbcr = |p: &[u8]| {
        let (r, g, b) = (f64::from(p[0]), f64::from(p[1]), f64::from(p[2]));
        [
            -0.168_736 * r - 0.331_264 * g + 0.5 * b,
            0.5 * r - 0.418_688 * g - 0.081_312 * b,
        ]
    };
    for (path, min_ssim, min_psnr) in [
        ("photos/jolla.jpg", 0.98, 42.0),
        ("photos/phone-24mp-orient6-gps.jpg", 0.98, 42.0),
        ("photos/progressive.jpg", 0.98, 42.0),
        ("photos/canon_hdr_NO.jpg", 0.97, 38.0),
    ] {
        let input = corpus(path);
        let source = decode::decode(&input, u32::MAX).expect("decodes");
        assert!(
            matches!(source.pixels, pipeline::picture::Picture::YCbCr(_)),
            "{path}: carried as planes"
        );
        let out = display(path);
        let ours = decoded(&out);
        let full = jpeg_decoder::Decoder::new(&input[..])
            .decode()
            .expect("libjpeg's way");
        let (w, h) = source.full_size;
        let rgb = image::RgbImage::from_raw(w, h, full).expect("RGB");
        let upright = orient::orient(&rgb, source.orientation);
        let reference = resize::resize_to(&upright, ours.dimensions()).expect("resizes");
        let ssim = similarity::ssim(&reference, &ours).expect("same size");
        let squared: f64 = reference
            .as_raw()
            .chunks_exact(3)
            .zip(ours.as_raw().chunks_exact(3))
            .flat_map(|(a, b)| {
                let (a, b) = (cbcr(a), cbcr(b));
                [(a[0] - b[0]).powi(2), (a[1] - b[1]).powi(2)]
            })
            .sum();
        let mse = squared / (2.0 * f64::from(out.width * out.height));
        let psnr = 10.0 * (255.0 * 255.0 / mse).log10();
        println!("{path}: luma SSIM {ssim:.4}, chroma PSNR {psnr:.2} dB");
        assert!(ssim >= min_ssim, "{path}: luma SSIM {ssim:.4}");
        assert!(psnr >= min_psnr, "{path}: chroma PSNR {psnr:.2} dB");
    }
}

/// The measurement behind `same_picture::SAME_PICTURE_SSIM`: every corpus photo's own
/// variants against its display (as `check` compares them), and every other photo's thumbnail
/// squeezed to the same size (a swapped picture). Prints both ranges; the threshold must sit
/// well inside the gap.
#[test]
fn same_picture_threshold_separates_the_corpus() {
    use pipeline::resize::{fitted_size, resize_to};
    use pipeline::same_picture::{COMPARE_SIDE, MAX_PATCH_DIFFERENCE, SAME_PICTURE_SSIM, check};
    use pipeline::{UPLOAD_VARIANTS, Variant};

    let photos = [
        "photos/jolla.jpg",
        "photos/corrupt-exif-10mp.jpg",
        "photos/canon_hdr_NO.jpg",
        "photos/DSCN0010.jpg",
        "photos/Reconyx_HC500_Hyperfire.jpg",
        // Not progressive.jpg nor cmyk.jpg: they are jolla.jpg saved progressively and the
        // Reconyx photo in CMYK, the same pictures (their swaps score 0.98, as they should).
        "photos/cutout-alpha.png",
        "photos/phone-24mp-orient6-gps.jpg",
    ];
    let specs: Vec<VariantSpec> = UPLOAD_VARIANTS.iter().map(|(_, s)| *s).collect();
    let made: Vec<Vec<(Variant, Vec<u8>)>> = photos
        .iter()
        .map(|p| {
            let out = process(&corpus(p), &specs).unwrap_or_else(|e| panic!("{p}: {e}"));
            UPLOAD_VARIANTS
                .iter()
                .zip(out)
                .map(|((v, _), r)| (*v, r.bytes))
                .collect()
        })
        .collect();
    let small = |bytes: &[u8], size: (u32, u32)| {
        let decoded = pipeline::decode::decode(bytes, COMPARE_SIDE).unwrap();
        resize_to(&decoded.pixels.into_rgb().unwrap(), size)
            .unwrap()
            .into_owned()
    };

    let mut same = Vec::new();
    let mut patches = Vec::new();
    for (path, variants) in photos.iter().zip(&made) {
        let borrowed: Vec<(Variant, &[u8])> =
            variants.iter().map(|(v, b)| (*v, b.as_slice())).collect();
        let scores = check(&borrowed).unwrap_or_else(|e| panic!("{path}: {e}"));
        same.extend(scores.iter().map(|l| l.ssim));
        patches.extend(
            scores
                .iter()
                .map(|l| (l.patch_difference, *path, l.variant)),
        );
    }
    let mut swapped = Vec::new();
    for (a, display) in made.iter().enumerate() {
        let decoded = pipeline::decode::decode(&display[0].1, COMPARE_SIDE).unwrap();
        let (w, h) = decoded.full_size;
        let size = fitted_size(w, h, COMPARE_SIDE);
        let pixels = decoded.pixels.into_rgb().unwrap();
        let reference = resize_to(&pixels, size).unwrap().into_owned();
        for (b, other) in made.iter().enumerate().filter(|(b, _)| *b != a) {
            let thumb = small(&other[2].1, size);
            let s = pipeline::similarity::ssim(&reference, &thumb).unwrap();
            swapped.push((s, photos[a], photos[b]));
        }
    }
    let least_same = same.iter().copied().fold(f64::INFINITY, f64::min);
    let (most_swapped, a, b) =
        swapped.iter().copied().fold(
            (f64::NEG_INFINITY, "", ""),
            |m, s| if s.0 > m.0 { s } else { m },
        );
    println!(
        "same picture: {} pairs, least SSIM {least_same:.3}; swapped: {} pairs, most SSIM {most_swapped:.3} ({a} vs {b}); threshold {SAME_PICTURE_SSIM}",
        same.len(),
        swapped.len()
    );
    assert!(least_same >= SAME_PICTURE_SSIM + 0.05, "{least_same}");
    assert!(most_swapped <= SAME_PICTURE_SSIM - 0.1, "{most_swapped}");

    // The colour check: the pipeline's own variants against thumbnails changed on purpose, a
    // mark of 16 px (4 % of a 400 px thumbnail) in its middle, or red and blue swapped.
    let (most_own, own_path, own_variant) = patches.iter().copied().fold(
        (0.0, "", Variant::Thumb),
        |m, p| if p.0 > m.0 { p } else { m },
    );
    let mut least_changed = (f64::INFINITY, "", "");
    for (path, variants) in photos.iter().zip(&made) {
        let thumb = pipeline::decode::decode(&variants[2].1, 400).unwrap();
        let icc = thumb.icc.clone();
        let pixels = thumb.pixels.into_rgb().unwrap();
        let (w, h) = pixels.dimensions();
        let mut marked = pixels.clone();
        for y in h / 2 - 8..h / 2 + 8 {
            for x in w / 2 - 8..w / 2 + 8 {
                marked.put_pixel(x, y, image::Rgb([220, 20, 60]));
            }
        }
        let mut swapped = pixels.clone();
        for p in swapped.pixels_mut() {
            p.0.swap(0, 2);
        }
        for (change, changed) in [("a mark", marked), ("red and blue swapped", swapped)] {
            let bytes = pipeline::encode::jpeg(&changed, 85, icc.as_deref())
                .unwrap()
                .bytes;
            let mut attempt = variants.clone();
            attempt[2].1 = bytes;
            let borrowed: Vec<(Variant, &[u8])> =
                attempt.iter().map(|(v, b)| (*v, b.as_slice())).collect();
            match check(&borrowed) {
                Err(pipeline::same_picture::Mismatch::Patch { difference, .. }) => {
                    if difference < least_changed.0 {
                        least_changed = (difference, *path, change);
                    }
                }
                other => panic!("{path}, {change}: {other:?}"),
            }
        }
    }
    println!(
        "patch difference: own variants at most {most_own:.1} ({own_path} {own_variant}); changed thumbnails at least {:.1} ({}, {}); threshold {MAX_PATCH_DIFFERENCE}",
        least_changed.0, least_changed.1, least_changed.2
    );
    assert!(most_own <= MAX_PATCH_DIFFERENCE / 2.0, "{most_own}");
    assert!(
        least_changed.0 >= MAX_PATCH_DIFFERENCE * 1.5,
        "{least_changed:?}"
    );
}

/// A photo shared between two workers (`pipeline::handoff`) comes out in the bytes one worker
/// makes: turned by EXIF, with an ICC profile, a PNG cut-out, and a CMYK JPEG.
#[test]
fn shared_photos_are_the_same_bytes_as_one_workers() {
    use pipeline::handoff::{prepare, render_handoff};
    let specs: Vec<_> = pipeline::UPLOAD_VARIANTS.iter().map(|(_, s)| *s).collect();
    for name in [
        "photos/phone-24mp-orient6-gps.jpg",
        "photos/cutout-alpha.png",
        "photos/cmyk.jpg",
        "photos/jolla.jpg",
    ] {
        let input = corpus(name);
        let prepared = prepare(&input, &specs).unwrap();
        let mut shared = vec![prepared.render_largest(&input).unwrap()];
        shared.extend(render_handoff(&prepared.handoff()).unwrap());
        assert_eq!(shared, pipeline::process(&input, &specs).unwrap(), "{name}");
    }
}

/// Real cameras' and editors' JPEGs, progressive ones included, send each coefficient in turn
/// and in few scans: the check stored variants meet refuses none of them (a display variant
/// may be the seller's own JPEG, passed through). Not corrupt-exif-10mp.jpg: its EXIF segment's
/// length is damaged, so no walk gets past it; it is never passed through (it is re-encoded).
#[test]
fn camera_jpegs_send_their_scans_in_turn() {
    for path in CAMERA_JPEGS {
        let scans =
            pipeline::jpeg_scans::check(&corpus(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(scans >= 1, "{path}");
    }
}
