//! Why a registered image never lives at the key the browser uploaded to: the signed POST form
//! (or PUT URL) stays valid until it expires, and anyone holding it can send other bytes of the
//! same length again, after `complete`, after a cancel, after an admin approved the picture.
//! So `complete` copies each uploaded object to a fresh key the browser never received, checks
//! the copy, and registers the copy. A replay then only rewrites an upload key that no row
//! knows any more, which gc deletes; what admins reviewed and shoppers get cannot change.
//!
//! This works on every store the same way (AWS S3, R2, Spaces, MinIO, the embedded store all
//! copy objects server-side); it costs one copy per variant at `complete`.

use uuid::Uuid;

use super::verify::VerifyError;
use crate::AppState;
use crate::entities::stored_object;
use crate::storage::{KeyPrefix, ObjectKey};

/// Copies every uploaded object to a fresh key of the same seller; the copies carry the rows'
/// declarations with the new keys. A missing upload is the caller's fault (`Refused`); copies
/// already made are deleted again on any failure.
pub(super) async fn copy_uploads(
    state: &AppState,
    seller_id: i64,
    uploads: &[stored_object::Model],
) -> Result<Vec<stored_object::Model>, VerifyError> {
    let published_id = Uuid::new_v4();
    let mut copies: Vec<stored_object::Model> = Vec::with_capacity(uploads.len());
    for upload in uploads {
        let key = published_key(&state.settings.key_prefix, seller_id, published_id, upload);
        let copied = state.store.copy(&upload.object_key, &key).await;
        let failure = match copied {
            Ok(true) => {
                copies.push(stored_object::Model {
                    object_key: key,
                    ..upload.clone()
                });
                continue;
            }
            Ok(false) => VerifyError::Refused(format!(
                "the {} file never reached the store",
                upload.variant.as_str()
            )),
            Err(err) => VerifyError::Failed(err),
        };
        delete_quietly(state, copies.iter().map(|c| c.object_key.as_str())).await;
        return Err(failure);
    }
    Ok(copies)
}

/// The key of a published copy: Vitrine's own key grammar (so gc knows it as Vitrine's) with
/// an id no signature was ever made for.
fn published_key(
    prefix: &KeyPrefix,
    seller_id: i64,
    published_id: Uuid,
    upload: &stored_object::Model,
) -> String {
    ObjectKey::for_upload(
        prefix,
        seller_id,
        published_id,
        upload.variant,
        upload.content_type,
    )
    .into_string()
}

/// Deletes objects no row points at (the upload keys once the copies are registered, or the
/// copies of an upload that was not). A failure only leaves an object gc removes after its
/// grace period, so it is logged and not the caller's concern.
pub(super) async fn delete_quietly<'a>(state: &AppState, keys: impl Iterator<Item = &'a str>) {
    for key in keys {
        if let Err(err) = state.store.delete(key).await {
            tracing::warn!(%key, %err, "left for gc");
        }
    }
}
