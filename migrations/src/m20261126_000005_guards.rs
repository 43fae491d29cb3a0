//! What guards the doors: counters of sign-in and sign-up attempts (per account and per client
//! address, in the database so the limits hold across every instance), and when each session
//! was last used (sessions left idle end before their absolute expiry).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AttemptCounters {
    Table,
    Key,
    WindowStart,
    Attempts,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    LastSeenAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AttemptCounters::Table)
                    // "sign-in account <e-mail>", "sign-in address <ip>", …
                    .col(
                        ColumnDef::new(AttemptCounters::Key)
                            .string_len(400)
                            .not_null()
                            .primary_key(),
                    )
                    // Unix seconds: compared and reset in SQL the same way on both databases.
                    .col(
                        ColumnDef::new(AttemptCounters::WindowStart)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AttemptCounters::Attempts)
                            .integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        // Nullable: sessions opened before this migration count as last seen when opened.
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .add_column(ColumnDef::new(Sessions::LastSeenAt).timestamp_with_time_zone())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .drop_column(Sessions::LastSeenAt)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(AttemptCounters::Table).to_owned())
            .await
    }
}
