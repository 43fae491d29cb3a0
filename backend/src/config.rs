//! The one typed settings struct, built once at start-up (by the CLI, from flags, environment
//! variables and `.env`) and passed down; nothing else reads the environment.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use domain::UploadMethod;

// The store's own settings are the storage adapter's; the whole configuration names them.
use crate::storage::KeyPrefix;
pub use crate::storage::settings::{Encryption, MediaUrls, S3Settings};

#[derive(Debug, Clone)]
pub struct Settings {
    pub site_addr: SocketAddr,
    /// The origins browsers use for the site (`VITRINE_SITE_URL`), e.g. `https://shop.example`;
    /// empty: `http://site_addr`, and a request must come from the host it names.
    pub site_origins: Vec<String>,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub storage: StorageSettings,
    pub key_prefix: KeyPrefix,
    pub max_upload_bytes: u64,
    pub secure_cookies: bool,
    /// How many proxies in front append to `X-Forwarded-For` (`VITRINE_TRUSTED_PROXIES`): the
    /// client address that sign-in limits count by is that many entries from its right.
    pub trusted_proxies: u8,
    /// How much one seller may hold (`VITRINE_QUOTA_*`).
    pub quotas: crate::quotas::Quotas,
    /// How browsers send objects: the provider's preset unless the operator chose.
    pub upload_method: UploadMethod,
    pub media_urls: MediaUrls,
    /// How long a signed media URL is valid (`VITRINE_MEDIA_URL_SECONDS`).
    pub media_url_lifetime: std::time::Duration,
    /// Server-side encryption every upload must request (`VITRINE_S3_SSE`); `None`: the
    /// bucket's default.
    pub encryption: Option<Encryption>,
    /// The old shop's `MEDIA_URL` (`VITRINE_LEGACY_MEDIA_URL`): its links lead to imported
    /// pictures.
    pub legacy_media: Option<crate::legacy_links::LegacyMedia>,
}

#[derive(Debug, Clone)]
pub enum StorageSettings {
    /// The built-in S3-compatible store, answering on the app's own origin.
    Embedded,
    /// Any S3 service; credentials come from the AWS SDK's usual chain.
    S3(S3Settings),
}

impl Settings {
    /// The site's first origin: the one CORS rules and doctor's checks use.
    pub fn site_origin(&self) -> String {
        self.site_origins
            .first()
            .cloned()
            .unwrap_or_else(|| format!("http://{}", self.site_addr))
    }

    /// `sqlite://DATA_DIR/vitrine.db`, the default database.
    pub fn default_database_url(data_dir: &Path) -> String {
        format!("sqlite://{}/vitrine.db", data_dir.display())
    }

    /// Cookies are `Secure` unless the site only listens on loopback (plain-HTTP development).
    pub fn default_secure_cookies(site_addr: SocketAddr) -> bool {
        !site_addr.ip().is_loopback()
    }

    /// The database's kind, to say which is in use (never its URL: it holds the password).
    pub fn database_kind(&self) -> &'static str {
        if self.database_url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }

    /// The store's kind ("embedded store", "Cloudflare R2", …), without bucket or keys.
    pub fn storage_kind(&self) -> String {
        match &self.storage {
            StorageSettings::Embedded => "embedded store".to_owned(),
            StorageSettings::S3(s3) => s3.provider.to_string(),
        }
    }

    /// Where the embedded store keeps objects and its credentials.
    pub fn embedded_store_dir(&self) -> PathBuf {
        self.data_dir.join("store")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_contract() {
        assert_eq!(
            Settings::default_database_url(Path::new("./data")),
            "sqlite://./data/vitrine.db"
        );
        assert!(!Settings::default_secure_cookies(
            "127.0.0.1:3000".parse().unwrap()
        ));
        assert!(Settings::default_secure_cookies(
            "0.0.0.0:3000".parse().unwrap()
        ));
    }
}
