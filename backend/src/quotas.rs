//! How much one seller may hold: photos waiting for review, bytes stored, uploads open at once,
//! products. Anyone may sign up, so without these one account could fill the bucket or bury
//! the review queue. Each is checked before anything is signed or written, and the refusal
//! says which limit was met. (Two requests at the very same moment may both pass: a limit can
//! be exceeded by one batch's concurrency, never by a script's patience.)

use chrono::Utc;
use domain::ImageStatus;
use sea_orm::sea_query::{Expr, Func, Query, QueryStatementBuilder};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect, QueryTrait,
};

use crate::entities::{account, image, product, upload_intent};
use crate::{Account, Error};

/// The limits (`VITRINE_QUOTA_*`); the defaults suit a small shop's busiest seller many times
/// over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas {
    pub pending_images: u64,
    pub stored_bytes: u64,
    pub open_uploads: u64,
    pub products: u64,
}

impl Default for Quotas {
    fn default() -> Self {
        Self {
            pending_images: 500,
            stored_bytes: 5_000_000_000,
            open_uploads: 60,
            products: 1_000,
        }
    }
}

/// Refuses an upload of `declared_bytes` (all its variants) to `product_id` unless the product
/// is `seller`'s (else `NotFound`, as for a missing one) and the upload keeps them within every
/// limit. Ownership and usage are read in one query: every upload's begin pays for it.
pub async fn room_for_upload(
    db: &DatabaseConnection,
    quotas: &Quotas,
    seller: &Account,
    product_id: i64,
    declared_bytes: u64,
) -> Result<(), Error> {
    let usage = usage(db, seller, product_id).await?;
    if !usage.owns_product {
        return Err(Error::NotFound("That product"));
    }
    if usage.pending >= quotas.pending_images {
        return Err(Error::Conflict(format!(
            "You have {} photos waiting for review, the most one seller may have. \
             You can upload more once an admin has reviewed some.",
            usage.pending
        )));
    }
    if usage.open >= quotas.open_uploads {
        return Err(Error::Conflict(format!(
            "{} uploads are already on their way, the most at once. \
             Wait for them to finish, then try again.",
            usage.open
        )));
    }
    if usage.stored.saturating_add(declared_bytes) > quotas.stored_bytes {
        return Err(Error::Conflict(format!(
            "Your photos take {} of the {} one seller may store. Delete some to make room.",
            megabytes(usage.stored),
            megabytes(quotas.stored_bytes)
        )));
    }
    Ok(())
}

/// What a seller holds now, against the upload limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Usage {
    /// Photos waiting for review.
    pending: u64,
    /// Uploads begun, neither completed nor expired.
    open: u64,
    /// Bytes of every object recorded as the seller's, registered or on its way.
    stored: u64,
    /// The product uploaded to is the seller's.
    owns_product: bool,
}

/// The usage and the product's owner in one query (four sub-selects, each served by an index,
/// none growing with what the seller has stored): every upload's begin pays for this, so it
/// is one round trip, not four.
async fn usage(db: &DatabaseConnection, seller: &Account, product_id: i64) -> Result<Usage, Error> {
    let owned = product::Entity::find()
        .select_only()
        .expr(Func::count(Expr::col(product::Column::Id)))
        .filter(product::Column::Id.eq(product_id))
        .filter(product::Column::AccountId.eq(seller.id))
        .into_query();
    let pending = image::Entity::find()
        .select_only()
        .expr(Func::count(Expr::col(image::Column::Id)))
        .filter(image::Column::AccountId.eq(seller.id))
        .filter(image::Column::Status.eq(ImageStatus::Pending))
        .into_query();
    let open = upload_intent::Entity::find()
        .select_only()
        .expr(Func::count(Expr::col(upload_intent::Column::Id)))
        .filter(upload_intent::Column::AccountId.eq(seller.id))
        .filter(upload_intent::Column::CompletedAt.is_null())
        .filter(upload_intent::Column::ExpiresAt.gt(Utc::now()))
        .into_query();
    // The running total the database keeps (migration 10), not a sum of the seller's objects.
    let stored = account::Entity::find_by_id(seller.id)
        .select_only()
        .column(account::Column::StoredBytes)
        .into_query();
    let sub = |query: sea_orm::sea_query::SelectStatement| {
        Expr::SubQuery(None, Box::new(query.into_sub_query_statement()))
    };
    let query = Query::select()
        .expr_as(sub(pending), "pending")
        .expr_as(sub(open), "open")
        .expr_as(sub(stored), "stored")
        .expr_as(sub(owned), "owned")
        .to_owned();
    let row =
        db.query_one(&query)
            .await?
            .ok_or(Error::Database(sea_orm::DbErr::RecordNotFound(
                "the usage query answered no row".into(),
            )))?;
    let count = |column: &str| -> Result<u64, Error> {
        Ok(u64::try_from(row.try_get::<i64>("", column)?).unwrap_or(0))
    };
    Ok(Usage {
        pending: count("pending")?,
        open: count("open")?,
        stored: count("stored")?,
        owns_product: count("owned")? > 0,
    })
}

/// Refuses a new product past the limit.
pub async fn room_for_product(
    db: &DatabaseConnection,
    quotas: &Quotas,
    seller: &Account,
) -> Result<(), Error> {
    let products = product::Entity::find()
        .filter(product::Column::AccountId.eq(seller.id))
        .count(db)
        .await?;
    if products >= quotas.products {
        return Err(Error::Conflict(format!(
            "You have {products} products, the most one seller may have. \
             Delete one you no longer sell to make room."
        )));
    }
    Ok(())
}

fn megabytes(bytes: u64) -> String {
    format!("{} MB", bytes.div_ceil(1_000_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_said_in_whole_megabytes() {
        assert_eq!(megabytes(0), "0 MB");
        assert_eq!(megabytes(1), "1 MB");
        assert_eq!(megabytes(5_000_000_000), "5000 MB");
    }
}
