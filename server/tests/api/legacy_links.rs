//! Issue 16, items 2 and 3: an old shop's manifest (Django's `ImageField` paths) orders each
//! gallery, and its old media links keep working: 301 to the picture once an admin approved
//! it, 404 before, never a pending picture's bytes, beside the media proxy under `/media/`.

use backend::import::{self, Outcome};
use backend::legacy_links::LegacyMedia;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::support::{Db, TestApp, jpeg, spawn_app_with};

on_both_databases!(old_media_links_lead_to_approved_pictures_only);

async fn old_media_links_lead_to_approved_pictures_only(db: Db) {
    // The old MEDIA_URL as a full URL on a host now pointed here, so links live under /media/,
    // where the media proxy serves Vitrine's own objects too; and as a path of its own.
    for (legacy, links) in [
        ("https://old.shop.example/media/", "/media/"),
        ("/old-media", "/old-media/"),
    ] {
        let legacy = LegacyMedia::parse(legacy).unwrap();
        let app = spawn_app_with(db, |s| s.legacy_media = Some(legacy)).await;
        rehearse(&app, links).await;
    }
}

async fn rehearse(app: &TestApp, links: &str) {
    let ana = app.seller_made_by_operator("ana@shop.example").await;
    let media = app.data_dir.join("django-media");
    std::fs::create_dir_all(media.join("product_images")).unwrap();
    for (name, (w, h)) in [
        ("tote.jpg", (64, 48)),
        ("tote side.jpg", (48, 64)),
        ("lamp.jpg", (80, 60)),
    ] {
        std::fs::write(media.join("product_images").join(name), jpeg(w, h)).unwrap();
    }
    // As the README's SQL writes it: the cover last, positions out of order.
    let manifest = "source,seller,product,position,cover\n\
        product_images/lamp.jpg,ana@shop.example,Lamp,,\n\
        product_images/tote side.jpg,ana@shop.example,Tote,2,\n\
        product_images/tote.jpg,ana@shop.example,Tote,7,true\n";
    let mut ids = std::collections::HashMap::new();
    let source = import::Source::Folder(media.clone());
    for item in import::manifest(manifest).unwrap() {
        let Outcome::Imported { image_id } =
            import::import_one(&app.state, &source, &item, import::Run::default())
                .await
                .unwrap()
        else {
            panic!("{} not imported", item.source);
        };
        ids.insert(item.source.clone(), image_id);
    }
    let products: Vec<app::api::ProductSummary> =
        ana.call_form("list_products", &[]).await.unwrap();
    let tote = products.iter().find(|p| p.name == "Tote").unwrap();
    let gallery: Vec<i64> = ana
        .gallery(tote.id)
        .await
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(
        gallery,
        [
            ids["product_images/tote.jpg"],
            ids["product_images/tote side.jpg"]
        ],
        "the cover first, then by position"
    );

    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |path: String| {
        let plain = plain.clone();
        let url = format!("{}{path}", app.base);
        async move { plain.get(url).send().await.unwrap() }
    };
    let old = |file: &str| format!("{links}product_images/{file}");

    // Pending: the old link answers as for a file that does not exist.
    let res = get(old("tote.jpg")).await;
    assert_eq!(res.status().as_u16(), 404);
    assert!(res.bytes().await.unwrap().len() < 100, "no picture bytes");

    let admin = app.admin().await;
    admin
        .review(&[ids["product_images/tote.jpg"]], true, None)
        .await
        .unwrap();
    let res = get(old("tote.jpg")).await;
    assert_eq!(res.status().as_u16(), 301);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!(
            "/media/{}",
            display_key(app, ids["product_images/tote.jpg"]).await
        )
    );
    // The target is the picture, served to anyone, for good.
    let picture = get(location).await;
    assert_eq!(picture.status().as_u16(), 200);
    assert_eq!(picture.headers()["content-type"], "image/jpeg");

    // A name with a space, as browsers send it; still pending, so still nothing.
    assert_eq!(get(old("tote%20side.jpg")).await.status().as_u16(), 404);
    admin
        .review(&[ids["product_images/tote side.jpg"]], true, None)
        .await
        .unwrap();
    assert_eq!(get(old("tote%20side.jpg")).await.status().as_u16(), 301);
    // Rejected, unknown: 404.
    admin
        .review(&[ids["product_images/lamp.jpg"]], false, Some("blurry"))
        .await
        .unwrap();
    assert_eq!(get(old("lamp.jpg")).await.status().as_u16(), 404);
    assert_eq!(get(old("never-there.jpg")).await.status().as_u16(), 404);
}

async fn display_key(app: &TestApp, image_id: i64) -> String {
    use backend::entities::stored_object;
    stored_object::Entity::find()
        .filter(stored_object::Column::ImageId.eq(image_id))
        .filter(stored_object::Column::Variant.eq(domain::Variant::Display))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .object_key
}
