//! Why a registered image never lives at the key the browser uploaded to: the signed POST form
//! (or PUT URL) stays valid until it expires, and anyone holding it can send other bytes of the
//! same length again, after `complete`, after a cancel, after an admin approved the picture.
//! So `complete` copies each uploaded object to a fresh key the browser never received, checks
//! the copy, and registers the copy. A replay then only rewrites an upload key that no row
//! knows any more, which gc deletes; what admins reviewed and shoppers get cannot change.
//!
//! Each `complete` is a numbered *attempt* (counted in the intent's row before it copies), and
//! copies to keys derived from the intent and that number. So whatever a crash cuts short (the
//! copies of an attempt that never registered, the uploads of one that registered and died
//! before deleting them) can be named and deleted by the next attempt, a cancel or gc, and two
//! attempts running at once never write each other's keys.
//!
//! This works on every store the same way (AWS S3, R2, Spaces, MinIO, the embedded store all
//! copy objects server-side); it costs one copy per variant at `complete`.

use std::ops::RangeInclusive;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::verify::VerifyError;
use crate::entities::{stored_object, upload_intent};
use crate::storage::ObjectKey;
use crate::{AppState, Error};

/// Counts a new publishing attempt of `intent` and returns its number; `None` when the intent
/// was completed or discarded meanwhile. The increment and the read share a transaction, so two
/// attempts at once always get different numbers.
pub(super) async fn start_attempt(
    db: &DatabaseConnection,
    intent: &upload_intent::Model,
) -> Result<Option<i32>, Error> {
    use upload_intent::Column;
    let txn = crate::db::begin(db).await?;
    let counted = upload_intent::Entity::update_many()
        .col_expr(
            Column::PublishAttempts,
            Expr::col(Column::PublishAttempts).add(1),
        )
        .filter(Column::Id.eq(intent.id.clone()))
        .filter(Column::CompletedAt.is_null())
        .exec(&txn)
        .await?;
    if counted.rows_affected == 0 {
        txn.rollback().await?;
        return Ok(None);
    }
    let attempt = upload_intent::Entity::find_by_id(intent.id.clone())
        .select_only()
        .column(Column::PublishAttempts)
        .into_tuple::<i32>()
        .one(&txn)
        .await?;
    txn.commit().await?;
    Ok(attempt)
}

/// Copies every uploaded object to the keys of `attempt`; the copies carry the rows'
/// declarations with the new keys. A missing upload is the caller's fault (`Refused`); copies
/// already made are deleted again on any failure (they are this attempt's alone).
pub(super) async fn copy_uploads(
    state: &AppState,
    intent: &upload_intent::Model,
    attempt: i32,
    uploads: &[stored_object::Model],
) -> Result<Vec<stored_object::Model>, VerifyError> {
    let Some(upload_id) = upload_id(intent) else {
        return Err(VerifyError::Failed(Error::Internal(format!(
            "intent {} has no upload id",
            intent.id
        ))));
    };
    let copies_id = published_id(upload_id, attempt);
    let mut copies: Vec<stored_object::Model> = Vec::with_capacity(uploads.len());
    for upload in uploads {
        let key = key_of(state, intent, copies_id, upload);
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

/// Deletes what an intent's publishing left that no row needs: the upload keys, and the copies
/// of `attempts` except the keys in `keep` (the registered ones). Safe to run again; run after
/// registering, and by a `complete` repeated after a crash. `objects` are the intent's rows
/// (uploads or registered copies: only their variant and type are used).
pub(super) async fn tidy(
    state: &AppState,
    intent: &upload_intent::Model,
    objects: &[stored_object::Model],
    attempts: RangeInclusive<i32>,
    keep: &[String],
) {
    let mut leftovers = copy_keys(state, intent, objects, attempts);
    if let Some(upload_id) = upload_id(intent) {
        leftovers.extend(objects.iter().map(|o| key_of(state, intent, upload_id, o)));
    }
    leftovers.retain(|key| !keep.contains(key));
    delete_quietly(state, leftovers.iter().map(String::as_str)).await;
}

/// The copies any attempt of a discarded intent may have made (the uploads themselves have
/// rows, and go by `cleanup::delete_objects`).
pub(crate) async fn delete_attempted_copies(
    state: &AppState,
    intent: &upload_intent::Model,
    uploads: &[stored_object::Model],
) {
    let keys = copy_keys(state, intent, uploads, 1..=intent.publish_attempts);
    delete_quietly(state, keys.iter().map(String::as_str)).await;
}

/// The keys the copies of `attempts` have (or would have).
fn copy_keys(
    state: &AppState,
    intent: &upload_intent::Model,
    objects: &[stored_object::Model],
    attempts: RangeInclusive<i32>,
) -> Vec<String> {
    let Some(upload_id) = upload_id(intent) else {
        return Vec::new();
    };
    attempts
        .flat_map(|attempt| {
            let id = published_id(upload_id, attempt);
            objects.iter().map(move |o| key_of(state, intent, id, o))
        })
        .collect()
}

/// The upload's id: the intent's, under which the browser was given signatures.
fn upload_id(intent: &upload_intent::Model) -> Option<Uuid> {
    Uuid::parse_str(&intent.id).ok()
}

/// The key of `object`'s variant under `id` (the upload's own, or an attempt's copies):
/// Vitrine's key grammar, so gc knows every one as Vitrine's.
fn key_of(
    state: &AppState,
    intent: &upload_intent::Model,
    id: Uuid,
    object: &stored_object::Model,
) -> String {
    ObjectKey::for_upload(
        &state.settings.key_prefix,
        intent.account_id,
        id,
        object.variant,
        object.content_type,
    )
    .into_string()
}

/// The id of attempt `attempt`'s copies of upload `upload_id`.
fn published_id(upload_id: Uuid, attempt: i32) -> Uuid {
    let digest = Sha256::new()
        .chain_update(b"vitrine: published copy\0")
        .chain_update(upload_id.as_bytes())
        .chain_update(attempt.to_be_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// Deletes objects no row points at. A failure only leaves an object gc removes after its
/// grace period, so it is logged and not the caller's concern.
pub(super) async fn delete_quietly<'a>(state: &AppState, keys: impl Iterator<Item = &'a str>) {
    for key in keys {
        if let Err(err) = state.store.delete(key).await {
            tracing::warn!(%key, %err, "left for gc");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_attempt_of_each_upload_has_its_own_id() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        assert_eq!(published_id(a, 1), published_id(a, 1));
        assert_ne!(published_id(a, 1), published_id(a, 2));
        assert_ne!(published_id(a, 1), published_id(b, 1));
        // Never the upload's own id, whose keys the browser holds signatures for.
        assert_ne!(published_id(a, 1), a);
    }
}
