//! Headers every answer carries, so a browser treats it as what it is. Pages may not be framed
//! (clickjacking: an admin's Approve button under another site's page), sniffed into another
//! type, or leak their address to other sites; over HTTPS browsers are told to stay on it.
//! Stored objects served on the app's own origin (the embedded store, `/media/…`) are pictures
//! a seller uploaded: never sniffed, and sandboxed, so a file that passes for an image can
//! never run script on the site's origin.
//!
//! HTML pages get a Content-Security-Policy that lets only their own scripts run: Leptos marks
//! the hydration and streaming scripts with a fresh nonce per response (`app::shell` hands it
//! over in a private header, dropped here), and an injected `<script>` without it never runs.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use backend::AppState;

const PAGE_POLICY: &str =
    "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'";
const OBJECT_POLICY: &str = "default-src 'none'; sandbox";

/// The headers for an answer to `path`: `bucket` is the embedded store's bucket (its objects
/// are served under `/{bucket}/`), `https` whether the site is served over HTTPS.
pub fn for_path(path: &str, bucket: Option<&str>, https: bool) -> Vec<(HeaderName, &'static str)> {
    let stored_object = path.starts_with("/media/")
        || bucket.is_some_and(|b| {
            path.strip_prefix('/')
                .is_some_and(|rest| rest == b || rest.starts_with(&format!("{b}/")))
        });
    let mut headers = vec![(header::X_CONTENT_TYPE_OPTIONS, "nosniff")];
    if stored_object {
        headers.push((header::CONTENT_SECURITY_POLICY, OBJECT_POLICY));
    } else {
        headers.push((header::CONTENT_SECURITY_POLICY, PAGE_POLICY));
        headers.push((header::X_FRAME_OPTIONS, "DENY"));
        headers.push((header::REFERRER_POLICY, "strict-origin-when-cross-origin"));
    }
    if https {
        headers.push((header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"));
    }
    headers
}

/// The policy of an HTML page whose scripts carry `nonce`: those scripts run and may load more
/// ('strict-dynamic': the hydration script imports the page's JavaScript), WebAssembly may be
/// compiled, the photo worker comes from the site, and pictures and uploads go only to the
/// site and `store_origins` (an external bucket, a public media host).
pub fn page_policy(nonce: &str, store_origins: &[String]) -> String {
    let store = store_origins
        .iter()
        .map(|o| format!(" {o}"))
        .collect::<String>();
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:{store}; \
         connect-src 'self'{store}; worker-src 'self'; {PAGE_POLICY}"
    )
}

pub async fn add(state: AppState, request: Request, next: Next) -> Response {
    let https = state
        .settings
        .site_origins
        .iter()
        .any(|o| o.starts_with("https://"));
    let bucket = state.store.is_embedded().then(|| state.store.bucket());
    let wanted = for_path(request.uri().path(), bucket, https);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Some(nonce) = headers.remove(app::SCRIPT_NONCE_HEADER)
        && let Ok(nonce) = nonce.to_str()
    {
        let policy = page_policy(nonce, &state.store.browser_origins());
        if let Ok(value) = HeaderValue::from_str(&policy) {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    for (name, value) in wanted {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get<'a>(headers: &'a [(HeaderName, &'static str)], name: &HeaderName) -> Option<&'a str> {
        headers.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }

    #[test]
    fn pages_cannot_be_framed_or_sniffed() {
        let h = for_path("/products/3", Some("vitrine-media"), false);
        assert_eq!(get(&h, &header::X_CONTENT_TYPE_OPTIONS), Some("nosniff"));
        assert!(
            get(&h, &header::CONTENT_SECURITY_POLICY)
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert_eq!(get(&h, &header::X_FRAME_OPTIONS), Some("DENY"));
        assert_eq!(get(&h, &header::STRICT_TRANSPORT_SECURITY), None);
    }

    #[test]
    fn stored_objects_are_sandboxed() {
        for path in [
            "/vitrine-media/media/sellers/1/x/display.jpg",
            "/media/media/sellers/1/x/thumb.webp",
        ] {
            let h = for_path(path, Some("vitrine-media"), false);
            assert_eq!(
                get(&h, &header::CONTENT_SECURITY_POLICY),
                Some(OBJECT_POLICY),
                "{path}"
            );
            assert_eq!(get(&h, &header::X_CONTENT_TYPE_OPTIONS), Some("nosniff"));
        }
        // A page whose path merely starts like the bucket is still a page.
        let h = for_path("/vitrine-mediation", Some("vitrine-media"), false);
        assert_eq!(get(&h, &header::CONTENT_SECURITY_POLICY), Some(PAGE_POLICY));
    }

    #[test]
    fn page_scripts_need_the_nonce() {
        let policy = page_policy("abc123", &["https://shop.s3.amazonaws.com".to_owned()]);
        assert!(policy.contains("script-src 'nonce-abc123' 'strict-dynamic' 'wasm-unsafe-eval';"));
        assert!(policy.contains("connect-src 'self' https://shop.s3.amazonaws.com;"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(page_policy("n", &[]).contains("connect-src 'self';"));
    }

    #[test]
    fn https_sites_ask_browsers_to_stay_on_https() {
        let h = for_path("/", None, true);
        assert_eq!(
            get(&h, &header::STRICT_TRANSPORT_SECURITY),
            Some("max-age=31536000")
        );
    }
}
