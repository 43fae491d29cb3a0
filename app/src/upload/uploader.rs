//! The uploader panel: choose, drop or paste photos; one row per file with its progress,
//! Cancel and Retry. Photos an earlier page left unfinished (a reload, a crashed tab) come
//! back from the journal when the product is first opened, and go on where they stopped. The
//! rows are the product's [`Desk`]'s, which outlives the page.

use leptos::prelude::*;

use leptos::wasm_bindgen::JsCast;
use leptos::web_sys;

use super::desk::Desk;
use super::item::{UploadItem, UploadState};
use crate::components::keyboard;

/// File types offered by the picker: HEIC by its extensions, so a computer's picker offers
/// iPhone photos copied from a phone (the worker's HEIC module decodes them). Listed rather
/// than `image/*`, which would offer formats the pipeline refuses.
const ACCEPT: &str = "image/jpeg,image/png,image/webp,image/tiff,image/gif,.heic,.heif";

#[component]
pub fn Uploader(desk: Desk) -> impl IntoView {
    let Desk { items, resumed, .. } = desk;
    let input_ref = NodeRef::<leptos::html::Input>::new();
    #[cfg(feature = "hydrate")]
    let add_files = move |files: Vec<gloo_file::File>| desk.add(files);
    #[cfg(feature = "hydrate")]
    let retry = Callback::new(move |item: UploadItem| desk.retry(item));
    #[cfg(not(feature = "hydrate"))]
    let retry = Callback::new(|_: UploadItem| {});
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let remove = Callback::new(move |item: UploadItem| {
        #[cfg(feature = "hydrate")]
        desk.dismiss(item);
        // The dismissed row took the focus with it: the next row's button has it, or the picker.
        keyboard::when_focus_is_lost(|| {
            if !keyboard::focus(".upload-item button") {
                keyboard::focus("[data-testid=upload-input]");
            }
        });
    });
    let choose_again = Callback::new(move |_: ()| {
        if let Some(input) = input_ref.get_untracked() {
            input.click();
        }
    });

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
            let count = |state: UploadState| list.iter().filter(|i| i.state.get() == state).count();
            let wanted = list.len() - count(UploadState::Cancelled);
            if wanted == 0 {
                return String::new();
            }
            let mut sentence = format!("{} of {wanted} uploaded", count(UploadState::Done));
            let (failed, unreadable) = (count(UploadState::Failed), count(UploadState::Unreadable));
            if failed > 0 {
                sentence.push_str(&format!(", {failed} failed"));
            }
            if unreadable > 0 {
                sentence.push_str(&format!(", {unreadable} to choose again"));
            }
            sentence
        })
    };

    view! {
        <section class="uploader" aria-labelledby="uploader-title">
            <h2 id="uploader-title">"Add photos"</h2>
            <label class="dropzone" class:dragging=move || dragging.get() data-testid="upload-dropzone"
                on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop>
                <input type="file" multiple accept=ACCEPT data-testid="upload-input" node_ref=input_ref on:change=on_change/>
                <span class="button dropzone-button" aria-hidden="true">"Choose photos"</span>
                <span class="dropzone-text">
                    "Or drop or paste them here. JPEG, PNG, WebP, TIFF, GIF or HEIC (iPhone): photos are shrunk and cleaned of location data on this device before upload."
                </span>
            </label>
            {move || (resumed.get() > 0).then(|| view! {
                <p class="upload-resumed" role="status" data-testid="upload-resumed">
                    {resumed_sentence(resumed.get())}
                </p>
            })}
            <p class="upload-summary" role="status" aria-live="polite" data-testid="upload-summary">{summary}</p>
            <ul class="upload-list">
                <For each=move || items.get() key=|item| item.key children=move |item| view! { <UploadRow item retry remove choose_again/> }/>
            </ul>
        </section>
    }
}

fn resumed_sentence(count: usize) -> String {
    match count {
        1 => "1 photo from before the page was reloaded goes on where it stopped.".into(),
        n => format!("{n} photos from before the page was reloaded go on where they stopped."),
    }
}

#[cfg(feature = "hydrate")]
fn file_list(list: web_sys::FileList) -> Vec<gloo_file::File> {
    gloo_file::FileList::from(list).to_vec()
}

#[component]
fn UploadRow(
    item: UploadItem,
    retry: Callback<UploadItem>,
    remove: Callback<UploadItem>,
    choose_again: Callback<()>,
) -> impl IntoView {
    let name = item.name.get_value();
    // The row's buttons come and go with its state (Retry and Cancel replace each other; a
    // row being checked or done has none). When the focused one is removed, the focus would
    // fall to the page: the row's new button, or the row itself, takes it.
    let row = NodeRef::<leptos::html::Li>::new();
    let keep_focus = move |ev: leptos::ev::FocusEvent| {
        let Some(left) = ev.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok()) else {
            return;
        };
        // Taken now: by the next frame the row may be gone, and its reactive handle with it.
        let Some(row) = row.get_untracked() else {
            return;
        };
        keyboard::when_focus_is_lost(move || {
            if left.is_connected() || !row.is_connected() {
                return; // moved on by the seller, not removed; or the whole row went
            }
            let button = row.query_selector("button").ok().flatten();
            let target: Option<web_sys::HtmlElement> = button.and_then(|b| b.dyn_into().ok());
            let _ = target.unwrap_or_else(|| row.into()).focus();
        });
    };
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let cancel = move |_| {
        #[cfg(feature = "hydrate")]
        item.cancel();
    };
    view! {
        <li class="upload-item" data-testid="upload-item" data-state=move || item.state.get().as_str()
            tabindex="-1" node_ref=row
            on:focusout=keep_focus>
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
                {move || (item.state.get() == UploadState::Unreadable).then(|| view! {
                    <button class="icon" data-testid="upload-choose-again" aria-label=format!("Choose {} again", item.name.get_value())
                        on:click=move |_| choose_again.run(())>"Choose again"</button>
                    <button class="icon" data-testid="upload-dismiss" aria-label=format!("Dismiss {}", item.name.get_value())
                        on:click=move |_| remove.run(item)>"Dismiss"</button>
                })}
            </span>
            {move || item.waiting.get().map(|w| view! { <p class="upload-waiting" data-testid="upload-waiting" role="status">{w}</p> })}
            {move || item.error.get().map(|e| view! { <p class="upload-error" data-testid="upload-error" role="alert">{e}</p> })}
        </li>
    }
}
