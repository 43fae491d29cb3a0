//! The command line's argument types: what each subcommand takes, and the choices of the
//! configuration flags, mapped onto the domain's own types.

use backend::storage::Provider;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
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
    /// Give an account a new password (forgotten, leaked, or an admin who left: keep it to
    /// yourself), ending every session and forgetting every browser of it. Without
    /// --password-stdin a strong password is generated and printed.
    Passwd {
        /// The account's e-mail address.
        email: String,
        /// Read the new password from standard input.
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

/// `vitrine import`: where the photos are, where they go, and how.
#[derive(Debug, Args)]
pub(super) struct ImportArgs {
    /// A folder (searched recursively), or a bucket: s3://BUCKET[/PREFIX] (on Vitrine's own
    /// store unless --source-endpoint or --source-region says otherwise).
    pub source: String,
    /// The seller (account e-mail) the images go to.
    #[arg(long, required_unless_present = "manifest")]
    pub seller: Option<String>,
    /// The product the images go to (created if the seller has none by that name).
    #[arg(long, required_unless_present = "manifest")]
    pub product: Option<String>,
    /// A CSV file whose header names the columns source, seller, product and optionally
    /// position, cover and alt (source: the path relative to SOURCE, as Django stores it in the
    /// image column), instead of --seller and --product. See README for the SQL that writes it.
    #[arg(long, conflicts_with_all = ["seller", "product"])]
    pub manifest: Option<PathBuf>,
    /// Publish the images at once (they were public before); otherwise they wait for review.
    #[arg(long)]
    pub approve: bool,
    /// Say what would be imported; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Create the sellers the manifest names who have no account yet (otherwise their photos
    /// are skipped), each with a generated password written to --passwords-out.
    #[arg(long, requires = "passwords_out")]
    pub create_sellers: bool,
    /// Also give photos to sellers whose accounts were signed up on the site rather than made
    /// by you: without it their rows are skipped, as anyone may sign up first with a seller's
    /// address to receive that seller's photos. Give it once you know those accounts are theirs.
    #[arg(long)]
    pub trust_site_accounts: bool,
    /// Where --create-sellers writes `email,password` lines (appended, readable by you only;
    /// passwords never go to the output or logs). Hand them over, then delete the file.
    #[arg(long)]
    pub passwords_out: Option<PathBuf>,
    /// The S3 endpoint of the source bucket's store, when it is not Vitrine's (MinIO, R2,
    /// Spaces...). Keys: VITRINE_IMPORT_AWS_ACCESS_KEY_ID and VITRINE_IMPORT_AWS_SECRET_ACCESS_KEY,
    /// else the AWS SDK's usual chain.
    #[arg(long)]
    pub source_endpoint: Option<String>,
    /// The source bucket's region (an AWS bucket elsewhere than Vitrine's store).
    #[arg(long)]
    pub source_region: Option<String>,
    /// Write a CSV of old path, image id, status and new URL, for links kept elsewhere.
    #[arg(long)]
    pub map_out: Option<PathBuf>,
}
