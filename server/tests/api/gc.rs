//! `vitrine gc`: what uploads and deletions left behind goes; nothing in use is touched.

use std::time::Duration;

use crate::support::{Db, field, jpeg, spawn_app};
use backend::entities::{stored_object, upload_intent};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

on_both_databases!(gc_removes_leftovers_and_spares_what_is_in_use);

async fn gc_removes_leftovers_and_spares_what_is_in_use(db: Db) {
    let app = spawn_app(db).await;
    let store = &app.state.store;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;

    // In use: a registered photo, and an upload still in flight.
    ana.upload_photo(product.id).await;
    let kept_keys = app.recorded_keys().await;
    let begin_and_send = || async {
        let photo = jpeg(30, 20);
        let ticket = ana.begin_jpeg(product.id, &photo).await;
        ana.send(&ticket, photo).await;
        (
            ticket.intent_id.clone(),
            field(&ticket.uploads[0].fields, "key").to_owned(),
        )
    };
    let (_, in_flight_key) = begin_and_send().await;

    // Leftovers: an abandoned upload past its expiry, ...
    let (expired_intent, expired_key) = begin_and_send().await;
    upload_intent::ActiveModel {
        id: Set(expired_intent.clone()),
        expires_at: Set(Utc::now() - chrono::Duration::minutes(1)),
        ..Default::default()
    }
    .update(&app.state.db)
    .await
    .unwrap();
    // ... an object of a deleted image that the store refused to delete at the time, ...
    let detached_key = "media/sellers/1/00000000-0000-4000-8000-000000000001/display.jpg";
    store
        .put(detached_key, jpeg(8, 8), "image/jpeg")
        .await
        .unwrap();
    stored_object::ActiveModel {
        object_key: Set(detached_key.into()),
        intent_id: Set(None),
        image_id: Set(None),
        variant: Set(domain::Variant::Display),
        content_type: Set(domain::ContentType::Jpeg),
        byte_size: Set(100),
        width: Set(None),
        height: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    // ... and an object of Vitrine's own shape that nothing knows about (a crash between
    // upload and record).
    let orphan_key = "media/sellers/1/0b6c6e8a1f5e4a7e9c1d2f3e4d5c6b7a/display.jpg";
    store
        .put(orphan_key, jpeg(8, 8), "image/jpeg")
        .await
        .unwrap();
    // A bucket shared with the old Django shop: its media under the same prefix, including
    // names that look almost like Vitrine's. None of it is Vitrine's to delete, at any age.
    let foreign = [
        "media/product_images/chair.jpg",
        "media/product_images/2023/11/table.webp",
        "media/cache/5f/3a/5f3a9c.jpg",
        "media/sellers/1/stray.jpg",
        "media/sellers/1/0b6c6e8a1f5e4a7e9c1d2f3e4d5c6b7a/original.jpg",
        "media/sellers/1/0b6c6e8a-1f5e-4a7e-9c1d-2f3e4d5c6b7a/display.jpg",
        "media/sellers/1/0b6c6e8a1f5e4a7e9c1d2f3e4d5c6b7a/display.jpg.bak",
        "media/sellers/01/0b6c6e8a1f5e4a7e9c1d2f3e4d5c6b7a/thumb.jpg",
    ];
    for key in foreign {
        store.put(key, jpeg(8, 8), "image/jpeg").await.unwrap();
    }
    // Outside the key prefix: not Vitrine's, never touched.
    store
        .put("backups/db.sql", b"--".to_vec(), "text/plain")
        .await
        .unwrap();

    // Within the grace period the unknown object is left alone.
    let young = backend::gc::run(&app.state, backend::gc::DEFAULT_GRACE, true)
        .await
        .unwrap();
    assert!(young.orphan_objects.is_empty(), "{young:?}");

    // A dry run reports and removes nothing.
    let dry = backend::gc::run(&app.state, Duration::ZERO, true)
        .await
        .unwrap();
    assert_eq!(dry.expired_intents, std::slice::from_ref(&expired_intent));
    assert_eq!(dry.detached_objects, [detached_key]);
    assert_eq!(dry.orphan_objects, [orphan_key]);
    for key in [&expired_key, detached_key, orphan_key] {
        assert!(
            store.head(key).await.unwrap().is_some(),
            "{key} kept by the dry run"
        );
    }

    let done = backend::gc::run(&app.state, Duration::ZERO, false)
        .await
        .unwrap();
    assert_eq!(
        (
            done.expired_intents.len(),
            done.detached_objects.len(),
            done.orphan_objects.len()
        ),
        (1, 1, 1),
        "{done:?}"
    );
    assert!(done.failed.is_empty());
    assert_eq!(done.foreign_objects, foreign.len(), "{done:?}");
    for key in foreign {
        assert!(
            store.head(key).await.unwrap().is_some(),
            "{key} is not Vitrine's: kept"
        );
    }
    for key in [&expired_key, detached_key, orphan_key] {
        assert!(store.head(key).await.unwrap().is_none(), "{key} removed");
    }
    assert!(
        upload_intent::Entity::find_by_id(expired_intent)
            .one(&app.state.db)
            .await
            .unwrap()
            .is_none()
    );
    for key in kept_keys.iter().chain([&in_flight_key]) {
        assert!(store.head(key).await.unwrap().is_some(), "{key} is in use");
    }
    assert!(store.head("backups/db.sql").await.unwrap().is_some());
    assert_eq!(ana.gallery(product.id).await.unwrap().len(), 1);

    // Nothing of Vitrine's left: a second run removes nothing and still spares the old shop's.
    let again = backend::gc::run(&app.state, Duration::ZERO, false)
        .await
        .unwrap();
    assert_eq!(
        again,
        backend::gc::Report {
            foreign_objects: foreign.len(),
            ..Default::default()
        }
    );
    for key in foreign {
        assert!(store.head(key).await.unwrap().is_some(), "{key} still kept");
    }
    app.assert_stored_bytes_agree().await;
}
