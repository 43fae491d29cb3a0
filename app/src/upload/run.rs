//! Runs one photo through process → begin → transfer → complete, reporting to its row. Which
//! step comes next is `resume::next_step`'s decision, made from what the journal knows, so a
//! photo resumed after a reload goes on where it stopped. Each step is its own module and
//! answers with [`Stop`] when it cannot go on.

use leptos::prelude::*;

use super::cancel::CancelToken;
use super::resume::{Step, next_step};
use super::retry::patiently;
use super::stop::Stop;
use super::{UploadItem, UploadState, begin, process, transfer};
use crate::error::AppError;
use crate::upload::{cancel_upload, complete_upload};

/// Uploads `item`; true when its image was registered. Failures and cancellation are shown
/// on the item, a failure to download the upload code included (Retry fetches it again).
pub async fn run(product_id: i64, item: UploadItem) -> bool {
    #[cfg(feature = "hydrate")]
    {
        match split::run(product_id, item).await {
            Ok(registered) => registered,
            Err(split::NotDownloaded) => {
                item.fail(
                    "The upload code could not be downloaded: check the connection, then \
                     press Retry."
                        .into(),
                );
                false
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        run_here(product_id, item).await
    }
}

/// Lazy: with `cargo leptos --split` (every build of ours), [`run_here`] and everything only it
/// reaches (processing, signing, sending) is a separate WebAssembly file, fetched when the
/// first photo is chosen, so a page that never uploads does not pay for it. Declared by hand
/// rather than with `#[leptos::lazy]`, whose failed fetch panics and kills the page: a phone in
/// a shop's back room loses its connection at any moment.
#[cfg(feature = "hydrate")]
mod split {
    use std::future::Future;
    use std::pin::Pin;

    use leptos::__reexports::send_wrapper::SendWrapper;
    use leptos::wasm_split::SplitLoaderError;

    use super::UploadItem;

    /// The upload code's file could not be fetched.
    pub struct NotDownloaded;

    impl From<SplitLoaderError> for NotDownloaded {
        fn from(_: SplitLoaderError) -> Self {
            NotDownloaded
        }
    }

    type Running = Pin<Box<dyn Future<Output = Result<bool, NotDownloaded>> + Send + Sync>>;

    #[leptos::wasm_split::wasm_split(
        upload_run,
        wasm_split_path = ::leptos::wasm_split,
        fallible,
        return_wrapper(let future = _; { future.await } -> Result<bool, NotDownloaded>)
    )]
    pub fn run(product_id: i64, item: UploadItem) -> Running {
        Box::pin(SendWrapper::new(async move {
            Ok(super::run_here(product_id, item).await)
        }))
    }
}

async fn run_here(product_id: i64, item: UploadItem) -> bool {
    let item = &item;
    let cancel = item.cancel_token();
    match attempt(product_id, item, &cancel).await {
        Ok(()) => {
            item.forget().await;
            true
        }
        // Given up after minutes of waiting: the intent and the journal stay, so Retry, or
        // the next page, goes on from here (an intent nobody finishes expires, and gc
        // deletes what was sent under it).
        Err(Stop::Interrupted(fault)) => {
            item.fail(fault.gave_up());
            false
        }
        Err(Stop::Unreadable) => {
            item.fail(
                "This photo cannot be resumed: the browser no longer lets the page read it. \
                 Choose it again, or dismiss it."
                    .into(),
            );
            item.state.set(UploadState::Unreadable);
            false
        }
        Err(stop) => {
            // Whatever reached the store goes, the intent is released, and the journal
            // forgets the photo: a refused or cancelled photo is not resumed by a reload.
            if let Some(intent_id) = item.kept.with_value(|p| {
                p.ticket
                    .as_ref()
                    .map(|signed| signed.ticket.intent_id.clone())
            }) {
                let _ = cancel_upload(intent_id).await;
                item.kept.update_value(|p| {
                    p.drop_ticket();
                });
            }
            item.forget().await;
            match stop {
                Stop::Failed(message) => item.fail(message),
                _ => item.state.set(UploadState::Cancelled),
            }
            false
        }
    }
}

async fn attempt(product_id: i64, item: &UploadItem, cancel: &CancelToken) -> Result<(), Stop> {
    // Each network step is tried again while the server or the storage is away; the row
    // says why it waits. Trying again is safe: a repeated begin only records an intent that
    // expires unused, a repeated transfer writes the same bytes, and completing an intent
    // twice returns the image it registered the first time.
    let row = *item;
    let waiting = move |notice: Option<String>| row.waiting.set(notice);
    loop {
        cancel.check()?;
        let has_file = item.file.with_value(Option::is_some);
        let step = item
            .kept
            .with_value(|p| next_step(p, has_file, js_sys::Date::now()));
        match step {
            Step::Unreadable => return Err(Stop::Unreadable),
            Step::Process => {
                let Some(file) = item.file.get_value() else {
                    return Err(Stop::Unreadable);
                };
                // The row says "Waiting" until a photo worker takes the file.
                let encoded =
                    process::variants(&file, cancel, || item.advance(UploadState::Processing, 2))
                        .await?;
                item.keep_encoded(encoded).await;
                // The journal holds the variants now; the original is no longer needed.
                item.file.set_value(None);
            }
            Step::Begin { release } => {
                item.advance(UploadState::Uploading, 5);
                if let Some(old) = release {
                    // Best effort: an intent left behind expires, and gc deletes its objects.
                    // But one already registered (its complete's answer was lost, and its
                    // window has passed since) is this photo, in the gallery: sending it again
                    // would make a second image.
                    if let Err(AppError::Conflict(_)) = cancel_upload(old).await {
                        item.advance(UploadState::Done, 100);
                        return Ok(());
                    }
                    item.note(|p| {
                        p.drop_ticket();
                    })
                    .await;
                }
                let declared = item.kept.with_value(|p| p.declared());
                let ticket =
                    patiently(cancel, waiting, || begin::begin(product_id, &declared)).await?;
                item.note(|p| p.keep_ticket(ticket, js_sys::Date::now()))
                    .await;
            }
            Step::Send { upload } => {
                item.advance(UploadState::Uploading, 5);
                let (total, before) = item.kept.with_value(|p| p.bytes());
                let blob = item
                    .encoded
                    .with_value(|e| {
                        e.iter()
                            .find(|v| v.variant == upload.variant)
                            .map(|v| v.blob.clone())
                    })
                    .ok_or_else(|| {
                        Stop::Failed(format!(
                            "The {} variant of this photo is missing. Choose the photo again.",
                            upload.variant
                        ))
                    })?;
                let total = total.max(1) as f64;
                let report = move |sent: usize| {
                    let fraction = (before as f64 + sent as f64) / total;
                    row.advance(UploadState::Uploading, 5 + (fraction * 90.0) as u8);
                };
                // A retry after minutes away (a laptop asleep, the network gone) may find the
                // permission expired: the loop then asks for a new one instead of sending a
                // refusal's worth of bytes with it.
                let still_valid = || {
                    let step = item
                        .kept
                        .with_value(|p| next_step(p, true, js_sys::Date::now()));
                    matches!(step, Step::Send { upload: ref now } if now.variant == upload.variant)
                };
                let sent = patiently(cancel, waiting, || async {
                    if !still_valid() {
                        return Ok(false);
                    }
                    transfer::send(&upload, &blob, cancel, report).await?;
                    Ok(true)
                })
                .await?;
                if sent {
                    item.note(|p| p.mark_sent(upload.variant)).await;
                }
            }
            Step::Complete { intent_id } => {
                item.advance(UploadState::Verifying, 96);
                patiently(cancel, waiting, || async {
                    Ok(complete_upload(intent_id.clone()).await?)
                })
                .await?;
                item.advance(UploadState::Done, 100);
                return Ok(());
            }
        }
    }
}
