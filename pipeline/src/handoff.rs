//! One photo's variants made by two workers at once: the largest here, the smaller ones by a
//! helper. Each smaller variant is resized from the one before it, starting from the largest
//! variant's pixels before they are turned and encoded; so this worker decodes the photo and
//! resizes it to the largest variant ([`prepare`]), hands those pixels to the helper
//! ([`Prepared::handoff`]), and encodes its own variant while the helper makes the others
//! ([`render_handoff`]). The bytes are those of [`crate::process`]: the same steps from the
//! same pixels, split between two threads. Pixels travel as YCbCr planes (an RGB source's
//! converted as the encoder converts it), half the bytes of RGB.
//!
//! Worth it only for a photo alone at work (every core is busy in a batch) whose smaller
//! variants are resized ([`Prepared::shareable`]).

use std::borrow::Cow;

use image::metadata::Orientation;
use image::{GrayImage, RgbImage};

use crate::decode::{self, Decoded};
use crate::picture::{Picture, Planes, chroma_size};
use crate::resize::{fitted_size, resize_picture};
use crate::{PipelineError, Rendition, VariantSpec, render};

/// Below this many pixels in the largest variant, the copy to the helper and back costs about
/// what the helper saves.
const SHARE_FROM_PIXELS: u64 = 1_000_000;

/// A photo decoded and resized to its largest variant, not yet turned or encoded.
pub struct Prepared {
    /// The largest variant's pixels, with everything else decoded from the photo.
    largest: Decoded,
    largest_spec: VariantSpec,
    /// The smaller variants' specs, largest first.
    rest: Vec<VariantSpec>,
}

/// Decodes `input` and resizes it to the largest of `specs` (largest first, as
/// [`crate::UPLOAD_VARIANTS`] lists them).
pub fn prepare(input: &[u8], specs: &[VariantSpec]) -> Result<Prepared, PipelineError> {
    let Some((&largest_spec, rest)) = specs.split_first() else {
        return Err(PipelineError::Encode("no variant asked for".into()));
    };
    if rest.iter().any(|s| s.max_side > largest_spec.max_side) {
        return Err(PipelineError::Encode("variants not largest first".into()));
    }
    let mut source = decode::decode(input, largest_spec.max_side)?;
    let (w, h) = source.full_size;
    let size = fitted_size(w, h, largest_spec.max_side);
    if let Cow::Owned(resized) = resize_picture(&source.pixels, size)? {
        source.pixels = resized;
    }
    // Into planes when a smaller variant will be resized, as `render` does: the helper is
    // handed half the bytes, and every variant's bytes are those of one worker.
    if rest.iter().any(|s| fitted_size(w, h, s.max_side) != size)
        && let Cow::Owned(planes) = source.pixels.to_planes()?
    {
        source.pixels = planes;
    }
    Ok(Prepared {
        largest: source,
        largest_spec,
        rest: rest.to_vec(),
    })
}

impl Prepared {
    /// Whether handing the smaller variants to a helper saves time: they are resized (none is
    /// the photo as it is) and the largest is big enough for the copy to pay.
    pub fn shareable(&self) -> bool {
        let (w, h) = self.largest.full_size;
        let (pw, ph) = self.largest.pixels.dimensions();
        let pixels = u64::from(pw) * u64::from(ph);
        !self.rest.is_empty()
            && pixels >= SHARE_FROM_PIXELS
            && self
                .rest
                .iter()
                .all(|s| fitted_size(w, h, s.max_side) != (w, h))
    }

    /// The largest variant.
    pub fn render_largest(&self, input: &[u8]) -> Result<Rendition, PipelineError> {
        let mut out = render(input, &self.largest, &[self.largest_spec])?;
        out.pop()
            .ok_or_else(|| PipelineError::Encode("no variant made".into()))
    }

    /// The smaller variants, here (when no helper can).
    pub fn render_rest(&self, input: &[u8]) -> Result<Vec<Rendition>, PipelineError> {
        render(input, &self.largest, &self.rest)
    }

    /// What a helper needs to make the smaller variants: sizes, orientation, colour profile,
    /// the specs and the pixels, as bytes to post to it.
    pub fn handoff(&self) -> Vec<u8> {
        let d = &self.largest;
        let icc = d.icc.as_deref().unwrap_or_default();
        // RGB, or luma then the two half-size chroma planes (as `prepare` resized them).
        let (layout, samples): (u32, Vec<&[u8]>) = match &d.pixels {
            Picture::Rgb(rgb) => (RGB, vec![rgb.as_raw()]),
            Picture::YCbCr(p) => (YCBCR, vec![p.luma.as_raw(), p.cb.as_raw(), p.cr.as_raw()]),
        };
        let size: usize = samples.iter().map(|s| s.len()).sum();
        let mut out = Vec::with_capacity(HEADER * 4 + 4 * self.rest.len() + icc.len() + size);
        let (width, height) = d.pixels.dimensions();
        let fields = [
            width,
            height,
            d.full_size.0,
            d.full_size.1,
            u32::from(d.orientation.to_exif()),
            u32::from(d.plain_jpeg),
            u32::from(d.icc.is_some()),
            len(icc),
            layout,
            len(&self.rest),
        ];
        for field in fields
            .into_iter()
            .chain(self.rest.iter().map(|s| s.max_side))
        {
            out.extend_from_slice(&field.to_le_bytes());
        }
        out.extend_from_slice(icc);
        for plane in samples {
            out.extend_from_slice(plane);
        }
        out
    }
}

/// The handoff's layouts of pixels.
const RGB: u32 = 0;
const YCBCR: u32 = 1;

/// The number of `u32` fields before the specs in a handoff.
const HEADER: usize = 10;

fn len<T>(items: &[T]) -> u32 {
    u32::try_from(items.len()).unwrap_or(u32::MAX)
}

/// The helper's side: the smaller variants from a [`Prepared::handoff`]. `input` is not
/// needed (none of them is the photo as it is).
pub fn render_handoff(handoff: &[u8]) -> Result<Vec<Rendition>, PipelineError> {
    let (source, specs) = read_handoff(handoff)
        .ok_or_else(|| PipelineError::Corrupt("the helper's handoff is not whole".into()))?;
    render(&[], &source, &specs)
}

fn read_handoff(bytes: &[u8]) -> Option<(Decoded, Vec<VariantSpec>)> {
    let mut at = 0;
    let mut next = || {
        let field = bytes.get(at..at + 4)?;
        at += 4;
        Some(u32::from_le_bytes(field.try_into().ok()?))
    };
    let mut header = [0u32; HEADER];
    for field in &mut header {
        *field = next()?;
    }
    let [
        width,
        height,
        full_w,
        full_h,
        orientation,
        plain,
        has_icc,
        icc_len,
        layout,
        specs,
    ] = header;
    let specs = (0..specs)
        .map(|_| next().map(|max_side| VariantSpec { max_side }))
        .collect::<Option<Vec<_>>>()?;
    let at = HEADER * 4 + specs.len() * 4;
    let icc_end = at.checked_add(usize::try_from(icc_len).ok()?)?;
    let icc = bytes.get(at..icc_end)?;
    let samples = bytes.get(icc_end..)?;
    let pixels = match layout {
        RGB => Picture::Rgb(RgbImage::from_raw(width, height, samples.to_vec())?),
        YCBCR => {
            let (cw, ch) = chroma_size((width, height));
            let luma_len = usize::try_from(u64::from(width) * u64::from(height)).ok()?;
            let chroma_len = usize::try_from(u64::from(cw) * u64::from(ch)).ok()?;
            let (luma, chroma) = samples.split_at_checked(luma_len)?;
            let (cb, cr) = chroma.split_at_checked(chroma_len)?;
            Picture::YCbCr(Planes {
                luma: GrayImage::from_raw(width, height, luma.to_vec())?,
                cb: GrayImage::from_raw(cw, ch, cb.to_vec())?,
                cr: GrayImage::from_raw(cw, ch, cr.to_vec())?,
            })
        }
        _ => return None,
    };
    let source = Decoded {
        pixels,
        full_size: (full_w, full_h),
        orientation: Orientation::from_exif(u8::try_from(orientation).ok()?)?,
        icc: (has_icc == 1).then(|| icc.to_vec()),
        plain_jpeg: plain == 1,
    };
    Some((source, specs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{UPLOAD_VARIANTS, process};

    fn specs() -> Vec<VariantSpec> {
        UPLOAD_VARIANTS.iter().map(|(_, s)| *s).collect()
    }

    fn photo(width: u32, height: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([
                (x * 7 % 256) as u8,
                (y * 3 % 256) as u8,
                ((x + y) % 256) as u8,
            ])
        });
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    use image::ImageEncoder;

    #[test]
    fn shared_variants_are_the_same_bytes() {
        let input = photo(2400, 1500);
        let prepared = prepare(&input, &specs()).unwrap();
        assert!(prepared.shareable());
        let mut shared = vec![prepared.render_largest(&input).unwrap()];
        shared.extend(render_handoff(&prepared.handoff()).unwrap());
        assert_eq!(shared, process(&input, &specs()).unwrap());
        assert_eq!(prepared.render_rest(&input).unwrap(), shared[1..]);
    }

    /// A JPEG travels to the helper as its planes, and the helper's variants are still the
    /// bytes one worker makes.
    #[test]
    fn a_jpegs_planes_are_shared_as_they_are() {
        let rgb = RgbImage::from_fn(2400, 1500, |x, y| {
            image::Rgb([
                (x * 7 % 256) as u8,
                (y * 3 % 256) as u8,
                ((x + y) % 256) as u8,
            ])
        });
        let mut input = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut input, 90)
            .write_image(rgb.as_raw(), 2400, 1500, image::ExtendedColorType::Rgb8)
            .unwrap();
        let prepared = prepare(&input, &specs()).unwrap();
        assert!(matches!(prepared.largest.pixels, Picture::YCbCr(_)));
        let mut shared = vec![prepared.render_largest(&input).unwrap()];
        shared.extend(render_handoff(&prepared.handoff()).unwrap());
        assert_eq!(shared, process(&input, &specs()).unwrap());
    }

    /// An RGB photo already at the display size (a cut-out PNG: nothing to resize before the
    /// display is encoded) is handed over as planes, half the bytes, odd sizes included, and
    /// the variants are still the bytes one worker makes.
    #[test]
    fn rgb_is_handed_over_as_planes() {
        let input = photo(1601, 1201);
        let prepared = prepare(&input, &specs()).unwrap();
        assert!(prepared.shareable());
        assert!(matches!(prepared.largest.pixels, Picture::YCbCr(_)));
        let handoff = prepared.handoff();
        let planes = 1601 * 1201 + 2 * 801 * 601;
        assert!(handoff.len() < planes + 1000, "{} bytes", handoff.len());
        let mut shared = vec![prepared.render_largest(&input).unwrap()];
        shared.extend(render_handoff(&handoff).unwrap());
        assert_eq!(shared, process(&input, &specs()).unwrap());
    }

    #[test]
    fn small_photos_are_not_shared() {
        let input = photo(600, 400);
        assert!(!prepare(&input, &specs()).unwrap().shareable());
    }

    #[test]
    fn a_cut_handoff_is_refused() {
        let input = photo(1400, 900);
        let handoff = prepare(&input, &specs()).unwrap().handoff();
        for cut in [0, 10, HEADER * 4 + 3, handoff.len() - 1] {
            assert!(matches!(
                render_handoff(&handoff[..cut]),
                Err(PipelineError::Corrupt(_))
            ));
        }
    }
}
