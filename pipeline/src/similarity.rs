//! Structural similarity (SSIM) on luma, the measure the benchmarks and tests compare outputs
//! with: Gaussian 11x11 window, σ = 1.5, the constants of Wang et al. (2004). And the largest
//! colour difference between two pictures' patches, which SSIM does not see: it ignores colour,
//! and averages a small local change away.

use image::RgbImage;

const C1: f32 = (0.01 * 255.0) * (0.01 * 255.0);
const C2: f32 = (0.03 * 255.0) * (0.03 * 255.0);

/// Mean SSIM of the two pictures' luma, 1.0 for identical ones. `None` if their sizes differ.
pub fn ssim(a: &RgbImage, b: &RgbImage) -> Option<f64> {
    if a.dimensions() != b.dimensions() {
        return None;
    }
    let (w, h) = (a.width() as usize, a.height() as usize);
    let (x, y) = (luma(a), luma(b));
    let product = |p: &[f32], q: &[f32]| p.iter().zip(q).map(|(p, q)| p * q).collect::<Vec<_>>();
    let kernel = gaussian();
    let blur = |plane: &[f32]| blur(plane, w, h, &kernel);
    let (mx, my) = (blur(&x), blur(&y));
    let (xx, yy, xy) = (
        blur(&product(&x, &x)),
        blur(&product(&y, &y)),
        blur(&product(&x, &y)),
    );
    let total: f64 = (0..w * h)
        .map(|i| {
            let (mx, my) = (mx[i], my[i]);
            let vx = xx[i] - mx * mx;
            let vy = yy[i] - my * my;
            let cov = xy[i] - mx * my;
            let s = ((2.0 * mx * my + C1) * (2.0 * cov + C2))
                / ((mx * mx + my * my + C1) * (vx + vy + C2));
            f64::from(s)
        })
        .sum();
    Some(total / (w * h) as f64)
}

/// Where two pictures of one size differ most: the patch (`side` pixels square; the last row
/// and column of patches take in what is left over, so none is a sliver whose mean a resizer's
/// edge handling decides) whose mean red, green or blue differs most, with that difference (0
/// to 255) and the patch's top-left pixel. `None` if their sizes differ.
pub fn largest_patch_difference(a: &RgbImage, b: &RgbImage, side: u32) -> Option<PatchDifference> {
    if a.dimensions() != b.dimensions() || side == 0 {
        return None;
    }
    let (w, h) = a.dimensions();
    let mut largest = PatchDifference {
        difference: 0.0,
        at: (0, 0),
    };
    for (top, bottom) in spans(h, side) {
        for (left, right) in spans(w, side) {
            let mut sums = [0i64; 3];
            for y in top..bottom {
                for x in left..right {
                    let (p, q) = (a.get_pixel(x, y).0, b.get_pixel(x, y).0);
                    for c in 0..3 {
                        sums[c] += i64::from(p[c]) - i64::from(q[c]);
                    }
                }
            }
            let count = f64::from((right - left) * (bottom - top));
            let difference = sums
                .iter()
                .map(|s| (*s as f64 / count).abs())
                .fold(0.0, f64::max);
            if difference > largest.difference {
                largest = PatchDifference {
                    difference,
                    at: (left, top),
                };
            }
        }
    }
    Some(largest)
}

/// `0..len` cut into spans of `side`, the last one taking the remainder.
fn spans(len: u32, side: u32) -> impl Iterator<Item = (u32, u32)> {
    let count = (len / side).max(1);
    (0..count).map(move |i| (i * side, if i + 1 == count { len } else { (i + 1) * side }))
}

/// See [`largest_patch_difference`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PatchDifference {
    /// The largest difference of a patch's mean red, green or blue, 0 to 255.
    pub difference: f64,
    /// The patch's top-left pixel.
    pub at: (u32, u32),
}

fn luma(image: &RgbImage) -> Vec<f32> {
    image
        .pixels()
        .map(|p| {
            let [r, g, b] = p.0.map(f32::from);
            0.299 * r + 0.587 * g + 0.114 * b
        })
        .collect()
}

fn gaussian() -> [f32; 11] {
    let mut k = [0.0f32; 11];
    for (i, v) in k.iter_mut().enumerate() {
        let d = i as f32 - 5.0;
        *v = (-(d * d) / (2.0 * 1.5 * 1.5)).exp();
    }
    let sum: f32 = k.iter().sum();
    k.map(|v| v / sum)
}

/// Separable blur with edges clamped.
fn blur(plane: &[f32], w: usize, h: usize, k: &[f32; 11]) -> Vec<f32> {
    let clamp = |v: isize, max: usize| v.clamp(0, max as isize - 1) as usize;
    let mut rows = vec![0.0; w * h];
    for y in 0..h {
        for x in 0..w {
            rows[y * w + x] = (0..11)
                .map(|i| k[i] * plane[y * w + clamp(x as isize + i as isize - 5, w)])
                .sum();
        }
    }
    let mut out = vec![0.0; w * h];
    for y in 0..h {
        for x in 0..w {
            out[y * w + x] = (0..11)
                .map(|i| k[i] * rows[clamp(y as isize + i as isize - 5, h) * w + x])
                .sum();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            let v = ((x * 7 + y * 3) % 256) as u8;
            image::Rgb([v, v / 2, 255 - v])
        })
    }

    #[test]
    fn identical_pictures_score_one() {
        let a = gradient(40, 30);
        let s = ssim(&a, &a).unwrap();
        assert!((s - 1.0).abs() < 1e-6, "{s}");
    }

    #[test]
    fn damage_lowers_the_score() {
        let a = gradient(40, 30);
        let mut b = a.clone();
        for (i, p) in b.pixels_mut().enumerate() {
            if i % 3 == 0 {
                p.0 = [0, 0, 0];
            }
        }
        let s = ssim(&a, &b).unwrap();
        assert!(s < 0.8, "{s}");
    }

    #[test]
    fn different_sizes_are_not_compared() {
        assert_eq!(ssim(&gradient(4, 4), &gradient(4, 5)), None);
        assert_eq!(
            largest_patch_difference(&gradient(4, 4), &gradient(4, 5), 2),
            None
        );
    }

    #[test]
    fn patches_cover_everything_and_none_is_a_sliver() {
        assert_eq!(spans(19, 8).collect::<Vec<_>>(), [(0, 8), (8, 19)]);
        assert_eq!(spans(16, 8).collect::<Vec<_>>(), [(0, 8), (8, 16)]);
        assert_eq!(spans(5, 8).collect::<Vec<_>>(), [(0, 5)]);
    }

    #[test]
    fn the_patch_that_differs_most_is_found_in_any_colour() {
        let a = gradient(40, 32);
        assert_eq!(largest_patch_difference(&a, &a, 8).unwrap().difference, 0.0);
        // A blue square in one patch, luma nearly unchanged elsewhere: found where it is.
        let mut b = a.clone();
        for y in 16..24 {
            for x in 32..40 {
                b.get_pixel_mut(x, y).0[2] = 0;
            }
        }
        let found = largest_patch_difference(&a, &b, 8).unwrap();
        assert_eq!(found.at, (32, 16));
        let expected = (16..24)
            .flat_map(|y| (32..40).map(move |x| (x, y)))
            .map(|(x, y)| f64::from(a.get_pixel(x, y).0[2]))
            .sum::<f64>()
            / 64.0;
        assert!((found.difference - expected).abs() < 1e-9, "{found:?}");
    }
}
