//! Each stored object's SHA-256 (base64, as S3 spells it), as the photo worker declared it and
//! `complete_upload` found it. Nullable: objects stored before this migration have none, and
//! `vitrine doctor` then compares sizes only.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum StoredObjects {
    Table,
    Sha256,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(StoredObjects::Table)
                    .add_column(ColumnDef::new(StoredObjects::Sha256).string_len(44))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(StoredObjects::Table)
                    .drop_column(StoredObjects::Sha256)
                    .to_owned(),
            )
            .await
    }
}
