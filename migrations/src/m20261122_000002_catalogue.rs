//! Products, upload intents, images and the stored objects behind them.
//!
//! An upload intent is what `begin_upload` promised (its objects are declared, not yet
//! stored); `complete_upload` consumes it and creates the image in one transaction. Objects
//! outlive their image only as cleanup work (`image_id` NULL): nothing is forgotten in the bucket.

use sea_orm_migration::prelude::*;

use crate::m20261122_000001_accounts::Accounts;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
    AccountId,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UploadIntents {
    Table,
    Id,
    AccountId,
    ProductId,
    CreatedAt,
    ExpiresAt,
    CompletedAt,
    ImageId,
}

#[derive(DeriveIden)]
enum Images {
    Table,
    Id,
    ProductId,
    AccountId,
    IntentId,
    Status,
    ReviewReason,
    Position,
    AltText,
    Width,
    Height,
    CreatedAt,
}

#[derive(DeriveIden)]
enum StoredObjects {
    Table,
    Id,
    ObjectKey,
    IntentId,
    ImageId,
    Variant,
    ContentType,
    ByteSize,
    Width,
    Height,
    CreatedAt,
}

fn id(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn timestamp(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Products::Table)
                    .col(id(Products::Id))
                    .col(ColumnDef::new(Products::AccountId).big_integer().not_null())
                    .col(ColumnDef::new(Products::Name).string_len(200).not_null())
                    .col(timestamp(Products::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Products::Table, Products::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_products_account")
                    .table(Products::Table)
                    .col(Products::AccountId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Images::Table)
                    .col(id(Images::Id))
                    .col(ColumnDef::new(Images::ProductId).big_integer().not_null())
                    .col(ColumnDef::new(Images::AccountId).big_integer().not_null())
                    .col(
                        ColumnDef::new(Images::IntentId)
                            .string_len(36)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(Images::Status)
                            .string_len(16)
                            .not_null()
                            .default("pending"),
                    )
                    .col(ColumnDef::new(Images::ReviewReason).string_len(500).null())
                    .col(ColumnDef::new(Images::Position).integer().not_null())
                    .col(
                        ColumnDef::new(Images::AltText)
                            .string_len(500)
                            .not_null()
                            .default(""),
                    )
                    .col(ColumnDef::new(Images::Width).integer().not_null())
                    .col(ColumnDef::new(Images::Height).integer().not_null())
                    .col(timestamp(Images::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Images::Table, Images::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Images::Table, Images::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_images_product_position")
                    .table(Images::Table)
                    .col(Images::ProductId)
                    .col(Images::Position)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_images_status_created")
                    .table(Images::Table)
                    .col(Images::Status)
                    .col(Images::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UploadIntents::Table)
                    .col(
                        ColumnDef::new(UploadIntents::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(UploadIntents::AccountId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(UploadIntents::ProductId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(timestamp(UploadIntents::CreatedAt))
                    .col(timestamp(UploadIntents::ExpiresAt))
                    .col(
                        ColumnDef::new(UploadIntents::CompletedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(UploadIntents::ImageId).big_integer().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(UploadIntents::Table, UploadIntents::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(UploadIntents::Table, UploadIntents::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(UploadIntents::Table, UploadIntents::ImageId)
                            .to(Images::Table, Images::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_upload_intents_expires_at")
                    .table(UploadIntents::Table)
                    .col(UploadIntents::ExpiresAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(StoredObjects::Table)
                    .col(id(StoredObjects::Id))
                    .col(
                        ColumnDef::new(StoredObjects::ObjectKey)
                            .string_len(512)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(StoredObjects::IntentId)
                            .string_len(36)
                            .null(),
                    )
                    .col(ColumnDef::new(StoredObjects::ImageId).big_integer().null())
                    .col(
                        ColumnDef::new(StoredObjects::Variant)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(StoredObjects::ContentType)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(StoredObjects::ByteSize)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(StoredObjects::Width).integer().null())
                    .col(ColumnDef::new(StoredObjects::Height).integer().null())
                    .col(timestamp(StoredObjects::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(StoredObjects::Table, StoredObjects::IntentId)
                            .to(UploadIntents::Table, UploadIntents::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(StoredObjects::Table, StoredObjects::ImageId)
                            .to(Images::Table, Images::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_stored_objects_intent", StoredObjects::IntentId),
            ("idx_stored_objects_image", StoredObjects::ImageId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(StoredObjects::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            StoredObjects::Table.into_iden(),
            UploadIntents::Table.into_iden(),
            Images::Table.into_iden(),
            Products::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
