//! The uploader. Each chosen file goes through the same four steps as a direct upload in
//! Rails' Active Storage: process (shrink in WebAssembly, in a Web Worker) → begin (ask the
//! app for a signed form) → transfer (send the bytes straight to the bucket) → complete (the
//! app verifies and registers the image). `direct_upload` runs them in order and reports each
//! state change; `queue` keeps several files in flight, and `process`'s worker pool limits how
//! many are shrunk at once.

mod server;
pub use server::{
    BeginUpload, CancelUpload, CompleteUpload, begin_upload, cancel_upload, complete_upload,
};

#[cfg(feature = "hydrate")]
mod direct_upload;
#[cfg(feature = "hydrate")]
mod process;
#[cfg(feature = "hydrate")]
mod queue;
#[cfg(feature = "hydrate")]
mod timer;
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
    Cancelled,
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
            UploadState::Cancelled => "cancelled",
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
            UploadState::Cancelled => "Cancelled",
        }
    }

    /// Still on its way: cancel makes sense.
    fn is_active(self) -> bool {
        matches!(
            self,
            UploadState::Queued
                | UploadState::Processing
                | UploadState::Uploading
                | UploadState::Verifying
        )
    }
}

/// One chosen file and what the page shows of it.
#[derive(Clone, Copy)]
pub struct UploadItem {
    key: usize,
    name: StoredValue<String>,
    state: RwSignal<UploadState>,
    /// 0–100; within one attempt it never goes backwards.
    progress: RwSignal<u8>,
    error: RwSignal<Option<String>>,
    /// The seller pressed cancel; the running attempt stops at its next step.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    cancel_requested: RwSignal<bool>,
    #[cfg(feature = "hydrate")]
    file: StoredValue<web_sys::File, LocalStorage>,
    /// The transfer in flight, so cancel can abort it at once.
    #[cfg(feature = "hydrate")]
    request: StoredValue<Option<web_sys::XmlHttpRequest>, LocalStorage>,
}

#[cfg(feature = "hydrate")]
impl UploadItem {
    fn new(key: usize, file: web_sys::File) -> Self {
        Self {
            key,
            name: StoredValue::new(file.name()),
            state: RwSignal::new(UploadState::Queued),
            progress: RwSignal::new(0),
            error: RwSignal::new(None),
            cancel_requested: RwSignal::new(false),
            file: StoredValue::new_local(file),
            request: StoredValue::new_local(None),
        }
    }

    fn advance(&self, state: UploadState, progress: u8) {
        self.state.set(state);
        self.progress.update(|p| *p = (*p).max(progress.min(100)));
    }

    fn fail(&self, message: String) {
        self.error.set(Some(message));
        self.state.set(UploadState::Failed);
    }

    fn cancelled(&self) -> bool {
        self.cancel_requested.get_untracked()
    }

    /// Stops the upload at once: aborts its transfer, or takes it out of the queue.
    fn cancel(&self) {
        self.cancel_requested.set(true);
        if let Some(request) = self.request.get_value() {
            let _ = request.abort();
        }
        if self.state.get_untracked() == UploadState::Queued {
            self.state.set(UploadState::Cancelled);
        }
    }

    /// Makes a failed or cancelled item ready for a fresh attempt.
    fn reset(&self) {
        self.cancel_requested.set(false);
        self.error.set(None);
        self.progress.set(0);
        self.state.set(UploadState::Queued);
    }
}

/// File types offered by the picker. Listing them (rather than `image/*`) makes iPhones hand
/// over JPEG instead of HEIC.
const ACCEPT: &str = "image/jpeg,image/png,image/webp,image/tiff,image/gif";

#[component]
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
pub fn Uploader(product_id: i64, uploaded: RwSignal<u32>) -> impl IntoView {
    let items = RwSignal::new(Vec::<UploadItem>::new());
    #[cfg(feature = "hydrate")]
    let runner = StoredValue::new_local(queue::Queue::new(product_id, move || {
        uploaded.update(|n| *n += 1)
    }));
    #[cfg(feature = "hydrate")]
    let add_files = move |files: Vec<web_sys::File>| {
        let start = items.with_untracked(Vec::len);
        let added: Vec<UploadItem> = files
            .into_iter()
            .enumerate()
            .map(|(i, file)| UploadItem::new(start + i, file))
            .collect();
        items.update(|list| list.extend(added.iter().copied()));
        runner.with_value(|q| q.push(added));
    };
    #[cfg(feature = "hydrate")]
    let retry = Callback::new(move |item: UploadItem| {
        item.reset();
        runner.with_value(|q| q.push(vec![item]));
    });
    #[cfg(not(feature = "hydrate"))]
    let retry = Callback::new(|_: UploadItem| {});

    #[cfg(feature = "hydrate")]
    {
        // Pasted images (a screenshot, a copied photo) are uploaded like chosen ones.
        let handle = window_event_listener(leptos::ev::paste, move |ev| {
            let files = ev
                .clipboard_data()
                .and_then(|data| data.files())
                .map(file_list)
                .unwrap_or_default();
            if !files.is_empty() {
                ev.prevent_default();
                add_files(files);
            }
        });
        on_cleanup(move || handle.remove());
    }

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
            let files = input.files().map(file_list).unwrap_or_default();
            // Choosing the same file again must fire `change` again.
            input.set_value("");
            add_files(files);
        }
    };
    let dragging = RwSignal::new(false);
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        #[cfg(feature = "hydrate")]
        add_files(
            ev.data_transfer()
                .and_then(|d| d.files())
                .map(file_list)
                .unwrap_or_default(),
        );
    };

    let summary = move || {
        items.with(|list| {
            let wanted = list
                .iter()
                .filter(|i| i.state.get() != UploadState::Cancelled)
                .count();
            let done = list
                .iter()
                .filter(|i| i.state.get() == UploadState::Done)
                .count();
            let failed = list
                .iter()
                .filter(|i| i.state.get() == UploadState::Failed)
                .count();
            match (wanted, failed) {
                (0, _) => String::new(),
                (_, 0) => format!("{done} of {wanted} uploaded"),
                _ => format!("{done} of {wanted} uploaded, {failed} failed"),
            }
        })
    };

    view! {
        <section class="uploader" aria-labelledby="uploader-title">
            <h2 id="uploader-title">"Add photos"</h2>
            <label class="dropzone" class:dragging=move || dragging.get() data-testid="upload-dropzone"
                on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop>
                <input type="file" multiple accept=ACCEPT data-testid="upload-input" on:change=on_change/>
                <span class="button dropzone-button" aria-hidden="true">"Choose photos"</span>
                <span class="dropzone-text">
                    "Or drop or paste them here. JPEG, PNG, WebP, TIFF or GIF: photos are shrunk and cleaned of location data on this device before upload."
                </span>
            </label>
            <p class="upload-summary" role="status" aria-live="polite" data-testid="upload-summary">{summary}</p>
            <ul class="upload-list">
                <For each=move || items.get() key=|item| item.key children=move |item| view! { <UploadRow item retry/> }/>
            </ul>
        </section>
    }
}

#[cfg(feature = "hydrate")]
fn file_list(list: web_sys::FileList) -> Vec<web_sys::File> {
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

#[component]
fn UploadRow(item: UploadItem, retry: Callback<UploadItem>) -> impl IntoView {
    let name = item.name.get_value();
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let cancel = move |_| {
        #[cfg(feature = "hydrate")]
        item.cancel();
    };
    view! {
        <li class="upload-item" data-testid="upload-item" data-state=move || item.state.get().as_str()>
            <span class="upload-name" title=name.clone()>{name.clone()}</span>
            <div class="progress" data-testid="upload-progress" role="progressbar"
                aria-label=format!("{name}: upload progress") aria-valuemin="0" aria-valuemax="100"
                aria-valuenow=move || item.progress.get().to_string()>
                <div class="progress-bar" style:width=move || format!("{}%", item.progress.get())></div>
            </div>
            <span class="upload-status">
                {move || item.state.get().label()}
                {move || item.state.get().is_active().then(|| view! {
                    <button class="icon" data-testid="upload-cancel" aria-label=format!("Cancel {}", item.name.get_value())
                        on:click=cancel>"Cancel"</button>
                })}
                {move || matches!(item.state.get(), UploadState::Failed | UploadState::Cancelled).then(|| view! {
                    <button class="icon" data-testid="upload-retry" aria-label=format!("Retry {}", item.name.get_value())
                        on:click=move |_| retry.run(item)>"Retry"</button>
                })}
            </span>
            {move || item.error.get().map(|e| view! { <p class="upload-error" data-testid="upload-error" role="alert">{e}</p> })}
        </li>
    }
}
