//! Renaming and deleting products, the audit trail, and who may do and see what.

use crate::support::{Browser, Db, spawn_app};
use app::api::History;
use app::api::ProductSummary;
use app::error::AppError;
use backend::entities::{image, stored_object};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};

on_both_databases!(
    products_are_renamed_and_deleted_by_their_seller_only,
    every_change_is_in_an_append_only_audit_trail,
    signed_out_page_loads_are_sent_to_sign_in,
    pages_that_show_not_found_or_forbidden_say_so_in_their_status
);

async fn history(b: &Browser, product_id: i64, image_id: Option<i64>) -> Result<History, AppError> {
    let product = product_id.to_string();
    let image = image_id.map(|i| i.to_string());
    let mut form = vec![("product_id", product.as_str())];
    if let Some(image) = &image {
        form.push(("image_id", image.as_str()));
    }
    b.call_form("audit_trail", &form).await
}

fn actions(h: &History) -> Vec<&str> {
    h.entries.iter().map(|e| e.action.as_str()).collect()
}

async fn products_are_renamed_and_deleted_by_their_seller_only(db: Db) {
    let app = spawn_app(db).await;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;
    let id = product.id.to_string();
    ana.upload_photo(product.id).await;
    ana.upload_photo(product.id).await;
    let bob = app.browser();
    bob.sign_up("bob@shop.example").await;

    // Renaming: the owner only, with a real name.
    let e = bob
        .call_form::<String>("rename_product", &[("id", &id), ("name", "Mine now")])
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::NotFound(_)), "{e:?}");
    let e = ana
        .call_form::<String>("rename_product", &[("id", &id), ("name", "   ")])
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Refused(_)), "{e:?}");
    let renamed: String = ana
        .call_form(
            "rename_product",
            &[("id", &id), ("name", " Linen tote, natural ")],
        )
        .await
        .unwrap();
    assert_eq!(renamed, "Linen tote, natural");
    let shown: ProductSummary = ana.call_form("get_product", &[("id", &id)]).await.unwrap();
    assert_eq!(
        (shown.name.as_str(), shown.images),
        ("Linen tote, natural", 2)
    );

    let keys = app.recorded_keys().await;
    assert_eq!(keys.len(), 2);

    // Deleting: refused to others and to a confirmation that no longer matches.
    let e = bob
        .call_form::<()>("delete_product", &[("id", &id), ("confirmed_images", "2")])
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::NotFound(_)), "{e:?}");
    let e = app
        .browser()
        .call_form::<()>("delete_product", &[("id", &id), ("confirmed_images", "2")])
        .await
        .unwrap_err();
    assert_eq!(e, AppError::Unauthenticated);
    let e = ana
        .call_form::<()>("delete_product", &[("id", &id), ("confirmed_images", "1")])
        .await
        .unwrap_err();
    assert!(
        matches!(&e, AppError::Conflict(m) if m.contains("now has 2 images")),
        "{e:?}"
    );
    assert_eq!(
        ana.gallery(product.id).await.unwrap().len(),
        2,
        "nothing changed"
    );

    ana.call_form::<()>("delete_product", &[("id", &id), ("confirmed_images", "2")])
        .await
        .unwrap();
    let e = ana
        .call_form::<ProductSummary>("get_product", &[("id", &id)])
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::NotFound(_)));
    assert_eq!(image::Entity::find().count(&app.state.db).await.unwrap(), 0);
    assert_eq!(
        stored_object::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        0,
        "no object row is left"
    );
    for key in keys {
        assert!(
            app.state.store.head(&key).await.unwrap().is_none(),
            "{key} left the store"
        );
    }
    let list: Vec<ProductSummary> = ana.call_form("list_products", &[]).await.unwrap();
    assert!(list.is_empty());
}

async fn every_change_is_in_an_append_only_audit_trail(db: Db) {
    let app = spawn_app(db).await;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;
    let first = ana.upload_photo(product.id).await.image_id;
    let second = ana.upload_photo(product.id).await.image_id;
    ana.call_form::<String>(
        "update_image_alt",
        &[
            ("image_id", &first.to_string()),
            ("alt_text", "Tote, front"),
        ],
    )
    .await
    .unwrap();
    ana.call_json::<()>(
        "move_image",
        serde_json::json!({ "product_id": product.id, "image_id": second, "to_index": 0, "seen": [first, second] }),
    )
    .await
    .unwrap();
    let admin = app.admin().await;
    admin.review(&[first], true, None).await.unwrap();
    admin
        .review(&[second], false, Some("Blurry"))
        .await
        .unwrap();
    ana.call_form::<()>("delete_image", &[("image_id", &second.to_string())])
        .await
        .unwrap();

    // The seller sees their product's history, newest first, with who did what.
    let trail = history(&ana, product.id, None).await.unwrap();
    assert_eq!(
        actions(&trail),
        [
            "deleted",
            "rejected",
            "approved",
            "reordered",
            "alt_text_edited",
            "uploaded",
            "uploaded",
            "product_created"
        ]
    );
    assert_eq!(trail.product_name.as_deref(), Some("Linen tote"));
    let rejected = &trail.entries[1];
    assert_eq!(
        (
            rejected.actor.as_str(),
            rejected.detail.as_str(),
            rejected.image_id
        ),
        (backend::audit::REVIEW_TEAM, "Blurry", Some(second))
    );
    assert!(
        trail
            .entries
            .iter()
            .all(|e| e.actor != "admin@shop.example"),
        "a seller never learns an admin's address"
    );
    assert_eq!(trail.entries[3].detail, "made the cover");

    // One image's history outlives the image.
    let second_trail = history(&ana, product.id, Some(second)).await.unwrap();
    assert_eq!(
        actions(&second_trail),
        ["deleted", "rejected", "reordered", "uploaded"]
    );

    // Admins see any product's; other sellers and strangers see nothing.
    let seen_by_admin = history(&admin, product.id, None).await.unwrap();
    // Admins see the same trail, with who decided.
    assert_eq!(seen_by_admin.entries.len(), trail.entries.len());
    assert_eq!(seen_by_admin.entries[1].actor, "admin@shop.example");
    assert_eq!(seen_by_admin.entries[0], trail.entries[0]);
    assert!(trail.viewer_owns && !seen_by_admin.viewer_owns);
    let bob = app.browser();
    bob.sign_up("bob@shop.example").await;
    assert!(matches!(
        history(&bob, product.id, None).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        history(&bob, product.id, Some(first)).await,
        Err(AppError::NotFound(_))
    ));
    assert_eq!(
        history(&app.browser(), product.id, None).await,
        Err(AppError::Unauthenticated)
    );
    // An image of one product is not shown under another's address.
    let other = ana.create_product("Mug").await.unwrap();
    assert!(matches!(
        history(&ana, other.id, Some(first)).await,
        Err(AppError::NotFound(_))
    ));

    // The database itself refuses to rewrite history.
    for sql in [
        "UPDATE audit_events SET detail = 'Sharp'",
        "DELETE FROM audit_events",
    ] {
        let refused = app.state.db.execute_unprepared(sql).await;
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.to_string().contains("append-only")),
            "{sql}: {refused:?}"
        );
    }
    assert_eq!(history(&ana, product.id, None).await.unwrap(), trail);
}

async fn signed_out_page_loads_are_sent_to_sign_in(db: Db) {
    let app = spawn_app(db).await;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = format!("/products/{}", product.id);
    for (path, next) in [
        ("/products", "%2Fproducts"),
        (page.as_str(), &*format!("%2Fproducts%2F{}", product.id)),
        ("/admin/review", "%2Fadmin%2Freview"),
    ] {
        let res = no_redirects
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303, "{path}");
        assert_eq!(
            res.headers()["location"].to_str().unwrap(),
            format!("/signin?next={next}")
        );
    }
    // Public pages and signed-in sellers are not redirected.
    let store = no_redirects
        .get(format!("{}/store/{}", app.base, product.id))
        .send()
        .await
        .unwrap();
    // Not sent to sign in; not found, as nothing in it is approved yet.
    assert_eq!(store.status().as_u16(), 404);
    let mine = ana
        .http
        .get(format!("{}{page}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(mine.status().as_u16(), 200);
    assert!(mine.text().await.unwrap().contains("Linen tote"));
}

/// A product page that shows "not found" says so in its status too: a link checker, a crawler
/// or a monitor reading 200 would take a missing (or someone else's) product for a page.
async fn pages_that_show_not_found_or_forbidden_say_so_in_their_status(db: Db) {
    let app = spawn_app(db).await;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;
    let bob = app.browser();
    bob.sign_up("bob@shop.example").await;
    let other = format!("/products/{}", product.id);
    let other_history = format!("{other}/history");
    for (who, path) in [
        (&bob, other.as_str()),
        (&bob, other_history.as_str()),
        (&ana, "/products/987654"),
        (&ana, "/products/987654/history"),
        (&ana, "/products/not-a-number"),
    ] {
        let res = who
            .http
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 404, "{path}");
        let html = res.text().await.unwrap();
        assert!(html.contains("was not found."), "{path}: {html}");
        assert!(!html.contains("Linen tote"), "{path} shows the product");
    }
    // A seller at the review queue: refused, as the page says.
    let res = ana
        .http
        .get(format!("{}/admin/review", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("That needs an admin account.")
    );
    // The seller's own pages still answer 200, with their content.
    assert!(ana.page_html(&other).await.contains("Linen tote"));
    assert!(ana.page_html(&other_history).await.contains("Linen tote"));
}
