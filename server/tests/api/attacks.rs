//! Requests from outside the site (issue 15, item 3) and the statuses refusals travel with
//! (item 8), tried over HTTP against the real app: each attack is refused, and nothing it
//! asked for happened.

use app::api::{ProductSummary, ReviewDecision};
use app::error::AppError;
use reqwest::StatusCode;

use crate::support::{Db, TestApp, spawn_app};

/// A browser whose headers the test writes itself (no Origin unless given).
struct Raw {
    http: reqwest::Client,
    base: String,
}

const FORM: &str = "application/x-www-form-urlencoded";

impl Raw {
    /// Signed up as `email` from the site itself; the cookie jar now holds the session.
    async fn seller(app: &TestApp, email: &str) -> Raw {
        let raw = Raw {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .unwrap(),
            base: app.base.clone(),
        };
        let res = raw
            .post(
                "sign_up",
                FORM,
                format!("email={email}&password=correct+horse+battery"),
                &[("origin", &app.base)],
            )
            .await;
        assert!(res.status().is_success(), "{}", res.status());
        raw
    }

    async fn post(
        &self,
        name: &str,
        content_type: &str,
        body: String,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut req = self
            .http
            .post(format!("{}/api/{name}", self.base))
            .header("content-type", content_type)
            .body(body);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().await.unwrap()
    }
}

/// A refusal: its status, and a sentence that says why.
async fn refused(res: reqwest::Response, status: StatusCode, says: &str) {
    assert_eq!(res.status(), status);
    let err: AppError = res.json().await.unwrap();
    assert!(err.to_string().contains(says), "{err:?}");
}

async fn product_names(app: &TestApp, raw: &Raw) -> Vec<String> {
    let res = raw
        .post(
            "list_products",
            FORM,
            String::new(),
            &[("origin", &app.base)],
        )
        .await;
    let list: Vec<ProductSummary> = res.json().await.unwrap();
    list.into_iter().map(|p| p.name).collect()
}

async fn cross_site_requests_change_nothing(db: Db) {
    let app = spawn_app(db).await;
    let ana = Raw::seller(&app, "ana@shop.example").await;
    let port = app.base.rsplit(':').next().unwrap().to_owned();
    let other_port = format!("http://127.0.0.1:{}", port.parse::<u16>().unwrap() + 1);
    let create = |headers: &'static [(&'static str, &'static str)]| {
        let ana = &ana;
        async move {
            ana.post("create_product", FORM, "name=Planted".into(), headers)
                .await
        }
    };

    // A page on another port of the same host (the browser says same-site, or only Origin).
    refused(
        create(&[("sec-fetch-site", "same-site")]).await,
        StatusCode::FORBIDDEN,
        "another site",
    )
    .await;
    let res = ana
        .post(
            "create_product",
            FORM,
            "name=Planted".into(),
            &[("origin", &other_port)],
        )
        .await;
    refused(res, StatusCode::FORBIDDEN, "not this site").await;
    // A sibling subdomain.
    let res = ana
        .post(
            "create_product",
            FORM,
            "name=Planted".into(),
            &[("origin", "http://evil.127.0.0.1.nip.io")],
        )
        .await;
    refused(res, StatusCode::FORBIDDEN, "not this site").await;
    // A request that hides where it came from, with the cookie.
    refused(
        create(&[]).await,
        StatusCode::FORBIDDEN,
        "did not say where it came from",
    )
    .await;
    // JSON sent as text/plain (what a cross-site form can send without asking), even with the
    // site's own Origin.
    let res = ana
        .post(
            "begin_upload",
            "text/plain",
            r#"{"product_id":1,"objects":[]}"#.into(),
            &[("origin", &app.base)],
        )
        .await;
    refused(
        res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "JSON or a URL-encoded form",
    )
    .await;
    assert!(product_names(&app, &ana).await.is_empty());

    // The site itself still works.
    let res = ana
        .post(
            "create_product",
            FORM,
            "name=Real".into(),
            &[("origin", &app.base), ("sec-fetch-site", "same-origin")],
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(product_names(&app, &ana).await, ["Real"]);
}

async fn a_cross_site_sign_in_sets_no_session(db: Db) {
    let app = spawn_app(db).await;
    let _mallory = Raw::seller(&app, "mallory@shop.example").await;
    // A top-level form on the attacker's site signs the victim into the attacker's account.
    let victim = reqwest::Client::new();
    let res = victim
        .post(format!("{}/api/sign_in", app.base))
        .header("content-type", FORM)
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .body("email=mallory%40shop.example&password=correct+horse+battery")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("set-cookie").is_none());
    refused(res, StatusCode::FORBIDDEN, "another site").await;
}

async fn an_admin_cannot_be_made_to_approve_from_elsewhere(db: Db) {
    let app = spawn_app(db).await;
    let (seller, product) = app.seller_with_product("ana@shop.example").await;
    let image = seller.upload_photo(product.id).await;
    let admin = app.admin().await;
    let body =
        serde_json::json!({ "image_ids": [image.image_id], "decision": ReviewDecision::Approve });
    let res = admin
        .http
        .post(format!("{}/api/review_decide", app.base))
        .header("origin", "http://127.0.0.1:1")
        .json(&body)
        .send()
        .await
        .unwrap();
    refused(res, StatusCode::FORBIDDEN, "not this site").await;
    let queue = admin.review_queue().await.unwrap();
    assert_eq!(queue.len(), 1, "the image is still waiting for review");
}

async fn refusals_are_4xx_with_their_sentence(db: Db) {
    let app = spawn_app(db).await;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;
    // `decode` checks each status against the error: 401, 400, 404, 403, 409 here.
    let stranger = app.browser();
    assert_eq!(
        stranger.create_product("x").await.unwrap_err(),
        AppError::Unauthenticated
    );
    assert!(matches!(
        stranger
            .sign_in("ana@shop.example", "wrong password!!")
            .await,
        Err(AppError::Refused(_))
    ));
    assert!(matches!(
        ana.gallery(product.id + 1000).await,
        Err(AppError::NotFound(_))
    ));
    assert_eq!(ana.review_queue().await.unwrap_err(), AppError::Forbidden);
    let again = app.browser();
    assert!(matches!(
        again
            .call_form::<()>(
                "sign_up",
                &[
                    ("email", "ana@shop.example"),
                    ("password", "correct horse battery")
                ],
            )
            .await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(
        ana.create_product("").await,
        Err(AppError::Refused(_))
    ));
}

/// Text no keyboard types (a NUL, which PostgreSQL cannot store; a bidi override that
/// reorders what an admin reads; a zero-width space that passes for a name), in every field a
/// person fills, is a 400 that names the character, and changes nothing; so is a review of
/// more images than one decision may name. In a media or old-link path it is a plain 404.
async fn untypable_text_and_oversized_batches_are_refused_and_change_nothing(db: Db) {
    use sea_orm::EntityTrait;
    let app = spawn_app(db).await;
    let (ana, product) = app.seller_with_product("ana@shop.example").await;
    let image = ana.upload_photo(product.id).await;
    let admin = app.admin().await;
    let id = image.image_id.to_string();
    let pid = product.id.to_string();
    let refused = |answer: Result<(), AppError>, says: &str| match answer {
        Err(AppError::Refused(sentence)) => assert!(sentence.contains(says), "{sentence}"),
        other => panic!("{says}: {other:?}"),
    };
    for (bad, code) in [
        ("Linen\0tote", "U+0000"),
        ("Linen tote \u{202E}gpj.exe", "U+202E"),
        ("\u{200B}", "U+200B"),
    ] {
        refused(
            ana.create_product(bad).await.map(|_| ()),
            &format!("The name holds an invisible or control character ({code}"),
        );
        refused(
            ana.call_form("rename_product", &[("id", &pid), ("name", bad)])
                .await
                .map(|_: String| ()),
            code,
        );
        refused(
            ana.call_form("update_image_alt", &[("image_id", &id), ("alt_text", bad)])
                .await
                .map(|_: String| ()),
            code,
        );
        let reject = ReviewDecision::Reject {
            reason: format!("Blurry {bad}"),
        };
        refused(
            admin
                .call_json(
                    "review_decide",
                    serde_json::json!({ "image_ids": [image.image_id], "decision": reject }),
                )
                .await
                .map(|_: u64| ()),
            code,
        );
        // An e-mail with one is no address: refused, for sign-up and sign-in alike.
        let email = format!("ana{bad}@shop.example");
        let fresh = app.browser();
        let answer = fresh
            .call_form::<()>(
                "sign_up",
                &[("email", &email), ("password", "correct horse battery")],
            )
            .await;
        assert!(matches!(answer, Err(AppError::Refused(_))), "{answer:?}");
        assert!(matches!(
            fresh.sign_in(&email, "correct horse battery").await,
            Err(AppError::Refused(_))
        ));
    }
    // A review naming more images than one decision may: refused before anything is read.
    let many: Vec<i64> = (1..=1001).collect();
    refused(
        admin.review(&many, true, None).await.map(|_| ()),
        "Decide at most 1000 images at once.",
    );
    // Nothing changed: the names, the picture's alt text and status, the accounts.
    let products: Vec<ProductSummary> = ana.call_form("list_products", &[]).await.unwrap();
    assert_eq!(products.len(), 1);
    assert_eq!(products[0].name, product.name);
    let item = ana.gallery(product.id).await.unwrap().remove(0);
    assert_eq!(item.alt_text, "");
    assert_eq!(item.status, domain::ImageStatus::Pending);
    assert_eq!(
        backend::entities::account::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap()
            .len(),
        2
    );
    // In paths, a 404 like any unknown key.
    for path in ["/media/media%00x", "/media/%00"] {
        let res = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

/// Issue 15, item 6: pages cannot be framed or sniffed; an uploaded file served on the app's
/// origin is sandboxed, so it can never run script there.
async fn pages_and_stored_files_carry_safety_headers(db: Db) {
    let app = spawn_app(db).await;
    let (seller, product) = app.seller_with_product("ana@shop.example").await;
    seller.upload_photo(product.id).await;
    let page = seller
        .http
        .get(format!("{}/products/{}", app.base, product.id))
        .send()
        .await
        .unwrap();
    let header = |res: &reqwest::Response, name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(header(&page, "x-content-type-options"), "nosniff");
    assert_eq!(header(&page, "x-frame-options"), "DENY");
    let policy = header(&page, "content-security-policy");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(!header(&page, "referrer-policy").is_empty());
    assert!(header(&page, app::SCRIPT_NONCE_HEADER).is_empty());
    // Only scripts carrying this response's nonce run, and the page's own scripts carry it.
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_else(|| panic!("no script nonce in {policy}"))
        .to_owned();
    assert!(!policy.contains("'unsafe-inline' 'strict") && !policy.contains("script-src 'self'"));
    let html = page.text().await.unwrap();
    let scripts = html.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "every script carries the nonce"
    );
    let second = seller
        .http
        .get(format!("{}/products/{}", app.base, product.id))
        .send()
        .await
        .unwrap();
    assert!(
        !header(&second, "content-security-policy").contains(&nonce),
        "each page gets a fresh nonce"
    );

    let picture = &seller.gallery(product.id).await.unwrap()[0].url;
    let file = seller
        .http
        .get(format!("{}{picture}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(header(&file, "x-content-type-options"), "nosniff");
    assert_eq!(
        header(&file, "content-security-policy"),
        "default-src 'none'; sandbox"
    );
}

on_both_databases!(
    pages_and_stored_files_carry_safety_headers,
    cross_site_requests_change_nothing,
    a_cross_site_sign_in_sets_no_session,
    an_admin_cannot_be_made_to_approve_from_elsewhere,
    refusals_are_4xx_with_their_sentence,
    untypable_text_and_oversized_batches_are_refused_and_change_nothing,
);
