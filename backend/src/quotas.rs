//! How much one seller may hold: photos waiting for review, bytes stored, uploads open at once,
//! products. Anyone may sign up, so without these one account could fill the bucket or bury
//! the review queue. Each is checked before anything is signed or written, and the refusal
//! says which limit was met. (Two requests at the very same moment may both pass: a limit can
//! be exceeded by one batch's concurrency, never by a script's patience.)

use chrono::Utc;
use domain::ImageStatus;
use sea_orm::sea_query::{Condition, Expr, Func, Query, QueryStatementBuilder};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect, QueryTrait,
};

use crate::entities::{image, product, stored_object, upload_intent};
use crate::storage::KeyPrefix;
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
    prefix: &KeyPrefix,
    seller: &Account,
    product_id: i64,
    declared_bytes: u64,
) -> Result<(), Error> {
    let usage = usage(db, prefix, seller, product_id).await?;
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
    /// Bytes of every object under the seller's prefix, registered or on its way.
    stored: u64,
    /// The product uploaded to is the seller's.
    owns_product: bool,
}

/// The three counts and the product's owner in one query (four sub-selects, each served by an
/// index): every upload's begin pays for this, so it is one round trip, not four.
async fn usage(
    db: &DatabaseConnection,
    prefix: &KeyPrefix,
    seller: &Account,
    product_id: i64,
) -> Result<Usage, Error> {
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
    let backend = db.get_database_backend();
    let stored = stored_object::Entity::find()
        .select_only()
        // PostgreSQL sums BIGINT as NUMERIC: cast back so both databases answer i64.
        .expr(Func::coalesce([
            Func::cast_as(
                Func::sum(Expr::col(stored_object::Column::ByteSize)),
                "BIGINT",
            )
            .into(),
            Expr::val(0i64),
        ]))
        .filter(keys_under(backend, &prefix.for_seller(seller.id)))
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

/// Stored objects whose key starts with `prefix`, as a range of keys an index serves (a LIKE
/// read the whole table on every upload). Keys are compared byte by byte: SQLite does so by
/// default; PostgreSQL is told to, and has an index in that order (migration 8).
fn keys_under(backend: DatabaseBackend, prefix: &str) -> Condition {
    let Some((from, below)) = key_range(prefix) else {
        return Condition::all().add(stored_object::Column::ObjectKey.starts_with(prefix));
    };
    match backend {
        DatabaseBackend::Postgres => Condition::all().add(Expr::cust_with_values(
            r#""stored_objects"."object_key" COLLATE "C" >= $1 AND "stored_objects"."object_key" COLLATE "C" < $2"#,
            [from, below],
        )),
        _ => Condition::all()
            .add(stored_object::Column::ObjectKey.gte(from))
            .add(stored_object::Column::ObjectKey.lt(below)),
    }
}

/// `[prefix, below)`: every string that starts with `prefix`, and nothing else, in byte order.
/// For prefixes ending in an ASCII character before DEL, as a seller's (ending in `/`) does.
fn key_range(prefix: &str) -> Option<(String, String)> {
    let (&last, head) = prefix.as_bytes().split_last()?;
    if last >= 0x7F {
        return None;
    }
    let mut below = String::from_utf8(head.to_vec()).ok()?;
    below.push(char::from(last + 1));
    Some((prefix.to_owned(), below))
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
    fn a_sellers_keys_are_one_range() {
        let (from, below) = key_range("media/7/").unwrap();
        assert_eq!((from.as_str(), below.as_str()), ("media/7/", "media/70"));
        assert_eq!(key_range(""), None);
        assert_eq!(key_range("été"), None);
        let inside = |key: &str| from.as_str() <= key && key < below.as_str();
        assert!(inside("media/7/0c1d/display.jpg"));
        assert!(inside("media/7/~zz"));
        assert!(inside("media/7/\u{10FFFF}"));
        // Seller 70, 7x and a shorter prefix are not seller 7's.
        assert!(!inside("media/70/0c1d/display.jpg"));
        assert!(!inside("media/71/a.jpg"));
        assert!(!inside("media/7"));
        assert!(!inside("media/6/z.jpg"));
    }

    #[test]
    fn sizes_are_said_in_whole_megabytes() {
        assert_eq!(megabytes(0), "0 MB");
        assert_eq!(megabytes(1), "1 MB");
        assert_eq!(megabytes(5_000_000_000), "5000 MB");
    }
}
