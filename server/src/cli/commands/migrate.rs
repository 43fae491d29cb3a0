//! `vitrine migrate up|down|status`.

use backend::Settings;

use crate::cli::CliError;
use crate::cli::args::MigrateAction;

pub(in crate::cli) async fn migrate(
    settings: &Settings,
    action: MigrateAction,
) -> Result<(), CliError> {
    use migrations::{Migrator, MigratorTrait};
    let db = backend::db::connect(&settings.database_url)
        .await
        .map_err(CliError::Database)?;
    let result = match action {
        MigrateAction::Up => Migrator::up(&db, None).await,
        MigrateAction::Down => Migrator::down(&db, Some(1)).await,
        MigrateAction::Status => Migrator::status(&db).await,
    };
    result.map_err(|e| CliError::Migration(Box::new(e)))?;
    if !matches!(action, MigrateAction::Status) {
        let pending = Migrator::get_pending_migrations(&db)
            .await
            .map_err(|e| CliError::Migration(Box::new(e)))?
            .len();
        println!("ok: {pending} migration(s) pending");
    }
    Ok(())
}
