//! Reads the chosen file and runs the image pipeline on it.

use pipeline::Rendition;

pub use pipeline::UPLOAD_VARIANTS as VARIANTS;

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
