//! The admins' review queue: pending images across all sellers, oldest first, paged by key
//! (created_at, id) so a queue of thousands stays fast.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use domain::limits::{REVIEW_BATCH, REVIEW_REASON_CHARS};
use domain::typed_text::{self, Lines};
use domain::wire::{QueueCursor, QueuePage, ReviewDecision, ReviewItem};
use domain::{ImageStatus, Variant};
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::audit::{self, Action, Subject};
use crate::entities::{account, image, product, stored_object};
use crate::{Account, AppState, Error, accounts, media};

pub const PAGE_SIZE: u64 = 30;

/// Where the next page starts: the last entry's upload time and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    uploaded_at: DateTime<Utc>,
    image_id: i64,
}

impl Cursor {
    /// The cursor as the page sent it back; one that does not parse names no page.
    fn parse(wire: &QueueCursor) -> Result<Self, Error> {
        let uploaded_at = DateTime::parse_from_rfc3339(&wire.uploaded_at)
            .map_err(|_| Error::Invalid("That page of the queue does not exist.".into()))?
            .into();
        Ok(Self {
            uploaded_at,
            image_id: wire.image_id,
        })
    }

    fn to_wire(self) -> QueueCursor {
        QueueCursor {
            uploaded_at: self.uploaded_at.to_rfc3339(),
            image_id: self.image_id,
        }
    }
}

/// One page of pending images after `after` (oldest first).
pub async fn queue(
    state: &AppState,
    admin: &Account,
    after: Option<&QueueCursor>,
    host: Option<&str>,
) -> Result<QueuePage, Error> {
    accounts::require_admin(admin)?;
    let after = after.map(Cursor::parse).transpose()?;
    // One more than a page tells whether another page follows.
    let mut query = image::Entity::find()
        .filter(image::Column::Status.eq(ImageStatus::Pending))
        .order_by_asc(image::Column::CreatedAt)
        .order_by_asc(image::Column::Id)
        .limit(PAGE_SIZE + 1);
    if let Some(c) = after {
        query = query.filter(
            Condition::any()
                .add(image::Column::CreatedAt.gt(c.uploaded_at))
                .add(
                    Condition::all()
                        .add(image::Column::CreatedAt.eq(c.uploaded_at))
                        .add(image::Column::Id.gt(c.image_id)),
                ),
        );
    }
    let mut images = query.all(&state.db).await?;
    let next = if images.len() as u64 > PAGE_SIZE {
        images.truncate(PAGE_SIZE as usize);
        images.last().map(|last| {
            Cursor {
                uploaded_at: last.created_at,
                image_id: last.id,
            }
            .to_wire()
        })
    } else {
        None
    };
    // One query per table for the whole page, not per image.
    let products: HashMap<i64, product::Model> = product::Entity::find()
        .filter(product::Column::Id.is_in(images.iter().map(|i| i.product_id)))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let sellers: HashMap<i64, account::Model> = account::Entity::find()
        .filter(account::Column::Id.is_in(images.iter().map(|i| i.account_id)))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let displays: HashMap<i64, stored_object::Model> = stored_object::Entity::find()
        .filter(stored_object::Column::ImageId.is_in(images.iter().map(|i| i.id)))
        .filter(stored_object::Column::Variant.eq(Variant::Display))
        .all(&state.db)
        .await?
        .into_iter()
        .filter_map(|o| Some((o.image_id?, o)))
        .collect();
    let signer = state.store.url_signer(host);
    let mut out = Vec::with_capacity(images.len());
    for img in images {
        let (Some(product), Some(seller), Some(display)) = (
            products.get(&img.product_id),
            sellers.get(&img.account_id),
            displays.get(&img.id),
        ) else {
            continue;
        };
        out.push(ReviewItem {
            image_id: img.id,
            product_id: product.id,
            product_name: product.name.clone(),
            seller_email: seller.email.clone(),
            width: img.width,
            height: img.height,
            bytes: display.byte_size,
            uploaded_at: img.created_at.to_rfc3339(),
            url: media::url(&signer, img.status, &display.object_key).await?,
        });
    }
    Ok(QueuePage { items: out, next })
}

fn parse_reason(raw: &str) -> Result<String, Error> {
    let reason = raw.trim();
    if reason.is_empty() {
        return Err(Error::Invalid(
            "Say why the image is rejected: the seller sees the reason.".into(),
        ));
    }
    if reason.chars().count() > REVIEW_REASON_CHARS {
        return Err(Error::Invalid(format!(
            "Keep the reason under {REVIEW_REASON_CHARS} characters."
        )));
    }
    typed_text::check(reason, Lines::Several)
        .map_err(|e| Error::Invalid(format!("The reason {e}: type it without it.")))?;
    Ok(reason.to_owned())
}

/// Approves or rejects each of `image_ids`, all or nothing; returns how many changed. Any image
/// may be decided again, but `seen_as` (the status the admin saw them in: the queue's are
/// pending) makes it refuse if another admin decided one since, rather than silently undo them.
pub async fn decide(
    state: &AppState,
    admin: &Account,
    image_ids: &[i64],
    decision: &ReviewDecision,
    seen_as: Option<ImageStatus>,
) -> Result<u64, Error> {
    accounts::require_admin(admin)?;
    let ids: BTreeSet<i64> = image_ids.iter().copied().collect();
    if ids.is_empty() {
        return Err(Error::Invalid("Select at least one image.".into()));
    }
    if ids.len() > REVIEW_BATCH {
        return Err(Error::Invalid(format!(
            "Decide at most {REVIEW_BATCH} images at once."
        )));
    }
    let (status, reason) = match decision {
        ReviewDecision::Approve => (ImageStatus::Approved, None),
        ReviewDecision::Reject { reason } => (ImageStatus::Rejected, Some(parse_reason(reason)?)),
    };
    let txn = crate::db::begin(&state.db).await?;
    let images = image::Entity::find()
        .filter(image::Column::Id.is_in(ids.clone()))
        .all(&txn)
        .await?;
    if images.len() != ids.len() {
        return Err(Error::NotFound("One of those images"));
    }
    if let Some(seen) = seen_as {
        let meanwhile = images.iter().filter(|img| img.status != seen).count();
        if meanwhile > 0 {
            return Err(Error::Conflict(match meanwhile {
                1 => "One of those images was decided meanwhile, by another admin: nothing was changed. The queue now shows what is left.".into(),
                n => format!("{n} of those images were decided meanwhile, by another admin: nothing was changed. The queue now shows what is left."),
            }));
        }
    }
    // Deciding what is already so (a double click, two admins at once) changes nothing and
    // records nothing: the history shows each decision once.
    let changing: Vec<&image::Model> = images
        .iter()
        .filter(|img| img.status != status || img.review_reason != reason)
        .collect();
    if changing.is_empty() {
        txn.commit().await?;
        return Ok(0);
    }
    let mut update = image::Entity::update_many()
        .col_expr(image::Column::Status, Expr::value(status))
        .col_expr(image::Column::ReviewReason, Expr::value(reason.clone()))
        .filter(image::Column::Id.is_in(changing.iter().map(|img| img.id)));
    if let Some(seen) = seen_as {
        // In the write too: two admins reading "pending" at once must not both decide.
        update = update.filter(image::Column::Status.eq(seen));
    }
    let result = update.exec(&txn).await?;
    if result.rows_affected != changing.len() as u64 {
        return Err(Error::Conflict(
            "Another admin decided some of those images at the same moment: nothing was changed. The queue now shows what is left.".into(),
        ));
    }
    let action = match decision {
        ReviewDecision::Approve => Action::Approved,
        ReviewDecision::Reject { .. } => Action::Rejected,
    };
    for img in changing {
        let subject = Subject::image(img.account_id, img.product_id, img.id);
        let detail = reason.clone().unwrap_or_default();
        audit::record(&txn, admin, action, subject, detail).await?;
    }
    txn.commit().await?;
    Ok(result.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_required_and_bounded() {
        assert!(parse_reason("  ").is_err());
        assert_eq!(parse_reason(" Blurry ").unwrap(), "Blurry");
        assert!(parse_reason(&"x".repeat(REVIEW_REASON_CHARS + 1)).is_err());
    }
}
