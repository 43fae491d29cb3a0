//! Where an imported image came from: its path in the old shop's media (what Django kept in
//! the `ImageField` column, such as `product_images/tote.jpg`), so links to the old media URL
//! can be sent on to the picture (`VITRINE_LEGACY_MEDIA_URL`). Null for uploads made in
//! Vitrine. Indexed: every old link is looked up by it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Images {
    Table,
    SourcePath,
}

const INDEX: &str = "idx_images_source_path";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Images::Table)
                    .add_column(ColumnDef::new(Images::SourcePath).string_len(1024))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Images::Table)
                    .col(Images::SourcePath)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table(Images::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Images::Table)
                    .drop_column(Images::SourcePath)
                    .to_owned(),
            )
            .await
    }
}
