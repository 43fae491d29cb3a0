//! Database connection and migrations: SQLite by default, PostgreSQL by URL.

use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
pub use sea_orm::DatabaseConnection;
use sea_orm::{ConnectOptions, Database};

use crate::Error;

mod begin;
mod turns;

pub use begin::begin;
pub use turns::WriteTurns;

/// Connects to `url`, creating the SQLite file (and its folder) when needed.
pub async fn connect(url: &str) -> Result<DatabaseConnection, Error> {
    let url = if let Some(path) = url.strip_prefix("sqlite://") {
        let file = path.split('?').next().unwrap_or_default();
        if let Some(dir) = std::path::Path::new(file)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                Error::Internal(format!(
                    "cannot create the database folder {}: {e}",
                    dir.display()
                ))
            })?;
        }
        if path.contains('?') {
            url.to_owned()
        } else {
            format!("{url}?mode=rwc")
        }
    } else {
        url.to_owned()
    };
    let mut options = ConnectOptions::new(url);
    options
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        // A ping on every checkout was a round trip on every query (three per upload begun);
        // only a connection idle long enough for a proxy or a restart to have dropped it is
        // tested before use.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false);
    if options.get_url().starts_with("sqlite:") {
        // SQLite takes one writer at a time; a small pool avoids "database is locked" storms.
        options.max_connections(4);
    }
    let db = Database::connect(options).await?;
    if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        use sea_orm::ConnectionTrait;
        // sqlx already turns foreign keys on and waits 5 s on a busy file, per connection;
        // WAL lets readers work while one request writes.
        db.execute_unprepared("PRAGMA journal_mode = WAL;").await?;
    }
    Ok(db)
}

/// Connects to a database that must exist already: for commands that only read, which must
/// not answer from a fresh, empty database made at a mistyped `DATABASE_URL`.
pub async fn connect_existing(url: &str) -> Result<DatabaseConnection, Error> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        let file = path.split('?').next().unwrap_or_default();
        if !file.is_empty() && file != ":memory:" && !std::path::Path::new(file).is_file() {
            return Err(Error::Invalid(format!(
                "there is no database at {file}: check DATABASE_URL (`vitrine migrate` or `vitrine serve` makes a new one)"
            )));
        }
    }
    connect(url).await
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), Error> {
    use sea_orm::ConnectionTrait;
    // A deploy starts every instance at once, each migrating on start: on PostgreSQL they take
    // turns, so the later ones find nothing left to apply instead of crashing on "relation
    // already exists". The lock is a transaction's, held on a connection of its own while the
    // migrations run on others, and let go however this ends.
    let turn = if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        let turn = begin(db).await?;
        turn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            .await?;
        Some(turn)
    } else {
        None
    };
    refuse_newer_schema(db).await?;
    Migrator::up(db, None).await?;
    if let Some(turn) = turn {
        turn.commit().await?;
    }
    Ok(())
}

/// The advisory lock migrations take on PostgreSQL: any number, the same in every release.
const MIGRATION_LOCK: i64 = 0x0056_4954_5249_4e45; // "VITRINE"

/// How many migrations are not applied yet.
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<usize, Error> {
    refuse_newer_schema(db).await?;
    Ok(Migrator::get_pending_migrations(db).await?.len())
}

/// SeaORM says only that a migration's "file is missing"; the operator needs to hear that a
/// newer release owns this database.
async fn refuse_newer_schema(db: &DatabaseConnection) -> Result<(), Error> {
    let unknown = migrations::unknown_applied(db).await?;
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(Error::NewerSchema(unknown.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::ConnectionTrait;

    use super::*;

    #[tokio::test]
    async fn a_database_a_newer_release_migrated_is_refused_saying_so() {
        let db = connect("sqlite::memory:").await.unwrap();
        migrate(&db).await.unwrap();
        assert_eq!(pending_migrations(&db).await.unwrap(), 0);
        db.execute_unprepared(
            "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m20990101_000001_future', 0)",
        )
        .await
        .unwrap();
        for refused in [
            migrate(&db).await,
            pending_migrations(&db).await.map(|_| ()),
        ] {
            let err = refused.unwrap_err();
            assert!(matches!(err, Error::NewerSchema(_)), "{err}");
            let said = err.to_string();
            assert!(
                said.contains("m20990101_000001_future") && said.contains("deploy that release"),
                "{said}"
            );
        }
    }
}
