//! Reads the chosen file and runs the image pipeline on it.

use pipeline::{Rendition, VariantSpec};

/// The variants uploaded for every photo, with the longest side of each (see `domain::Variant`).
pub const VARIANTS: [(&str, VariantSpec); 3] = [
    ("display", VariantSpec { max_side: 2048 }),
    ("medium", VariantSpec { max_side: 1024 }),
    ("thumb", VariantSpec { max_side: 400 }),
];

pub async fn renditions(file: web_sys::File) -> Result<Vec<Rendition>, String> {
    let blob = gloo_file::Blob::from(file);
    let bytes = gloo_file::futures::read_as_bytes(&blob)
        .await
        .map_err(|e| format!("The file could not be read ({e}). Choose it again."))?;
    // Let the page paint "processing" before the (blocking) decode starts.
    next_tick().await;
    let specs = VARIANTS.map(|(_, spec)| spec);
    pipeline::process(&bytes, &specs).map_err(|e| e.to_string())
}

async fn next_tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 16);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
