//! Can the database be reached and migrated?

use sea_orm::DatabaseConnection;

use super::Check;
use crate::Settings;

/// The database answers and every migration is applied.
pub async fn database(settings: &Settings) -> (Check, Option<DatabaseConnection>) {
    let db = match crate::db::connect_existing(&settings.database_url).await {
        Ok(db) => db,
        Err(err) => {
            return (
                Check::problem(
                    "database",
                    format!("cannot connect: {err}"),
                    "check DATABASE_URL (host, port, user, password, database name) and that the server is running",
                ),
                None,
            );
        }
    };
    let check = match crate::db::pending_migrations(&db).await {
        Ok(0) => Check::ok("database", "reachable, migrations current"),
        Ok(n) => Check::problem(
            "database",
            format!("reachable, {n} migration(s) pending"),
            "run `vitrine migrate` (or start `vitrine serve`, which applies them)",
        ),
        Err(err @ crate::Error::NewerSchema(_)) => Check::problem(
            "database",
            format!("reachable, but {err}"),
            "deploy the Vitrine release that migrated this database (or a later one)",
        ),
        Err(err) => Check::problem(
            "database",
            format!("reachable, but cannot read migrations: {err}"),
            "check that DATABASE_URL points at Vitrine's database",
        ),
    };
    (check, Some(db))
}
