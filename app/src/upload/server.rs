//! The two server functions of the upload protocol. Each checks the caller, calls
//! `backend::uploads` and maps the answer; the rules live there.

use leptos::prelude::*;

use crate::api::{DeclaredObject, RegisteredImage, UploadTicket};
use crate::error::AppError;

/// Records an upload intent for one image of `product_id` and returns a presigned POST (or,
/// where the store has no POST Object, a presigned PUT) per declared object.
#[server(endpoint = "begin_upload", input = leptos::server_fn::codec::Json)]
pub async fn begin_upload(
    product_id: i64,
    objects: Vec<DeclaredObject>,
) -> Result<UploadTicket, AppError> {
    let seller = crate::session::require_account().await?;
    let state = crate::session::state()?;
    let declared: Vec<backend::uploads::Declared> = objects
        .into_iter()
        .map(|o| backend::uploads::Declared {
            variant: o.variant,
            content_type: o.content_type,
            size: o.size,
        })
        .collect();
    let host = crate::session::request_host().await?;
    let ticket =
        backend::uploads::begin(&state, &seller, product_id, &declared, host.as_deref()).await?;
    Ok(UploadTicket {
        intent_id: ticket.intent_id.to_string(),
        uploads: ticket
            .uploads
            .into_iter()
            .map(|u| crate::api::SignedUpload {
                variant: u.variant,
                method: u.method,
                url: u.url,
                fields: u.fields,
                headers: u.headers,
            })
            .collect(),
    })
}

/// Verifies what the browser stored for `intent_id` and registers the image (once).
#[server(endpoint = "complete_upload")]
pub async fn complete_upload(intent_id: String) -> Result<RegisteredImage, AppError> {
    let seller = crate::session::require_account().await?;
    let state = crate::session::state()?;
    let image = backend::uploads::complete(&state, &seller, &intent_id).await?;
    Ok(RegisteredImage {
        image_id: image.image_id,
        width: image.width,
        height: image.height,
    })
}

/// Abandons an upload that is not registered yet (the seller pressed cancel): whatever reached
/// the store is deleted and the intent released.
#[server(endpoint = "cancel_upload")]
pub async fn cancel_upload(intent_id: String) -> Result<(), AppError> {
    let seller = crate::session::require_account().await?;
    let state = crate::session::state()?;
    Ok(backend::uploads::cancel(&state, &seller, &intent_id).await?)
}
