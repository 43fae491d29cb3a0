//! Runs one file through process → begin → transfer → complete, reporting to its row.

use leptos::task::spawn_local;
use pipeline::Rendition;

use super::{UploadItem, UploadState, process, transfer};
use crate::api::DeclaredObject;
use crate::upload::{begin_upload, complete_upload};

/// Uploads `batch` one file at a time (decoding happens on this thread for now, and one
/// decoded phone photo at a time keeps memory low), calling `on_registered` after each image.
pub fn run_batch(
    product_id: i64,
    batch: Vec<(UploadItem, web_sys::File)>,
    on_registered: impl Fn() + 'static,
) {
    spawn_local(async move {
        for (item, file) in batch {
            match upload(product_id, &item, file).await {
                Ok(()) => on_registered(),
                Err(message) => item.fail(message),
            }
        }
    });
}

async fn upload(product_id: i64, item: &UploadItem, file: web_sys::File) -> Result<(), String> {
    item.advance(UploadState::Processing, 2);
    let renditions: Vec<Rendition> = process::renditions(file).await?;

    item.advance(UploadState::Uploading, 5);
    let declared = renditions
        .iter()
        .zip(process::VARIANTS)
        .map(|(r, (variant, _))| DeclaredObject {
            variant: variant.into(),
            content_type: r.content_type.into(),
            size: r.bytes.len() as u64,
        })
        .collect();
    let ticket = begin_upload(product_id, declared)
        .await
        .map_err(|e| e.to_string())?;

    let total: usize = renditions.iter().map(|r| r.bytes.len()).sum();
    let mut sent_before = 0usize;
    for (target, rendition) in ticket.uploads.iter().zip(&renditions) {
        let item = *item;
        let offset = sent_before;
        transfer::post_form(
            &target.url,
            &target.fields,
            &rendition.bytes,
            rendition.content_type,
            move |sent| {
                let fraction = (offset + sent) as f64 / total.max(1) as f64;
                item.advance(UploadState::Uploading, 5 + (fraction * 90.0) as u8);
            },
        )
        .await?;
        sent_before += rendition.bytes.len();
    }

    item.advance(UploadState::Verifying, 96);
    complete_upload(ticket.intent_id)
        .await
        .map_err(|e| e.to_string())?;
    item.advance(UploadState::Done, 100);
    Ok(())
}
