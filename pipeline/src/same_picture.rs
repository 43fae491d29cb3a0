//! Whether an upload's variants are one picture: the display variant (what admins review) and
//! each smaller variant (what shoppers' browsers pick from `srcset`) at its own size. The server
//! holds every upload to this before registering it, so an approval can only ever publish the
//! picture the admin saw, and to the pipeline's other promises: no metadata, sizes in limits.
//!
//! The comparison is cheap by design: every variant is decoded at a reduced DCT scale (a
//! 2048 px display JPEG decodes at 256 px, an eighth of the work), and both sides are resized
//! to the same small size. There they must be one picture in two ways: their luma SSIM
//! (structure: another photo fails) reaches [`SAME_PICTURE_SSIM`], and no patch differs in
//! colour by more than [`MAX_PATCH_DIFFERENCE`] (SSIM ignores colour and averages a small mark
//! away). Each variant must also carry the display's colour profile, since a browser shows the
//! same pixels in other colours under another one, and no animation, whose other frames a
//! browser plays and no check sees.

use domain::Variant;
use image::RgbImage;

use crate::decode::decode;
use crate::metadata::{self, Found};
use crate::resize::{fitted_size, resize_to};
use crate::similarity::{PatchDifference, largest_patch_difference, ssim};

/// The side the variants are compared at: enough to tell two photos apart, small enough to
/// cost a few milliseconds.
pub const COMPARE_SIDE: u32 = 256;

/// Least luma SSIM, at [`COMPARE_SIDE`], between the display and a variant of the same photo.
/// Measured on the corpus (`tests/corpus.rs`, `same_picture_threshold_separates_the_corpus`):
/// the pipeline's own variants score 0.97 or more, another photo's thumbnail at most 0.60;
/// the threshold sits between with room on both sides. (SSIM forgives small edits: a variant
/// that is the display with a small mark added may pass; another picture does not.)
pub const SAME_PICTURE_SSIM: f64 = 0.80;

/// The side of the patches compared at [`COMPARE_SIDE`]: 8 px there is 12 px of a thumbnail,
/// 32 px of the medium variant.
pub const PATCH_SIDE: u32 = 8;

/// Largest difference of a patch's mean red, green or blue (0 to 255) between the display and
/// a variant, at [`COMPARE_SIDE`]. Measured on the corpus (same test as the SSIM threshold):
/// the pipeline's own variants differ by at most 8; a thumbnail with a 16 px mark, or with red
/// and blue swapped, by 53 or more.
pub const MAX_PATCH_DIFFERENCE: f64 = 24.0;

/// Why an upload's variants are not one clean picture; each names the variant.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Mismatch {
    #[error("the {variant} variant carries {found}, which is never stored")]
    Metadata { variant: Variant, found: Found },
    #[error("the {variant} variant's scans are refused: {problem}")]
    Scans {
        variant: Variant,
        problem: crate::jpeg_scans::ScanProblem,
    },
    #[error("the {variant} variant cannot be read ({reason})")]
    Unreadable { variant: Variant, reason: String },
    #[error("the {variant} variant is {width}x{height}, more than its {max} px")]
    TooLarge {
        variant: Variant,
        width: u32,
        height: u32,
        max: u32,
    },
    #[error(
        "the {variant} variant is {width}x{height}, but the display picture at that size is {expected_width}x{expected_height}"
    )]
    Shape {
        variant: Variant,
        width: u32,
        height: u32,
        expected_width: u32,
        expected_height: u32,
    },
    #[error(
        "the {variant} variant is not the display picture at a smaller size (similarity {similarity:.2}, at least {SAME_PICTURE_SSIM} needed)"
    )]
    Different { variant: Variant, similarity: f64 },
    #[error(
        "the {variant} variant is not the display picture at a smaller size: its colours differ around {left}% from the left and {top}% from the top (by {difference:.0} in 255, at most {MAX_PATCH_DIFFERENCE} allowed)"
    )]
    Patch {
        variant: Variant,
        difference: f64,
        left: u32,
        top: u32,
    },
    #[error(
        "the {variant} variant has another colour profile than the display picture, so browsers would show it in other colours"
    )]
    Profile { variant: Variant },
    #[error("the upload has no display variant")]
    NoDisplay,
}

/// A variant decoded small: its full size, and its pixels at [`COMPARE_SIDE`] or a little more.
struct Small {
    full: (u32, u32),
    pixels: RgbImage,
    icc: Option<Vec<u8>>,
}

fn read(variant: Variant, bytes: &[u8]) -> Result<Small, Mismatch> {
    if let Some(&found) = metadata::found(bytes).first() {
        return Err(Mismatch::Metadata { variant, found });
    }
    let unreadable = |e: crate::PipelineError| Mismatch::Unreadable {
        variant,
        reason: e.to_string(),
    };
    if bytes.starts_with(&[0xFF, 0xD8]) {
        crate::jpeg_scans::check(bytes).map_err(|problem| Mismatch::Scans { variant, problem })?;
    }
    // From the header, before any pixel is allocated: a 10,000 px PNG of one colour is a few
    // kilobytes, and decoding it to learn it is too large would take gigabytes.
    let (width, height) = header_size(bytes).map_err(unreadable)?;
    let max = variant.max_side();
    if width.max(height) > max {
        return Err(Mismatch::TooLarge {
            variant,
            width,
            height,
            max,
        });
    }
    let decoded = decode(bytes, COMPARE_SIDE).map_err(unreadable)?;
    Ok(Small {
        full: decoded.full_size,
        icc: decoded.icc,
        pixels: decoded.pixels.into_rgb().map_err(unreadable)?,
    })
}

fn header_size(bytes: &[u8]) -> Result<(u32, u32), crate::PipelineError> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| crate::PipelineError::Corrupt(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(crate::decode::PNG_READER_BYTES as u64);
    reader.limits(limits);
    reader
        .into_dimensions()
        .map_err(|e| crate::PipelineError::Corrupt(e.to_string()))
}

/// How much a smaller variant is like the display, at [`COMPARE_SIDE`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Likeness {
    pub variant: Variant,
    /// Luma SSIM: 1.0 for the same picture.
    pub ssim: f64,
    /// The largest difference of a patch's mean colour, 0 to 255.
    pub patch_difference: f64,
}

/// Checks `variants` (each variant's stored bytes) are one clean picture; returns how much
/// each smaller variant is like the display, in order, for the record.
pub fn check(variants: &[(Variant, &[u8])]) -> Result<Vec<Likeness>, Mismatch> {
    let (_, display_bytes) = variants
        .iter()
        .find(|(v, _)| *v == Variant::Display)
        .ok_or(Mismatch::NoDisplay)?;
    let others: Vec<(Variant, &[u8])> = variants
        .iter()
        .copied()
        .filter(|(v, _)| *v != Variant::Display)
        .collect();
    // Decoding is most of the cost, and the display alone is about half of it: it decodes on
    // a second thread while this one decodes the smaller variants.
    let (display, smalls) = std::thread::scope(|scope| {
        let display = scope.spawn(|| read(Variant::Display, display_bytes));
        let smalls: Vec<_> = others
            .iter()
            .map(|&(variant, bytes)| (variant, read(variant, bytes)))
            .collect();
        let display = display.join().unwrap_or_else(|_| {
            Err(Mismatch::Unreadable {
                variant: Variant::Display,
                reason: "its decoder stopped".into(),
            })
        });
        (display, smalls)
    });
    let display = display?;
    let (dw, dh) = display.full;
    let compare_at = fitted_size(dw, dh, COMPARE_SIDE);
    let unreadable = |variant, e: crate::PipelineError| Mismatch::Unreadable {
        variant,
        reason: e.to_string(),
    };
    let reference =
        resize_to(&display.pixels, compare_at).map_err(|e| unreadable(Variant::Display, e))?;

    let mut scores = Vec::with_capacity(variants.len().saturating_sub(1));
    for (variant, small) in smalls {
        let small = small?;
        let (width, height) = small.full;
        let (expected_width, expected_height) = fitted_size(dw, dh, variant.max_side());
        // Rounding may differ by a pixel between resizers; the shape may not.
        if width.abs_diff(expected_width) > 1 || height.abs_diff(expected_height) > 1 {
            return Err(Mismatch::Shape {
                variant,
                width,
                height,
                expected_width,
                expected_height,
            });
        }
        if small.icc != display.icc {
            return Err(Mismatch::Profile { variant });
        }
        let pixels = resize_to(&small.pixels, compare_at).map_err(|e| unreadable(variant, e))?;
        let similarity = ssim(&reference, &pixels).unwrap_or(0.0);
        if similarity < SAME_PICTURE_SSIM {
            return Err(Mismatch::Different {
                variant,
                similarity,
            });
        }
        let PatchDifference {
            difference,
            at: (x, y),
        } = largest_patch_difference(&reference, &pixels, PATCH_SIDE).unwrap_or(PatchDifference {
            difference: f64::INFINITY,
            at: (0, 0),
        });
        if difference > MAX_PATCH_DIFFERENCE {
            return Err(Mismatch::Patch {
                variant,
                difference,
                left: x * 100 / compare_at.0.max(1),
                top: y * 100 / compare_at.1.max(1),
            });
        }
        scores.push(Likeness {
            variant,
            ssim: similarity,
            patch_difference: difference,
        });
    }
    Ok(scores)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{UPLOAD_VARIANTS, process};

    fn photo(seed: u32) -> Vec<u8> {
        // Smooth shapes with edges, different for each seed: enough structure for SSIM.
        let img = RgbImage::from_fn(1200, 900, |x, y| {
            let (fx, fy) = (x as f32 / 60.0, y as f32 / 45.0);
            let v =
                ((fx * (1.0 + seed as f32 * 0.37)).sin() * (fy * (1.3 + seed as f32)).cos() * 120.0
                    + 128.0) as u8;
            let edge = if (x / (50 + seed * 7) + y / (40 + seed * 3)).is_multiple_of(2) {
                40
            } else {
                0
            };
            image::Rgb([v.saturating_add(edge), v / 2 + (seed * 30) as u8, 255 - v])
        });
        crate::encode::jpeg(&img, 90, None).unwrap().bytes
    }

    fn variants(input: &[u8]) -> Vec<(Variant, Vec<u8>)> {
        let specs: Vec<_> = UPLOAD_VARIANTS.iter().map(|(_, s)| *s).collect();
        let out = process(input, &specs).unwrap();
        UPLOAD_VARIANTS
            .iter()
            .zip(out)
            .map(|((v, _), r)| (*v, r.bytes))
            .collect()
    }

    fn borrowed(v: &[(Variant, Vec<u8>)]) -> Vec<(Variant, &[u8])> {
        v.iter().map(|(v, b)| (*v, b.as_slice())).collect()
    }

    #[test]
    fn the_pipelines_variants_are_one_picture() {
        let made = variants(&photo(1));
        let scores = check(&borrowed(&made)).unwrap();
        assert_eq!(scores.len(), 2);
        assert!(
            scores
                .iter()
                .all(|l| l.ssim > 0.9 && l.patch_difference < MAX_PATCH_DIFFERENCE / 2.0),
            "{scores:?}"
        );
    }

    #[test]
    fn another_pictures_thumbnail_is_refused() {
        let mut made = variants(&photo(1));
        let other = variants(&photo(4));
        made[2] = other[2].clone();
        match check(&borrowed(&made)) {
            Err(Mismatch::Different { variant, .. }) => assert_eq!(variant, Variant::Thumb),
            other => panic!("{other:?}"),
        }
    }

    /// A few hundred bytes whose header says 10,000 px square: decoding it first, to learn its
    /// size, would allocate 800 MB per variant on the server.
    #[test]
    fn an_oversized_variant_is_refused_from_its_header() {
        let mut huge = Vec::new();
        let mut encoder = png::Encoder::new(&mut huge, 10_000, 10_000);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Sixteen);
        let mut header = encoder.write_header().unwrap();
        // The start of a deflate stream: readers want an IDAT before they report a size.
        header.write_chunk(png::chunk::IDAT, &[0x78, 0x9c]).unwrap();
        drop(header);
        let made = variants(&photo(1));
        for at in 0..made.len() {
            let mut sent = made.clone();
            sent[at].1 = huge.clone();
            let expected = sent[at].0;
            match check(&borrowed(&sent)) {
                Err(Mismatch::TooLarge {
                    variant,
                    width: 10_000,
                    ..
                }) => {
                    assert_eq!(variant, expected)
                }
                other => panic!("{expected}: {other:?}"),
            }
        }
    }

    /// A PNG whose default image (what decoders read) is `still` and whose one animation frame,
    /// what browsers play instead, is `played`.
    fn animated_png(still: &RgbImage, played: &RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, still.width(), still.height());
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_animated(1, 0).unwrap();
        encoder.set_sep_def_img(true).unwrap();
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(still.as_raw()).unwrap();
        writer.write_image_data(played.as_raw()).unwrap();
        writer.finish().unwrap();
        out
    }

    #[test]
    fn an_animated_variant_or_another_colour_profile_is_refused() {
        let made = variants(&photo(3));
        let decode_thumb = |bytes: &[u8]| {
            crate::decode::decode(bytes, 400)
                .unwrap()
                .pixels
                .into_rgb()
                .unwrap()
        };
        let thumb = decode_thumb(&made[2].1);
        let other = decode_thumb(&variants(&photo(4))[2].1);

        // Decoders read the honest default image; a browser plays the other picture.
        let mut animated = made.clone();
        animated[2].1 = animated_png(&thumb, &other);
        assert!(matches!(
            check(&borrowed(&animated)),
            Err(Mismatch::Metadata {
                variant: Variant::Thumb,
                found: Found::Animation,
            })
        ));
        // The same pixels under another RGB profile are other colours in a browser.
        let mut profile = vec![0u8; 132];
        profile[16..20].copy_from_slice(b"RGB ");
        let mut recoloured = made.clone();
        recoloured[2].1 = crate::encode::jpeg(&thumb, 90, Some(&profile))
            .unwrap()
            .bytes;
        assert_eq!(
            check(&borrowed(&recoloured)),
            Err(Mismatch::Profile {
                variant: Variant::Thumb
            })
        );
        // Without the profile, the same re-encoded pixels pass.
        recoloured[2].1 = crate::encode::jpeg(&thumb, 90, None).unwrap().bytes;
        assert!(check(&borrowed(&recoloured)).is_ok());
    }

    #[test]
    fn a_variant_of_another_shape_or_with_exif_is_refused() {
        let made = variants(&photo(2));
        let square = crate::encode::jpeg(&RgbImage::new(400, 400), 80, None)
            .unwrap()
            .bytes;
        let mut wrong = made.clone();
        wrong[2].1 = square;
        assert!(matches!(
            check(&borrowed(&wrong)),
            Err(Mismatch::Shape { .. })
        ));

        let mut tagged = made.clone();
        let mut thumb = tagged[2].1.clone();
        let exif = [
            0xFF, 0xE1, 0x00, 0x0A, b'E', b'x', b'i', b'f', 0, 0, b'G', b'P',
        ];
        thumb.splice(2..2, exif);
        tagged[2].1 = thumb;
        assert!(matches!(
            check(&borrowed(&tagged)),
            Err(Mismatch::Metadata {
                found: Found::Exif,
                ..
            })
        ));
        assert_eq!(check(&borrowed(&made[1..])), Err(Mismatch::NoDisplay));
    }
}
