//! Runs one file through process → begin → transfer → complete, reporting to its row. Each
//! step is its own module and answers with [`Stop`] when it cannot go on.

use leptos::prelude::*;

use super::cancel::CancelToken;
use super::retry::patiently;
use super::stop::Stop;
use super::{UploadItem, UploadState, begin, process, transfer};
use crate::api::UploadTicket;
use crate::upload::{cancel_upload, complete_upload};

/// Uploads `item`; true when its image was registered. Failures and cancellation are shown
/// on the item; a stopped upload's intent is released so nothing is left behind.
pub async fn run(product_id: i64, item: &UploadItem) -> bool {
    let cancel = item.cancel_token();
    let mut ticket: Option<UploadTicket> = None;
    match attempt(product_id, item, &cancel, &mut ticket).await {
        Ok(()) => true,
        Err(stop) => {
            if let Some(ticket) = ticket {
                // Whatever reached the store goes, and the intent is released.
                let _ = cancel_upload(ticket.intent_id).await;
            }
            match stop {
                Stop::Cancelled => item.state.set(UploadState::Cancelled),
                Stop::Failed(message) => item.fail(message),
                Stop::Interrupted(fault) => item.fail(fault.gave_up()),
            }
            false
        }
    }
}

async fn attempt(
    product_id: i64,
    item: &UploadItem,
    cancel: &CancelToken,
    ticket_out: &mut Option<UploadTicket>,
) -> Result<(), Stop> {
    cancel.check()?;
    // The row says "Waiting" until a photo worker takes the file.
    let file = item.file.get_value();
    let encoded =
        process::variants(&file, cancel, || item.advance(UploadState::Processing, 2)).await?;
    cancel.check()?;

    // Each network step is tried again while the server or the storage is away; the row
    // says why it waits. Trying again is safe: a repeated begin only records an intent that
    // expires unused, a repeated transfer writes the same bytes, and completing an intent
    // twice returns the image it registered the first time.
    let row = *item;
    let waiting = move |notice: Option<String>| row.waiting.set(notice);
    item.advance(UploadState::Uploading, 5);
    let ticket = patiently(cancel, waiting, || begin::begin(product_id, &encoded)).await?;
    *ticket_out = Some(ticket.clone());
    cancel.check()?;

    transfer::send_all(
        &ticket,
        &encoded,
        cancel,
        move |fraction| row.advance(UploadState::Uploading, 5 + (fraction * 90.0) as u8),
        waiting,
    )
    .await?;

    item.advance(UploadState::Verifying, 96);
    patiently(cancel, waiting, || async {
        Ok(complete_upload(ticket.intent_id.clone()).await?)
    })
    .await?;
    item.advance(UploadState::Done, 100);
    Ok(())
}
