//! The audit trail. Every change to a seller's products and images is recorded in the same
//! transaction as the change, so history and state never disagree; the table itself refuses
//! updates and deletes (see the migration).

use chrono::{DateTime, Utc};
use domain::wire::{History, HistoryEntry};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use crate::entities::{audit_event, product};
use crate::{Account, Error};

/// How many events one history page shows, newest first.
pub const HISTORY_LIMIT: u64 = 200;

pub use domain::AuditAction as Action;

/// What an event is about: always a product of one seller, sometimes one of its images.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    pub seller_id: i64,
    pub product_id: i64,
    pub image_id: Option<i64>,
}

impl Subject {
    pub fn product(seller_id: i64, product_id: i64) -> Self {
        Self {
            seller_id,
            product_id,
            image_id: None,
        }
    }

    pub fn image(seller_id: i64, product_id: i64, image_id: i64) -> Self {
        Self {
            seller_id,
            product_id,
            image_id: Some(image_id),
        }
    }
}

/// Appends one event. Call it on the transaction that makes the change.
pub async fn record(
    conn: &impl ConnectionTrait,
    actor: &Account,
    action: Action,
    subject: Subject,
    detail: impl Into<String>,
) -> Result<(), Error> {
    audit_event::ActiveModel {
        at: Set(Utc::now()),
        actor_id: Set(actor.id),
        actor_email: Set(actor.email.clone()),
        action: Set(action),
        seller_id: Set(subject.seller_id),
        product_id: Set(subject.product_id),
        image_id: Set(subject.image_id),
        detail: Set(detail.into()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub actor_id: i64,
    pub actor_email: String,
    pub action: Action,
    pub product_id: i64,
    pub image_id: Option<i64>,
    pub detail: String,
}

/// Whose history to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Product(i64),
    Image(i64),
}

/// The history of a product or an image, newest first. Admins see any; a seller sees only
/// their own, and someone else's (or a missing one) is `NotFound`. Every product has at least
/// its creation event, so an empty answer means "not yours".
pub async fn history(
    db: &DatabaseConnection,
    viewer: &Account,
    scope: Scope,
) -> Result<Vec<Event>, Error> {
    let mut query = audit_event::Entity::find()
        .order_by_desc(audit_event::Column::Id)
        .limit(HISTORY_LIMIT);
    query = match scope {
        Scope::Product(id) => query.filter(audit_event::Column::ProductId.eq(id)),
        Scope::Image(id) => query.filter(audit_event::Column::ImageId.eq(id)),
    };
    if !viewer.is_admin() {
        query = query.filter(audit_event::Column::SellerId.eq(viewer.id));
    }
    let events: Vec<Event> = query
        .all(db)
        .await?
        .into_iter()
        .map(|m| Event {
            action: m.action,
            at: m.at,
            actor_id: m.actor_id,
            actor_email: m.actor_email,
            product_id: m.product_id,
            image_id: m.image_id,
            detail: m.detail,
        })
        .collect();
    if events.is_empty() {
        return Err(Error::NotFound(match scope {
            Scope::Product(_) => "That product's history",
            Scope::Image(_) => "That image's history",
        }));
    }
    Ok(events)
}

/// Who a seller sees in their history for an admin's decisions: an admin's sign-in address is
/// theirs alone, and a seller who learnt it could aim guesses or phishing at it.
pub const REVIEW_TEAM: &str = "The review team";

/// The history page of `product_id`, or of its image `image_id`: who may see it (see
/// [`history`]), that the image belongs to that product, the product's current name (`None`
/// once deleted) and whether `viewer` is its seller (who can open the product page). A
/// seller sees others' actions (an admin's review) as [`REVIEW_TEAM`]'s.
pub async fn trail(
    db: &DatabaseConnection,
    viewer: &Account,
    product_id: i64,
    image_id: Option<i64>,
) -> Result<History, Error> {
    let scope = image_id.map_or(Scope::Product(product_id), Scope::Image);
    let events = history(db, viewer, scope).await?;
    if events.iter().any(|e| e.product_id != product_id) {
        return Err(Error::NotFound("That image's history"));
    }
    let product = product::Entity::find_by_id(product_id).one(db).await?;
    Ok(History {
        viewer_owns: product.as_ref().is_some_and(|p| p.account_id == viewer.id),
        product_name: product.map(|p| p.name),
        entries: events
            .into_iter()
            .map(|e| HistoryEntry {
                at: e.at.to_rfc3339(),
                actor: if viewer.is_admin() || e.actor_id == viewer.id {
                    e.actor_email
                } else {
                    REVIEW_TEAM.to_owned()
                },
                action: e.action,
                image_id: e.image_id,
                detail: e.detail,
            })
            .collect(),
    })
}
