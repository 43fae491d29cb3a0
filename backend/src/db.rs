//! Database connection and migrations: SQLite by default, PostgreSQL by URL.

use std::sync::Arc;
use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseBackend, DatabaseConnection};
use tokio::sync::{Mutex, MutexGuard};

use crate::Error;

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

/// Turns at writing, on SQLite. SQLite lets one connection write at a time, and the others
/// retry after sleeping (1, 2, 5 … 100 ms) while keeping their pooled connection: at 1,000
/// uploads begun a second, writers slept 600 times a second and readers waited for
/// connections. A writer that takes its turn here first waits without a connection and finds
/// the file free. PostgreSQL locks rows, not the database: there are no turns there.
///
/// Take the turn before the transaction's connection, never while holding one: writers
/// waiting with connections in hand could take the whole pool from the turn's holder.
#[derive(Clone, Debug, Default)]
pub struct WriteTurns(Option<Arc<Mutex<()>>>);

impl WriteTurns {
    pub fn for_database(db: &DatabaseConnection) -> Self {
        Self(
            (db.get_database_backend() == DatabaseBackend::Sqlite)
                .then(|| Arc::new(Mutex::new(()))),
        )
    }

    /// Waits for this process's turn to write (at once on PostgreSQL); it lasts as long as
    /// the guard.
    pub async fn take(&self) -> Option<MutexGuard<'_, ()>> {
        match &self.0 {
            Some(turn) => Some(turn.lock().await),
            None => None,
        }
    }
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
