//! `vitrine doctor`: one line per check, `ok` or the problem and its one-line fix.
//!
//! Each check is a small function returning a [`Check`]; `server`'s CLI decides which to run
//! (some need a store, which needs a reachable configuration first) and prints them.

pub mod environment;

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::{ByteSize, ContentType, UploadMethod, Variant};
use sea_orm::DatabaseConnection;
use serde::Serialize;

use crate::Settings;
use crate::config::{MediaUrls, StorageSettings};
use crate::storage::{KeyPrefix, ObjectKey, ObjectStore, StoreProblem};

/// Clocks further apart than this make S3 refuse signatures (AWS allows 15 minutes; warn early).
const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    /// What was found: the good news, or the problem.
    pub detail: String,
    /// One line saying what to do; empty when ok.
    pub fix: String,
}

impl Check {
    pub fn ok(name: &'static str, detail: impl Into<String>) -> Self {
        Self {
            name,
            ok: true,
            detail: detail.into(),
            fix: String::new(),
        }
    }

    pub fn problem(name: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            name,
            ok: false,
            detail: detail.into(),
            fix: fix.into(),
        }
    }
}

/// The HTTP client the checks talk to the store with (as a browser would).
pub fn http_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .map_err(|e| format!("cannot start an HTTP client: {e}"))
}

/// Settings complete and consistent, and no foreign (django-storages) variables left unread.
pub fn configuration(settings: &Settings, env: &dyn Fn(&str) -> Option<String>) -> Check {
    let foreign = environment::foreign_variables(env);
    if !foreign.is_empty() {
        let found: Vec<&str> = foreign.iter().map(|t| t.found).collect();
        let instead: Vec<&str> = foreign.iter().map(|t| t.instead.as_str()).collect();
        return Check::problem(
            "configuration",
            format!(
                "found {} (django-storages names), which Vitrine does not read",
                found.join(", ")
            ),
            format!("set {} instead", instead.join("; ")),
        );
    }
    let storage = match &settings.storage {
        StorageSettings::Embedded => "embedded store".to_owned(),
        StorageSettings::S3(s3) => format!(
            "{} bucket {}{}",
            s3.provider,
            s3.bucket,
            s3.region
                .as_deref()
                .map(|r| format!(" in {r}"))
                .unwrap_or_default()
        ),
    };
    Check::ok(
        "configuration",
        format!(
            "{storage}, {} uploads, {} database",
            settings.upload_method.as_str().to_uppercase(),
            if settings.database_url.starts_with("postgres") {
                "PostgreSQL"
            } else {
                "SQLite"
            }
        ),
    )
}

/// Local files on a host that wipes its disk on every deploy: uploads would vanish.
pub fn persistence(settings: &Settings, env: &dyn Fn(&str) -> Option<String>) -> Check {
    let embedded = matches!(settings.storage, StorageSettings::Embedded);
    let sqlite = settings.database_url.starts_with("sqlite");
    match environment::ephemeral_host(env) {
        Some(host) if embedded || sqlite => {
            let what = match (embedded, sqlite) {
                (true, true) => "the embedded store and the SQLite database",
                (true, false) => "the embedded store",
                _ => "the SQLite database",
            };
            Check::problem(
                "persistence",
                format!(
                    "UPLOADS WILL VANISH: this runs on {host}, whose disk is wiped on every deploy, and {what} keep files on it"
                ),
                "set VITRINE_STORAGE=s3 with a bucket and DATABASE_URL=postgres://… (README, Deploy), or mount a persistent volume at VITRINE_DATA_DIR",
            )
        }
        Some(host) => Check::ok(
            "persistence",
            format!("{host}: files live in the bucket and PostgreSQL, not on the disk"),
        ),
        None if embedded || sqlite => Check::ok(
            "persistence",
            format!(
                "files kept under {} (fine on a server with a lasting disk)",
                settings.data_dir.display()
            ),
        ),
        None => Check::ok("persistence", "files live in the bucket and PostgreSQL"),
    }
}

/// The database answers and every migration is applied.
pub async fn database(settings: &Settings) -> (Check, Option<DatabaseConnection>) {
    let db = match crate::db::connect(&settings.database_url).await {
        Ok(db) => db,
        Err(err) => {
            return (
                Check::problem(
                    "database",
                    format!("cannot connect: {err}"),
                    "check DATABASE_URL (host, port, user, password, database name) and that the server is running",
                ),
                None,
            );
        }
    };
    let check = match crate::db::pending_migrations(&db).await {
        Ok(0) => Check::ok("database", "reachable, migrations current"),
        Ok(n) => Check::problem(
            "database",
            format!("reachable, {n} migration(s) pending"),
            "run `vitrine migrate` (or start `vitrine serve`, which applies them)",
        ),
        Err(err) => Check::problem(
            "database",
            format!("reachable, but cannot read migrations: {err}"),
            "check that DATABASE_URL points at Vitrine's database",
        ),
    };
    (check, Some(db))
}

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

/// What a round trip learnt about CORS on the way (external stores only).
#[derive(Debug, Default)]
pub struct CorsSeen {
    pub allow_origin: Option<String>,
    pub expose_headers: Option<String>,
}

/// Uploads a small object the way the browser will (POST form or PUT), reads it back through a
/// media URL, and deletes it.
pub async fn round_trip(
    store: &ObjectStore,
    settings: &Settings,
    http: &reqwest::Client,
    origin: &str,
) -> (Check, CorsSeen) {
    let name = "upload round trip";
    let body = b"Vitrine doctor: a round-trip test object, deleted right away.".to_vec();
    let size = match ByteSize::parse(body.len() as u64, u64::MAX) {
        Ok(size) => size,
        Err(err) => {
            return (
                Check::problem(name, err.to_string(), "report this bug"),
                CorsSeen::default(),
            );
        }
    };
    let prefix = KeyPrefix::parse(&format!("{}doctor/", settings.key_prefix.as_str()))
        .unwrap_or_else(|_| settings.key_prefix.clone());
    let key = ObjectKey::for_upload(
        &prefix,
        0,
        uuid::Uuid::new_v4(),
        Variant::Thumb,
        ContentType::Jpeg,
    );
    let method = settings.upload_method;
    let mut cors = CorsSeen::default();
    let sent = match send(store, http, &key, &body, size, method, origin).await {
        Ok(answer) => answer,
        Err(message) => {
            let fix = match method {
                UploadMethod::Post => {
                    "if this provider has no POST Object (R2) or refuses POST policies, set VITRINE_UPLOAD_METHOD=put"
                }
                UploadMethod::Put => {
                    "check the credentials' write permission; run `vitrine setup-bucket`"
                }
            };
            return (
                Check::problem(
                    name,
                    format!(
                        "{} upload refused: {message}",
                        method.as_str().to_uppercase()
                    ),
                    fix,
                ),
                cors,
            );
        }
    };
    cors.allow_origin = header(&sent, "access-control-allow-origin");
    cors.expose_headers = header(&sent, "access-control-expose-headers");

    let body = &body;
    let load = |url: String| async move {
        let answer = http.get(&url).send().await.map_err(|e| e.to_string())?;
        let status = answer.status();
        let got = answer.bytes().await.map_err(|e| e.to_string())?;
        if status.is_success() && got.as_ref() == body.as_slice() {
            Ok(())
        } else {
            Err(format!("HTTP {status}"))
        }
    };
    let read = match store.url_signer(None).signed_get_url(key.as_str()).await {
        Ok(url) => load(store.absolute_url(&url)).await,
        Err(e) => Err(e.to_string()),
    };
    // In `public` mode browsers load `base/key`: the seeds' "uploaded, but the URLs are broken".
    let public = match store.media_urls() {
        MediaUrls::Public { base_url } => {
            let url = format!("{}/{}", base_url.trim_end_matches('/'), key.as_str());
            Some(load(url.clone()).await.map_err(|e| (url, e)))
        }
        _ => None,
    };
    let deleted = store.delete(key.as_str()).await;
    if let Some(Err((url, e))) = public {
        let check = Check::problem(
            name,
            format!(
                "uploads work, but public media URLs do not load ({e} for {url}): the bucket or CDN is private, so browsers would show broken images"
            ),
            "set VITRINE_MEDIA_URLS=signed (the bucket stays private), or make the bucket publicly readable at VITRINE_PUBLIC_BASE_URL (R2: enable the public bucket URL or a custom domain)",
        );
        return (check, cors);
    }
    let check = match (read, deleted) {
        (Ok(()), Ok(())) => Check::ok(
            name,
            format!(
                "{} upload, {} media URL and delete all work",
                method.as_str().to_uppercase(),
                match store.media_urls() {
                    MediaUrls::Signed => "signed",
                    MediaUrls::Public { .. } => "public",
                    MediaUrls::Proxy => "proxied",
                }
            ),
        ),
        (Err(e), _) => Check::problem(
            name,
            format!(
                "uploaded, but the signed media URL does not load ({e}): browsers would show broken images"
            ),
            "give the credentials read rights (s3:GetObject) on the bucket",
        ),
        (_, Err(e)) => Check::problem(
            name,
            format!("uploaded and read, but cannot delete: {e}"),
            "give the credentials delete rights (s3:DeleteObject): deleting images and `vitrine gc` need it",
        ),
    };
    (check, cors)
}

fn header(answer: &reqwest::Response, name: &str) -> Option<String> {
    answer
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn send(
    store: &ObjectStore,
    http: &reqwest::Client,
    key: &ObjectKey,
    body: &[u8],
    size: ByteSize,
    method: UploadMethod,
    origin: &str,
) -> Result<reqwest::Response, String> {
    let expires = Duration::from_secs(5 * 60);
    let signed = store
        .sign_upload(method, key, ContentType::Jpeg, size, expires, None)
        .await
        .map_err(|e| e.to_string())?;
    let url = store.absolute_url(&signed.url);
    // Sent as a browser sends what `begin_upload` returns (see app/src/upload/transfer.rs).
    let request = match signed.method {
        UploadMethod::Post => {
            let mut form = reqwest::multipart::Form::new();
            for (name, value) in signed.fields {
                form = form.text(name, value);
            }
            let file = reqwest::multipart::Part::bytes(body.to_vec())
                .file_name("doctor.jpg")
                .mime_str(ContentType::Jpeg.mime())
                .map_err(|e| e.to_string())?;
            http.post(url).multipart(form.part("file", file))
        }
        UploadMethod::Put => {
            let mut request = http.put(url).body(body.to_vec());
            for (name, value) in signed.headers {
                request = request.header(name, value);
            }
            request
        }
    };
    let answer = request
        .header(reqwest::header::ORIGIN, origin)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if answer.status().is_success() {
        Ok(answer)
    } else {
        let status = answer.status();
        let text = answer.text().await.unwrap_or_default();
        Err(format!(
            "HTTP {status} {}",
            s3_error_code(&text).unwrap_or_default()
        ))
    }
}

/// `<Code>…</Code>` of an S3 error document.
fn s3_error_code(body: &str) -> Option<String> {
    let start = body.find("<Code>")? + "<Code>".len();
    let end = body[start..].find("</Code>")? + start;
    Some(body[start..end].to_owned())
}

/// Whether the bucket lets pages from `origin` upload (a preflight, as the browser sends it),
/// and exposes `ETag`. The embedded store is on the app's own origin: nothing to check.
pub async fn cors(
    store: &ObjectStore,
    settings: &Settings,
    http: &reqwest::Client,
    origin: &str,
    seen: &CorsSeen,
) -> Check {
    let name = "cors";
    if store.is_embedded() {
        return Check::ok(
            name,
            "the embedded store answers on the app's own origin: no CORS needed",
        );
    }
    let method = match settings.upload_method {
        UploadMethod::Post => "POST",
        UploadMethod::Put => "PUT",
    };
    let preflight = http
        .request(reqwest::Method::OPTIONS, store.bucket_url() + "/")
        .header(reqwest::header::ORIGIN, origin)
        .header("Access-Control-Request-Method", method)
        .header(
            "Access-Control-Request-Headers",
            "content-type,cache-control",
        )
        .send()
        .await;
    let allowed = match preflight {
        Ok(answer) if answer.status().is_success() => {
            header(&answer, "access-control-allow-origin")
        }
        _ => None,
    };
    let fix = "run `vitrine setup-bucket` (it applies the CORS rules uploads need)";
    match allowed {
        Some(o) if o == "*" || o == origin => {}
        _ => {
            return Check::problem(
                name,
                format!(
                    "the bucket does not let pages from {origin} {method} uploads (no CORS rule for it): browsers would fail with a CORS error"
                ),
                fix,
            );
        }
    }
    let exposes_etag = seen.expose_headers.as_deref().is_some_and(|h| {
        h.to_ascii_lowercase()
            .split(',')
            .any(|x| x.trim() == "etag")
    });
    if !exposes_etag {
        return Check::problem(
            name,
            format!("{origin} may {method}, but the bucket does not expose ETag to it"),
            fix,
        );
    }
    Check::ok(
        name,
        format!("{origin} may {method} uploads, and ETag is exposed"),
    )
}

/// Prints one line per check; true when all are ok.
pub fn render(checks: &[Check]) -> (String, bool) {
    let mut out = String::new();
    for c in checks {
        if c.ok {
            out.push_str(&format!("ok       {}: {}\n", c.name, c.detail));
        } else {
            out.push_str(&format!(
                "PROBLEM  {}: {}\n         fix: {}\n",
                c.name, c.detail, c.fix
            ));
        }
    }
    let ok = checks.iter().all(|c| c.ok);
    let bad = checks.iter().filter(|c| !c.ok).count();
    out.push_str(&if ok {
        format!("all {} checks passed\n", checks.len())
    } else {
        format!("{bad} of {} checks found a problem\n", checks.len())
    });
    (out, ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_answers_name_the_right_fix() {
        assert_eq!(
            StoreProblem::classify(Some(403), Some("SignatureDoesNotMatch"), String::new()),
            StoreProblem::WrongSecret
        );
        assert_eq!(
            StoreProblem::classify(Some(403), Some("InvalidAccessKeyId"), String::new()),
            StoreProblem::UnknownKey
        );
        assert_eq!(
            StoreProblem::classify(Some(404), Some("NoSuchBucket"), String::new()),
            StoreProblem::NoSuchBucket
        );
        assert_eq!(
            StoreProblem::classify(Some(301), None, String::new()),
            StoreProblem::WrongRegion
        );
        assert_eq!(
            StoreProblem::classify(Some(403), Some("AccessDenied"), String::new()),
            StoreProblem::AccessDenied
        );
        assert_eq!(
            StoreProblem::classify(Some(403), Some("RequestTimeTooSkewed"), String::new()),
            StoreProblem::ClockSkew
        );
        assert!(matches!(
            StoreProblem::classify(None, None, "dns".into()),
            StoreProblem::Unreachable(_)
        ));
        assert_eq!(
            s3_error_code("<Error><Code>AccessDenied</Code></Error>").as_deref(),
            Some("AccessDenied")
        );
    }

    #[test]
    fn the_report_has_a_line_per_check_and_a_verdict() {
        let (text, ok) = render(&[
            Check::ok("database", "reachable"),
            Check::problem("cors", "no rule", "run `vitrine setup-bucket`"),
        ]);
        assert!(!ok);
        assert!(text.contains("ok       database: reachable"));
        assert!(text.contains("PROBLEM  cors: no rule\n         fix: run `vitrine setup-bucket`"));
        assert!(text.ends_with("1 of 2 checks found a problem\n"));
    }
}
