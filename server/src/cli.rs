//! The `vitrine` command line. Every setting is a flag and an environment variable of the
//! same name (a `.env` file in the working directory is read too); flags win.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use backend::Settings;
use backend::config::{Encryption, MediaUrls, S3Settings, StorageSettings};
use backend::storage::{KeyPrefix, Provider};
use clap::{Args, Parser, Subcommand, ValueEnum};
use domain::{Role, UploadMethod};
use rand::Rng;

use crate::startup::{Application, loopback_endpoint};

const ABOUT: &str = "Vitrine: product images, shrunk in the browser and uploaded straight to S3.";
const LONG_ABOUT: &str = "\
Vitrine: product images, shrunk in the browser and uploaded straight to S3.

With nothing configured, `vitrine` serves on http://127.0.0.1:3000 with a SQLite database and an
embedded S3-compatible store under ./data. For production, point DATABASE_URL at PostgreSQL and
set VITRINE_STORAGE=s3 with a bucket (see README.md, \"Production\").

Every option below is also an environment variable (shown in brackets); a .env file in the
working directory is read too.";

#[derive(Debug, Parser)]
#[command(name = "vitrine", version, about = ABOUT, long_about = LONG_ABOUT)]
pub struct Cli {
    #[command(flatten)]
    config: ConfigArgs,
    /// What to do; with none, `serve`.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply pending migrations, then serve the app (and, in embedded mode, the object store).
    Serve,
    /// Database migrations only.
    Migrate {
        #[arg(value_enum, default_value_t = MigrateAction::Up)]
        action: MigrateAction,
    },
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Check configuration, database, credentials, bucket, clock, CORS and a signed upload
    /// round trip; one line per check, `ok` or the problem and its fix. Exits non-zero on any
    /// problem.
    Doctor {
        /// Print the checks as JSON (an array of {name, ok, detail, fix}).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Create the bucket if the credentials allow, add the CORS rule uploads from the site need
    /// (keeping other rules), then check both with a real upload. Says what it changed.
    SetupBucket {
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Import an existing media folder (for example a Django MEDIA_ROOT) into the bucket and the
    /// database: every image becomes three variants (metadata such as GPS stripped), checked
    /// after upload. Re-running imports nothing twice, and resumes a run that was stopped. The
    /// local files are only read.
    ImportLocal {
        /// The folder to import (searched recursively).
        dir: PathBuf,
        /// The seller (account e-mail) the images go to.
        #[arg(long, required_unless_present = "manifest")]
        seller: Option<String>,
        /// The product the images go to (created if the seller has none by that name).
        #[arg(long, required_unless_present = "manifest")]
        product: Option<String>,
        /// A CSV file with a header line and `path,seller,product[,alt text]` rows (paths relative
        /// to DIR), instead of --seller and --product.
        #[arg(long, conflicts_with_all = ["seller", "product"])]
        manifest: Option<PathBuf>,
        /// Publish the images at once (they were public before); otherwise they wait for review.
        #[arg(long)]
        approve: bool,
        /// Say what would be imported; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Remove what uploads and deletions left behind: expired upload intents and their objects,
    /// objects of deleted images, and objects under the key prefix that nothing references.
    /// Safe while uploads are in flight.
    Gc {
        /// Say what would be removed; remove nothing.
        #[arg(long)]
        dry_run: bool,
        /// Only remove unreferenced objects older than this many hours (uploads in progress
        /// are recorded, so this is a second safety margin).
        #[arg(long, default_value_t = 24)]
        grace_hours: u64,
    },
    /// Print the embedded store's endpoint, bucket, region and keys as environment lines, for
    /// aws-cli, rclone or boto3 (the store answers while `vitrine serve` runs).
    StoreEnv,
}

#[derive(Debug, Args)]
struct SiteArgs {
    /// The address browsers use for the site (its origin, for CORS), e.g. https://shop.example
    /// [default: http://LEPTOS_SITE_ADDR]
    #[arg(long, env = "VITRINE_SITE_URL")]
    site_url: Option<String>,
}

impl SiteArgs {
    fn origin(&self, settings: &Settings) -> String {
        self.site_url
            .as_deref()
            .map(|u| u.trim_end_matches('/').to_owned())
            .unwrap_or_else(|| format!("http://{}", settings.site_addr))
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Revert the last applied migration.
    Down,
    /// List migrations and whether each is applied.
    Status,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account. Without --password-stdin a strong password is generated and printed.
    Add {
        /// The account's e-mail address.
        email: String,
        /// Make the account an admin (admins review uploads).
        #[arg(long)]
        admin: bool,
        /// Read the password from standard input (for scripts: `echo "$PW" | vitrine user add ...`).
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StorageKind {
    /// Built-in S3-compatible store under the data dir.
    Embedded,
    /// Any S3 service (AWS, DigitalOcean Spaces, Cloudflare R2, MinIO...).
    S3,
}

/// `VITRINE_S3_PROVIDER`: presets for endpoint, addressing style and upload method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ProviderArg {
    /// AWS S3: the SDK's regional endpoint, virtual-hosted buckets, POST uploads.
    Aws,
    /// DigitalOcean Spaces: https://REGION.digitaloceanspaces.com, PUT uploads.
    Spaces,
    /// Cloudflare R2: the account endpoint (AWS_ENDPOINT_URL_S3), region auto, PUT uploads.
    R2,
    /// MinIO: your endpoint, path-style buckets, POST uploads.
    Minio,
    /// Any other S3 service: your endpoint, path-style, POST uploads.
    Other,
}

impl From<ProviderArg> for Provider {
    fn from(p: ProviderArg) -> Self {
        match p {
            ProviderArg::Aws => Self::Aws,
            ProviderArg::Spaces => Self::Spaces,
            ProviderArg::R2 => Self::R2,
            ProviderArg::Minio => Self::Minio,
            ProviderArg::Other => Self::Other,
        }
    }
}

/// `VITRINE_MEDIA_URLS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MediaUrlsArg {
    /// Presigned GET URLs on a private bucket.
    Signed,
    /// VITRINE_PUBLIC_BASE_URL/key (a public bucket behind a CDN or custom domain).
    Public,
    /// /media/key through the app (streams, with Range and ETag; checks who may see it).
    Proxy,
}

/// `VITRINE_S3_SSE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SseArg {
    /// AES256 with keys managed by the store (SSE-S3).
    Aes256,
    /// AWS KMS (SSE-KMS), with VITRINE_S3_KMS_KEY_ID or the default key.
    Kms,
}

/// `VITRINE_UPLOAD_METHOD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum UploadMethodArg {
    /// Presigned POST with a policy pinning key, type and exact size.
    Post,
    /// Presigned PUT whose signature pins type and size (for stores without POST Object).
    Put,
}

impl From<UploadMethodArg> for UploadMethod {
    fn from(m: UploadMethodArg) -> Self {
        match m {
            UploadMethodArg::Post => Self::Post,
            UploadMethodArg::Put => Self::Put,
        }
    }
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Configuration")]
struct ConfigArgs {
    /// Address to listen on.
    #[arg(
        long,
        env = "LEPTOS_SITE_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    leptos_site_addr: SocketAddr,
    /// Where the embedded database and object store keep their files.
    #[arg(
        long,
        env = "VITRINE_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    vitrine_data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...` [default: sqlite://DATA_DIR/vitrine.db]
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    database_url: Option<String>,
    /// Where objects are stored.
    #[arg(long, env = "VITRINE_STORAGE", value_enum, default_value_t = StorageKind::Embedded, global = true)]
    vitrine_storage: StorageKind,
    /// S3 provider preset (endpoint, addressing style, upload method) with VITRINE_STORAGE=s3.
    #[arg(long, env = "VITRINE_S3_PROVIDER", value_enum, default_value_t = ProviderArg::Aws, global = true)]
    vitrine_s3_provider: ProviderArg,
    /// How browsers upload [default: post; put for r2 and spaces]
    #[arg(long, env = "VITRINE_UPLOAD_METHOD", value_enum, global = true)]
    vitrine_upload_method: Option<UploadMethodArg>,
    /// Bucket (Space) name, with VITRINE_STORAGE=s3.
    #[arg(long, env = "VITRINE_S3_BUCKET", global = true)]
    vitrine_s3_bucket: Option<String>,
    /// S3 endpoint for non-AWS providers, e.g. https://nyc3.digitaloceanspaces.com
    #[arg(long, env = "AWS_ENDPOINT_URL_S3", global = true)]
    aws_endpoint_url_s3: Option<String>,
    /// Bucket region [default: the AWS SDK's]
    #[arg(long, env = "AWS_REGION", global = true)]
    aws_region: Option<String>,
    /// How browsers get images: signed GET URLs (private bucket), a public base URL (CDN or
    /// custom domain), or proxy through the app at /media/… (which checks who may see each).
    #[arg(long, env = "VITRINE_MEDIA_URLS", value_enum, default_value_t = MediaUrlsArg::Signed, global = true)]
    vitrine_media_urls: MediaUrlsArg,
    /// Base URL of the CDN or custom domain for VITRINE_MEDIA_URLS=public, e.g. https://media.shop.example
    #[arg(long, env = "VITRINE_PUBLIC_BASE_URL", global = true)]
    vitrine_public_base_url: Option<String>,
    /// Server-side encryption every upload requests: aes256 (store-managed keys) or kms
    /// [default: the bucket's own setting]
    #[arg(long, env = "VITRINE_S3_SSE", value_enum, global = true)]
    vitrine_s3_sse: Option<SseArg>,
    /// KMS key for VITRINE_S3_SSE=kms [default: the account's default key]
    #[arg(long, env = "VITRINE_S3_KMS_KEY_ID", global = true)]
    vitrine_s3_kms_key_id: Option<String>,
    /// Prefix of every object key; below it each seller has its own prefix.
    #[arg(
        long,
        env = "VITRINE_KEY_PREFIX",
        default_value = "media/",
        global = true
    )]
    vitrine_key_prefix: String,
    /// Largest processed image the server signs an upload for, in bytes.
    #[arg(long, env = "VITRINE_MAX_UPLOAD_BYTES", default_value_t = domain::byte_size::DEFAULT_MAX_UPLOAD_BYTES, global = true)]
    vitrine_max_upload_bytes: u64,
    /// `Secure` flag on session cookies [default: true unless the site address is loopback]
    #[arg(long, env = "VITRINE_SECURE_COOKIES", global = true)]
    vitrine_secure_cookies: Option<bool>,
}

/// A configuration problem: the cause and the fix, on one line.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(String);

impl ConfigArgs {
    fn settings(self) -> Result<Settings, ConfigError> {
        let mut upload_method = self.vitrine_upload_method.map(UploadMethod::from);
        let storage = match self.vitrine_storage {
            StorageKind::Embedded => StorageSettings::Embedded,
            StorageKind::S3 => {
                let bucket = self
                    .vitrine_s3_bucket
                    .filter(|b| !b.is_empty())
                    .ok_or_else(|| {
                        ConfigError(
                            "VITRINE_STORAGE=s3 needs a bucket: set VITRINE_S3_BUCKET".into(),
                        )
                    })?;
                let provider = Provider::from(self.vitrine_s3_provider);
                let resolved = provider
                    .resolve(
                        self.aws_endpoint_url_s3.as_deref(),
                        self.aws_region.as_deref(),
                        upload_method,
                    )
                    .map_err(|e| ConfigError(e.to_string()))?;
                upload_method = Some(resolved.upload);
                StorageSettings::S3(S3Settings {
                    provider,
                    bucket,
                    endpoint: resolved.endpoint,
                    region: resolved.region,
                    path_style: resolved.path_style,
                })
            }
        };
        let media_urls = match self.vitrine_media_urls {
            MediaUrlsArg::Signed => MediaUrls::Signed,
            MediaUrlsArg::Proxy => MediaUrls::Proxy,
            MediaUrlsArg::Public => {
                let base_url = self
                    .vitrine_public_base_url
                    .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
                    .ok_or_else(|| {
                        ConfigError(
                            "VITRINE_MEDIA_URLS=public needs VITRINE_PUBLIC_BASE_URL=https://… (the CDN or custom domain serving the bucket)".into(),
                        )
                    })?;
                MediaUrls::Public { base_url }
            }
        };
        let key_prefix = KeyPrefix::parse(&self.vitrine_key_prefix)
            .map_err(|e| ConfigError(format!("VITRINE_KEY_PREFIX: {e}")))?;
        if self.vitrine_max_upload_bytes == 0 {
            return Err(ConfigError(
                "VITRINE_MAX_UPLOAD_BYTES must be at least 1".into(),
            ));
        }
        Ok(Settings {
            database_url: self
                .database_url
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| Settings::default_database_url(&self.vitrine_data_dir)),
            secure_cookies: self
                .vitrine_secure_cookies
                .unwrap_or_else(|| Settings::default_secure_cookies(self.leptos_site_addr)),
            site_addr: self.leptos_site_addr,
            data_dir: self.vitrine_data_dir,
            storage,
            key_prefix,
            max_upload_bytes: self.vitrine_max_upload_bytes,
            upload_method: upload_method.unwrap_or(UploadMethod::Post),
            media_urls,
            encryption: self.vitrine_s3_sse.map(|sse| match sse {
                SseArg::Aes256 => Encryption::S3Managed,
                SseArg::Kms => Encryption::Kms {
                    key_id: self.vitrine_s3_kms_key_id.filter(|k| !k.is_empty()),
                },
            }),
        })
    }
}

pub fn main() -> ExitCode {
    // A missing .env is normal; a broken one is worth saying.
    if let Err(err) = dotenvy::dotenv()
        && !err.not_found()
    {
        eprintln!("error: cannot read .env: {err}");
        return ExitCode::FAILURE;
    }
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,aws_config=warn,s3s=warn,s3s::ops=off".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let settings = cli.config.settings().map_err(|e| e.to_string())?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Migrate { action } => migrate(&settings, action).await,
        Command::User(UserCommand::Add {
            email,
            admin,
            password_stdin,
        }) => add_user(&settings, &email, admin, password_stdin).await,
        Command::Gc {
            dry_run,
            grace_hours,
        } => gc(settings, dry_run, grace_hours).await,
        Command::ImportLocal {
            dir,
            seller,
            product,
            manifest,
            approve,
            dry_run,
        } => {
            let items = match (manifest, seller, product) {
                (Some(csv), _, _) => {
                    let text = std::fs::read_to_string(&csv)
                        .map_err(|e| format!("cannot read {}: {e}", csv.display()))?;
                    backend::import::manifest(&dir, &text)
                }
                (None, Some(seller), Some(product)) => {
                    backend::import::scan(&dir, &seller, &product)
                }
                _ => return Err("give --seller and --product, or --manifest".into()),
            }
            .map_err(|e| e.to_string())?;
            import_local(settings, items, approve, dry_run).await
        }
        Command::SetupBucket { site } => {
            let origin = site.origin(&settings);
            setup_bucket(&settings, &origin).await
        }
        Command::Doctor { json, site } => {
            let origin = site.origin(&settings);
            doctor(&settings, &origin, json).await
        }
        Command::StoreEnv => store_env(&settings),
    }
}

/// The application's state for a one-off command, with the embedded store (if used) served
/// on a private loopback port for as long as the command runs.
async fn command_state(mut settings: Settings) -> Result<backend::AppState, String> {
    settings.site_addr = SocketAddr::new(settings.site_addr.ip(), 0);
    if !settings.site_addr.ip().is_loopback() {
        settings.site_addr = SocketAddr::from(([127, 0, 0, 1], 0));
    }
    let app = Application::build(settings)
        .await
        .map_err(|e| e.to_string())?;
    let state = app.state.clone();
    tokio::spawn(app.run_until_stopped());
    Ok(state)
}

async fn doctor(settings: &Settings, origin: &str, json: bool) -> Result<(), String> {
    use backend::doctor::{self, Check};
    let env = |name: &str| std::env::var(name).ok();
    let mut checks = vec![
        doctor::configuration(settings, &env),
        doctor::persistence(settings, &env),
    ];
    checks.push(doctor::database(settings).await.0);
    let http = doctor::http_client()?;
    match crate::startup::open_store(settings).await {
        Err(err) => checks.push(Check::problem(
            "credentials and bucket",
            err.to_string(),
            "set the S3 variables in README, Deploy (AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)",
        )),
        Ok(store) => {
            let reach = doctor::credentials_and_bucket(&store, settings).await;
            let reachable = reach.ok;
            checks.push(reach);
            if reachable {
                checks.push(doctor::clock(&store, &http).await);
                let (trip, seen) = doctor::round_trip(&store, settings, &http, origin).await;
                checks.push(trip);
                checks.push(doctor::cors(&store, settings, &http, origin, &seen).await);
            }
        }
    }
    let (text, ok) = doctor::render(&checks);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&checks).map_err(|e| e.to_string())?
        );
    } else {
        print!("{text}");
    }
    if ok {
        Ok(())
    } else {
        Err("doctor found problems: see the fixes above".into())
    }
}

async fn setup_bucket(settings: &Settings, origin: &str) -> Result<(), String> {
    use backend::doctor;
    let store = crate::startup::open_store(settings)
        .await
        .map_err(|e| e.to_string())?;
    let bucket = store.bucket().to_owned();
    match store.create_bucket_if_missing().await {
        Ok(true) => println!("created   bucket {bucket}"),
        Ok(false) => println!("unchanged bucket {bucket}: it exists"),
        Err(err) => {
            return Err(format!(
                "cannot create bucket {bucket}: {err} (create it in the provider's console, or give the key s3:CreateBucket)"
            ));
        }
    }
    if store.is_embedded() {
        println!("unchanged CORS: the embedded store answers on the app's own origin");
    } else {
        match store.allow_uploads_from(origin).await {
            Ok(true) => println!(
                "added     CORS rule vitrine-uploads: {origin} may POST, PUT, GET and HEAD, and sees ETag"
            ),
            Ok(false) => println!("unchanged CORS: a rule already lets {origin} upload"),
            Err(err) => {
                return Err(format!(
                    "cannot set the bucket's CORS rules: {err} (give the key s3:PutBucketCORS, or add the rule in the provider's console: README, Deploy)"
                ));
            }
        }
    }
    let http = doctor::http_client()?;
    let (trip, seen) = doctor::round_trip(&store, settings, &http, origin).await;
    let checks = [
        trip,
        doctor::cors(&store, settings, &http, origin, &seen).await,
    ];
    let (text, ok) = doctor::render(&checks);
    print!("{text}");
    if ok {
        Ok(())
    } else {
        Err("the bucket is set up but a check failed: see the fixes above".into())
    }
}

async fn import_local(
    settings: Settings,
    items: Vec<backend::import::Item>,
    approve: bool,
    dry_run: bool,
) -> Result<(), String> {
    use backend::import::{self, Outcome};
    let state = command_state(settings).await?;
    let bar = indicatif::ProgressBar::new(items.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
            .map_err(|e| e.to_string())?,
    );
    let (mut imported, mut there, mut skipped) = (0, 0, 0);
    for item in &items {
        bar.set_message(item.path.display().to_string());
        let outcome = import::import_one(&state, item, approve, dry_run)
            .await
            .map_err(|e| {
                format!(
                    "{}: {e} (nothing of it was registered; run the import again)",
                    item.path.display()
                )
            })?;
        let line = match outcome {
            Outcome::Imported { image_id } => {
                imported += 1;
                format!("imported  {} (image {image_id})", item.path.display())
            }
            Outcome::WouldImport => {
                imported += 1;
                format!("would import {}", item.path.display())
            }
            Outcome::AlreadyThere => {
                there += 1;
                format!("unchanged {} (imported before)", item.path.display())
            }
            Outcome::Skipped(why) => {
                skipped += 1;
                format!("skipped   {}: {why}", item.path.display())
            }
        };
        // Lines go to stdout even when the bar is hidden (no terminal, as in scripts).
        bar.suspend(|| println!("{line}"));
        bar.inc(1);
    }
    bar.finish_and_clear();
    let verb = if dry_run { "would import" } else { "imported" };
    println!("{verb} {imported}, already there {there}, skipped {skipped}");
    Ok(())
}

async fn gc(settings: Settings, dry_run: bool, grace_hours: u64) -> Result<(), String> {
    let state = command_state(settings).await?;
    let grace = std::time::Duration::from_secs(grace_hours.saturating_mul(3600));
    let report = backend::gc::run(&state, grace, dry_run)
        .await
        .map_err(|e| format!("gc stopped: {e}"))?;
    let verb = if dry_run { "would remove" } else { "removed" };
    let sections = [
        ("expired upload intents", &report.expired_intents),
        ("objects of deleted images", &report.detached_objects),
        (
            &*format!("unreferenced objects older than {grace_hours} h"),
            &report.orphan_objects,
        ),
    ];
    for (what, items) in sections {
        println!("{what}: {} {verb}", items.len());
        for item in items {
            println!("  {item}");
        }
    }
    if report.failed.is_empty() {
        Ok(())
    } else {
        for key in &report.failed {
            println!("  not deleted: {key}");
        }
        Err(format!(
            "{} object(s) could not be deleted now; they stay recorded: run `vitrine gc` again later",
            report.failed.len()
        ))
    }
}

async fn serve(settings: Settings) -> Result<(), String> {
    let app = Application::build(settings)
        .await
        .map_err(|e| e.to_string())?;
    let addr = app.state.settings.site_addr;
    tracing::info!(
        "Vitrine is listening on http://{}",
        std::net::SocketAddr::new(addr.ip(), app.port())
    );
    app.run_until_stopped().await.map_err(|e| e.to_string())
}

async fn migrate(settings: &Settings, action: MigrateAction) -> Result<(), String> {
    use migrations::{Migrator, MigratorTrait};
    let db = backend::db::connect(&settings.database_url)
        .await
        .map_err(|e| format!("{e} (check DATABASE_URL)"))?;
    let result = match action {
        MigrateAction::Up => Migrator::up(&db, None).await,
        MigrateAction::Down => Migrator::down(&db, Some(1)).await,
        MigrateAction::Status => Migrator::status(&db).await,
    };
    result.map_err(|e| format!("migration failed: {e}"))?;
    if !matches!(action, MigrateAction::Status) {
        let pending = Migrator::get_pending_migrations(&db)
            .await
            .map_err(|e| e.to_string())?
            .len();
        println!("ok: {pending} migration(s) pending");
    }
    Ok(())
}

async fn add_user(
    settings: &Settings,
    email: &str,
    admin: bool,
    password_stdin: bool,
) -> Result<(), String> {
    let (password, generated) = if password_stdin {
        let mut raw = String::new();
        std::io::stdin()
            .read_to_string(&mut raw)
            .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
        (raw.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        (generate_password(), true)
    };
    let db = backend::db::connect(&settings.database_url)
        .await
        .map_err(|e| format!("{e} (check DATABASE_URL)"))?;
    backend::db::migrate(&db).await.map_err(|e| e.to_string())?;
    let role = if admin { Role::Admin } else { Role::Seller };
    let account = backend::accounts::create(&db, email, password.as_str(), role)
        .await
        .map_err(|e| e.to_string())?;
    println!("created {} account {}", role.as_str(), account.email);
    if generated {
        println!("password: {password}");
    }
    Ok(())
}

fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..20)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

fn store_env(settings: &Settings) -> Result<(), String> {
    if !matches!(settings.storage, StorageSettings::Embedded) {
        return Err("store-env describes the embedded store, but VITRINE_STORAGE=s3: your bucket's settings are already in your environment".into());
    }
    let store = backend::storage::embedded::EmbeddedStore::open(&settings.embedded_store_dir())
        .map_err(|e| e.to_string())?;
    for line in store.env_lines(&loopback_endpoint(settings.site_addr)) {
        println!("{line}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn s3_without_bucket_names_the_variable() {
        let cli = Cli::try_parse_from(["vitrine", "--vitrine-storage", "s3", "serve"]).unwrap();
        let err = cli.config.settings().unwrap_err().to_string();
        assert!(err.contains("VITRINE_S3_BUCKET"), "{err}");
    }

    #[test]
    fn provider_presets_fill_in_endpoint_region_and_upload_method() {
        let cli = Cli::try_parse_from([
            "vitrine",
            "--vitrine-storage",
            "s3",
            "--vitrine-s3-bucket",
            "shop",
            "--vitrine-s3-provider",
            "r2",
            "--aws-endpoint-url-s3",
            "https://abc.r2.cloudflarestorage.com",
        ])
        .unwrap();
        let settings = cli.config.settings().unwrap();
        assert_eq!(settings.upload_method, UploadMethod::Put);
        let StorageSettings::S3(s3) = settings.storage else {
            panic!("s3 storage")
        };
        assert_eq!(s3.region.as_deref(), Some("auto"));
        assert!(s3.path_style);

        let cli = Cli::try_parse_from([
            "vitrine",
            "--vitrine-storage",
            "s3",
            "--vitrine-s3-bucket",
            "shop",
            "--vitrine-s3-provider",
            "spaces",
        ])
        .unwrap();
        let err = cli.config.settings().unwrap_err().to_string();
        assert!(err.contains("AWS_REGION"), "{err}");
    }

    #[test]
    fn defaults_match_the_contract() {
        let cli = Cli::try_parse_from(["vitrine", "--vitrine-data-dir", "/tmp/v"]).unwrap();
        let settings = cli.config.settings().unwrap();
        assert_eq!(settings.database_url, "sqlite:///tmp/v/vitrine.db");
        assert_eq!(settings.site_addr.to_string(), "127.0.0.1:3000");
        assert!(!settings.secure_cookies);
        assert_eq!(settings.key_prefix.as_str(), "media/");
        assert_eq!(settings.upload_method, UploadMethod::Post);
        assert!(cli.command.is_none());
    }
}
