//! The object store adapter: every byte goes browser → bucket directly; the server only signs
//! forms and URLs, and checks what was stored (HEAD and a ranged GET).
//!
//! This file builds the client (embedded or external store). The rest, one job a file:
//! `objects` (read, write, list, delete), `browser_signing` (POST policies, PUT and media URLs
//! for browsers), `bucket_admin` (create the bucket, CORS), `credentials_cache` (the keys that
//! sign, kept until they expire), `diagnosis` (what a refusal means), `get_signing` (SigV4 for
//! media URLs), `object_key` (the key grammar), `post_policy` (SigV4 for POST forms),
//! `provider` (each provider's endpoint, addressing and upload method), `signed_urls` (media
//! URLs signed in the current window, kept for the next page).

pub mod browser_signing;
pub mod bucket_admin;
mod credentials_cache;
mod diagnosis;
pub mod embedded;
mod get_signing;
pub mod object_key;
mod objects;
pub mod post_policy;
pub mod provider;
pub mod settings;
mod signed_urls;

use std::sync::Arc;

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use aws_sdk_s3::error::DisplayErrorContext;
use credentials_cache::CachedCredentials;

pub use browser_signing::{BrowserUpload, PresignedPut, SignedObject, UrlSigner};
pub use diagnosis::StoreProblem;
pub use object_key::{KeyPrefix, ObjectKey};
pub use objects::{Fetched, ListedObject, ObjectHead};
pub use provider::Provider;

use crate::Error;
use settings::{Encryption, MediaUrls, S3Settings};

/// What the store is told to send with every object, and the `/media/…` proxy with approved
/// ones. The bytes at a key never change, but whether they may be shown can: an admin may
/// reject a picture they approved. So caches keep an object ten minutes, then ask again (a 304
/// while nothing changed), rather than a year. Signed URLs change every half lifetime anyway.
pub const OBJECT_CACHE: &str = "public, max-age=600";

#[derive(Clone)]
pub struct ObjectStore {
    inner: Arc<Inner>,
}

struct Inner {
    client: aws_sdk_s3::Client,
    /// The same credentials the client signs with, for the POST policies it cannot sign and
    /// the media URLs signed without it.
    credentials: Arc<CachedCredentials>,
    bucket: String,
    region: String,
    kind: Kind,
    media: MediaUrls,
    encryption: Option<Encryption>,
    /// Media URLs signed in the current window (a new one with every configuration).
    signed_urls: signed_urls::SignedUrls,
    /// How long signed media URLs are valid (`VITRINE_MEDIA_URL_SECONDS`).
    media_url_lifetime: std::time::Duration,
    /// Whether uploads are signed with their SHA-256 (see [`Provider::checks_sha256`]).
    pins_sha256: bool,
}

enum Kind {
    /// The built-in store on the app's own origin: forms post to `/{bucket}` and media URLs
    /// are signed for the host the browser used. The server reaches it at `endpoint`.
    Embedded { endpoint: String },
    /// An external S3 service: forms post to this bucket URL.
    External { bucket_url: String },
}

fn storage_error(err: impl std::error::Error) -> Error {
    Error::Storage(DisplayErrorContext(err).to_string())
}

impl ObjectStore {
    /// The embedded store, reached by the server at `internal_endpoint` (loopback).
    pub fn embedded(store: &embedded::EmbeddedStore, internal_endpoint: &str) -> Self {
        let credentials = SharedCredentialsProvider::new(Credentials::new(
            store.credentials.access_key_id.clone(),
            store.credentials.secret_access_key.clone(),
            None,
            None,
            "vitrine-embedded",
        ));
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(internal_endpoint)
            .force_path_style(true)
            .region(Region::new(store.region.clone()))
            .credentials_provider(credentials.clone())
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
            .build();
        Self::from_parts(
            config,
            Some(credentials),
            store.bucket.clone(),
            store.region.clone(),
            Kind::Embedded {
                endpoint: internal_endpoint.trim_end_matches('/').to_owned(),
            },
            // s3s checks `x-amz-checksum-sha256` on POST and PUT.
            true,
        )
    }

    /// An external S3 service; region and credentials come from the AWS SDK's chain.
    pub async fn external(settings: &S3Settings) -> Result<Self, Error> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired);
        if let Some(region) = &settings.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(endpoint) = &settings.endpoint {
            loader = loader.endpoint_url(endpoint.clone());
        }
        let sdk = loader.load().await;
        let region = sdk
            .region()
            .map(|r| r.to_string())
            .ok_or_else(|| Error::Internal("no region for the S3 bucket: set AWS_REGION".into()))?;
        let config = aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(settings.path_style)
            .build();
        let bucket_url = provider::bucket_url(
            settings.endpoint.as_deref(),
            settings.path_style,
            &settings.bucket,
            &region,
        );
        Ok(Self::from_parts(
            config,
            sdk.credentials_provider(),
            settings.bucket.clone(),
            region,
            Kind::External { bucket_url },
            settings.provider.checks_sha256(),
        ))
    }

    fn from_parts(
        config: aws_sdk_s3::Config,
        credentials: Option<SharedCredentialsProvider>,
        bucket: String,
        region: String,
        kind: Kind,
        pins_sha256: bool,
    ) -> Self {
        let client = aws_sdk_s3::Client::from_conf(config);
        Self {
            inner: Arc::new(Inner {
                client,
                credentials: Arc::new(CachedCredentials::new(credentials)),
                bucket,
                region,
                pins_sha256,
                kind,
                media: MediaUrls::Signed,
                encryption: None,
                media_url_lifetime: browser_signing::DEFAULT_MEDIA_URL_LIFETIME,
                signed_urls: signed_urls::SignedUrls::new(),
            }),
        }
    }

    /// The S3 client this store talks through, for reading another bucket on the same store
    /// (an import's source).
    pub fn sdk_client(&self) -> aws_sdk_s3::Client {
        self.inner.client.clone()
    }

    pub fn bucket(&self) -> &str {
        &self.inner.bucket
    }

    /// The same store, giving browsers media URLs the `media` way (signed ones valid for
    /// `media_url_lifetime`) and requiring `encryption` of every upload.
    pub fn configured(
        self,
        media: MediaUrls,
        encryption: Option<Encryption>,
        media_url_lifetime: std::time::Duration,
    ) -> Self {
        let inner = &self.inner;
        Self {
            inner: Arc::new(Inner {
                client: inner.client.clone(),
                credentials: inner.credentials.clone(),
                bucket: inner.bucket.clone(),
                region: inner.region.clone(),
                kind: match &inner.kind {
                    Kind::Embedded { endpoint } => Kind::Embedded {
                        endpoint: endpoint.clone(),
                    },
                    Kind::External { bucket_url } => Kind::External {
                        bucket_url: bucket_url.clone(),
                    },
                },
                media,
                encryption,
                media_url_lifetime,
                signed_urls: signed_urls::SignedUrls::new(),
                pins_sha256: inner.pins_sha256,
            }),
        }
    }

    pub fn media_urls(&self) -> &MediaUrls {
        &self.inner.media
    }

    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// Whether browser uploads are signed with their SHA-256, for the store to check.
    pub fn pins_sha256(&self) -> bool {
        self.inner.pins_sha256
    }

    /// True for the built-in store (same origin as the app: no CORS involved).
    pub fn is_embedded(&self) -> bool {
        matches!(self.inner.kind, Kind::Embedded { .. })
    }

    /// The bucket's URL as a server-side client reaches it.
    pub fn bucket_url(&self) -> String {
        match &self.inner.kind {
            Kind::Embedded { endpoint } => format!("{endpoint}/{}", self.inner.bucket),
            Kind::External { bucket_url } => bucket_url.clone(),
        }
    }

    /// The origins, besides the app's own, that browsers reach for this store: the bucket they
    /// upload to and load signed media from, and a public media host. Pages allow exactly
    /// these in their Content-Security-Policy.
    pub fn browser_origins(&self) -> Vec<String> {
        let mut origins = Vec::new();
        if let Kind::External { bucket_url } = &self.inner.kind {
            origins.extend(origin_of(bucket_url));
        }
        if let MediaUrls::Public { base_url } = &self.inner.media {
            origins.extend(origin_of(base_url));
        }
        origins.dedup();
        origins
    }

    /// `url` as a server-side client can use it: same-origin (relative) URLs of the embedded
    /// store get its internal endpoint.
    pub fn absolute_url(&self, url: &str) -> String {
        match &self.inner.kind {
            Kind::Embedded { endpoint } if url.starts_with('/') => format!("{endpoint}{url}"),
            _ => url.to_owned(),
        }
    }
}

fn sse(encryption: &Option<Encryption>) -> Option<aws_sdk_s3::types::ServerSideEncryption> {
    use aws_sdk_s3::types::ServerSideEncryption as Sse;
    encryption.as_ref().map(|e| match e {
        Encryption::S3Managed => Sse::Aes256,
        Encryption::Kms { .. } => Sse::AwsKms,
    })
}

fn kms_key(encryption: &Option<Encryption>) -> Option<String> {
    match encryption {
        Some(Encryption::Kms { key_id }) => key_id.clone(),
        _ => None,
    }
}

/// `scheme://host[:port]` of an absolute URL.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .filter(|h| !h.is_empty())?;
    Some(format!("{scheme}://{host}"))
}

#[cfg(test)]
mod origin_tests {
    use super::origin_of;

    #[test]
    fn origins_keep_scheme_host_and_port_only() {
        assert_eq!(
            origin_of("https://shop.s3.eu-west-1.amazonaws.com").as_deref(),
            Some("https://shop.s3.eu-west-1.amazonaws.com")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:9000/bucket/media?x=1").as_deref(),
            Some("http://127.0.0.1:9000")
        );
        assert_eq!(origin_of("/media/"), None);
        assert_eq!(origin_of("https:///x"), None);
    }
}
