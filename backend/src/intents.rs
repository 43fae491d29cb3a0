//! Upload intents: the record that an upload was begun, by whom, for which product, and which
//! objects (keys, variants, declared sizes) it may store. Browser uploads and the import write
//! them here, and every lookup goes through [`find_for`], so ownership is checked in one place.

use chrono::{DateTime, Utc};
use domain::{ContentType, Sha256, Variant};
use sea_orm::sea_query::{CommonTableExpression, InsertStatement, WithClause};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter,
    QueryTrait, Set, Statement,
};
use uuid::Uuid;

use crate::db::WriteTurns;
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

/// Records a browser upload's intent and its objects, atomically, in as few trips to the
/// database as each allows (every upload begun pays for this):
/// - PostgreSQL: one statement, a data-modifying `WITH`.
/// - SQLite: the two inserts in one call (SQLite has no data-modifying `WITH`), committed
///   with the other uploads begun at the same time (see [`WriteTurns::write`]).
pub(crate) async fn record(
    db: &DatabaseConnection,
    turns: &WriteTurns,
    intent: &NewIntent,
    objects: &[NewObject<'_>],
) -> Result<(), Error> {
    let backend = db.get_database_backend();
    let Some(objects) = objects_query(intent, None, objects) else {
        insert(db, intent).await?;
        return Ok(());
    };
    if backend == DatabaseBackend::Postgres {
        let both = WithClause::new()
            .cte(
                CommonTableExpression::new()
                    .query(intent_query(intent))
                    .table_name("new_intent")
                    .to_owned(),
            )
            .to_owned()
            .query(objects);
        db.execute(&both).await?;
        return Ok(());
    }
    let first = backend.build(&intent_query(intent));
    let then = backend.build(&objects);
    let values = [first.values, then.values].into_iter().flatten();
    let both = Statement::from_sql_and_values(
        backend,
        format!("{}; {}", first.sql, then.sql),
        values.flat_map(|v| v.0),
    );
    turns.write(db, both).await
}

pub(crate) async fn insert(conn: &impl ConnectionTrait, intent: &NewIntent) -> Result<(), Error> {
    conn.execute(&intent_query(intent)).await?;
    Ok(())
}

fn intent_query(intent: &NewIntent) -> InsertStatement {
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
    .into_query()
}

/// Records the objects of `intent` (already registered to `image_id`, for an import).
pub(crate) async fn insert_objects(
    conn: &impl ConnectionTrait,
    intent: &NewIntent,
    image_id: Option<i64>,
    objects: &[NewObject<'_>],
) -> Result<(), Error> {
    if let Some(query) = objects_query(intent, image_id, objects) {
        conn.execute(&query).await?;
    }
    Ok(())
}

/// One statement for all the objects (`None` when there are none). They are the intent's
/// seller's: the database adds their sizes to the seller's stored bytes as they are inserted.
fn objects_query(
    intent: &NewIntent,
    image_id: Option<i64>,
    objects: &[NewObject<'_>],
) -> Option<InsertStatement> {
    let dim = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    if objects.is_empty() {
        return None;
    }
    let rows = objects.iter().map(|object| stored_object::ActiveModel {
        object_key: Set(object.key.as_str().to_owned()),
        account_id: Set(Some(intent.account_id)),
        intent_id: Set(Some(intent.id.to_string())),
        image_id: Set(image_id),
        variant: Set(object.variant),
        content_type: Set(object.content_type),
        byte_size: Set(i64::try_from(object.size).unwrap_or(i64::MAX)),
        sha256: Set(Some(object.sha256.to_base64())),
        width: Set(object.dimensions.map(|(w, _)| dim(w))),
        height: Set(object.dimensions.map(|(_, h)| dim(h))),
        created_at: Set(intent.created_at),
        ..Default::default()
    });
    Some(stored_object::Entity::insert_many(rows).into_query())
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
