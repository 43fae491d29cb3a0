//! Server functions answer a refusal with the status it deserves. Leptos sends every error of
//! a server function as HTTP 500; this layer reads the error it carries (`AppError`, a few
//! bytes of JSON) and gives the answer `AppError::status` instead: 400, 401, 403, 404, 409,
//! 415 and 429 (with `Retry-After`) for the caller's mistakes, 503 for the server's faults.
//! The message stays as it was, so the page shows the same sentence.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use app::error::AppError;

/// Server functions live under this path (Leptos' default prefix).
pub const SERVER_FNS: &str = "/api/";
/// An error answer is a sentence; anything longer is not one of ours and passes untouched.
const LONGEST_ERROR: usize = 64 * 1024;

pub async fn with_status(request: Request, next: Next) -> Response {
    let is_server_fn = request.uri().path().starts_with(SERVER_FNS);
    let response = next.run(request).await;
    if !is_server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, LONGEST_ERROR).await else {
        parts.status = StatusCode::INTERNAL_SERVER_ERROR;
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes)
        && let Ok(status) = StatusCode::from_u16(error.status())
    {
        parts.status = status;
        if let AppError::TooManyAttempts {
            retry_after_secs, ..
        } = error
        {
            parts
                .headers
                .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
