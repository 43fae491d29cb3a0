//! Runs one file through process → begin → transfer → complete, reporting to its row.

use leptos::prelude::*;

use super::process::{self, EncodedVariant, NotProcessed};
use super::{UploadItem, UploadState, transfer};
use crate::api::{DeclaredObject, UploadTicket};
use crate::upload::{begin_upload, cancel_upload, complete_upload};

/// Why an attempt stopped.
pub enum Stop {
    Cancelled,
    Failed(String),
}

impl From<String> for Stop {
    fn from(message: String) -> Self {
        Stop::Failed(message)
    }
}

/// Uploads `item`; true when its image was registered. Failures and cancellation are shown
/// on the item; a cancelled upload's intent is released so nothing is left behind.
pub async fn run(product_id: i64, item: &UploadItem) -> bool {
    let mut ticket: Option<UploadTicket> = None;
    match attempt(product_id, item, &mut ticket).await {
        Ok(()) => true,
        Err(stop) => {
            if let Some(ticket) = ticket {
                // Whatever reached the store goes, and the intent is released.
                let _ = cancel_upload(ticket.intent_id).await;
            }
            match stop {
                Stop::Cancelled => item.state.set(UploadState::Cancelled),
                Stop::Failed(message) => item.fail(message),
            }
            false
        }
    }
}

fn checkpoint(item: &UploadItem) -> Result<(), Stop> {
    if item.cancelled() {
        Err(Stop::Cancelled)
    } else {
        Ok(())
    }
}

async fn attempt(
    product_id: i64,
    item: &UploadItem,
    ticket_out: &mut Option<UploadTicket>,
) -> Result<(), Stop> {
    checkpoint(item)?;
    // The row says "Waiting" until a photo worker takes the file.
    let (waiting, started) = (*item, *item);
    let encoded: Vec<EncodedVariant> = process::renditions(
        item.file.get_value(),
        move || waiting.cancelled(),
        move || started.advance(UploadState::Processing, 2),
    )
    .await
    .map_err(|stop| match stop {
        NotProcessed::Cancelled => Stop::Cancelled,
        NotProcessed::Failed(message) => Stop::Failed(message),
    })?;
    checkpoint(item)?;

    item.advance(UploadState::Uploading, 5);
    let declared = encoded
        .iter()
        .map(|e| DeclaredObject {
            variant: e.variant,
            content_type: e.content_type,
            size: e.size as u64,
        })
        .collect();
    let ticket = begin_upload(product_id, declared)
        .await
        .map_err(|e| e.to_string())?;
    *ticket_out = Some(ticket.clone());
    checkpoint(item)?;

    let total: usize = encoded.iter().map(|e| e.size).sum();
    let mut sent_before = 0usize;
    for target in &ticket.uploads {
        // Paired by variant, not by position: the server may answer in any order.
        let rendition = encoded
            .iter()
            .find(|e| e.variant == target.variant)
            .ok_or_else(|| {
                format!(
                    "The server signed a {} variant that was not declared.",
                    target.variant
                )
            })?;
        let progress_item = *item;
        let offset = sent_before;
        transfer::send(item, target, &rendition.blob, move |sent| {
            let fraction = (offset + sent) as f64 / total.max(1) as f64;
            progress_item.advance(UploadState::Uploading, 5 + (fraction * 90.0) as u8);
        })
        .await?;
        sent_before += rendition.size;
        checkpoint(item)?;
    }

    item.advance(UploadState::Verifying, 96);
    complete_upload(ticket.intent_id)
        .await
        .map_err(|e| e.to_string())?;
    item.advance(UploadState::Done, 100);
    Ok(())
}
