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
    let pixels = decoded.pixels.into_rgb().expect("RGB");
    let ssim = similarity::ssim(&pixels, &expected).expect("same size");
    (pixels, ssim)
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
    let pixels = decoded.pixels.into_rgb().expect("RGB");
    let mut shown = pixels.clone();
    to_srgb
        .transform(pixels.as_raw(), &mut shown)
        .expect("converts");
    let expected = reference("display-p3");
    let ssim = similarity::ssim(&shown, &expected).expect("same size");
    let (near, far) = (
        colour_distance(&shown, &expected),
        colour_distance(&pixels, &expected),
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

/// A grid that names one tile again and again: each repeat is another decode of it, so a few
/// kilobytes could cost without end (a tile's stream may also declare far more than its size).
/// Refused from the structure, in the whole decode and in the shared one.
#[test]
fn a_grid_that_repeats_a_tile_is_refused() {
    for name in ["heif/grid.heic", "heif/iphone.heic"] {
        let mut input = fixture(name);
        let at = input.windows(4).position(|w| w == b"dimg").expect("a grid");
        // dimg: from (2 bytes), count (2), then each tile's id (2): all made the first.
        let count = usize::from(u16::from_be_bytes([input[at + 6], input[at + 7]]));
        let first = [input[at + 8], input[at + 9]];
        for k in 1..count {
            input[at + 8 + 2 * k..at + 10 + 2 * k].copy_from_slice(&first);
        }
        let refused = |r: Result<_, PipelineError>| match r {
            Err(PipelineError::Corrupt(why)) => {
                assert!(why.contains("uses one of its parts twice"), "{name}: {why}")
            }
            Err(other) => panic!("{name}: {other:?}"),
            Ok(_) => panic!("{name}: decoded"),
        };
        refused(decode::decode(&input, 2048).map(|d| d.full_size));
        refused(pipeline::heif::tiles::shareable_tiles(&input).map(|n| (n, 0)));
    }
}

/// An iPhone photo's decode shared between two workers (`pipeline::heif::tiles`): the halves
/// joined make exactly the picture decoded whole, and the same variants, byte for byte.
#[test]
fn a_shared_decode_is_the_whole_decode() {
    use pipeline::heif::tiles;
    let input = fixture("heif/iphone.heic");
    let count = tiles::shareable_tiles(&input).expect("parses");
    assert_eq!(count, 6, "2x3 tiles of 512 px");
    let whole = decode::decode(&input, u32::MAX).expect("decodes whole");
    assert_eq!(whole.full_size, (1280, 960), "turned by irot");
    for split in [0, 1, 3, 6] {
        let first = tiles::decode_tiles(&input, 0, split).expect("first part");
        let rest = tiles::decode_tiles(&input, split, count).expect("second part");
        let shared = tiles::assemble(&input, &[&first, &rest]).expect("assembles");
        assert_eq!(shared.full_size, whole.full_size, "split at {split}");
        assert!(
            shared.pixels == whole.pixels,
            "split at {split}: pixels differ"
        );
        assert_eq!(shared.icc, whole.icc, "the Display P3 profile is carried");
        let specs: Vec<VariantSpec> = UPLOAD_VARIANTS.iter().map(|(_, s)| *s).collect();
        assert_eq!(
            pipeline::render(&input, &shared, &specs).expect("renders"),
            process(&input, &specs).expect("processes"),
            "split at {split}"
        );
    }
    // And it shows as libheif shows it.
    let (_, ssim) = against_libheif("iphone");
    assert!(ssim > 0.97, "SSIM {ssim:.4}");
}

#[test]
fn only_plain_grids_with_a_profile_are_shared() {
    use pipeline::heif::tiles;
    // One coded image; an alpha plane; a grid without a profile (its colours are converted
    // to sRGB, which only the whole decode does): all decoded whole.
    for name in ["plain", "alpha", "grid", "display-p3"] {
        let input = fixture(&format!("heif/{name}.heic"));
        assert_eq!(tiles::shareable_tiles(&input).expect("parses"), 0, "{name}");
        assert!(tiles::decode_tiles(&input, 0, 1).is_err(), "{name}");
    }
}

#[test]
fn tiles_that_do_not_make_up_the_grid_are_refused() {
    use pipeline::heif::tiles;
    let input = fixture("heif/iphone.heic");
    assert!(matches!(
        tiles::decode_tiles(&input, 4, 9),
        Err(PipelineError::Corrupt(_))
    ));
    let first = tiles::decode_tiles(&input, 0, 3).expect("first half");
    // Half the tiles, a tile short, a tile's bytes cut.
    for parts in [
        vec![&first[..]],
        vec![&first[..], &first[..first.len() / 3 * 2]],
        vec![&first[..], &first[..first.len() - 1]],
    ] {
        assert!(
            matches!(
                tiles::assemble(&input, &parts),
                Err(PipelineError::Corrupt(_))
            ),
            "{} parts",
            parts.len()
        );
    }
    // Half a file: its tiles' data is missing.
    let cut = &input[..input.len() / 2];
    assert!(tiles::decode_tiles(cut, 0, 6).is_err(), "half a file");
}
