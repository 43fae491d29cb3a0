//! `vitrine store-env`: the embedded store's endpoint and keys, for S3 tools.

use backend::Settings;
use backend::config::StorageSettings;

use crate::cli::CliError;
use crate::startup::loopback_endpoint;

pub(in crate::cli) fn store_env(settings: &Settings) -> Result<(), CliError> {
    if !matches!(settings.storage, StorageSettings::Embedded) {
        return Err(CliError::Usage(
            "store-env describes the embedded store, but VITRINE_STORAGE=s3: your bucket's settings are already in your environment",
        ));
    }
    let store = backend::storage::embedded::EmbeddedStore::open(&settings.embedded_store_dir())
        .map_err(CliError::doing("cannot open the embedded store"))?;
    for line in store.env_lines(&loopback_endpoint(settings.site_addr)) {
        println!("{line}");
    }
    Ok(())
}
