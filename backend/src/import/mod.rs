//! `vitrine import SOURCE`: brings an old shop's media (a Django `MEDIA_ROOT`, or its bucket)
//! into Vitrine's bucket and database.
//!
//! Each file goes through the same pipeline as a browser upload (orientation applied, metadata
//! such as GPS stripped, three variants), is uploaded, checked with HEAD, and registered in one
//! transaction with the path it had (so old links find it, see `legacy_links`). The upload's id
//! is derived from the product and the file's bytes, so a re-run finds what is already in and
//! skips it, and a run killed half-way resumes where it stopped. Its variants go to keys of
//! that run alone: what a killed run uploaded is never written again, so `vitrine gc` can
//! delete it without racing a later run that registers the same key. The source is only read
//! (`source`); which file goes where comes from a manifest or the source's listing
//! (`manifest`).

mod manifest;
mod source;

pub use manifest::{Item, listed, manifest};
pub use source::{Location, Reach, Source};

use chrono::Utc;
use domain::ImageStatus;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::audit::{self, Action, Subject};
use crate::entities::{image, upload_intent};
use crate::gallery_lock::{self, NewImage};
use crate::intents::{self, NewIntent, NewObject};
use crate::products;
use crate::storage::ObjectKey;
use crate::{Account, AppState, Error, accounts};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Imported {
        image_id: i64,
    },
    /// Already imported by an earlier run.
    AlreadyThere {
        image_id: i64,
    },
    /// With `dry_run`: would be imported.
    WouldImport,
    /// Not imported, and why (not an image, unreadable, too large…).
    Skipped(String),
}

/// Where image `image_id` is now, for the operator's map of old links: its status and the
/// URL its display variant keeps (`legacy_links::display_url`).
pub async fn whereabouts(
    state: &AppState,
    image_id: i64,
) -> Result<Option<(ImageStatus, String)>, Error> {
    let Some(image) = image::Entity::find_by_id(image_id).one(&state.db).await? else {
        return Ok(None);
    };
    let url = crate::legacy_links::display_url(state, image_id).await?;
    Ok(url.map(|url| (image.status, url)))
}

/// How an import runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Run {
    /// Publish at once (they were public before); otherwise they wait for review.
    pub approve: bool,
    /// Say what would happen; change nothing.
    pub dry_run: bool,
    /// Sellers without an account are created (by the caller, before the import).
    pub create_sellers: bool,
    /// Accounts signed up on the site receive their rows too (see [`accounts::Origin`]).
    pub trust_site_accounts: bool,
}

/// The upload id of `bytes` in `product_id`: the same file into the same product is the same
/// upload, on every run.
fn upload_id(product_id: i64, bytes: &[u8]) -> Uuid {
    let mut hash = Sha256::new();
    hash.update(product_id.to_be_bytes());
    hash.update(bytes);
    let digest = hash.finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(first).into_uuid()
}

/// The seller's product called `name`, created if missing.
async fn product_for(
    state: &AppState,
    seller: &Account,
    name: &str,
    dry_run: bool,
) -> Result<Option<i64>, Error> {
    let found = products::list(&state.db, seller)
        .await?
        .into_iter()
        .find(|p| p.name == name.trim());
    match (found, dry_run) {
        (Some(p), _) => Ok(Some(p.id)),
        (None, true) => Ok(None),
        (None, false) => Ok(Some(products::create(&state.db, seller, name).await?.id)),
    }
}

/// Imports one item.
pub async fn import_one(
    state: &AppState,
    source: &Source,
    item: &Item,
    run: Run,
) -> Result<Outcome, Error> {
    // What no run could import is said by the dry run too, and never stops a run half-way.
    if let Err(why) = domain::Email::parse(&item.seller) {
        return Ok(Outcome::Skipped(format!("seller: {why}")));
    }
    if let Err(Error::Invalid(why)) = products::parse_name(&item.product) {
        return Ok(Outcome::Skipped(format!("product: {why}")));
    }
    let seller = crate::accounts::by_email(&state.db, &item.seller).await?;
    if seller.is_none() && !(run.dry_run && run.create_sellers) {
        return Ok(Outcome::Skipped(format!(
            "no account {} (create it with `vitrine user add`, or import with --create-sellers)",
            item.seller
        )));
    }
    if let Some(seller) = &seller
        && seller.origin == accounts::Origin::SignedUpOnSite
        && !run.trust_site_accounts
    {
        return Ok(Outcome::Skipped(format!(
            "{} signed up on the site, and nothing shows it is the old shop's seller (anyone may sign up with an address first); once you know it is, import again with --trust-site-accounts",
            seller.email
        )));
    }
    // From here a missing seller is one a dry run with --create-sellers would create: the
    // photo is still read and processed, so the dry run says what the real one will do.
    let bytes = match source.read(&item.source).await {
        Ok(bytes) => bytes,
        Err(e) => return Ok(Outcome::Skipped(format!("cannot read it: {e}"))),
    };
    let product_id = match &seller {
        Some(seller) => product_for(state, seller, &item.product, run.dry_run).await?,
        None => None,
    };
    let id = product_id.map(|p| upload_id(p, &bytes));
    if let Some(id) = id {
        let done = upload_intent::Entity::find_by_id(id.to_string())
            .filter(upload_intent::Column::CompletedAt.is_not_null())
            .one(&state.db)
            .await?;
        if done.is_some() {
            let image = image::Entity::find()
                .filter(image::Column::IntentId.eq(id.to_string()))
                .one(&state.db)
                .await?;
            // Imported, then deleted by its seller: it stays deleted.
            return Ok(match image {
                Some(image) => Outcome::AlreadyThere { image_id: image.id },
                None => Outcome::Skipped("imported before, and deleted since".into()),
            });
        }
    }
    let specs = pipeline::UPLOAD_VARIANTS.map(|(_, spec)| spec);
    let renditions = match pipeline::process(&bytes, &specs) {
        Ok(r) => r,
        Err(e) => return Ok(Outcome::Skipped(e.to_string())),
    };
    let (Some(seller), Some(product_id), Some(id), false) = (seller, product_id, id, run.dry_run)
    else {
        return Ok(Outcome::WouldImport);
    };

    // This run's keys (see the module's comment): a killed run's objects are orphans gc
    // removes after its grace period, never keys a later run registers.
    let keys_id = Uuid::new_v4();
    let mut uploaded = Vec::with_capacity(renditions.len());
    for (&(variant, _), rendition) in pipeline::UPLOAD_VARIANTS.iter().zip(&renditions) {
        let key = ObjectKey::for_upload(
            &state.settings.key_prefix,
            seller.id,
            keys_id,
            variant,
            rendition.content_type,
        );
        state
            .store
            .put(
                key.as_str(),
                rendition.bytes.clone(),
                rendition.content_type.mime(),
            )
            .await?;
        let head = state.store.head(key.as_str()).await?;
        if head.map(|h| h.size) != Some(rendition.bytes.len() as u64) {
            return Err(Error::Storage(format!(
                "{} did not arrive whole: run the import again",
                key.as_str()
            )));
        }
        uploaded.push((variant, key, rendition));
    }

    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    let Some(gallery) = gallery_lock::lock(&txn, seller.id, product_id).await? else {
        return Err(Error::NotFound("That product"));
    };
    let intent = NewIntent {
        id,
        account_id: seller.id,
        product_id,
        created_at: now,
        expires_at: now,
        completed_at: Some(now),
    };
    intents::insert(&txn, &intent).await?;
    let display = &renditions[0];
    let image = gallery_lock::append_image(
        &txn,
        &gallery,
        NewImage {
            account_id: seller.id,
            intent_id: &id.to_string(),
            status: if run.approve {
                ImageStatus::Approved
            } else {
                ImageStatus::Pending
            },
            alt_text: item
                .alt_text
                .chars()
                .take(domain::limits::ALT_TEXT_CHARS)
                .collect(),
            width: display.width,
            height: display.height,
            at: now,
            source_path: Some(item.source.clone()),
        },
    )
    .await?;
    let objects: Vec<NewObject> = uploaded
        .iter()
        .map(|(variant, key, rendition)| NewObject {
            key,
            variant: *variant,
            content_type: rendition.content_type,
            size: rendition.bytes.len() as u64,
            sha256: pipeline::checksum::sha256(&rendition.bytes),
            dimensions: Some((rendition.width, rendition.height)),
        })
        .collect();
    intents::insert_objects(&txn, &intent, Some(image.id), &objects).await?;
    let subject = Subject::image(seller.id, product_id, image.id);
    let detail = format!("imported from {}", source.describe(&item.source));
    audit::record(&txn, &seller, Action::Uploaded, subject, detail).await?;
    txn.commit().await?;
    Ok(Outcome::Imported { image_id: image.id })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_file_in_the_same_product_is_the_same_upload() {
        assert_eq!(upload_id(1, b"abc"), upload_id(1, b"abc"));
        assert_ne!(upload_id(1, b"abc"), upload_id(2, b"abc"));
        assert_ne!(upload_id(1, b"abc"), upload_id(1, b"abd"));
    }
}
