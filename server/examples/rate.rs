//! The server's request rate under many sessions at once, against a real `vitrine serve` (the
//! release build), on SQLite and on PostgreSQL. `SESSIONS` sellers sign in, each from its own
//! address with its own cookie, then all of them, for `SECONDS` each, in alternating rounds:
//! - call `begin_upload` for one photo's three variants (a session check, a quota check, an
//!   intent written, three presigned POST forms), again and again;
//! - load their product page (server-rendered, the gallery's signed URLs);
//! - ask `/healthz`, a route that does nothing: the baseline, in the same process and run.
//!
//! It prints requests per second (min/median/max over the rounds), the ratio to the baseline,
//! p50/p99 latency, and every error; it fails on any error. Then, one request at a time, the
//! server-rendered pages of a product with `--gallery` images (imported, approved): the
//! seller's page and the storefront, each with a signed URL per variant, against `/healthz`.
//!
//! ```sh
//! scripts/with-postgres.sh cargo run --release -p server --example rate -- --bin target/release/vitrine
//! ```

#[path = "common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use common::{Server, postgres_database};
use domain::wire::ProductSummary;
use serde_json::json;

#[derive(Parser)]
#[command(
    about = "Requests per second of begin_upload and pages under many sessions, against /healthz."
)]
struct Args {
    /// The `vitrine` binary to drive (default: the release build `make run` serves).
    #[arg(long, env = "VITRINE_BIN", default_value = "target/release/vitrine")]
    bin: PathBuf,
    /// Signed-in sellers sending requests at the same time.
    #[arg(long, default_value_t = 200)]
    sessions: usize,
    /// How long each measurement runs.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Rounds of each measurement, alternating.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Images in the product whose pages are timed one request at a time (0: skip).
    #[arg(long, default_value_t = 500)]
    gallery: usize,
    /// Requests per page in the gallery timing.
    #[arg(long, default_value_t = 200)]
    gallery_requests: usize,
    /// Only this database, e.g. to profile one.
    #[arg(long, value_enum)]
    database: Option<Database>,
    /// Only this measure besides the `/healthz` baseline, e.g. to profile it.
    #[arg(long, value_enum)]
    measure: Option<Measure>,
}

#[derive(Clone, Copy, PartialEq, clap::ValueEnum)]
enum Database {
    Sqlite,
    Postgresql,
}

impl Database {
    /// The name `common::databases` gives it.
    fn name(self) -> &'static str {
        match self {
            Database::Sqlite => "SQLite",
            Database::Postgresql => "PostgreSQL",
        }
    }
}

impl Args {
    /// Whether `measure` runs: the baseline always does.
    fn wants(&self, measure: Measure) -> bool {
        measure == Measure::Healthz || self.measure.is_none_or(|only| only == measure)
    }
}

/// One seller's browser: its cookie, its address, the site's Origin, its product.
struct Session {
    http: reqwest::Client,
    product_id: i64,
}

async fn sign_up(base: &str, n: usize) -> Result<Session, String> {
    let (http, product) = common::seller(base, n, "rate").await?;
    Ok(Session {
        http,
        product_id: product.id,
    })
}

#[derive(Clone, Copy, PartialEq, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
enum Measure {
    BeginUpload,
    ProductPage,
    #[value(skip)]
    Healthz,
}

impl Measure {
    fn label(self) -> &'static str {
        match self {
            Measure::BeginUpload => "begin_upload",
            Measure::ProductPage => "product page",
            Measure::Healthz => "/healthz (baseline)",
        }
    }

    async fn once(
        self,
        base: &str,
        s: &Session,
        objects: &serde_json::Value,
    ) -> Result<(), String> {
        let req = match self {
            Measure::BeginUpload => s
                .http
                .post(format!("{base}/api/begin_upload"))
                .header("Accept", "application/json")
                .json(&json!({"product_id": s.product_id, "objects": objects})),
            Measure::ProductPage => s.http.get(format!("{base}/products/{}", s.product_id)),
            Measure::Healthz => s.http.get(format!("{base}/healthz")),
        };
        let res = req.send().await.map_err(|e| e.to_string())?;
        let status = res.status();
        // The whole answer is read, as a browser would.
        let body = res.bytes().await.map_err(|e| e.to_string())?;
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("{status}: {}", String::from_utf8_lossy(&body)))
        }
    }
}

struct Round {
    per_second: f64,
    latencies: Vec<Duration>,
    errors: Vec<String>,
}

/// Every session sends `measure` one request after another for `length`.
async fn round(base: &str, sessions: &[Arc<Session>], measure: Measure, length: Duration) -> Round {
    let objects = Arc::new(json!([
        {"variant": "display", "content_type": "image/jpeg", "size": 480_000,
         "sha256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
        {"variant": "medium", "content_type": "image/jpeg", "size": 140_000,
         "sha256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
        {"variant": "thumb", "content_type": "image/jpeg", "size": 30_000,
         "sha256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
    ]));
    let started = Instant::now();
    let deadline = started + length;
    let mut tasks = tokio::task::JoinSet::new();
    for s in sessions {
        let (s, base, objects) = (s.clone(), base.to_owned(), objects.clone());
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = Vec::new();
            while Instant::now() < deadline {
                let sent = Instant::now();
                match measure.once(&base, &s, &objects).await {
                    Ok(()) => latencies.push(sent.elapsed()),
                    Err(e) => errors.push(e),
                }
            }
            (latencies, errors)
        });
    }
    let mut all = Round {
        per_second: 0.0,
        latencies: Vec::new(),
        errors: Vec::new(),
    };
    while let Some(Ok((latencies, errors))) = tasks.join_next().await {
        all.latencies.extend(latencies);
        all.errors.extend(errors);
    }
    all.per_second = all.latencies.len() as f64 / started.elapsed().as_secs_f64();
    all.latencies.sort();
    all
}

fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0
}

/// `n` small distinct JPEGs in a new folder, as an old shop's media.
fn photo_folder(n: usize) -> Result<tempdir::Folder, String> {
    let folder = tempdir::Folder::new()?;
    for i in 0..n {
        let img = image::RgbImage::from_fn(480, 360, |x, y| {
            // Each photo its own bytes: the import keeps one image per content.
            image::Rgb([
                (x / 2) as u8 ^ (i / 256) as u8,
                (y / 2) as u8,
                (i % 256) as u8,
            ])
        });
        img.save(folder.path.join(format!("photo-{i:04}.jpg")))
            .map_err(|e| e.to_string())?;
    }
    Ok(folder)
}

mod tempdir {
    /// A folder deleted when dropped.
    pub struct Folder {
        pub path: std::path::PathBuf,
    }
    impl Folder {
        pub fn new() -> Result<Self, String> {
            let path = std::env::temp_dir().join(format!("vitrine-rate-{}", rand::random::<u64>()));
            std::fs::create_dir_all(&path).map_err(|e| e.to_string())?;
            Ok(Self { path })
        }
    }
    impl Drop for Folder {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// The pages of one product with `args.gallery` approved images, one request at a time:
/// p50/p99 of each against `/healthz`.
async fn gallery(args: &Args, app: &Server, vars: &[(String, String)]) -> Result<bool, String> {
    const EMAIL: &str = "gallery@load.example";
    const PASSWORD: &str = "gallery password 1";
    let folder = photo_folder(args.gallery)?;
    let (ok, said) = app.cli_with_input(
        &args.bin,
        vars,
        &["user", "add", EMAIL, "--password-stdin"],
        &format!("{PASSWORD}\n"),
    );
    if !ok {
        return Err(format!("user add: {said}"));
    }
    let started = Instant::now();
    let source = folder.path.to_string_lossy().into_owned();
    let (ok, said) = app.cli(
        &args.bin,
        vars,
        &[
            "import",
            &source,
            "--seller",
            EMAIL,
            "--product",
            "Big gallery",
            "--approve",
        ],
    );
    if !ok {
        return Err(format!("import: {said}"));
    }
    println!(
        "\n{} images imported and approved in {:.1} s",
        args.gallery,
        started.elapsed().as_secs_f64()
    );
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .map_err(|e| e.to_string())?;
    let base = &app.base;
    let res = http
        .post(format!("{base}/api/sign_in"))
        .header("Origin", base.as_str())
        .form(&[("email", EMAIL), ("password", PASSWORD)])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !res.status().is_success() {
        return Err(format!("sign_in: {}", res.text().await.unwrap_or_default()));
    }
    let listed = http
        .post(format!("{base}/api/list_products"))
        .header("Origin", base.as_str())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send()
        .await
        .map_err(|e| e.to_string())?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    let products: Vec<ProductSummary> =
        serde_json::from_str(&listed).map_err(|e| format!("list_products: {e}: {listed}"))?;
    let product = products
        .iter()
        .find(|p| p.images as usize == args.gallery)
        .ok_or_else(|| {
            format!(
                "no product with {} images: {listed}\nimport said: {said}",
                args.gallery
            )
        })?;
    println!("| page, one request at a time | p50 ms | p99 ms | max ms | bytes |");
    println!("|---|---|---|---|---|");
    let mut ok = true;
    for (label, path) in [
        ("/healthz (baseline)", "/healthz".to_owned()),
        ("seller's product page", format!("/products/{}", product.id)),
        ("storefront", format!("/store/{}", product.id)),
    ] {
        let mut times = Vec::with_capacity(args.gallery_requests);
        let mut size = 0;
        for _ in 0..args.gallery_requests {
            let sent = Instant::now();
            let res = http
                .get(format!("{base}{path}"))
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = res.status();
            let body = res.bytes().await.map_err(|e| e.to_string())?;
            times.push(sent.elapsed());
            size = body.len();
            if !status.is_success() {
                println!("    {label}: {status}");
                ok = false;
                break;
            }
        }
        times.sort();
        println!(
            "| {label} | {:.2} | {:.2} | {:.2} | {size} |",
            percentile_ms(&times, 0.5),
            percentile_ms(&times, 0.99),
            percentile_ms(&times, 1.0)
        );
    }
    Ok(ok)
}

/// One database: returns false on any error.
async fn run(args: &Args, database: &str) -> Result<bool, String> {
    let mut vars = vec![
        // The rounds begin uploads they never finish, far past the 60 a seller may hold open.
        (
            "VITRINE_QUOTA_OPEN_UPLOADS".to_owned(),
            "100000000".to_owned(),
        ),
        (
            "VITRINE_QUOTA_PENDING_IMAGES".to_owned(),
            "100000000".to_owned(),
        ),
    ];
    if database == "PostgreSQL" {
        vars.push(("DATABASE_URL".into(), postgres_database().await?));
    }
    let app = Server::start(&args.bin, &vars)?;
    app.ready().await?;
    let mut sessions = Vec::with_capacity(args.sessions);
    // Sign-ups hash a password each: a few at a time, as the server bounds them anyway.
    for chunk in (0..args.sessions).collect::<Vec<_>>().chunks(8) {
        let made =
            futures_util::future::join_all(chunk.iter().map(|&n| sign_up(&app.base, n))).await;
        for s in made {
            sessions.push(Arc::new(s?));
        }
    }
    let length = Duration::from_secs(args.seconds);
    let measures = [Measure::Healthz, Measure::BeginUpload, Measure::ProductPage];
    let mut results: Vec<Vec<Round>> = measures.iter().map(|_| Vec::new()).collect();
    for r in 0..args.rounds {
        // Alternating order, so neither warms the other up more than its share.
        let order: Vec<usize> = if r % 2 == 0 {
            vec![0, 1, 2]
        } else {
            vec![2, 1, 0]
        };
        for i in order {
            if !args.wants(measures[i]) {
                continue;
            }
            results[i].push(round(&app.base, &sessions, measures[i], length).await);
        }
    }
    println!(
        "\n{database}, embedded store, {} sessions at once, {} × {} s each:",
        args.sessions, args.rounds, args.seconds
    );
    println!(
        "| measure | requests/s min / median / max | vs /healthz | p50 ms | p99 ms | errors |"
    );
    println!("|---|---|---|---|---|---|");
    let median = |rounds: &[Round]| {
        let mut rates: Vec<f64> = rounds.iter().map(|r| r.per_second).collect();
        rates.sort_by(f64::total_cmp);
        (rates[0], rates[rates.len() / 2], rates[rates.len() - 1])
    };
    let (_, baseline, _) = median(&results[0]);
    let mut ok = true;
    for (measure, rounds) in measures.iter().zip(&results) {
        if rounds.is_empty() {
            continue;
        }
        let (min, med, max) = median(rounds);
        let mut latencies: Vec<Duration> =
            rounds.iter().flat_map(|r| r.latencies.clone()).collect();
        latencies.sort();
        let errors: Vec<&String> = rounds.iter().flat_map(|r| &r.errors).collect();
        println!(
            "| {} | {min:.0} / {med:.0} / {max:.0} | {:.0} % | {:.1} | {:.1} | {} |",
            measure.label(),
            100.0 * med / baseline,
            percentile_ms(&latencies, 0.5),
            percentile_ms(&latencies, 0.99),
            errors.len()
        );
        for e in errors.iter().take(3) {
            println!("    error: {e}");
        }
        ok &= errors.is_empty();
    }
    println!(
        "server peak RSS {}",
        app.peak_rss_mb()
            .map(|mb| format!("{mb:.0} MB"))
            .unwrap_or_else(|| "?".into())
    );
    if args.gallery > 0 {
        ok &= gallery(args, &app, &vars).await?;
    }
    Ok(ok)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if !common::binary_present(&args.bin) {
        return ExitCode::FAILURE;
    }
    let databases = common::databases();
    let mut all_ok = true;
    for database in databases {
        if args.database.is_some_and(|only| only.name() != database) {
            continue;
        }
        match run(&args, database).await {
            Ok(ok) => all_ok &= ok,
            Err(e) => {
                println!("{database}: {e}");
                all_ok = false;
            }
        }
    }
    common::exit_code(all_ok)
}
