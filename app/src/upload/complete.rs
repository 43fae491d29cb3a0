//! Step 4, complete: the app verifies what reached the store and registers the image, once;
//! or, when the seller cancels, releases the intent and deletes whatever arrived. The rules
//! live in `backend::uploads`.

use leptos::prelude::*;

use crate::api::RegisteredImage;
use crate::error::AppError;

/// Verifies what the browser stored for `intent_id` and registers the image (once).
#[server(endpoint = "complete_upload")]
pub async fn complete_upload(intent_id: String) -> Result<RegisteredImage, AppError> {
    let seller = crate::session::require_account().await?;
    let state = crate::session::state()?;
    Ok(backend::uploads::complete(&state, &seller, &intent_id).await?)
}

/// Abandons an upload that is not registered yet (the seller pressed cancel): whatever reached
/// the store is deleted and the intent released.
#[server(endpoint = "cancel_upload")]
pub async fn cancel_upload(intent_id: String) -> Result<(), AppError> {
    let seller = crate::session::require_account().await?;
    let state = crate::session::state()?;
    Ok(backend::uploads::cancel(&state, &seller, &intent_id).await?)
}
