//! What the bucket holds: registered pictures still there as registered, and files under the
//! prefix that are not Vitrine's (an old shop's media), which gc never touches.

use sea_orm::DatabaseConnection;

use super::Check;
use crate::storage::{KeyPrefix, ObjectStore};
use crate::{gc, integrity};

/// Every registered image's objects are in the store, with the registered size and type.
pub async fn stored_images(db: &DatabaseConnection, store: &ObjectStore) -> Check {
    let name = "stored images";
    match integrity::check(db, store, integrity::Depth::Heads).await {
        Err(err) => Check::problem(
            name,
            format!("cannot compare the images with the store: {err}"),
            "fix the database and store problems above first",
        ),
        Ok(report) if report.damaged.is_empty() => Check::ok(
            name,
            format!(
                "all {} objects of {} images are in the store as registered",
                report.objects_checked, report.images_checked
            ),
        ),
        Ok(report) => Check::problem(
            name,
            format!(
                "{} of {} images have objects missing or changed in the store",
                report.damaged_images(),
                report.images_checked
            ),
            "run `vitrine check` for the list; their sellers see them as broken, with Delete and Re-upload",
        ),
    }
}

/// Files under the prefix whose keys Vitrine does not make: reported, never touched.
pub async fn shared_prefix(store: &ObjectStore, prefix: &KeyPrefix) -> Check {
    let name = "shared bucket";
    match gc::count_foreign(store, prefix).await {
        Err(err) => Check::problem(
            name,
            format!("cannot list {}: {err}", prefix.as_str()),
            "give the key list rights on the bucket (gc needs them too)",
        ),
        Ok(0) => Check::ok(
            name,
            format!("only Vitrine's own objects under {}", prefix.as_str()),
        ),
        Ok(n) => Check::ok(
            name,
            format!(
                "{n} other file(s) under {} (an old shop's media?): their keys are not Vitrine's, so gc leaves them alone",
                prefix.as_str()
            ),
        ),
    }
}
