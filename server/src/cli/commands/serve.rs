//! `vitrine serve`: migrate, then serve the app (and the embedded store).

use backend::Settings;

use crate::cli::CliError;
use crate::startup::Application;

pub(in crate::cli) async fn serve(settings: Settings) -> Result<(), CliError> {
    let app = Application::build(settings).await?;
    let addr = app.state.settings.site_addr;
    tracing::info!(
        "Vitrine is listening on http://{}",
        std::net::SocketAddr::new(addr.ip(), app.port())
    );
    Ok(app.run_until_stopped().await?)
}
