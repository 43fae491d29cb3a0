//! `/healthz` (the process answers) and `/readyz` (database and storage reachable).

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use backend::AppState;
use serde_json::json;

pub async fn live() -> &'static str {
    "ok"
}

pub async fn ready(Extension(state): Extension<AppState>) -> impl IntoResponse {
    let database = state.db.ping().await.map_err(|e| e.to_string());
    let storage = state.store.check().await.map_err(|e| e.to_string());
    let status = if database.is_ok() && storage.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let show = |r: Result<(), String>| r.err().unwrap_or_else(|| "ok".into());
    (
        status,
        Json(json!({ "database": show(database), "storage": show(storage) })),
    )
}
