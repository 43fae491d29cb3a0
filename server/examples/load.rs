//! The upload protocol under load: `SELLERS` sellers sign up and each uploads `IMAGES` photos
//! (begin, the three variants straight to the store, complete) at the same time, against a real
//! `vitrine serve`, on SQLite and on PostgreSQL, with the embedded store and with an external
//! one (a second `vitrine serve` whose store is reached over S3). Afterwards it checks from the
//! outside that every image is registered once and stored as registered, and that gc finds
//! nothing; it reports p50/p99 of begin and complete, beside `/healthz` under the same
//! concurrency as the baseline, and the server's peak RSS.
//!
//! ```sh
//! cargo leptos build --release                       # the binary users run
//! scripts/with-postgres.sh cargo run -p server --example load -- --sellers 50 --images 20
//! ```
//! Without `VITRINE_TEST_POSTGRES_URL` (set by `scripts/with-postgres.sh`) PostgreSQL is skipped.
//! `--import 200` times instead an old shop's import from a bucket against the same from a folder.

#[path = "common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use common::{Server, postgres_database, rss_mb};
use domain::wire::UploadTicket;
use serde_json::json;

#[derive(Parser)]
#[command(
    about = "Drive the upload protocol with many sellers at once and check nothing was lost."
)]
struct Args {
    /// Sellers uploading at the same time.
    #[arg(long, default_value_t = 50)]
    sellers: usize,
    /// Photos each seller uploads, one after another.
    #[arg(long, default_value_t = 20)]
    images: usize,
    /// The `vitrine` binary to drive (default: the release build `make run` serves).
    #[arg(long, env = "VITRINE_BIN", default_value = "target/release/vitrine")]
    bin: PathBuf,
    /// Wrong sign-ins sent at once in the sign-in flood (each wave).
    #[arg(long, default_value_t = 300)]
    flood: usize,
    /// Only the sign-in flood (on SQLite), against --bin and, if given, this older binary too:
    /// the server's memory before and after, under the same flood in the same run.
    #[arg(long)]
    flood_only: bool,
    /// An earlier build to flood too, as the baseline (with --flood-only).
    #[arg(long)]
    flood_baseline: Option<PathBuf>,
    /// Only the import: this many photos of an old shop imported from a bucket (its media in
    /// the embedded store) against the same photos from a folder, in alternating rounds.
    #[arg(long)]
    import: Option<usize>,
}

/// One photo's three variants, as the browser pipeline would declare them.
struct Photo {
    variants: Vec<(&'static str, Vec<u8>)>,
}

fn photo() -> Photo {
    // Gradients and 64 px blocks: a picture whose smaller variants are really it at a smaller
    // size, as complete_upload checks.
    let display = image::RgbImage::from_fn(2048, 1536, |x, y| {
        let block = if (x / 64 + y / 64) % 2 == 0 { 200 } else { 40 };
        image::Rgb([(x / 8) as u8, (y / 6) as u8, block])
    });
    let jpeg = |img: &image::RgbImage| {
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Jpeg)
            .expect("encode a JPEG");
        out.into_inner()
    };
    let smaller = |w: u32, h: u32| {
        image::imageops::resize(&display, w, h, image::imageops::FilterType::Triangle)
    };
    Photo {
        variants: vec![
            ("display", jpeg(&display)),
            ("medium", jpeg(&smaller(1024, 768))),
            ("thumb", jpeg(&smaller(400, 300))),
        ],
    }
}

/// A `vitrine serve` child, stopped when dropped.
#[derive(Default)]
struct Timings {
    begin: Vec<Duration>,
    complete: Vec<Duration>,
    errors: Vec<String>,
}

/// One seller: sign up, create a product, upload `images` photos one after another.
async fn seller(base: String, n: usize, images: usize, photo: Arc<Photo>) -> Timings {
    let mut t = Timings::default();
    let (http, product) = match common::seller(&base, n, "seller").await {
        Ok(made) => made,
        Err(e) => {
            t.errors.push(e);
            return t;
        }
    };
    for _ in 0..images {
        if let Err(e) = upload(&http, &base, product.id, &photo, &mut t).await {
            t.errors.push(e);
        }
    }
    t
}

async fn upload(
    http: &reqwest::Client,
    base: &str,
    product_id: i64,
    photo: &Photo,
    t: &mut Timings,
) -> Result<(), String> {
    let objects: Vec<_> = photo
        .variants
        .iter()
        .map(|(v, bytes)| {
            json!({"variant": v, "content_type": "image/jpeg", "size": bytes.len(),
                "sha256": pipeline::checksum::sha256(bytes).to_base64()})
        })
        .collect();
    let started = Instant::now();
    let res = http
        .post(format!("{base}/api/begin_upload"))
        .header("Accept", "application/json")
        .json(&json!({"product_id": product_id, "objects": objects}))
        .send()
        .await
        .map_err(|e| format!("begin: {e}"))?;
    if !res.status().is_success() {
        return Err(format!("begin: {}", res.text().await.unwrap_or_default()));
    }
    let ticket: UploadTicket = res.json().await.map_err(|e| format!("begin: {e}"))?;
    t.begin.push(started.elapsed());
    for signed in &ticket.uploads {
        let bytes = photo
            .variants
            .iter()
            .find(|(v, _)| *v == signed.variant.as_str())
            .map(|(_, b)| b.clone())
            .ok_or("a variant nobody declared")?;
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in &signed.fields {
            form = form.text(name.clone(), value.clone());
        }
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name("image.jpg")
            .mime_str("image/jpeg")
            .map_err(|e| e.to_string())?;
        let url = if signed.url.starts_with('/') {
            format!("{base}{}", signed.url)
        } else {
            signed.url.clone()
        };
        let res = http
            .post(url)
            .multipart(form.part("file", part))
            .send()
            .await
            .map_err(|e| format!("transfer: {e}"))?;
        if !res.status().is_success() {
            return Err(format!(
                "transfer: {} {}",
                res.status(),
                res.text().await.unwrap_or_default()
            ));
        }
    }
    let started = Instant::now();
    let res = http
        .post(format!("{base}/api/complete_upload"))
        .form(&[("intent_id", ticket.intent_id.as_str())])
        .send()
        .await
        .map_err(|e| format!("complete: {e}"))?;
    if !res.status().is_success() {
        return Err(format!(
            "complete: {}",
            res.text().await.unwrap_or_default()
        ));
    }
    t.complete.push(started.elapsed());
    Ok(())
}

/// The baseline: `/healthz` under the same concurrency and request count as begin.
async fn baseline(base: &str, clients: usize, each: usize) -> Vec<Duration> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..clients {
        let url = format!("{base}/healthz");
        tasks.spawn(async move {
            let http = reqwest::Client::new();
            let mut out = Vec::with_capacity(each);
            for _ in 0..each {
                let started = Instant::now();
                if http
                    .get(&url)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
                {
                    out.push(started.elapsed());
                }
            }
            out
        });
    }
    let mut all = Vec::new();
    while let Some(Ok(part)) = tasks.join_next().await {
        all.extend(part);
    }
    all
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn summary(mut d: Vec<Duration>) -> String {
    d.sort();
    format!(
        "p50 {:7.1} ms  p99 {:7.1} ms  (n={})",
        percentile(&d, 0.5),
        percentile(&d, 0.99),
        d.len()
    )
}

/// `vitrine import` of `photos` 2048 px JPEGs from a bucket (`s3://vitrine-media/old/` on the
/// server's embedded store) against the same files from a folder, `rounds` times each,
/// alternating, each round into a product of its own so every photo is really imported.
async fn import_bench(bin: &Path, photos: usize, rounds: usize) -> Result<(), String> {
    let server = Server::start(bin, &[])?;
    server.ready().await?;
    let (ok, said) = server.cli(bin, &[], &["user", "add", "ana@shop.example"]);
    if !ok {
        return Err(said);
    }
    let display = photo()
        .variants
        .into_iter()
        .next()
        .map(|(_, bytes)| bytes)
        .ok_or("no photo")?;
    let folder = server.dir.join("old-media");
    std::fs::create_dir_all(folder.join("product_images")).map_err(|e| e.to_string())?;
    let embedded = backend::storage::embedded::EmbeddedStore::open(&server.dir.join("store"))
        .map_err(|e| e.to_string())?;
    let bucket = backend::storage::ObjectStore::embedded(&embedded, &server.base);
    for i in 0..photos {
        // A different file each (bytes after the JPEG's end, which the import drops).
        let mut bytes = display.clone();
        bytes.extend_from_slice(&(i as u64).to_le_bytes());
        let name = format!("product_images/{i:04}.jpg");
        std::fs::write(folder.join(&name), &bytes).map_err(|e| e.to_string())?;
        bucket
            .put(&format!("old/{name}"), bytes, "image/jpeg")
            .await
            .map_err(|e| e.to_string())?;
    }
    let folder_arg = folder.display().to_string();
    let sources = [
        ("folder", folder_arg.as_str()),
        ("bucket", "s3://vitrine-media/old/"),
    ];
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); sources.len()];
    for round in 0..rounds {
        for (at, (label, source)) in sources.iter().enumerate() {
            let product = format!("{label} {round}");
            let started = Instant::now();
            let (ok, said) = server.cli(
                bin,
                &[],
                &[
                    "import",
                    source,
                    "--seller",
                    "ana@shop.example",
                    "--product",
                    &product,
                ],
            );
            let took = started.elapsed();
            if !ok || !said.contains(&format!("imported {photos}, already there 0, skipped 0")) {
                return Err(format!("{label} import, round {round}: {said}"));
            }
            times[at].push(took);
        }
    }
    println!("Import of {photos} photos (2048x1536 JPEG), {rounds} rounds each, alternating:");
    let secs = |d: &Duration| d.as_secs_f64();
    let mut medians = Vec::new();
    for ((label, _), mut took) in sources.iter().zip(times) {
        took.sort();
        let median = secs(&took[took.len() / 2]);
        medians.push(median);
        println!(
            "  from a {label:6}  min {:6.1} s  median {:6.1} s  max {:6.1} s  ({:.0} ms a photo)",
            secs(&took[0]),
            median,
            secs(&took[took.len() - 1]),
            median * 1000.0 / photos as f64
        );
    }
    println!(
        "  bucket / folder (medians): {:.2}",
        medians[1] / medians[0]
    );
    Ok(())
}

/// What a sign-in flood did to a server.
struct Flood {
    /// Answers by HTTP status (0: no answer).
    statuses: std::collections::BTreeMap<u16, usize>,
    rss_before_mb: f64,
    peak_rss_mb: f64,
    rss_after_mb: f64,
    elapsed: Duration,
}

/// `n` wrong sign-ins at once, twice: to one account from one address (guessing a seller's
/// password), then to `n` accounts from `n` addresses (a botnet trying many accounts), which
/// no per-address or per-account limit stops: only the bound on hashes at once does.
async fn flood(bin: &Path, n: usize) -> Result<Flood, String> {
    let app = Server::start(bin, &[])?;
    app.ready().await?;
    let pid = app.child.id();
    let rss_before_mb = rss_mb(pid);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for wave in 0..2 {
        for i in 0..n {
            let url = format!("{}/api/sign_in", app.base);
            let origin = app.base.clone();
            let (address, email) = if wave == 0 {
                ("203.0.113.9".to_owned(), "victim@load.example".to_owned())
            } else {
                (
                    format!("198.19.{}.{}", (i >> 8) & 255, i & 255),
                    format!("guess{i}@load.example"),
                )
            };
            tasks.spawn(async move {
                let answer = reqwest::Client::new()
                    .post(url)
                    .header("Origin", origin)
                    .header("X-Forwarded-For", address)
                    .form(&[("email", email.as_str()), ("password", "not the password")])
                    .send()
                    .await;
                answer.map_or(0, |r| r.status().as_u16())
            });
        }
    }
    let mut statuses = std::collections::BTreeMap::new();
    while let Some(done) = tasks.join_next().await {
        *statuses.entry(done.unwrap_or(0)).or_insert(0) += 1;
    }
    let elapsed = started.elapsed();
    let peak_rss_mb = app.peak_rss_mb().unwrap_or(f64::NAN);
    tokio::time::sleep(Duration::from_secs(2)).await;
    Ok(Flood {
        statuses,
        rss_before_mb,
        peak_rss_mb,
        rss_after_mb: rss_mb(pid),
        elapsed,
    })
}

fn print_flood(label: &str, n: usize, f: &Flood) {
    let answers: Vec<String> = f
        .statuses
        .iter()
        .map(|(status, count)| format!("{count}× {status}"))
        .collect();
    println!(
        "  {label}: 2 × {n} wrong sign-ins in {:.1} s; answers {}; RSS {:.0} MB before, peak {:.0} MB, {:.0} MB after",
        f.elapsed.as_secs_f64(),
        answers.join(", "),
        f.rss_before_mb,
        f.peak_rss_mb,
        f.rss_after_mb
    );
}

/// One configuration: database × store. Returns false when anything was lost or failed.
async fn run(
    args: &Args,
    database: &str,
    external: bool,
    photo: Arc<Photo>,
) -> Result<bool, String> {
    let mut vars: Vec<(String, String)> = Vec::new();
    if database == "PostgreSQL" {
        vars.push(("DATABASE_URL".into(), postgres_database().await?));
    }
    let store = if external {
        let store = Server::start(&args.bin, &[])?;
        store.ready().await?;
        let (ok, env) = store.cli(&args.bin, &[], &["store-env"]);
        if !ok {
            return Err(format!("store-env: {env}"));
        }
        for line in env.lines() {
            if let Some((k, v)) = line.trim_start_matches("export ").split_once('=') {
                vars.push((
                    k.to_owned(),
                    v.trim_matches('"').trim_matches('\'').to_owned(),
                ));
            }
        }
        vars.push(("VITRINE_STORAGE".into(), "s3".into()));
        vars.push(("VITRINE_S3_PROVIDER".into(), "other".into()));
        vars.push(("VITRINE_S3_BUCKET".into(), "vitrine-media".into()));
        Some(store)
    } else {
        None
    };
    let app = Server::start(&args.bin, &vars)?;
    app.ready().await?;

    let base_line = baseline(&app.base, args.sellers, args.images).await;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..args.sellers {
        tasks.spawn(seller(app.base.clone(), n, args.images, photo.clone()));
    }
    let mut all = Timings::default();
    while let Some(done) = tasks.join_next().await {
        let t = done.map_err(|e| e.to_string())?;
        all.begin.extend(t.begin);
        all.complete.extend(t.complete);
        all.errors.extend(t.errors);
    }
    let elapsed = started.elapsed();
    let rss = app.peak_rss_mb();

    // From the outside: every image registered once and stored as registered; nothing for gc.
    let registered = all.complete.len();
    let (check_ok, check) = app.cli(&args.bin, &vars, &["check"]);
    let (_, gc) = app.cli(&args.bin, &vars, &["gc", "--dry-run", "--grace-hours", "0"]);
    let leftovers: usize = gc
        .lines()
        .filter(|l| l.contains(" would remove"))
        .filter_map(|l| {
            l.split(": ")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse::<usize>()
                .ok()
        })
        .sum();
    let expected = args.sellers * args.images;
    let images_line = check
        .lines()
        .find(|l| l.contains("images ("))
        .unwrap_or_default()
        .to_owned();
    let counted: usize = images_line
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);

    println!(
        "\n{database}, {} store: {} sellers × {} photos in {:.1} s ({:.1} photos/s)",
        if external { "external" } else { "embedded" },
        args.sellers,
        args.images,
        elapsed.as_secs_f64(),
        registered as f64 / elapsed.as_secs_f64()
    );
    println!("  begin_upload     {}", summary(all.begin));
    println!("  complete_upload  {}", summary(all.complete));
    println!("  /healthz (base)  {}", summary(base_line));
    println!(
        "  errors {}  registered {registered}/{expected}  in the database {counted}  check {}  gc leftovers {leftovers}  server peak RSS {}",
        all.errors.len(),
        if check_ok { "clean" } else { "FOUND DAMAGE" },
        rss.map(|r| format!("{r:.0} MB"))
            .unwrap_or_else(|| "?".into())
    );
    for e in all.errors.iter().take(5) {
        println!("    error: {e}");
    }
    drop(app);
    drop(store);
    Ok(all.errors.is_empty()
        && registered == expected
        && counted == expected
        && check_ok
        && leftovers == 0)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if !common::binary_present(&args.bin) {
        return ExitCode::FAILURE;
    }
    if args.flood_only {
        println!("Sign-in flood (SQLite, embedded store):");
        let mut ok = true;
        for (label, bin) in std::iter::once(("this build", &args.bin))
            .chain(args.flood_baseline.iter().map(|b| ("baseline", b)))
        {
            match flood(bin, args.flood).await {
                Ok(f) => print_flood(label, args.flood, &f),
                Err(e) => {
                    println!("  {label}: {e}");
                    ok = false;
                }
            }
        }
        return if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    if let Some(photos) = args.import {
        return match import_bench(&args.bin, photos, 3).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                println!("import: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let photo = Arc::new(photo());
    let databases = common::databases();
    let mut all_ok = true;
    for database in databases {
        for external in [false, true] {
            match run(&args, database, external, photo.clone()).await {
                Ok(ok) => all_ok &= ok,
                Err(e) => {
                    println!("{database}: {e}");
                    all_ok = false;
                }
            }
        }
    }
    common::exit_code(all_ok)
}
