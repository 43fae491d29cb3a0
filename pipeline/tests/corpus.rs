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

#[test]
fn accepted_photos_all_process() {
    for path in [
        "photos/jolla.jpg",
        "photos/corrupt-exif-10mp.jpg",
        "photos/canon_hdr_NO.jpg",
        "photos/DSCN0010.jpg",
        "photos/Reconyx_HC500_Hyperfire.jpg",
        "photos/odd-exif.jpg",
        "photos/progressive.jpg",
        "photos/cmyk.jpg",
        "photos/cutout-alpha.png",
        "photos/gray16.png",
        "photos/BSG1.tiff",
    ] {
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
    assert_eq!(
        process(&corpus("photos/samplefilehub.heif"), &[DISPLAY]),
        Err(PipelineError::Heif)
    );
}
