//! How much one seller may hold (issue 15, item 7), tried over HTTP: past each limit the
//! request is refused (409) before anything is signed or written, with the limit in the
//! sentence, and what the seller already has is untouched.

use app::error::AppError;
use backend::entities::{account, stored_object, upload_intent};
use backend::quotas::Quotas;
use domain::{ContentType, Variant};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

use crate::support::{Db, jpeg, spawn_app_with};

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
    // A seller whose id starts with ana's (10 beside 1, under `media/10/` beside `media/1/`)
    // stores 5 MB: theirs, not ana's.
    let ana_id = account::Entity::find()
        .filter(account::Column::Email.eq("ana@shop.example"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let neighbour = app.state.settings.key_prefix.for_seller(ana_id * 10);
    stored_object::ActiveModel {
        object_key: Set(format!("{neighbour}0c1d/display.jpg")),
        variant: Set(Variant::Display),
        content_type: Set(ContentType::Jpeg),
        byte_size: Set(5_000_000),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    ana.begin(product.id, "image/jpeg", 900_000).await.unwrap();
}

on_both_databases!(
    each_limit_refuses_before_anything_is_signed,
    stored_bytes_are_limited_per_seller,
);
