//! Upload intents: the record that an upload was begun, by whom, for which product, and which
//! objects (keys, variants, declared sizes) it may store. Browser uploads and the import write
//! them here, and every lookup goes through [`find_for`], so ownership is checked in one place.

use chrono::{DateTime, Utc};
use domain::{ContentType, Sha256, Variant};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::entities::{stored_object, upload_intent};
use crate::storage::ObjectKey;
use crate::{Account, Error};

pub(crate) struct NewIntent {
    pub id: Uuid,
    pub account_id: i64,
    pub product_id: i64,
    pub created_at: DateTime<Utc>,
    /// When `vitrine gc` may discard it if it was never completed.
    pub expires_at: DateTime<Utc>,
    /// Set for an import, which stores and registers in one go.
    pub completed_at: Option<DateTime<Utc>>,
}

/// One object an intent may store.
pub(crate) struct NewObject<'a> {
    pub key: &'a ObjectKey,
    pub variant: Variant,
    pub content_type: ContentType,
    pub size: u64,
    pub sha256: Sha256,
    /// Known once the object is verified (an import knows it at once).
    pub dimensions: Option<(u32, u32)>,
}

pub(crate) async fn insert(conn: &impl ConnectionTrait, intent: &NewIntent) -> Result<(), Error> {
    upload_intent::Entity::insert(upload_intent::ActiveModel {
        id: Set(intent.id.to_string()),
        account_id: Set(intent.account_id),
        product_id: Set(intent.product_id),
        created_at: Set(intent.created_at),
        expires_at: Set(intent.expires_at),
        completed_at: Set(intent.completed_at),
        image_id: Set(None),
        publish_attempts: Set(0),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Records the objects of `intent_id` (already registered to `image_id`, for an import).
pub(crate) async fn insert_objects(
    conn: &impl ConnectionTrait,
    intent_id: Uuid,
    image_id: Option<i64>,
    objects: &[NewObject<'_>],
    at: DateTime<Utc>,
) -> Result<(), Error> {
    let dim = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    if objects.is_empty() {
        return Ok(());
    }
    // One statement for all of them: each upload's begin pays these round trips.
    let rows = objects.iter().map(|object| stored_object::ActiveModel {
        object_key: Set(object.key.as_str().to_owned()),
        intent_id: Set(Some(intent_id.to_string())),
        image_id: Set(image_id),
        variant: Set(object.variant),
        content_type: Set(object.content_type),
        byte_size: Set(i64::try_from(object.size).unwrap_or(i64::MAX)),
        sha256: Set(Some(object.sha256.to_base64())),
        width: Set(object.dimensions.map(|(w, _)| dim(w))),
        height: Set(object.dimensions.map(|(_, h)| dim(h))),
        created_at: Set(at),
        ..Default::default()
    });
    stored_object::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// `seller`'s intent `intent_id`. Someone else's, a malformed id and a missing one are all
/// "not found", so ids reveal nothing.
pub(crate) async fn find_for(
    db: &DatabaseConnection,
    seller: &Account,
    intent_id: &str,
) -> Result<upload_intent::Model, Error> {
    let not_found = || Error::NotFound("That upload");
    let id = Uuid::parse_str(intent_id).map_err(|_| not_found())?;
    upload_intent::Entity::find_by_id(id.to_string())
        .filter(upload_intent::Column::AccountId.eq(seller.id))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// The objects recorded for `intent`.
pub(crate) async fn objects_of(
    db: &DatabaseConnection,
    intent: &upload_intent::Model,
) -> Result<Vec<stored_object::Model>, Error> {
    Ok(stored_object::Entity::find()
        .filter(stored_object::Column::IntentId.eq(intent.id.clone()))
        .all(db)
        .await?)
}
