//! The one typed settings struct, built once at start-up (by the CLI, from flags, environment
//! variables and `.env`) and passed down; nothing else reads the environment.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use domain::UploadMethod;

use crate::storage::{KeyPrefix, Provider};

#[derive(Debug, Clone)]
pub struct Settings {
    pub site_addr: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub storage: StorageSettings,
    pub key_prefix: KeyPrefix,
    pub max_upload_bytes: u64,
    pub secure_cookies: bool,
    /// How browsers send objects: the provider's preset unless the operator chose.
    pub upload_method: UploadMethod,
    pub media_urls: MediaUrls,
    /// Server-side encryption every upload must request (`VITRINE_S3_SSE`); `None`: the
    /// bucket's default.
    pub encryption: Option<Encryption>,
}

/// Server-side encryption of stored objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Encryption {
    /// `AES256`: keys managed by the store.
    S3Managed,
    /// `aws:kms`, with this key or the account's default one.
    Kms { key_id: Option<String> },
}

impl Encryption {
    /// The `x-amz-server-side-encryption…` headers (or POST form fields) that request it.
    pub fn headers(&self) -> Vec<(String, String)> {
        let algorithm = "x-amz-server-side-encryption".to_owned();
        match self {
            Encryption::S3Managed => vec![(algorithm, "AES256".into())],
            Encryption::Kms { key_id } => {
                let mut h = vec![(algorithm, "aws:kms".into())];
                if let Some(id) = key_id {
                    h.push((
                        "x-amz-server-side-encryption-aws-kms-key-id".into(),
                        id.clone(),
                    ));
                }
                h
            }
        }
    }
}

/// How browsers get images (`VITRINE_MEDIA_URLS`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum MediaUrls {
    /// Presigned GET URLs on a private bucket (signing time rounded so URLs stay cacheable).
    #[default]
    Signed,
    /// `base_url/key`: a CDN or custom domain in front of a public bucket.
    Public { base_url: String },
    /// `/media/key` through the app, which checks who may see the image.
    Proxy,
}

#[derive(Debug, Clone)]
pub enum StorageSettings {
    /// The built-in S3-compatible store, answering on the app's own origin.
    Embedded,
    /// Any S3 service; credentials come from the AWS SDK's usual chain.
    S3(S3Settings),
}

#[derive(Debug, Clone)]
pub struct S3Settings {
    pub provider: Provider,
    pub bucket: String,
    /// `AWS_ENDPOINT_URL_S3` or the preset's; `None` means AWS itself.
    pub endpoint: Option<String>,
    /// `AWS_REGION` or the preset's; `None` lets the SDK's chain decide.
    pub region: Option<String>,
    pub path_style: bool,
}

impl Settings {
    /// `sqlite://DATA_DIR/vitrine.db`, the default database.
    pub fn default_database_url(data_dir: &Path) -> String {
        format!("sqlite://{}/vitrine.db", data_dir.display())
    }

    /// Cookies are `Secure` unless the site only listens on loopback (plain-HTTP development).
    pub fn default_secure_cookies(site_addr: SocketAddr) -> bool {
        !site_addr.ip().is_loopback()
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
