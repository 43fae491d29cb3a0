//! `/healthz` (the process answers) and `/readyz` (database and storage reachable, and which
//! are in use). Public endpoints: they name kinds, never URLs, buckets, keys or raw errors
//! (those go to the log).

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use backend::AppState;
use serde_json::json;

pub async fn live() -> &'static str {
    "ok"
}

pub async fn ready(Extension(state): Extension<AppState>) -> impl IntoResponse {
    let database = state.db.ping().await;
    if let Err(err) = &database {
        tracing::warn!(%err, "readiness: the database does not answer");
    }
    let storage = state.store.check().await;
    if let Err(err) = &storage {
        tracing::warn!(%err, "readiness: the object store does not answer");
    }
    let ready = database.is_ok() && storage.is_ok();
    let state_of = |ok: bool| if ok { "ok" } else { "unreachable" };
    (
        if ready {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        Json(json!({
            "ready": ready,
            "database": { "kind": state.settings.database_kind(), "state": state_of(database.is_ok()) },
            "storage": { "kind": state.settings.storage_kind(), "state": state_of(storage.is_ok()) },
        })),
    )
}
