//! Who gets in (issue 15, items 4 and 5), tried over HTTP against the real app: guessing a
//! password from one machine or against one account meets 429 with Retry-After before any
//! password is checked; accounts cannot be made in bulk from one address; a session planted
//! before sign-in is worth nothing after it; "sign out everywhere" ends every session; a session
//! left idle ends; with Secure cookies the cookie is `__Host-` and a plain one is not read.

use app::api::UserInfo;
use app::error::AppError;
use backend::attempts::Counted;
use backend::entities::session;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, RETRY_AFTER, SET_COOKIE};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

use crate::support::{Db, TestApp, spawn_app, spawn_app_with};

const PASSWORD: &str = "correct horse battery";

/// One sign-in from `address`, with no cookie jar: the raw answer.
async fn sign_in_from(
    app: &TestApp,
    address: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    sign_in_carrying(app, address, None, email, password).await
}

/// One sign-in whose `X-Forwarded-For` comes in several header lines, in this order.
async fn sign_in_with_lines(
    app: &TestApp,
    lines: &[String],
    email: &str,
    password: &str,
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(format!("{}/api/sign_in", app.base))
        .header("origin", &app.base);
    for line in lines {
        request = request.header("x-forwarded-for", line);
    }
    request
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
}

/// A 429 that says how long to wait, in its header and in its sentence.
async fn too_many(res: reqwest::Response, says: &str) {
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        res.headers().get(SET_COOKIE).is_none(),
        "a refused sign-in opened a session"
    );
    let wait: u64 = res.headers()[RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&wait), "Retry-After {wait}");
    let err: AppError = res.json().await.unwrap();
    let sentence = err.to_string();
    assert!(
        sentence.contains(says) && sentence.contains("Wait "),
        "{sentence}"
    );
}

/// A botnet guesses at `email`'s password, every guess from another address, so only the
/// account's own limit counts; then even the right password from elsewhere waits: the answer
/// must not tell a guesser they found it.
async fn locked_by_guesses_from_elsewhere(app: &TestApp, email: &str) {
    let (limit, _) = Counted::SignInAccount.limit();
    for i in 0..limit {
        let res = sign_in_from(app, &format!("198.51.100.{i}"), email, "guess").await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    too_many(
        sign_in_from(app, "198.51.100.200", email, PASSWORD).await,
        "this account",
    )
    .await;
}

async fn guessing_one_account_is_stopped_from_anywhere(db: Db) {
    let app = spawn_app(db).await;
    app.browser().sign_up("ana@shop.example").await;
    locked_by_guesses_from_elsewhere(&app, "ana@shop.example").await;
    // Other accounts are not affected.
    app.browser().sign_up("bo@shop.example").await;
    let res = sign_in_from(&app, "198.51.100.201", "bo@shop.example", PASSWORD).await;
    assert!(res.status().is_success());
}

/// One sign-in from `address` carrying `cookie` (a `name=value` pair), with no cookie jar.
async fn sign_in_with_cookie(
    app: &TestApp,
    address: &str,
    cookie: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    sign_in_carrying(app, address, Some(cookie), email, password).await
}

async fn sign_in_carrying(
    app: &TestApp,
    address: &str,
    cookie: Option<&str>,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(format!("{}/api/sign_in", app.base))
        .header("origin", &app.base)
        .header("x-forwarded-for", address);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
}

/// The `name=value` of the device cookie an answer sets, checking how it is set.
fn device_cookie_of(res: &reqwest::Response) -> String {
    let set = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with("vitrine_device="))
        .expect("a device cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/"),
        "{set}"
    );
    set.split(';').next().unwrap().to_owned()
}

/// Guessing at an account from elsewhere locks out elsewhere, never its owner's own browser:
/// a browser that signed in before proves it with its device cookie and is counted alone. The
/// cookie must be the server's own, for this very account, and "sign out everywhere" takes
/// the standing of every other browser away.
async fn guessers_cannot_lock_the_owner_out(db: Db) {
    let app = spawn_app(db).await;
    let signed_up = reqwest::Client::new()
        .post(format!("{}/api/sign_up", app.base))
        .header("origin", &app.base)
        .header("x-forwarded-for", "192.0.2.10")
        .form(&[("email", "ana@shop.example"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(signed_up.status().is_success());
    let laptop = device_cookie_of(&signed_up);
    app.browser().sign_up("bo@shop.example").await;
    let bo = device_cookie_of(&sign_in_from(&app, "192.0.2.20", "bo@shop.example", PASSWORD).await);

    locked_by_guesses_from_elsewhere(&app, "ana@shop.example").await;
    // Locked from anywhere else, whatever the cookie: none, another account's, or a made-up one.
    let made_up = format!("vitrine_device={}", "ab".repeat(32));
    for cookie in [bo.as_str(), made_up.as_str(), "vitrine_device=not-a-token"] {
        too_many(
            sign_in_with_cookie(&app, "198.51.100.201", cookie, "ana@shop.example", PASSWORD).await,
            "this account",
        )
        .await;
    }
    // Ana's own laptop gets in, and keeps its cookie.
    let res = sign_in_with_cookie(&app, "192.0.2.10", &laptop, "ana@shop.example", PASSWORD).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(device_cookie_of(&res), laptop);

    // Guessing from the laptop itself (stolen, say) meets its own limit.
    let (limit, _) = Counted::SignInDevice.limit();
    for _ in 0..limit {
        let res =
            sign_in_with_cookie(&app, "192.0.2.10", &laptop, "ana@shop.example", "guess").await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    too_many(
        sign_in_with_cookie(&app, "192.0.2.10", &laptop, "ana@shop.example", PASSWORD).await,
        "this browser",
    )
    .await;

    // Signing out everywhere forgets every browser but the one asking: Bo's phone is one of
    // "elsewhere" again, his laptop (which asked) still gets in while guessers lock the rest.
    let phone =
        device_cookie_of(&sign_in_from(&app, "192.0.2.21", "bo@shop.example", PASSWORD).await);
    let from_laptop =
        sign_in_with_cookie(&app, "192.0.2.20", &bo, "bo@shop.example", PASSWORD).await;
    assert!(from_laptop.status().is_success());
    let session = from_laptop
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|v| v.starts_with("vitrine_session="))
        .unwrap();
    let ended = reqwest::Client::new()
        .post(format!("{}/api/sign_out_everywhere", app.base))
        .header("origin", &app.base)
        .header(COOKIE, format!("{session}; {bo}"))
        .form(&Vec::<(String, String)>::new())
        .send()
        .await
        .unwrap();
    assert!(ended.status().is_success());
    locked_by_guesses_from_elsewhere(&app, "bo@shop.example").await;
    too_many(
        sign_in_with_cookie(&app, "192.0.2.21", &phone, "bo@shop.example", PASSWORD).await,
        "this account",
    )
    .await;
    let res = sign_in_with_cookie(&app, "192.0.2.20", &bo, "bo@shop.example", PASSWORD).await;
    assert!(res.status().is_success(), "{}", res.status());
}

/// The operator takes an account back (a leaked password, an admin who left): `vitrine user
/// passwd` ends every session of it, forgets every browser, and only the new password opens
/// it. An unknown address changes nothing and says so.
async fn an_operator_takes_an_account_back(db: Db) {
    use backend::entities::known_device;
    use sea_orm::{EntityTrait, PaginatorTrait};

    let app = spawn_app(db).await;
    let laptop = app.browser();
    laptop.sign_up("ana@shop.example").await;
    let thief = app.browser();
    thief.sign_in("ana@shop.example", PASSWORD).await.unwrap();

    let args = |email: &str| vec!["user".to_owned(), "passwd".to_owned(), email.to_owned()];
    let (ok, said) = crate::import::vitrine(&app, args("ana@shop.example"), Vec::new()).await;
    assert!(ok && said.contains("every session ended"), "{said}");
    let new_password = said
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .unwrap()
        .trim()
        .to_owned();
    for browser in [&laptop, &thief] {
        let me: Option<UserInfo> = browser.call_form("whoami", &[]).await.unwrap();
        assert_eq!(me, None, "signed out everywhere");
    }
    assert_eq!(
        known_device::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        0,
        "no browser keeps a known one's standing"
    );
    assert!(matches!(
        thief.sign_in("ana@shop.example", PASSWORD).await,
        Err(AppError::Refused(_))
    ));
    laptop
        .sign_in("ana@shop.example", &new_password)
        .await
        .unwrap();

    let (ok, said) = crate::import::vitrine(&app, args("nobody@shop.example"), Vec::new()).await;
    assert!(!ok && said.contains("not found"), "{said}");
}

async fn one_machine_cannot_try_many_accounts(db: Db) {
    let app = spawn_app(db).await;
    app.browser().sign_up("ana@shop.example").await;
    let (limit, _) = Counted::SignInAddress.limit();
    for i in 0..limit {
        let res = sign_in_from(
            &app,
            "203.0.113.66",
            &format!("guess{i}@shop.example"),
            "guess",
        )
        .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    too_many(
        sign_in_from(&app, "203.0.113.66", "ana@shop.example", PASSWORD).await,
        "your network",
    )
    .await;
    // The real seller, elsewhere, still gets in; and a success forgets their typos.
    let res = sign_in_from(&app, "198.51.100.7", "ana@shop.example", PASSWORD).await;
    assert!(res.status().is_success());
}

/// Behind a proxy that adds its own `X-Forwarded-For` line after the one the client sent
/// (HAProxy's `option forwardfor`), or writes the address with a port: a machine that forges a
/// new first line for every guess is still counted by the entry the proxy wrote.
async fn a_forged_forwarded_for_line_does_not_hide_the_machine(db: Db) {
    let app = spawn_app(db).await;
    app.browser().sign_up("ana@shop.example").await;
    let (limit, _) = Counted::SignInAddress.limit();
    for i in 0..limit {
        let proxy_wrote = if i % 2 == 0 {
            "203.0.113.66".to_owned()
        } else {
            format!("203.0.113.66:{}", 40_000 + i)
        };
        let lines = [format!("198.51.100.{i}, 192.0.2.{i}"), proxy_wrote];
        let guess = format!("guess{i}@shop.example");
        let res = sign_in_with_lines(&app, &lines, &guess, "guess").await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    let lines = ["198.51.100.250".to_owned(), "203.0.113.66".to_owned()];
    too_many(
        sign_in_with_lines(&app, &lines, "ana@shop.example", PASSWORD).await,
        "your network",
    )
    .await;
    // Another machine behind the same proxy still gets in.
    let lines = ["203.0.113.66".to_owned(), "198.51.100.7".to_owned()];
    let res = sign_in_with_lines(&app, &lines, "ana@shop.example", PASSWORD).await;
    assert!(res.status().is_success(), "{}", res.status());
}

async fn a_successful_sign_in_forgets_earlier_typos(db: Db) {
    let app = spawn_app(db).await;
    app.browser().sign_up("ana@shop.example").await;
    let (limit, _) = Counted::SignInAccount.limit();
    for round in 0..3 {
        for _ in 0..limit - 1 {
            let res = sign_in_from(
                &app,
                &format!("198.51.100.{round}"),
                "ana@shop.example",
                "typo",
            )
            .await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        }
        let res = sign_in_from(
            &app,
            &format!("198.51.100.{round}"),
            "ana@shop.example",
            PASSWORD,
        )
        .await;
        assert!(res.status().is_success(), "round {round}: {}", res.status());
    }
}

async fn accounts_cannot_be_made_in_bulk(db: Db) {
    let app = spawn_app(db).await;
    let (limit, _) = Counted::SignUpAddress.limit();
    let factory = app.browser_at("203.0.113.77");
    for i in 0..limit {
        factory.sign_up(&format!("bulk{i}@spam.example")).await;
    }
    let err = factory
        .call_form::<()>(
            "sign_up",
            &[("email", "one-more@spam.example"), ("password", PASSWORD)],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::TooManyAttempts { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("Too many accounts made from your network")
    );
    assert!(
        backend::accounts::by_email(&app.state.db, "one-more@spam.example")
            .await
            .unwrap()
            .is_none()
    );
    // Someone else signs up as usual.
    app.browser().sign_up("real@shop.example").await;
}

/// The session token a sign-in answer sets, by cookie name.
fn token(res: &reqwest::Response, name: &str) -> String {
    let cookie = res.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    let (pair, _) = cookie.split_once(';').unwrap();
    let (found, value) = pair.split_once('=').unwrap();
    assert_eq!(found, name, "{cookie}");
    value.to_owned()
}

async fn whoami_with(app: &TestApp, cookie: &str) -> Option<UserInfo> {
    let res = reqwest::Client::new()
        .post(format!("{}/api/whoami", app.base))
        .header("origin", &app.base)
        .header(COOKIE, cookie)
        .form(&[("", ""); 0])
        .send()
        .await
        .unwrap();
    res.json().await.unwrap()
}

async fn a_session_from_before_sign_in_is_worthless_after_it(db: Db) {
    let app = spawn_app(db).await;
    app.browser().sign_up("mallory@shop.example").await;
    app.browser().sign_up("ana@shop.example").await;
    // Mallory's own session, planted in Ana's browser (a shared computer, a sibling site).
    let planted = token(
        &sign_in_from(&app, "198.51.100.1", "mallory@shop.example", PASSWORD).await,
        "vitrine_session",
    );
    let res = reqwest::Client::new()
        .post(format!("{}/api/sign_in", app.base))
        .header("origin", &app.base)
        .header(COOKIE, format!("vitrine_session={planted}"))
        .form(&[("email", "ana@shop.example"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let fresh = token(&res, "vitrine_session");
    assert_ne!(fresh, planted);
    assert_eq!(
        whoami_with(&app, &format!("vitrine_session={planted}")).await,
        None
    );
    let me = whoami_with(&app, &format!("vitrine_session={fresh}"))
        .await
        .unwrap();
    assert_eq!(me.email, "ana@shop.example");
}

async fn sign_out_everywhere_ends_every_session(db: Db) {
    let app = spawn_app(db).await;
    let laptop = app.browser();
    laptop.sign_up("ana@shop.example").await;
    let phone = app.browser();
    phone.sign_in("ana@shop.example", PASSWORD).await.unwrap();
    let other = app.browser();
    other.sign_up("bo@shop.example").await;
    let info: app::api::AccountInfo = phone.call_form("account_overview", &[]).await.unwrap();
    assert_eq!(info.sessions, 2);

    let ended: u64 = phone.call_form("sign_out_everywhere", &[]).await.unwrap();
    assert_eq!(ended, 2);
    for browser in [&laptop, &phone] {
        let me: Option<UserInfo> = browser.call_form("whoami", &[]).await.unwrap();
        assert_eq!(me, None);
        let err = browser
            .call_form::<Vec<app::api::ProductSummary>>("list_products", &[])
            .await
            .unwrap_err();
        assert_eq!(err, AppError::Unauthenticated);
    }
    // Another account's session is not touched.
    let me: Option<UserInfo> = other.call_form("whoami", &[]).await.unwrap();
    assert_eq!(me.unwrap().email, "bo@shop.example");
    // Signed out, nobody can sign anyone out.
    let err = laptop
        .call_form::<u64>("sign_out_everywhere", &[])
        .await
        .unwrap_err();
    assert_eq!(err, AppError::Unauthenticated);
}

async fn an_idle_session_ends(db: Db) {
    let app = spawn_app(db).await;
    let laptop = app.browser();
    laptop.sign_up("ana@shop.example").await;
    let used = |days: i64| chrono::Utc::now() - chrono::Duration::days(days);
    // Used two days ago: still signed in, and the visit is recorded.
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(Some(used(2))))
        .exec(&app.state.db)
        .await
        .unwrap();
    let me: Option<UserInfo> = laptop.call_form("whoami", &[]).await.unwrap();
    assert!(me.is_some());
    let row = session::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.last_seen_at.unwrap() > used(1));
    // Left alone longer than the idle limit, well inside its 30-day lifetime: it has ended.
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(Some(used(4))))
        .exec(&app.state.db)
        .await
        .unwrap();
    let me: Option<UserInfo> = laptop.call_form("whoami", &[]).await.unwrap();
    assert_eq!(me, None);
    let left = session::Entity::find()
        .filter(session::Column::AccountId.is_not_null())
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(left.is_empty(), "the idle session's row is gone");
}

async fn secure_cookies_are_host_only(db: Db) {
    let app = spawn_app_with(db, |s| s.secure_cookies = true).await;
    app.browser().sign_up("ana@shop.example").await;
    let res = sign_in_from(&app, "198.51.100.1", "ana@shop.example", PASSWORD).await;
    let cookie = res.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Host-vitrine_session="), "{cookie}");
    assert!(
        cookie.contains("; Secure") && cookie.contains("; Path=/"),
        "{cookie}"
    );
    assert!(!cookie.to_ascii_lowercase().contains("domain="), "{cookie}");
    let device = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.contains("vitrine_device="))
        .unwrap();
    assert!(
        device.starts_with("__Host-vitrine_device=") && device.contains("; Secure"),
        "{device}"
    );
    let value = token(&res, "__Host-vitrine_session");
    let me = whoami_with(&app, &format!("__Host-vitrine_session={value}")).await;
    assert_eq!(me.unwrap().email, "ana@shop.example");
    // The same token under the plain name (as a sibling subdomain could set it) is not read.
    assert_eq!(
        whoami_with(&app, &format!("vitrine_session={value}")).await,
        None
    );
}

on_both_databases!(
    guessing_one_account_is_stopped_from_anywhere,
    guessers_cannot_lock_the_owner_out,
    an_operator_takes_an_account_back,
    one_machine_cannot_try_many_accounts,
    a_forged_forwarded_for_line_does_not_hide_the_machine,
    a_successful_sign_in_forgets_earlier_typos,
    accounts_cannot_be_made_in_bulk,
    a_session_from_before_sign_in_is_worthless_after_it,
    sign_out_everywhere_ends_every_session,
    an_idle_session_ends,
    secure_cookies_are_host_only,
);
