//! The uploader panel: choose, drop or paste photos; one row per file with its progress,
//! Cancel and Retry.

use leptos::prelude::*;

use super::item::{UploadItem, UploadState};
#[cfg(feature = "hydrate")]
use super::queue;

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
    let add_files = move |files: Vec<gloo_file::File>| {
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
fn file_list(list: web_sys::FileList) -> Vec<gloo_file::File> {
    gloo_file::FileList::from(list).to_vec()
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
            {move || item.waiting.get().map(|w| view! { <p class="upload-waiting" data-testid="upload-waiting" role="status">{w}</p> })}
            {move || item.error.get().map(|e| view! { <p class="upload-error" data-testid="upload-error" role="alert">{e}</p> })}
        </li>
    }
}
