use domain::{ContentType, Variant};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stored_objects")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub object_key: String,
    /// Whose bytes these are: they count in that account's `stored_bytes`.
    pub account_id: Option<i64>,
    pub intent_id: Option<String>,
    /// Set once the upload is verified and registered; NULL afterwards means "to clean up".
    pub image_id: Option<i64>,
    pub variant: Variant,
    pub content_type: ContentType,
    pub byte_size: i64,
    /// Base64 SHA-256 of the bytes (`domain::Sha256`); none for objects stored before
    /// checksums were kept.
    pub sha256: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::image::Entity",
        from = "Column::ImageId",
        to = "super::image::Column::Id"
    )]
    Image,
}

impl Related<super::image::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Image.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
