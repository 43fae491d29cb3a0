//! Step 2, begin: the app checks the caller, records an upload intent and signs one upload per
//! declared variant. The rules live in `backend::uploads`; this maps them to the wire.

use leptos::prelude::*;

use crate::api::{DeclaredObject, UploadTicket};
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
    let host = crate::session::request_host().await?;
    Ok(backend::uploads::begin(&state, &seller, product_id, &objects, host.as_deref()).await?)
}

/// Declares what the worker made and asks for the signed uploads.
#[cfg(feature = "hydrate")]
pub async fn begin(
    product_id: i64,
    declared: &[DeclaredObject],
) -> Result<UploadTicket, super::stop::Stop> {
    Ok(begin_upload(product_id, declared.to_vec()).await?)
}
