//! Indexes for what every upload asks about its seller (`backend::quotas`): the seller's
//! pending images, open uploads and stored bytes were each found by reading the whole table,
//! so `begin_upload` slowed down as the shop grew. Sessions by account serve "sign out
//! everywhere".
//!
//! The stored bytes are summed over the keys under the seller's prefix, as a range of keys.
//! SQLite compares keys byte by byte, so the unique index on `object_key` already serves it;
//! PostgreSQL compares by the database's collation, where a range of keys need not be a
//! prefix, so the query compares with `COLLATE "C"` and gets an index of its own.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Images {
    Table,
    AccountId,
    Status,
}

#[derive(DeriveIden)]
enum UploadIntents {
    Table,
    AccountId,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    AccountId,
}

/// The PostgreSQL-only index of keys in byte order (see the module's comment).
const KEYS_IN_BYTE_ORDER: &str = "idx_stored_objects_key_bytes";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let indexes = [
            Index::create()
                .name("idx_images_account_status")
                .table(Images::Table)
                .col(Images::AccountId)
                .col(Images::Status)
                .to_owned(),
            Index::create()
                .name("idx_upload_intents_account_expires")
                .table(UploadIntents::Table)
                .col(UploadIntents::AccountId)
                .col(UploadIntents::ExpiresAt)
                .to_owned(),
            Index::create()
                .name("idx_sessions_account")
                .table(Sessions::Table)
                .col(Sessions::AccountId)
                .to_owned(),
        ];
        for index in indexes {
            manager.create_index(index).await?;
        }
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    r#"CREATE INDEX "{KEYS_IN_BYTE_ORDER}" ON "stored_objects" ("object_key" COLLATE "C")"#
                ))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(&format!(r#"DROP INDEX "{KEYS_IN_BYTE_ORDER}""#))
                .await?;
        }
        for (name, table) in [
            ("idx_sessions_account", Sessions::Table.into_iden()),
            (
                "idx_upload_intents_account_expires",
                UploadIntents::Table.into_iden(),
            ),
            ("idx_images_account_status", Images::Table.into_iden()),
        ] {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
