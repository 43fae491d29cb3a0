//! The pipeline's WebAssembly face, for `js/worker.js`. The page never loads this module: each
//! Web Worker of the upload pool does, so decoding a 24 MP photo never blocks the page.

use js_sys::{Array, Object, Reflect, Uint8Array};
use pipeline::{Rendition, UPLOAD_VARIANTS, Variant, VariantSpec};
use wasm_bindgen::prelude::*;

/// Turns one photo into its upload variants, largest first: an array of
/// `{variant, bytes, width, height, contentType, sha256}`. `only` names a single variant (benchmarks).
/// A refused photo throws an `Error` whose message is written for the seller.
#[wasm_bindgen]
pub fn process(input: &[u8], only: Option<String>) -> Result<Array, JsError> {
    let (chosen, specs) = chosen(only.as_deref())?;
    let renditions = pipeline::process(input, &specs).map_err(refused)?;
    variants(&chosen, renditions)
}

/// The variants asked for (all of them, or the one `only` names: benchmarks), and their specs.
fn chosen(only: Option<&str>) -> Result<(Vec<Variant>, Vec<VariantSpec>), JsError> {
    let (chosen, specs): (Vec<Variant>, Vec<VariantSpec>) = UPLOAD_VARIANTS
        .iter()
        .filter(|(variant, _)| only.is_none_or(|o| o == variant.as_str()))
        .copied()
        .unzip();
    if chosen.is_empty() {
        return Err(JsError::new("unknown variant"));
    }
    Ok((chosen, specs))
}

fn variants(chosen: &[Variant], renditions: Vec<Rendition>) -> Result<Array, JsError> {
    let out = Array::new();
    for (variant, rendition) in chosen.iter().zip(renditions) {
        out.push(&to_js(*variant, rendition)?.into());
    }
    Ok(out)
}

/// A photo decoded and resized to its display variant, whose smaller variants a helper worker
/// can make while this one encodes the display (see `pipeline::handoff`).
#[wasm_bindgen]
pub struct SharedPhoto(pipeline::handoff::Prepared);

/// Starts a photo to be shared with a helper: `undefined` when sharing would not pay (a small
/// photo, or one passed through as it is): [`process`] it instead.
#[wasm_bindgen(js_name = prepareShared)]
pub fn prepare_shared(input: &[u8]) -> Result<Option<SharedPhoto>, JsError> {
    let (_, specs) = chosen(None)?;
    let prepared = pipeline::handoff::prepare(input, &specs).map_err(refused)?;
    Ok(prepared.shareable().then_some(SharedPhoto(prepared)))
}

#[wasm_bindgen]
impl SharedPhoto {
    /// What the helper needs, to post to it (see [`render_handoff`]).
    pub fn handoff(&self) -> Vec<u8> {
        self.0.handoff()
    }

    /// The display variant: `[variant]`.
    pub fn display(&self, input: &[u8]) -> Result<Array, JsError> {
        let display = self.0.render_largest(input).map_err(refused)?;
        variants(&UPLOAD_VARIANTS_ORDER[..1], vec![display])
    }

    /// The smaller variants made here, when the helper cannot: `[medium, thumb]`.
    pub fn rest(&self, input: &[u8]) -> Result<Array, JsError> {
        let rest = self.0.render_rest(input).map_err(refused)?;
        variants(&UPLOAD_VARIANTS_ORDER[1..], rest)
    }
}

/// The helper's side of a shared photo: `[medium, thumb]` from a [`SharedPhoto::handoff`].
#[wasm_bindgen(js_name = renderHandoff)]
pub fn render_handoff(handoff: &[u8]) -> Result<Array, JsError> {
    let rest = pipeline::handoff::render_handoff(handoff).map_err(refused)?;
    variants(&UPLOAD_VARIANTS_ORDER[1..], rest)
}

/// The upload variants, largest first.
const UPLOAD_VARIANTS_ORDER: [Variant; 3] = [
    UPLOAD_VARIANTS[0].0,
    UPLOAD_VARIANTS[1].0,
    UPLOAD_VARIANTS[2].0,
];

fn refused(e: pipeline::PipelineError) -> JsError {
    JsError::new(&e.to_string())
}

/// A HEIC photo's decode shared with a helper worker (see `pipeline::heif::tiles`): how many
/// tiles it splits into, 0 when it must be decoded whole by [`process`].
#[cfg(feature = "heif")]
#[wasm_bindgen(js_name = heicTiles)]
pub fn heic_tiles(input: &[u8]) -> Result<u32, JsError> {
    pipeline::heif::tiles::shareable_tiles(input).map_err(refused)
}

/// Decodes tiles `from..to` of a shareable HEIC photo: the helper's half, or this worker's.
#[cfg(feature = "heif")]
#[wasm_bindgen(js_name = heicDecodeTiles)]
pub fn heic_decode_tiles(input: &[u8], from: u32, to: u32) -> Result<Vec<u8>, JsError> {
    pipeline::heif::tiles::decode_tiles(input, from, to).map_err(refused)
}

/// [`process`] for a shareable HEIC photo whose tiles are decoded: `first` then `rest`, in
/// the grid's order.
#[cfg(feature = "heif")]
#[wasm_bindgen(js_name = processHeicTiles)]
pub fn process_heic_tiles(
    input: &[u8],
    first: &[u8],
    rest: &[u8],
    only: Option<String>,
) -> Result<Array, JsError> {
    let (chosen, specs) = chosen(only.as_deref())?;
    let source = pipeline::heif::tiles::assemble(input, &[first, rest]).map_err(refused)?;
    let renditions = pipeline::render(input, &source, &specs).map_err(refused)?;
    variants(&chosen, renditions)
}

/// Where the display variant's time goes, in this browser: `{decode, resize, orient, encode}`
/// in milliseconds, timed with `now` (the benchmark passes `performance.now`). Native
/// profiles only guess at WebAssembly's costs, and that guess decides what to optimise.
#[wasm_bindgen]
pub fn stages(input: &[u8], now: &js_sys::Function) -> Result<Object, JsError> {
    use pipeline::{decode, encode, orient, resize};
    let clock = || {
        now.call0(&JsValue::UNDEFINED)
            .ok()
            .and_then(|t| t.as_f64())
            .unwrap_or(f64::NAN)
    };
    let display = UPLOAD_VARIANTS[0].1.max_side;
    let t0 = clock();
    let decoded = decode::decode(input, display).map_err(refused)?;
    let t1 = clock();
    let (w, h) = decoded.full_size;
    let size = resize::fitted_size(w, h, display);
    let resized = resize::resize_picture(&decoded.pixels, size).map_err(refused)?;
    let t2 = clock();
    let oriented = orient::orient_picture(&resized, decoded.orientation);
    let t3 = clock();
    encode::jpeg_picture(&oriented, pipeline::JPEG_QUALITY, decoded.icc.as_deref())
        .map_err(refused)?;
    let t4 = clock();
    let object = Object::new();
    for (key, ms) in [
        ("decode", t1 - t0),
        ("resize", t2 - t1),
        ("orient", t3 - t2),
        ("encode", t4 - t3),
    ] {
        Reflect::set(&object, &key.into(), &ms.into())
            .map_err(|_| JsError::new("could not build the result"))?;
    }
    Ok(object)
}

/// Whether a file starting with `head` (its first 16 bytes are enough) is a HEIC/HEIF photo,
/// which only the HEIC module decodes: worker.js asks the usual module before choosing.
#[wasm_bindgen(js_name = needsHeic)]
pub fn needs_heic(head: &[u8]) -> bool {
    pipeline::is_heif(head)
}

/// Bytes of WebAssembly memory this worker holds: linear memory never shrinks, so this is the
/// peak so far (the benchmark reports it).
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    let buffer: js_sys::ArrayBuffer = memory.buffer().unchecked_into();
    f64::from(buffer.byte_length())
}

fn to_js(variant: Variant, rendition: Rendition) -> Result<Object, JsError> {
    let object = Object::new();
    let set = |key: &str, value: JsValue| {
        Reflect::set(&object, &key.into(), &value)
            .map(drop)
            .map_err(|_| JsError::new("could not build the result"))
    };
    set("variant", variant.as_str().into())?;
    // A copy out of WebAssembly memory, so the worker can transfer it to the page.
    set("bytes", Uint8Array::from(rendition.bytes.as_slice()).into())?;
    set("width", rendition.width.into())?;
    set("height", rendition.height.into())?;
    set("contentType", rendition.content_type.mime().into())?;
    // Declared to the server and pinned in the signed upload: the store and complete_upload
    // check that the bytes they hold are these.
    set(
        "sha256",
        pipeline::checksum::sha256(&rendition.bytes)
            .to_base64()
            .into(),
    )?;
    Ok(object)
}
