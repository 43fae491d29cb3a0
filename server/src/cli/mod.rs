//! The `vitrine` command line. Every setting is a flag and an environment variable of the
//! same name (a `.env` file in the working directory is read too); flags win.
//!
//! `args` holds the argument types, `config` turns them into [`backend::Settings`] (the
//! configuration rules), `commands` has one file per command, `error` what a failed one says.

mod args;
mod commands;
mod config;
mod error;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use args::{ImportArgs, MigrateAction, UserCommand};
use config::ConfigArgs;
pub use config::ConfigError;
pub use error::CliError;

const ABOUT: &str = "Vitrine: product images, shrunk in the browser and uploaded straight to S3.";

const LONG_ABOUT: &str = "\
Vitrine: product images, shrunk in the browser and uploaded straight to S3.

With nothing configured, `vitrine` serves on http://127.0.0.1:3000 with a SQLite database and an
embedded S3-compatible store under ./data. For production, point DATABASE_URL at PostgreSQL and
set VITRINE_STORAGE=s3 with a bucket (see README.md, \"Deploy\").

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
    /// Check configuration, database, credentials, bucket, clock, CORS, a signed upload round
    /// trip and the stored images (see `check`); one line per check, `ok` or the problem and its fix. Exits non-zero on any
    /// problem.
    Doctor {
        /// Print the checks as JSON (an array of {name, ok, detail, fix}).
        #[arg(long)]
        json: bool,
    },
    /// Create the bucket if the credentials allow, add the CORS rule uploads from the site need
    /// (keeping other rules), then check both with a real upload. Says what it changed.
    SetupBucket,
    /// Import an old shop's photos (a Django MEDIA_ROOT, or its bucket) into the bucket and the
    /// database: every image becomes three variants (metadata such as GPS stripped), checked
    /// after upload, and remembers its old path so old links lead to it
    /// (VITRINE_LEGACY_MEDIA_URL). Re-running imports nothing twice, and resumes a run that was
    /// stopped. The source is only read.
    #[command(alias = "import-local")]
    Import(ImportArgs),
    /// Remove what uploads and deletions left behind: expired upload intents and their objects,
    /// objects of deleted images, and unreferenced objects of Vitrine's own key shape; and
    /// sessions that ended and were never used again. Other files under the key prefix (an old
    /// shop's media) are never touched. Safe while uploads are in flight.
    Gc {
        /// Say what would be removed; remove nothing.
        #[arg(long)]
        dry_run: bool,
        /// Only remove unreferenced objects older than this many hours, at least 1 (0 only
        /// with --dry-run): an upload being completed and an import write their objects a
        /// moment before they record them, and a younger object may be one of theirs.
        #[arg(long, default_value_t = 24)]
        grace_hours: u64,
    },
    /// List registered images whose objects are missing from the store or differ from what was
    /// registered (size, type; with --checksums, every byte). Only reads; exits non-zero when
    /// any is damaged.
    Check {
        /// Print the damaged objects as JSON (an array of {image_id, product_id, product,
        /// seller, variant, key, problem}).
        #[arg(long)]
        json: bool,
        /// Also read every object whole and compare its SHA-256 with the one checked at upload,
        /// to find files replaced by others of the same size (downloads the whole bucket's
        /// images; images registered before checksums were kept are checked by size only).
        #[arg(long)]
        checksums: bool,
    },
    /// Print the embedded store's endpoint, bucket, region and keys as environment lines, for
    /// aws-cli, rclone or boto3 (the store answers while `vitrine serve` runs).
    StoreEnv,
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
    match check_setting_names() {
        Ok(unknown) => {
            for name in unknown {
                tracing::warn!("{name} is not a setting of Vitrine's; it is ignored");
            }
        }
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    }
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
    let outcome = runtime.block_on(run(cli));
    // An interrupted command may leave a blocking read behind (a file that never ends): the
    // process does not wait for it.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            match err {
                // The shells' code for a process ended by Ctrl-C.
                CliError::Interrupted => ExitCode::from(130),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

/// The environment's `VITRINE_*` names that are no setting (see `config::unknown_settings`).
fn check_setting_names() -> Result<Vec<String>, ConfigError> {
    use clap::CommandFactory;
    let command = Cli::command();
    let known: Vec<String> = command
        .get_arguments()
        .filter_map(clap::Arg::get_env)
        .map(|name| name.to_string_lossy().into_owned())
        .collect();
    let set = std::env::vars_os().filter_map(|(name, _)| name.into_string().ok());
    config::unknown_settings(set, &known)
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let settings = cli.config.settings()?;
    let command = cli.command.unwrap_or(Command::Serve);
    if matches!(command, Command::Serve) {
        // `serve` shuts down gracefully on the signal itself.
        return run_once(command, settings).await;
    }
    // A one-off command stops at Ctrl-C or SIGTERM. (The embedded store's server that it
    // starts took the signal alone before: the command went on, deaf to further Ctrl-Cs.)
    tokio::select! {
        outcome = run_once(command, settings) => outcome,
        () = crate::startup::shutdown_signal() => Err(CliError::Interrupted),
    }
}

async fn run_once(command: Command, settings: backend::Settings) -> Result<(), CliError> {
    match command {
        Command::Serve => commands::serve::serve(settings).await,
        Command::Migrate { action } => commands::migrate::migrate(&settings, action).await,
        Command::User(UserCommand::Add {
            email,
            admin,
            password_stdin,
        }) => commands::user::add(&settings, &email, admin, password_stdin).await,
        Command::User(UserCommand::Passwd {
            email,
            password_stdin,
        }) => commands::user::passwd(&settings, &email, password_stdin).await,
        Command::Gc {
            dry_run,
            grace_hours,
        } => commands::gc::gc(settings, dry_run, grace_hours).await,
        Command::Import(args) => commands::import::import(settings, args).await,
        Command::SetupBucket => commands::setup_bucket::setup_bucket(&settings).await,
        Command::Doctor { json } => {
            let origin = settings.site_origin();
            commands::doctor::doctor(&settings, &origin, json).await
        }
        Command::Check { json, checksums } => {
            let depth = if checksums {
                backend::integrity::Depth::Contents
            } else {
                backend::integrity::Depth::Heads
            };
            commands::check::check(settings, json, depth).await
        }
        Command::StoreEnv => commands::store_env::store_env(&settings),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use backend::config::StorageSettings;
    use clap::CommandFactory;
    use domain::UploadMethod;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_mistyped_setting_is_refused_naming_the_one_meant() {
        let known: Vec<String> = Cli::command()
            .get_arguments()
            .filter_map(clap::Arg::get_env)
            .map(|name| name.to_string_lossy().into_owned())
            .collect();
        assert!(known.contains(&"VITRINE_STORAGE".to_owned()), "{known:?}");
        let names = |list: &[&str]| list.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
        let err = config::unknown_settings(names(&["PATH", "VITRINE_STORGE"]), &known)
            .unwrap_err()
            .to_string();
        assert!(err.contains("did you mean VITRINE_STORAGE"), "{err}");
        let err = config::unknown_settings(names(&["VITRINE_S3_BUKET"]), &known)
            .unwrap_err()
            .to_string();
        assert!(err.contains("VITRINE_S3_BUCKET"), "{err}");
        // Settings, the import's own keys, and names far from any setting pass; the last are
        // warned about.
        let fine = names(&[
            "VITRINE_STORAGE",
            "VITRINE_IMPORT_AWS_ACCESS_KEY_ID",
            "VITRINE_BIN",
            "DATABSE_URL",
        ]);
        assert_eq!(
            config::unknown_settings(fine, &known).unwrap(),
            names(&["VITRINE_BIN"])
        );
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
    fn media_url_lifetimes_outside_what_s3_signs_are_refused() {
        let parse = |seconds: &str| {
            Cli::try_parse_from(["vitrine", "--vitrine-media-url-seconds", seconds, "serve"])
                .unwrap()
                .config
                .settings()
        };
        let err = parse("30").unwrap_err().to_string();
        assert!(
            err.contains("VITRINE_MEDIA_URL_SECONDS") && err.contains("120"),
            "{err}"
        );
        assert!(parse("700000").is_err());
        assert_eq!(parse("3600").unwrap().media_url_lifetime.as_secs(), 3600);
    }

    #[test]
    fn a_hosts_port_is_served_on_every_interface() {
        let cli = Cli::try_parse_from(["vitrine", "--port", "8000", "serve"]).unwrap();
        let settings = cli.config.settings().unwrap();
        assert_eq!(settings.site_addr, "0.0.0.0:8000".parse().unwrap());
        assert!(settings.secure_cookies, "behind the host's HTTPS");
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
