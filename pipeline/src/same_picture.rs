//! Whether an upload's variants are one picture: the display variant (what admins review) and
//! each smaller variant (what shoppers' browsers pick from `srcset`) at its own size. The server
//! holds every upload to this before registering it, so an approval can only ever publish the
//! picture the admin saw, and to the pipeline's other promises: no metadata, sizes in limits.
//!
//! The comparison is cheap by design: every variant is decoded at a reduced DCT scale (a
//! 2048 px display JPEG decodes at 256 px, an eighth of the work), both sides are resized to
//! the same small size, and their luma SSIM is compared with [`SAME_PICTURE_SSIM`].

use domain::Variant;
use image::RgbImage;

use crate::decode::decode;
use crate::metadata::{self, Found};
use crate::resize::{fitted_size, resize_to};
use crate::similarity::ssim;

/// The side the variants are compared at: enough to tell two photos apart, small enough to
/// cost a few milliseconds.
pub const COMPARE_SIDE: u32 = 256;

/// Least luma SSIM, at [`COMPARE_SIDE`], between the display and a variant of the same photo.
/// Measured on the corpus (`tests/corpus.rs`, `same_picture_threshold_separates_the_corpus`):
/// the pipeline's own variants score 0.97 or more, another photo's thumbnail at most 0.60;
/// the threshold sits between with room on both sides. (SSIM forgives small edits: a variant
/// that is the display with a small mark added may pass; another picture does not.)
pub const SAME_PICTURE_SSIM: f64 = 0.80;

/// Why an upload's variants are not one clean picture; each names the variant.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Mismatch {
    #[error("the {variant} variant carries {found} (metadata is never stored)")]
    Metadata { variant: Variant, found: Found },
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
    #[error("the upload has no display variant")]
    NoDisplay,
}

/// A variant decoded small: its full size, and its pixels at [`COMPARE_SIDE`] or a little more.
struct Small {
    full: (u32, u32),
    pixels: RgbImage,
}

fn read(variant: Variant, bytes: &[u8]) -> Result<Small, Mismatch> {
    if let Some(&found) = metadata::found(bytes).first() {
        return Err(Mismatch::Metadata { variant, found });
    }
    let unreadable = |e: crate::PipelineError| Mismatch::Unreadable {
        variant,
        reason: e.to_string(),
    };
    let decoded = decode(bytes, COMPARE_SIDE).map_err(unreadable)?;
    let (width, height) = decoded.full_size;
    let max = variant.max_side();
    if width.max(height) > max {
        return Err(Mismatch::TooLarge {
            variant,
            width,
            height,
            max,
        });
    }
    Ok(Small {
        full: decoded.full_size,
        pixels: decoded.pixels.into_rgb().map_err(unreadable)?,
    })
}

/// Checks `variants` (each variant's stored bytes) are one clean picture; returns the luma SSIM
/// of each smaller variant against the display, in order, for the record.
pub fn check(variants: &[(Variant, &[u8])]) -> Result<Vec<(Variant, f64)>, Mismatch> {
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
        let pixels = resize_to(&small.pixels, compare_at).map_err(|e| unreadable(variant, e))?;
        let similarity = ssim(&reference, &pixels).unwrap_or(0.0);
        if similarity < SAME_PICTURE_SSIM {
            return Err(Mismatch::Different {
                variant,
                similarity,
            });
        }
        scores.push((variant, similarity));
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
        assert!(scores.iter().all(|(_, s)| *s > 0.9), "{scores:?}");
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
