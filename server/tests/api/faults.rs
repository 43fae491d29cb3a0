//! PostgreSQL stopped and restarted under an upload: the pool recovers, a registration either
//! happened whole or not at all, and a retried `complete` registers each image once.

use std::time::Duration;

use crate::support::cluster::Cluster;
use crate::support::{Db, jpeg, spawn_app_with};
use app::error::AppError;
use backend::entities::{image, stored_object, upload_intent};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_restarted_mid_batch_nothing_is_half_registered_or_doubled() {
    let cluster = Cluster::start();
    let url = cluster.url();
    let app = spawn_app_with(Db::Sqlite, move |s| s.database_url = url).await;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;
    ana.upload_photo(product.id).await;

    // Two photos are in the store, not registered yet, when the database goes away.
    let mut tickets = Vec::new();
    for size in [40, 50] {
        let photo = jpeg(size, size);
        let ticket = ana.begin_jpeg(product.id, &photo).await;
        assert_eq!(ana.send(&ticket, photo).await.status().as_u16(), 204);
        tickets.push(ticket);
    }
    cluster.stop();
    // While it is away, completing says "try again" and registers nothing.
    let refused = ana.complete(&tickets[0].intent_id).await.unwrap_err();
    assert!(
        matches!(&refused, AppError::Unavailable(m) if m.contains("Try again")),
        "{refused:?}"
    );

    cluster.start_again();
    // The page tries again, as it does after any "try again"; the pool reconnects.
    let mut registered = Vec::new();
    for ticket in &tickets {
        let mut tries = 0;
        let image = loop {
            tries += 1;
            match ana.complete(&ticket.intent_id).await {
                Ok(image) => break image,
                Err(AppError::Unavailable(_)) if tries < 20 => {
                    tokio::time::sleep(Duration::from_millis(500)).await
                }
                Err(err) => panic!("complete after the restart: {err:?}"),
            }
        };
        // And once more, as a page whose answer was lost would: the same image, not a second.
        let again = ana.complete(&ticket.intent_id).await.unwrap();
        assert_eq!(again.image_id, image.image_id);
        registered.push(image.image_id);
    }
    ana.upload_photo(product.id).await;

    // Four photos, each registered once, each with its object; no intent left open.
    let db = &app.state.db;
    assert_eq!(ana.gallery(product.id).await.unwrap().len(), 4);
    assert_eq!(image::Entity::find().count(db).await.unwrap(), 4);
    let detached = stored_object::Entity::find()
        .filter(stored_object::Column::ImageId.is_null())
        .count(db)
        .await
        .unwrap();
    assert_eq!(detached, 0);
    let open = upload_intent::Entity::find()
        .filter(upload_intent::Column::CompletedAt.is_null())
        .count(db)
        .await
        .unwrap();
    assert_eq!(open, 0);
    let report = backend::integrity::check(db, &app.state.store, backend::integrity::Depth::Heads)
        .await
        .unwrap();
    assert_eq!((report.images_checked, report.damaged.len()), (4, 0));
    let gc = backend::gc::run(&app.state, Duration::ZERO, true)
        .await
        .unwrap();
    assert!(
        gc.orphan_objects.is_empty() && gc.detached_objects.is_empty(),
        "{gc:?}"
    );
    assert_ne!(registered[0], registered[1]);
}
