//! The rows the JPEG encoder reads from YCbCr planes: luma as it is, and each half-size chroma
//! sample repeated for both columns and both rows of its 2x2 block, so the encoder's 4:2:0
//! sampling (the top-left of each block) reads exactly the plane's samples.

use super::Rows;
use crate::picture::Planes;

pub(super) struct Planar<'a> {
    planes: &'a Planes,
    width: u16,
    height: u16,
}

impl<'a> Planar<'a> {
    /// `None` unless the chroma is at half size and the picture fits a JPEG.
    pub(super) fn new(planes: &'a Planes) -> Option<Self> {
        let (w, h) = planes.luma.dimensions();
        let width = u16::try_from(w).ok().filter(|&w| w > 0)?;
        let height = u16::try_from(h).ok().filter(|&h| h > 0)?;
        planes.is_half_chroma().then_some(Self {
            planes,
            width,
            height,
        })
    }
}

impl Rows for Planar<'_> {
    fn size(&self) -> (u16, u16) {
        (self.width, self.height)
    }

    fn fill(&self, y: usize, buffers: &mut [Vec<u8>; 4]) {
        let width = usize::from(self.width);
        // The encoder pads the picture with copies of its last row: clamp, as it does.
        let y = y.min(usize::from(self.height) - 1);
        let [luma, cb, cr, _] = buffers;
        luma.extend_from_slice(&self.planes.luma.as_raw()[y * width..][..width]);
        let half = width.div_ceil(2);
        let row = (y / 2) * half;
        for (plane, out) in [(&self.planes.cb, cb), (&self.planes.cr, cr)] {
            let samples = &plane.as_raw()[row..row + half];
            out.extend(samples.iter().flat_map(|&s| [s, s]).take(width));
        }
    }
}

#[cfg(test)]
mod tests {
    use image::{GrayImage, Luma};

    use super::*;

    fn planes(w: u32, h: u32) -> Planes {
        let (cw, ch) = crate::picture::chroma_size((w, h));
        Planes {
            luma: GrayImage::from_fn(w, h, |x, y| Luma([(x * 10 + y) as u8])),
            cb: GrayImage::from_fn(cw, ch, |x, y| Luma([(100 + x * 10 + y) as u8])),
            cr: GrayImage::from_fn(cw, ch, |x, y| Luma([(200 + x * 10 + y) as u8])),
        }
    }

    #[test]
    fn each_chroma_sample_fills_its_block() {
        let planes = planes(5, 3);
        let image = Planar::new(&planes).expect("half-size chroma");
        let rows: Vec<[Vec<u8>; 4]> = (0..3)
            .map(|y| {
                let mut buffers: [Vec<u8>; 4] = Default::default();
                image.fill(y, &mut buffers);
                buffers
            })
            .collect();
        assert_eq!(rows[1][0], [1, 11, 21, 31, 41]);
        assert_eq!(rows[0][1], [100, 100, 110, 110, 120]);
        assert_eq!(rows[1][1], rows[0][1]);
        assert_eq!(rows[2][2], [201, 201, 211, 211, 221]);
    }

    #[test]
    fn chroma_of_another_size_is_refused() {
        let mut odd = planes(6, 4);
        odd.cb = GrayImage::new(6, 4);
        assert!(Planar::new(&odd).is_none());
        assert!(Planar::new(&planes(4, 4)).is_some());
    }
}
