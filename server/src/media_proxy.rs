//! `VITRINE_MEDIA_URLS=proxy`: `/media/{key}` streams an object from the bucket through the app,
//! for buckets that must stay private without signed URLs; in every mode, the one way a pending
//! or rejected picture reaches a browser. Approved images are public, and cached as the store's
//! objects are; a pending or rejected image only reaches its seller or an admin, and only their
//! browser keeps it. `Range` and `If-None-Match` pass through to the store.

use axum::Extension;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use backend::media::Access;
use backend::storage::Fetched;
use backend::{AppState, Error};

pub async fn serve(
    Extension(state): Extension<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Response {
    let viewer = match app::session::account_from_headers(&state, &headers).await {
        Ok(viewer) => viewer,
        // Not knowing who asks is not knowing what to show: "later", not "not found".
        Err(err) => {
            tracing::error!(%err, "media proxy");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let access = match backend::media::access(&state.db, viewer.as_ref(), &key).await {
        Ok(access) => access,
        // Not one of Vitrine's objects: perhaps an old shop's link, when its media was here too.
        Err(Error::NotFound(_)) if crate::legacy_media::under_media(&state) => {
            return crate::legacy_media::answer(&state, &key).await;
        }
        Err(Error::NotFound(_)) => return StatusCode::NOT_FOUND.into_response(),
        Err(err) => {
            tracing::error!(%err, "media proxy");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let cache = access.cache_control();
    let header_of = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let if_none_match = header_of(header::IF_NONE_MATCH);
    // Only what every store understands goes on to it: a list of tags is compared here, and a
    // range that is not one plain byte range is ignored (RFC 9110 lets a server send it all).
    let range = header_of(header::RANGE).filter(|r| is_one_byte_range(r));
    let one_tag = if_none_match.clone().filter(|t| is_one_entity_tag(t));
    let fetched = state.store.get(&key, range, one_tag).await;
    let mut response = match fetched {
        // Stores that ignore If-None-Match (s3s-fs) still send the ETag: answer 304 ourselves.
        Ok(Fetched::Found {
            etag: Some(etag), ..
        }) if if_none_match
            .as_deref()
            .is_some_and(|inm| etag_matches(inm, &etag)) =>
        {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            if let Ok(v) = HeaderValue::from_str(&etag) {
                response.headers_mut().insert(header::ETAG, v);
            }
            response
        }
        Ok(Fetched::Found {
            partial,
            content_type,
            content_length,
            content_range,
            etag,
            body,
        }) => {
            let stream = tokio_util::io::ReaderStream::new((*body).into_async_read());
            let mut response = Body::from_stream(stream).into_response();
            *response.status_mut() = if partial {
                StatusCode::PARTIAL_CONTENT
            } else {
                StatusCode::OK
            };
            let out = response.headers_mut();
            let mut put = |name, value: Option<String>| {
                if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                    out.insert(name, v);
                }
            };
            put(header::CONTENT_TYPE, content_type);
            put(
                header::CONTENT_LENGTH,
                content_length.map(|n| n.to_string()),
            );
            put(header::CONTENT_RANGE, content_range);
            put(header::ETAG, etag);
            response
        }
        Ok(Fetched::NotModified) => StatusCode::NOT_MODIFIED.into_response(),
        Ok(Fetched::Missing) => return StatusCode::NOT_FOUND.into_response(),
        Ok(Fetched::BadRange) => return StatusCode::RANGE_NOT_SATISFIABLE.into_response(),
        Err(err) => {
            tracing::error!(%err, "media proxy");
            return StatusCode::BAD_GATEWAY.into_response();
        }
    };
    let out = response.headers_mut();
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    out.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if access == Access::Private {
        out.insert(header::VARY, HeaderValue::from_static("Cookie"));
    }
    response
}

/// Whether an `If-None-Match` list names `etag` (weak comparison, as RFC 9110 wants for it).
fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    if_none_match
        .split(',')
        .any(|t| t.trim() == "*" || bare(t) == bare(etag))
}

/// `bytes=FIRST-LAST`, `bytes=FIRST-` or `bytes=-SUFFIX`, with FIRST ≤ LAST.
fn is_one_byte_range(range: &str) -> bool {
    let Some((first, last)) = range
        .strip_prefix("bytes=")
        .and_then(|spec| spec.split_once('-'))
    else {
        return false;
    };
    let number = |s: &str| -> Option<u64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    match (number(first), number(last)) {
        (Some(first), Some(last)) => first <= last,
        (Some(_), None) => last.is_empty(),
        (None, Some(_)) => first.is_empty(),
        (None, None) => false,
    }
}

/// One entity tag, `"…"` or `W/"…"`, with no comma (a list) inside.
fn is_one_entity_tag(tag: &str) -> bool {
    let bare = tag.trim().trim_start_matches("W/");
    bare.len() >= 2 && bare.starts_with('"') && bare.ends_with('"') && !bare.contains(',')
}

#[cfg(test)]
mod tests {
    use super::{etag_matches, is_one_byte_range, is_one_entity_tag};

    #[test]
    fn only_one_plain_byte_range_goes_to_the_store() {
        for good in ["bytes=2-11", "bytes=0-", "bytes=-500", "bytes=7-7"] {
            assert!(is_one_byte_range(good), "{good}");
        }
        for bad in [
            "bytes=0-1,4-5",
            "bytes=5-1",
            "items=0-1",
            "bytes=-",
            "bytes=a-b",
            "bytes= 1-2",
            "bytes=99999999999999999999999-",
        ] {
            assert!(!is_one_byte_range(bad), "{bad}");
        }
        assert!(is_one_entity_tag("\"abc\""));
        assert!(is_one_entity_tag("W/\"abc\""));
        assert!(!is_one_entity_tag("\"a\", \"b\""));
        assert!(!is_one_entity_tag("*"));
    }

    #[test]
    fn if_none_match_compares_weakly() {
        assert!(etag_matches("\"abc\"", "\"abc\""));
        assert!(etag_matches("W/\"abc\", \"def\"", "\"abc\""));
        assert!(etag_matches("*", "\"abc\""));
        assert!(!etag_matches("\"abd\"", "\"abc\""));
    }
}
