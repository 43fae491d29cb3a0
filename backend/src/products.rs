//! Products belong to one seller; another seller's product is "not found", never "forbidden".

use std::collections::HashMap;

use chrono::Utc;
use domain::limits::PRODUCT_NAME_CHARS;
use domain::typed_text::{self, Lines};
use domain::wire::ProductSummary;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::audit::{self, Action, Subject};
use crate::entities::{image, product, stored_object, upload_intent};
use crate::{Account, AppState, Error, cleanup, gallery_lock};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: i64,
    pub name: String,
}

impl From<product::Model> for Product {
    fn from(m: product::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
        }
    }
}

/// A product name as given (trimmed), or why it cannot be one.
pub fn parse_name(raw: &str) -> Result<String, Error> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Error::Invalid("Give the product a name.".into()));
    }
    if name.chars().count() > PRODUCT_NAME_CHARS {
        return Err(Error::Invalid(format!(
            "Product names are at most {PRODUCT_NAME_CHARS} characters."
        )));
    }
    typed_text::check(name, Lines::One)
        .map_err(|e| Error::Invalid(format!("The name {e}: type it without it.")))?;
    Ok(name.to_owned())
}

pub async fn create(
    db: &DatabaseConnection,
    seller: &Account,
    name: &str,
) -> Result<Product, Error> {
    let name = parse_name(name)?;
    let txn = crate::db::begin(db).await?;
    let model = product::ActiveModel {
        account_id: Set(seller.id),
        name: Set(name.clone()),
        created_at: Set(Utc::now()),
        gallery_version: Set(0),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let subject = Subject::product(seller.id, model.id);
    audit::record(&txn, seller, Action::ProductCreated, subject, name).await?;
    txn.commit().await?;
    Ok(model.into())
}

/// The seller's products, newest first, with their image counts.
pub async fn list(db: &DatabaseConnection, seller: &Account) -> Result<Vec<ProductSummary>, Error> {
    let products = product::Entity::find()
        .filter(product::Column::AccountId.eq(seller.id))
        .order_by_desc(product::Column::Id)
        .all(db)
        .await?;
    let counts: HashMap<i64, i64> = image::Entity::find()
        .select_only()
        .column(image::Column::ProductId)
        .column_as(image::Column::Id.count(), "images")
        .filter(image::Column::AccountId.eq(seller.id))
        .group_by(image::Column::ProductId)
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(products
        .into_iter()
        .map(|p| ProductSummary {
            images: counts
                .get(&p.id)
                .copied()
                .map_or(0, |n| u64::try_from(n).unwrap_or(0)),
            id: p.id,
            name: p.name,
        })
        .collect())
}

pub async fn rename(
    db: &DatabaseConnection,
    seller: &Account,
    id: i64,
    name: &str,
) -> Result<Product, Error> {
    let name = parse_name(name)?;
    let txn = crate::db::begin(db).await?;
    // Read under a row lock (PostgreSQL) so concurrent renames record true "old → new" pairs.
    let current = find_owned_in(&txn, seller, id, Lock::ForUpdate).await?;
    if current.name == name {
        return Ok(current);
    }
    // The write names the owner too: it changes only a row the check allowed, whatever ran between.
    let renamed = product::Entity::update_many()
        .col_expr(product::Column::Name, Expr::value(name.clone()))
        .filter(product::Column::Id.eq(id))
        .filter(product::Column::AccountId.eq(seller.id))
        .exec(&txn)
        .await?;
    if renamed.rows_affected != 1 {
        return Err(Error::NotFound("That product"));
    }
    let detail = format!("{} → {}", current.name, name);
    let subject = Subject::product(seller.id, id);
    audit::record(&txn, seller, Action::ProductRenamed, subject, detail).await?;
    txn.commit().await?;
    Ok(Product { id, name })
}

/// Deletes a product with its images, then their objects (as `images::delete` does).
/// `confirmed_images` is the count the seller was shown: if uploads finished since, nothing is
/// deleted and they are asked again, so a confirmation never covers more than it said.
pub async fn delete(
    state: &AppState,
    seller: &Account,
    id: i64,
    confirmed_images: u64,
) -> Result<(), Error> {
    let txn = crate::db::begin(&state.db).await?;
    // Locked, so no image is registered to it meanwhile unseen.
    if gallery_lock::lock(&txn, seller.id, id).await?.is_none() {
        return Err(Error::NotFound("That product"));
    }
    let image_ids: Vec<i64> = image::Entity::find()
        .select_only()
        .column(image::Column::Id)
        .filter(image::Column::ProductId.eq(id))
        .into_tuple()
        .all(&txn)
        .await?;
    if image_ids.len() as u64 != confirmed_images {
        return Err(Error::Conflict(format!(
            "The product now has {} images: look again and confirm.",
            image_ids.len()
        )));
    }
    let intent_ids: Vec<String> = upload_intent::Entity::find()
        .select_only()
        .column(upload_intent::Column::Id)
        .filter(upload_intent::Column::ProductId.eq(id))
        .into_tuple()
        .all(&txn)
        .await?;
    // Every object of the product (registered or mid-upload) loses its links and stays recorded
    // until its deletion succeeds; SQLite's ON DELETE actions need foreign keys switched on.
    let of_product = sea_orm::Condition::any()
        .add(stored_object::Column::ImageId.is_in(image_ids.clone()))
        .add(stored_object::Column::IntentId.is_in(intent_ids));
    let objects = stored_object::Entity::find()
        .filter(of_product.clone())
        .all(&txn)
        .await?;
    stored_object::Entity::update_many()
        .col_expr(
            stored_object::Column::ImageId,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(
            stored_object::Column::IntentId,
            Expr::value(Option::<String>::None),
        )
        .filter(of_product)
        .exec(&txn)
        .await?;
    image::Entity::delete_many()
        .filter(image::Column::ProductId.eq(id))
        .exec(&txn)
        .await?;
    upload_intent::Entity::delete_many()
        .filter(upload_intent::Column::ProductId.eq(id))
        .exec(&txn)
        .await?;
    product::Entity::delete_by_id(id).exec(&txn).await?;
    for image_id in &image_ids {
        let subject = Subject::image(seller.id, id, *image_id);
        audit::record(&txn, seller, Action::Deleted, subject, "with its product").await?;
    }
    let detail = format!("{} images", image_ids.len());
    let subject = Subject::product(seller.id, id);
    audit::record(&txn, seller, Action::ProductDeleted, subject, detail).await?;
    txn.commit().await?;
    cleanup::delete_objects(state, &objects).await?;
    Ok(())
}

/// The product with its image count, if `seller` owns it.
pub async fn summary(
    db: &DatabaseConnection,
    seller: &Account,
    id: i64,
) -> Result<ProductSummary, Error> {
    let product = find_owned(db, seller, id).await?;
    let images = image::Entity::find()
        .filter(image::Column::ProductId.eq(id))
        .count(db)
        .await?;
    Ok(ProductSummary {
        id: product.id,
        name: product.name,
        images,
    })
}

/// The product if `seller` owns it; otherwise (missing or someone else's) `NotFound`.
pub async fn find_owned(
    db: &DatabaseConnection,
    seller: &Account,
    id: i64,
) -> Result<Product, Error> {
    find_owned_in(db, seller, id, Lock::None).await
}

/// Whether a read inside a transaction holds the row until it ends.
enum Lock {
    None,
    /// `FOR UPDATE` on PostgreSQL; SQLite has one writer at a time anyway.
    ForUpdate,
}

async fn find_owned_in(
    db: &impl ConnectionTrait,
    seller: &Account,
    id: i64,
    lock: Lock,
) -> Result<Product, Error> {
    let mut query =
        product::Entity::find_by_id(id).filter(product::Column::AccountId.eq(seller.id));
    if let Lock::ForUpdate = lock {
        query = query.lock_exclusive();
    }
    query
        .one(db)
        .await?
        .map(Product::from)
        .ok_or(Error::NotFound("That product"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_name("  Mug ").unwrap(), "Mug");
        assert!(parse_name("   ").is_err());
        assert!(parse_name(&"x".repeat(PRODUCT_NAME_CHARS + 1)).is_err());
    }
}
