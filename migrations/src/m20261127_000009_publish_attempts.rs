//! How many times `complete` began publishing an intent's uploads. Each attempt copies to keys
//! derived from the intent and its attempt number, so the copies of an attempt a crash cut
//! short can be found and deleted later, without a list of them having to survive the crash.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UploadIntents {
    Table,
    PublishAttempts,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(UploadIntents::Table)
                    .add_column(
                        ColumnDef::new(UploadIntents::PublishAttempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(UploadIntents::Table)
                    .drop_column(UploadIntents::PublishAttempts)
                    .to_owned(),
            )
            .await
    }
}
