use domain::Role;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub created_at: DateTimeUtc,
    /// The bytes of every object recorded as this seller's, kept by the database's triggers
    /// (migration 10): read it, never write it.
    pub stored_bytes: i64,
    /// Made by an operator (CLI), not signed up on the site: see `accounts::Origin`.
    pub made_by_operator: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
