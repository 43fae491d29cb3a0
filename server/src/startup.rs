//! Builds the HTTP application from settings: database (migrated), object store, Leptos
//! pages and server functions, probes. `Application::build` binds the port (0 in tests)
//! first, so the embedded store's loopback endpoint is known before anything serves.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use app::{App, shell};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::{Extension, Router};
use backend::config::StorageSettings;
use backend::storage::ObjectStore;
use backend::storage::embedded::EmbeddedStore;
use backend::{AppState, Settings};
use leptos::config::get_configuration;
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tokio::net::TcpListener;

use crate::{
    answers, client_address, embedded_store, health, legacy_media, media_proxy, safety_headers,
    same_origin, sign_in_guard, site_files,
};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot listen on {addr}: {source} (is another server using it? set LEPTOS_SITE_ADDR)")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot open the database: {0} (check DATABASE_URL)")]
    Database(backend::Error),
    #[error("cannot apply migrations: {0}")]
    Migrate(backend::Error),
    #[error(
        "the database has {0} migration(s) pending: run `vitrine migrate` first (this command only reads, so it changes nothing, the schema included)"
    )]
    NotMigrated(usize),
    #[error("{0}")]
    Storage(backend::Error),
    #[error("cannot start the embedded store: {0}")]
    EmbeddedStore(embedded_store::StoreError),
    #[error("cannot read the Leptos configuration: {0}")]
    Leptos(String),
    #[error(
        "the page files are not in {}: pages would show but never respond. Start vitrine from \
         the folder that holds target/site (or set LEPTOS_SITE_ROOT to the site's folder), after \
         building them with `make run` or `cargo leptos build --release`",
        .0.display()
    )]
    NoPageFiles(std::path::PathBuf),
    #[error(
        "the page files were built without --split ({}): pages would show but never respond. \
         Build them with `make run`, or `cargo leptos build --split` (add --release \
         --precompress for production)",
        .0.display()
    )]
    UnsplitPageFiles(std::path::PathBuf),
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    pub state: AppState,
}

/// The address the server itself uses to reach its listener (loopback when it listens on all).
pub fn loopback_endpoint(addr: SocketAddr) -> String {
    let ip = if addr.ip().is_unspecified() {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        addr.ip()
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

/// The object store `settings` name, reached by the server at `endpoint`, and the routes that
/// serve it when it is the embedded one (none for an external store). The one place a store
/// is opened, for `serve` and for the commands.
async fn store_for(
    settings: &Settings,
    endpoint: SocketAddr,
) -> Result<(ObjectStore, Router), StartupError> {
    let (store, routes) = match &settings.storage {
        StorageSettings::Embedded => {
            let embedded = EmbeddedStore::open(&settings.embedded_store_dir())
                .map_err(StartupError::Storage)?;
            let routes = embedded_store::routes(&embedded, settings.max_upload_bytes)
                .map_err(StartupError::EmbeddedStore)?;
            (
                ObjectStore::embedded(&embedded, &loopback_endpoint(endpoint)),
                routes,
            )
        }
        StorageSettings::S3(s3) => (
            ObjectStore::external(s3)
                .await
                .map_err(StartupError::Storage)?,
            Router::new(),
        ),
    };
    let store = store.configured(
        settings.media_urls.clone(),
        settings.encryption.clone(),
        settings.media_url_lifetime,
    );
    Ok((store, routes))
}

/// The object store alone, for commands that need it without the app (`vitrine doctor`): the
/// embedded one is served on a private loopback port for as long as the process runs.
pub async fn open_store(settings: &Settings) -> Result<ObjectStore, StartupError> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    if !matches!(settings.storage, StorageSettings::Embedded) {
        // An external store has its own endpoint: nothing to serve, no port to take.
        return Ok(store_for(settings, addr).await?.0);
    }
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| StartupError::Bind { addr, source })?;
    let local = listener
        .local_addr()
        .map_err(|source| StartupError::Bind { addr, source })?;
    let (store, routes) = store_for(settings, local).await?;
    tokio::spawn(async move { axum::serve(listener, routes).await });
    Ok(store)
}

/// Refuses to serve pages nothing would bring to life (see `site_files::missing_page_files`
/// and `site_files::unsplit_page_script`).
pub fn page_files_present() -> Result<(), StartupError> {
    let options = get_configuration(None)
        .map_err(|e| StartupError::Leptos(e.to_string()))?
        .leptos_options;
    if let Some(dir) = site_files::missing_page_files(&options) {
        return Err(StartupError::NoPageFiles(dir));
    }
    match site_files::unsplit_page_script(&options) {
        Some(script) => Err(StartupError::UnsplitPageFiles(script)),
        None => Ok(()),
    }
}

/// What starting does to the database's schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// Make the database if needed, and apply pending migrations (serving, commands that write).
    Migrate,
    /// Use the database as it is, which must exist and be migrated (commands that only read).
    AsIs,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        Self::build_with(settings, Schema::Migrate).await
    }

    pub async fn build_with(settings: Settings, schema: Schema) -> Result<Self, StartupError> {
        let db = match schema {
            Schema::Migrate => {
                let db = backend::db::connect(&settings.database_url)
                    .await
                    .map_err(StartupError::Database)?;
                backend::db::migrate(&db)
                    .await
                    .map_err(StartupError::Migrate)?;
                db
            }
            Schema::AsIs => {
                let db = backend::db::connect_existing(&settings.database_url)
                    .await
                    .map_err(StartupError::Database)?;
                match backend::db::pending_migrations(&db).await {
                    Ok(0) => db,
                    Ok(n) => return Err(StartupError::NotMigrated(n)),
                    Err(err) => return Err(StartupError::Database(err)),
                }
            }
        };

        let listener = TcpListener::bind(settings.site_addr)
            .await
            .map_err(|source| StartupError::Bind {
                addr: settings.site_addr,
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| StartupError::Bind {
            addr: settings.site_addr,
            source,
        })?;

        let (store, store_routes) = store_for(&settings, local_addr).await?;
        let state = AppState {
            writes: backend::db::WriteTurns::for_database(&db),
            db,
            store,
            settings: Arc::new(settings),
        };
        let router = Self::router(state.clone(), local_addr, store_routes)?;
        Ok(Self {
            listener,
            router,
            state,
        })
    }

    fn router(
        state: AppState,
        addr: SocketAddr,
        store_routes: Router,
    ) -> Result<Router, StartupError> {
        let mut leptos_options = get_configuration(None)
            .map_err(|e| StartupError::Leptos(e.to_string()))?
            .leptos_options;
        leptos_options.site_addr = addr;
        // Decided by the build beside the binary, not by cargo-leptos's environment, so the
        // binary run directly (tests, a container) names its files as they were built.
        let hashed = site_files::hashed_names(&leptos_options.hash_file);
        leptos_options.hash_files = hashed;
        let routes = page_routes();
        let context_state = state.clone();
        let pages = Router::new()
            .leptos_routes_with_context(
                &leptos_options,
                routes,
                move || provide_context(context_state.clone()),
                {
                    let options = leptos_options.clone();
                    move || shell(options.clone())
                },
            )
            .fallback_service(site_files::service(
                &leptos_options,
                site_files::not_found_page(
                    leptos_axum::file_and_error_handler(shell),
                    leptos_options.clone(),
                ),
            ))
            .with_state(leptos_options)
            .layer(axum::middleware::from_fn(move |request, next| {
                site_files::cache_headers(hashed, request, next)
            }))
            .layer(axum::middleware::from_fn({
                let state = state.clone();
                move |request, next| {
                    sign_in_guard::redirect_signed_out(state.clone(), request, next)
                }
            }))
            .layer(axum::middleware::from_fn(answers::with_status))
            .layer(axum::middleware::from_fn({
                let state = state.clone();
                move |request, next| same_origin::only_from_the_site(state.clone(), request, next)
            }))
            .layer(axum::middleware::from_fn({
                let state = state.clone();
                move |request, next| client_address::note(state.clone(), request, next)
            }))
            .layer(site_files::compression());
        let mut direct = Router::new()
            .route("/healthz", get(health::live))
            .route("/readyz", get(health::ready))
            .route("/media/{*key}", get(media_proxy::serve));
        if let Some(legacy) = &state.settings.legacy_media
            && !legacy_media::under_media(&state)
        {
            direct = direct.route(
                &format!("{}{{*path}}", legacy.prefix()),
                get(legacy_media::redirect),
            );
        }
        Ok(direct
            .layer(Extension(state.clone()))
            .merge(store_routes)
            .merge(pages)
            .layer(axum::middleware::from_fn(move |request, next| {
                safety_headers::add(state.clone(), request, next)
            })))
    }

    pub fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_default()
    }

    /// Serves until Ctrl-C or SIGTERM.
    pub async fn run_until_stopped(self) -> Result<(), StartupError> {
        // The peer's address is kept for `client_address`.
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        // Pages stream (the shell first, then each resource as it resolves): with Nagle's
        // algorithm on, each later piece waited for the client's delayed ACK, about 40 ms.
        let listener = self.listener.tap_io(|stream| {
            if let Err(e) = stream.set_nodelay(true) {
                tracing::debug!("cannot set TCP_NODELAY: {e}");
            }
        });
        axum::serve(listener, service)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(StartupError::Serve)
    }
}

/// The page routes, listed once per process. Why once: listing renders the app with resource
/// loading switched off by a process-wide flag (leptos_server's `SuppressResourceLoad`), and a
/// resource first polled meanwhile, by a page of another app in the same process (the tests
/// build many), waits forever (leptos issue #4773; seen here as a /store page that never
/// answered, one run in forty).
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Ctrl-C or SIGTERM (what hosts send before stopping a container).
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}
