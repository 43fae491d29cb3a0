//! PostgreSQL stopped and restarted under an upload: the pool recovers, a registration either
//! happened whole or not at all, and a retried `complete` registers each image once. A
//! `complete` cut short at any moment (as by SIGKILL) and asked again leaves nothing behind.
//! A transaction cut short while it begins (a request dropped) never leaves its connection
//! inside a transaction that would swallow the next borrower's writes.

use std::time::Duration;

use crate::support::cluster::Cluster;
use crate::support::{Db, cut_after_polls, jpeg, spawn_app, spawn_app_with};
use app::error::AppError;
use backend::entities::{image, stored_object, upload_intent};
use sea_orm::{
    ColumnTrait, ConnectOptions, ConnectionTrait, Database, EntityTrait, PaginatorTrait,
    QueryFilter,
};

on_both_databases!(
    a_complete_cut_short_at_any_moment_leaves_nothing_behind,
    an_image_deletion_cut_short_at_any_moment_leaves_nothing_after_gc,
);

/// `backend::db::begin` cut short after it was polled 1, 2, 3, … times (the runtime checks for
/// I/O between polls), on a pool of one connection so whatever a cut leaves is what the next
/// borrower gets. After each cut, a write outside any transaction must be seen at once from
/// another connection: a connection left inside the cut transaction (sqlx 0.9's `begin` on
/// PostgreSQL, issue #4393) keeps it uncommitted. The cuts go on until `begin` twice finished
/// before its cut, so every moment of it was tried.
async fn transactions_cut_short_while_they_begin_leave_none_open(url: String) {
    let mut one = ConnectOptions::new(url.clone());
    one.max_connections(1).sqlx_logging(false);
    let pool = Database::connect(one).await.unwrap();
    let other = Database::connect(url.as_str()).await.unwrap();
    pool.execute_unprepared("CREATE TABLE marks (n INTEGER NOT NULL)")
        .await
        .unwrap();
    let count = sea_orm::Statement::from_string(
        other.get_database_backend(),
        "SELECT COUNT(*) AS n FROM marks",
    );
    let (mut finished, mut cuts) = (0, 0u32);
    while finished < 2 {
        assert!(
            cuts < 5_000,
            "begin never finished before a cut of {cuts} polls"
        );
        if let Some(begun) = cut_after_polls(backend::db::begin(&pool), cuts + 1).await {
            begun.unwrap().rollback().await.unwrap();
            finished += 1;
        }
        pool.execute_unprepared(&format!("INSERT INTO marks VALUES ({cuts})"))
            .await
            .unwrap();
        let seen = other.query_one_raw(count.clone()).await.unwrap().unwrap();
        cuts += 1;
        assert_eq!(
            seen.try_get::<i64>("", "n").unwrap(),
            i64::from(cuts),
            "a write after a begin cut at poll {cuts} is not committed"
        );
    }
}

#[tokio::test]
async fn postgresql_transactions_cut_short_while_they_begin_leave_none_open() {
    let url = crate::support::postgres_database().await;
    transactions_cut_short_while_they_begin_leave_none_open(url).await;
}

#[tokio::test]
async fn sqlite_transactions_cut_short_while_they_begin_leave_none_open() {
    let dir = std::env::temp_dir().join(format!("vitrine-begin-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("cut.db").display());
    transactions_cut_short_while_they_begin_leave_none_open(url).await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// A seller deletes a photo and the request is dropped after 1, 2, 3, … polls: before its
/// transaction committed (the photo is still there, and deleted again), or after, before or
/// while its objects are deleted (as when the store refuses). Then `vitrine gc` runs: nothing of
/// the photo is left recorded or stored, so nothing counts against the seller. The cuts go on
/// until the deletion twice finished before its cut.
async fn an_image_deletion_cut_short_at_any_moment_leaves_nothing_after_gc(db: Db) {
    let app = spawn_app(db).await;
    let (ana, product, seller) = seller_with_product(&app).await;
    let (mut finished, mut cuts) = (0, 0u32);
    while finished < 2 {
        assert!(
            cuts < 2_000,
            "the deletion never finished before a cut of {cuts} polls"
        );
        let photo = ana.upload_photo(product.id).await;
        let delete = backend::images::delete(&app.state, &seller, photo.image_id);
        if let Some(deleted) = cut_after_polls(delete, cuts + 1).await {
            deleted.unwrap();
            finished += 1;
        }
        let still_there = backend::entities::image::Entity::find_by_id(photo.image_id)
            .one(&app.state.db)
            .await
            .unwrap();
        if still_there.is_some() {
            // Deleted again; or the cut COMMIT, already sent, landed meanwhile.
            let again = backend::images::delete(&app.state, &seller, photo.image_id).await;
            assert!(
                matches!(again, Ok(()) | Err(backend::Error::NotFound(_))),
                "{again:?}"
            );
        }
        let gc = backend::gc::run(&app.state, Duration::ZERO, false)
            .await
            .unwrap();
        assert!(
            app.recorded_keys().await.is_empty() && app.store_matches_records().await,
            "cut after {} polls: recorded {:?}, stored {:?}, gc {gc:?}",
            cuts + 1,
            app.recorded_keys().await,
            app.stored_keys().await
        );
        cuts += 1;
    }
}

/// Ana, signed in with a product: her browser, the product, and her account as the backend
/// sees it (to call the domain directly, as a request would).
async fn seller_with_product(
    app: &crate::support::TestApp,
) -> (
    crate::support::Browser,
    app::api::ProductSummary,
    backend::Account,
) {
    let (ana, product) = app.seller_with_product("ana@shop.example").await;
    let account = backend::accounts::by_email(&app.state.db, "ana@shop.example")
        .await
        .unwrap()
        .unwrap();
    (ana, product, account)
}

/// gc, with no grace period, finds no object to remove.
async fn nothing_for_gc(app: &crate::support::TestApp) {
    let gc = backend::gc::run(&app.state, Duration::ZERO, true)
        .await
        .unwrap();
    assert!(
        gc.orphan_objects.is_empty() && gc.detached_objects.is_empty(),
        "{gc:?}"
    );
}

/// `complete` stopped after 0, 1, 2, … steps of a fortieth of its usual time, as a server
/// killed with SIGKILL stops: what it did stays (copies made, a transaction committed), the rest
/// never happens. The page asks again, as it does when an answer is lost: one image each time,
/// and the store holds exactly the files the database knows, with nothing for gc. The cuts go
/// on until `complete` twice ran to its end before its cut, so every moment of it was tried
/// however slow the machine is today.
async fn a_complete_cut_short_at_any_moment_leaves_nothing_behind(db: Db) {
    let app = spawn_app(db).await;
    let (ana, product, seller) = seller_with_product(&app).await;
    let usual = {
        let photo = jpeg(39, 30);
        let ticket = ana.begin_jpeg(product.id, &photo).await;
        assert_eq!(ana.send(&ticket, photo).await.status().as_u16(), 204);
        let started = std::time::Instant::now();
        backend::uploads::complete(&app.state, &seller, &ticket.intent_id)
            .await
            .unwrap();
        started.elapsed()
    };
    let step = (usual / 40).max(Duration::from_millis(1));
    let (mut left_something, mut ran_to_the_end, mut cuts) = (0, 0, 0u32);
    while ran_to_the_end < 2 {
        assert!(
            cuts < 400,
            "complete never ran to its end before a cut of {cuts} steps"
        );
        let photo = jpeg(40 + cuts, 30);
        let ticket = ana.begin_jpeg(product.id, &photo).await;
        assert_eq!(ana.send(&ticket, photo).await.status().as_u16(), 204);
        let (state, who, intent) = (app.state.clone(), seller.clone(), ticket.intent_id.clone());
        let cut =
            tokio::spawn(async move { backend::uploads::complete(&state, &who, &intent).await });
        tokio::time::sleep(step * cuts).await;
        if cut.is_finished() {
            ran_to_the_end += 1;
        }
        cut.abort();
        let _ = cut.await;
        if !app.store_matches_records().await {
            left_something += 1;
        }

        let image = ana.complete(&ticket.intent_id).await.unwrap();
        let again = ana.complete(&ticket.intent_id).await.unwrap();
        assert_eq!(again.image_id, image.image_id);
        assert!(
            app.store_matches_records().await,
            "cut after {cuts} × {step:?}: {:?}",
            app.stored_keys().await
        );
        cuts += 1;
    }
    // Some cuts came between copying and registering or cleaning up: the case this is about.
    assert!(left_something > 0, "no cut left anything to clean up");
    assert_eq!(
        ana.gallery(product.id).await.unwrap().len(),
        cuts as usize + 1,
        "each photo once"
    );
    nothing_for_gc(&app).await;
}

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
    let pending = ana.gallery(product.id).await.unwrap().remove(0).url;
    cluster.stop();
    // While it is away, a signed-in seller is not taken for a signed-out one: their page is
    // not sent to sign in again, and their pending picture is "later" (503), not "not found".
    let page = ana
        .http
        .get(format!("{}/products/{}", app.base, product.id))
        .send()
        .await
        .unwrap();
    assert!(!page.url().path().starts_with("/signin"), "{}", page.url());
    let picture = ana
        .http
        .get(format!("{}{pending}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(picture.status().as_u16(), 503);
    // Completing says "try again" and registers nothing.
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
    nothing_for_gc(&app).await;
    assert_ne!(registered[0], registered[1]);
}
