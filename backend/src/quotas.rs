//! How much one seller may hold: photos waiting for review, bytes stored, uploads open at once,
//! products. Anyone may sign up, so without these one account could fill the bucket or bury
//! the review queue. Each is checked before anything is signed or written, and the refusal
//! says which limit was met. (Two requests at the very same moment may both pass: a limit can
//! be exceeded by one batch's concurrency, never by a script's patience.)

use chrono::Utc;
use domain::ImageStatus;
use sea_orm::sea_query::{Condition, Expr, Func};
use sea_orm::{
    ColumnTrait, DatabaseBackend, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect,
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

/// Refuses an upload of `declared_bytes` (all its variants) that would take `seller` past a
/// limit.
pub async fn room_for_upload(
    db: &DatabaseConnection,
    quotas: &Quotas,
    prefix: &KeyPrefix,
    seller: &Account,
    declared_bytes: u64,
) -> Result<(), Error> {
    let pending = image::Entity::find()
        .filter(image::Column::AccountId.eq(seller.id))
        .filter(image::Column::Status.eq(ImageStatus::Pending))
        .count(db)
        .await?;
    if pending >= quotas.pending_images {
        return Err(Error::Conflict(format!(
            "You have {pending} photos waiting for review, the most one seller may have. \
             You can upload more once an admin has reviewed some."
        )));
    }
    let open = upload_intent::Entity::find()
        .filter(upload_intent::Column::AccountId.eq(seller.id))
        .filter(upload_intent::Column::CompletedAt.is_null())
        .filter(upload_intent::Column::ExpiresAt.gt(Utc::now()))
        .count(db)
        .await?;
    if open >= quotas.open_uploads {
        return Err(Error::Conflict(format!(
            "{open} uploads are already on their way, the most at once. \
             Wait for them to finish, then try again."
        )));
    }
    // Every object of the seller, registered or on its way, is under the seller's prefix.
    let stored: Option<i64> = stored_object::Entity::find()
        .select_only()
        .column_as(
            // PostgreSQL sums BIGINT as NUMERIC: cast back so both databases answer i64.
            Expr::expr(Func::cast_as(
                Func::sum(Expr::col(stored_object::Column::ByteSize)),
                "BIGINT",
            )),
            "total",
        )
        .filter(keys_under(
            db.get_database_backend(),
            &prefix.for_seller(seller.id),
        ))
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?
        .flatten();
    let stored = u64::try_from(stored.unwrap_or(0)).unwrap_or(0);
    if stored.saturating_add(declared_bytes) > quotas.stored_bytes {
        return Err(Error::Conflict(format!(
            "Your photos take {} of the {} one seller may store. Delete some to make room.",
            megabytes(stored),
            megabytes(quotas.stored_bytes)
        )));
    }
    Ok(())
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
