//! The embedded S3 store: s3s over s3s-fs, with SigV4, presigned-URL expiry and POST policies
//! enforced as S3 does.
//!
//! It answers on the app's own origin, at the bucket's path (`/vitrine-media/...`, path-style
//! S3). Why not a second port: hosts like Koyeb and Render expose one port, the browser's
//! upload (an XHR with progress listeners, which is preflighted) needs no CORS on the same
//! origin, and TLS in front of the app covers the store too. The browser still sends the very
//! same signed POST form it sends to AWS.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use backend::storage::embedded::EmbeddedStore;
use s3s::auth::SimpleAuth;
use s3s::config::{S3Config, StaticConfigProvider};
use s3s::service::{S3Service, S3ServiceBuilder};

#[derive(Debug, thiserror::Error)]
#[error("cannot open the embedded object store at {path}: {reason}")]
pub struct StoreError {
    path: String,
    reason: String,
}

/// The store's routes: `/{bucket}` (POST uploads, listing) and `/{bucket}/{key...}`.
pub fn routes<S: Clone + Send + Sync + 'static>(
    store: &EmbeddedStore,
    max_upload_bytes: u64,
) -> Result<Router<S>, StoreError> {
    let fs = s3s_fs::FileSystem::new(&store.objects_dir).map_err(|e| StoreError {
        path: store.objects_dir.display().to_string(),
        reason: format!("{e:?}"),
    })?;
    let mut builder = S3ServiceBuilder::new(fs);
    builder.set_auth(SimpleAuth::from_single(
        store.credentials.access_key_id.clone(),
        store.credentials.secret_access_key.clone(),
    ));
    let mut config = S3Config::default();
    // s3s buffers a POSTed file in memory: never accept more than the largest signed upload.
    config.post_object_max_file_size = max_upload_bytes;
    builder.set_config(std::sync::Arc::new(StaticConfigProvider::new(
        std::sync::Arc::new(config),
    )));
    let service = builder.build();

    let bucket = &store.bucket;
    Ok(Router::new()
        .route(&format!("/{bucket}"), any(handle))
        // SDKs address the bucket itself as `/{bucket}/` too.
        .route(&format!("/{bucket}/"), any(handle))
        .route(&format!("/{bucket}/{{*key}}"), any(handle))
        .with_state(service))
}

async fn handle(State(service): State<S3Service>, request: Request) -> Response {
    match service.call(request.map(s3s::Body::http_body_unsync)).await {
        Ok(response) => response.map(Body::new),
        Err(err) => {
            tracing::error!(?err, "embedded store failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the embedded object store failed; see the server log",
            )
                .into_response()
        }
    }
}
