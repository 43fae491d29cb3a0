//! Step 1 on the server: check the declaration, record the intent and its objects' keys, and
//! sign one browser upload per variant.

use chrono::Utc;
use uuid::Uuid;

use super::declare::check_declared;
use super::{COMPLETE_GRACE, DeclaredObject, POST_EXPIRY, SignedUpload, UploadTicket};
use crate::intents::{self, NewIntent, NewObject};
use crate::storage::{ObjectKey, SignedObject};
use crate::{Account, AppState, Error, quotas};

/// Starts an upload of one image (its variants) to `product_id`, owned by `seller`. `host` is
/// the Host the browser used (the embedded store's PUT URLs are signed for it).
pub async fn begin(
    state: &AppState,
    seller: &Account,
    product_id: i64,
    declared: &[DeclaredObject],
    host: Option<&str>,
) -> Result<UploadTicket, Error> {
    let checked = check_declared(declared, state.settings.max_upload_bytes)?;
    let declared_bytes = checked.iter().map(|c| c.size.get()).sum();
    let settings = &state.settings;
    quotas::room_for_upload(
        &state.db,
        &settings.quotas,
        seller,
        product_id,
        declared_bytes,
    )
    .await?;

    let intent_id = Uuid::new_v4();
    let now = Utc::now();
    let keys: Vec<ObjectKey> = checked
        .iter()
        .map(|c| {
            ObjectKey::for_upload(
                &state.settings.key_prefix,
                seller.id,
                intent_id,
                c.variant,
                c.content_type,
            )
        })
        .collect();
    let objects: Vec<NewObject> = checked
        .iter()
        .zip(&keys)
        .map(|(c, key)| NewObject {
            key,
            variant: c.variant,
            content_type: c.content_type,
            size: c.size.get(),
            sha256: c.sha256,
            dimensions: None,
        })
        .collect();

    let intent = NewIntent {
        id: intent_id,
        account_id: seller.id,
        product_id,
        created_at: now,
        expires_at: now + POST_EXPIRY + COMPLETE_GRACE,
        completed_at: None,
    };
    intents::record(&state.db, &state.writes, &intent, &objects).await?;

    let mut uploads = Vec::with_capacity(checked.len());
    for (c, key) in checked.iter().zip(&keys) {
        let upload = state
            .store
            .sign_upload(
                state.settings.upload_method,
                SignedObject {
                    key,
                    content_type: c.content_type,
                    size: c.size,
                    sha256: Some(c.sha256),
                },
                POST_EXPIRY,
                host,
            )
            .await?;
        uploads.push(SignedUpload {
            variant: c.variant,
            method: upload.method,
            url: upload.url,
            fields: upload.fields,
            headers: upload.headers,
        });
    }
    Ok(UploadTicket {
        intent_id: intent_id.to_string(),
        uploads,
        send_within_secs: seconds(POST_EXPIRY),
        complete_within_secs: seconds(POST_EXPIRY + COMPLETE_GRACE),
    })
}

fn seconds(d: std::time::Duration) -> u32 {
    u32::try_from(d.as_secs()).unwrap_or(u32::MAX)
}
