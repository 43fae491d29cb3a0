//! How the store is reached and what every upload asks of it: the adapter's own settings,
//! part of the one `Settings` the CLI builds.

use super::Provider;

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
