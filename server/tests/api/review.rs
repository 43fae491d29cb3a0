//! Admin review and the public storefront: who may decide, and what the public sees.

use crate::support::{Db, spawn_app};
use app::error::AppError;

on_both_databases!(
    the_queue_pages_by_key_without_gaps_or_repeats,
    only_admins_review_and_only_approved_images_reach_the_store,
    storefront_html_never_mentions_unapproved_images,
    a_stale_queue_never_undoes_another_admins_decision,
);

async fn only_admins_review_and_only_approved_images_reach_the_store(db: Db) {
    let app = spawn_app(db).await;
    let (seller, product) = app.seller_with_product("ana@shop.example").await;
    let first = seller.upload_photo(product.id).await;
    let second = seller.upload_photo(product.id).await;
    let public = app.browser();
    // Nothing approved: the product is not published, and answers as one that does not exist.
    assert_eq!(
        public.store_product(product.id).await.unwrap_err(),
        public.store_product(987_654).await.unwrap_err(),
    );
    let page = reqwest::get(format!("{}/store/{}", app.base, product.id))
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 404);
    assert!(!page.text().await.unwrap().contains("Linen tote"));

    // Sellers and strangers cannot use the queue.
    assert_eq!(
        seller.review_queue().await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        seller
            .review(&[first.image_id], true, None)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        public.review_queue().await.unwrap_err(),
        AppError::Unauthenticated
    );
    assert_eq!(
        public
            .review(&[first.image_id], true, None)
            .await
            .unwrap_err(),
        AppError::Unauthenticated
    );

    let admin = app.admin().await;
    let queue = admin.review_queue().await.unwrap();
    assert_eq!(
        queue.iter().map(|i| i.image_id).collect::<Vec<_>>(),
        vec![first.image_id, second.image_id]
    );
    assert_eq!(queue[0].seller_email, "ana@shop.example");
    assert_eq!(queue[0].product_name, "Linen tote");
    assert_eq!((queue[0].width, queue[0].height), (48, 32));

    // A rejection needs a reason; a bad request changes nothing.
    assert!(matches!(
        admin.review(&[first.image_id], false, Some("  ")).await,
        Err(AppError::Refused(_))
    ));
    assert!(matches!(
        admin.review(&[first.image_id, 999_999], true, None).await,
        Err(AppError::NotFound(_))
    ));
    assert_eq!(admin.review_queue().await.unwrap().len(), 2);

    assert_eq!(
        admin
            .review(&[first.image_id], false, Some("Too blurry"))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        admin.review(&[second.image_id], true, None).await.unwrap(),
        1
    );
    assert!(admin.review_queue().await.unwrap().is_empty());
    // The same decisions again (a double click, a second admin): nothing changes, and the
    // history records each decision once.
    assert_eq!(
        admin
            .review(&[first.image_id, second.image_id], true, None)
            .await
            .unwrap(),
        1,
        "only the rejected one changes"
    );
    assert_eq!(
        admin.review(&[second.image_id], true, None).await.unwrap(),
        0
    );
    let trail: app::api::History = admin
        .call_form("audit_trail", &[("product_id", &product.id.to_string())])
        .await
        .unwrap();
    let approvals = |id: i64| {
        trail
            .entries
            .iter()
            .filter(|e| e.image_id == Some(id) && e.action.as_str() == "approved")
            .count()
    };
    assert_eq!(
        (approvals(first.image_id), approvals(second.image_id)),
        (1, 1)
    );
    admin
        .review(&[first.image_id], false, Some("Too blurry"))
        .await
        .unwrap();

    let gallery = seller.gallery(product.id).await.unwrap();
    let rejected = gallery.iter().find(|i| i.id == first.image_id).unwrap();
    assert_eq!(rejected.status, domain::ImageStatus::Rejected);
    assert_eq!(rejected.review_reason.as_deref(), Some("Too blurry"));

    let store = public.store_product(product.id).await.unwrap();
    assert_eq!(store.name, "Linen tote");
    assert_eq!(store.images.len(), 1);
    assert!(matches!(
        public.store_product(987_654).await,
        Err(AppError::NotFound(_))
    ));
}

async fn storefront_html_never_mentions_unapproved_images(db: Db) {
    use backend::entities::stored_object;
    use sea_orm::EntityTrait;

    let app = spawn_app(db).await;
    let (seller, product) = app.seller_with_product("ana@shop.example").await;
    let approved = seller.upload_photo(product.id).await;
    let rejected = seller.upload_photo(product.id).await;
    let pending = seller.upload_photo(product.id).await;
    let admin = app.admin().await;
    admin
        .review(&[approved.image_id], true, None)
        .await
        .unwrap();
    admin
        .review(&[rejected.image_id], false, Some("Wrong product"))
        .await
        .unwrap();

    let html = reqwest::get(format!("{}/store/{}", app.base, product.id))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let objects = stored_object::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    let key_of = |image_id: i64| {
        let key = &objects
            .iter()
            .find(|o| o.image_id == Some(image_id))
            .unwrap()
            .object_key;
        // Keys name the upload's folder; neither the key nor the folder may appear.
        key.rsplit_once('/').unwrap().0.to_owned()
    };
    assert!(
        html.contains(&key_of(approved.image_id)),
        "the approved image is on the page"
    );
    assert!(!html.contains(&key_of(rejected.image_id)));
    assert!(!html.contains(&key_of(pending.image_id)));
    assert!(!html.contains("Wrong product"));
    assert_eq!(html.matches("data-testid=\"store-image\"").count(), 1);

    let missing = reqwest::get(format!("{}/store/987654", app.base))
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);
}

async fn the_queue_pages_by_key_without_gaps_or_repeats(db: Db) {
    let app = spawn_app(db).await;
    let (seller, product) = app.seller_with_product("ana@shop.example").await;
    let page_size = backend::review::PAGE_SIZE as usize;
    let mut uploaded = Vec::new();
    for _ in 0..page_size + 3 {
        uploaded.push(seller.upload_photo(product.id).await.image_id);
    }
    let admin = app.admin().await;

    let first = admin.review_page(None).await.unwrap();
    assert_eq!(first.items.len(), page_size);
    let cursor = first.next.clone().expect("a second page");
    let second = admin.review_page(Some(&cursor)).await.unwrap();
    assert_eq!(second.items.len(), 3);
    assert!(second.next.is_none(), "the last page says so");
    let seen: Vec<i64> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|i| i.image_id)
        .collect();
    assert_eq!(seen, uploaded, "oldest first, each once");

    // Deciding images on the first page does not shift what the cursor points at.
    admin.review(&uploaded[..5], true, None).await.unwrap();
    let again = admin.review_page(Some(&cursor)).await.unwrap();
    let ids = |p: &app::api::QueuePage| p.items.iter().map(|i| i.image_id).collect::<Vec<_>>();
    assert_eq!(ids(&again), ids(&second));

    // A made-up cursor is refused with a message, not a server error.
    let bad = admin
        .call_form::<app::api::QueuePage>(
            "review_queue",
            &[("after_uploaded_at", "yesterday"), ("after_id", "1")],
        )
        .await
        .unwrap_err();
    assert!(matches!(bad, AppError::Refused(_)), "{bad:?}");
}

/// Two admins (or two tabs) on the same queue: one rejects, the other, whose page still shows
/// the image pending, approves it. The approval is refused, nothing changes, and the image is
/// not published; the history shows the one decision.
async fn a_stale_queue_never_undoes_another_admins_decision(db: Db) {
    let app = spawn_app(db).await;
    let (seller, product) = app.seller_with_product("ana@shop.example").await;
    let shown = seller.upload_photo(product.id).await;
    let other = seller.upload_photo(product.id).await;
    let admin = app.admin().await;
    let queue = |ids: &[i64], decision: app::api::ReviewDecision| {
        let body =
            serde_json::json!({ "image_ids": ids, "decision": decision, "seen_as": "pending" });
        admin.call_json::<u64>("review_decide", body)
    };
    let reject = app::api::ReviewDecision::Reject {
        reason: "Too dark".into(),
    };
    assert_eq!(queue(&[shown.image_id], reject).await, Ok(1));
    // The stale page approves it, with another pending image: all or nothing.
    let refused = queue(
        &[shown.image_id, other.image_id],
        app::api::ReviewDecision::Approve,
    )
    .await;
    match refused {
        Err(AppError::Conflict(message)) => {
            assert!(message.contains("decided meanwhile"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    let gallery = seller.gallery(product.id).await.unwrap();
    let status = |id: i64| {
        gallery
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.status)
            .unwrap()
    };
    assert_eq!(status(shown.image_id), domain::ImageStatus::Rejected);
    assert_eq!(status(other.image_id), domain::ImageStatus::Pending);
    assert!(app.browser().store_product(product.id).await.is_err());
    // Without `seen_as` an admin may still take a decision back on purpose.
    assert_eq!(admin.review(&[shown.image_id], true, None).await, Ok(1));
}
