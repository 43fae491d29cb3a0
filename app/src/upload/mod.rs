//! The uploader. Each chosen file goes through the same four steps as a direct upload in
//! Rails' Active Storage: process (shrink in WebAssembly) → begin (ask the app for a signed
//! form) → transfer (send the bytes straight to the bucket) → complete (the app verifies and
//! registers the image). `direct_upload` runs them in order and reports each state change.

mod server;
pub use server::{BeginUpload, CompleteUpload, begin_upload, complete_upload};

#[cfg(feature = "hydrate")]
mod direct_upload;
#[cfg(feature = "hydrate")]
mod process;
#[cfg(feature = "hydrate")]
mod transfer;

use leptos::prelude::*;

/// Where one file is in the chain (`data-state` in the page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadState {
    Queued,
    Processing,
    Uploading,
    Verifying,
    Done,
    Failed,
}

impl UploadState {
    pub fn as_str(self) -> &'static str {
        match self {
            UploadState::Queued => "queued",
            UploadState::Processing => "processing",
            UploadState::Uploading => "uploading",
            UploadState::Verifying => "verifying",
            UploadState::Done => "done",
            UploadState::Failed => "failed",
        }
    }

    fn label(self) -> &'static str {
        match self {
            UploadState::Queued => "Waiting",
            UploadState::Processing => "Shrinking the photo…",
            UploadState::Uploading => "Uploading…",
            UploadState::Verifying => "Checking…",
            UploadState::Done => "Uploaded",
            UploadState::Failed => "Failed",
        }
    }
}

/// One chosen file and what the page shows of it.
#[derive(Clone, Copy)]
pub struct UploadItem {
    key: usize,
    name: StoredValue<String>,
    state: RwSignal<UploadState>,
    /// 0–100, never going backwards.
    progress: RwSignal<u8>,
    error: RwSignal<Option<String>>,
}

impl UploadItem {
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn new(key: usize, name: String) -> Self {
        Self {
            key,
            name: StoredValue::new(name),
            state: RwSignal::new(UploadState::Queued),
            progress: RwSignal::new(0),
            error: RwSignal::new(None),
        }
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn advance(&self, state: UploadState, progress: u8) {
        self.state.set(state);
        self.progress.update(|p| *p = (*p).max(progress.min(100)));
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn fail(&self, message: String) {
        self.error.set(Some(message));
        self.state.set(UploadState::Failed);
    }
}

/// File types offered by the picker. Listing them (rather than `image/*`) makes iPhones hand
/// over JPEG instead of HEIC.
const ACCEPT: &str = "image/jpeg,image/png,image/webp,image/tiff,image/gif";

#[component]
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
pub fn Uploader(product_id: i64, uploaded: RwSignal<u32>) -> impl IntoView {
    let items = RwSignal::new(Vec::<UploadItem>::new());
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let files: Vec<web_sys::File> = input
                .files()
                .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
                .unwrap_or_default();
            // Choosing the same file again must fire `change` again.
            input.set_value("");
            let start = items.with_untracked(Vec::len);
            let batch: Vec<(UploadItem, web_sys::File)> = files
                .into_iter()
                .enumerate()
                .map(|(i, file)| (UploadItem::new(start + i, file.name()), file))
                .collect();
            items.update(|list| list.extend(batch.iter().map(|(item, _)| *item)));
            direct_upload::run_batch(product_id, batch, move || uploaded.update(|n| *n += 1));
        }
    };

    view! {
        <section class="uploader" aria-labelledby="uploader-title">
            <h2 id="uploader-title">"Add photos"</h2>
            <label class="dropzone">
                <input type="file" multiple accept=ACCEPT data-testid="upload-input" on:change=on_change/>
                <span class="button dropzone-button" aria-hidden="true">"Choose photos"</span>
                <span class="dropzone-text">
                    "JPEG, PNG, WebP, TIFF or GIF. Photos are shrunk and cleaned of location data on this device before upload."
                </span>
            </label>
            <ul class="upload-list" aria-live="polite">
                <For each=move || items.get() key=|item| item.key children=move |item| view! { <UploadRow item/> }/>
            </ul>
        </section>
    }
}

#[component]
fn UploadRow(item: UploadItem) -> impl IntoView {
    let name = item.name.get_value();
    view! {
        <li class="upload-item" data-testid="upload-item" data-state=move || item.state.get().as_str()>
            <span class="upload-name" title=name.clone()>{name.clone()}</span>
            <div class="progress" data-testid="upload-progress" role="progressbar"
                aria-label=format!("{name}: upload progress") aria-valuemin="0" aria-valuemax="100"
                aria-valuenow=move || item.progress.get().to_string()>
                <div class="progress-bar" style:width=move || format!("{}%", item.progress.get())></div>
            </div>
            <span class="upload-status">{move || item.state.get().label()}</span>
            {move || item.error.get().map(|e| view! { <p class="upload-error" data-testid="upload-error" role="alert">{e}</p> })}
        </li>
    }
}
