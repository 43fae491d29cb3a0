//! Issue 15, item 7: the embedded store writes a POSTed file to disk as it arrives; it never
//! holds a whole upload in memory. A binary of its own, because it counts every allocation the
//! process makes, and one test, so nothing else allocates while it measures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use backend::storage::ObjectKey;
use backend::storage::embedded::EmbeddedStore;
use backend::storage::post_policy::{PostPolicy, SigningCredentials};
use domain::{ByteSize, ContentType};
use tower::ServiceExt;

/// The system allocator, keeping count of the bytes live now and at most since the last reset.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew_by(bytes: usize) {
    let now = LIVE.fetch_add(bytes, Relaxed) + bytes;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every call is passed on to `System` unchanged; only counters are updated around it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let block = unsafe { System.alloc(layout) };
        if !block.is_null() {
            grew_by(layout.size());
        }
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        unsafe { System.dealloc(block, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(block, layout, new_size) };
        if !moved.is_null() {
            if new_size >= layout.size() {
                grew_by(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// As large as the store takes: what s3s alone would have buffered whole.
const SIZE: u64 = 15_000_000;
const CHUNK: usize = 64 * 1024;
const BOUNDARY: &str = "vitrine-memory-test";

/// A signed POST form for `key` and a body of `size` bytes, sent 64 KiB at a time.
fn upload(store: &EmbeddedStore, key: &ObjectKey, size: u64) -> Request<Body> {
    let credentials = SigningCredentials {
        access_key_id: store.credentials.access_key_id.clone(),
        secret_access_key: store.credentials.secret_access_key.clone(),
        session_token: None,
    };
    let post = PostPolicy {
        bucket: &store.bucket,
        region: &store.region,
        key,
        content_type: ContentType::Jpeg,
        size: ByteSize::parse(SIZE, SIZE).expect("a size within its bound"),
        extra_fields: Vec::new(),
    }
    .sign(&credentials, SystemTime::now(), Duration::from_secs(60));
    let mut head = String::new();
    for (name, value) in &post.fields {
        head.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    head.push_str(&format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
    ));
    let chunks = size.div_ceil(CHUNK as u64);
    let file = (0..chunks).map(move |i| {
        let len = (size - i * CHUNK as u64).min(CHUNK as u64) as usize;
        Ok::<_, std::io::Error>(bytes::Bytes::from(vec![0x5a; len]))
    });
    let parts = std::iter::once(Ok(bytes::Bytes::from(head)))
        .chain(file)
        .chain(std::iter::once(Ok(bytes::Bytes::from(format!(
            "\r\n--{BOUNDARY}--\r\n"
        )))));
    Request::post(format!("/{}", store.bucket))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from_stream(futures_util::stream::iter(parts)))
        .expect("a well-formed request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_posted_upload_is_written_as_it_arrives_never_held_whole() {
    let dir = std::env::temp_dir().join(format!("vitrine-memory-{}", std::process::id()));
    let store = EmbeddedStore::open(&dir).expect("the store opens");
    let routes: axum::Router = server::embedded_store::routes(&store, SIZE).expect("routes");
    let key = ObjectKey::from_stored("media/memory-test/display.jpg".into());
    let on_disk = store.objects_dir.join(&store.bucket).join(key.as_str());

    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let answer = routes
        .clone()
        .oneshot(upload(&store, &key, SIZE))
        .await
        .expect("an answer");
    let peak = PEAK.load(Relaxed) - before;
    assert_eq!(answer.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        std::fs::metadata(&on_disk).expect("stored").len(),
        SIZE,
        "the whole file is stored"
    );
    println!(
        "a {} MB upload raised the live heap by at most {:.2} MB",
        SIZE / 1_000_000,
        peak as f64 / 1e6
    );
    assert!(
        peak < (SIZE / 8) as usize,
        "a {SIZE}-byte upload raised the heap by {peak} bytes: it was held in memory"
    );

    // One byte more than the policy allows: refused, and the stored object is left as it was.
    std::fs::write(&on_disk, b"kept").expect("write");
    let answer = routes
        .oneshot(upload(&store, &key, SIZE + 1))
        .await
        .expect("an answer");
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let body = axum::body::to_bytes(answer.into_body(), 64 * 1024)
        .await
        .expect("a body");
    assert!(
        String::from_utf8_lossy(&body).contains("EntityTooLarge"),
        "{}",
        String::from_utf8_lossy(&body)
    );
    assert_eq!(std::fs::read(&on_disk).expect("read"), b"kept");
    let _ = std::fs::remove_dir_all(&dir);
}
