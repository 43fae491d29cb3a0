//! One product's gallery changes one writer at a time: reorders, registrations and deletions
//! take its lock, so two tabs never lose an update and two uploads never share a position.
//! Appending an image needs the lock, and the type says so.

use chrono::{DateTime, Utc};
use domain::ImageStatus;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect, Set,
};

use crate::Error;
use crate::entities::{image, product, upload_intent};

/// Proof that a product's gallery is locked in the current transaction (see [`lock`]).
pub(crate) struct GalleryLock {
    product_id: i64,
}

/// Takes `product_id`'s write lock until `txn` ends, by bumping its gallery version, so
/// reorders, registrations and deletion of one product run one after another (two tabs never
/// lose an update; two uploads never share a position). `None` if `seller_id` has no such
/// product.
pub(crate) async fn lock(
    txn: &DatabaseTransaction,
    seller_id: i64,
    product_id: i64,
) -> Result<Option<GalleryLock>, Error> {
    let locked = product::Entity::update_many()
        .col_expr(
            product::Column::GalleryVersion,
            Expr::col(product::Column::GalleryVersion).add(1),
        )
        .filter(product::Column::Id.eq(product_id))
        .filter(product::Column::AccountId.eq(seller_id))
        .exec(txn)
        .await?;
    Ok((locked.rows_affected == 1).then_some(GalleryLock { product_id }))
}

/// A new image from a finished upload intent, for the end of its product's gallery.
pub(crate) struct NewImage<'a> {
    pub account_id: i64,
    pub intent_id: &'a str,
    /// `pending`, or `approved` for a trusted import.
    pub status: ImageStatus,
    pub alt_text: String,
    pub width: u32,
    pub height: u32,
    pub at: DateTime<Utc>,
    /// For an import: the file's path in the old shop's media.
    pub source_path: Option<String>,
}

/// Adds `new` after the last image of the locked product (position 0 for the first) and links
/// its intent to it. The lock is what keeps two registrations from taking the same position.
pub(crate) async fn append_image(
    txn: &DatabaseTransaction,
    gallery: &GalleryLock,
    new: NewImage<'_>,
) -> Result<image::Model, Error> {
    let last: Option<Option<i32>> = image::Entity::find()
        .select_only()
        .column_as(image::Column::Position.max(), "max_position")
        .filter(image::Column::ProductId.eq(gallery.product_id))
        .into_tuple()
        .one(txn)
        .await?;
    let dim = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    let image = image::ActiveModel {
        product_id: Set(gallery.product_id),
        account_id: Set(new.account_id),
        intent_id: Set(new.intent_id.to_owned()),
        status: Set(new.status),
        review_reason: Set(None),
        position: Set(last.flatten().map_or(0, |p| p + 1)),
        alt_text: Set(new.alt_text),
        width: Set(dim(new.width)),
        height: Set(dim(new.height)),
        created_at: Set(new.at),
        source_path: Set(new.source_path),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    upload_intent::ActiveModel {
        id: Set(new.intent_id.to_owned()),
        image_id: Set(Some(image.id)),
        ..Default::default()
    }
    .update(txn)
    .await?;
    Ok(image)
}
