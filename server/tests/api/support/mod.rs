//! `spawn_app`: the real application (database, embedded S3 store, server functions) on a
//! random port with a fresh data dir, talked to over HTTP as a browser would.

#![allow(dead_code)]

pub mod cluster;

use std::path::PathBuf;

use app::api::{GalleryItem, GalleryPage, ProductSummary, RegisteredImage, UploadTicket};
use app::error::AppError;
use backend::Settings;
use backend::config::StorageSettings;
use sea_orm::{ConnectionTrait, Database};
use server::startup::Application;

#[derive(Debug, Clone, Copy)]
pub enum Db {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub data_dir: PathBuf,
    pub state: backend::AppState,
}

/// A fresh PostgreSQL database on the cluster `scripts/with-postgres.sh` started.
pub async fn postgres_database() -> String {
    let admin = std::env::var("VITRINE_TEST_POSTGRES_URL").expect(
        "PostgreSQL tests need VITRINE_TEST_POSTGRES_URL: run them through `make test` or `scripts/with-postgres.sh cargo test`",
    );
    let name = format!("vitrine_test_{}", uuid::Uuid::new_v4().simple());
    let conn = Database::connect(&admin)
        .await
        .expect("connect to the test cluster");
    conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create a test database");
    let (base, _) = admin.rsplit_once('/').expect("a database URL");
    format!("{base}/{name}")
}

pub async fn spawn_app(db: Db) -> TestApp {
    spawn_app_with(db, |_| {}).await
}

/// `spawn_app` with settings adjusted by `adjust` first.
pub async fn spawn_app_with(db: Db, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let data_dir =
        std::env::temp_dir().join(format!("vitrine-it-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let database_url = match db {
        Db::Sqlite => Settings::default_database_url(&data_dir),
        Db::Postgres => postgres_database().await,
    };
    let mut settings = Settings {
        site_addr: "127.0.0.1:0".parse().unwrap(),
        site_origins: Vec::new(),
        data_dir: data_dir.clone(),
        database_url,
        storage: StorageSettings::Embedded,
        key_prefix: Default::default(),
        max_upload_bytes: 15_000_000,
        secure_cookies: false,
        // As behind a host's load balancer: each test browser is its own client address
        // (X-Forwarded-For), so sign-in limits count per browser as they would per person.
        trusted_proxies: 1,
        quotas: Default::default(),
        upload_method: domain::UploadMethod::Post,
        media_urls: Default::default(),
        media_url_lifetime: backend::storage::browser_signing::DEFAULT_MEDIA_URL_LIFETIME,
        encryption: None,
        legacy_media: None,
    };
    adjust(&mut settings);
    let app = Application::build(settings).await.expect("the app starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state.clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        base,
        data_dir,
        state,
    }
}

/// A new, empty database with no migration applied (to test migrations on rows an earlier
/// release wrote), and the folder to delete afterwards.
pub async fn empty_database(db: Db) -> (sea_orm::DatabaseConnection, PathBuf) {
    let data_dir =
        std::env::temp_dir().join(format!("vitrine-mig-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&data_dir).unwrap();
    let url = match db {
        Db::Sqlite => format!("sqlite://{}/vitrine.db?mode=rwc", data_dir.display()),
        Db::Postgres => postgres_database().await,
    };
    (Database::connect(&url).await.unwrap(), data_dir)
}

/// One browser: its own cookie jar.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
}

impl TestApp {
    /// A browser on a client address of its own.
    pub fn browser(&self) -> Browser {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.browser_at(&format!("198.18.{}.{}", (n >> 8) & 255, n & 255))
    }

    /// A browser whose requests reach the app from client address `address` (several
    /// browsers on one address are one machine, or one office behind its router).
    pub fn browser_at(&self, address: &str) -> Browser {
        use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ORIGIN};
        Browser {
            // A page of the site sends its Origin with every POST.
            http: reqwest::Client::builder()
                .cookie_store(true)
                .default_headers(HeaderMap::from_iter([
                    (ORIGIN, HeaderValue::from_str(&self.base).unwrap()),
                    (
                        HeaderName::from_static("x-forwarded-for"),
                        HeaderValue::from_str(address).unwrap(),
                    ),
                ]))
                .build()
                .unwrap(),
            base: self.base.clone(),
        }
    }

    /// A signed-up seller with one product.
    pub async fn seller_with_product(&self, email: &str) -> (Browser, ProductSummary) {
        let browser = self.browser();
        browser.sign_up(email).await;
        let product = browser.create_product("Linen tote").await.unwrap();
        (browser, product)
    }
}

impl TestApp {
    /// A seller the operator made (`vitrine user add`), signed in, with the password
    /// `sign_up` uses: whom an import gives an old shop's photos.
    pub async fn seller_made_by_operator(&self, email: &str) -> Browser {
        backend::accounts::create(
            &self.state.db,
            email,
            "correct horse battery",
            backend::accounts::Role::Seller,
            backend::accounts::Origin::MadeByOperator,
        )
        .await
        .unwrap();
        let browser = self.browser();
        browser
            .sign_in(email, "correct horse battery")
            .await
            .unwrap();
        browser
    }

    /// An admin, made as operators make them (`vitrine user add --admin`), signed in.
    pub async fn admin(&self) -> Browser {
        backend::accounts::create(
            &self.state.db,
            "admin@shop.example",
            "admin password 123",
            backend::accounts::Role::Admin,
            backend::accounts::Origin::MadeByOperator,
        )
        .await
        .unwrap();
        let browser = self.browser();
        browser
            .sign_in("admin@shop.example", "admin password 123")
            .await
            .unwrap();
        browser
    }
}

impl TestApp {
    /// The key of every object row in the database.
    pub async fn recorded_keys(&self) -> Vec<String> {
        use sea_orm::EntityTrait;
        backend::entities::stored_object::Entity::find()
            .all(&self.state.db)
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.object_key)
            .collect()
    }

    /// The key of every object in the store under Vitrine's prefix, sorted.
    pub async fn stored_keys(&self) -> Vec<String> {
        let prefix = self.state.settings.key_prefix.as_str();
        let listed = self.state.store.list(prefix).await.unwrap();
        let mut keys: Vec<String> = listed.into_iter().map(|o| o.key).collect();
        keys.sort();
        keys
    }

    /// Whether the store holds exactly the objects the database knows (and, asserted, every
    /// seller's stored bytes are what their objects add up to).
    pub async fn store_matches_records(&self) -> bool {
        let mut recorded = self.recorded_keys().await;
        recorded.sort();
        self.assert_stored_bytes_agree().await;
        self.stored_keys().await == recorded
    }

    /// Every account's running total of stored bytes (kept by the database's triggers) is the
    /// sum of the objects recorded as theirs, and each object linked to an intent or an image
    /// is recorded as that intent's or image's seller's.
    pub async fn assert_stored_bytes_agree(&self) {
        use backend::entities::{account, image, stored_object, upload_intent};
        use sea_orm::EntityTrait;
        let db = &self.state.db;
        let objects = stored_object::Entity::find().all(db).await.unwrap();
        let intents = upload_intent::Entity::find().all(db).await.unwrap();
        let images = image::Entity::find().all(db).await.unwrap();
        for object in &objects {
            let by_intent = intents
                .iter()
                .find(|i| Some(&i.id) == object.intent_id.as_ref())
                .map(|i| i.account_id);
            let by_image = images
                .iter()
                .find(|i| Some(i.id) == object.image_id)
                .map(|i| i.account_id);
            for owner in [by_intent, by_image].into_iter().flatten() {
                assert_eq!(object.account_id, Some(owner), "{object:?}");
            }
        }
        for account in account::Entity::find().all(db).await.unwrap() {
            let theirs: i64 = objects
                .iter()
                .filter(|o| o.account_id == Some(account.id))
                .map(|o| o.byte_size)
                .sum();
            assert_eq!(
                account.stored_bytes, theirs,
                "{}'s running total of stored bytes drifted from their objects",
                account.email
            );
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

async fn decode<T: serde::de::DeserializeOwned>(res: reqwest::Response) -> Result<T, AppError> {
    let status = res.status();
    let body = res.text().await.unwrap();
    if status.is_success() {
        Ok(serde_json::from_str(&body).unwrap_or_else(|e| panic!("bad body {body}: {e}")))
    } else {
        let err: AppError = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("bad error body ({status}) {body}: {e}"));
        // Every refusal in every test also checks its status: the caller's mistakes are 4xx.
        assert_eq!(status.as_u16(), err.status(), "{err:?} came as {status}");
        Err(err)
    }
}

impl Browser {
    /// Calls server function `name` with a URL-encoded form (the default Leptos codec).
    pub async fn call_form<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
        form: &[(&str, &str)],
    ) -> Result<T, AppError> {
        let res = self
            .http
            .post(format!("{}/api/{name}", self.base))
            .header("Accept", "application/json")
            .form(form)
            .send()
            .await
            .unwrap();
        decode(res).await
    }

    /// Calls a server function declared with `input = Json`.
    pub async fn call_json<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
        body: serde_json::Value,
    ) -> Result<T, AppError> {
        let res = self
            .http
            .post(format!("{}/api/{name}", self.base))
            .header("Accept", "application/json")
            .json(&body)
            .send()
            .await
            .unwrap();
        decode(res).await
    }

    /// The server-rendered HTML of `path`, which must answer with success.
    pub async fn page_html(&self, path: &str) -> String {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
        res.text().await.unwrap()
    }

    pub async fn sign_up(&self, email: &str) {
        self.call_form::<()>(
            "sign_up",
            &[("email", email), ("password", "correct horse battery")],
        )
        .await
        .expect("sign-up works");
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Result<(), AppError> {
        self.call_form("sign_in", &[("email", email), ("password", password)])
            .await
    }

    /// The first page of the review queue.
    pub async fn review_queue(&self) -> Result<Vec<app::api::ReviewItem>, AppError> {
        Ok(self.review_page(None).await?.items)
    }

    /// The page of the review queue after `after`.
    pub async fn review_page(
        &self,
        after: Option<&app::api::QueueCursor>,
    ) -> Result<app::api::QueuePage, AppError> {
        match after {
            None => self.call_form("review_queue", &[]).await,
            Some(c) => {
                let id = c.image_id.to_string();
                self.call_form(
                    "review_queue",
                    &[("after_uploaded_at", &c.uploaded_at), ("after_id", &id)],
                )
                .await
            }
        }
    }

    pub async fn review(
        &self,
        image_ids: &[i64],
        approve: bool,
        reason: Option<&str>,
    ) -> Result<u64, AppError> {
        let decision = if approve {
            app::api::ReviewDecision::Approve
        } else {
            app::api::ReviewDecision::Reject {
                reason: reason.unwrap_or_default().to_owned(),
            }
        };
        self.call_json(
            "review_decide",
            serde_json::json!({ "image_ids": image_ids, "decision": decision }),
        )
        .await
    }

    pub async fn store_product(&self, id: i64) -> Result<app::api::StoreProduct, AppError> {
        self.call_form("storefront_product", &[("id", &id.to_string())])
            .await
    }

    /// Uploads one generated JPEG to `product_id` through the whole chain.
    pub async fn upload_photo(&self, product_id: i64) -> RegisteredImage {
        let photo = jpeg(48, 32);
        let ticket = self.begin_jpeg(product_id, &photo).await;
        let res = self.send(&ticket, photo).await;
        assert_eq!(res.status().as_u16(), 204);
        self.complete(&ticket.intent_id).await.unwrap()
    }

    /// Begins the upload of `file` as a JPEG display variant, which must be accepted.
    pub async fn begin_jpeg(&self, product_id: i64, file: &[u8]) -> UploadTicket {
        self.begin_declaring(
            product_id,
            "image/jpeg",
            file.len() as u64,
            &pipeline::checksum::sha256(file).to_base64(),
        )
        .await
        .expect("begin_upload accepts a JPEG")
    }

    /// Sends `file` to the store with the ticket's own signed form, untouched.
    pub async fn send(&self, ticket: &UploadTicket, file: Vec<u8>) -> reqwest::Response {
        let upload = &ticket.uploads[0];
        self.post_to_store(&upload.url, &upload.fields, file, "image/jpeg")
            .await
    }

    pub async fn create_product(&self, name: &str) -> Result<ProductSummary, AppError> {
        self.call_form("create_product", &[("name", name)]).await
    }

    /// The whole gallery (every image, not the page's first screenfuls).
    pub async fn gallery(&self, product_id: i64) -> Result<Vec<GalleryItem>, AppError> {
        Ok(self.gallery_start(product_id, u32::MAX).await?.images)
    }

    /// The first `shown` images, and the order of all.
    pub async fn gallery_start(
        &self,
        product_id: i64,
        shown: u32,
    ) -> Result<GalleryPage, AppError> {
        self.call_form(
            "list_gallery",
            &[
                ("product_id", &product_id.to_string()),
                ("shown", &shown.to_string()),
            ],
        )
        .await
    }

    /// Begins an upload whose bytes the test never sends whole (a declaration, a refusal): its
    /// checksum is that of `size` zero bytes.
    pub async fn begin(
        &self,
        product_id: i64,
        content_type: &str,
        size: u64,
    ) -> Result<UploadTicket, AppError> {
        let zeros = vec![0u8; usize::try_from(size).unwrap_or(0).min(16_000_000)];
        let sha256 = pipeline::checksum::sha256(&zeros).to_base64();
        self.begin_declaring(product_id, content_type, size, &sha256)
            .await
    }

    pub async fn begin_declaring(
        &self,
        product_id: i64,
        content_type: &str,
        size: u64,
        sha256: &str,
    ) -> Result<UploadTicket, AppError> {
        // Raw JSON, not `DeclaredObject`: tests also declare what its types cannot hold.
        let objects = serde_json::json!([{ "variant": "display", "content_type": content_type, "size": size, "sha256": sha256 }]);
        let res = self
            .http
            .post(format!("{}/api/begin_upload", self.base))
            .header("Accept", "application/json")
            .json(&serde_json::json!({ "product_id": product_id, "objects": objects }))
            .send()
            .await
            .unwrap();
        decode(res).await
    }

    pub async fn complete(&self, intent_id: &str) -> Result<RegisteredImage, AppError> {
        self.call_form("complete_upload", &[("intent_id", intent_id)])
            .await
    }

    /// POSTs a presigned form with `file` to the store (fields may be altered first).
    pub async fn post_to_store(
        &self,
        url: &str,
        fields: &[(String, String)],
        file: Vec<u8>,
        file_type: &str,
    ) -> reqwest::Response {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text(name.clone(), value.clone());
        }
        let part = reqwest::multipart::Part::bytes(file)
            .file_name("image.jpg")
            .mime_str(file_type)
            .unwrap();
        form = form.part("file", part);
        let url = if url.starts_with('/') {
            format!("{}{url}", self.base)
        } else {
            url.to_owned()
        };
        self.http.post(url).multipart(form).send().await.unwrap()
    }
}

/// A real JPEG of `width`x`height`.
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    out
}

/// The same length as `original`, other bytes: what a replay or a swap would send.
pub fn tampered(original: &[u8]) -> Vec<u8> {
    let mut bytes = original.to_vec();
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle..middle + 64] {
        *b ^= 0x5a;
    }
    bytes
}

pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap()
}

pub fn replace_field(
    fields: &[(String, String)],
    name: &str,
    value: &str,
) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(n, v)| {
            (
                n.clone(),
                if n == name {
                    value.to_owned()
                } else {
                    v.clone()
                },
            )
        })
        .collect()
}

/// Polls `work` up to `polls` times, letting the runtime run other tasks and I/O between
/// polls, then drops it, as a request dropped at that moment is dropped. Its output when it
/// finished first. Trying 1, 2, 3, … polls cuts it at every moment it can be cut.
pub async fn cut_after_polls<F: std::future::Future>(work: F, polls: u32) -> Option<F::Output> {
    use std::task::Poll;
    let mut work = std::pin::pin!(work);
    for _ in 0..polls.max(1) {
        let polled = std::future::poll_fn(|cx| Poll::Ready(work.as_mut().poll(cx))).await;
        if let Poll::Ready(output) = polled {
            return Some(output);
        }
        tokio::task::yield_now().await;
    }
    None
}

/// Fails a test that has not finished after three minutes (each takes seconds), naming it,
/// instead of letting a request or query that never answers hold CI until its limit.
pub async fn within_limit(name: &str, test: impl std::future::Future<Output = ()>) {
    const LIMIT: std::time::Duration = std::time::Duration::from_secs(180);
    if tokio::time::timeout(LIMIT, test).await.is_err() {
        panic!("{name} did not finish within {LIMIT:?}: a request or a query never answered");
    }
}

/// Runs each listed test body on SQLite and on PostgreSQL.
#[allow(unused_macros)]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() {
                crate::support::within_limit(stringify!($name), super::$name(crate::support::Db::Sqlite)).await
            })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() {
                crate::support::within_limit(stringify!($name), super::$name(crate::support::Db::Postgres)).await
            })*
        }
    };
}
