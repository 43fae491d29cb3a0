//! How browsers get images: signed URLs (tested throughout), a public base URL, or the
//! `/media/…` proxy, which checks who may see each image and passes Range and ETag through.

use crate::support::{Db, spawn_app, spawn_app_with};
use backend::config::MediaUrls;

on_both_databases!(
    the_proxy_serves_approved_images_to_all_and_others_to_their_seller,
    public_urls_are_the_base_url_and_the_key,
    no_url_of_an_unapproved_picture_works_in_other_hands
);

/// Signed URLs (the default) work for whoever holds one: so an unapproved picture never gets
/// one. Tried as a seller who shares what their own gallery hands out, before the review and
/// after a rejection that takes an approval back.
async fn no_url_of_an_unapproved_picture_works_in_other_hands(db: Db) {
    let app = spawn_app(db).await;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;
    let image = ana.upload_photo(product.id).await;
    let admin = app.admin().await;
    let anonymous = reqwest::Client::new();
    let bob = app.browser();
    bob.sign_up("bob@shop.example").await;
    let get = |client: &reqwest::Client, url: &str| client.get(format!("{}{url}", app.base)).send();
    // Every URL of the picture a page or an answer hands out, whoever asks.
    let urls = |item: &app::api::GalleryItem| -> Vec<String> {
        std::iter::once(item.url.clone())
            .chain(
                item.srcset
                    .split(", ")
                    .map(|e| e.split(' ').next().unwrap().to_owned()),
            )
            .collect()
    };

    for (round, status) in [(1, "pending"), (2, "rejected after its approval")] {
        let item = ana.gallery(product.id).await.unwrap().remove(0);
        let queued = admin.review_queue().await.unwrap();
        let page = ana.page_html(&format!("/products/{}", product.id)).await;
        assert!(
            !page.contains("X-Amz-Signature") && page.contains(&item.url),
            "round {round}: the seller's page signs nothing of a {status} picture"
        );
        let mut handed_out = urls(&item);
        handed_out.extend(queued.iter().map(|q| q.url.clone()));
        for url in &handed_out {
            assert!(
                url.starts_with("/media/") && !url.contains("X-Amz"),
                "{status}: {url}"
            );
            // Its seller sees it, and only their browser keeps it.
            let own = get(&ana.http, url).await.unwrap();
            assert_eq!(own.status().as_u16(), 200, "{status}: {url}");
            assert_eq!(own.headers()["cache-control"], "private, no-cache");
            assert_eq!(own.headers()["vary"], "Cookie");
            assert!(own.bytes().await.unwrap().starts_with(&[0xFF, 0xD8]));
            // Anyone else it was passed to: as if it did not exist.
            assert_eq!(get(&anonymous, url).await.unwrap().status().as_u16(), 404);
            assert_eq!(get(&bob.http, url).await.unwrap().status().as_u16(), 404);
        }
        // The admin reviewing it sees it too (the queue shows pending pictures only).
        for q in &queued {
            assert_eq!(
                get(&admin.http, &q.url).await.unwrap().status().as_u16(),
                200
            );
        }
        assert_eq!(queued.len(), usize::from(round == 1), "{status}");

        // Approved: now a signed URL, good for anyone, kept by caches for minutes, not a year.
        admin.review(&[image.image_id], true, None).await.unwrap();
        let approved = ana.gallery(product.id).await.unwrap().remove(0);
        assert!(approved.url.contains("X-Amz-Signature"), "{}", approved.url);
        let shared = get(&anonymous, &approved.url).await.unwrap();
        assert_eq!(shared.status().as_u16(), 200);
        assert_eq!(shared.headers()["cache-control"], "public, max-age=600");
        let stored = public_picture(&app, product.id).await;
        assert_eq!(stored, approved.url);

        // Rejected: gone from the storefront, and its URLs are the app's own again.
        admin
            .review(
                &[image.image_id],
                false,
                Some("A customer's face is in it."),
            )
            .await
            .unwrap();
        assert!(bob.store_product(product.id).await.is_err());
        let taken_back = ana.gallery(product.id).await.unwrap().remove(0);
        assert_eq!(taken_back.status, domain::ImageStatus::Rejected);
        assert!(taken_back.url.starts_with("/media/"), "{}", taken_back.url);
    }
}

/// The display URL the storefront shows for the product's one picture.
async fn public_picture(app: &crate::support::TestApp, product_id: i64) -> String {
    let shopper = app.browser();
    let shown = shopper.store_product(product_id).await.unwrap();
    assert_eq!(shown.images.len(), 1);
    shown.images[0].url.clone()
}

async fn the_proxy_serves_approved_images_to_all_and_others_to_their_seller(db: Db) {
    let app = spawn_app_with(db, |s| s.media_urls = MediaUrls::Proxy).await;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;
    let image = ana.upload_photo(product.id).await;
    let item = ana.gallery(product.id).await.unwrap().remove(0);
    assert!(
        item.url.starts_with("/media/media/sellers/"),
        "{}",
        item.url
    );
    let url = format!("{}{}", app.base, item.url);
    let anonymous = reqwest::Client::new();

    // Pending: its seller sees it (private caching); the public and other sellers do not.
    let own = ana.http.get(&url).send().await.unwrap();
    assert_eq!(own.status().as_u16(), 200);
    assert_eq!(own.headers()["cache-control"], "private, no-cache");
    assert!(
        own.bytes().await.unwrap().starts_with(&[0xFF, 0xD8]),
        "a JPEG"
    );
    assert_eq!(
        anonymous.get(&url).send().await.unwrap().status().as_u16(),
        404
    );
    let bob = app.browser();
    bob.sign_up("bob@shop.example").await;
    assert_eq!(
        bob.http.get(&url).send().await.unwrap().status().as_u16(),
        404
    );

    // Approved: anyone, cached for ten minutes, with ETag revalidation and byte ranges.
    app.admin()
        .await
        .review(&[image.image_id], true, None)
        .await
        .unwrap();
    let full = anonymous.get(&url).send().await.unwrap();
    assert_eq!(full.status().as_u16(), 200);
    assert_eq!(full.headers()["cache-control"], "public, max-age=600");
    assert_eq!(full.headers()["content-type"], "image/jpeg");
    let etag = full.headers()["etag"].to_str().unwrap().to_owned();
    let bytes = full.bytes().await.unwrap();
    let again = anonymous
        .get(&url)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
    let part = anonymous
        .get(&url)
        .header("Range", "bytes=2-11")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status().as_u16(), 206);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 2-11/{}", bytes.len()).as_str()
    );
    assert_eq!(part.bytes().await.unwrap(), bytes.slice(2..12));
    // What a store may not understand never reaches it as a 502: a range that is not one
    // plain byte range gets the whole file, a list of tags is compared here.
    for range in ["bytes=0-1,4-5", "bytes=5-1", "items=0-1"] {
        let whole = anonymous
            .get(&url)
            .header("Range", range)
            .send()
            .await
            .unwrap();
        assert_eq!(whole.status().as_u16(), 200, "{range}");
        assert_eq!(whole.bytes().await.unwrap(), bytes, "{range}");
    }
    let listed = format!("\"elsewhere\", {etag}");
    for (tags, status) in [(listed.as_str(), 304), ("\"a\", \"b\"", 200), ("*", 304)] {
        let res = anonymous
            .get(&url)
            .header("If-None-Match", tags)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), status, "{tags}");
    }
    // Unknown keys reveal nothing.
    let missing = format!("{}/media/media/sellers/1/nothing/display.jpg", app.base);
    assert_eq!(
        anonymous
            .get(&missing)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );
}

async fn public_urls_are_the_base_url_and_the_key(db: Db) {
    let app = spawn_app_with(db, |s| {
        s.media_urls = MediaUrls::Public {
            base_url: "https://cdn.shop.example/".into(),
        }
    })
    .await;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;
    let image = ana.upload_photo(product.id).await;
    // Pending, it comes through the app, which checks who asks: never the public URL.
    let pending = ana.gallery(product.id).await.unwrap().remove(0);
    assert!(
        pending.url.starts_with("/media/media/sellers/"),
        "{}",
        pending.url
    );
    app.admin()
        .await
        .review(&[image.image_id], true, None)
        .await
        .unwrap();
    let item = ana.gallery(product.id).await.unwrap().remove(0);
    assert!(
        item.url
            .starts_with("https://cdn.shop.example/media/sellers/")
            && item.url.ends_with("/display.jpg"),
        "{}",
        item.url
    );
    assert!(!item.url.contains("X-Amz-Signature"));
}
