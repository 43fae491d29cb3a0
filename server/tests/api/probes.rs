//! Liveness and readiness probes, and the account rules behind sign-up and sign-in.

use crate::support::{Db, spawn_app};
use app::error::AppError;

on_both_databases!(
    probes_answer,
    commands_that_only_read_make_no_database_and_change_none,
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
    let database = match db {
        Db::Sqlite => "SQLite",
        Db::Postgres => "PostgreSQL",
    };
    assert_eq!(
        body,
        serde_json::json!({
            "ready": true,
            "database": { "kind": database, "state": "ok" },
            "storage": { "kind": "embedded store", "state": "ok" },
        })
    );
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
        matches!(&err, AppError::Conflict(m) if m.contains("already exists")),
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

/// `vitrine serve` says at start what doctor's configuration and persistence checks would,
/// and `/readyz` names what is in use without URLs, keys or raw errors.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_says_at_start_what_is_wrong_and_readyz_names_what_is_in_use() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let here = std::env::temp_dir().join(format!("vitrine-it-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&here).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_vitrine"))
        .arg("serve")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        // The site `make test` built before the Rust tests (serve refuses to start without it).
        .env("LEPTOS_SITE_ROOT", SITE_ROOT)
        .env("HOME", &here)
        .env("VITRINE_DATA_DIR", &here)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        // On Render, with the SQLite default, a store nothing listens on, and a
        // django-storages variable Vitrine does not read.
        .env("RENDER", "true")
        .env("VITRINE_STORAGE", "s3")
        .env("VITRINE_S3_PROVIDER", "other")
        .env("VITRINE_S3_BUCKET", "shop-media")
        .env("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "AKIDLEAKCHECK")
        .env("AWS_SECRET_ACCESS_KEY", "secret-never-shown")
        .env("AWS_S3_CUSTOM_DOMAIN", "cdn.shop.example")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vitrine serve starts");
    let stderr = child.stderr.take().unwrap();
    let _stop = KillOnDrop(child);
    // Read the log on its own thread for as long as the server runs: a closed pipe would fail
    // the server's next log line.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let (lines, port) = tokio::task::spawn_blocking(move || {
        let mut seen = Vec::new();
        while let Ok(line) = rx.recv_timeout(std::time::Duration::from_secs(60)) {
            if let Some(at) = line.split("listening on http://127.0.0.1:").nth(1) {
                return (seen, at.trim().parse::<u16>().unwrap());
            }
            seen.push(line);
        }
        panic!(
            "vitrine serve stopped before listening:\n{}",
            seen.join("\n")
        );
    })
    .await
    .unwrap();
    let said = |needle: &str| {
        lines
            .iter()
            .filter(|l| l.contains(needle))
            .collect::<Vec<_>>()
    };
    let config = said("configuration:");
    assert_eq!(config.len(), 1, "{lines:#?}");
    assert!(config[0].contains("WARN") && config[0].contains("AWS_S3_CUSTOM_DOMAIN"));
    assert!(config[0].contains("VITRINE_PUBLIC_BASE_URL=https://cdn.shop.example"));
    let persistence = said("persistence:");
    assert_eq!(persistence.len(), 1, "{lines:#?}");
    assert!(persistence[0].contains("UPLOADS WILL VANISH: this runs on Render"));
    assert!(persistence[0].contains("the SQLite database"));

    let ready = reqwest::get(format!("http://127.0.0.1:{port}/readyz"))
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 503);
    let body = ready.text().await.unwrap();
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "ready": false,
            "database": { "kind": "SQLite", "state": "ok" },
            "storage": { "kind": "S3-compatible store", "state": "unreachable" },
        })
    );
    for secret in [
        "127.0.0.1:9",
        "shop-media",
        "AKIDLEAKCHECK",
        "secret-never-shown",
    ] {
        assert!(!body.contains(secret), "{body}");
    }
    let _ = std::fs::remove_dir_all(&here);
}

/// Where cargo-leptos builds the site, from this crate's folder.
const SITE_ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site");

/// Started from a folder where the page files are not (an operator's `cd` away from the
/// release), `serve` refuses with what to do instead of sending pages that never respond.
#[test]
fn serve_refuses_to_start_where_it_cannot_find_the_page_files() {
    let here = std::env::temp_dir().join(format!("vitrine-it-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&here).unwrap();
    let stderr = serve_refused_in(&here);
    let dir = here.join("target/site/pkg");
    assert!(
        stderr.contains(&format!("the page files are not in {}", dir.display())),
        "{stderr}"
    );
    assert!(stderr.contains("LEPTOS_SITE_ROOT"), "{stderr}");
    // Nothing was set up on the way: no database, no store.
    let left: Vec<_> = std::fs::read_dir(&here)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let _ = std::fs::remove_dir_all(&here);
}

/// Page files built without `--split` import a module that does not exist: every page would be
/// dead, so `serve` refuses them too, and says how to build them.
#[test]
fn serve_refuses_page_files_built_without_split() {
    let here = std::env::temp_dir().join(format!("vitrine-it-{}", uuid::Uuid::new_v4().simple()));
    let pkg = here.join("target/site/pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("vitrine.0123456789abcdefghijkl.wasm"), b"\0asm").unwrap();
    std::fs::write(
        pkg.join("vitrine.0123456789abcdefghijkl.js"),
        "import * as import1 from \"__wasm_split_placeholder__\"\n",
    )
    .unwrap();
    let stderr = serve_refused_in(&here);
    assert!(stderr.contains("built without --split"), "{stderr}");
    assert!(stderr.contains("cargo leptos build --split"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(&here)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left, ["target"], "no database, no store");
    let _ = std::fs::remove_dir_all(&here);
}

/// Runs `vitrine serve` in `here`, which must refuse to start (exit 1); what it said.
fn serve_refused_in(here: &std::path::Path) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vitrine"))
        .arg("serve")
        .current_dir(here)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", here)
        .env("VITRINE_DATA_DIR", here)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("NO_COLOR", "1")
        .output()
        .expect("vitrine serve runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    stderr
}

/// Stops a spawned server however the test ends.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An operator's typo in DATABASE_URL: `check`, the dry runs and `doctor` say there is no
/// database there and exit non-zero, instead of answering "all fine" from a fresh, empty one
/// they made. On the real database they run as before, and change nothing.
async fn commands_that_only_read_make_no_database_and_change_none(db: Db) {
    let app = spawn_app(db).await;
    let typo = app.data_dir.join("vitirne.db");
    let url = format!("sqlite://{}", typo.display());
    let media = app.data_dir.join("media");
    std::fs::create_dir_all(&media).unwrap();
    let media = media.display().to_string();
    let commands: Vec<Vec<&str>> = vec![
        vec!["check"],
        vec!["gc", "--dry-run"],
        vec![
            "import",
            &media,
            "--seller",
            "a@shop.example",
            "--product",
            "P",
            "--dry-run",
        ],
        vec!["doctor"],
    ];
    for command in &commands {
        let mut args: Vec<String> = command.iter().map(|s| s.to_string()).collect();
        args.extend(["--database-url".to_owned(), url.clone()]);
        let (ok, said) = crate::import::vitrine(&app, args, Vec::new()).await;
        assert!(
            !ok && said.contains("there is no database at"),
            "{command:?}: {said}"
        );
        assert!(!typo.exists(), "{command:?} made a database");
    }
    let (ok, said) = crate::import::vitrine(&app, vec!["check".into()], Vec::new()).await;
    assert!(ok, "{said}");
}
