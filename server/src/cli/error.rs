//! What a failed command says: what went wrong, with its cause kept, and what to do.

use std::path::PathBuf;

use crate::cli::ConfigError;
use crate::startup::StartupError;

type Cause = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Startup(#[from] StartupError),
    #[error("{0} (check DATABASE_URL)")]
    Database(#[source] backend::Error),
    /// A use case refused or failed; `doing` says what the command was doing and how to fix it.
    #[error("{doing}: {source}")]
    Backend {
        doing: String,
        #[source]
        source: backend::Error,
    },
    #[error("migration failed: {0}")]
    Migration(#[source] Cause),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the password from stdin: {0}")]
    Stdin(#[source] std::io::Error),
    #[error("cannot start an HTTP client for the checks: {0}")]
    HttpClient(#[source] Cause),
    #[error("cannot write the report: {0}")]
    Report(#[source] serde_json::Error),
    /// The arguments do not fit together; the message says which to give.
    #[error("{0}")]
    Usage(&'static str),
    /// The command ran and printed what it found; this says what to do next.
    #[error("{0}")]
    Findings(String),
    #[error("{0} (a bug: please report it)")]
    Internal(String),
    /// Ctrl-C or SIGTERM: what was done is kept; each command is safe to run again.
    #[error("interrupted: what was done is kept, and running the command again goes on from there")]
    Interrupted,
}

impl CliError {
    /// For `map_err`: a backend error while doing `what`.
    pub fn doing(what: &str) -> impl FnOnce(backend::Error) -> CliError + '_ {
        move |source| CliError::Backend {
            doing: what.to_owned(),
            source,
        }
    }
}
