//! The embedded S3 store: s3s over s3s-fs, with SigV4, presigned-URL expiry and POST policies
//! enforced as S3 does.
//!
//! It answers on the app's own origin, at the bucket's path (`/vitrine-media/...`, path-style
//! S3). Why not a second port: hosts like Koyeb and Render expose one port, the browser's
//! upload (an XHR with progress listeners, which is preflighted) needs no CORS on the same
//! origin, and TLS in front of the app covers the store too. The browser still sends the very
//! same signed POST form it sends to AWS.

mod checksum_first;
mod cors;
mod post_object;
mod s3;
mod small_frames;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use backend::storage::embedded::EmbeddedStore;
use s3s::auth::SimpleAuth;
use s3s::config::{S3Config, StaticConfigProvider};
use s3s::service::{S3Service, S3ServiceBuilder};
use small_frames::SmallFrames;

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
    let cors = cors::CorsStore::open(store.objects_dir.with_file_name("cors.json"));
    let mut builder = S3ServiceBuilder::new(s3::EmbeddedS3 {
        fs,
        cors: cors.clone(),
    });
    // POST uploads are taken before s3s, which would hold each file in memory (post_object).
    let posts = post_object::PostUploads {
        s3: std::sync::Arc::new(s3::EmbeddedS3 {
            fs: s3s_fs::FileSystem::new(&store.objects_dir).map_err(|e| StoreError {
                path: store.objects_dir.display().to_string(),
                reason: format!("{e:?}"),
            })?,
            cors: cors.clone(),
        }),
        bucket: store.bucket.clone(),
        region: store.region.clone(),
        credentials: store.credentials.clone(),
        ceiling: max_upload_bytes,
    };
    builder.set_auth(SimpleAuth::from_single(
        store.credentials.access_key_id.clone(),
        store.credentials.secret_access_key.clone(),
    ));
    let mut config = S3Config::default();
    // s3s never sees a POST form (see above); should one reach it, it holds no more than this.
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
        .with_state(Store {
            service,
            cors,
            posts: std::sync::Arc::new(posts),
        }))
}

#[derive(Clone)]
struct Store {
    service: S3Service,
    cors: cors::CorsStore,
    posts: std::sync::Arc<post_object::PostUploads>,
}

async fn handle(State(store): State<Store>, request: Request) -> Response {
    let cors = &store.cors;
    let origin = header_str(request.headers(), header::ORIGIN);
    if request.method() == Method::OPTIONS {
        return preflight(cors, origin.as_deref(), request.headers());
    }
    let method = request.method().as_str().to_owned();
    let mut response = answer(&store, request).await;
    if let Some(allowed) = origin.and_then(|o| cors::allow(&cors.rules(), &o, &method, &[])) {
        let headers = response.headers_mut();
        set(
            headers,
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            &allowed.origin,
        );
        set(
            headers,
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            &allowed.expose,
        );
        set(headers, header::VARY, "Origin");
    }
    response
}

/// The store's own answer, for the browser to read (CORS is added by the caller).
async fn answer(store: &Store, request: Request) -> Response {
    if request.method() == Method::POST
        && let Some(boundary) = post_object::boundary(&request)
    {
        return store.posts.upload(request, &boundary).await;
    }
    let request = request.map(|body| s3s::Body::http_body_unsync(SmallFrames::new(body)));
    match store.service.call(request).await {
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

/// A browser's CORS preflight, answered from the bucket's rules as S3 does.
fn preflight(cors: &cors::CorsStore, origin: Option<&str>, request: &HeaderMap) -> Response {
    let method = header_str(request, header::ACCESS_CONTROL_REQUEST_METHOD).unwrap_or_default();
    let wanted = header_str(request, header::ACCESS_CONTROL_REQUEST_HEADERS).unwrap_or_default();
    let headers: Vec<&str> = wanted.split(',').map(str::trim).collect();
    let Some(allowed) = origin.and_then(|o| cors::allow(&cors.rules(), o, &method, &headers))
    else {
        return (
            StatusCode::FORBIDDEN,
            "CORSResponse: this CORS request is not allowed by the bucket's rules",
        )
            .into_response();
    };
    let mut response = StatusCode::OK.into_response();
    let out = response.headers_mut();
    set(out, header::ACCESS_CONTROL_ALLOW_ORIGIN, &allowed.origin);
    set(out, header::ACCESS_CONTROL_ALLOW_METHODS, &allowed.methods);
    set(out, header::ACCESS_CONTROL_ALLOW_HEADERS, &allowed.headers);
    set(out, header::ACCESS_CONTROL_EXPOSE_HEADERS, &allowed.expose);
    if let Some(age) = allowed.max_age {
        set(out, header::ACCESS_CONTROL_MAX_AGE, &age.to_string());
    }
    set(out, header::VARY, "Origin");
    response
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn set(headers: &mut HeaderMap, name: header::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value)
        && !value.is_empty()
    {
        headers.insert(name, value);
    }
}
