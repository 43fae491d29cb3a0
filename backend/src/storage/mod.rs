//! The object store adapter: every byte goes browser → bucket directly; the server only signs
//! forms and URLs, and checks what was stored (HEAD and a ranged GET).

pub mod embedded;
pub mod object_key;
pub mod post_policy;
pub mod provider;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::presigning::PresigningConfig;
use bytes::Bytes;
use domain::{ByteSize, ContentType, UploadMethod};

pub use object_key::{KeyPrefix, ObjectKey};
use post_policy::{PostPolicy, PresignedPost, SigningCredentials};
pub use provider::Provider;

use crate::Error;
use crate::config::{Encryption, MediaUrls, S3Settings};

/// Media URLs are signed for a window that starts on a 10-minute boundary, so a page loaded
/// twice in that window gets the same URLs and the browser cache works.
const URL_ROUNDING: Duration = Duration::from_secs(10 * 60);
const URL_VALIDITY: Duration = Duration::from_secs(20 * 60);
/// Keys are never reused, so an object may be cached for good.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

#[derive(Clone)]
pub struct ObjectStore {
    inner: Arc<Inner>,
}

struct Inner {
    client: aws_sdk_s3::Client,
    /// The same credentials the client signs with, for the POST policies it cannot sign.
    credentials: Option<SharedCredentialsProvider>,
    bucket: String,
    region: String,
    kind: Kind,
    media: MediaUrls,
    encryption: Option<Encryption>,
}

enum Kind {
    /// The built-in store on the app's own origin: forms post to `/{bucket}` and media URLs
    /// are signed for the host the browser used. The server reaches it at `endpoint`.
    Embedded { endpoint: String },
    /// An external S3 service: forms post to this bucket URL.
    External { bucket_url: String },
}

/// Why the store refused, as far as its answer tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreProblem {
    UnknownKey,
    WrongSecret,
    AccessDenied,
    NoSuchBucket,
    WrongRegion,
    ClockSkew,
    Unreachable(String),
    Other(String),
}

impl StoreProblem {
    /// From the HTTP status and S3 error code of a refused request.
    pub fn classify(status: Option<u16>, code: Option<&str>, detail: String) -> Self {
        match (status, code) {
            (_, Some("InvalidAccessKeyId" | "NotSignedUp")) => Self::UnknownKey,
            (_, Some("SignatureDoesNotMatch")) => Self::WrongSecret,
            (_, Some("NoSuchBucket")) | (Some(404), None) => Self::NoSuchBucket,
            (
                _,
                Some(
                    "PermanentRedirect"
                    | "AuthorizationHeaderMalformed"
                    | "IllegalLocationConstraintException",
                ),
            )
            | (Some(301), _) => Self::WrongRegion,
            (_, Some("RequestTimeTooSkewed")) => Self::ClockSkew,
            (_, Some("AccessDenied" | "AllAccessDisabled")) | (Some(403), None) => {
                Self::AccessDenied
            }
            (None, _) => Self::Unreachable(detail),
            _ => Self::Other(detail),
        }
    }
}

/// One entry of a bucket listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedObject {
    pub key: String,
    pub last_modified: SystemTime,
}

/// What HEAD says about a stored object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectHead {
    pub size: u64,
    pub content_type: Option<String>,
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
        ))
    }

    fn from_parts(
        config: aws_sdk_s3::Config,
        credentials: Option<SharedCredentialsProvider>,
        bucket: String,
        region: String,
        kind: Kind,
    ) -> Self {
        let client = aws_sdk_s3::Client::from_conf(config);
        Self {
            inner: Arc::new(Inner {
                client,
                credentials,
                bucket,
                region,
                kind,
                media: MediaUrls::Signed,
                encryption: None,
            }),
        }
    }

    pub fn bucket(&self) -> &str {
        &self.inner.bucket
    }

    /// The same store, giving browsers media URLs the `media` way and requiring `encryption`
    /// of every upload.
    pub fn configured(self, media: MediaUrls, encryption: Option<Encryption>) -> Self {
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
            }),
        }
    }

    pub fn media_urls(&self) -> &MediaUrls {
        &self.inner.media
    }

    /// An object for the `/media/…` proxy: `range` and `if_none_match` are passed through.
    pub async fn get(
        &self,
        key: &str,
        range: Option<String>,
        if_none_match: Option<String>,
    ) -> Result<Fetched, Error> {
        let result = self
            .inner
            .client
            .get_object()
            .bucket(&self.inner.bucket)
            .key(key)
            .set_range(range)
            .set_if_none_match(if_none_match)
            .send()
            .await;
        match result {
            Ok(out) => Ok(Fetched::Found {
                partial: out.content_range().is_some(),
                content_type: out.content_type().map(str::to_owned),
                content_length: out.content_length(),
                content_range: out.content_range().map(str::to_owned),
                etag: out.e_tag().map(str::to_owned),
                body: out.body,
            }),
            Err(err) => match err.raw_response().map(|r| r.status().as_u16()) {
                Some(304) => Ok(Fetched::NotModified),
                Some(404) => Ok(Fetched::Missing),
                Some(416) => Ok(Fetched::BadRange),
                _ => Err(storage_error(err)),
            },
        }
    }

    pub fn region(&self) -> &str {
        &self.inner.region
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

    /// `url` as a server-side client can use it: same-origin (relative) URLs of the embedded
    /// store get its internal endpoint.
    pub fn absolute_url(&self, url: &str) -> String {
        match &self.inner.kind {
            Kind::Embedded { endpoint } if url.starts_with('/') => format!("{endpoint}{url}"),
            _ => url.to_owned(),
        }
    }

    /// Lists at most one key: the cheapest call that proves key, secret, permission, bucket and
    /// region all at once, and whose error document names which of them is wrong.
    pub async fn probe(&self) -> Result<(), StoreProblem> {
        match self
            .inner
            .client
            .list_objects_v2()
            .bucket(&self.inner.bucket)
            .max_keys(1)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(err) => {
                let status = err.raw_response().map(|r| r.status().as_u16());
                let meta = aws_sdk_s3::error::ProvideErrorMetadata::meta(&err);
                let code = meta.code().map(str::to_owned);
                let detail = DisplayErrorContext(&err).to_string();
                Err(StoreProblem::classify(status, code.as_deref(), detail))
            }
        }
    }

    async fn signing_credentials(&self) -> Result<SigningCredentials, Error> {
        let provider = self.inner.credentials.as_ref().ok_or_else(|| {
            Error::Internal(
                "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".into(),
            )
        })?;
        let creds = provider
            .provide_credentials()
            .await
            .map_err(storage_error)?;
        Ok(SigningCredentials {
            access_key_id: creds.access_key_id().to_owned(),
            secret_access_key: creds.secret_access_key().to_owned(),
            session_token: creds.session_token().map(str::to_owned),
        })
    }

    /// A presigned POST for exactly this key, type and size.
    pub async fn presign_post(
        &self,
        key: &ObjectKey,
        content_type: ContentType,
        size: ByteSize,
        expires_in: Duration,
    ) -> Result<(String, PresignedPost), Error> {
        let credentials = self.signing_credentials().await?;
        let policy = PostPolicy {
            bucket: &self.inner.bucket,
            region: &self.inner.region,
            key,
            content_type,
            size,
            // Keys are never reused, so the object may be cached for good.
            extra_fields: [("Cache-Control".to_owned(), IMMUTABLE.to_owned())]
                .into_iter()
                .chain(self.inner.encryption.iter().flat_map(Encryption::headers))
                .collect(),
        };
        let post = policy.sign(&credentials, SystemTime::now(), expires_in);
        let url = match &self.inner.kind {
            Kind::Embedded { .. } => format!("/{}", self.inner.bucket),
            Kind::External { bucket_url } => bucket_url.clone(),
        };
        Ok((url, post))
    }

    /// HEAD of `key`; `None` when there is no such object.
    pub async fn head(&self, key: &str) -> Result<Option<ObjectHead>, Error> {
        match self
            .inner
            .client
            .head_object()
            .bucket(&self.inner.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => Ok(Some(ObjectHead {
                size: out
                    .content_length()
                    .and_then(|n| u64::try_from(n).ok())
                    .unwrap_or(0),
                content_type: out.content_type().map(str::to_owned),
            })),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
            Err(err) => Err(storage_error(err)),
        }
    }

    /// The first `len` bytes of `key` (fewer if the object is shorter).
    pub async fn read_prefix(&self, key: &str, len: u64) -> Result<Bytes, Error> {
        let out = self
            .inner
            .client
            .get_object()
            .bucket(&self.inner.bucket)
            .key(key)
            .range(format!("bytes=0-{}", len.saturating_sub(1)))
            .send()
            .await
            .map_err(storage_error)?;
        let body = out.body.collect().await.map_err(storage_error)?;
        Ok(body.into_bytes())
    }

    /// Deletes `key`; deleting what is already gone succeeds.
    pub async fn delete(&self, key: &str) -> Result<(), Error> {
        match self
            .inner
            .client
            .delete_object()
            .bucket(&self.inner.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(err)
                if err
                    .raw_response()
                    .is_some_and(|r| r.status().as_u16() == 404) =>
            {
                Ok(())
            }
            Err(err) => Err(storage_error(err)),
        }
    }

    /// Every object under `prefix`, with when it was last written.
    pub async fn list(&self, prefix: &str) -> Result<Vec<ListedObject>, Error> {
        let mut pages = self
            .inner
            .client
            .list_objects_v2()
            .bucket(&self.inner.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(storage_error)?;
            for object in page.contents() {
                let Some(key) = object.key() else { continue };
                let modified = object
                    .last_modified()
                    .and_then(|t| SystemTime::try_from(*t).ok())
                    .unwrap_or(UNIX_EPOCH);
                out.push(ListedObject {
                    key: key.to_owned(),
                    last_modified: modified,
                });
            }
        }
        Ok(out)
    }

    /// Writes `body` to `key` from the server (imports and tests; browsers upload directly).
    pub async fn put(&self, key: &str, body: Vec<u8>, content_type: &str) -> Result<(), Error> {
        self.inner
            .client
            .put_object()
            .bucket(&self.inner.bucket)
            .key(key)
            .content_type(content_type)
            .cache_control(IMMUTABLE)
            .set_server_side_encryption(sse(&self.inner.encryption))
            .set_ssekms_key_id(kms_key(&self.inner.encryption))
            .body(body.into())
            .send()
            .await
            .map_err(storage_error)?;
        Ok(())
    }

    /// Adds a CORS rule letting pages from `origin` upload (POST and PUT), read, and see
    /// `ETag`, keeping the bucket's other rules. False when a rule already allowed all that.
    pub async fn allow_uploads_from(&self, origin: &str) -> Result<bool, Error> {
        use aws_sdk_s3::types::{CorsConfiguration, CorsRule};
        let existing: Vec<CorsRule> = match self
            .inner
            .client
            .get_bucket_cors()
            .bucket(&self.inner.bucket)
            .send()
            .await
        {
            Ok(out) => out.cors_rules().to_vec(),
            Err(err)
                if aws_sdk_s3::error::ProvideErrorMetadata::code(&err)
                    == Some("NoSuchCORSConfiguration") =>
            {
                Vec::new()
            }
            Err(err) => return Err(storage_error(err)),
        };
        let has = |list: &[String], want: &str| {
            list.iter()
                .any(|v| v == "*" || v.eq_ignore_ascii_case(want))
        };
        let covered = existing.iter().any(|r| {
            has(r.allowed_origins(), origin)
                && ["POST", "PUT", "GET"]
                    .iter()
                    .all(|m| has(r.allowed_methods(), m))
                && has(r.allowed_headers(), "content-type")
                && has(r.expose_headers(), "ETag")
        });
        if covered {
            return Ok(false);
        }
        let ours = CorsRule::builder()
            .id("vitrine-uploads")
            .allowed_origins(origin)
            .allowed_methods("POST")
            .allowed_methods("PUT")
            .allowed_methods("GET")
            .allowed_methods("HEAD")
            .allowed_headers("*")
            .expose_headers("ETag")
            .max_age_seconds(3000)
            .build()
            .map_err(|e| Error::Internal(e.to_string()))?;
        let rules: Vec<CorsRule> = existing
            .into_iter()
            .filter(|r| r.id() != Some("vitrine-uploads"))
            .chain([ours])
            .collect();
        let config = CorsConfiguration::builder()
            .set_cors_rules(Some(rules))
            .build()
            .map_err(|e| Error::Internal(e.to_string()))?;
        self.inner
            .client
            .put_bucket_cors()
            .bucket(&self.inner.bucket)
            .cors_configuration(config)
            .send()
            .await
            .map_err(storage_error)?;
        Ok(true)
    }

    /// Creates the bucket unless it exists; true if it was created.
    pub async fn create_bucket_if_missing(&self) -> Result<bool, Error> {
        let before = self.check().await.is_ok();
        self.ensure_bucket().await?;
        Ok(!before)
    }

    /// Creates the bucket unless it exists.
    pub async fn ensure_bucket(&self) -> Result<(), Error> {
        if self.check().await.is_ok() {
            return Ok(());
        }
        match self
            .inner
            .client
            .create_bucket()
            .bucket(&self.inner.bucket)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(err)
                if err.as_service_error().is_some_and(|e| {
                    e.is_bucket_already_owned_by_you() || e.is_bucket_already_exists()
                }) =>
            {
                Ok(())
            }
            Err(err) => Err(storage_error(err)),
        }
    }

    /// Whether the bucket answers (readiness).
    pub async fn check(&self) -> Result<(), Error> {
        self.inner
            .client
            .head_bucket()
            .bucket(&self.inner.bucket)
            .send()
            .await
            .map_err(storage_error)?;
        Ok(())
    }

    /// Signs GET URLs for browsers. `host` is the Host the browser used to reach this app: the
    /// embedded store answers on the same origin, and a SigV4 URL is only valid for one host.
    pub fn url_signer(&self, host: Option<&str>) -> UrlSigner {
        let client = match (&self.inner.kind, host) {
            (Kind::Embedded { .. }, Some(host)) => {
                let config = self
                    .inner
                    .client
                    .config()
                    .to_builder()
                    .endpoint_url(format!("http://{host}"))
                    .build();
                aws_sdk_s3::Client::from_conf(config)
            }
            _ => self.inner.client.clone(),
        };
        UrlSigner {
            client,
            bucket: self.inner.bucket.clone(),
            relative: matches!(self.inner.kind, Kind::Embedded { .. }),
            media: self.inner.media.clone(),
            encryption: self.inner.encryption.clone(),
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

/// What the store answered to a proxied GET.
pub enum Fetched {
    Found {
        partial: bool,
        content_type: Option<String>,
        content_length: Option<i64>,
        content_range: Option<String>,
        etag: Option<String>,
        body: aws_sdk_s3::primitives::ByteStream,
    },
    NotModified,
    Missing,
    BadRange,
}

/// Signs media URLs for one page.
pub struct UrlSigner {
    client: aws_sdk_s3::Client,
    bucket: String,
    /// Same-origin URLs drop scheme and host (the page may be behind a TLS proxy).
    relative: bool,
    media: MediaUrls,
    encryption: Option<Encryption>,
}

/// One browser upload, signed: POST `fields` then the file as a form to `url`, or PUT the bytes
/// to `url` with exactly `headers`.
#[derive(Debug, Clone)]
pub struct BrowserUpload {
    pub method: UploadMethod,
    pub url: String,
    pub fields: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
}

impl ObjectStore {
    /// Signs one upload of exactly this key, type and size, the way `method` says: the one
    /// place both the upload protocol and `vitrine doctor` sign what a browser sends.
    pub async fn sign_upload(
        &self,
        method: UploadMethod,
        key: &ObjectKey,
        content_type: ContentType,
        size: ByteSize,
        expires_in: Duration,
        host: Option<&str>,
    ) -> Result<BrowserUpload, Error> {
        Ok(match method {
            UploadMethod::Post => {
                let (url, post) = self
                    .presign_post(key, content_type, size, expires_in)
                    .await?;
                BrowserUpload {
                    method,
                    url,
                    fields: post.fields,
                    headers: Vec::new(),
                }
            }
            UploadMethod::Put => {
                let put = self
                    .url_signer(host)
                    .put_url(key, content_type, size, expires_in)
                    .await?;
                BrowserUpload {
                    method,
                    url: put.url,
                    fields: Vec::new(),
                    headers: put.headers,
                }
            }
        })
    }
}

/// A presigned PUT: the URL, and the headers the browser must send exactly as signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedPut {
    pub url: String,
    pub headers: Vec<(String, String)>,
}

impl UrlSigner {
    /// A PUT URL for exactly this key, type and size (both are in the signature, so a different
    /// type or a byte more or less is refused by the store), valid for `expires_in`.
    pub async fn put_url(
        &self,
        key: &ObjectKey,
        content_type: ContentType,
        size: ByteSize,
        expires_in: Duration,
    ) -> Result<PresignedPut, Error> {
        let config =
            PresigningConfig::expires_in(expires_in).map_err(|e| Error::Internal(e.to_string()))?;
        let signed = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .content_type(content_type.mime())
            .content_length(i64::try_from(size.get()).unwrap_or(i64::MAX))
            .cache_control(IMMUTABLE)
            .set_server_side_encryption(sse(&self.encryption))
            .set_ssekms_key_id(kms_key(&self.encryption))
            .presigned(config)
            .await
            .map_err(storage_error)?;
        let headers = signed
            .headers()
            // The browser sets Host and Content-Length itself (from the exact bytes it sends).
            .filter(|(name, _)| {
                !name.eq_ignore_ascii_case("host") && !name.eq_ignore_ascii_case("content-length")
            })
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        Ok(PresignedPut {
            url: self.shown(signed.uri()),
            headers,
        })
    }

    /// Same-origin URLs drop scheme and host.
    fn shown(&self, uri: &str) -> String {
        if self.relative
            && let Some(rest) = uri.split_once("://").map(|(_, rest)| rest)
        {
            return rest
                .find('/')
                .map(|i| rest[i..].to_owned())
                .unwrap_or_else(|| "/".into());
        }
        uri.to_owned()
    }

    /// The URL a browser loads `key` by, in the configured [`MediaUrls`] mode.
    pub async fn get_url(&self, key: &str) -> Result<String, Error> {
        match &self.media {
            MediaUrls::Signed => self.signed_get_url(key).await,
            MediaUrls::Public { base_url } => {
                Ok(format!("{}/{key}", base_url.trim_end_matches('/')))
            }
            MediaUrls::Proxy => Ok(format!("/media/{key}")),
        }
    }

    /// A presigned GET URL, whatever the mode (the doctor's round trip uses it).
    pub async fn signed_get_url(&self, key: &str) -> Result<String, Error> {
        let now = SystemTime::now();
        let since_epoch = now.duration_since(UNIX_EPOCH).unwrap_or_default();
        let start = UNIX_EPOCH
            + Duration::from_secs(
                since_epoch.as_secs() - since_epoch.as_secs() % URL_ROUNDING.as_secs(),
            );
        let config = PresigningConfig::builder()
            .start_time(start)
            .expires_in(URL_VALIDITY)
            .build()
            .map_err(|e| Error::Internal(e.to_string()))?;
        let signed = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(config)
            .await
            .map_err(storage_error)?;
        Ok(self.shown(signed.uri()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Since early 2025 the AWS SDKs add CRC checksums to every upload by default, which R2 and
    /// Spaces refuse (and a browser-sent PUT could not match). Vitrine's clients must only add
    /// them when an operation requires it, and presigned uploads must carry none.
    #[tokio::test]
    async fn s3_compatible_uploads_carry_no_default_checksums() {
        let store = ObjectStore::external(&S3Settings {
            provider: Provider::R2,
            bucket: "shop".into(),
            endpoint: Some("https://0123abcd.r2.cloudflarestorage.com".into()),
            region: Some("auto".into()),
            path_style: true,
        })
        .await
        .unwrap();
        let config = store.inner.client.config();
        assert_eq!(
            config.request_checksum_calculation(),
            Some(&RequestChecksumCalculation::WhenRequired)
        );
        assert_eq!(
            config.response_checksum_validation(),
            Some(&ResponseChecksumValidation::WhenRequired)
        );
        let key = ObjectKey::for_upload(
            &KeyPrefix::parse("media/").unwrap(),
            1,
            uuid::Uuid::new_v4(),
            domain::Variant::Display,
            ContentType::Jpeg,
        );
        // Keys are needed to sign; any will do for looking at what gets signed.
        let signer = UrlSigner {
            client: aws_sdk_s3::Client::from_conf(
                config
                    .to_builder()
                    .credentials_provider(Credentials::new(
                        "AKIDEXAMPLE",
                        "secret",
                        None,
                        None,
                        "test",
                    ))
                    .build(),
            ),
            bucket: "shop".into(),
            relative: false,
            media: MediaUrls::Signed,
            encryption: None,
        };
        let put = signer
            .put_url(
                &key,
                ContentType::Jpeg,
                ByteSize::parse(1234, 10_000).unwrap(),
                Duration::from_secs(300),
            )
            .await
            .unwrap();
        let everything = format!("{} {:?}", put.url, put.headers).to_ascii_lowercase();
        assert!(!everything.contains("checksum"), "{everything}");
        assert!(
            put.url
                .starts_with("https://0123abcd.r2.cloudflarestorage.com/shop/media/"),
            "{}",
            put.url
        );
    }
}
