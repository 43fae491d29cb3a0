//! Do the credentials reach the bucket, and does the store's clock agree with ours?

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Check;
use crate::Settings;
use crate::config::StorageSettings;
use crate::storage::{ObjectStore, StoreProblem};

/// Clocks further apart than this make S3 refuse signatures (AWS allows 15 minutes; warn early).
const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

/// Key, secret, permissions, bucket and region, in one listing call.
pub async fn credentials_and_bucket(store: &ObjectStore, settings: &Settings) -> Check {
    let name = "credentials and bucket";
    let bucket = store.bucket();
    match store.probe().await {
        Ok(()) => Check::ok(
            name,
            format!(
                "bucket {bucket} in {} answers with these credentials",
                store.region()
            ),
        ),
        Err(problem) => {
            let (detail, fix) = explain(&problem, bucket, settings);
            Check::problem(name, detail, fix)
        }
    }
}

fn explain(problem: &StoreProblem, bucket: &str, settings: &Settings) -> (String, String) {
    let region_var = match &settings.storage {
        StorageSettings::S3(s3) if s3.provider == crate::storage::Provider::R2 => {
            "AWS_ENDPOINT_URL_S3"
        }
        _ => "AWS_REGION",
    };
    match problem {
        StoreProblem::UnknownKey => (
            "the store does not know this access key (InvalidAccessKeyId)".into(),
            "check AWS_ACCESS_KEY_ID: copy it again from the provider's console, without spaces".into(),
        ),
        StoreProblem::WrongSecret => (
            "the access key exists but the secret is wrong (SignatureDoesNotMatch)".into(),
            "check AWS_SECRET_ACCESS_KEY: it belongs to the same key pair as AWS_ACCESS_KEY_ID".into(),
        ),
        StoreProblem::AccessDenied => (
            format!("the credentials are valid but may not use bucket {bucket} (AccessDenied)"),
            "give the key read, write, delete and list rights on this bucket (an IAM policy, or an R2/Spaces token scoped to it)".into(),
        ),
        StoreProblem::NoSuchBucket => (
            format!("bucket {bucket} does not exist"),
            "run `vitrine setup-bucket`, or fix VITRINE_S3_BUCKET".into(),
        ),
        StoreProblem::WrongRegion => (
            format!("bucket {bucket} is in another region than the one configured"),
            format!("set {region_var} to the bucket's region (see the bucket's properties)"),
        ),
        StoreProblem::ClockSkew => (
            "the store refuses signatures because this machine's clock is off (RequestTimeTooSkewed)".into(),
            "synchronise the clock (NTP: `timedatectl set-ntp true`)".into(),
        ),
        StoreProblem::Unreachable(detail) => (
            format!("cannot reach the store: {detail}"),
            "check AWS_ENDPOINT_URL_S3 and that this machine can reach it (DNS, firewall, https)".into(),
        ),
        StoreProblem::Other(detail) => (
            format!("the store refused: {detail}"),
            "see the provider's error above; `vitrine doctor --json` has it in full".into(),
        ),
    }
}

/// This machine's clock against the store's (signatures carry the time).
pub async fn clock(store: &ObjectStore, http: &reqwest::Client) -> Check {
    let name = "clock";
    let answer = match http.head(store.bucket_url()).send().await {
        Ok(answer) => answer,
        Err(err) => {
            return Check::problem(
                name,
                format!("cannot ask the store for its time: {err}"),
                "check that the store is reachable",
            );
        }
    };
    let Some(date) = answer
        .headers()
        .get(reqwest::header::DATE)
        .and_then(|d| d.to_str().ok())
        .and_then(|d| DateTime::parse_from_rfc2822(d).ok())
    else {
        return Check::ok(
            name,
            "the store does not say its time; signatures worked, so the clocks agree well enough",
        );
    };
    let skew = (Utc::now() - date.with_timezone(&Utc))
        .num_seconds()
        .unsigned_abs();
    if Duration::from_secs(skew) > MAX_SKEW {
        Check::problem(
            name,
            format!(
                "this machine's clock is {skew} s off the store's; past 15 minutes every upload is refused"
            ),
            "synchronise the clock (NTP: `timedatectl set-ntp true`)",
        )
    } else {
        Check::ok(name, format!("within {skew} s of the store's"))
    }
}

/// Whether a picture deleted or overwritten by mistake could be restored. A note, not a
/// problem: uploads work either way, and some providers have no versioning at all.
pub async fn versioning(store: &ObjectStore) -> Check {
    let name = "versioning";
    if store.is_embedded() {
        return Check::ok(
            name,
            "the embedded store keeps no old versions: back up VITRINE_DATA_DIR",
        );
    }
    match store.versioning().await {
        Some(true) => Check::ok(name, "on: a deleted or overwritten picture can be restored"),
        Some(false) => Check::ok(
            name,
            "off: a picture deleted or overwritten by mistake cannot be restored; turn it on where the provider has it (README, Bucket hygiene)",
        ),
        None => Check::ok(
            name,
            "the store does not say (R2 and Spaces have none): keep a backup of the bucket (README, Bucket hygiene)",
        ),
    }
}
