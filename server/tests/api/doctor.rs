//! `vitrine doctor`, run as operators run it, against a real S3 server that enforces signatures:
//! a running Vitrine's embedded store, reached as an external `VITRINE_STORAGE=s3` bucket.

use std::process::Command;

use crate::support::{Db, spawn_app};
use backend::storage::embedded::EmbeddedStore;

/// Runs `vitrine doctor --json` with `vars` (and nothing from this machine's AWS setup).
fn doctor(data_dir: &std::path::Path, vars: &[(&str, &str)]) -> (bool, serde_json::Value) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vitrine"));
    cmd.args(["doctor", "--json"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", data_dir)
        .env("VITRINE_DATA_DIR", data_dir)
        .env("RUST_LOG", "off");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("vitrine runs");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "doctor printed no JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.success(), json)
}

/// The check called `name`: (ok, detail, fix).
fn check(report: &serde_json::Value, name: &str) -> (bool, String, String) {
    let c = report
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {report:#}"));
    (
        c["ok"].as_bool().unwrap(),
        c["detail"].as_str().unwrap().to_owned(),
        c["fix"].as_str().unwrap().to_owned(),
    )
}

// Several threads: the store answers from the runtime while this thread waits for `vitrine`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_names_each_broken_part_and_its_fix() {
    let store_app = spawn_app(Db::Sqlite).await;
    let creds = EmbeddedStore::open(&store_app.data_dir.join("store"))
        .unwrap()
        .credentials;
    let here = tempdir();
    let status = Command::new(env!("CARGO_BIN_EXE_vitrine"))
        .args(["migrate"])
        .env("VITRINE_DATA_DIR", &here)
        .env("RUST_LOG", "off")
        .status()
        .unwrap();
    assert!(status.success());
    let s3 = |secret: &str, bucket: &str, method: &str| {
        vec![
            ("VITRINE_STORAGE", "s3".to_owned()),
            ("VITRINE_S3_PROVIDER", "other".to_owned()),
            ("AWS_ENDPOINT_URL_S3", store_app.base.clone()),
            ("AWS_REGION", "us-east-1".to_owned()),
            ("VITRINE_S3_BUCKET", bucket.to_owned()),
            ("AWS_ACCESS_KEY_ID", creds.access_key_id.clone()),
            ("AWS_SECRET_ACCESS_KEY", secret.to_owned()),
            ("VITRINE_UPLOAD_METHOD", method.to_owned()),
            ("VITRINE_SITE_URL", "https://shop.example".to_owned()),
        ]
    };
    let run = |vars: Vec<(&str, String)>| {
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        doctor(&here, &vars)
    };

    // The old shop's media shares the bucket and the prefix: reported, and left alone.
    store_app
        .state
        .store
        .put(
            "media/product_images/chair.jpg",
            vec![1, 2, 3],
            "image/jpeg",
        )
        .await
        .unwrap();

    // Healthy credentials and bucket: uploads (POST and PUT), media URLs and deletes work. This
    // store has no CORS rules, and doctor says so with the command that adds them.
    for method in ["post", "put"] {
        let (ok, report) = run(s3(&creds.secret_access_key, "vitrine-media", method));
        for name in [
            "configuration",
            "persistence",
            "database",
            "credentials and bucket",
            "clock",
            "stored images",
        ] {
            assert!(check(&report, name).0, "{name}: {report:#}");
        }
        let (versioned, versioning, _) = check(&report, "versioning");
        assert!(
            versioned && versioning.starts_with("off:"),
            "a note, not a problem: {versioning}"
        );
        let (_, shared, _) = check(&report, "shared bucket");
        assert!(
            shared.starts_with("1 other file(s) under media/")
                && shared.contains("gc leaves them alone"),
            "{shared}"
        );
        let (trip_ok, trip, _) = check(&report, "upload round trip");
        assert!(trip_ok, "{trip}");
        assert!(trip.starts_with(&method.to_uppercase()), "{trip}");
        let (cors_ok, cors, fix) = check(&report, "cors");
        assert!(!cors_ok && cors.contains("https://shop.example"), "{cors}");
        assert!(fix.contains("vitrine setup-bucket"));
        assert!(!ok, "a problem means a non-zero exit");
    }

    // setup-bucket on that bare bucket adds the CORS rule (once), and then every check passes.
    let setup = |vars: Vec<(&str, String)>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_vitrine"));
        cmd.arg("setup-bucket")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", &here)
            .env("VITRINE_DATA_DIR", &here)
            .env("RUST_LOG", "off");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (ok, said) = setup(s3(&creds.secret_access_key, "vitrine-media", "put"));
    assert!(ok, "{said}");
    assert!(
        said.contains("unchanged bucket vitrine-media: it exists"),
        "{said}"
    );
    assert!(
        said.contains("added     CORS rule vitrine-uploads: https://shop.example"),
        "{said}"
    );
    let (ok, said) = setup(s3(&creds.secret_access_key, "vitrine-media", "post"));
    assert!(ok, "{said}");
    assert!(said.contains("unchanged CORS"), "{said}");
    // Staging shares the bucket, and production has apex and www: each setup adds its own
    // origins to the rule and keeps the others'.
    let mut staging = s3(&creds.secret_access_key, "vitrine-media", "post");
    staging[8].1 = "https://staging.shop.example".into();
    let (ok, said) = setup(staging);
    assert!(
        ok && said.contains("added     CORS rule vitrine-uploads: https://staging.shop.example"),
        "{said}"
    );
    let mut both = s3(&creds.secret_access_key, "vitrine-media", "post");
    both[8].1 = "https://shop.example,https://www.shop.example".into();
    let (ok, said) = setup(both);
    assert!(
        ok && said.contains("added     CORS rule vitrine-uploads: https://www.shop.example may"),
        "{said}"
    );
    for site in ["https://staging.shop.example", "https://www.shop.example"] {
        let mut other = s3(&creds.secret_access_key, "vitrine-media", "post");
        other[8].1 = site.into();
        let (ok, report) = run(other);
        assert!(ok, "{site}: {report:#}");
    }
    for method in ["post", "put"] {
        let (ok, report) = run(s3(&creds.secret_access_key, "vitrine-media", method));
        assert!(ok, "{report:#}");
        assert!(check(&report, "cors").1.contains("ETag is exposed"));
    }
    // Another site's pages are still refused.
    let mut elsewhere = s3(&creds.secret_access_key, "vitrine-media", "post");
    elsewhere[8].1 = "https://elsewhere.example".into();
    let (ok, report) = run(elsewhere);
    assert!(!ok && !check(&report, "cors").0);

    // Public media URLs on a private bucket: uploads work, images would not load.
    let mut public = s3(&creds.secret_access_key, "vitrine-media", "post");
    public.push(("VITRINE_MEDIA_URLS", "public".into()));
    public.push((
        "VITRINE_PUBLIC_BASE_URL",
        format!("{}/vitrine-media", store_app.base),
    ));
    let (ok, report) = run(public);
    let (trip_ok, detail, fix) = check(&report, "upload round trip");
    assert!(!ok && !trip_ok, "{report:#}");
    assert!(detail.contains("public media URLs do not load"), "{detail}");
    assert!(fix.contains("VITRINE_MEDIA_URLS=signed"), "{fix}");

    // A wrong secret, an unknown key, a missing bucket: each named, each with its fix.
    let (_, report) = run(s3("not-the-secret", "vitrine-media", "post"));
    let (ok, detail, fix) = check(&report, "credentials and bucket");
    assert!(!ok);
    assert!(detail.contains("secret is wrong"), "{detail}");
    assert!(fix.contains("AWS_SECRET_ACCESS_KEY"));

    let mut unknown = s3(&creds.secret_access_key, "vitrine-media", "post");
    unknown[5].1 = "AKIANOTAKEY".into();
    let (_, report) = run(unknown);
    let (ok, detail, fix) = check(&report, "credentials and bucket");
    assert!(!ok);
    assert!(detail.contains("access key"), "{detail}");
    assert!(fix.contains("AWS_ACCESS_KEY_ID"), "{fix}");

    let (_, report) = run(s3(&creds.secret_access_key, "no-such-bucket", "post"));
    let (ok, detail, fix) = check(&report, "credentials and bucket");
    assert!(!ok);
    assert!(detail.contains("does not exist"), "{detail}");
    assert!(fix.contains("vitrine setup-bucket"));

    // Leftover django-storages settings, and an embedded store on a host that wipes its disk.
    let (ok, report) = doctor(
        &here,
        &[
            ("USE_S3", "True"),
            ("AWS_STORAGE_BUCKET_NAME", "shop-media"),
            ("RENDER", "true"),
        ],
    );
    assert!(!ok);
    let (_, detail, fix) = check(&report, "configuration");
    assert!(detail.contains("USE_S3"), "{detail}");
    assert!(fix.contains("VITRINE_STORAGE=s3") && fix.contains("VITRINE_S3_BUCKET=shop-media"));
    let (_, detail, _) = check(&report, "persistence");
    assert!(
        detail.contains("UPLOADS WILL VANISH") && detail.contains("Render"),
        "{detail}"
    );
    // With nothing configured on a lasting disk, everything is fine.
    let (ok, report) = doctor(&here, &[]);
    assert!(ok, "{report:#}");
    let _ = std::fs::remove_dir_all(&here);
}

fn tempdir() -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("vitrine-doctor-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
