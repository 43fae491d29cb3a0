//! Signed upload forms sent again (issue 15, item 2). The store still honours a form until it
//! expires, so a replay with other bytes of the same length is accepted; it must change
//! nothing anyone sees, after `complete_upload`, after an approval or after a cancel, and gc
//! removes what it wrote.

use std::time::Duration;

use crate::support::{Browser, Db, TestApp, jpeg, spawn_app};

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

/// The same length as `original`, other bytes.
fn tampered(original: &[u8]) -> Vec<u8> {
    let mut bytes = original.to_vec();
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle..middle + 64] {
        *b ^= 0x5a;
    }
    bytes
}

async fn a_replayed_upload_form_changes_nothing_anyone_sees(db: Db) {
    let app = spawn_app(db).await;
    let (seller, product) = app.seller_with_product("ana@shop.example").await;
    let original = jpeg(48, 32);
    let ticket = seller.begin_jpeg(product.id, &original).await;
    assert_eq!(seller.send(&ticket, original.clone()).await.status(), 204);
    let image = seller.complete(&ticket.intent_id).await.unwrap();

    // Replayed after complete_upload, and again after the admin approved.
    let replay = seller.send(&ticket, tampered(&original)).await;
    assert_eq!(replay.status(), 204, "the form is still valid at the store");
    let admin = app.admin().await;
    admin.review(&[image.image_id], true, None).await.unwrap();
    let replay = seller.send(&ticket, tampered(&original)).await;
    assert_eq!(replay.status(), 204);

    let public = app.browser();
    let shown = public.store_product(product.id).await.unwrap();
    assert_eq!(shown.images.len(), 1);
    assert_eq!(fetch(&app, &public, &shown.images[0].url).await, original);
    let gallery = seller.gallery(product.id).await.unwrap();
    assert_eq!(fetch(&app, &seller, &gallery[0].url).await, original);
    // Completing again answers the same image; the replayed bytes are never registered.
    let again = seller.complete(&ticket.intent_id).await.unwrap();
    assert_eq!(again.image_id, image.image_id);
    assert_eq!(fetch(&app, &seller, &gallery[0].url).await, original);

    // Replayed after a cancel: nothing is registered.
    let other = jpeg(40, 30);
    let cancelled = seller.begin_jpeg(product.id, &other).await;
    assert_eq!(seller.send(&cancelled, other.clone()).await.status(), 204);
    seller
        .call_form::<()>("cancel_upload", &[("intent_id", &cancelled.intent_id)])
        .await
        .unwrap();
    assert_eq!(
        seller.send(&cancelled, tampered(&other)).await.status(),
        204
    );
    assert!(seller.complete(&cancelled.intent_id).await.is_err());
    assert_eq!(seller.gallery(product.id).await.unwrap().len(), 1);

    // What the replays wrote sits at upload keys no row knows: gc removes exactly those.
    let report = backend::gc::run(&app.state, Duration::ZERO, false)
        .await
        .unwrap();
    assert_eq!(report.orphan_objects.len(), 2, "{report:?}");
    let mut stored: Vec<String> = app
        .state
        .store
        .list(app.state.settings.key_prefix.as_str())
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.key)
        .collect();
    stored.sort();
    let mut recorded = app.recorded_keys().await;
    recorded.sort();
    assert_eq!(stored, recorded);
    assert_eq!(fetch(&app, &public, &shown.images[0].url).await, original);
}

on_both_databases!(a_replayed_upload_form_changes_nothing_anyone_sees);
