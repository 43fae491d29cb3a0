//! Browsers each account signed in from (a cookie's token, hashed): a sign-in from one is
//! counted against that browser alone, so guesses from elsewhere cannot lock its owner out.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum KnownDevices {
    Table,
    Id,
    AccountId,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(KnownDevices::Table)
                    // The SHA-256 of the cookie's token: a leaked table proves no browser.
                    .col(
                        ColumnDef::new(KnownDevices::Id)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(KnownDevices::AccountId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(KnownDevices::LastUsedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(KnownDevices::Table, KnownDevices::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_known_devices_account")
                    .table(KnownDevices::Table)
                    .col(KnownDevices::AccountId)
                    .col(KnownDevices::LastUsedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(KnownDevices::Table).to_owned())
            .await
    }
}
