//! Structural similarity (SSIM) on luma, the measure the benchmarks and tests compare outputs
//! with: Gaussian 11x11 window, σ = 1.5, the constants of Wang et al. (2004).

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
    }
}
