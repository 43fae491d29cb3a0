//! Objects of a deleted image whose store delete failed (or whose request was dropped before
//! it ran) kept their link to the image's upload intent. A completed intent is never removed,
//! and gc spares the rows of an intent that exists, so those objects stayed stored and counted
//! against the seller for ever. Deleting an image now unlinks both; this unlinks the rows
//! earlier deletions left, so the next `vitrine gc` deletes them.
//!
//! Registering an image links every row of its intent in the transaction that completes the
//! intent, so a row with no image whose intent is completed can only be a deleted image's.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE stored_objects SET intent_id = NULL \
                 WHERE image_id IS NULL AND intent_id IN \
                 (SELECT id FROM upload_intents WHERE completed_at IS NOT NULL)",
            )
            .await?;
        Ok(())
    }

    /// Nothing to restore: the links pointed at intents whose image is gone.
    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}
