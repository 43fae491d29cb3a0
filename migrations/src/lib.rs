//! The schema, only ever changed through these migrations (`vitrine migrate`).

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_accounts;
mod m20261122_000002_catalogue;
mod m20261122_000003_gallery_version;
mod m20261123_000004_audit_events;
mod m20261126_000005_guards;
mod m20261126_000006_checksums;
mod m20261127_000007_legacy_paths;
mod m20261127_000008_seller_indexes;
mod m20261127_000009_publish_attempts;
mod m20261127_000010_stored_bytes;
mod m20261128_000011_detach_deleted_images_objects;
mod m20261128_000012_known_devices;
mod m20261128_000013_operator_made_accounts;

pub struct Migrator;

/// Migrations the database records as applied that this build does not know: a newer release
/// migrated it (an older binary after a rollback, or an old instance restarting during a
/// rolling deploy). Empty on a database never migrated.
pub async fn unknown_applied(
    db: &sea_orm_migration::sea_orm::DatabaseConnection,
) -> Result<Vec<String>, DbErr> {
    use sea_orm_migration::sea_orm::{EntityName, EntityTrait};
    use sea_orm_migration::seaql_migrations;
    if !SchemaManager::new(db)
        .has_table(seaql_migrations::Entity.table_name())
        .await?
    {
        return Ok(Vec::new());
    }
    let known: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    Ok(seaql_migrations::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|applied| applied.version)
        .filter(|version| !known.contains(version))
        .collect())
}

/// A migration applied in one transaction on every database, its record included. SeaORM
/// uses one only on PostgreSQL; on SQLite a migration cut short (a full disk, a killed
/// process) would leave half its statements applied and every retry failing on the first.
/// SQLite changes its schema transactionally, so it gets the same all-or-nothing.
struct Atomic<M>(M);

fn atomic<M: MigrationTrait + 'static>(migration: M) -> Box<dyn MigrationTrait> {
    Box::new(Atomic(migration))
}

impl<M: MigrationName> MigrationName for Atomic<M> {
    fn name(&self) -> &str {
        self.0.name()
    }
}

#[async_trait::async_trait]
impl<M: MigrationTrait> MigrationTrait for Atomic<M> {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        self.0.up(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        self.0.down(manager).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            atomic(m20261122_000001_accounts::Migration),
            atomic(m20261122_000002_catalogue::Migration),
            atomic(m20261122_000003_gallery_version::Migration),
            atomic(m20261123_000004_audit_events::Migration),
            atomic(m20261126_000005_guards::Migration),
            atomic(m20261126_000006_checksums::Migration),
            atomic(m20261127_000007_legacy_paths::Migration),
            atomic(m20261127_000008_seller_indexes::Migration),
            atomic(m20261127_000009_publish_attempts::Migration),
            atomic(m20261127_000010_stored_bytes::Migration),
            atomic(m20261128_000011_detach_deleted_images_objects::Migration),
            atomic(m20261128_000012_known_devices::Migration),
            atomic(m20261128_000013_operator_made_accounts::Migration),
        ]
    }
}

#[cfg(test)]
mod tests {
    use sea_orm_migration::sea_orm::{ConnectionTrait, Database, Statement};

    use super::*;

    /// Creates a table, then fails, as a migration cut short by a full disk would.
    #[derive(DeriveMigrationName)]
    struct CutShort;

    #[async_trait::async_trait]
    impl MigrationTrait for CutShort {
        async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
            let db = manager.get_connection();
            db.execute_unprepared("CREATE TABLE half_done (id INTEGER)")
                .await?;
            Err(DbErr::Custom("database or disk is full".into()))
        }

        async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
            Ok(())
        }
    }

    struct CutShortMigrator;

    impl MigratorTrait for CutShortMigrator {
        fn migrations() -> Vec<Box<dyn MigrationTrait>> {
            vec![atomic(CutShort)]
        }
    }

    #[tokio::test]
    async fn a_migration_cut_short_on_sqlite_leaves_nothing_applied() {
        let db = Database::connect("sqlite::memory:")
            .await
            .expect("in-memory SQLite");
        let failed = CutShortMigrator::up(&db, None).await;
        assert!(failed.is_err(), "the migration must fail");
        let tables = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT name FROM sqlite_master WHERE name = 'half_done'",
            ))
            .await
            .expect("sqlite_master");
        assert!(
            tables.is_empty(),
            "the table of a failed migration must not stay"
        );
        let applied = CutShortMigrator::get_applied_migrations(&db)
            .await
            .expect("the migrations table");
        assert!(
            applied.is_empty(),
            "a failed migration must not be recorded"
        );
    }

    #[tokio::test]
    async fn every_migration_runs_in_one_transaction() {
        for migration in Migrator::migrations() {
            assert_eq!(
                migration.use_transaction(),
                Some(true),
                "{}",
                migration.name()
            );
        }
    }
}
