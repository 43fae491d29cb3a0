//! Issue 16: the migration rehearsal, as an operator runs it on the day. A Django shop's
//! database (users, products, product images) and its bucket (`media/product_images/…` beside
//! static files and downloads); the README's query writes the manifest; the import runs dry,
//! is killed half-way, and runs again to completion; then each gallery's order and cover, the
//! old links (301 to approved pictures, 404 for pending ones), the untouched source tree, and
//! a last import that imports nothing.

use std::io::BufRead as _;
use std::path::Path;
use std::process::{Command, Stdio};

use backend::legacy_links::LegacyMedia;
use sea_orm::{ConnectionTrait, Database, Statement};

use crate::import::vitrine;
use crate::support::{Db, TestApp, jpeg, spawn_app_with};

on_both_databases!(a_django_shop_moves_in_one_afternoon);

/// The pictures of the old shop: (path in its media, product, size).
const PICTURES: [(&str, &str, (u32, u32)); 5] = [
    ("product_images/stool.jpg", "Oak stool", (1600, 1200)),
    ("product_images/tote_b.jpg", "Tote, natural", (1200, 1600)),
    ("product_images/stool_2.jpg", "Oak stool", (1400, 1050)),
    ("product_images/lamp.jpg", "Lamp", (1024, 1024)),
    ("product_images/tote_a.jpg", "Tote, natural", (1280, 960)),
];

async fn a_django_shop_moves_in_one_afternoon(db: Db) {
    let app = spawn_app_with(db, |s| {
        s.legacy_media = Some(LegacyMedia::parse("https://old.shop.example/media/").unwrap())
    })
    .await;
    let store = &app.state.store;

    // The old bucket: media beside static files and downloads.
    let mut tree: Vec<(String, Vec<u8>)> = PICTURES
        .iter()
        .map(|(path, _, (w, h))| (format!("media/{path}"), jpeg(*w, *h)))
        .collect();
    tree.push(("static/css/site.css".into(), b"body{}".to_vec()));
    tree.push(("downloads/manual.pdf".into(), b"%PDF-1.4".to_vec()));
    for (key, bytes) in &tree {
        store
            .put(key, bytes.clone(), "application/octet-stream")
            .await
            .unwrap();
    }

    // 1. The manifest, from the old database by the README's own query.
    let manifest = app.data_dir.join("manifest.csv");
    std::fs::write(&manifest, django_manifest(db).await).unwrap();
    let passwords = app.data_dir.join("sellers.csv");
    let args = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = vec![
            "import".into(),
            "s3://vitrine-media/media".into(),
            "--manifest".into(),
            manifest.display().to_string(),
            "--create-sellers".into(),
            "--passwords-out".into(),
            passwords.display().to_string(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };

    // 2. A dry run: says what it would do, changes nothing.
    let (ok, said) = vitrine(&app, args(&["--dry-run"]), Vec::new()).await;
    assert!(
        ok && said.contains("would import 5, already there 0, skipped 0"),
        "{said}"
    );
    assert!(
        said.contains("would create seller bo@shop.example"),
        "{said}"
    );
    assert!(app.recorded_keys().await.is_empty());
    assert!(!passwords.exists(), "no account made");

    // 3. Killed (SIGKILL) once the first photo is in, then run again to the end.
    let killed = kill_after_first_import(&app, args(&[]));
    let (ok, said) = vitrine(&app, args(&[]), Vec::new()).await;
    assert!(ok, "{said}");
    let (imported, there) = counts(&said);
    println!("killed mid-import: {killed}; the run after imported {imported}, found {there} in");
    assert_eq!(imported + there, 5, "{said}");
    assert!(
        there >= 1 || !killed,
        "the killed run's photos are not imported twice: {said}"
    );
    assert_eq!(
        app.recorded_keys().await.len(),
        15,
        "five photos, three variants each"
    );

    // 4. Each gallery in the old order, the cover first.
    let sellers = std::fs::read_to_string(&passwords).unwrap();
    let mut accounts = sellers.lines().map(|l| l.split_once(',').unwrap());
    let (ana_email, ana_password) = accounts.find(|(e, _)| *e == "ana@shop.example").unwrap();
    let ana = app.browser();
    ana.sign_in(ana_email, ana_password).await.unwrap();
    let products: Vec<app::api::ProductSummary> =
        ana.call_form("list_products", &[]).await.unwrap();
    let mut names: Vec<&str> = products.iter().map(|p| p.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["Oak stool", "Tote, natural"]);
    let ids = |product: &str| {
        let id = products.iter().find(|p| p.name == product).unwrap().id;
        let ana = &ana;
        async move {
            ana.gallery(id)
                .await
                .unwrap()
                .iter()
                .map(|g| g.id)
                .collect::<Vec<i64>>()
        }
    };
    let stool = ids("Oak stool").await;
    let tote = ids("Tote, natural").await;
    assert_eq!(
        [
            source_of(&app, stool[0]).await,
            source_of(&app, stool[1]).await
        ],
        ["product_images/stool.jpg", "product_images/stool_2.jpg"]
    );
    assert_eq!(
        [
            source_of(&app, tote[0]).await,
            source_of(&app, tote[1]).await
        ],
        ["product_images/tote_a.jpg", "product_images/tote_b.jpg"],
        "the lowest id is the cover, as the old shop showed it"
    );

    // 5. Old links: approved pictures redirect, pending ones are not found.
    let admin = app.admin().await;
    admin.review(&stool, true, None).await.unwrap();
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |path: &str| plain.get(format!("{}/media/{path}", app.base)).send();
    let res = get("product_images/stool_2.jpg").await.unwrap();
    assert_eq!(res.status().as_u16(), 301);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let picture = plain
        .get(format!("{}{location}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(picture.status().as_u16(), 200);
    assert_eq!(
        get("product_images/tote_a.jpg")
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );

    // 6. The source tree is as it was, a last import imports nothing, gc leaves the tree.
    let (ok, said) = vitrine(&app, args(&[]), Vec::new()).await;
    assert!(
        ok && said.contains("imported 0, already there 5, skipped 0"),
        "{said}"
    );
    crate::import::gc_leaves_the_old_tree(&app, &tree).await;
    assert_eq!(app.recorded_keys().await.len(), 15);
}

/// Starts the import and SIGKILLs it once it says it imported a photo; false when it finished
/// first.
fn kill_after_first_import(app: &TestApp, args: Vec<String>) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vitrine"))
        .args(args)
        .env("VITRINE_DATA_DIR", &app.data_dir)
        .env("DATABASE_URL", &app.state.settings.database_url)
        .env("RUST_LOG", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut killed = false;
    for line in std::io::BufReader::new(stdout).lines() {
        if line.unwrap().starts_with("imported  ") {
            killed = child.kill().is_ok();
            break;
        }
    }
    let status = child.wait().unwrap();
    killed && !status.success()
}

/// (imported, already there) from an import's last line.
fn counts(said: &str) -> (usize, usize) {
    let line = said
        .lines()
        .find(|l| l.starts_with("imported ") && l.contains("already there"))
        .unwrap_or_else(|| panic!("no summary in {said}"));
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    (numbers[0], numbers[1])
}

async fn source_of(app: &TestApp, image_id: i64) -> String {
    use backend::entities::image;
    use sea_orm::EntityTrait;
    image::Entity::find_by_id(image_id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .source_path
        .unwrap()
}

/// The old shop's database, of `db`'s kind (Django's tables, with a picture row whose file is
/// empty), and the manifest the README's query writes from it, as `psql --csv` and
/// `sqlite3 -header -csv` print it.
async fn django_manifest(db: Db) -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    let query = readme
        .split("<!-- django-manifest.sql")
        .nth(1)
        .and_then(|after| after.split("```sql").nth(1))
        .and_then(|s| s.split("```").next())
        .expect("README holds the marked manifest query")
        .trim();
    let url = match db {
        Db::Sqlite => {
            let dir =
                std::env::temp_dir().join(format!("django-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&dir).unwrap();
            format!("sqlite://{}/db.sqlite3?mode=rwc", dir.display())
        }
        Db::Postgres => crate::support::postgres_database().await,
    };
    let old = Database::connect(&url).await.unwrap();
    for sql in [
        "CREATE TABLE auth_user (id INTEGER PRIMARY KEY, username VARCHAR(150) NOT NULL, email VARCHAR(254) NOT NULL)",
        "CREATE TABLE shop_product (id INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL, owner_id INTEGER NOT NULL REFERENCES auth_user(id))",
        "CREATE TABLE shop_productimage (id INTEGER PRIMARY KEY, product_id INTEGER NOT NULL REFERENCES shop_product(id), image VARCHAR(100) NOT NULL)",
        "INSERT INTO auth_user VALUES (1, 'ana', 'ana@shop.example'), (2, 'bo', 'bo@shop.example')",
        "INSERT INTO shop_product VALUES (10, 'Oak stool', 1), (11, 'Tote, natural', 1), (12, 'Lamp', 2)",
        "INSERT INTO shop_productimage VALUES (100, 10, 'product_images/stool.jpg'), (101, 11, 'product_images/tote_b.jpg'), (102, 10, 'product_images/stool_2.jpg'), (103, 12, ''), (104, 12, 'product_images/lamp.jpg'), (99, 11, 'product_images/tote_a.jpg')",
    ] {
        old.execute_unprepared(sql).await.unwrap();
    }
    let rows = old
        .query_all_raw(Statement::from_string(
            old.get_database_backend(),
            query.trim_end_matches(';'),
        ))
        .await
        .unwrap();
    let quote = |v: String| {
        if v.contains([',', '"']) {
            format!("\"{}\"", v.replace('"', "\"\""))
        } else {
            v
        }
    };
    let mut csv = String::from("source,seller,product,position,cover,alt\n");
    for row in rows {
        let text = |c: &str| quote(row.try_get::<String>("", c).unwrap());
        let position: i64 = row.try_get("", "position").unwrap();
        csv.push_str(&format!(
            "{},{},{},{position},{},{}\n",
            text("source"),
            text("seller"),
            text("product"),
            text("cover"),
            text("alt")
        ));
    }
    // What the README promises: every picture with a file, with its seller and product.
    let items = backend::import::manifest(&csv).unwrap();
    let got: Vec<String> = items
        .iter()
        .map(|i| format!("{} {} {} {}", i.source, i.seller, i.product, i.cover))
        .collect();
    assert_eq!(
        got,
        [
            "product_images/stool.jpg ana@shop.example Oak stool true",
            "product_images/stool_2.jpg ana@shop.example Oak stool false",
            "product_images/tote_a.jpg ana@shop.example Tote, natural true",
            "product_images/tote_b.jpg ana@shop.example Tote, natural false",
            "product_images/lamp.jpg bo@shop.example Lamp true",
        ],
        "{csv}"
    );
    csv
}
