//! `vitrine import-local`: brings an existing media folder (a Django `MEDIA_ROOT`) into the
//! bucket and the database.
//!
//! Each file goes through the same pipeline as a browser upload (orientation applied, metadata
//! such as GPS stripped, three variants), is uploaded, checked with HEAD, and registered in one
//! transaction. The upload's id is derived from the product and the file's bytes, so a re-run
//! finds what is already in and skips it, and a run killed half-way resumes where it stopped
//! (a variant uploaded but not registered is simply written again). Local files are only read.

use std::path::{Path, PathBuf};

use chrono::Utc;
use domain::ImageStatus;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::audit::{self, Action, Subject};
use crate::entities::upload_intent;
use crate::gallery_lock::{self, NewImage};
use crate::intents::{self, NewIntent, NewObject};
use crate::products;
use crate::storage::ObjectKey;
use crate::{Account, AppState, Error};

/// One file to import, and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Where the file is read.
    pub path: PathBuf,
    /// Its path in the old shop's media (what Django kept in the `ImageField` column, relative
    /// to the folder imported): old links lead to the picture by it.
    pub source: String,
    pub seller: String,
    pub product: String,
    pub alt_text: String,
    /// Where it goes in its product's gallery, from the manifest; else manifest order.
    pub position: Option<i32>,
    /// The product's cover (first picture), from the manifest.
    pub cover: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Imported {
        image_id: i64,
    },
    /// Already imported by an earlier run.
    AlreadyThere,
    /// With `dry_run`: would be imported.
    WouldImport,
    /// Not imported, and why (not an image, unreadable, too large…).
    Skipped(String),
}

/// Image files under `dir` (recursively, sorted), as items for one seller and product.
pub fn scan(dir: &Path, seller: &str, product: &str) -> Result<Vec<Item>, Error> {
    let mut files = Vec::new();
    walk(dir, &mut files)
        .map_err(|e| Error::Invalid(format!("cannot read {}: {e}", dir.display())))?;
    files.sort();
    Ok(files
        .into_iter()
        .map(|path| Item {
            source: relative(dir, &path),
            path,
            seller: seller.to_owned(),
            product: product.to_owned(),
            alt_text: String::new(),
            position: None,
            cover: false,
        })
        .collect())
}

/// `path` below `dir`, with `/` between its parts, as Django writes it.
fn relative(dir: &Path, path: &Path) -> String {
    let below = path.strip_prefix(dir).unwrap_or(path);
    below
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(&path, out)?;
        } else if !entry.file_name().to_string_lossy().starts_with('.') {
            out.push(path);
        }
    }
    Ok(())
}

/// Items from a CSV manifest with a header line naming its columns: `source` (the file's path
/// relative to `dir`, as Django stores it; `path` is taken too), `seller`, `product`, and
/// optionally `position`, `cover` and `alt`. Quoted fields may hold commas. Items come back in
/// gallery order: each product's cover first, then by position, then as listed.
pub fn manifest(dir: &Path, csv: &str) -> Result<Vec<Item>, Error> {
    let mut lines = csv
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Ok(Vec::new());
    };
    let columns: Vec<String> = split_csv(header)
        .into_iter()
        .map(|c| c.to_ascii_lowercase().replace([' ', '_'], ""))
        .collect();
    let column = |names: &[&str]| columns.iter().position(|c| names.contains(&c.as_str()));
    let (Some(source_at), Some(seller_at), Some(product_at)) = (
        column(&["source", "path"]),
        column(&["seller"]),
        column(&["product"]),
    ) else {
        return Err(Error::Invalid(format!(
            "the manifest's header line is \"{header}\": it needs the columns source, seller and product (and may have position, cover and alt)"
        )));
    };
    let (position_at, cover_at, alt_at) = (
        column(&["position"]),
        column(&["cover"]),
        column(&["alt", "alttext"]),
    );
    let mut items = Vec::new();
    for (n, line) in lines {
        let fields = split_csv(line);
        let line_no = n + 1;
        let get = |at: Option<usize>| at.and_then(|i| fields.get(i)).map(String::as_str);
        let (Some(source), Some(seller), Some(product)) = (
            get(Some(source_at)),
            get(Some(seller_at)),
            get(Some(product_at)),
        ) else {
            return Err(Error::Invalid(format!(
                "manifest line {line_no}: source, seller and product are all needed"
            )));
        };
        let position = match get(position_at).filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => Some(p.parse::<i32>().map_err(|_| {
                Error::Invalid(format!(
                    "manifest line {line_no}: position \"{p}\" is not a whole number"
                ))
            })?),
        };
        let cover = matches!(
            get(cover_at).map(str::to_ascii_lowercase).as_deref(),
            Some("1" | "true" | "t" | "yes" | "y")
        );
        let source = source.trim_start_matches('/').to_owned();
        items.push(Item {
            path: dir.join(&source),
            source,
            seller: seller.to_owned(),
            product: product.to_owned(),
            alt_text: get(alt_at).unwrap_or_default().to_owned(),
            position,
            cover,
        });
    }
    // A stable sort: rows with neither cover nor position keep the manifest's order.
    items.sort_by_key(|i| {
        (
            i.seller.clone(),
            i.product.clone(),
            !i.cover,
            i.position.unwrap_or(i32::MAX),
        )
    });
    Ok(items)
}

fn split_csv(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                if let Some(f) = fields.last_mut() {
                    f.push('"')
                }
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(String::new()),
            (c, _) => {
                if let Some(f) = fields.last_mut() {
                    f.push(c)
                }
            }
        }
    }
    fields.into_iter().map(|f| f.trim().to_owned()).collect()
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
    item: &Item,
    approve: bool,
    dry_run: bool,
) -> Result<Outcome, Error> {
    let Some(seller) = crate::accounts::by_email(&state.db, &item.seller).await? else {
        return Ok(Outcome::Skipped(format!(
            "no account {} (create it with `vitrine user add`)",
            item.seller
        )));
    };
    let bytes = match std::fs::read(&item.path) {
        Ok(bytes) => bytes,
        Err(e) => return Ok(Outcome::Skipped(format!("cannot read it: {e}"))),
    };
    let product_id = product_for(state, &seller, &item.product, dry_run).await?;
    let id = product_id.map(|p| upload_id(p, &bytes));
    if let Some(id) = id {
        let done = upload_intent::Entity::find_by_id(id.to_string())
            .filter(upload_intent::Column::CompletedAt.is_not_null())
            .one(&state.db)
            .await?;
        if done.is_some() {
            return Ok(Outcome::AlreadyThere);
        }
    }
    let specs = pipeline::UPLOAD_VARIANTS.map(|(_, spec)| spec);
    let renditions = match pipeline::process(&bytes, &specs) {
        Ok(r) => r,
        Err(e) => return Ok(Outcome::Skipped(e.to_string())),
    };
    let (Some(product_id), Some(id), false) = (product_id, id, dry_run) else {
        return Ok(Outcome::WouldImport);
    };

    let mut uploaded = Vec::with_capacity(renditions.len());
    for (&(variant, _), rendition) in pipeline::UPLOAD_VARIANTS.iter().zip(&renditions) {
        let key = ObjectKey::for_upload(
            &state.settings.key_prefix,
            seller.id,
            id,
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
    let txn = state.db.begin().await?;
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
            status: if approve {
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
    intents::insert_objects(&txn, id, Some(image.id), &objects, now).await?;
    let subject = Subject::image(seller.id, product_id, image.id);
    let detail = format!("imported from {}", item.path.display());
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

    #[test]
    fn manifests_name_seller_product_and_alt_text() {
        let items = manifest(
            Path::new("/m"),
            "path,seller,product,alt\nproducts/tote.jpg,ana@shop.example,\"Tote, natural\",\"A tote, \"\"linen\"\"\"\n",
        )
        .unwrap();
        assert_eq!(items[0].path, Path::new("/m/products/tote.jpg"));
        assert_eq!(items[0].source, "products/tote.jpg");
        assert_eq!(items[0].product, "Tote, natural");
        assert_eq!(items[0].alt_text, "A tote, \"linen\"");
        assert!(manifest(Path::new("/m"), "h\nonly-a-path\n").is_err());
    }

    #[test]
    fn manifest_columns_go_by_name_and_order_the_gallery() {
        let csv = "product,source,seller,cover,position,alt_text\n\
                   Tote,product_images/b.jpg,ana@shop.example,,2,\n\
                   Tote,product_images/c.jpg,ana@shop.example,,,last\n\
                   Tote,product_images/a.jpg,ana@shop.example,,1,\n\
                   Tote,product_images/d.jpg,ana@shop.example,True,5,the cover\n";
        let items = manifest(Path::new("/m"), csv).unwrap();
        let order: Vec<&str> = items.iter().map(|i| i.source.as_str()).collect();
        assert_eq!(
            order,
            [
                "product_images/d.jpg",
                "product_images/a.jpg",
                "product_images/b.jpg",
                "product_images/c.jpg"
            ]
        );
        assert!(items[0].cover);
        assert_eq!(items[3].alt_text, "last");
        let bad = manifest(
            Path::new("/m"),
            "source,seller,product,position\nx.jpg,a,b,first\n",
        );
        assert!(bad.unwrap_err().to_string().contains("not a whole number"));
        let headless = manifest(Path::new("/m"), "file,owner\nx.jpg,a\n");
        assert!(
            headless
                .unwrap_err()
                .to_string()
                .contains("source, seller and product")
        );
    }

    #[test]
    fn a_scanned_file_is_known_by_its_path_below_the_folder() {
        assert_eq!(
            relative(
                Path::new("/srv/media"),
                Path::new("/srv/media/product_images/a b.jpg")
            ),
            "product_images/a b.jpg"
        );
    }
}
