//! `vitrine import-local`, run as operators run it: a Django-style media folder with good and
//! bad files, a dry run, a run stopped half-way and resumed, a re-run that imports nothing twice.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Db, TestApp, cut_after_polls, jpeg, spawn_app};

on_both_databases!(
    a_media_folder_is_imported_once_and_resumably,
    whoever_signs_up_first_with_a_sellers_address_gets_none_of_their_photos,
    rows_no_run_could_import_are_skipped_by_the_dry_run_too,
    a_shop_bucket_is_imported_where_it_lies_and_left_untouched,
    an_import_killed_after_uploading_leaves_only_what_gc_may_delete,
    an_import_with_nothing_to_do_or_nowhere_to_keep_passwords_fails_having_done_nothing,
    ctrl_c_stops_an_import_waiting_on_its_source,
    an_aws_source_is_not_looked_for_at_vitrines_own_endpoint,
);

fn corpus(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/corpus")
        .join(p)
}

/// `vitrine import-local` (the old name, kept as an alias of `import`) with `args`.
async fn import(app: &TestApp, args: Vec<String>) -> (bool, String) {
    let args = std::iter::once("import-local".to_owned())
        .chain(args)
        .collect();
    vitrine(app, args, Vec::new()).await
}

/// The `vitrine` binary, as an operator runs it on `app`'s data, with `env` set too.
pub(crate) async fn vitrine(
    app: &TestApp,
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
) -> (bool, String) {
    let data_dir = app.data_dir.clone();
    let database_url = app.state.settings.database_url.clone();
    tokio::task::spawn_blocking(move || {
        let out = Command::new(env!("CARGO_BIN_EXE_vitrine"))
            .args(args)
            .envs(env)
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
    let ana = app.seller_made_by_operator("ana@shop.example").await;

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
    // Nothing could be imported: the exit status says so, for scripts.
    assert!(
        !ok && said.contains("no account nobody@shop.example")
            && said.contains("nothing could be imported"),
        "{said}"
    );
    app.assert_stored_bytes_agree().await;
}

/// Issue 16, items 1, 2 and 4: the old shop's media lies in a bucket beside its static files and
/// downloads (django-storages' `media/` location). `vitrine import s3://…` reads it there, on
/// Vitrine's own store or another one (`--source-endpoint`), places each photo as the manifest
/// says, writes the map of old paths, imports nothing twice, and neither it nor gc changes a
/// byte of the old tree.
async fn a_shop_bucket_is_imported_where_it_lies_and_left_untouched(db: Db) {
    let app = spawn_app(db).await;
    let ana = app.seller_made_by_operator("ana@shop.example").await;
    let store = &app.state.store;
    let tree: Vec<(&str, Vec<u8>)> = vec![
        (
            "media/product_images/tote.jpg",
            std::fs::read(corpus("photos/DSCN0010.jpg")).unwrap(),
        ),
        (
            "media/product_images/tote_2.jpg",
            crate::support::jpeg(90, 120),
        ),
        ("media/product_images/notes.txt", b"not a photo".to_vec()),
        ("static/css/site.css", b"body{}".to_vec()),
        ("downloads/manual.pdf", b"%PDF-1.4".to_vec()),
        // Almost Vitrine's own key shape: gc must still leave it alone.
        (
            "media/sellers/1/not-an-upload/display.jpg",
            crate::support::jpeg(8, 8),
        ),
    ];
    for (key, bytes) in &tree {
        store
            .put(key, bytes.clone(), "application/octet-stream")
            .await
            .unwrap();
    }
    let manifest = app.data_dir.join("manifest.csv");
    std::fs::write(
        &manifest,
        "source,seller,product,position,cover,alt\n\
         product_images/tote_2.jpg,ana@shop.example,Canvas tote,2,false,Inside\n\
         product_images/tote.jpg,ana@shop.example,Canvas tote,1,true,\"Tote, front\"\n\
         product_images/notes.txt,ana@shop.example,Canvas tote,3,false,\n",
    )
    .unwrap();
    let map = app.data_dir.join("map.csv");
    let args = |extra: &[&str]| {
        let mut a: Vec<String> = ["import", "s3://vitrine-media/media/", "--manifest"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        a.push(manifest.display().to_string());
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };

    let (ok, said) = vitrine(&app, args(&["--dry-run"]), Vec::new()).await;
    assert!(
        ok && said.contains("would import 2, already there 0, skipped 1"),
        "{said}"
    );
    assert!(
        said.contains("s3://vitrine-media/media/product_images/tote.jpg"),
        "{said}"
    );
    assert!(
        app.recorded_keys().await.is_empty(),
        "a dry run stores nothing"
    );

    let map_arg = map.display().to_string();
    let (ok, said) = vitrine(&app, args(&["--map-out", &map_arg]), Vec::new()).await;
    assert!(
        ok && said.contains("imported 2, already there 0, skipped 1"),
        "{said}"
    );
    let products: Vec<app::api::ProductSummary> =
        ana.call_form("list_products", &[]).await.unwrap();
    let tote = products.iter().find(|p| p.name == "Canvas tote").unwrap();
    let gallery = ana.gallery(tote.id).await.unwrap();
    assert_eq!(gallery.len(), 2);
    assert_eq!(gallery[0].alt_text, "Tote, front", "the cover first");
    assert_eq!(gallery[1].alt_text, "Inside");
    let written = std::fs::read_to_string(&map).unwrap();
    let rows: Vec<&str> = written.lines().collect();
    assert_eq!(rows[0], "source,image_id,status,url");
    assert!(
        rows[1].starts_with(&format!(
            "product_images/tote.jpg,{},pending,/media/",
            gallery[0].id
        )),
        "{written}"
    );

    // Again: nothing twice. Then gc with no grace at all: the old tree is as it was.
    let (ok, said) = vitrine(&app, args(&[]), Vec::new()).await;
    assert!(
        ok && said.contains("imported 0, already there 2, skipped 1"),
        "{said}"
    );
    gc_leaves_the_old_tree(&app, &tree).await;
    assert_eq!(
        app.recorded_keys().await.len(),
        6,
        "two photos, three variants each"
    );

    // The same bucket on another store (the old shop's own S3 server here), reached with an
    // endpoint and the import's own keys, into a second shop.
    // Ana has no account there yet: --create-sellers makes it, its password only in the file.
    let other = spawn_app(db).await;
    let old_store =
        backend::storage::embedded::EmbeddedStore::open(&app.state.settings.embedded_store_dir())
            .unwrap();
    let keys = vec![
        (
            "VITRINE_IMPORT_AWS_ACCESS_KEY_ID",
            old_store.credentials.access_key_id.clone(),
        ),
        (
            "VITRINE_IMPORT_AWS_SECRET_ACCESS_KEY",
            old_store.credentials.secret_access_key.clone(),
        ),
    ];
    let passwords = other.data_dir.join("passwords.csv");
    let passwords_arg = passwords.display().to_string();
    let remote = args(&[
        "--source-endpoint",
        &app.base,
        "--approve",
        "--create-sellers",
        "--passwords-out",
        &passwords_arg,
    ]);
    let (ok, said) = vitrine(&other, remote, keys).await;
    assert!(
        ok && said.contains("imported 2, already there 0, skipped 1"),
        "{said}"
    );
    assert!(said.contains("created seller ana@shop.example"), "{said}");
    let written = std::fs::read_to_string(&passwords).unwrap();
    let (email, password) = written.trim().split_once(',').unwrap();
    assert_eq!(email, "ana@shop.example");
    assert!(
        password.len() >= 20 && !said.contains(password),
        "never in the output"
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&passwords).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "readable by its owner only");
    }
    other.browser().sign_in(email, password).await.unwrap();
    let seen = other
        .browser()
        .store_product(other_product(&other).await)
        .await
        .unwrap();
    assert_eq!(
        seen.images.len(),
        2,
        "approved on import, so on the storefront"
    );
    app.assert_stored_bytes_agree().await;
    other.assert_stored_bytes_agree().await;
}

async fn other_product(app: &TestApp) -> i64 {
    use backend::entities::product;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    product::Entity::find()
        .filter(product::Column::Name.eq("Canvas tote"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Before the migration, someone signs up on the site with a seller's address (it is on the
/// old shop's contact page). The operator then imports with --create-sellers --approve: that
/// seller's rows are skipped, saying why and what to do, nothing lands in the account, no
/// product is made, and no password is written for it; the operator's own sellers are served.
/// Once the operator knows the account is the seller's, --trust-site-accounts imports them.
async fn whoever_signs_up_first_with_a_sellers_address_gets_none_of_their_photos(db: Db) {
    let app = spawn_app(db).await;
    let squatter = app.browser();
    squatter.sign_up("ana@shop.example").await;
    let media = app.data_dir.join("django-media");
    std::fs::create_dir_all(&media).unwrap();
    std::fs::write(media.join("stool.jpg"), jpeg(48, 32)).unwrap();
    std::fs::write(media.join("lamp.jpg"), jpeg(40, 30)).unwrap();
    let manifest = app.data_dir.join("manifest.csv");
    std::fs::write(
        &manifest,
        "source,seller,product\nstool.jpg,ana@shop.example,Oak stool\nlamp.jpg,bo@shop.example,Lamp\n",
    )
    .unwrap();
    let passwords = app.data_dir.join("passwords.csv");
    let args = |extra: &[&str]| {
        let mut a: Vec<String> = vec![
            media.display().to_string(),
            "--manifest".into(),
            manifest.display().to_string(),
            "--approve".into(),
            "--create-sellers".into(),
            "--passwords-out".into(),
            passwords.display().to_string(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };

    for dry in [true, false] {
        let (ok, said) = import(&app, args(if dry { &["--dry-run"] } else { &[] })).await;
        assert!(ok, "{said}");
        let counts = if dry { "would import 1" } else { "imported 1" };
        assert!(
            said.contains(&format!("{counts}, already there 0, skipped 1"))
                && said.contains("ana@shop.example signed up on the site")
                && said.contains("--trust-site-accounts"),
            "{said}"
        );
    }
    let theirs: Vec<app::api::ProductSummary> =
        squatter.call_form("list_products", &[]).await.unwrap();
    assert!(theirs.is_empty(), "nothing of Ana's reached the account");
    let written = std::fs::read_to_string(&passwords).unwrap();
    assert!(
        written.starts_with("bo@shop.example,") && !written.contains("ana@"),
        "{written}"
    );
    assert_eq!(app.recorded_keys().await.len(), 3, "Bo's photo alone");

    // The operator checked: the account is Ana's after all.
    let (ok, said) = import(&app, args(&["--trust-site-accounts"])).await;
    assert!(
        ok && said.contains("imported 1, already there 1, skipped 0"),
        "{said}"
    );
    let hers: Vec<app::api::ProductSummary> =
        squatter.call_form("list_products", &[]).await.unwrap();
    assert_eq!(hers.len(), 1);
    assert_eq!(hers[0].name, "Oak stool");
}

/// A clumsy manifest: an empty product name, one too long, a seller that is no address. The
/// dry run says each is skipped and why, as the run then does, importing the good row: no row
/// stops the run half-way, no account is made for the bad address. A mistyped folder is said
/// at once with nothing done, and a run that can import nothing exits non-zero.
async fn rows_no_run_could_import_are_skipped_by_the_dry_run_too(db: Db) {
    let app = spawn_app(db).await;
    let media = app.data_dir.join("django-media");
    std::fs::create_dir_all(&media).unwrap();
    for name in ["a.jpg", "b.jpg", "c.jpg", "d.jpg"] {
        std::fs::write(media.join(name), jpeg(40 + name.len() as u32, 30)).unwrap();
    }
    let long = "x".repeat(201);
    let manifest = app.data_dir.join("manifest.csv");
    std::fs::write(
        &manifest,
        format!(
            "source,seller,product\na.jpg,ana@shop.example,Oak stool\nb.jpg,ana@shop.example,\"  \"\nc.jpg,ana@shop.example,{long}\nd.jpg,not an address,Lamp\n"
        ),
    )
    .unwrap();
    let passwords = app.data_dir.join("passwords.csv");
    let args = |source: &Path, extra: &[&str]| {
        let mut a: Vec<String> = vec![
            source.display().to_string(),
            "--manifest".into(),
            manifest.display().to_string(),
            "--create-sellers".into(),
            "--passwords-out".into(),
            passwords.display().to_string(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let typo = app.data_dir.join("djnago-media");
    let (ok, said) = import(&app, args(&typo, &[])).await;
    assert!(!ok && said.contains("no such folder"), "{said}");
    assert!(!passwords.exists(), "nothing done: no seller made");

    for dry in [true, false] {
        let (ok, said) = import(&app, args(&media, if dry { &["--dry-run"] } else { &[] })).await;
        assert!(ok, "{said}");
        let counts = if dry { "would import 1" } else { "imported 1" };
        for says in [
            &format!("{counts}, already there 0, skipped 3"),
            "b.jpg: product: Give the product a name.",
            "c.jpg: product: Product names are at most 200 characters.",
            "d.jpg: seller: \"not an address\" is not an e-mail address",
        ] {
            assert!(said.contains(says), "{says}: {said}");
        }
    }
    let written = std::fs::read_to_string(&passwords).unwrap();
    assert_eq!(written.lines().count(), 1, "{written}");
    assert!(written.starts_with("ana@shop.example,"));

    // Only bad rows left: nothing can be imported, and the exit status says so.
    std::fs::write(
        &manifest,
        "source,seller,product\nb.jpg,ana@shop.example,\n",
    )
    .unwrap();
    let (ok, said) = import(&app, args(&media, &[])).await;
    assert!(!ok && said.contains("nothing could be imported"), "{said}");
}

/// gc with no grace at all (which `vitrine gc` refuses outside a dry run), then every object
/// of the old shop's `tree` is checked byte for byte: gc touches nothing of it, however young.
pub(crate) async fn gc_leaves_the_old_tree(app: &TestApp, tree: &[(impl AsRef<str>, Vec<u8>)]) {
    let gc = vec!["gc".into(), "--grace-hours".into(), "0".into()];
    let (ok, said) = vitrine(app, gc, Vec::new()).await;
    assert!(!ok && said.contains("give at least 1"), "{said}");
    backend::gc::run(&app.state, std::time::Duration::ZERO, false)
        .await
        .unwrap();
    for (key, bytes) in tree {
        let key = key.as_ref();
        let now = app.state.store.read_prefix(key, 1 << 30).await.unwrap();
        assert_eq!(&now[..], &bytes[..], "{key} untouched");
    }
}

/// An import killed (an operator's Ctrl-C, a host's deploy) at its first moment with an
/// uploaded variant stored and nothing registered, then run again to its end. What the killed
/// run stored is never at a key the finished run registers (gc may delete it any time after its
/// grace period, even while a re-run registers), and gc then leaves exactly the registered photo.
async fn an_import_killed_after_uploading_leaves_only_what_gc_may_delete(db: Db) {
    use std::collections::BTreeSet;
    let app = spawn_app(db).await;
    app.seller_made_by_operator("ana@shop.example").await;
    let media = app.data_dir.join("killed-import");
    std::fs::create_dir_all(&media).unwrap();
    std::fs::write(media.join("stool.jpg"), jpeg(48, 32)).unwrap();
    let source = backend::import::Source::Folder(media);
    let item =
        backend::import::listed(vec!["stool.jpg".into()], "ana@shop.example", "Stool").remove(0);
    let run = backend::import::Run::default();

    let mut polls = 1;
    let left_by_killed_run = loop {
        assert!(polls < 5_000, "no cut left a variant stored");
        let import = backend::import::import_one(&app.state, &source, &item, run);
        assert!(
            cut_after_polls(import, polls).await.is_none(),
            "the import finished before any cut left a variant stored"
        );
        // What the store was still writing when the run was killed lands meanwhile.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let stored: BTreeSet<String> = app.stored_keys().await.into_iter().collect();
        if !stored.is_empty() {
            assert!(
                app.recorded_keys().await.is_empty(),
                "killed before registering"
            );
            break stored;
        }
        polls += 1;
    };

    let outcome = backend::import::import_one(&app.state, &source, &item, run).await;
    assert!(
        matches!(outcome, Ok(backend::import::Outcome::Imported { .. })),
        "{outcome:?}"
    );
    let registered = app.recorded_keys().await;
    assert_eq!(registered.len(), 3);
    assert!(
        registered.iter().all(|k| !left_by_killed_run.contains(k)),
        "registered {registered:?} at keys the killed run left: {left_by_killed_run:?}"
    );
    let gc = backend::gc::run(&app.state, std::time::Duration::ZERO, false)
        .await
        .unwrap();
    assert!(
        left_by_killed_run
            .iter()
            .all(|k| gc.orphan_objects.contains(k)),
        "{gc:?}"
    );
    assert!(app.store_matches_records().await);
}

/// Two operator slips: a source with nothing in it (an empty folder, a manifest of its header
/// alone) used to say "imported 0" and exit 0; a passwords file that cannot be written used to
/// be found out only after the first seller's account was made, with a password nobody had.
async fn an_import_with_nothing_to_do_or_nowhere_to_keep_passwords_fails_having_done_nothing(
    db: Db,
) {
    let app = spawn_app(db).await;
    let empty = app.data_dir.join("empty-media");
    std::fs::create_dir_all(&empty).unwrap();
    let (ok, said) = import(
        &app,
        vec![
            empty.display().to_string(),
            "--seller".into(),
            "ana@shop.example".into(),
            "--product".into(),
            "Oak stool".into(),
        ],
    )
    .await;
    assert!(
        !ok && said.contains("nothing to import: SOURCE holds no photos"),
        "{said}"
    );

    let media = app.data_dir.join("django-media");
    std::fs::create_dir_all(&media).unwrap();
    std::fs::write(media.join("stool.jpg"), jpeg(48, 32)).unwrap();
    let headers_only = app.data_dir.join("headers.csv");
    std::fs::write(&headers_only, "source,seller,product\n").unwrap();
    let manifest = |path: &Path| {
        vec![
            media.display().to_string(),
            "--manifest".into(),
            path.display().to_string(),
        ]
    };
    let (ok, said) = import(&app, manifest(&headers_only)).await;
    assert!(!ok && said.contains("the manifest has no rows"), "{said}");

    let rows = app.data_dir.join("manifest.csv");
    std::fs::write(
        &rows,
        "source,seller,product\nstool.jpg,bo@shop.example,Oak stool\n",
    )
    .unwrap();
    let mut args = manifest(&rows);
    let nowhere = app.data_dir.join("no-such-folder/passwords.csv");
    args.extend([
        "--create-sellers".into(),
        "--passwords-out".into(),
        nowhere.display().to_string(),
    ]);
    let (ok, said) = import(&app, args).await;
    assert!(!ok && said.contains("no-such-folder"), "{said}");
    let bo = backend::accounts::by_email(&app.state.db, "bo@shop.example")
        .await
        .unwrap();
    assert!(
        bo.is_none(),
        "no account is made whose password could not be kept"
    );
    assert!(app.recorded_keys().await.is_empty(), "nothing was imported");
}

/// Ctrl-C stops a one-off command. Before, the embedded store's server that the command starts
/// took the signal alone: the import went on waiting, and further Ctrl-Cs did nothing. Here the
/// old shop's bucket accepts the connection and never answers.
async fn ctrl_c_stops_an_import_waiting_on_its_source(db: Db) {
    use std::io::Read as _;
    use std::time::{Duration, Instant};
    let app = spawn_app(db).await;
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", silent.local_addr().unwrap());
    let (reached, reaching) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in silent.incoming().flatten() {
            let _ = reached.send(());
            held.push(stream);
        }
    });
    let mut child = Command::new(env!("CARGO_BIN_EXE_vitrine"))
        .args([
            "import",
            "s3://old-shop/media/",
            "--seller",
            "ana@shop.example",
        ])
        .args(["--product", "Oak stool", "--source-endpoint", &endpoint])
        .args(["--source-region", "us-east-1"])
        .env("VITRINE_DATA_DIR", &app.data_dir)
        .env("DATABASE_URL", &app.state.settings.database_url)
        .env("VITRINE_IMPORT_AWS_ACCESS_KEY_ID", "old-key")
        .env("VITRINE_IMPORT_AWS_SECRET_ACCESS_KEY", "old-secret")
        .env("RUST_LOG", "off")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let waited =
        tokio::task::spawn_blocking(move || reaching.recv_timeout(Duration::from_secs(60)));
    assert!(
        waited.await.unwrap().is_ok(),
        "the import never asked its source"
    );

    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let asked = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if asked.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("the import was still running 10 s after Ctrl-C");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut said = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut said)
        .unwrap();
    assert_eq!(status.code(), Some(130), "{said}");
    assert!(said.contains("interrupted"), "{said}");
    assert!(app.recorded_keys().await.is_empty());
}

/// `--source-region` alone means the old bucket is on AWS. The SDK would take
/// AWS_ENDPOINT_URL_S3 from the environment, which is where Vitrine's own store is (R2,
/// Spaces, MinIO), and look for the old bucket there.
async fn an_aws_source_is_not_looked_for_at_vitrines_own_endpoint(db: Db) {
    let app = spawn_app(db).await;
    let own_store = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", own_store.local_addr().unwrap());
    own_store.set_nonblocking(true).unwrap();
    let args = [
        "import",
        "s3://old-shop-bucket/media/",
        "--seller",
        "ana@shop.example",
        "--product",
        "Oak stool",
        "--source-region",
        "eu-west-1",
    ];
    let env = vec![
        ("AWS_ENDPOINT_URL_S3", endpoint),
        ("VITRINE_IMPORT_AWS_ACCESS_KEY_ID", "old-key".to_owned()),
        (
            "VITRINE_IMPORT_AWS_SECRET_ACCESS_KEY",
            "old-secret".to_owned(),
        ),
    ];
    let (ok, said) = vitrine(&app, args.iter().map(|a| (*a).to_owned()).collect(), env).await;
    // Wherever AWS is from here (unreachable, or refusing these keys), not at that endpoint.
    assert!(!ok, "{said}");
    assert!(
        matches!(own_store.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the import asked Vitrine's own endpoint for the old bucket: {said}"
    );
}
