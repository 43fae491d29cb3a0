//! Two `vitrine serve` instances over one PostgreSQL database and one bucket behave as one app:
//! a session made on one works on the other, and an upload begun on one completes on the other.

use crate::support::{Db, field, jpeg, spawn_app, spawn_app_with};
use backend::config::{S3Settings, StorageSettings};
use backend::storage::embedded::EmbeddedStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_sessions_uploads_and_the_bucket() {
    // Instance A keeps the bucket (its embedded store); instance B reaches the same bucket as
    // an external S3 service, and the same PostgreSQL database.
    let a = spawn_app(Db::Postgres).await;
    let creds = EmbeddedStore::open(&a.data_dir.join("store"))
        .unwrap()
        .credentials;
    // SAFETY: this test binary has this one test, so no other thread reads the environment
    // while it is set; the AWS SDK's credential chain reads these variables.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", &creds.access_key_id);
        std::env::set_var("AWS_SECRET_ACCESS_KEY", &creds.secret_access_key);
    }
    let database_url = a.state.settings.database_url.clone();
    let bucket_endpoint = a.base.clone();
    // Behind one load balancer both answer for one site: A's address stands for it here.
    let site = a.base.clone();
    let b = spawn_app_with(Db::Postgres, move |s| {
        s.database_url = database_url;
        s.site_origins = vec![site];
        s.storage = StorageSettings::S3(S3Settings {
            provider: backend::storage::Provider::Other,
            bucket: "vitrine-media".into(),
            endpoint: Some(bucket_endpoint),
            region: Some("us-east-1".into()),
            path_style: true,
        });
    })
    .await;

    // Signed up on A; the same cookie is a session on B (reqwest's cookie jar ignores ports).
    let on_a = a.browser();
    on_a.sign_up("ana@shop.example").await;
    let product = on_a.create_product("Linen tote").await.unwrap();
    let on_b = crate::support::Browser {
        http: on_a.http.clone(),
        base: b.base.clone(),
    };
    assert_eq!(on_b.gallery(product.id).await.unwrap().len(), 0);

    // Begun on B (the form targets the shared bucket), completed on A.
    let photo = jpeg(60, 40);
    let ticket = on_b.begin_jpeg(product.id, &photo).await;
    let upload = &ticket.uploads[0];
    assert!(
        upload.url.starts_with(&a.base),
        "B signs for the shared bucket: {}",
        upload.url
    );
    let sent = on_b.send(&ticket, photo).await;
    assert_eq!(sent.status().as_u16(), 204);
    let image = on_a.complete(&ticket.intent_id).await.unwrap();
    assert_eq!((image.width, image.height), (60, 40));
    // Registered at a key the browser never got, in the one shared bucket.
    let uploaded_to = field(&upload.fields, "key").to_owned();
    let registered = a.recorded_keys().await;
    assert_eq!(registered.len(), 1);
    assert_ne!(registered[0], uploaded_to);
    assert!(a.state.store.head(&registered[0]).await.unwrap().is_some());
    assert!(a.state.store.head(&uploaded_to).await.unwrap().is_none());

    // Both list it; completing again on B returns the same image, not a second one.
    assert_eq!(on_a.gallery(product.id).await.unwrap().len(), 1);
    assert_eq!(on_b.gallery(product.id).await.unwrap().len(), 1);
    assert_eq!(
        on_b.complete(&ticket.intent_id).await.unwrap().image_id,
        image.image_id
    );
    // Signing out on B ends the session on A too.
    on_b.call_form::<()>("sign_out", &[]).await.unwrap();
    assert_eq!(
        on_a.gallery(product.id).await.unwrap_err(),
        app::error::AppError::Unauthenticated
    );
}

/// A deploy starts every instance at once, each applying the migrations on start: on a new
/// database they all try to create the same tables. One must wait for another, not crash.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_at_once_on_a_new_database_all_start() {
    let url = crate::support::postgres_database().await;
    let start = || async {
        let db = backend::db::connect(&url).await?;
        backend::db::migrate(&db).await?;
        backend::db::pending_migrations(&db).await
    };
    let (a, b, c) = tokio::join!(start(), start(), start());
    for started in [a, b, c] {
        assert_eq!(started.expect("every instance starts"), 0);
    }
}
