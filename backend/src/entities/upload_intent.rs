use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "upload_intents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub account_id: i64,
    pub product_id: i64,
    pub created_at: DateTimeUtc,
    /// After this the intent can no longer be completed.
    pub expires_at: DateTimeUtc,
    pub completed_at: Option<DateTimeUtc>,
    pub image_id: Option<i64>,
    /// How many times `complete` began copying the uploads (`uploads::publish`).
    pub publish_attempts: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
