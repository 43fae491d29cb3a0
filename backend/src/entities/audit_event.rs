use domain::AuditAction;
use sea_orm::entity::prelude::*;

/// One line of the append-only audit trail (the database refuses updates and deletes).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub actor_id: i64,
    pub actor_email: String,
    /// One of [`crate::audit::Action`]'s names.
    pub action: AuditAction,
    /// The seller who owns the product (and image) the event is about.
    pub seller_id: i64,
    pub product_id: i64,
    pub image_id: Option<i64>,
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
