//! May pages from the site's origin upload to the bucket (the preflight a browser sends)?

use domain::UploadMethod;

use super::Check;
use super::round_trip::{CorsSeen, header};
use crate::Settings;
use crate::storage::ObjectStore;

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
