//! An iPhone photo's decode shared between workers. iPhones store a photo as a grid of 512 px
//! HEVC tiles, and decoding them is nearly all of the work (779 of 860 ms on a 12 MP photo in
//! Chromium), while a Web Worker has one thread. So the photo worker decodes half the tiles
//! and a helper worker the other half ([`decode_tiles`]), and then [`assemble`] joins them
//! and turns the picture as the file says.
//!
//! Only the plain case is shared: a grid of coded tiles with no alpha, turned or mirrored but
//! not cropped, with an RGB ICC profile (which is carried, so no colour conversion is due).
//! Any other file is decoded whole, by [`super::decode`], as before.

use heifer::color::{ColorParams, frame_to_rgba_into};
use heifer::heifer_hevc_dec::decoder::{DecodeOptions, decode_picture};
use heifer::heifer_isobmff::boxes::{ColorInfo, Property};
use heifer::heifer_isobmff::{HeifFile, ItemId};
use image::metadata::Orientation;
use image::{RgbImage, imageops};

use crate::decoded::Decoded;
use crate::picture::Picture;
use crate::{MAX_INPUT_PIXELS, PipelineError};

/// How a shareable photo is laid out.
struct Grid {
    tiles: Vec<ItemId>,
    columns: u32,
    tile_size: (u32, u32),
    /// The grid's size before its turns.
    size: (u32, u32),
    turns: Vec<Turn>,
    icc: Vec<u8>,
}

/// A transform the file asks for, in the order it lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Turn {
    /// `irot`: quarters anti-clockwise.
    Rotate(u8),
    /// `imir`: `true` flips top to bottom, `false` left to right.
    Mirror(bool),
}

/// How many tiles `input` can be decoded as, in parts: 0 when it must be decoded whole.
pub fn shareable_tiles(input: &[u8]) -> Result<u32, PipelineError> {
    let file = HeifFile::parse(input).map_err(corrupt)?;
    Ok(grid(&file)?.map_or(0, |g| g.tiles.len() as u32))
}

/// Decodes tiles `from..to` (in the grid's order) to RGB, each cut to the part of the grid it
/// covers, one after the other in one buffer: what a helper worker sends back.
pub fn decode_tiles(input: &[u8], from: u32, to: u32) -> Result<Vec<u8>, PipelineError> {
    let file = HeifFile::parse(input).map_err(corrupt)?;
    let grid = grid(&file)?.ok_or_else(not_shareable)?;
    if from > to || to as usize > grid.tiles.len() {
        return Err(PipelineError::Corrupt(
            "tiles asked for are not in the grid".into(),
        ));
    }
    let mut out = Vec::with_capacity((from..to).map(|i| grid.place(i).bytes()).sum());
    for i in from..to {
        let place = grid.place(i);
        let rgba = decode_tile(&file, grid.tiles[i as usize], &place, grid.tile_size)?;
        out.extend(rgba.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]));
    }
    Ok(out)
}

/// One coded tile to RGBA at 8 bits, as heifer decodes a grid's tiles: the HEVC picture, in
/// the colours of its `colr` (nclx) or else of its stream, converted only where the grid
/// shows it (the chroma at a cut edge is read as heifer reads it, so the pixels are its own).
fn decode_tile(
    file: &HeifFile<'_>,
    tile: ItemId,
    place: &Place,
    (tw, th): (u32, u32),
) -> Result<Vec<u8>, PipelineError> {
    let stream = file.hevc_bitstream(tile).map_err(corrupt)?;
    // No bigger than the tile the grid says, give or take a coding block: a tile's stream may
    // declare any size, and a small file can repeat a huge one tile after tile.
    let options = DecodeOptions {
        max_pixels: u64::from(tw.div_ceil(64) * 64) * u64::from(th.div_ceil(64) * 64),
        ..Default::default()
    };
    let frame =
        decode_picture(&stream, options).map_err(|e| super::heif_error(heifer::Error::from(e)))?;
    let (w, h) = (place.w as usize, place.h as usize);
    if (frame.widths[0] as usize) < w || (frame.heights[0] as usize) < h {
        return Err(PipelineError::Corrupt(
            "a tile is smaller than the grid says".into(),
        ));
    }
    let params = file
        .item_properties(tile)
        .map_err(corrupt)?
        .find_map(|p| match p {
            Property::Color(ColorInfo::Nclx {
                matrix, full_range, ..
            }) => Some(ColorParams {
                matrix: *matrix,
                full_range: *full_range,
            }),
            _ => None,
        })
        .unwrap_or_else(|| ColorParams::from_frame(&frame));
    let mut rgba = vec![0u8; w * h * 4];
    let mut rows: Vec<&mut [u8]> = rgba.chunks_exact_mut(w * 4).collect();
    frame_to_rgba_into(&frame, params, &mut rows, w, h);
    Ok(rgba)
}

/// Joins the decoded tiles (`parts`, in the grid's order, all of them) into the photo, turned
/// as the file says, with its colour profile.
pub fn assemble(input: &[u8], parts: &[&[u8]]) -> Result<Decoded, PipelineError> {
    let file = HeifFile::parse(input).map_err(corrupt)?;
    let grid = grid(&file)?.ok_or_else(not_shareable)?;
    let wrong = || PipelineError::Corrupt("the decoded tiles do not make up the grid".into());
    let (width, height) = grid.size;
    let mut raw = vec![0u8; width as usize * height as usize * 3];
    let stride = width as usize * 3;
    let mut parts = parts.iter().copied().filter(|p| !p.is_empty());
    let mut part = parts.next().unwrap_or_default();
    for i in 0..grid.tiles.len() as u32 {
        let place = grid.place(i);
        // A tile never spans two parts.
        let (tile, after) = part.split_at_checked(place.bytes()).ok_or_else(wrong)?;
        part = if after.is_empty() {
            parts.next().unwrap_or_default()
        } else {
            after
        };
        let line = place.w as usize * 3;
        for (row, pixels) in tile.chunks_exact(line).enumerate() {
            let at = (place.y as usize + row) * stride + place.x as usize * 3;
            raw[at..at + line].copy_from_slice(pixels);
        }
    }
    if !part.is_empty() || parts.next().is_some() {
        return Err(wrong());
    }
    let mut canvas = RgbImage::from_raw(width, height, raw).ok_or_else(wrong)?;
    for turn in &grid.turns {
        canvas = apply(canvas, *turn);
    }
    let full_size = canvas.dimensions();
    Ok(Decoded {
        pixels: Picture::Rgb(canvas),
        full_size,
        orientation: Orientation::NoTransforms,
        icc: Some(grid.icc),
        plain_jpeg: false,
    })
}

/// Where a tile goes in the grid, cut by the grid's size (the right and bottom tiles are).
struct Place {
    x: u32,
    y: u32,
    w: u32,
    h: u32,
}

impl Place {
    fn bytes(&self) -> usize {
        self.w as usize * self.h as usize * 3
    }
}

impl Grid {
    fn place(&self, i: u32) -> Place {
        let (tw, th) = self.tile_size;
        let (x, y) = ((i % self.columns) * tw, (i / self.columns) * th);
        Place {
            x,
            y,
            w: tw.min(self.size.0 - x),
            h: th.min(self.size.1 - y),
        }
    }
}

fn apply(image: RgbImage, turn: Turn) -> RgbImage {
    match turn {
        Turn::Rotate(q) => match q % 4 {
            1 => imageops::rotate270(&image),
            2 => imageops::rotate180(&image),
            3 => imageops::rotate90(&image),
            _ => image,
        },
        Turn::Mirror(true) => imageops::flip_vertical(&image),
        Turn::Mirror(false) => imageops::flip_horizontal(&image),
    }
}

/// The grid, when the photo is the plain case this module shares; `None` otherwise.
fn grid(file: &HeifFile<'_>) -> Result<Option<Grid>, PipelineError> {
    super::check_derivations(file)?;
    let id = file.primary_id;
    if file.item(id).map_err(corrupt)?.item_type.0 != *b"grid"
        || !file.referencing_items(id, b"auxl").is_empty()
    {
        return Ok(None);
    }
    let layout = file.grid(id).map_err(corrupt)?;
    let tiles = file.referenced_items(id, b"dimg").to_vec();
    let (columns, rows) = (u32::from(layout.columns), u32::from(layout.rows));
    let Some(&first) = tiles.first() else {
        return Ok(None);
    };
    let Some(tile_size @ (tw, th)) = file.image_size(first).map_err(corrupt)? else {
        return Ok(None);
    };
    let size = (layout.output_width, layout.output_height);
    let pixels = |(w, h): (u32, u32)| u64::from(w) * u64::from(h);
    if tiles.len() as u64 != u64::from(columns) * u64::from(rows)
        || pixels(size) == 0
        || pixels(size) > MAX_INPUT_PIXELS
        || pixels(tile_size) == 0
        // Every tile shows at least one pixel, and the tiles cover the grid.
        || u64::from(tw) * u64::from(columns - 1) >= u64::from(size.0)
        || u64::from(th) * u64::from(rows - 1) >= u64::from(size.1)
        || u64::from(tw) * u64::from(columns) < u64::from(size.0)
        || u64::from(th) * u64::from(rows) < u64::from(size.1)
    {
        // heifer's own decode refuses these with its reasons.
        return Ok(None);
    }
    for &tile in &tiles {
        let plain = file.item(tile).map_err(corrupt)?.item_type.0 == *b"hvc1"
            && file.image_size(tile).map_err(corrupt)? == Some(tile_size)
            && file.referencing_items(tile, b"auxl").is_empty()
            && !file.item_properties(tile).map_err(corrupt)?.any(|p| {
                matches!(
                    p,
                    Property::Rotation(_) | Property::Mirror(_) | Property::CleanAperture { .. }
                )
            });
        if !plain {
            return Ok(None);
        }
    }
    let mut turns = Vec::new();
    for property in file.item_properties(id).map_err(corrupt)? {
        match *property {
            Property::Rotation(q) => turns.push(Turn::Rotate(q)),
            Property::Mirror(top_bottom) => turns.push(Turn::Mirror(top_bottom)),
            Property::CleanAperture { .. } => return Ok(None),
            _ => {}
        }
    }
    let Some(icc) = super::rgb_profile(file, id) else {
        return Ok(None);
    };
    Ok(Some(Grid {
        tiles,
        columns,
        tile_size,
        size,
        turns,
        icc,
    }))
}

fn corrupt(err: impl std::fmt::Display) -> PipelineError {
    PipelineError::Corrupt(err.to_string())
}

fn not_shareable() -> PipelineError {
    PipelineError::Corrupt("this photo's decode cannot be shared".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The turns match heifer's own, on a picture where every pixel differs.
    #[test]
    fn turns_match_heifers() {
        let (w, h) = (3u32, 2u32);
        let value = |x: u32, y: u32| (y * w + x) as u16 * 10;
        let mut theirs = heifer::Image::filled(w, h, 8, [0, 0, 0, 255]);
        for y in 0..h {
            for x in 0..w {
                let i = ((y * w + x) * 4) as usize;
                theirs.data[i..i + 3].fill(value(x, y));
            }
        }
        let ours = RgbImage::from_fn(w, h, |x, y| image::Rgb([value(x, y) as u8; 3]));
        for turn in [
            Turn::Rotate(1),
            Turn::Rotate(2),
            Turn::Rotate(3),
            Turn::Mirror(true),
            Turn::Mirror(false),
        ] {
            let expected = match turn {
                Turn::Rotate(q) => theirs.rotate_ccw(q),
                Turn::Mirror(tb) => theirs.mirror(tb),
            };
            let got = apply(ours.clone(), turn);
            assert_eq!(
                got.dimensions(),
                (expected.width, expected.height),
                "{turn:?}"
            );
            assert_eq!(got.into_raw(), expected.to_rgb8(), "{turn:?}");
        }
    }
}
