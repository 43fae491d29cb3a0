//! The reverse of gc: registered images whose objects are gone from the store, or are not
//! what was registered ("path in the database, file gone, 404").
//!
//! Each registered object is asked for with one HEAD; what the store says is compared with
//! the row (size and content type). With [`Depth::Contents`] each object is also read whole and
//! its SHA-256 compared with the one verified at upload: other bytes of the same size are only
//! found that way. A store that cannot be reached is an error, never "missing": an outage must
//! not look like lost pictures.

use std::collections::HashMap;

pub use domain::Damage;
use domain::wire::DamagedVariant;
use domain::{ContentType, Sha256, Variant};
use sea_orm::{ColumnTrait, EntityTrait, ModelTrait, QueryFilter};
use tokio::task::JoinSet;

use crate::entities::{account, image, product, stored_object};
use crate::storage::ObjectStore;
use crate::{Account, AppState, Error, images};
use sea_orm::DatabaseConnection;

/// HEAD requests in flight at once: quick on a big gallery, gentle on the store.
const CONCURRENT_HEADS: usize = 16;

/// How closely [`check`] looks at each object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// One HEAD each: objects gone, resized or retyped.
    Heads,
    /// Also every byte, against the SHA-256 recorded at upload (one GET per object: the
    /// whole bucket's worth of traffic).
    Contents,
}

/// One damaged object, with what a person needs to find the picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DamagedObject {
    pub image_id: i64,
    pub product_id: i64,
    pub product_name: String,
    pub seller: String,
    pub variant: Variant,
    pub key: String,
    pub damage: Damage,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub images_checked: usize,
    pub objects_checked: usize,
    /// Ordered by image, then variant.
    pub damaged: Vec<DamagedObject>,
}

impl Report {
    /// How many images have at least one damaged object.
    pub fn damaged_images(&self) -> usize {
        let mut ids: Vec<i64> = self.damaged.iter().map(|d| d.image_id).collect();
        ids.dedup();
        ids.len()
    }
}

/// Compares what the store holds with what was registered.
pub fn compare(
    row: &stored_object::Model,
    head: Option<&crate::storage::ObjectHead>,
) -> Option<Damage> {
    let Some(head) = head else {
        return Some(Damage::Missing);
    };
    let registered = u64::try_from(row.byte_size).unwrap_or_default();
    if head.size != registered {
        return Some(Damage::SizeDiffers {
            registered,
            stored: head.size,
        });
    }
    match head.content_type.as_deref() {
        Some(stored) if ContentType::parse(stored).ok() != Some(row.content_type) => {
            Some(Damage::TypeDiffers {
                registered: row.content_type,
                stored: stored.to_owned(),
            })
        }
        _ => None,
    }
}

/// Checks every registered image's objects.
pub async fn check(
    db: &DatabaseConnection,
    store: &ObjectStore,
    depth: Depth,
) -> Result<Report, Error> {
    let images = image::Entity::find()
        .find_with_related(stored_object::Entity)
        .all(db)
        .await?;
    let products: HashMap<i64, product::Model> = product::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let sellers: HashMap<i64, String> = account::Entity::find()
        .filter(account::Column::Id.is_in(products.values().map(|p| p.account_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.email))
        .collect();

    let mut report = Report {
        images_checked: images.len(),
        ..Report::default()
    };
    let rows: Vec<(image::Model, stored_object::Model)> = images
        .into_iter()
        .flat_map(|(img, objects)| objects.into_iter().map(move |o| (img.clone(), o)))
        .collect();
    report.objects_checked = rows.len();
    for (img, row, damage) in head_all(store, rows, depth).await? {
        let product = products.get(&img.product_id);
        report.damaged.push(DamagedObject {
            image_id: img.id,
            product_id: img.product_id,
            product_name: product.map(|p| p.name.clone()).unwrap_or_default(),
            seller: product
                .and_then(|p| sellers.get(&p.account_id))
                .cloned()
                .unwrap_or_default(),
            variant: row.variant,
            key: row.object_key,
            damage,
        });
    }
    report.damaged.sort_by_key(|d| (d.image_id, d.variant));
    Ok(report)
}

/// One image of `seller`'s, when their page could not load it: which of its variants are
/// damaged (none when the store has them all as registered, and the fault was elsewhere).
pub async fn check_image(
    state: &AppState,
    seller: &Account,
    image_id: i64,
) -> Result<Vec<DamagedVariant>, Error> {
    let image = images::find_owned(state, seller, image_id).await?;
    let rows = image
        .find_related(stored_object::Entity)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|row| (image.clone(), row))
        .collect();
    let mut damaged: Vec<DamagedVariant> = head_all(&state.store, rows, Depth::Heads)
        .await?
        .into_iter()
        .map(|(_, row, damage)| DamagedVariant {
            variant: row.variant,
            damage,
        })
        .collect();
    damaged.sort_by_key(|d| d.variant);
    Ok(damaged)
}

/// HEADs (and at `Depth::Contents` reads) every row's object, a few at a time; returns the
/// damaged ones.
async fn head_all(
    store: &ObjectStore,
    rows: Vec<(image::Model, stored_object::Model)>,
    depth: Depth,
) -> Result<Vec<(image::Model, stored_object::Model, Damage)>, Error> {
    let mut damaged = Vec::new();
    let mut pending = rows.into_iter();
    let mut running = JoinSet::new();
    loop {
        while running.len() < CONCURRENT_HEADS {
            let Some((img, row)) = pending.next() else {
                break;
            };
            let store = store.clone();
            running.spawn(async move {
                let head = store.head(&row.object_key).await?;
                let mut damage = compare(&row, head.as_ref());
                // Rows from before checksums were recorded have nothing to compare the bytes with.
                let registered = row.sha256.as_deref().and_then(|s| Sha256::parse(s).ok());
                if let (None, Depth::Contents, Some(registered)) = (&damage, depth, registered) {
                    damage = match store.sha256(&row.object_key).await? {
                        None => Some(Damage::Missing),
                        Some(stored) if stored != registered => Some(Damage::ContentDiffers),
                        Some(_) => None,
                    };
                }
                Ok::<_, Error>(damage.map(|d| (img, row, d)))
            });
        }
        let Some(done) = running.join_next().await else {
            break;
        };
        let found =
            done.map_err(|e| Error::Internal(format!("an integrity check task failed: {e}")))??;
        damaged.extend(found);
    }
    Ok(damaged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::ObjectHead;

    fn row(size: i64) -> stored_object::Model {
        stored_object::Model {
            id: 1,
            object_key: "media/sellers/1/0b6c6e8a1f5e4a7e9c1d2f3e4d5c6b7a/display.jpg".into(),
            account_id: Some(1),
            intent_id: None,
            image_id: Some(1),
            variant: Variant::Display,
            content_type: ContentType::Jpeg,
            byte_size: size,
            sha256: None,
            width: None,
            height: None,
            created_at: chrono::Utc::now(),
        }
    }

    fn head(size: u64, content_type: &str) -> ObjectHead {
        ObjectHead {
            size,
            content_type: Some(content_type.into()),
        }
    }

    #[test]
    fn an_object_as_registered_is_sound() {
        assert_eq!(compare(&row(120), Some(&head(120, "image/jpeg"))), None);
    }

    #[test]
    fn gone_resized_and_retyped_objects_are_each_named() {
        assert_eq!(compare(&row(120), None), Some(Damage::Missing));
        assert_eq!(
            compare(&row(120), Some(&head(90, "image/jpeg"))),
            Some(Damage::SizeDiffers {
                registered: 120,
                stored: 90
            })
        );
        let retyped = compare(&row(120), Some(&head(120, "text/html")));
        assert_eq!(
            retyped.map(|d| d.to_string()).as_deref(),
            Some("stored as text/html, registered as image/jpeg")
        );
    }
}
