//! The last step on the server: copy what the browser stored to keys no signature reaches
//! (`publish`), verify the copies and register them as the image, once.

use chrono::Utc;
use domain::{ImageStatus, Variant};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use super::verify::{VerifyError, one_picture, verify};
use super::{RegisteredImage, publish};
use crate::audit::{self, Action, Subject};
use crate::entities::{image, stored_object, upload_intent};
use crate::gallery_lock::{self, NewImage};
use crate::sniff::Sniffed;
use crate::{Account, AppState, Error, cleanup, intents};

/// Verifies the stored objects of `intent_id` and registers the image. Calling it again for a
/// completed intent returns the same image.
pub async fn complete(
    state: &AppState,
    seller: &Account,
    intent_id: &str,
) -> Result<RegisteredImage, Error> {
    let intent = intents::find_for(&state.db, seller, intent_id).await?;
    let objects = intents::objects_of(&state.db, &intent).await?;
    if intent.completed_at.is_some() {
        let image = registered_for(&state.db, &intent).await?;
        // Asked again, perhaps because the last answer was lost to a crash that also cut its
        // tidying short: whatever it left goes now.
        let registered: Vec<String> = objects.iter().map(|o| o.object_key.clone()).collect();
        publish::tidy(
            state,
            &intent,
            &objects,
            1..=intent.publish_attempts,
            &registered,
        )
        .await;
        return Ok(image);
    }
    if intent.expires_at <= Utc::now() {
        if cleanup::discard_intent(state, &intent, &objects)
            .await?
            .is_none()
        {
            return registered_now(&state.db, &intent.id).await;
        }
        return Err(Error::Expired);
    }
    let Some(attempt) = publish::start_attempt(&state.db, &intent).await? else {
        return registered_now(&state.db, &intent.id).await;
    };

    let copies = match publish::copy_uploads(state, &intent, attempt, &objects).await {
        Ok(copies) => copies,
        Err(VerifyError::Refused(reason)) => {
            return refused(state, &intent, &objects, reason).await;
        }
        Err(VerifyError::Failed(err)) => return Err(err),
    };
    match verify_and_register(state, seller, &intent, &objects, &copies).await {
        Outcome::Registered(image) => {
            // The uploads, and the copies of earlier attempts a crash cut short. Later
            // attempts running now lose the claim and delete their own.
            let registered: Vec<String> = copies.iter().map(|c| c.object_key.clone()).collect();
            publish::tidy(state, &intent, &objects, 1..=attempt - 1, &registered).await;
            Ok(image)
        }
        Outcome::NotHere(answer) => {
            // This attempt's copies are its own: nobody else registers them.
            publish::delete_quietly(state, copies.iter().map(|c| c.object_key.as_str())).await;
            answer
        }
    }
}

/// How one `complete` call ended: it registered the copies, or it did not (a refusal, a fault,
/// or a concurrent request that ended the intent first, whose answer is given).
enum Outcome {
    Registered(RegisteredImage),
    NotHere(Result<RegisteredImage, Error>),
}

async fn verify_and_register(
    state: &AppState,
    seller: &Account,
    intent: &upload_intent::Model,
    uploads: &[stored_object::Model],
    copies: &[stored_object::Model],
) -> Outcome {
    let mut sniffed = Vec::with_capacity(copies.len());
    for copy in copies {
        match verify(state, copy).await {
            Ok(s) => sniffed.push(s),
            Err(VerifyError::Refused(reason)) => {
                return Outcome::NotHere(refused(state, intent, uploads, reason).await);
            }
            Err(VerifyError::Failed(err)) => return Outcome::NotHere(Err(err)),
        }
    }
    match one_picture(state, copies).await {
        Ok(()) => {}
        Err(VerifyError::Refused(reason)) => {
            return Outcome::NotHere(refused(state, intent, uploads, reason).await);
        }
        Err(VerifyError::Failed(err)) => return Outcome::NotHere(Err(err)),
    }
    let Some(display) = copies
        .iter()
        .zip(&sniffed)
        .find(|(o, _)| o.variant == Variant::Display)
        .map(|(_, s)| *s)
    else {
        return Outcome::NotHere(Err(Error::Internal(format!(
            "intent {} has no display object",
            intent.id
        ))));
    };
    match register(state, seller, intent, copies, &sniffed, display).await {
        Ok(Some(image)) => Outcome::Registered(image),
        Ok(None) => Outcome::NotHere(registered_now(&state.db, &intent.id).await),
        Err(err) => Outcome::NotHere(Err(err)),
    }
}

/// A refused upload: its objects are deleted and nothing is registered (unless a concurrent
/// `complete_upload` registered it first, whose answer is then given).
async fn refused(
    state: &AppState,
    intent: &upload_intent::Model,
    objects: &[stored_object::Model],
    reason: String,
) -> Result<RegisteredImage, Error> {
    if cleanup::discard_intent(state, intent, objects)
        .await?
        .is_none()
    {
        return registered_now(&state.db, &intent.id).await;
    }
    Err(Error::Rejected(reason))
}

/// The image of an intent another request just ended: registered by a concurrent
/// `complete_upload`, or gone (cancelled, or discarded by gc) and so not found.
async fn registered_now(
    db: &DatabaseConnection,
    intent_id: &str,
) -> Result<RegisteredImage, Error> {
    let current = upload_intent::Entity::find_by_id(intent_id.to_owned())
        .one(db)
        .await?
        .ok_or(Error::NotFound("That upload"))?;
    registered_for(db, &current).await
}

/// Registers the verified copies as the intent's image, in one transaction (in this process's
/// turn at writing: every upload ends here); `None` when a concurrent request ended the intent
/// first (nothing is then changed).
async fn register(
    state: &AppState,
    seller: &Account,
    intent: &upload_intent::Model,
    copies: &[stored_object::Model],
    sniffed: &[Sniffed],
    display: Sniffed,
) -> Result<Option<RegisteredImage>, Error> {
    let now = Utc::now();
    let _turn = state.writes.take().await;
    let txn = crate::db::begin(&state.db).await?;
    // Claim the intent; a concurrent `complete` that lost the race finds it claimed.
    let claimed = upload_intent::Entity::update_many()
        .col_expr(upload_intent::Column::CompletedAt, Expr::value(now))
        .filter(upload_intent::Column::Id.eq(intent.id.clone()))
        .filter(upload_intent::Column::CompletedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        txn.rollback().await?;
        return Ok(None);
    }
    // Take the product's lock (as reorders do) before reading the last position, so two
    // uploads finishing together never get the same one.
    let Some(gallery) = gallery_lock::lock(&txn, intent.account_id, intent.product_id).await?
    else {
        txn.rollback().await?;
        return Err(Error::NotFound("That product"));
    };
    let image = gallery_lock::append_image(
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
            source_path: None,
        },
    )
    .await?;
    let dim = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    for (copy, s) in copies.iter().zip(sniffed) {
        stored_object::ActiveModel {
            id: Set(copy.id),
            object_key: Set(copy.object_key.clone()),
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
            copies.len()
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(Some(RegisteredImage {
        image_id: image.id,
        width: display.width,
        height: display.height,
    }))
}

async fn registered_for(
    db: &DatabaseConnection,
    intent: &upload_intent::Model,
) -> Result<RegisteredImage, Error> {
    let image = image::Entity::find()
        .filter(image::Column::IntentId.eq(intent.id.clone()))
        .one(db)
        .await?
        .ok_or(Error::NotFound("That upload's image"))?;
    Ok(RegisteredImage {
        image_id: image.id,
        width: u32::try_from(image.width).unwrap_or_default(),
        height: u32::try_from(image.height).unwrap_or_default(),
    })
}
