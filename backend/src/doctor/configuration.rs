//! Is the configuration complete, and does its data survive a redeploy?

use super::{Check, environment};
use crate::Settings;
use crate::config::StorageSettings;

/// Settings complete and consistent, and no foreign (django-storages) variables left unread.
pub fn configuration(settings: &Settings, env: &dyn Fn(&str) -> Option<String>) -> Check {
    let foreign = environment::foreign_variables(env);
    if !foreign.is_empty() {
        let found: Vec<&str> = foreign.iter().map(|t| t.found).collect();
        let instead: Vec<&str> = foreign.iter().map(|t| t.instead.as_str()).collect();
        return Check::problem(
            "configuration",
            format!(
                "found {} (django-storages names), which Vitrine does not read",
                found.join(", ")
            ),
            format!("set {} instead", instead.join("; ")),
        );
    }
    let storage = match &settings.storage {
        StorageSettings::Embedded => "embedded store".to_owned(),
        StorageSettings::S3(s3) => format!(
            "{} bucket {}{}",
            s3.provider,
            s3.bucket,
            s3.region
                .as_deref()
                .map(|r| format!(" in {r}"))
                .unwrap_or_default()
        ),
    };
    Check::ok(
        "configuration",
        format!(
            "{storage}, {} uploads, {} database",
            settings.upload_method.as_str().to_uppercase(),
            settings.database_kind()
        ),
    )
}

/// Local files on a host that wipes its disk on every deploy: uploads would vanish.
pub fn persistence(settings: &Settings, env: &dyn Fn(&str) -> Option<String>) -> Check {
    let embedded = matches!(settings.storage, StorageSettings::Embedded);
    let sqlite = settings.database_url.starts_with("sqlite");
    match environment::ephemeral_host(env) {
        Some(host) if embedded || sqlite => {
            let what = match (embedded, sqlite) {
                (true, true) => "the embedded store and the SQLite database",
                (true, false) => "the embedded store",
                _ => "the SQLite database",
            };
            Check::problem(
                "persistence",
                format!(
                    "UPLOADS WILL VANISH: this runs on {host}, whose disk is wiped on every deploy, and {what} keep files on it"
                ),
                "set VITRINE_STORAGE=s3 with a bucket and DATABASE_URL=postgres://… (README, Deploy), or mount a persistent volume at VITRINE_DATA_DIR",
            )
        }
        Some(host) => Check::ok(
            "persistence",
            format!("{host}: files live in the bucket and PostgreSQL, not on the disk"),
        ),
        None if embedded || sqlite => Check::ok(
            "persistence",
            format!(
                "files kept under {} (fine on a server with a lasting disk)",
                settings.data_dir.display()
            ),
        ),
        None => Check::ok("persistence", "files live in the bucket and PostgreSQL"),
    }
}
