//! The upload chain against the real app and its embedded S3 store, on SQLite and PostgreSQL:
//! begin_upload → a real multipart POST to the store → complete_upload.

use std::time::{Duration, SystemTime};

use crate::support::{Db, field, jpeg, replace_field, spawn_app};
use app::error::AppError;
use backend::storage::ObjectKey;
use backend::storage::embedded::EmbeddedStore;
use backend::storage::post_policy::{PostPolicy, SigningCredentials};
use domain::{ByteSize, ContentType};

on_both_databases!(
    a_photo_goes_through_the_whole_chain,
    completing_twice_registers_one_image,
    the_store_refuses_what_the_policy_does_not_allow,
    the_store_refuses_an_expired_policy,
    a_stored_file_that_is_not_the_declared_image_is_deleted,
    sellers_cannot_touch_each_others_products,
    signed_out_callers_are_refused,
    bad_declarations_are_refused_and_record_nothing,
    cancelling_releases_the_intent_and_deletes_what_arrived,
    a_cancel_racing_a_completion_never_leaves_a_broken_image,
    the_embedded_store_holds_post_forms_to_what_s3_does,
    the_reviewed_picture_is_the_one_shoppers_get,
    put_uploads_are_pinned_to_type_and_exact_size,
    uploads_must_request_the_configured_encryption,
    many_uploads_at_once_all_arrive,
    uploads_begun_at_once_are_recorded_whole_even_when_browsers_leave,
);

/// A busy moment: 3 sellers upload 8 photos each, all at once, begun, sent and completed
/// concurrently (more writers than SQLite's pool has connections, each waiting its turn at
/// writing). Every upload arrives, nothing waits on itself, and each seller's stored bytes
/// are what their objects add up to.
async fn many_uploads_at_once_all_arrive(db: Db) {
    let app = spawn_app(db).await;
    let mut sellers = Vec::new();
    for name in ["ana", "bo", "cy"] {
        sellers.push(
            app.seller_with_product(&format!("{name}@shop.example"))
                .await,
        );
    }
    let uploads = sellers.iter().flat_map(|(seller, product)| {
        (0..8).map(move |n| async move {
            let photo = jpeg(40 + n, 30);
            let ticket = seller.begin_jpeg(product.id, &photo).await;
            assert_eq!(seller.send(&ticket, photo).await.status().as_u16(), 204);
            seller.complete(&ticket.intent_id).await.unwrap()
        })
    });
    let registered = futures_util::future::join_all(uploads).await;
    assert_eq!(registered.len(), 24);
    for (seller, product) in &sellers {
        assert_eq!(seller.gallery(product.id).await.unwrap().len(), 8);
    }
    app.assert_stored_bytes_agree().await;
    assert!(app.store_matches_records().await);
}

/// Uploads begun all at once (on SQLite, committed together), half of them abandoned by
/// their browser mid-request. Each upload that was answered is in the database the moment its
/// answer arrives, with its object: an answer is never sent before the commit. Each abandoned
/// one is there whole or not at all, and the seller's stored bytes add up.
async fn uploads_begun_at_once_are_recorded_whole_even_when_browsers_leave(db: Db) {
    use backend::entities::{stored_object, upload_intent};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

    let app = spawn_app(db).await;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;
    let objects_of = |intent: String| {
        stored_object::Entity::find()
            .filter(stored_object::Column::IntentId.eq(intent))
            .count(&app.state.db)
    };
    let begins = (0..30u32).map(|n| {
        let (ana, objects_of) = (&ana, &objects_of);
        async move {
            let photo = jpeg(40 + n, 30);
            let begin = ana.begin_jpeg(product.id, &photo);
            let ticket = if n % 2 == 1 {
                let patience = Duration::from_micros(300 * u64::from(n));
                tokio::time::timeout(patience, begin).await.ok()?
            } else {
                begin.await
            };
            let recorded = objects_of(ticket.intent_id.clone()).await.unwrap();
            assert_eq!(recorded, 1, "answered before its intent was committed");
            Some(ticket)
        }
    });
    let answered = futures_util::future::join_all(begins).await;
    let left = answered.iter().filter(|t| t.is_none()).count();
    assert!(left > 0, "no browser left mid-request");

    // Those that left: give any commit already under way time to end, then every intent is
    // whole.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let intents = upload_intent::Entity::find()
        .filter(upload_intent::Column::ProductId.eq(product.id))
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(
        intents.len() >= answered.len() - left,
        "{} recorded",
        intents.len()
    );
    for intent in intents {
        assert_eq!(
            objects_of(intent.id.clone()).await.unwrap(),
            1,
            "{intent:?}"
        );
    }
    app.assert_stored_bytes_agree().await;
}

async fn a_photo_goes_through_the_whole_chain(db: Db) {
    let app = spawn_app(db).await;
    let (seller, product) = app.seller_with_product("ana@shop.example").await;
    let photo = jpeg(640, 480);

    let ticket = seller.begin_jpeg(product.id, &photo).await;
    assert_eq!(ticket.uploads.len(), 1);
    let upload = &ticket.uploads[0];
    assert_eq!(
        upload.url, "/vitrine-media",
        "the browser posts to the bucket, not to an app route"
    );
    let key = field(&upload.fields, "key");
    assert!(key.starts_with("media/sellers/"), "{key}");

    let res = seller.send(&ticket, photo.clone()).await;
    assert_eq!(res.status().as_u16(), 204, "{}", res.text().await.unwrap());

    let image = seller.complete(&ticket.intent_id).await.unwrap();
    assert_eq!((image.width, image.height), (640, 480));

    let gallery = seller.gallery(product.id).await.unwrap();
    assert_eq!(gallery.len(), 1);
    assert_eq!(gallery[0].id, image.image_id);
    assert_eq!(gallery[0].status, domain::ImageStatus::Pending);
    // Pending, it comes through the app, which serves its seller the stored bytes.
    let url = format!("{}{}", app.base, gallery[0].url);
    let body = seller.http.get(&url).send().await.unwrap();
    assert_eq!(body.status().as_u16(), 200);
    assert_eq!(body.bytes().await.unwrap().as_ref(), photo.as_slice());
    // Approved, a signed URL of the store serves them; without the signature the store
    // refuses.
    app.admin()
        .await
        .review(&[image.image_id], true, None)
        .await
        .unwrap();
    let signed = format!(
        "{}{}",
        app.base,
        seller.gallery(product.id).await.unwrap()[0].url
    );
    let body = reqwest::get(&signed).await.unwrap();
    assert_eq!(body.status().as_u16(), 200);
    assert_eq!(body.bytes().await.unwrap().as_ref(), photo.as_slice());
    let unsigned = signed.split('?').next().unwrap().to_owned();
    assert!(unsigned.contains("/display.jpg"), "{unsigned}");
    assert_eq!(
        seller
            .http
            .get(&unsigned)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );
}

async fn completing_twice_registers_one_image(db: Db) {
    let app = spawn_app(db).await;
    let (seller, product) = app.seller_with_product("ana@shop.example").await;
    let photo = jpeg(32, 32);
    let ticket = seller.begin_jpeg(product.id, &photo).await;
    seller.send(&ticket, photo).await;

    let first = seller.complete(&ticket.intent_id).await.unwrap();
    let second = seller.complete(&ticket.intent_id).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(seller.gallery(product.id).await.unwrap().len(), 1);
}

async fn the_store_refuses_what_the_policy_does_not_allow(db: Db) {
    let app = spawn_app(db).await;
    let (seller, product) = app.seller_with_product("ana@shop.example").await;
    let photo = jpeg(64, 64);
    let size = photo.len() as u64;
    let ticket = seller.begin_jpeg(product.id, &photo).await;
    let upload = &ticket.uploads[0];
    let key = field(&upload.fields, "key").to_owned();
    assert_eq!(size, photo.len() as u64);
    let same_length = crate::support::tampered(&photo);

    let mut larger = photo.clone();
    larger.extend_from_slice(&[0u8; 16]);
    let signature = field(&upload.fields, "x-amz-signature");
    let flipped = format!(
        "{}{}",
        if signature.starts_with('0') { "1" } else { "0" },
        &signature[1..]
    );
    // What each attempt changes, the form fields it sends and the bytes.
    type Attempt<'a> = (&'a str, Vec<(String, String)>, Vec<u8>);
    let tampered: Vec<Attempt> = vec![
        ("a larger file", upload.fields.clone(), larger),
        (
            "other bytes of the same length",
            upload.fields.clone(),
            same_length,
        ),
        (
            "a smaller file",
            upload.fields.clone(),
            photo[..photo.len() - 1].to_vec(),
        ),
        (
            "another key",
            replace_field(&upload.fields, "key", &format!("{key}.other")),
            photo.clone(),
        ),
        (
            "another seller's prefix",
            replace_field(&upload.fields, "key", "media/sellers/999/x/display.jpg"),
            photo.clone(),
        ),
        (
            "another content type",
            replace_field(&upload.fields, "Content-Type", "text/html"),
            photo.clone(),
        ),
        (
            "a changed signature",
            replace_field(&upload.fields, "x-amz-signature", &flipped),
            photo.clone(),
        ),
    ];
    for (what, fields, file) in tampered {
        let res = seller
            .post_to_store(&upload.url, &fields, file, "image/jpeg")
            .await;
        let status = res.status().as_u16();
        assert!(
            (400..500).contains(&status),
            "{what}: the store answered {status}"
        );
    }
    // Nothing reached the store, so completing refuses and registers nothing.
    let err = seller.complete(&ticket.intent_id).await.unwrap_err();
    assert!(
        matches!(&err, AppError::Refused(m) if m.contains("never reached the store")),
        "{err:?}"
    );
    assert!(app.state.store.head(&key).await.unwrap().is_none());
    assert!(seller.gallery(product.id).await.unwrap().is_empty());
}

async fn the_store_refuses_an_expired_policy(db: Db) {
    let app = spawn_app(db).await;
    let (seller, _) = app.seller_with_product("ana@shop.example").await;
    // A policy signed with the store's real keys five minutes ago, valid for one minute.
    let store = EmbeddedStore::open(&app.data_dir.join("store")).unwrap();
    let credentials = SigningCredentials {
        access_key_id: store.credentials.access_key_id.clone(),
        secret_access_key: store.credentials.secret_access_key.clone(),
        session_token: None,
    };
    let photo = jpeg(16, 16);
    let key = ObjectKey::from_stored("media/sellers/1/expired/display.jpg".into());
    let policy = PostPolicy {
        bucket: &store.bucket,
        region: &store.region,
        key: &key,
        content_type: ContentType::Jpeg,
        size: ByteSize::parse(photo.len() as u64, u64::MAX).unwrap(),
        extra_fields: vec![],
    };
    let signed_at = SystemTime::now() - Duration::from_secs(300);
    let post = policy.sign(&credentials, signed_at, Duration::from_secs(60));
    let res = seller
        .post_to_store("/vitrine-media", &post.fields, photo.clone(), "image/jpeg")
        .await;
    assert_eq!(res.status().as_u16(), 403);

    // What a page shows when the app's clock is 20 minutes behind the store's: the policy it
    // signs (valid for the usual 10 minutes) has expired on arrival, and the seller reads that
    // the server's clock is the suspect, not "try again".
    let behind = SystemTime::now() - Duration::from_secs(20 * 60);
    let post = policy.sign(&credentials, behind, backend::uploads::POST_EXPIRY);
    let res = seller
        .post_to_store("/vitrine-media", &post.fields, photo.clone(), "image/jpeg")
        .await;
    let status = res.status().as_u16();
    let body = res.text().await.unwrap();
    assert_eq!(status, 403, "{body}");
    match app::upload::store_answer::store_answer(status, &body) {
        app::upload::store_answer::StoreAnswer::Refused(sentence) => {
            assert!(sentence.contains("server's clock"), "{sentence} ({body})")
        }
        other => panic!("an expired policy is not retried as is: {other:?}"),
    }

    // The same policy, still valid, is accepted: the refusal above was the expiry.
    let fresh = policy.sign(&credentials, SystemTime::now(), Duration::from_secs(60));
    let res = seller
        .post_to_store("/vitrine-media", &fresh.fields, photo, "image/jpeg")
        .await;
    assert_eq!(res.status().as_u16(), 204);
}

async fn a_stored_file_that_is_not_the_declared_image_is_deleted(db: Db) {
    let app = spawn_app(db).await;
    let (seller, product) = app.seller_with_product("ana@shop.example").await;
    // Text of the declared size and type passes the policy; the server must still refuse it.
    let fake = b"<html><script>alert('not a photo')</script></html>".to_vec();
    let ticket = seller.begin_jpeg(product.id, &fake).await;
    let key = field(&ticket.uploads[0].fields, "key").to_owned();
    let res = seller.send(&ticket, fake).await;
    assert_eq!(res.status().as_u16(), 204);
    assert!(app.state.store.head(&key).await.unwrap().is_some());

    let err = seller.complete(&ticket.intent_id).await.unwrap_err();
    assert!(
        matches!(&err, AppError::Refused(m) if m.contains("not a JPEG, PNG or WebP")),
        "{err:?}"
    );
    assert!(
        app.state.store.head(&key).await.unwrap().is_none(),
        "the refused object is deleted"
    );
    assert!(seller.gallery(product.id).await.unwrap().is_empty());
    // The intent is gone too: completing again finds nothing.
    assert!(matches!(
        seller.complete(&ticket.intent_id).await,
        Err(AppError::NotFound(_))
    ));
}

async fn sellers_cannot_touch_each_others_products(db: Db) {
    let app = spawn_app(db).await;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;
    let bob = app.browser();
    bob.sign_up("bob@shop.example").await;

    let photo = jpeg(32, 32);
    let ticket = ana.begin_jpeg(product.id, &photo).await;
    ana.send(&ticket, photo.clone()).await;

    // Bob gets the same answer as for a product that does not exist.
    let theirs = bob.begin(product.id, "image/jpeg", 10).await.unwrap_err();
    let missing = bob.begin(987_654, "image/jpeg", 10).await.unwrap_err();
    assert!(matches!(theirs, AppError::NotFound(_)));
    assert_eq!(theirs, missing);
    assert!(matches!(
        bob.complete(&ticket.intent_id).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        bob.gallery(product.id).await,
        Err(AppError::NotFound(_))
    ));

    // Ana's upload is untouched by Bob's attempts.
    ana.complete(&ticket.intent_id).await.unwrap();
    assert_eq!(ana.gallery(product.id).await.unwrap().len(), 1);
}

async fn signed_out_callers_are_refused(db: Db) {
    let app = spawn_app(db).await;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;
    let ticket = ana.begin(product.id, "image/jpeg", 10).await.unwrap();
    let stranger = app.browser();
    assert_eq!(
        stranger
            .begin(product.id, "image/jpeg", 10)
            .await
            .unwrap_err(),
        AppError::Unauthenticated
    );
    assert_eq!(
        stranger.complete(&ticket.intent_id).await.unwrap_err(),
        AppError::Unauthenticated
    );
    assert_eq!(
        stranger.gallery(product.id).await.unwrap_err(),
        AppError::Unauthenticated
    );
    assert_eq!(
        stranger.create_product("x").await.unwrap_err(),
        AppError::Unauthenticated
    );
}

async fn bad_declarations_are_refused_and_record_nothing(db: Db) {
    use backend::entities::upload_intent;
    use sea_orm::{EntityTrait, PaginatorTrait};

    let app = spawn_app(db).await;
    let (seller, product) = app.seller_with_product("ana@shop.example").await;
    for (content_type, size) in [
        ("image/svg+xml", 100),
        ("text/html", 100),
        ("image/jpeg", 0),
        ("image/jpeg", 15_000_001),
    ] {
        let err = seller
            .begin(product.id, content_type, size)
            .await
            .unwrap_err();
        assert!(
            matches!(err, AppError::Refused(_)),
            "{content_type} {size}: {err:?}"
        );
    }
    // A variant the vocabulary does not have is refused when the request is read.
    let err = seller
        .call_json::<app::api::UploadTicket>(
            "begin_upload",
            serde_json::json!({ "product_id": product.id, "objects": [
                { "variant": "original", "content_type": "image/jpeg", "size": 100,
                  "sha256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" }
            ] }),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Refused(m) if m.contains("original")),
        "{err:?}"
    );
    assert_eq!(
        upload_intent::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        0
    );
}

/// Issue 15, item 1: every variant must be the display picture at a smaller size, with no
/// metadata, or nothing is registered and the objects are deleted. A seller who sends a
/// harmless display and another picture as thumbnail, a GPS-tagged thumbnail or a medium of
/// another shape is refused, saying which promise failed. So is a thumbnail that is the
/// display's picture to a luma comparison but not to a shopper's eyes: with a mark, in other
/// colours, under another colour profile, or an animated PNG whose played frame is another
/// picture.
async fn the_reviewed_picture_is_the_one_shoppers_get(db: Db) {
    use image::RgbImage;
    let type_of = |b: &[u8]| {
        if b.starts_with(b"\x89PNG") {
            "image/png"
        } else {
            "image/jpeg"
        }
    };
    let app = spawn_app(db).await;
    let (seller, product) = app.seller_with_product("ana@shop.example").await;
    let picture = |seed: u32| {
        RgbImage::from_fn(800, 600, move |x, y| {
            let block = if (x / (40 + seed * 25) + y / (30 + seed * 10)).is_multiple_of(2) {
                210
            } else {
                30
            };
            image::Rgb([(x / 4) as u8, (y / (3 + seed)) as u8, block])
        })
    };
    let encode = |img: &RgbImage| {
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
        out.into_inner()
    };
    let shrink = |img: &RgbImage, w, h| {
        encode(&image::imageops::resize(
            img,
            w,
            h,
            image::imageops::FilterType::Triangle,
        ))
    };
    let (honest, other) = (picture(1), picture(3));
    let display = encode(&honest);
    // 800 px fits the medium's 1024: the medium is the display's size; the thumb is 400 px.
    let variants = |medium: Vec<u8>, thumb: Vec<u8>| {
        vec![
            ("display", display.clone()),
            ("medium", medium),
            ("thumb", thumb),
        ]
    };
    let upload = |variants: Vec<(&'static str, Vec<u8>)>| {
        let seller = &seller;
        async move {
            let objects: Vec<_> = variants
                .iter()
                .map(|(v, b)| {
                    serde_json::json!({"variant": v, "content_type": type_of(b), "size": b.len(),
                    "sha256": pipeline::checksum::sha256(b).to_base64()})
                })
                .collect();
            let ticket: app::api::UploadTicket = seller
                .call_json(
                    "begin_upload",
                    serde_json::json!({"product_id": product.id, "objects": objects}),
                )
                .await
                .unwrap();
            let mut keys = Vec::new();
            for signed in &ticket.uploads {
                let bytes = variants
                    .iter()
                    .find(|(v, _)| *v == signed.variant.as_str())
                    .unwrap()
                    .1
                    .clone();
                let file_type = type_of(&bytes);
                let res = seller
                    .post_to_store(&signed.url, &signed.fields, bytes, file_type)
                    .await;
                assert_eq!(res.status().as_u16(), 204);
                keys.push(field(&signed.fields, "key").to_owned());
            }
            (seller.complete(&ticket.intent_id).await, keys)
        }
    };

    let (registered, _) = upload(variants(encode(&honest), shrink(&honest, 400, 300))).await;
    registered.unwrap();

    let mut tagged = shrink(&honest, 400, 300);
    tagged.splice(
        2..2,
        [
            0xFF, 0xE1, 0x00, 0x0C, b'E', b'x', b'i', b'f', 0, 0, b'G', b'P', b'S', 0,
        ],
    );
    let small = image::imageops::resize(&honest, 400, 300, image::imageops::FilterType::Triangle);
    let mut marked = small.clone();
    image::imageops::replace(
        &mut marked,
        &RgbImage::from_pixel(24, 24, image::Rgb([230, 20, 40])),
        188,
        138,
    );
    let mut recoloured = small.clone();
    recoloured.pixels_mut().for_each(|p| p.0.swap(0, 2));
    let mut profile = vec![0u8; 132];
    profile[16..20].copy_from_slice(b"RGB ");
    let profiled = pipeline::encode::jpeg(&small, 90, Some(&profile))
        .unwrap()
        .bytes;
    let other_small =
        image::imageops::resize(&other, 400, 300, image::imageops::FilterType::Triangle);
    let animated = {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, 400, 300);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_animated(1, 0).unwrap();
        encoder.set_sep_def_img(true).unwrap();
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(small.as_raw()).unwrap();
        writer.write_image_data(other_small.as_raw()).unwrap();
        writer.finish().unwrap();
        out
    };
    // A few hundred bytes whose header says 9,000 px square: decoded to learn its size, each
    // such variant once took the server gigabytes.
    let giant = {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, 9_000, 9_000);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Sixteen);
        let mut header = encoder.write_header().unwrap();
        header.write_chunk(png::chunk::IDAT, &[0x78, 0x9c]).unwrap();
        drop(header);
        out
    };
    // The honest thumbnail's scans, then another picture's: our decoder shows the first,
    // browsers the last.
    let two_pictures = {
        let ours = pipeline::encode::jpeg(&small, 85, None).unwrap().bytes;
        let theirs = pipeline::encode::jpeg(&other_small, 85, None)
            .unwrap()
            .bytes;
        let scans_of = |jpeg: &[u8]| jpeg.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
        let mut spliced = ours[..ours.len() - 2].to_vec();
        spliced.extend_from_slice(&theirs[scans_of(&theirs)..]);
        spliced
    };
    let attempts = [
        (
            variants(encode(&honest), two_pictures),
            "the thumb variant's scans are refused: component 0's coefficients 0 to 0 are sent again out of turn",
        ),
        (
            variants(encode(&honest), giant),
            "the thumb variant is 9000x9000, more than its 400 px",
        ),
        (
            variants(encode(&honest), shrink(&other, 400, 300)),
            "the thumb variant is not the display picture",
        ),
        (
            variants(encode(&honest), encode(&marked)),
            "the thumb variant is not the display picture at a smaller size: its colours differ around 4",
        ),
        (
            variants(encode(&honest), encode(&recoloured)),
            "the thumb variant is not the display picture at a smaller size: its colours differ",
        ),
        (
            variants(encode(&honest), profiled),
            "the thumb variant has another colour profile",
        ),
        (
            variants(encode(&honest), animated),
            "the thumb variant carries animation frames",
        ),
        (
            variants(encode(&honest), tagged),
            "the thumb variant carries EXIF",
        ),
        (
            variants(shrink(&honest, 600, 600), shrink(&honest, 400, 300)),
            "the medium variant is 600x600",
        ),
    ];
    for (sent, says) in attempts {
        let (answer, keys) = upload(sent).await;
        match answer {
            Err(AppError::Refused(sentence)) => assert!(sentence.contains(says), "{sentence}"),
            other => panic!("{says}: {other:?}"),
        }
        for key in keys {
            assert!(
                app.state.store.head(&key).await.unwrap().is_none(),
                "{key} deleted"
            );
        }
    }
    assert_eq!(seller.gallery(product.id).await.unwrap().len(), 1);
}

/// Issue 15, item 9: the embedded store refuses a validly signed policy that names no bucket
/// and a form field the policy does not mention (as S3 does), and puts `${filename}` in the key
/// as S3 does instead of storing it literally.
/// The forms are re-signed with the store's own keys, so only the point under test differs.
async fn the_embedded_store_holds_post_forms_to_what_s3_does(db: Db) {
    use base64::Engine;
    let app = spawn_app(db).await;
    let (seller, product) = app.seller_with_product("ana@shop.example").await;
    let store =
        backend::storage::embedded::EmbeddedStore::open(&app.state.settings.embedded_store_dir())
            .unwrap();
    let photo = jpeg(64, 64);
    let ticket = seller.begin_jpeg(product.id, &photo).await;
    let fields = &ticket.uploads[0].fields;
    let key = field(fields, "key").to_owned();
    let b64 = base64::engine::general_purpose::STANDARD;
    let policy: serde_json::Value =
        serde_json::from_slice(&b64.decode(field(fields, "policy")).unwrap()).unwrap();
    // Signs `conditions` (with the ticket's own expiry) and puts the form's fields in line.
    let form = |conditions: Vec<serde_json::Value>, key: &str| {
        let document =
            serde_json::json!({ "expiration": policy["expiration"], "conditions": conditions });
        let encoded = b64.encode(document.to_string());
        let date = field(fields, "x-amz-date");
        let at = chrono::NaiveDateTime::parse_from_str(date, "%Y%m%dT%H%M%SZ")
            .unwrap()
            .and_utc();
        let signature = backend::storage::post_policy::sign_policy(
            &encoded,
            &store.credentials.secret_access_key,
            at.into(),
            &store.region,
        );
        let fields = replace_field(
            &replace_field(fields, "policy", &encoded),
            "x-amz-signature",
            &signature,
        );
        replace_field(&fields, "key", key)
    };
    let conditions: Vec<serde_json::Value> = policy["conditions"].as_array().unwrap().clone();
    let without_bucket: Vec<_> = conditions
        .iter()
        .filter(|c| c.get("bucket").is_none())
        .cloned()
        .collect();
    assert_eq!(without_bucket.len(), conditions.len() - 1);

    // A field the policy does not mention (here one that would make the store serve the picture
    // as a download) is refused, as S3 refuses it, even with the signature intact.
    let mut extra = fields.clone();
    extra.insert(
        1,
        ("Content-Disposition".to_owned(), "attachment".to_owned()),
    );
    for (sent, says) in [
        (form(without_bucket, &key), "no condition on the bucket"),
        (extra, "Extra input fields: Content-Disposition"),
    ] {
        let res = seller
            .post_to_store("/vitrine-media", &sent, photo.clone(), "image/jpeg")
            .await;
        assert_eq!(res.status().as_u16(), 403, "{says}");
        assert!(res.text().await.unwrap().contains(says), "{says}");
        assert!(
            app.state.store.head(&key).await.unwrap().is_none(),
            "nothing stored"
        );
    }

    // `${filename}` in the key: the file's name is put in, and the policy checks the result.
    let folder = key.rsplit_once('/').unwrap().0.to_owned();
    let with_prefix = |conditions: &[serde_json::Value]| {
        let mut c: Vec<_> = conditions
            .iter()
            .filter(|c| c.get("key").is_none())
            .cloned()
            .collect();
        c.push(serde_json::json!([
            "starts-with",
            "$key",
            format!("{folder}/")
        ]));
        c
    };
    let templated = format!("{folder}/${{filename}}");
    let res = seller
        .post_to_store(
            "/vitrine-media",
            &form(with_prefix(&conditions), &templated),
            photo.clone(),
            "image/jpeg",
        )
        .await;
    assert_eq!(res.status().as_u16(), 204, "{}", res.text().await.unwrap());
    assert!(
        app.state
            .store
            .head(&format!("{folder}/image.jpg"))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        app.state.store.head(&templated).await.unwrap().is_none(),
        "no literal ${{filename}} key"
    );
}

/// Issue 15, item 10: a cancel (from another tab, or Cancel pressed as the upload finishes)
/// arrives while `complete_upload` registers the same upload. Exactly one wins: a registered
/// image keeps its objects, a cancelled upload leaves nothing, and nothing is left for gc.
async fn a_cancel_racing_a_completion_never_leaves_a_broken_image(db: Db) {
    let app = spawn_app(db).await;
    let (seller, product) = app.seller_with_product("ana@shop.example").await;
    let mut registered = 0;
    for round in 0..16 {
        let photo = jpeg(64, 48);
        let ticket = seller.begin_jpeg(product.id, &photo).await;
        assert_eq!(seller.send(&ticket, photo).await.status().as_u16(), 204);
        let id = ticket.intent_id.clone();
        let form = [("intent_id", id.as_str())];
        // The cancel leaves a little later each round, so some land inside the completion.
        let cancel = async {
            tokio::time::sleep(std::time::Duration::from_micros(round * 1500)).await;
            seller.call_form::<()>("cancel_upload", &form).await
        };
        let (completed, cancelled) = tokio::join!(seller.complete(&ticket.intent_id), cancel);
        match (&completed, &cancelled) {
            (Ok(_), Err(AppError::Conflict(_))) => registered += 1,
            (Err(_), Ok(())) => {}
            other => panic!("round {round}: both or neither won: {other:?}"),
        }
    }
    assert_eq!(seller.gallery(product.id).await.unwrap().len(), registered);
    let report = backend::integrity::check(
        &app.state.db,
        &app.state.store,
        backend::integrity::Depth::Heads,
    )
    .await
    .unwrap();
    assert_eq!(
        (report.images_checked, report.damaged.len()),
        (registered, 0)
    );
    let gc = backend::gc::run(&app.state, std::time::Duration::ZERO, true)
        .await
        .unwrap();
    assert!(
        gc.orphan_objects.is_empty()
            && gc.detached_objects.is_empty()
            && gc.expired_intents.is_empty(),
        "{gc:?}"
    );
    assert_eq!(app.recorded_keys().await.len(), registered);
}

async fn cancelling_releases_the_intent_and_deletes_what_arrived(db: Db) {
    let app = spawn_app(db).await;
    let (seller, product) = app.seller_with_product("ana@shop.example").await;
    let photo = jpeg(40, 40);
    let ticket = seller.begin_jpeg(product.id, &photo).await;
    let key = field(&ticket.uploads[0].fields, "key").to_owned();
    seller.send(&ticket, photo).await;
    assert!(app.state.store.head(&key).await.unwrap().is_some());

    async fn cancel(b: &crate::support::Browser, id: String) -> Result<(), AppError> {
        b.call_form("cancel_upload", &[("intent_id", &id)]).await
    }
    // Only its owner may cancel it.
    let bob = app.browser();
    bob.sign_up("bob@shop.example").await;
    assert!(matches!(
        cancel(&bob, ticket.intent_id.clone()).await,
        Err(AppError::NotFound(_))
    ));

    cancel(&seller, ticket.intent_id.clone()).await.unwrap();
    assert!(
        app.state.store.head(&key).await.unwrap().is_none(),
        "what arrived is deleted"
    );
    assert!(
        matches!(
            seller.complete(&ticket.intent_id).await,
            Err(AppError::NotFound(_))
        ),
        "the intent is gone"
    );
    assert!(seller.gallery(product.id).await.unwrap().is_empty());

    // A registered upload cannot be cancelled (it is deleted as an image instead).
    let small = jpeg(8, 8);
    let done = seller.begin_jpeg(product.id, &small).await;
    seller.send(&done, small).await;
    seller.complete(&done.intent_id).await.unwrap();
    assert!(matches!(
        cancel(&seller, done.intent_id.clone()).await,
        Err(AppError::Conflict(_))
    ));
    assert_eq!(seller.gallery(product.id).await.unwrap().len(), 1);
}

async fn put_uploads_are_pinned_to_type_and_exact_size(db: Db) {
    let app =
        crate::support::spawn_app_with(db, |s| s.upload_method = domain::UploadMethod::Put).await;
    let (seller, product) = app.seller_with_product("ana@shop.example").await;
    let photo = jpeg(40, 30);
    let ticket = seller.begin_jpeg(product.id, &photo).await;
    let target = &ticket.uploads[0];
    assert_eq!(target.method, domain::UploadMethod::Put);
    assert!(target.fields.is_empty());
    assert!(
        target.url.starts_with("/vitrine-media/"),
        "same origin: {}",
        target.url
    );
    let put = |body: Vec<u8>, content_type: &'static str| {
        let mut req = seller.http.put(format!("{}{}", app.base, target.url));
        for (name, value) in &target.headers {
            let value = if name.eq_ignore_ascii_case("content-type") {
                content_type
            } else {
                value.as_str()
            };
            req = req.header(name, value);
        }
        req.body(body).send()
    };

    // Another type, or a byte more or less, breaks the signature: the store refuses.
    let mut longer = photo.clone();
    longer.push(0);
    assert_eq!(
        put(longer, "image/jpeg").await.unwrap().status().as_u16(),
        403
    );
    assert_eq!(
        put(photo[..photo.len() - 1].to_vec(), "image/jpeg")
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        put(photo.clone(), "image/png")
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );
    // Other bytes of the same length match the signature but not the signed SHA-256.
    assert!(
        target
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("x-amz-checksum-sha256")),
        "{:?}",
        target.headers
    );
    let same_length = crate::support::tampered(&photo);
    let refused = put(same_length, "image/jpeg").await.unwrap();
    assert_eq!(refused.status().as_u16(), 400);
    assert!(refused.text().await.unwrap().contains("BadDigest"));
    assert!(
        matches!(
            seller.complete(&ticket.intent_id).await,
            Err(AppError::Refused(_))
        ),
        "nothing arrived, so nothing registers"
    );

    // Exactly as signed: stored with its cache header, and registered.
    let ticket = seller.begin_jpeg(product.id, &photo).await;
    let target = &ticket.uploads[0];
    let mut req = seller.http.put(format!("{}{}", app.base, target.url));
    for (name, value) in &target.headers {
        req = req.header(name, value);
    }
    let res = req.body(photo.clone()).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap());
    let image = seller.complete(&ticket.intent_id).await.unwrap();
    assert_eq!((image.width, image.height), (40, 30));
    assert_eq!(seller.gallery(product.id).await.unwrap().len(), 1);
}

async fn uploads_must_request_the_configured_encryption(db: Db) {
    let app = crate::support::spawn_app_with(db, |s| {
        s.encryption = Some(backend::config::Encryption::S3Managed)
    })
    .await;
    let (seller, product) = app.seller_with_product("ana@shop.example").await;
    let photo = jpeg(40, 30);
    let ticket = seller.begin_jpeg(product.id, &photo).await;
    let upload = &ticket.uploads[0];
    assert_eq!(
        field(&upload.fields, "x-amz-server-side-encryption"),
        "AES256"
    );
    // The policy pins it: a form without it is refused.
    let without: Vec<(String, String)> = upload
        .fields
        .iter()
        .filter(|(k, _)| k != "x-amz-server-side-encryption")
        .cloned()
        .collect();
    let refused = seller
        .post_to_store(&upload.url, &without, photo.clone(), "image/jpeg")
        .await;
    // AWS answers 403, s3s 400: either way refused, and nothing stored.
    assert!(refused.status().is_client_error(), "{}", refused.status());
    let key = field(&upload.fields, "key").to_owned();
    assert!(app.state.store.head(&key).await.unwrap().is_none());
    let sent = seller.send(&ticket, photo).await;
    assert_eq!(sent.status().as_u16(), 204);
    seller.complete(&ticket.intent_id).await.unwrap();

    // PUT: the header is part of the signature.
    let app = crate::support::spawn_app_with(Db::Sqlite, |s| {
        s.encryption = Some(backend::config::Encryption::S3Managed);
        s.upload_method = domain::UploadMethod::Put;
    })
    .await;
    let (seller, product) = app.seller_with_product("ana@shop.example").await;
    let photo = jpeg(40, 30);
    let ticket = seller.begin_jpeg(product.id, &photo).await;
    let target = &ticket.uploads[0];
    assert!(
        target
            .headers
            .iter()
            .any(|(k, v)| k == "x-amz-server-side-encryption" && v == "AES256"),
        "{:?}",
        target.headers
    );
    let put = |skip_sse: bool| {
        let mut req = seller.http.put(format!("{}{}", app.base, target.url));
        for (name, value) in &target.headers {
            if !(skip_sse && name == "x-amz-server-side-encryption") {
                req = req.header(name, value);
            }
        }
        req.body(photo.clone()).send()
    };
    assert_eq!(put(true).await.unwrap().status().as_u16(), 403);
    assert_eq!(put(false).await.unwrap().status().as_u16(), 200);
    seller.complete(&ticket.intent_id).await.unwrap();
}
