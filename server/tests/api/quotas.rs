//! How much one seller may hold (issue 15, item 7), tried over HTTP: past each limit the
//! request is refused (409) before anything is signed or written, with the limit in the
//! sentence, and what the seller already has is untouched.

use app::error::AppError;
use backend::entities::{account, stored_object, upload_intent};
use backend::quotas::Quotas;
use domain::{ContentType, Variant};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

use crate::support::{Db, TestApp, jpeg, spawn_app, spawn_app_with};

fn refused_saying(result: Result<impl std::fmt::Debug, AppError>, says: &str) {
    match result {
        Err(AppError::Conflict(sentence)) => assert!(sentence.contains(says), "{sentence}"),
        other => panic!("expected a 409 saying {says:?}, got {other:?}"),
    }
}

async fn each_limit_refuses_before_anything_is_signed(db: Db) {
    let quotas = Quotas {
        pending_images: 2,
        stored_bytes: 10_000_000,
        open_uploads: 3,
        products: 2,
    };
    let app = spawn_app_with(db, |s| s.quotas = quotas).await;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;

    // Products.
    ana.create_product("Second").await.unwrap();
    refused_saying(ana.create_product("Third").await, "2 products, the most");
    let names: Vec<app::api::ProductSummary> = ana.call_form("list_products", &[]).await.unwrap();
    assert_eq!(names.len(), 2);

    // Uploads on their way at once.
    let photo = jpeg(32, 32);
    let mut tickets = Vec::new();
    for _ in 0..3 {
        tickets.push(ana.begin_jpeg(product.id, &photo).await);
    }
    refused_saying(
        ana.begin(product.id, "image/jpeg", photo.len() as u64)
            .await,
        "3 uploads are already on their way",
    );
    assert_eq!(
        upload_intent::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        3
    );

    // Photos waiting for review: two registered, the third's begin is refused...
    for ticket in &tickets[..2] {
        assert_eq!(ana.send(ticket, photo.clone()).await.status().as_u16(), 204);
        ana.complete(&ticket.intent_id).await.unwrap();
    }
    ana.call_form::<()>("cancel_upload", &[("intent_id", &tickets[2].intent_id)])
        .await
        .unwrap();
    refused_saying(
        ana.begin(product.id, "image/jpeg", photo.len() as u64)
            .await,
        "2 photos waiting for review",
    );
    // ... until an admin reviews one.
    let admin = app.admin().await;
    let queue = admin.review_queue().await.unwrap();
    admin
        .review(&[queue[0].image_id], true, None)
        .await
        .unwrap();
    ana.begin_jpeg(product.id, &photo).await;

    // Another seller has limits of their own.
    let (bo, bo_product) = app.seller_with_product("bo@shop.example").await;
    bo.begin_jpeg(bo_product.id, &photo).await;
}

async fn stored_bytes_are_limited_per_seller(db: Db) {
    let app = spawn_app_with(db, |s| {
        s.quotas = Quotas {
            stored_bytes: 3_000_000,
            ..Quotas::default()
        }
    })
    .await;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;
    // 2 MB declared on its way counts: the next 2 MB would pass the 3 MB.
    ana.begin(product.id, "image/jpeg", 2_000_000)
        .await
        .unwrap();
    refused_saying(
        ana.begin(product.id, "image/jpeg", 2_000_000).await,
        "Your photos take 2 MB of the 3 MB one seller may store",
    );
    assert_eq!(
        upload_intent::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        1
    );
    // Another seller's 5 MB are theirs, not ana's.
    let (_bo, bo_product) = app.seller_with_product("bo@shop.example").await;
    let bo_id = account_id(&app, "bo@shop.example").await;
    stored_object::ActiveModel {
        object_key: Set(format!(
            "{}0c1d/display.jpg",
            app.state.settings.key_prefix.for_seller(bo_id)
        )),
        account_id: Set(Some(bo_id)),
        variant: Set(Variant::Display),
        content_type: Set(ContentType::Jpeg),
        byte_size: Set(5_000_000),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    assert_ne!(bo_product.id, product.id);
    ana.begin(product.id, "image/jpeg", 900_000).await.unwrap();
    app.assert_stored_bytes_agree().await;
}

async fn account_id(app: &TestApp, email: &str) -> i64 {
    account_of(app, email).await.id
}

async fn account_of(app: &TestApp, email: &str) -> account::Model {
    account::Entity::find()
        .filter(account::Column::Email.eq(email))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
}

/// The stored bytes a seller's uploads are limited by are a running total the database keeps
/// (so that beginning an upload does not read every object the seller has). Every path that
/// adds or removes objects is taken here, and after each the total is what the objects add up
/// to: begun, published to new keys, cancelled, another seller's, an image deleted, an
/// abandoned upload collected by gc, a product deleted, and rows changed by an operator's SQL.
async fn stored_bytes_follow_every_path(db: Db) {
    let app = spawn_app(db).await;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;
    let (bo, bo_product) = app.seller_with_product("bo@shop.example").await;
    let total = |email: &'static str| {
        let app = &app;
        async move { account_of(app, email).await.stored_bytes }
    };
    assert_eq!(total("ana@shop.example").await, 0);

    // Begun: the declared bytes count at once, before anything is uploaded.
    let photo = jpeg(40, 30);
    let size = photo.len() as i64;
    let ticket = ana.begin_jpeg(product.id, &photo).await;
    assert_eq!(total("ana@shop.example").await, size);
    app.assert_stored_bytes_agree().await;

    // Completed: published under new keys, counted once.
    assert_eq!(
        ana.send(&ticket, photo.clone()).await.status().as_u16(),
        204
    );
    let first = ana.complete(&ticket.intent_id).await.unwrap();
    assert_eq!(total("ana@shop.example").await, size);
    app.assert_stored_bytes_agree().await;

    // Begun and cancelled: back to what it was.
    let cancelled = ana.begin_jpeg(product.id, &photo).await;
    assert_eq!(total("ana@shop.example").await, 2 * size);
    ana.call_form::<()>("cancel_upload", &[("intent_id", &cancelled.intent_id)])
        .await
        .unwrap();
    assert_eq!(total("ana@shop.example").await, size);

    // Another seller's photo is theirs alone.
    bo.upload_photo(bo_product.id).await;
    assert_eq!(total("ana@shop.example").await, size);
    assert!(total("bo@shop.example").await > 0);
    app.assert_stored_bytes_agree().await;

    // An image deleted: its bytes go with its objects.
    ana.call_form::<()>("delete_image", &[("image_id", &first.image_id.to_string())])
        .await
        .unwrap();
    assert_eq!(total("ana@shop.example").await, 0);

    // An upload abandoned past its expiry: counted until gc collects it.
    let abandoned = ana.begin_jpeg(product.id, &photo).await;
    ana.send(&abandoned, photo.clone()).await;
    upload_intent::ActiveModel {
        id: Set(abandoned.intent_id.clone()),
        expires_at: Set(chrono::Utc::now() - chrono::Duration::minutes(1)),
        ..Default::default()
    }
    .update(&app.state.db)
    .await
    .unwrap();
    assert_eq!(total("ana@shop.example").await, size);
    backend::gc::run(&app.state, std::time::Duration::ZERO, false)
        .await
        .unwrap();
    assert_eq!(total("ana@shop.example").await, 0);
    app.assert_stored_bytes_agree().await;

    // A product deleted with its photos and an upload on its way.
    ana.upload_photo(product.id).await;
    ana.upload_photo(product.id).await;
    ana.begin_jpeg(product.id, &photo).await;
    assert!(total("ana@shop.example").await > 0);
    ana.call_form::<()>(
        "delete_product",
        &[("id", &product.id.to_string()), ("confirmed_images", "2")],
    )
    .await
    .unwrap();
    assert_eq!(total("ana@shop.example").await, 0);
    app.assert_stored_bytes_agree().await;

    // An operator's SQL: a row resized, handed to another seller, and deleted by hand.
    let bo_before = total("bo@shop.example").await;
    let row = stored_object::Entity::find()
        .filter(stored_object::Column::AccountId.eq(account_id(&app, "bo@shop.example").await))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    stored_object::ActiveModel {
        id: Set(row.id),
        byte_size: Set(row.byte_size + 1_000),
        ..Default::default()
    }
    .update(&app.state.db)
    .await
    .unwrap();
    assert_eq!(total("bo@shop.example").await, bo_before + 1_000);
    stored_object::ActiveModel {
        id: Set(row.id),
        account_id: Set(Some(account_id(&app, "ana@shop.example").await)),
        ..Default::default()
    }
    .update(&app.state.db)
    .await
    .unwrap();
    assert_eq!(total("ana@shop.example").await, row.byte_size + 1_000);
    assert_eq!(total("bo@shop.example").await, bo_before - row.byte_size);
    stored_object::Entity::delete_by_id(row.id)
        .exec(&app.state.db)
        .await
        .unwrap();
    assert_eq!(total("ana@shop.example").await, 0);
    app.assert_stored_bytes_agree().await;
}

/// Migration 10 starts each seller's total from the rows already stored: objects are the
/// seller's of their intent, else of their image, else of their key; an object of none (a
/// key no seller's) counts for nobody. Undone and done again, it gives the same totals.
async fn the_running_total_starts_from_what_is_stored(db: Db) {
    use migrations::{Migrator, MigratorTrait};
    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    let (conn, data_dir) = crate::support::empty_database(db).await;
    Migrator::up(&conn, Some(9)).await.unwrap();
    let at = "'2026-11-27 00:00:00+00:00'";
    for sql in [
        format!(
            r#"INSERT INTO "accounts" ("id", "email", "password_hash", "role", "created_at") VALUES (1, 'ana@shop.example', 'x', 'seller', {at}), (2, 'bo@shop.example', 'x', 'seller', {at})"#
        ),
        format!(
            r#"INSERT INTO "products" ("id", "account_id", "name", "created_at") VALUES (1, 1, 'Stool', {at})"#
        ),
        format!(
            r#"INSERT INTO "upload_intents" ("id", "account_id", "product_id", "created_at", "expires_at", "completed_at") VALUES ('0b6c6e8a-1f5e-4a7e-9c1d-2f3e4d5c6b7a', 1, 1, {at}, {at}, {at})"#
        ),
        format!(
            r#"INSERT INTO "images" ("id", "product_id", "account_id", "intent_id", "status", "position", "width", "height", "created_at") VALUES (1, 1, 1, '0b6c6e8a-1f5e-4a7e-9c1d-2f3e4d5c6b7a', 'approved', 0, 10, 10, {at})"#
        ),
        format!(
            r#"INSERT INTO "stored_objects" ("id", "object_key", "intent_id", "image_id", "variant", "content_type", "byte_size", "created_at") VALUES
            (1, 'media/sellers/1/0b6c6e8a1f5e4a7e9c1d2f3e4d5c6b7a/display.jpg', '0b6c6e8a-1f5e-4a7e-9c1d-2f3e4d5c6b7a', 1, 'display', 'image/jpeg', 100, {at}),
            (2, 'media/sellers/1/0b6c6e8a1f5e4a7e9c1d2f3e4d5c6b7a/thumb.jpg', NULL, 1, 'thumb', 'image/jpeg', 20, {at}),
            (3, 'media/sellers/2/5c6b7a0b6c6e8a1f5e4a7e9c1d2f3e4d/display.jpg', NULL, NULL, 'display', 'image/jpeg', 7, {at}),
            (4, 'legacy/uploads/lamp.jpg', NULL, NULL, 'display', 'image/jpeg', 1000, {at})"#
        ),
    ] {
        conn.execute_unprepared(&sql).await.unwrap();
    }
    let backend: DbBackend = conn.get_database_backend();
    let numbers = |sql: &'static str| {
        let conn = &conn;
        async move {
            conn.query_all_raw(Statement::from_string(backend, sql))
                .await
                .unwrap()
                .into_iter()
                .map(|row| row.try_get_by_index::<Option<i64>>(0).unwrap())
                .collect::<Vec<_>>()
        }
    };
    let totals = r#"SELECT "stored_bytes" FROM "accounts" ORDER BY "id""#;
    let owners = r#"SELECT "account_id" FROM "stored_objects" ORDER BY "id""#;

    Migrator::up(&conn, None).await.unwrap();
    assert_eq!(numbers(totals).await, [Some(120), Some(7)]);
    assert_eq!(numbers(owners).await, [Some(1), Some(1), Some(2), None]);

    // From now on the triggers keep the totals.
    conn.execute_unprepared(&format!(
        r#"INSERT INTO "stored_objects" ("id", "object_key", "account_id", "variant", "content_type", "byte_size", "created_at") VALUES (5, 'media/sellers/2/7a0b6c6e8a1f5e4a7e9c1d2f3e4d5c6b/display.jpg', 2, 'display', 'image/jpeg', 5, {at})"#
    ))
    .await
    .unwrap();
    conn.execute_unprepared(r#"DELETE FROM "stored_objects" WHERE "id" = 1"#)
        .await
        .unwrap();
    assert_eq!(numbers(totals).await, [Some(20), Some(12)]);
    // A row written without its owner, as the previous release writes them during a rolling
    // deploy, is its intent's seller's.
    conn.execute_unprepared(&format!(
        r#"INSERT INTO "stored_objects" ("id", "object_key", "intent_id", "variant", "content_type", "byte_size", "created_at") VALUES (6, 'media/sellers/1/0b6c6e8a1f5e4a7e9c1d2f3e4d5c6b7a/medium.jpg', '0b6c6e8a-1f5e-4a7e-9c1d-2f3e4d5c6b7a', 'medium', 'image/jpeg', 3, {at})"#
    ))
    .await
    .unwrap();
    assert_eq!(numbers(totals).await, [Some(23), Some(12)]);
    assert_eq!(
        numbers(owners).await,
        [Some(1), Some(2), None, Some(2), Some(1)]
    );

    // Undone (with those after it), then done again: the same totals, from the rows.
    let after_9 = (Migrator::migrations().len() - 9) as u32;
    Migrator::down(&conn, Some(after_9)).await.unwrap();
    Migrator::up(&conn, None).await.unwrap();
    assert_eq!(numbers(totals).await, [Some(23), Some(12)]);
    let _ = std::fs::remove_dir_all(&data_dir);
}

on_both_databases!(
    each_limit_refuses_before_anything_is_signed,
    stored_bytes_are_limited_per_seller,
    stored_bytes_follow_every_path,
    the_running_total_starts_from_what_is_stored,
);
