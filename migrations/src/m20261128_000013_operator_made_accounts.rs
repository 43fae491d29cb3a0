//! Whether an operator made an account (`vitrine user add`, `vitrine import --create-sellers`)
//! or someone signed it up on the site, claiming an address nobody checked. An import gives an
//! old shop's photos only to the former: whoever signs up first with a seller's address must
//! not receive that seller's catalogue. Accounts from before are taken as signed up on the
//! site, except admins, which only an operator can make.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    MadeByOperator,
    Role,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .add_column(
                        ColumnDef::new(Accounts::MadeByOperator)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(Accounts::Table)
                    .value(Accounts::MadeByOperator, true)
                    .and_where(Expr::col(Accounts::Role).eq("admin"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Accounts::Table)
                    .drop_column(Accounts::MadeByOperator)
                    .to_owned(),
            )
            .await
    }
}
