//! A seller's edits to images: alt text and deletion, and who may make them.

use crate::support::{Browser, Db, spawn_app};
use app::error::AppError;

on_both_databases!(
    alt_text_and_delete_are_the_owners_alone,
    concurrent_reorders_never_lose_an_update,
    uploads_finishing_together_get_distinct_positions,
    a_big_gallery_comes_in_pages
);

async fn alt_text_and_delete_are_the_owners_alone(db: Db) {
    use backend::entities::stored_object;
    use sea_orm::{EntityTrait, PaginatorTrait};

    let app = spawn_app(db).await;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;
    let image = ana.upload_photo(product.id).await;
    let id = image.image_id.to_string();
    let bob = app.browser();
    bob.sign_up("bob@shop.example").await;
    let stranger = app.browser();

    // Others cannot touch it: the same answer as for a missing image.
    let e = bob
        .call_form::<String>(
            "update_image_alt",
            &[("image_id", &id), ("alt_text", "mine")],
        )
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::NotFound(_)));
    let e = bob
        .call_form::<()>("delete_image", &[("image_id", &id)])
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::NotFound(_)));
    assert_eq!(
        stranger
            .call_form::<()>("delete_image", &[("image_id", &id)])
            .await
            .unwrap_err(),
        AppError::Unauthenticated
    );
    let too_long = "x".repeat(501);
    assert!(matches!(
        ana.call_form::<String>(
            "update_image_alt",
            &[("image_id", &id), ("alt_text", &too_long)]
        )
        .await,
        Err(AppError::Refused(_))
    ));
    assert_eq!(ana.gallery(product.id).await.unwrap()[0].alt_text, "");

    let saved: String = ana
        .call_form(
            "update_image_alt",
            &[("image_id", &id), ("alt_text", "  Oak stool, side view ")],
        )
        .await
        .unwrap();
    assert_eq!(saved, "Oak stool, side view");
    assert_eq!(
        ana.gallery(product.id).await.unwrap()[0].alt_text,
        "Oak stool, side view"
    );

    let key = stored_object::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .object_key;
    ana.call_form::<()>("delete_image", &[("image_id", &id)])
        .await
        .unwrap();
    assert!(ana.gallery(product.id).await.unwrap().is_empty());
    assert!(
        app.state.store.head(&key).await.unwrap().is_none(),
        "the object left the store"
    );
    assert_eq!(
        stored_object::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        0,
        "no row is left behind"
    );
}

async fn move_image(
    b: &Browser,
    product_id: i64,
    image_id: i64,
    to_index: usize,
    seen: &[i64],
) -> Result<(), AppError> {
    b.call_json(
        "move_image",
        serde_json::json!({ "product_id": product_id, "image_id": image_id, "to_index": to_index, "seen": seen }),
    )
    .await
}

async fn concurrent_reorders_never_lose_an_update(db: Db) {
    let app = spawn_app(db).await;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(ana.upload_photo(product.id).await.image_id);
    }
    let order = |g: Vec<app::api::GalleryItem>| g.into_iter().map(|i| i.id).collect::<Vec<_>>();
    assert_eq!(order(ana.gallery(product.id).await.unwrap()), ids);

    // "Make cover" on the last image.
    move_image(&ana, product.id, ids[2], 0, &ids).await.unwrap();
    let now = vec![ids[2], ids[0], ids[1]];
    assert_eq!(order(ana.gallery(product.id).await.unwrap()), now);

    // A page that still shows the old order is refused, and nothing moves.
    let stale = move_image(&ana, product.id, ids[0], 2, &ids)
        .await
        .unwrap_err();
    assert!(
        matches!(&stale, AppError::Conflict(m) if m.contains("reload")),
        "{stale:?}"
    );
    assert!(matches!(
        move_image(&ana, product.id, ids[0], 7, &now).await,
        Err(AppError::Refused(_))
    ));
    assert_eq!(order(ana.gallery(product.id).await.unwrap()), now);

    // Two tabs move at the same moment from the same page: one wins, the other is told to reload.
    let tab2 = app.browser();
    tab2.sign_in("ana@shop.example", "correct horse battery")
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        move_image(&ana, product.id, ids[1], 0, &now),
        move_image(&tab2, product.id, ids[2], 2, &now),
    );
    assert!(
        a.is_ok() != b.is_ok(),
        "exactly one move applies: {a:?} {b:?}"
    );
    let after = order(ana.gallery(product.id).await.unwrap());
    let expected = if a.is_ok() {
        vec![ids[1], ids[2], ids[0]]
    } else {
        vec![ids[0], ids[1], ids[2]]
    };
    assert_eq!(after, expected);

    // Another seller and strangers cannot reorder.
    let bob = app.browser();
    bob.sign_up("bob@shop.example").await;
    assert!(matches!(
        move_image(&bob, product.id, ids[0], 0, &after).await,
        Err(AppError::NotFound(_))
    ));
    assert_eq!(
        move_image(&app.browser(), product.id, ids[0], 0, &after).await,
        Err(AppError::Unauthenticated)
    );
}

async fn uploads_finishing_together_get_distinct_positions(db: Db) {
    use backend::entities::image;
    use sea_orm::EntityTrait;

    let app = spawn_app(db).await;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;
    let tab2 = app.browser();
    tab2.sign_in("ana@shop.example", "correct horse battery")
        .await
        .unwrap();
    tokio::join!(
        ana.upload_photo(product.id),
        tab2.upload_photo(product.id),
        ana.upload_photo(product.id),
        tab2.upload_photo(product.id),
    );
    let mut positions: Vec<i32> = image::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.position)
        .collect();
    positions.sort_unstable();
    assert_eq!(positions, [0, 1, 2, 3]);
}

/// A product with more images than a page renders: the page carries the first
/// `GALLERY_PAGE` cards and the order of all; the rest come on request, to the owner only.
async fn a_big_gallery_comes_in_pages(db: Db) {
    use domain::limits::GALLERY_PAGE;

    let app = spawn_app(db).await;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;
    let mut ids = Vec::new();
    for _ in 0..GALLERY_PAGE + 3 {
        ids.push(ana.upload_photo(product.id).await.image_id);
    }

    let start = ana
        .gallery_start(product.id, GALLERY_PAGE as u32)
        .await
        .unwrap();
    assert_eq!(start.order, ids, "the order of every image");
    let shown: Vec<i64> = start.images.iter().map(|i| i.id).collect();
    assert_eq!(shown, ids[..GALLERY_PAGE], "the first page, in order");
    let more = ana
        .gallery_start(product.id, GALLERY_PAGE as u32 + 2)
        .await
        .unwrap();
    assert_eq!(more.images.len(), GALLERY_PAGE + 2);
    assert_eq!(ana.gallery(product.id).await.unwrap().len(), ids.len());
    assert!(
        ana.gallery_start(product.id, 0)
            .await
            .unwrap()
            .images
            .is_empty()
    );

    // The server-rendered page holds the first page's cards only, and says there is more.
    let html = ana.page_html(&format!("/products/{}", product.id)).await;
    assert_eq!(
        html.matches("data-testid=\"gallery-item\"").count(),
        GALLERY_PAGE
    );
    assert!(html.contains("Show 3 more"), "{html}");
    assert!(html.contains(&format!("{GALLERY_PAGE} of {} shown", ids.len())));

    // The whole order from the first page is enough to move an image not loaded yet.
    let last = ids[ids.len() - 1];
    move_image(&ana, product.id, last, 0, &start.order)
        .await
        .unwrap();
    let start = ana.gallery_start(product.id, 1).await.unwrap();
    assert_eq!(start.images[0].id, last);

    // The storefront pages its approved images the same way; one left pending is in no count.
    let admin = app.admin().await;
    let approved = &ids[1..];
    admin.review(approved, true, None).await.unwrap();
    let public = app.browser();
    let store = public.store_product(product.id).await.unwrap();
    assert_eq!(store.images.len(), GALLERY_PAGE);
    assert_eq!(store.total, approved.len() as u64);
    let all: app::api::StoreProduct = public
        .call_form(
            "storefront_product",
            &[("id", &product.id.to_string()), ("shown", "1000")],
        )
        .await
        .unwrap();
    assert_eq!(all.images.len(), approved.len());
    let html = public.page_html(&format!("/store/{}", product.id)).await;
    assert_eq!(
        html.matches("data-testid=\"store-image\"").count(),
        GALLERY_PAGE
    );
    assert!(html.contains(&format!("{GALLERY_PAGE} of {} photos", approved.len())));
    let pending = ana.gallery(product.id).await.unwrap();
    let pending = pending.iter().find(|i| i.id == ids[0]).unwrap();
    // Its seller gets it through the app (`/media/KEY`); the storefront never names its key.
    let pending_key = pending.url.strip_prefix("/media/").unwrap();
    assert!(
        all.images.iter().all(|i| !i.url.contains(pending_key)) && !html.contains(pending_key),
        "the pending image's picture is never handed out"
    );

    // Only the owner sees any of it.
    let bob = app.browser();
    bob.sign_up("bob@shop.example").await;
    assert!(matches!(
        bob.gallery_start(product.id, 1).await,
        Err(AppError::NotFound(_))
    ));
    assert_eq!(
        app.browser()
            .gallery_start(product.id, 1)
            .await
            .unwrap_err(),
        AppError::Unauthenticated
    );
}
