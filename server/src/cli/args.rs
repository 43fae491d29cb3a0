//! The command line's argument types: what each subcommand takes, and the choices of the
//! configuration flags, mapped onto the domain's own types.

use backend::storage::Provider;
use clap::{Subcommand, ValueEnum};
use domain::UploadMethod;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Revert the last applied migration.
    Down,
    /// List migrations and whether each is applied.
    Status,
}

#[derive(Debug, Subcommand)]
pub(super) enum UserCommand {
    /// Create an account. Without --password-stdin a strong password is generated and printed.
    Add {
        /// The account's e-mail address.
        email: String,
        /// Make the account an admin (admins review uploads).
        #[arg(long)]
        admin: bool,
        /// Read the password from standard input (for scripts: `echo "$PW" | vitrine user add ...`).
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum StorageKind {
    /// Built-in S3-compatible store under the data dir.
    Embedded,
    /// Any S3 service (AWS, DigitalOcean Spaces, Cloudflare R2, MinIO...).
    S3,
}

/// `VITRINE_S3_PROVIDER`: presets for endpoint, addressing style and upload method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum ProviderArg {
    /// AWS S3: the SDK's regional endpoint, virtual-hosted buckets, POST uploads.
    Aws,
    /// DigitalOcean Spaces: https://REGION.digitaloceanspaces.com, PUT uploads.
    Spaces,
    /// Cloudflare R2: the account endpoint (AWS_ENDPOINT_URL_S3), region auto, PUT uploads.
    R2,
    /// MinIO: your endpoint, path-style buckets, POST uploads.
    Minio,
    /// Any other S3 service: your endpoint, path-style, POST uploads.
    Other,
}

impl From<ProviderArg> for Provider {
    fn from(p: ProviderArg) -> Self {
        match p {
            ProviderArg::Aws => Self::Aws,
            ProviderArg::Spaces => Self::Spaces,
            ProviderArg::R2 => Self::R2,
            ProviderArg::Minio => Self::Minio,
            ProviderArg::Other => Self::Other,
        }
    }
}

/// `VITRINE_MEDIA_URLS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum MediaUrlsArg {
    /// Presigned GET URLs on a private bucket.
    Signed,
    /// VITRINE_PUBLIC_BASE_URL/key (a public bucket behind a CDN or custom domain).
    Public,
    /// /media/key through the app (streams, with Range and ETag; checks who may see it).
    Proxy,
}

/// `VITRINE_S3_SSE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum SseArg {
    /// AES256 with keys managed by the store (SSE-S3).
    Aes256,
    /// AWS KMS (SSE-KMS), with VITRINE_S3_KMS_KEY_ID or the default key.
    Kms,
}

/// `VITRINE_UPLOAD_METHOD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum UploadMethodArg {
    /// Presigned POST with a policy pinning key, type and exact size.
    Post,
    /// Presigned PUT whose signature pins type and size (for stores without POST Object).
    Put,
}

impl From<UploadMethodArg> for UploadMethod {
    fn from(m: UploadMethodArg) -> Self {
        match m {
            UploadMethodArg::Post => Self::Post,
            UploadMethodArg::Put => Self::Put,
        }
    }
}
