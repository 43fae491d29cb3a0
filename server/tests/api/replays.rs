//! Signed upload forms sent again (issue 15, item 2). The store still honours a form until it
//! expires. It pins the bytes' SHA-256, so a store that checks it refuses other bytes; where a
//! store does not, the replayed bytes land on an upload key no row knows. Either way nothing
//! anyone sees changes, after `complete_upload`, after an approval or after a cancel, and gc
//! removes what a replay wrote.

use std::time::Duration;

use crate::support::{Browser, Db, TestApp, field, jpeg, spawn_app, tampered};

async fn fetch(app: &TestApp, browser: &Browser, url: &str) -> Vec<u8> {
    let url = if url.starts_with('/') {
        format!("{}{url}", app.base)
    } else {
        url.to_owned()
    };
    let res = browser.http.get(url).send().await.unwrap();
    assert!(res.status().is_success(), "GET answered {}", res.status());
    res.bytes().await.unwrap().to_vec()
}

async fn a_replayed_upload_form_changes_nothing_anyone_sees(db: Db) {
    let app = spawn_app(db).await;
    let (seller, product) = app.seller_with_product("ana@shop.example").await;
    let original = jpeg(48, 32);
    let ticket = seller.begin_jpeg(product.id, &original).await;
    let uploaded_to = field(&ticket.uploads[0].fields, "key").to_owned();
    assert_eq!(seller.send(&ticket, original.clone()).await.status(), 204);
    let image = seller.complete(&ticket.intent_id).await.unwrap();

    // Replayed after complete_upload with other bytes: the form pins the SHA-256, so the store
    // refuses them and writes nothing.
    let replay = seller.send(&ticket, tampered(&original)).await;
    assert_eq!(replay.status(), 400);
    assert!(replay.text().await.unwrap().contains("BadDigest"));
    assert!(app.state.store.head(&uploaded_to).await.unwrap().is_none());
    // The same bytes again are accepted (the form is still valid), and change nothing.
    assert_eq!(seller.send(&ticket, original.clone()).await.status(), 204);

    // A store that checks no checksum (Spaces, others) would take other bytes: they land on
    // the upload key, which no row knows since complete_upload registered copies elsewhere.
    let admin = app.admin().await;
    admin.review(&[image.image_id], true, None).await.unwrap();
    app.state
        .store
        .put(&uploaded_to, tampered(&original), "image/jpeg")
        .await
        .unwrap();

    let public = app.browser();
    let shown = public.store_product(product.id).await.unwrap();
    assert_eq!(shown.images.len(), 1);
    assert_eq!(fetch(&app, &public, &shown.images[0].url).await, original);
    let gallery = seller.gallery(product.id).await.unwrap();
    assert_eq!(fetch(&app, &seller, &gallery[0].url).await, original);
    // Completing again answers the same image; the replayed bytes are never registered, and
    // go (a repeated complete clears the upload keys a crash may have left).
    let again = seller.complete(&ticket.intent_id).await.unwrap();
    assert_eq!(again.image_id, image.image_id);
    assert_eq!(fetch(&app, &seller, &gallery[0].url).await, original);
    assert!(app.state.store.head(&uploaded_to).await.unwrap().is_none());

    // Replayed after a cancel: nothing is registered.
    let other = jpeg(40, 30);
    let cancelled = seller.begin_jpeg(product.id, &other).await;
    assert_eq!(seller.send(&cancelled, other.clone()).await.status(), 204);
    seller
        .call_form::<()>("cancel_upload", &[("intent_id", &cancelled.intent_id)])
        .await
        .unwrap();
    assert_eq!(seller.send(&cancelled, other.clone()).await.status(), 204);
    assert!(seller.complete(&cancelled.intent_id).await.is_err());
    assert_eq!(seller.gallery(product.id).await.unwrap().len(), 1);

    // What the replay after the cancel wrote sits at an upload key no row knows: gc removes
    // exactly that.
    let report = backend::gc::run(&app.state, Duration::ZERO, false)
        .await
        .unwrap();
    assert_eq!(report.orphan_objects.len(), 1, "{report:?}");
    assert!(app.store_matches_records().await);
    assert_eq!(fetch(&app, &public, &shown.images[0].url).await, original);
}

/// End-to-end integrity where the store checks nothing: bytes other than the declared ones,
/// put straight into the bucket under the upload's key, are refused at complete_upload.
async fn complete_refuses_bytes_other_than_the_declared_ones(db: Db) {
    let app = spawn_app(db).await;
    let (seller, product) = app.seller_with_product("ana@shop.example").await;
    let photo = jpeg(48, 32);
    let ticket = seller.begin_jpeg(product.id, &photo).await;
    let key = field(&ticket.uploads[0].fields, "key").to_owned();
    app.state
        .store
        .put(&key, tampered(&photo), "image/jpeg")
        .await
        .unwrap();
    let refused = seller.complete(&ticket.intent_id).await.unwrap_err();
    assert!(
        matches!(&refused, app::error::AppError::Refused(m) if m.contains("SHA-256")),
        "{refused:?}"
    );
    assert!(seller.gallery(product.id).await.unwrap().is_empty());
    assert!(app.recorded_keys().await.is_empty());
    let left = app.stored_keys().await;
    assert!(left.is_empty(), "{left:?}");
}

on_both_databases!(
    a_replayed_upload_form_changes_nothing_anyone_sees,
    complete_refuses_bytes_other_than_the_declared_ones,
);
