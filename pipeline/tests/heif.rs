//! HEIC/HEIF photos (the `heif` feature): the files of `fixtures/heif/` (made by
//! `scripts/make-heif-fixtures.py` with libheif, each with libheif's own decode beside it) and
//! the corpus's HEIF, through the same pipeline as every other photo.
#![cfg(feature = "heif")]

use std::path::PathBuf;

use pipeline::{PipelineError, UPLOAD_VARIANTS, VariantSpec, decode, process, similarity};

fn fixture(path: &str) -> Vec<u8> {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// libheif's decode of `name`, over white, as the script saved it.
fn reference(name: &str) -> image::RgbImage {
    let bytes = fixture(&format!("heif/{name}.ref.jpg"));
    image::load_from_memory(&bytes)
        .expect("reference decodes")
        .into_rgb8()
}

/// The pipeline's decode of `name`, compared with libheif's: the same size and SSIM.
fn against_libheif(name: &str) -> (image::RgbImage, f64) {
    let decoded = decode::decode(&fixture(&format!("heif/{name}.heic")), 2048)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let expected = reference(name);
    assert_eq!(
        decoded.pixels.dimensions(),
        expected.dimensions(),
        "{name}: size"
    );
    assert_eq!(decoded.full_size, expected.dimensions());
    let ssim = similarity::ssim(&decoded.pixels, &expected).expect("same size");
    (decoded.pixels, ssim)
}

#[test]
fn every_fixture_decodes_as_libheif_does() {
    // The reference went through a JPEG (quality 92, 4:4:4), so a perfect decode scores a
    // little under 1.
    for name in ["plain", "grid", "rotated", "alpha", "display-p3"] {
        let (_, ssim) = against_libheif(name);
        println!("{name}: SSIM {ssim:.4} against libheif");
        assert!(ssim > 0.97, "{name}: SSIM {ssim:.4}");
    }
}

#[test]
fn a_grid_is_assembled_and_cut_to_its_size() {
    // 800x600 from four 512 px tiles: the right and bottom ones are cut.
    let (grid, ssim) = against_libheif("grid");
    assert_eq!(grid.dimensions(), (800, 600));
    assert!(ssim > 0.97);
    // The same picture as the one coded without tiles.
    let (plain, _) = against_libheif("plain");
    let same = similarity::ssim(&grid, &plain).expect("same size");
    assert!(same > 0.97, "grid vs plain: {same:.4}");
}

#[test]
fn irot_turns_the_picture_and_the_exif_tag_is_not_applied_again() {
    // Stored turned (as an iPhone held upright stores it), `irot` turning it back, and an EXIF
    // Orientation of 6 as iPhones also write: shown 800x600, like libheif shows it.
    let input = fixture("heif/rotated.heic");
    let decoded = decode::decode(&input, 2048).expect("decodes");
    assert_eq!(
        decoded.orientation,
        image::metadata::Orientation::NoTransforms
    );
    let (pixels, ssim) = against_libheif("rotated");
    assert_eq!(pixels.dimensions(), (800, 600));
    assert!(ssim > 0.97, "{ssim}");
    let out = process(&input, &[VariantSpec { max_side: 2048 }]).expect("processes");
    assert_eq!((out[0].width, out[0].height), (800, 600));
}

#[test]
fn transparency_is_flattened_onto_white() {
    let (pixels, _) = against_libheif("alpha");
    // The cut-out's corner is transparent.
    assert_eq!(pixels.get_pixel(0, 0).0, [255, 255, 255]);
}

/// Mean absolute difference of the two pictures' samples, all channels.
fn colour_distance(a: &image::RgbImage, b: &image::RgbImage) -> f64 {
    let sum: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.as_raw().len() as f64
}

#[test]
fn a_display_p3_photo_keeps_its_profile_and_shows_as_libheif_shows_it() {
    // The reference is libheif's decode converted from P3 to sRGB by littleCMS: what a
    // colour-managed viewer shows. The pipeline keeps the P3 values and the profile (as for a
    // JPEG); shown through the profile (moxcms), they match. SSIM looks at luma only, so the
    // colours are compared too, against the same values shown without the profile (duller).
    let input = fixture("heif/display-p3.heic");
    let decoded = decode::decode(&input, 2048).expect("decodes");
    let profile = heifer::read_metadata(&input)
        .expect("metadata")
        .icc_profile
        .expect("the file has a profile");
    assert_eq!(decoded.icc.as_deref(), Some(profile.as_slice()));

    let p3 = moxcms::ColorProfile::new_from_slice(&profile).expect("profile reads");
    let to_srgb = p3
        .create_transform_8bit(
            moxcms::Layout::Rgb,
            &moxcms::ColorProfile::new_srgb(),
            moxcms::Layout::Rgb,
            moxcms::TransformOptions::default(),
        )
        .expect("transform");
    let mut shown = decoded.pixels.clone();
    to_srgb
        .transform(decoded.pixels.as_raw(), &mut shown)
        .expect("converts");
    let expected = reference("display-p3");
    let ssim = similarity::ssim(&shown, &expected).expect("same size");
    let (near, far) = (
        colour_distance(&shown, &expected),
        colour_distance(&decoded.pixels, &expected),
    );
    println!(
        "display-p3: SSIM {ssim:.4}; colour distance {near:.2} shown through the profile, {far:.2} without"
    );
    assert!(ssim > 0.97, "{ssim}");
    // The photo is a dull one (a trail camera's), so the shift is small, but clear.
    assert!(
        near < 3.0 && near * 1.4 < far,
        "with {near:.2}, without {far:.2}"
    );

    // The variants carry the profile (APP2 ICC_PROFILE), and nothing else of the file's.
    let out = process(&input, &[VariantSpec { max_side: 2048 }]).expect("processes");
    assert!(out[0].bytes.windows(11).any(|w| w == b"ICC_PROFILE"));
    assert!(!out[0].bytes.windows(4).any(|w| w == b"Exif"));
}

#[test]
fn three_variants_with_no_metadata() {
    let input = fixture("heif/rotated.heic");
    let specs: Vec<VariantSpec> = UPLOAD_VARIANTS.iter().map(|(_, s)| *s).collect();
    let out = process(&input, &specs).expect("processes");
    assert_eq!(out.len(), 3);
    for r in &out {
        assert_eq!(r.content_type, pipeline::ContentType::Jpeg);
        assert!(r.width >= r.height, "landscape: {}x{}", r.width, r.height);
        // The file's EXIF (with its orientation) never reaches a variant.
        assert!(!r.bytes.windows(4).any(|w| w == b"Exif"), "EXIF left");
    }
}

#[test]
fn the_corpus_heif_is_accepted() {
    let input = fixture("corpus/photos/samplefilehub.heif");
    let out = process(&input, &[VariantSpec { max_side: 2048 }]).expect("decodes");
    assert!(out[0].width > 0 && out[0].height > 0);
}

#[test]
fn damaged_and_oversized_heic_are_refused_with_the_reason() {
    let input = fixture("heif/plain.heic");
    // Cut in half: the picture's data is missing.
    let half = &input[..input.len() / 2];
    assert!(
        matches!(decode::decode(half, 2048), Err(PipelineError::Corrupt(_))),
        "half a file"
    );
    // A header claiming 40000x40000 (every `ispe` rewritten): refused from the header.
    let mut bomb = input.clone();
    let mut found = 0;
    for i in 0..bomb.len() - 16 {
        if &bomb[i..i + 4] == b"ispe" {
            bomb[i + 8..i + 12].copy_from_slice(&40_000u32.to_be_bytes());
            bomb[i + 12..i + 16].copy_from_slice(&40_000u32.to_be_bytes());
            found += 1;
        }
    }
    assert!(found > 0);
    assert_eq!(
        decode::decode(&bomb, 2048).err(),
        Some(PipelineError::TooLarge {
            width: 40_000,
            height: 40_000
        })
    );
}
