//! The site's own files (the page's JavaScript, WebAssembly and CSS under `/pkg/`, the photo
//! worker under `/worker/`, the favicon), how they travel and how long browsers keep them.
//!
//! - Built with `hash-files`, each `/pkg/` name carries its content's hash: a new build is a
//!   new name, so browsers keep these a year without asking again. Every other answer (pages,
//!   server functions, the worker, whose names never change) is checked again on each use, so a
//!   deploy is seen at once. Pages and server-function answers may be one person's (a seller's
//!   products, an admin's queue): only the browser may keep them, never a shared cache.
//! - Release builds are precompressed (`cargo leptos build --release --precompress`, brotli 11
//!   and gzip): the copy the browser accepts is sent as it is, costing no CPU per request.
//!   Pages, server-function answers and any file without a copy are compressed as they go, at a
//!   level cheap enough for every request.

use std::path::{Path, PathBuf};

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::any;
use leptos::config::LeptosOptions;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::ServeDir;

/// For names that change whenever their content does.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For the site's other files: kept, but checked with the server before each use.
pub const REVALIDATE: &str = "no-cache";
/// For pages and server-function answers: as `REVALIDATE`, in the browser's own cache only.
pub const PERSONAL: &str = "private, no-cache";

/// Whether this build's page files carry content hashes: cargo-leptos writes `hash_file` (the
/// hashes) beside the binary when it names them so.
pub fn hashed_names(hash_file: &str) -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(hash_file)))
        .is_some_and(|path| Path::is_file(&path))
}

/// The folder the page's WebAssembly should be in, when it is not there: the server would then
/// send pages that render but never respond (nothing to hydrate them), so `serve` refuses to
/// start. The usual cause is starting the binary from another folder, since the site root
/// (`LEPTOS_SITE_ROOT`, `target/site` by default) is relative to the working folder.
pub fn missing_page_files(options: &LeptosOptions) -> Option<PathBuf> {
    let dir = Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let is_page_wasm =
        |name: &str| name.starts_with(options.output_name.as_ref()) && name.ends_with(".wasm");
    let present = std::fs::read_dir(&dir).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|entry| entry.file_name().to_str().is_some_and(is_page_wasm))
    });
    (!present).then(|| std::path::absolute(&dir).unwrap_or(dir))
}

/// The page script, when it was built without `--split`: its lazy functions and routes then
/// import a module that does not exist, so no page would ever come to life.
pub fn unsplit_page_script(options: &LeptosOptions) -> Option<PathBuf> {
    let dir = Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let is_page_script =
        |name: &str| name.starts_with(options.output_name.as_ref()) && name.ends_with(".js");
    std::fs::read_dir(&dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_str().is_some_and(is_page_script))
        .map(|entry| entry.path())
        .find(|path| {
            std::fs::read(path).is_ok_and(|script| {
                script
                    .windows(UNSPLIT_MARK.len())
                    .any(|w| w == UNSPLIT_MARK)
            })
        })
}

/// What wasm-bindgen writes for a lazy function's module until `--split` replaces it.
const UNSPLIT_MARK: &[u8] = b"__wasm_split_placeholder__";

/// The `Cache-Control` of a successful answer to `path`.
pub fn cache_control(path: &str, hashed: bool) -> &'static str {
    let file = path
        .strip_prefix("/pkg/")
        .filter(|rest| !rest.contains('/'));
    if hashed && file.is_some_and(names_its_hash) {
        IMMUTABLE
    } else if is_site_file(path) {
        REVALIDATE
    } else {
        PERSONAL
    }
}

/// Whether `path` names one of the site's own files (`/pkg/…`, `/worker/…`, the favicon):
/// the same for everyone.
fn is_site_file(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path.starts_with("/worker/")
        || path
            .strip_prefix('/')
            .is_some_and(|name| name.starts_with("favicon.") && !name.contains('/'))
}

/// `vitrine.<hash>.wasm`: cargo-leptos's hash is an MD5 in unpadded base64url (22 characters).
/// Files it leaves unhashed (wasm-bindgen's snippets) must not be kept as if they were.
fn names_its_hash(file: &str) -> bool {
    let parts: Vec<&str> = file.split('.').collect();
    parts.len() >= 3
        && parts[1].len() == 22
        && parts[1]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Serves the site's files from its root, the precompressed copy when there is one; anything
/// else is the app's not-found page (`not_found`). Why not leptos_axum's own file handler: it
/// hands `ServeDir` only the request's Accept-Encoding, so a file checked on each use (the
/// worker's 2 MB of WebAssembly) would be sent whole every time instead of answered with 304.
/// A missing file is looked up twice (here, then in the not-found handler): only on 404s.
pub fn service(
    options: &LeptosOptions,
    not_found: axum::routing::MethodRouter,
) -> ServeDir<axum::routing::MethodRouter> {
    ServeDir::new(options.site_root.as_ref())
        .precompressed_br()
        .precompressed_gzip()
        .call_fallback_on_method_not_allowed(true)
        .fallback(not_found)
}

/// The not-found page as a fallback service for `service`.
pub fn not_found_page<H, T>(handler: H, options: LeptosOptions) -> axum::routing::MethodRouter
where
    H: axum::handler::Handler<T, LeptosOptions>,
    T: 'static,
{
    any(handler).with_state(options)
}

/// Compresses answers that are not compressed yet (pages, server functions), with brotli or
/// gzip as the browser accepts. Level 4: most of brotli's gain on HTML and JSON at a small
/// fraction of its top level's time. WebAssembly is left alone: release builds bring their own
/// brotli copies, and compressing a debug build's 10 MB on every load costs more than it saves
/// on a local network.
pub fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .quality(CompressionLevel::Precise(4))
        .compress_when(DefaultPredicate::new().and(NotForContentType::new("application/wasm")))
}

/// Sets how long browsers may keep each successful answer (see `cache_control`), unless the
/// handler said so itself.
pub async fn cache_headers(hashed: bool, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let kept = response.status().is_success() || response.status().as_u16() == 304;
    if kept && !response.headers().contains_key(header::CACHE_CONTROL) {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_control(&path, hashed)),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hashed_page_files_are_kept_for_a_year_and_pages_only_privately() {
        let hashed = "/pkg/vitrine.Xk3_9aQ-Lm2PqR7sT1uVwA.wasm";
        assert_eq!(cache_control(hashed, true), IMMUTABLE);
        assert_eq!(cache_control(&format!("{hashed}.br"), true), IMMUTABLE);
        assert_eq!(cache_control("/pkg/vitrine.css", true), REVALIDATE);
        assert_eq!(
            cache_control("/pkg/snippets/x-1/inline0.js", true),
            REVALIDATE
        );
        assert_eq!(cache_control("/pkg/vitrine.wasm", false), REVALIDATE);
        assert_eq!(cache_control("/worker/worker.js", true), REVALIDATE);
        assert_eq!(cache_control("/favicon.svg", true), REVALIDATE);
        // Pages and answers may be one person's: no shared cache keeps them.
        assert_eq!(cache_control("/products/7", true), PERSONAL);
        assert_eq!(cache_control("/api/begin_upload", true), PERSONAL);
        assert_eq!(cache_control("/store/7", true), PERSONAL);
        assert_eq!(cache_control("/favicon.svg/x", true), PERSONAL);
    }
}
