//! `vitrine gc`: what uploads and deletions left behind goes; nothing in use is touched.

use std::time::Duration;

use crate::support::{Db, field, jpeg, spawn_app};
use backend::entities::{session, stored_object, upload_intent};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

on_both_databases!(
    gc_removes_leftovers_and_spares_what_is_in_use,
    migration_11_frees_what_earlier_deletions_left,
);

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

    // ... and two sessions no request can use any more, never presented again: one past its
    // end, one idle too long. Ana's own session is in use.
    let ana_id = backend::accounts::by_email(&app.state.db, "ana@shop.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    let now = Utc::now();
    for (id, expires_at, last_seen_at) in [
        ("ended", now - chrono::Duration::minutes(1), Some(now)),
        (
            "idle",
            now + chrono::Duration::days(20),
            Some(now - chrono::Duration::days(4)),
        ),
    ] {
        session::ActiveModel {
            id: Set(id.into()),
            account_id: Set(ana_id),
            created_at: Set(now - chrono::Duration::days(10)),
            expires_at: Set(expires_at),
            last_seen_at: Set(last_seen_at),
        }
        .insert(&app.state.db)
        .await
        .unwrap();
    }
    let sessions = || async {
        let mut ids: Vec<String> = session::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(sessions().await.len(), 3);

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
    assert_eq!((dry.ended_sessions, sessions().await.len()), (2, 3));
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
    assert_eq!(done.ended_sessions, 2);
    let left = sessions().await;
    assert!(
        left.len() == 1 && !left.iter().any(|id| id == "ended" || id == "idle"),
        "only Ana's own session stays: {left:?}"
    );
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

/// Before migration 11, deleting an image left its objects' rows linked to its completed
/// intent when the store refused (or the request was dropped), and gc spares rows of an intent
/// that exists. The migration unlinks exactly those rows, so gc's step 2 deletes them; a row of
/// an upload in flight and a registered image's rows keep their links.
async fn migration_11_frees_what_earlier_deletions_left(db: Db) {
    use migrations::{Migrator, MigratorTrait};
    use sea_orm::{ConnectionTrait, Statement};

    let (conn, data_dir) = crate::support::empty_database(db).await;
    Migrator::up(&conn, Some(10)).await.unwrap();
    let at = "'2026-11-27 00:00:00+00:00'";
    let (deleted, in_flight, kept) = (
        "0b6c6e8a-1f5e-4a7e-9c1d-2f3e4d5c6b7a",
        "1b6c6e8a-1f5e-4a7e-9c1d-2f3e4d5c6b7a",
        "2b6c6e8a-1f5e-4a7e-9c1d-2f3e4d5c6b7a",
    );
    for sql in [
        format!(
            r#"INSERT INTO "accounts" ("id", "email", "password_hash", "role", "created_at") VALUES (1, 'ana@shop.example', 'x', 'seller', {at})"#
        ),
        format!(
            r#"INSERT INTO "products" ("id", "account_id", "name", "created_at") VALUES (1, 1, 'Stool', {at})"#
        ),
        format!(
            r#"INSERT INTO "upload_intents" ("id", "account_id", "product_id", "created_at", "expires_at", "completed_at") VALUES ('{deleted}', 1, 1, {at}, {at}, {at}), ('{in_flight}', 1, 1, {at}, {at}, NULL), ('{kept}', 1, 1, {at}, {at}, {at})"#
        ),
        format!(
            r#"INSERT INTO "images" ("id", "product_id", "account_id", "intent_id", "status", "position", "width", "height", "created_at") VALUES (1, 1, 1, '{kept}', 'approved', 0, 10, 10, {at})"#
        ),
        format!(
            r#"INSERT INTO "stored_objects" ("id", "object_key", "account_id", "intent_id", "image_id", "variant", "content_type", "byte_size", "created_at") VALUES
            (1, 'media/sellers/1/0b6c6e8a1f5e4a7e9c1d2f3e4d5c6b7a/display.jpg', 1, '{deleted}', NULL, 'display', 'image/jpeg', 100, {at}),
            (2, 'media/sellers/1/1b6c6e8a1f5e4a7e9c1d2f3e4d5c6b7a/display.jpg', 1, '{in_flight}', NULL, 'display', 'image/jpeg', 100, {at}),
            (3, 'media/sellers/1/2b6c6e8a1f5e4a7e9c1d2f3e4d5c6b7a/display.jpg', 1, '{kept}', 1, 'display', 'image/jpeg', 100, {at})"#
        ),
    ] {
        conn.execute_unprepared(&sql).await.unwrap();
    }
    let links = || async {
        conn.query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            r#"SELECT "intent_id" FROM "stored_objects" ORDER BY "id""#,
        ))
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.try_get_by_index::<Option<String>>(0).unwrap())
        .collect::<Vec<_>>()
    };

    Migrator::up(&conn, None).await.unwrap();
    assert_eq!(
        links().await,
        [None, Some(in_flight.to_owned()), Some(kept.to_owned())]
    );
    // Undone (with those after it) and done again: nothing else changes.
    let after_10 = (Migrator::migrations().len() - 10) as u32;
    Migrator::down(&conn, Some(after_10)).await.unwrap();
    Migrator::up(&conn, None).await.unwrap();
    assert_eq!(
        links().await,
        [None, Some(in_flight.to_owned()), Some(kept.to_owned())]
    );
    let _ = std::fs::remove_dir_all(&data_dir);
}
