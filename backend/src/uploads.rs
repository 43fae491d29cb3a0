//! The upload protocol. `begin` records an intent and signs one POST per declared variant;
//! the browser sends the bytes straight to the bucket; `complete` checks what was stored and
//! registers the image, consuming the intent, in one transaction.

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::{ByteSize, ContentType, ImageStatus, UploadMethod, Variant};

use crate::sniff::{self, Sniffed};
use crate::storage::ObjectKey;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use uuid::Uuid;

use crate::audit::{self, Action, Subject};
use crate::entities::{image, stored_object, upload_intent};
use crate::products::{self, NewImage};
use crate::{Account, AppState, Error};

/// How long the browser has to send the bytes (the signed form's lifetime).
pub const POST_EXPIRY: Duration = Duration::from_secs(10 * 60);
/// How long after the form expires `complete` is still accepted: an upload that started just
/// in time may take a while to finish on a slow phone connection.
pub const COMPLETE_GRACE: Duration = Duration::from_secs(10 * 60);

/// One object the browser intends to upload, as declared (not yet trusted).
#[derive(Debug, Clone)]
pub struct Declared {
    pub variant: Variant,
    pub content_type: ContentType,
    pub size: u64,
}

struct Checked {
    variant: Variant,
    content_type: ContentType,
    size: ByteSize,
}

/// How to send one variant: a POST form (`fields`, then the file) or a PUT with `headers`.
#[derive(Debug, Clone)]
pub struct SignedUpload {
    pub variant: Variant,
    pub method: UploadMethod,
    pub url: String,
    pub fields: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct Ticket {
    pub intent_id: Uuid,
    pub uploads: Vec<SignedUpload>,
    pub expires_at: DateTime<Utc>,
}

/// A registered image, as its seller sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub image_id: i64,
    pub product_id: i64,
    pub width: u32,
    pub height: u32,
}

fn check_declared(declared: &[Declared], max_bytes: u64) -> Result<Vec<Checked>, Error> {
    if declared.is_empty() {
        return Err(Error::Invalid(
            "An upload needs at least its display image.".into(),
        ));
    }
    let mut checked: Vec<Checked> = Vec::with_capacity(declared.len());
    for d in declared {
        let variant = d.variant;
        if checked.iter().any(|c| c.variant == variant) {
            return Err(Error::Invalid(format!(
                "The {} variant is declared twice.",
                variant.as_str()
            )));
        }
        checked.push(Checked {
            variant,
            content_type: d.content_type,
            size: ByteSize::parse(d.size, max_bytes).map_err(Error::invalid)?,
        });
    }
    if !checked.iter().any(|c| c.variant == Variant::Display) {
        return Err(Error::Invalid("An upload needs its display image.".into()));
    }
    Ok(checked)
}

/// Starts an upload of one image (its variants) to `product_id`, owned by `seller`. `host` is
/// the Host the browser used (the embedded store's PUT URLs are signed for it).
pub async fn begin(
    state: &AppState,
    seller: &Account,
    product_id: i64,
    declared: &[Declared],
    host: Option<&str>,
) -> Result<Ticket, Error> {
    let product = products::find_owned(&state.db, seller, product_id).await?;
    let checked = check_declared(declared, state.settings.max_upload_bytes)?;

    let intent_id = Uuid::new_v4();
    let now = Utc::now();
    let post_expires = now + POST_EXPIRY;
    let keys: Vec<ObjectKey> = checked
        .iter()
        .map(|c| {
            ObjectKey::for_upload(
                &state.settings.key_prefix,
                seller.id,
                intent_id,
                c.variant,
                c.content_type,
            )
        })
        .collect();

    let txn = state.db.begin().await?;
    upload_intent::ActiveModel {
        id: Set(intent_id.to_string()),
        account_id: Set(seller.id),
        product_id: Set(product.id),
        created_at: Set(now),
        expires_at: Set(post_expires + COMPLETE_GRACE),
        completed_at: Set(None),
        image_id: Set(None),
    }
    .insert(&txn)
    .await?;
    for (c, key) in checked.iter().zip(&keys) {
        stored_object::ActiveModel {
            object_key: Set(key.as_str().to_owned()),
            intent_id: Set(Some(intent_id.to_string())),
            image_id: Set(None),
            variant: Set(c.variant),
            content_type: Set(c.content_type),
            byte_size: Set(i64::try_from(c.size.get()).unwrap_or(i64::MAX)),
            width: Set(None),
            height: Set(None),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;

    let method = state.settings.upload_method;
    let signer = state.store.url_signer(host);
    let mut uploads = Vec::with_capacity(checked.len());
    for (c, key) in checked.iter().zip(&keys) {
        uploads.push(match method {
            UploadMethod::Post => {
                let (url, post) = state
                    .store
                    .presign_post(key, c.content_type, c.size, POST_EXPIRY)
                    .await?;
                SignedUpload {
                    variant: c.variant,
                    method,
                    url,
                    fields: post.fields,
                    headers: Vec::new(),
                }
            }
            UploadMethod::Put => {
                let put = signer
                    .put_url(key, c.content_type, c.size, POST_EXPIRY)
                    .await?;
                SignedUpload {
                    variant: c.variant,
                    method,
                    url: put.url,
                    fields: Vec::new(),
                    headers: put.headers,
                }
            }
        });
    }
    Ok(Ticket {
        intent_id,
        uploads,
        expires_at: post_expires,
    })
}

/// Verifies the stored objects of `intent_id` and registers the image. Calling it again for a
/// completed intent returns the same image.
pub async fn complete(
    state: &AppState,
    seller: &Account,
    intent_id: &str,
) -> Result<Registered, Error> {
    let not_found = Error::NotFound("That upload");
    let intent_uuid = Uuid::parse_str(intent_id).map_err(|_| Error::NotFound("That upload"))?;
    let intent = upload_intent::Entity::find_by_id(intent_uuid.to_string())
        .filter(upload_intent::Column::AccountId.eq(seller.id))
        .one(&state.db)
        .await?
        .ok_or(not_found)?;
    if intent.completed_at.is_some() {
        return registered_for(&state.db, &intent).await;
    }
    let objects = stored_object::Entity::find()
        .filter(stored_object::Column::IntentId.eq(intent.id.clone()))
        .all(&state.db)
        .await?;
    if intent.expires_at <= Utc::now() {
        discard(state, &intent, &objects).await?;
        return Err(Error::Expired);
    }

    let mut sniffed = Vec::with_capacity(objects.len());
    for object in &objects {
        match verify(state, object).await {
            Ok(s) => sniffed.push(s),
            Err(VerifyError::Refused(reason)) => {
                discard(state, &intent, &objects).await?;
                return Err(Error::Rejected(reason));
            }
            Err(VerifyError::Failed(err)) => return Err(err),
        }
    }
    let display = objects
        .iter()
        .zip(&sniffed)
        .find(|(o, _)| o.variant == Variant::Display)
        .map(|(_, s)| *s)
        .ok_or_else(|| Error::Internal(format!("intent {} has no display object", intent.id)))?;

    register(&state.db, seller, &intent, &objects, &sniffed, display).await
}

/// Abandons an upload that is not yet registered: its objects (if any arrived) and its intent
/// are removed, so a cancelled upload leaves nothing behind.
pub async fn cancel(state: &AppState, seller: &Account, intent_id: &str) -> Result<(), Error> {
    let intent_uuid = Uuid::parse_str(intent_id).map_err(|_| Error::NotFound("That upload"))?;
    let intent = upload_intent::Entity::find_by_id(intent_uuid.to_string())
        .filter(upload_intent::Column::AccountId.eq(seller.id))
        .one(&state.db)
        .await?
        .ok_or(Error::NotFound("That upload"))?;
    if intent.completed_at.is_some() {
        return Err(Error::Conflict(
            "That upload is already in the gallery: delete the image instead.".into(),
        ));
    }
    let objects = stored_object::Entity::find()
        .filter(stored_object::Column::IntentId.eq(intent.id.clone()))
        .all(&state.db)
        .await?;
    discard(state, &intent, &objects).await?;
    Ok(())
}

enum VerifyError {
    /// The stored object is not what was declared: the caller's fault.
    Refused(String),
    /// The store could not be asked: try again later.
    Failed(Error),
}

async fn verify(state: &AppState, object: &stored_object::Model) -> Result<Sniffed, VerifyError> {
    let declared = object.content_type;
    let head = state
        .store
        .head(&object.object_key)
        .await
        .map_err(VerifyError::Failed)?
        .ok_or_else(|| VerifyError::Refused("the file never reached the store".into()))?;
    let declared_size = u64::try_from(object.byte_size).unwrap_or_default();
    if head.size != declared_size {
        return Err(VerifyError::Refused(format!(
            "the stored file is {} bytes, {} were declared",
            head.size, declared_size
        )));
    }
    let stored_type = head.content_type.as_deref().map(ContentType::parse);
    if stored_type != Some(Ok(declared)) {
        return Err(VerifyError::Refused(format!(
            "the stored file is labelled {}, {declared} was declared",
            head.content_type.as_deref().unwrap_or("with no type")
        )));
    }
    let prefix = state
        .store
        .read_prefix(&object.object_key, sniff::SNIFF_BYTES.min(head.size))
        .await
        .map_err(VerifyError::Failed)?;
    sniff::sniff(&prefix, declared).map_err(|e| VerifyError::Refused(e.to_string()))
}

/// Deletes a failed intent's objects from the store, then its rows. A row whose object could
/// not be deleted stays, without intent, for `vitrine gc` to retry: nothing is forgotten.
/// Returns the keys it could not delete.
pub(crate) async fn discard(
    state: &AppState,
    intent: &upload_intent::Model,
    objects: &[stored_object::Model],
) -> Result<Vec<String>, Error> {
    let mut deleted = Vec::new();
    let mut failed = Vec::new();
    for object in objects {
        match state.store.delete(&object.object_key).await {
            Ok(()) => deleted.push(object.id),
            Err(err) => {
                tracing::warn!(key = %object.object_key, %err, "could not delete a refused upload; gc will retry");
                failed.push(object.object_key.clone());
            }
        }
    }
    let txn = state.db.begin().await?;
    stored_object::Entity::delete_many()
        .filter(stored_object::Column::Id.is_in(deleted))
        .exec(&txn)
        .await?;
    upload_intent::Entity::delete_by_id(intent.id.clone())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(failed)
}

async fn register(
    db: &DatabaseConnection,
    seller: &Account,
    intent: &upload_intent::Model,
    objects: &[stored_object::Model],
    sniffed: &[Sniffed],
    display: Sniffed,
) -> Result<Registered, Error> {
    let now = Utc::now();
    let txn = db.begin().await?;
    // Claim the intent; a concurrent `complete` that lost the race finds it claimed.
    let claimed = upload_intent::Entity::update_many()
        .col_expr(upload_intent::Column::CompletedAt, Expr::value(now))
        .filter(upload_intent::Column::Id.eq(intent.id.clone()))
        .filter(upload_intent::Column::CompletedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        txn.rollback().await?;
        let current = upload_intent::Entity::find_by_id(intent.id.clone())
            .one(db)
            .await?
            .ok_or(Error::NotFound("That upload"))?;
        return registered_for(db, &current).await;
    }
    // Take the product's lock (as reorders do) before reading the last position, so two
    // uploads finishing together never get the same one.
    let Some(gallery) = products::lock_gallery(&txn, intent.account_id, intent.product_id).await?
    else {
        txn.rollback().await?;
        return Err(Error::NotFound("That product"));
    };
    let image = products::append_image(
        &txn,
        &gallery,
        NewImage {
            account_id: intent.account_id,
            intent_id: &intent.id,
            status: ImageStatus::Pending,
            alt_text: String::new(),
            width: display.width,
            height: display.height,
            at: now,
        },
    )
    .await?;
    let dim = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    for (object, s) in objects.iter().zip(sniffed) {
        stored_object::ActiveModel {
            id: Set(object.id),
            image_id: Set(Some(image.id)),
            width: Set(Some(dim(s.width))),
            height: Set(Some(dim(s.height))),
            ..Default::default()
        }
        .update(&txn)
        .await?;
    }
    audit::record(
        &txn,
        seller,
        Action::Uploaded,
        Subject::image(image.account_id, image.product_id, image.id),
        format!(
            "{}×{}, {} variants",
            display.width,
            display.height,
            objects.len()
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(Registered {
        image_id: image.id,
        product_id: image.product_id,
        width: display.width,
        height: display.height,
    })
}

async fn registered_for(
    db: &DatabaseConnection,
    intent: &upload_intent::Model,
) -> Result<Registered, Error> {
    let image = image::Entity::find()
        .filter(image::Column::IntentId.eq(intent.id.clone()))
        .one(db)
        .await?
        .ok_or(Error::NotFound("That upload's image"))?;
    Ok(Registered {
        image_id: image.id,
        product_id: image.product_id,
        width: u32::try_from(image.width).unwrap_or_default(),
        height: u32::try_from(image.height).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(variant: Variant, size: u64) -> Declared {
        Declared {
            variant,
            content_type: ContentType::Jpeg,
            size,
        }
    }

    /// Unknown variants and content types cannot be declared at all: the wire types refuse
    /// them (see `server/tests/api/upload_chain.rs`).
    #[test]
    fn declarations_are_checked() {
        assert!(check_declared(&[declared(Variant::Display, 10)], 100).is_ok());
        let refused = [
            vec![],
            vec![declared(Variant::Thumb, 10)],
            vec![declared(Variant::Display, 0)],
            vec![declared(Variant::Display, 101)],
            vec![
                declared(Variant::Display, 10),
                declared(Variant::Display, 10),
            ],
        ];
        for case in refused {
            assert!(
                matches!(check_declared(&case, 100), Err(Error::Invalid(_))),
                "{case:?}"
            );
        }
    }
}
