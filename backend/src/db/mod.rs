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
    Migrator::up(db, None).await?;
    Ok(())
}

/// How many migrations are not applied yet.
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<usize, Error> {
    Ok(Migrator::get_pending_migrations(db).await?.len())
}
