//! One file per command; each prints what it did and returns a [`CliError`] that says what
//! went wrong and what to do.

pub(super) mod check;
pub(super) mod doctor;
pub(super) mod gc;
pub(super) mod import;
pub(super) mod migrate;
pub(super) mod serve;
pub(super) mod setup_bucket;
pub(super) mod store_env;
pub(super) mod user;

use std::net::SocketAddr;

use backend::Settings;

use crate::cli::CliError;
use crate::startup::{Application, Schema};

/// The application's state for a one-off command, with the embedded store (if used) served
/// on a private loopback port for as long as the command runs. A command that only reads
/// (`check`, dry runs) takes the database as it is: it makes none and migrates nothing.
pub(super) async fn command_state(
    mut settings: Settings,
    schema: Schema,
) -> Result<backend::AppState, CliError> {
    settings.site_addr = SocketAddr::new(settings.site_addr.ip(), 0);
    if !settings.site_addr.ip().is_loopback() {
        settings.site_addr = SocketAddr::from(([127, 0, 0, 1], 0));
    }
    let app = Application::build_with(settings, schema).await?;
    let state = app.state.clone();
    tokio::spawn(app.run_until_stopped());
    Ok(state)
}
