//! `vitrine gc`: removes what uploads and deletions left behind.
//!
//! 1. Upload intents past their expiry that were never completed, with their objects.
//! 2. Object rows detached from any image and intent (an image was deleted while the store
//!    refused): their objects are deleted again.
//! 3. Objects whose keys have Vitrine's own shape (see [`ObjectKey::is_vitrines`]) that no row
//!    knows and that are older than the grace period (a crash between upload and record).
//!    Anything else under the prefix (an old shop's media in a shared bucket, files put there
//!    by hand) is counted in `foreign_objects` and never touched, whatever its age.
//! 4. Sessions past their end or idle too long that were never presented again (each is
//!    refused and removed when presented; these would otherwise stay for ever).
//!
//! Safe while uploads are in flight: an intent is only touched after its expiry, and an object
//! any row knows is never an orphan, however young.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};

use crate::entities::{session, stored_object, upload_intent};
use crate::storage::{KeyPrefix, ObjectKey, ObjectStore};
use crate::{AppState, Error, cleanup, intents};

/// How old an unknown object must be before gc deletes it, unless told otherwise.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(24 * 60 * 60);

/// What gc found, and (unless a dry run) removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub expired_intents: Vec<String>,
    /// Keys of detached rows' objects and of orphans, each deleted (or, dry, to delete).
    pub detached_objects: Vec<String>,
    pub orphan_objects: Vec<String>,
    /// Objects under the prefix whose keys Vitrine does not make: left alone.
    pub foreign_objects: usize,
    /// Keys the store would not delete this time (they stay recorded; run gc again).
    pub failed: Vec<String>,
    /// Sessions no request can use any more, removed (or, dry, to remove).
    pub ended_sessions: u64,
}

/// How many objects under the prefix have keys Vitrine does not make (gc leaves them alone).
pub async fn count_foreign(store: &ObjectStore, prefix: &KeyPrefix) -> Result<usize, Error> {
    let listed = store.list(prefix.as_str()).await?;
    Ok(listed
        .iter()
        .filter(|o| !ObjectKey::is_vitrines(prefix, &o.key))
        .count())
}

pub async fn run(state: &AppState, grace: Duration, dry_run: bool) -> Result<Report, Error> {
    let mut report = Report::default();

    // 1. Expired, never completed intents, with their objects.
    let expired = upload_intent::Entity::find()
        .filter(upload_intent::Column::CompletedAt.is_null())
        .filter(upload_intent::Column::ExpiresAt.lt(Utc::now()))
        .all(&state.db)
        .await?;
    for intent in expired {
        let objects = intents::objects_of(&state.db, &intent).await?;
        if !dry_run {
            match cleanup::discard_intent(state, &intent, &objects).await? {
                Some(failed) => report.failed.extend(failed),
                // Registered at the last moment: not expired after all.
                None => continue,
            }
        }
        report.expired_intents.push(intent.id);
    }

    // 2. Rows no image and no (live) intent holds.
    let unattached = stored_object::Entity::find()
        .filter(stored_object::Column::ImageId.is_null())
        .all(&state.db)
        .await?;
    let live_intents: HashSet<String> = upload_intent::Entity::find()
        .select_only()
        .column(upload_intent::Column::Id)
        .filter(
            upload_intent::Column::Id.is_in(unattached.iter().filter_map(|o| o.intent_id.clone())),
        )
        .into_tuple::<String>()
        .all(&state.db)
        .await?
        .into_iter()
        .collect();
    for object in unattached {
        if object
            .intent_id
            .as_ref()
            .is_some_and(|id| live_intents.contains(id))
        {
            continue;
        }
        if !dry_run {
            let left = cleanup::delete_objects(state, std::slice::from_ref(&object)).await?;
            if !left.is_empty() {
                report.failed.extend(left);
                continue;
            }
        }
        report.detached_objects.push(object.object_key);
    }

    // 3. Objects under the prefix that no row knows, past the grace period.
    let known: HashSet<String> = stored_object::Entity::find()
        .select_only()
        .column(stored_object::Column::ObjectKey)
        .into_tuple::<String>()
        .all(&state.db)
        .await?
        .into_iter()
        .collect();
    let cutoff = SystemTime::now()
        .checked_sub(grace)
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let listed = state.store.list(state.settings.key_prefix.as_str()).await?;
    for object in listed {
        if !ObjectKey::is_vitrines(&state.settings.key_prefix, &object.key) {
            report.foreign_objects += 1;
            continue;
        }
        if known.contains(&object.key) || object.last_modified > cutoff {
            continue;
        }
        if !dry_run && let Err(err) = state.store.delete(&object.key).await {
            tracing::warn!(key = %object.key, %err, "gc could not delete");
            report.failed.push(object.key);
            continue;
        }
        report.orphan_objects.push(object.key);
    }

    // 4. Sessions that ended and were never presented again.
    let ended = crate::accounts::ended_sessions(Utc::now());
    report.ended_sessions = if dry_run {
        session::Entity::find()
            .filter(ended)
            .count(&state.db)
            .await?
    } else {
        session::Entity::delete_many()
            .filter(ended)
            .exec(&state.db)
            .await?
            .rows_affected
    };
    Ok(report)
}
