use domain::ImageStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "images")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub product_id: i64,
    /// The seller who uploaded it.
    pub account_id: i64,
    #[sea_orm(unique)]
    pub intent_id: String,
    pub status: ImageStatus,
    pub review_reason: Option<String>,
    pub position: i32,
    pub alt_text: String,
    pub width: i32,
    pub height: i32,
    pub created_at: DateTimeUtc,
    /// Its path in the old shop's media when it was imported (old links lead to it).
    pub source_path: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::stored_object::Entity")]
    StoredObject,
}

impl Related<super::stored_object::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::StoredObject.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
