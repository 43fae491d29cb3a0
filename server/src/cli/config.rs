//! The configuration rules: flags and environment variables in, complete and consistent
//! [`Settings`] out, or one line that says what is wrong and how to fix it.

use std::net::SocketAddr;
use std::path::PathBuf;

use backend::Settings;
use backend::config::{Encryption, MediaUrls, S3Settings, StorageSettings};
use backend::quotas::Quotas;
use backend::storage::{KeyPrefix, Provider};
use clap::Args;
use domain::UploadMethod;

use super::args::{MediaUrlsArg, ProviderArg, SseArg, StorageKind, UploadMethodArg};

/// `VITRINE_SITE_URL` as origins (`https://shop.example`): scheme and host, no path.
fn site_origins(raw: Option<&str>) -> Result<Vec<String>, ConfigError> {
    raw.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|url| {
            let origin = url.trim_end_matches('/');
            let valid = ["http://", "https://"]
                .iter()
                .any(|scheme| origin.strip_prefix(scheme).is_some_and(|rest| !rest.is_empty() && !rest.contains('/')));
            if valid {
                Ok(origin.to_owned())
            } else {
                Err(ConfigError(format!(
                    "VITRINE_SITE_URL: {url:?} is not a site address; give scheme and host, e.g. https://shop.example (several: comma-separated)"
                )))
            }
        })
        .collect()
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Configuration")]
pub(super) struct ConfigArgs {
    /// Address to listen on.
    #[arg(
        long,
        env = "LEPTOS_SITE_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    leptos_site_addr: SocketAddr,
    /// Set by hosts such as Koyeb, Render, Railway and Heroku: listen on 0.0.0.0:PORT
    /// (instead of LEPTOS_SITE_ADDR), where the host's load balancer sends requests.
    #[arg(long, env = "PORT", global = true)]
    port: Option<u16>,
    /// The address(es) browsers use for the site, comma-separated (apex and www, say): the
    /// bucket's CORS rule, and the only origins state-changing requests are accepted from.
    /// [default: http://LEPTOS_SITE_ADDR, and requests must come from the host they name]
    #[arg(
        long = "site-url",
        alias = "vitrine-site-url",
        env = "VITRINE_SITE_URL",
        global = true
    )]
    vitrine_site_url: Option<String>,
    /// Where the embedded database and object store keep their files.
    #[arg(
        long,
        env = "VITRINE_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    vitrine_data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...` [default: sqlite://DATA_DIR/vitrine.db]
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    database_url: Option<String>,
    /// Where objects are stored.
    #[arg(long, env = "VITRINE_STORAGE", value_enum, default_value_t = StorageKind::Embedded, global = true)]
    vitrine_storage: StorageKind,
    /// S3 provider preset (endpoint, addressing style, upload method) with VITRINE_STORAGE=s3.
    #[arg(long, env = "VITRINE_S3_PROVIDER", value_enum, default_value_t = ProviderArg::Aws, global = true)]
    vitrine_s3_provider: ProviderArg,
    /// How browsers upload [default: post; put for r2 and spaces]
    #[arg(long, env = "VITRINE_UPLOAD_METHOD", value_enum, global = true)]
    vitrine_upload_method: Option<UploadMethodArg>,
    /// Bucket (Space) name, with VITRINE_STORAGE=s3.
    #[arg(long, env = "VITRINE_S3_BUCKET", global = true)]
    vitrine_s3_bucket: Option<String>,
    /// S3 endpoint for non-AWS providers, e.g. https://nyc3.digitaloceanspaces.com
    #[arg(long, env = "AWS_ENDPOINT_URL_S3", global = true)]
    aws_endpoint_url_s3: Option<String>,
    /// Bucket region [default: the AWS SDK's]
    #[arg(long, env = "AWS_REGION", global = true)]
    aws_region: Option<String>,
    /// How browsers get images: signed GET URLs (private bucket), a public base URL (CDN or
    /// custom domain), or proxy through the app at /media/… (which checks who may see each).
    #[arg(long, env = "VITRINE_MEDIA_URLS", value_enum, default_value_t = MediaUrlsArg::Signed, global = true)]
    vitrine_media_urls: MediaUrlsArg,
    /// Base URL of the CDN or custom domain for VITRINE_MEDIA_URLS=public, e.g. https://media.shop.example
    #[arg(long, env = "VITRINE_PUBLIC_BASE_URL", global = true)]
    vitrine_public_base_url: Option<String>,
    /// Server-side encryption every upload requests: aes256 (store-managed keys) or kms
    /// [default: the bucket's own setting]
    #[arg(long, env = "VITRINE_S3_SSE", value_enum, global = true)]
    vitrine_s3_sse: Option<SseArg>,
    /// KMS key for VITRINE_S3_SSE=kms [default: the account's default key]
    #[arg(long, env = "VITRINE_S3_KMS_KEY_ID", global = true)]
    vitrine_s3_kms_key_id: Option<String>,
    /// Prefix of every object key; below it each seller has its own prefix.
    #[arg(
        long,
        env = "VITRINE_KEY_PREFIX",
        default_value = "media/",
        global = true
    )]
    vitrine_key_prefix: String,
    /// How long a signed media URL stays valid, in seconds (120 to 604800). A page loaded
    /// twice within half of it gets the same URLs, so browsers and CDNs can cache them.
    #[arg(long, env = "VITRINE_MEDIA_URL_SECONDS", default_value_t = backend::storage::browser_signing::DEFAULT_MEDIA_URL_LIFETIME.as_secs(), global = true)]
    vitrine_media_url_seconds: u64,
    /// The old shop's MEDIA_URL (`/media/`, or a full URL whose host now points here): a link
    /// to an imported file there answers 301 to its picture once approved, 404 before.
    #[arg(long, env = "VITRINE_LEGACY_MEDIA_URL", global = true)]
    vitrine_legacy_media_url: Option<String>,
    /// Largest processed image the server signs an upload for, in bytes.
    #[arg(long, env = "VITRINE_MAX_UPLOAD_BYTES", default_value_t = domain::byte_size::DEFAULT_MAX_UPLOAD_BYTES, global = true)]
    vitrine_max_upload_bytes: u64,
    /// `Secure` flag on session cookies [default: true unless the site address is loopback]
    #[arg(long, env = "VITRINE_SECURE_COOKIES", global = true)]
    vitrine_secure_cookies: Option<bool>,
    /// How many proxies in front of Vitrine append the client's address to X-Forwarded-For
    /// (1 behind Koyeb's, Render's or Heroku's load balancer; 0 when browsers connect directly).
    /// Sign-in limits count per client address; with 0 the header is ignored, as anyone can send it.
    #[arg(
        long,
        env = "VITRINE_TRUSTED_PROXIES",
        default_value_t = 0,
        global = true
    )]
    vitrine_trusted_proxies: u8,
    /// Photos one seller may have waiting for review; more uploads are refused until an admin
    /// reviews some.
    #[arg(long, env = "VITRINE_QUOTA_PENDING_IMAGES", default_value_t = Quotas::default().pending_images, global = true)]
    vitrine_quota_pending_images: u64,
    /// Megabytes one seller may store (every variant of every image, and uploads on their way).
    #[arg(long, env = "VITRINE_QUOTA_STORED_MB", default_value_t = Quotas::default().stored_bytes / 1_000_000, global = true)]
    vitrine_quota_stored_mb: u64,
    /// Uploads one seller may have on their way at once (a batch of photos is one each).
    #[arg(long, env = "VITRINE_QUOTA_OPEN_UPLOADS", default_value_t = Quotas::default().open_uploads, global = true)]
    vitrine_quota_open_uploads: u64,
    /// Products one seller may have.
    #[arg(long, env = "VITRINE_QUOTA_PRODUCTS", default_value_t = Quotas::default().products, global = true)]
    vitrine_quota_products: u64,
}

/// `VITRINE_*` variables that are Vitrine's but no setting's flag.
const OTHER_NAMES: &[&str] = &[
    "VITRINE_IMPORT_AWS_ACCESS_KEY_ID",
    "VITRINE_IMPORT_AWS_SECRET_ACCESS_KEY",
];

/// The `VITRINE_*` names in `set` that are no setting of Vitrine's (`known` lists the settings').
/// A near miss of a setting is refused, naming it: a mistyped `VITRINE_STORAGE` would quietly
/// run on the embedded store, and with several instances each would keep its own photos.
/// Any other such name is returned, to be warned about (scripts and tools set their own).
pub(super) fn unknown_settings(
    set: impl IntoIterator<Item = String>,
    known: &[String],
) -> Result<Vec<String>, ConfigError> {
    let mut unknown = Vec::new();
    for name in set {
        if !name.starts_with("VITRINE_")
            || known.contains(&name)
            || OTHER_NAMES.contains(&name.as_str())
        {
            continue;
        }
        let nearest = known
            .iter()
            .map(String::as_str)
            .chain(OTHER_NAMES.iter().copied())
            .map(|k| (strsim::damerau_levenshtein(&name, k), k))
            .min();
        if let Some((distance, meant)) = nearest
            && distance <= 2
        {
            return Err(ConfigError(format!(
                "{name} is not a setting of Vitrine's; did you mean {meant}? Rename it, or unset \
                 it."
            )));
        }
        unknown.push(name);
    }
    Ok(unknown)
}

/// A configuration problem: the cause and the fix, on one line.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(String);

impl ConfigArgs {
    pub(super) fn settings(self) -> Result<Settings, ConfigError> {
        let mut upload_method = self.vitrine_upload_method.map(UploadMethod::from);
        let storage = match self.vitrine_storage {
            StorageKind::Embedded => StorageSettings::Embedded,
            StorageKind::S3 => {
                let bucket = self
                    .vitrine_s3_bucket
                    .filter(|b| !b.is_empty())
                    .ok_or_else(|| {
                        ConfigError(
                            "VITRINE_STORAGE=s3 needs a bucket: set VITRINE_S3_BUCKET".into(),
                        )
                    })?;
                let provider = Provider::from(self.vitrine_s3_provider);
                let resolved = provider
                    .resolve(
                        self.aws_endpoint_url_s3.as_deref(),
                        self.aws_region.as_deref(),
                        upload_method,
                    )
                    .map_err(|e| ConfigError(e.to_string()))?;
                upload_method = Some(resolved.upload);
                StorageSettings::S3(S3Settings {
                    provider,
                    bucket,
                    endpoint: resolved.endpoint,
                    region: resolved.region,
                    path_style: resolved.path_style,
                })
            }
        };
        let media_urls = match self.vitrine_media_urls {
            MediaUrlsArg::Signed => MediaUrls::Signed,
            MediaUrlsArg::Proxy => MediaUrls::Proxy,
            MediaUrlsArg::Public => {
                let base_url = self
                    .vitrine_public_base_url
                    .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
                    .ok_or_else(|| {
                        ConfigError(
                            "VITRINE_MEDIA_URLS=public needs VITRINE_PUBLIC_BASE_URL=https://… (the CDN or custom domain serving the bucket)".into(),
                        )
                    })?;
                MediaUrls::Public { base_url }
            }
        };
        let key_prefix = KeyPrefix::parse(&self.vitrine_key_prefix)
            .map_err(|e| ConfigError(format!("VITRINE_KEY_PREFIX: {e}")))?;
        if self.vitrine_max_upload_bytes == 0 {
            return Err(ConfigError(
                "VITRINE_MAX_UPLOAD_BYTES must be at least 1".into(),
            ));
        }
        let lifetimes = backend::storage::browser_signing::MEDIA_URL_LIFETIMES;
        if !lifetimes.contains(&self.vitrine_media_url_seconds) {
            return Err(ConfigError(format!(
                "VITRINE_MEDIA_URL_SECONDS must be between {} (two minutes) and {} (a week, S3's limit); it is {}",
                lifetimes.start(),
                lifetimes.end(),
                self.vitrine_media_url_seconds
            )));
        }
        let legacy_media = self
            .vitrine_legacy_media_url
            .as_deref()
            .filter(|raw| !raw.trim().is_empty())
            .map(|raw| backend::legacy_links::LegacyMedia::parse(raw.trim()))
            .transpose()
            .map_err(|e| ConfigError(e.to_string()))?;
        // A host's PORT is where its load balancer connects: every interface, that port.
        let site_addr = self.port.map_or(self.leptos_site_addr, |port| {
            SocketAddr::from(([0, 0, 0, 0], port))
        });
        Ok(Settings {
            database_url: self
                .database_url
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| Settings::default_database_url(&self.vitrine_data_dir)),
            secure_cookies: self
                .vitrine_secure_cookies
                .unwrap_or_else(|| Settings::default_secure_cookies(site_addr)),
            trusted_proxies: self.vitrine_trusted_proxies,
            quotas: Quotas {
                pending_images: self.vitrine_quota_pending_images,
                stored_bytes: self.vitrine_quota_stored_mb.saturating_mul(1_000_000),
                open_uploads: self.vitrine_quota_open_uploads,
                products: self.vitrine_quota_products,
            },
            site_addr,
            site_origins: site_origins(self.vitrine_site_url.as_deref())?,
            data_dir: self.vitrine_data_dir,
            storage,
            key_prefix,
            max_upload_bytes: self.vitrine_max_upload_bytes,
            legacy_media,
            media_url_lifetime: std::time::Duration::from_secs(self.vitrine_media_url_seconds),
            upload_method: upload_method.unwrap_or(UploadMethod::Post),
            media_urls,
            encryption: self.vitrine_s3_sse.map(|sse| match sse {
                SseArg::Aes256 => Encryption::S3Managed,
                SseArg::Kms => Encryption::Kms {
                    key_id: self.vitrine_s3_kms_key_id.filter(|k| !k.is_empty()),
                },
            }),
        })
    }
}
