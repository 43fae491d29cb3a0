//! `vitrine import-local`, run as operators run it: a Django-style media folder with good and
//! bad files, a dry run, a run stopped half-way and resumed, a re-run that imports nothing twice.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Db, TestApp, spawn_app};

on_both_databases!(a_media_folder_is_imported_once_and_resumably);

fn corpus(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/corpus")
        .join(p)
}

async fn import(app: &TestApp, args: Vec<String>) -> (bool, String) {
    let data_dir = app.data_dir.clone();
    let database_url = app.state.settings.database_url.clone();
    tokio::task::spawn_blocking(move || {
        let out = Command::new(env!("CARGO_BIN_EXE_vitrine"))
            .arg("import-local")
            .args(args)
            .env("VITRINE_DATA_DIR", data_dir)
            .env("DATABASE_URL", database_url)
            .env("RUST_LOG", "off")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.success(), text)
    })
    .await
    .unwrap()
}

async fn a_media_folder_is_imported_once_and_resumably(db: Db) {
    let app = spawn_app(db).await;
    let ana = app.browser();
    ana.sign_up("ana@shop.example").await;

    // MEDIA_ROOT/products/… with two photos (one with GPS), a text file and a truncated JPEG.
    let media = app.data_dir.join("django-media");
    std::fs::create_dir_all(media.join("products/2024")).unwrap();
    std::fs::copy(
        corpus("photos/phone-24mp-orient6-gps.jpg"),
        media.join("products/2024/stool.jpg"),
    )
    .unwrap();
    std::fs::copy(
        corpus("photos/DSCN0010.jpg"),
        media.join("products/lamp.jpg"),
    )
    .unwrap();
    std::fs::write(media.join("products/notes.txt"), "not a photo").unwrap();
    std::fs::copy(corpus("bad/half.jpg"), media.join("products/broken.jpg")).unwrap();
    let before: Vec<(PathBuf, Vec<u8>)> = ["products/2024/stool.jpg", "products/lamp.jpg"]
        .iter()
        .map(|p| (media.join(p), std::fs::read(media.join(p)).unwrap()))
        .collect();
    let args = |extra: &[&str]| {
        let mut a = vec![
            media.display().to_string(),
            "--seller".into(),
            "ana@shop.example".into(),
            "--product".into(),
            "Oak stool".into(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };

    let (ok, said) = import(&app, args(&["--dry-run"])).await;
    assert!(ok, "{said}");
    assert!(
        said.contains("would import 2, already there 0, skipped 2"),
        "{said}"
    );
    let products: Vec<app::api::ProductSummary> =
        ana.call_form("list_products", &[]).await.unwrap();
    assert!(products.is_empty(), "a dry run creates nothing");
    assert!(app.recorded_keys().await.is_empty());

    // A run stopped after the first file (here: a manifest of just that file), then the full run.
    let first = app.data_dir.join("first.csv");
    std::fs::write(
        &first,
        "path,seller,product,alt\nproducts/2024/stool.jpg,ana@shop.example,Oak stool,\"Oak stool, side view\"\n",
    )
    .unwrap();
    let manifest = first.display().to_string();
    let (ok, said) = import(
        &app,
        vec![media.display().to_string(), "--manifest".into(), manifest],
    )
    .await;
    assert!(
        ok && said.contains("imported 1, already there 0, skipped 0"),
        "{said}"
    );
    let (ok, said) = import(&app, args(&[])).await;
    assert!(ok, "{said}");
    assert!(
        said.contains("imported 1, already there 1, skipped 2"),
        "{said}"
    );
    assert!(
        said.contains("skipped   ") && said.contains("notes.txt"),
        "{said}"
    );

    // In the gallery, pending review, in the bucket as three checked variants each.
    let products: Vec<app::api::ProductSummary> =
        ana.call_form("list_products", &[]).await.unwrap();
    assert_eq!(products.len(), 1);
    let gallery = ana.gallery(products[0].id).await.unwrap();
    assert_eq!(gallery.len(), 2);
    assert!(
        gallery
            .iter()
            .all(|g| g.status == domain::ImageStatus::Pending)
    );
    assert_eq!(gallery[0].alt_text, "Oak stool, side view");
    assert_eq!(
        gallery[0].width.max(gallery[0].height),
        2048,
        "the 24 MP photo shrunk"
    );
    let keys = app.recorded_keys().await;
    assert_eq!(keys.len(), 6);
    for key in &keys {
        let stored = app.state.store.read_prefix(key, 1 << 20).await.unwrap();
        assert!(
            !stored.windows(4).any(|w| w == b"Exif"),
            "{key}: metadata (GPS) stripped"
        );
    }

    // Re-running imports nothing twice; the local files are untouched.
    let (ok, said) = import(&app, args(&[])).await;
    assert!(
        ok && said.contains("imported 0, already there 2, skipped 2"),
        "{said}"
    );
    assert_eq!(app.recorded_keys().await.len(), 6);
    for (path, bytes) in before {
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes,
            "{} unchanged",
            path.display()
        );
    }
    // An unknown seller is a clear skip, not a crash.
    let (ok, said) = import(
        &app,
        vec![
            media.display().to_string(),
            "--seller".into(),
            "nobody@shop.example".into(),
            "--product".into(),
            "X".into(),
        ],
    )
    .await;
    assert!(
        ok && said.contains("no account nobody@shop.example"),
        "{said}"
    );
}
