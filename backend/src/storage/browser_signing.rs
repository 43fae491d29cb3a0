//! What the server signs for browsers: POST forms and PUT URLs for uploads (exact key, type
//! and size), and the URLs pages load media by.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_s3::presigning::PresigningConfig;
use domain::{ByteSize, ContentType, Sha256, UploadMethod};

use super::get_signing::GetSigner;
use super::post_policy::{PostPolicy, PresignedPost, SigningCredentials};
use super::settings::{Encryption, MediaUrls};
use super::signed_urls::SignedUrls;
use super::{Kind, OBJECT_CACHE, ObjectKey, ObjectStore, kms_key, sse, storage_error};
use crate::Error;

/// How long a signed media URL is valid unless `VITRINE_MEDIA_URL_SECONDS` says otherwise.
pub const DEFAULT_MEDIA_URL_LIFETIME: Duration = Duration::from_secs(20 * 60);
/// SigV4 signatures live at most a week; under two minutes a page could not finish loading.
pub const MEDIA_URL_LIFETIMES: std::ops::RangeInclusive<u64> = 120..=7 * 24 * 3600;

/// Signs media URLs for one page.
pub struct UrlSigner {
    store: ObjectStore,
    /// The Host the browser used to reach this app: the embedded store answers on the same
    /// origin, and a SigV4 URL is only valid for one host.
    host: Option<String>,
    /// Where this page's media URLs point (worked out once per page, not per URL).
    bucket_url: String,
}

/// What one signed upload pins: the object's key, type, exact size and, where the store
/// checks it, its SHA-256.
#[derive(Debug, Clone, Copy)]
pub struct SignedObject<'a> {
    pub key: &'a ObjectKey,
    pub content_type: ContentType,
    pub size: ByteSize,
    pub sha256: Option<Sha256>,
}

/// The form field (and PUT header) S3 checks an upload's SHA-256 against.
const CHECKSUM_FIELD: &str = "x-amz-checksum-sha256";

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
    /// Signs one upload of exactly this key, type and size (and SHA-256, where the store
    /// checks it), the way `method` says: the one place both the upload protocol and `vitrine
    /// doctor` sign what a browser sends.
    pub async fn sign_upload(
        &self,
        method: UploadMethod,
        object: SignedObject<'_>,
        expires_in: Duration,
        host: Option<&str>,
    ) -> Result<BrowserUpload, Error> {
        let SignedObject {
            key,
            content_type,
            size,
            sha256,
        } = object;
        let sha256 = sha256.filter(|_| self.inner.pins_sha256);
        Ok(match method {
            UploadMethod::Post => {
                let (url, post) = self
                    .presign_post(key, content_type, size, sha256, expires_in)
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
                    .put_url(key, content_type, size, sha256, expires_in)
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

impl ObjectStore {
    async fn signing_credentials(&self) -> Result<SigningCredentials, Error> {
        let creds = self.inner.credentials.get().await?;
        Ok(SigningCredentials {
            access_key_id: creds.access_key_id().to_owned(),
            secret_access_key: creds.secret_access_key().to_owned(),
            session_token: creds.session_token().map(str::to_owned),
        })
    }

    /// A presigned POST for exactly this key, type and size (and SHA-256, when given).
    pub async fn presign_post(
        &self,
        key: &ObjectKey,
        content_type: ContentType,
        size: ByteSize,
        sha256: Option<Sha256>,
        expires_in: Duration,
    ) -> Result<(String, PresignedPost), Error> {
        let credentials = self.signing_credentials().await?;
        let policy = PostPolicy {
            bucket: &self.inner.bucket,
            region: &self.inner.region,
            key,
            content_type,
            size,
            extra_fields: [("Cache-Control".to_owned(), OBJECT_CACHE.to_owned())]
                .into_iter()
                .chain(self.inner.encryption.iter().flat_map(Encryption::headers))
                .chain(sha256.map(|s| (CHECKSUM_FIELD.to_owned(), s.to_base64())))
                .collect(),
        };
        let post = policy.sign(&credentials, SystemTime::now(), expires_in);
        let url = match &self.inner.kind {
            Kind::Embedded { .. } => format!("/{}", self.inner.bucket),
            Kind::External { bucket_url } => bucket_url.clone(),
        };
        Ok((url, post))
    }

    /// Signs GET URLs for browsers. `host` is the Host the browser used to reach this app: the
    /// embedded store answers on the same origin, and a SigV4 URL is only valid for one host.
    pub fn url_signer(&self, host: Option<&str>) -> UrlSigner {
        let bucket_url = match (&self.inner.kind, host) {
            (Kind::Embedded { .. }, Some(host)) => format!("http://{host}/{}", self.inner.bucket),
            _ => self.bucket_url(),
        };
        UrlSigner {
            store: self.clone(),
            host: host.map(str::to_owned),
            bucket_url,
        }
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
        sha256: Option<Sha256>,
        expires_in: Duration,
    ) -> Result<PresignedPut, Error> {
        let config =
            PresigningConfig::expires_in(expires_in).map_err(|e| Error::Internal(e.to_string()))?;
        let inner = &self.store.inner;
        let client = match (&inner.kind, &self.host) {
            (Kind::Embedded { .. }, Some(host)) => aws_sdk_s3::Client::from_conf(
                inner
                    .client
                    .config()
                    .to_builder()
                    .endpoint_url(format!("http://{host}"))
                    .build(),
            ),
            _ => inner.client.clone(),
        };
        let signed = client
            .put_object()
            .bucket(&inner.bucket)
            .key(key.as_str())
            .content_type(content_type.mime())
            .content_length(i64::try_from(size.get()).unwrap_or(i64::MAX))
            .cache_control(OBJECT_CACHE)
            .set_server_side_encryption(sse(&inner.encryption))
            .set_ssekms_key_id(kms_key(&inner.encryption))
            .set_checksum_sha256(sha256.map(Sha256::to_base64))
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
        if self.store.is_embedded()
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
        match &self.store.inner.media {
            MediaUrls::Signed => self.signed_get_url(key).await,
            MediaUrls::Public { base_url } => {
                Ok(format!("{}/{key}", base_url.trim_end_matches('/')))
            }
            MediaUrls::Proxy => Ok(crate::media::proxy_path(key)),
        }
    }

    /// A presigned GET URL, whatever the mode (the doctor's round trip uses it).
    pub async fn signed_get_url(&self, key: &str) -> Result<String, Error> {
        let inner = &self.store.inner;
        let lifetime = inner.media_url_lifetime;
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        // Signed from the start of a window half the lifetime long, so a page loaded twice in
        // that window gets the same URLs (the browser cache works), and every URL handed out
        // stays valid for at least half its lifetime.
        let window = (lifetime.as_secs() / 2).max(1);
        let start_secs = since_epoch.as_secs() - since_epoch.as_secs() % window;
        let credentials = inner.credentials.get().await?;
        // The same inputs in the same window give the same URL: sign it once.
        let id = SignedUrls::id(credentials.access_key_id(), &self.bucket_url, key);
        if let Some(url) = inner.signed_urls.get(&id, start_secs) {
            return Ok(url);
        }
        let signer = GetSigner {
            bucket_url: &self.bucket_url,
            region: &inner.region,
            credentials: &credentials,
        };
        let start = UNIX_EPOCH + Duration::from_secs(start_secs);
        let url = self.shown(&signer.sign(key, start, lifetime)?);
        inner.signed_urls.put(id, start_secs, url.clone());
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use aws_credential_types::provider::SharedCredentialsProvider;
    use aws_sdk_s3::config::{Credentials, RequestChecksumCalculation, ResponseChecksumValidation};

    use super::*;
    use crate::storage::settings::S3Settings;
    use crate::storage::{KeyPrefix, Provider};

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
        let keys = Credentials::new("AKIDEXAMPLE", "secret", None, None, "test");
        let store = ObjectStore::from_parts(
            config
                .to_builder()
                .credentials_provider(keys.clone())
                .build(),
            Some(SharedCredentialsProvider::new(keys)),
            "shop".into(),
            "auto".into(),
            Kind::External {
                bucket_url: "https://0123abcd.r2.cloudflarestorage.com/shop".into(),
            },
            false,
        )
        .configured(MediaUrls::Signed, None, Duration::from_secs(3600));
        let signer = store.url_signer(None);
        let put = signer
            .put_url(
                &key,
                ContentType::Jpeg,
                ByteSize::parse(1234, 10_000).unwrap(),
                None,
                Duration::from_secs(300),
            )
            .await
            .unwrap();
        // Media URLs live as long as the setting says.
        let media = signer.signed_get_url(key.as_str()).await.unwrap();
        assert!(media.contains("X-Amz-Expires=3600"), "{media}");
        // Asked again, the URL comes from this window's cache: the very URL a store with
        // nothing cached signs. (Tried twice, in case the window turned in between.)
        let empty = store
            .clone()
            .configured(MediaUrls::Signed, None, Duration::from_secs(3600));
        let mut pair = (String::new(), String::from("-"));
        for _ in 0..2 {
            let again = signer.signed_get_url(key.as_str()).await.unwrap();
            let fresh = empty
                .url_signer(None)
                .signed_get_url(key.as_str())
                .await
                .unwrap();
            pair = (again, fresh);
            if pair.0 == pair.1 {
                break;
            }
        }
        assert_eq!(pair.0, pair.1);
        let everything = format!("{} {:?}", put.url, put.headers).to_ascii_lowercase();
        assert!(!everything.contains("checksum"), "{everything}");
        // The variant's own SHA-256, when pinned, is the one checksum, in a signed header.
        let sha256 = Sha256::from_digest([9; 32]);
        let pinned = signer
            .put_url(
                &key,
                ContentType::Jpeg,
                ByteSize::parse(1234, 10_000).unwrap(),
                Some(sha256),
                Duration::from_secs(300),
            )
            .await
            .unwrap();
        let checksums: Vec<_> = pinned
            .headers
            .iter()
            .filter(|(n, _)| n.to_ascii_lowercase().contains("checksum"))
            .collect();
        assert_eq!(
            checksums,
            [&("x-amz-checksum-sha256".to_owned(), sha256.to_base64())]
        );
        assert!(
            pinned.url.contains("x-amz-checksum-sha256"),
            "{}",
            pinned.url
        );
        assert!(
            put.url
                .starts_with("https://0123abcd.r2.cloudflarestorage.com/shop/media/"),
            "{}",
            put.url
        );
    }
}
