//! Deleting stored objects, by one rule: delete from the store first, then the row. An object
//! the store will not delete now keeps its row, detached (no image, no live intent), so
//! `vitrine gc` retries it: nothing Vitrine stored is ever unreferenced and forgotten.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::entities::{stored_object, upload_intent};
use crate::{AppState, Error};

/// Deletes each object from the store and then its row; returns the keys left for gc.
pub(crate) async fn delete_objects(
    state: &AppState,
    objects: &[stored_object::Model],
) -> Result<Vec<String>, Error> {
    let mut deleted = Vec::with_capacity(objects.len());
    let mut left = Vec::new();
    for object in objects {
        match state.store.delete(&object.object_key).await {
            Ok(()) => deleted.push(object.id),
            Err(err) => {
                tracing::warn!(key = %object.object_key, %err, "object left for gc");
                left.push(object.object_key.clone());
            }
        }
    }
    if !deleted.is_empty() {
        stored_object::Entity::delete_many()
            .filter(stored_object::Column::Id.is_in(deleted))
            .exec(&state.db)
            .await?;
    }
    Ok(left)
}

/// Ends an intent that will never be registered (refused, expired or cancelled): its objects
/// go as [`delete_objects`] says, then the intent. Returns the keys left for gc, or `None`
/// when the intent was registered (or ended) meanwhile and nothing was touched.
///
/// The intent is claimed first, by deleting its row only while it is still not completed (its
/// object rows then detach): `complete_upload` claims it the other way, so of a cancel or gc
/// racing a registration exactly one wins, and no registered image ever loses its objects.
pub(crate) async fn discard_intent(
    state: &AppState,
    intent: &upload_intent::Model,
    objects: &[stored_object::Model],
) -> Result<Option<Vec<String>>, Error> {
    let claimed = upload_intent::Entity::delete_many()
        .filter(upload_intent::Column::Id.eq(intent.id.clone()))
        .filter(upload_intent::Column::CompletedAt.is_null())
        .exec(&state.db)
        .await?;
    if claimed.rows_affected == 0 {
        return Ok(None);
    }
    // Copies a `complete` made before it was cut short have no rows; their keys are known.
    crate::uploads::delete_attempted_copies(state, intent, objects).await;
    Ok(Some(delete_objects(state, objects).await?))
}
