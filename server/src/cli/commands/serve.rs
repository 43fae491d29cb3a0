//! `vitrine serve`: say what the configuration means, migrate, then serve the app (and the
//! embedded store).

use backend::Settings;
use backend::doctor;

use crate::cli::CliError;
use crate::startup::{Application, page_files_present};

pub(in crate::cli) async fn serve(settings: Settings) -> Result<(), CliError> {
    announce(&settings);
    page_files_present()?;
    let app = Application::build(settings).await?;
    let addr = app.state.settings.site_addr;
    tracing::info!(
        "Vitrine is listening on http://{}",
        std::net::SocketAddr::new(addr.ip(), app.port())
    );
    Ok(app.run_until_stopped().await?)
}

/// The doctor's configuration and persistence checks, one log line each, at every start: the
/// first thing a shop learns about a server writing to a disk its host wipes, or ignoring
/// `USE_S3`, should not wait for someone to run `vitrine doctor`.
fn announce(settings: &Settings) {
    let env = |name: &str| std::env::var(name).ok();
    for check in [
        doctor::configuration(settings, &env),
        doctor::persistence(settings, &env),
    ] {
        if check.ok {
            tracing::info!("{}: {}", check.name, check.detail);
        } else {
            tracing::warn!("{}: {}; fix: {}", check.name, check.detail, check.fix);
        }
    }
}
