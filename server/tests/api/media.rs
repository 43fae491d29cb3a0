//! How browsers get images: signed URLs (tested throughout), a public base URL, or the
//! `/media/…` proxy, which checks who may see each image and passes Range and ETag through.

use crate::support::{Db, spawn_app_with};
use backend::config::MediaUrls;

on_both_databases!(
    the_proxy_serves_approved_images_to_all_and_others_to_their_seller,
    public_urls_are_the_base_url_and_the_key
);

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
    assert_eq!(own.headers()["cache-control"], "private, max-age=300");
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

    // Approved: anyone, cached for good, with ETag revalidation and byte ranges.
    app.admin()
        .await
        .review(&[image.image_id], true, None)
        .await
        .unwrap();
    let full = anonymous.get(&url).send().await.unwrap();
    assert_eq!(full.status().as_u16(), 200);
    assert_eq!(
        full.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
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
    ana.upload_photo(product.id).await;
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
