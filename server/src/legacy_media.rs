//! `VITRINE_LEGACY_MEDIA_URL`: the old shop's media links answer 301 to the imported picture
//! (its approved display variant) and 404 otherwise, never a pending picture's bytes. Under
//! `/media/`, which the media proxy also serves, an old link is whatever the proxy does not
//! know as one of Vitrine's own objects (see `media_proxy::serve`).

use axum::Extension;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use backend::AppState;

/// The route for an old media path other than `/media/`.
pub async fn redirect(Extension(state): Extension<AppState>, Path(path): Path<String>) -> Response {
    answer(&state, &path).await
}

/// The answer to an old link to `source_path`.
pub async fn answer(state: &AppState, source_path: &str) -> Response {
    match backend::legacy_links::target(state, source_path).await {
        Ok(Some(url)) => (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, url)]).into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(err) => {
            tracing::error!(%err, "old media link");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// Whether old links share `/media/` with the media proxy.
pub fn under_media(state: &AppState) -> bool {
    state
        .settings
        .legacy_media
        .as_ref()
        .is_some_and(|legacy| legacy.prefix() == "/media/")
}
