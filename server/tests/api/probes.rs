//! Liveness and readiness probes, and the account rules behind sign-up and sign-in.

use crate::support::{Db, spawn_app};
use app::error::AppError;

on_both_databases!(
    probes_answer,
    sign_in_checks_the_password_and_sign_up_refuses_duplicates
);

async fn probes_answer(db: Db) {
    let app = spawn_app(db).await;
    let http = reqwest::Client::new();
    let live = http
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status().as_u16(), 200);
    let ready = http
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"database": "ok", "storage": "ok"}));
}

async fn sign_in_checks_the_password_and_sign_up_refuses_duplicates(db: Db) {
    let app = spawn_app(db).await;
    let ana = app.browser();
    ana.sign_up("Ana@Shop.example").await;

    let again = app.browser();
    let res = again
        .http
        .post(format!("{}/api/sign_up", app.base))
        .form(&[
            ("email", "ana@shop.example"),
            ("password", "another long password"),
        ])
        .send()
        .await
        .unwrap();
    let err: AppError = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert!(
        matches!(&err, AppError::Refused(m) if m.contains("already exists")),
        "{err:?}"
    );

    let sign_in = |password: &'static str| {
        let http = again.http.clone();
        let base = app.base.clone();
        async move {
            http.post(format!("{base}/api/sign_in"))
                .form(&[("email", "ANA@shop.example"), ("password", password)])
                .send()
                .await
                .unwrap()
        }
    };
    let wrong = sign_in("not the password").await;
    assert!(!wrong.status().is_success());
    assert!(wrong.headers().get("set-cookie").is_none());

    let right = sign_in("correct horse battery").await;
    assert!(right.status().is_success());
    let cookie = right
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "loopback sites get no Secure flag by default"
    );
    // The session works for the next request.
    assert!(again.create_product("Mug").await.is_ok());
}
