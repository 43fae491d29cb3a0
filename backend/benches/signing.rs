//! Media URLs for one gallery page of 500 pictures (1,500 signatures), signed the way pages
//! sign them now (`aws-sigv4` directly, keys cached) against the SDK's presigner they used
//! before (baseline), alternating in the same run: `cargo bench -p backend --bench signing`.
//! "Now" is the first render in a signing window (nothing cached); "again" renders the same
//! page in that window, its URLs taken from the store's cache of signed URLs. Prints min /
//! median / max per page and the ratios of the medians.

use std::time::{Duration, Instant};

use aws_sdk_s3::presigning::PresigningConfig;
use backend::storage::ObjectStore;
use backend::storage::embedded::EmbeddedStore;
use backend::storage::settings::MediaUrls;

const URLS_PER_PAGE: usize = 1500;
const ROUNDS: usize = 15;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("vitrine-bench-signing-{}", std::process::id()));
    let embedded = EmbeddedStore::open(&dir)?;
    // Nothing listens there: signing never talks to the store.
    let store = ObjectStore::embedded(&embedded, "http://127.0.0.1:9");
    let keys: Vec<String> = (0..URLS_PER_PAGE)
        .map(|i| {
            format!(
                "media/7/{:032x}/{}.jpg",
                i / 3,
                ["thumb", "display", "large"][i % 3]
            )
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;

    let (mut sdk, mut direct, mut again) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        sdk.push(runtime.block_on(sdk_page(&store, &keys))?);
        // A store configured afresh has nothing cached: the window's first render.
        let fresh = store
            .clone()
            .configured(MediaUrls::Signed, None, Duration::from_secs(1200));
        direct.push(runtime.block_on(direct_page(&fresh, &keys))?);
        again.push(runtime.block_on(direct_page(&fresh, &keys))?);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let (sdk, direct, again) = (summary(&mut sdk), summary(&mut direct), summary(&mut again));
    println!("media URLs for a 500-picture gallery ({URLS_PER_PAGE} signatures), {ROUNDS} rounds");
    println!("  SDK presigner (before):        {sdk}");
    println!("  aws-sigv4 direct (now, first): {direct}");
    println!("  the same page again (cached):  {again}");
    println!(
        "  now / before: {:.3} (median); {:.0} signatures/s now, {:.0} before; again / before: {:.3}",
        direct.median / sdk.median,
        URLS_PER_PAGE as f64 / direct.median * 1e3,
        URLS_PER_PAGE as f64 / sdk.median * 1e3,
        again.median / sdk.median,
    );
    Ok(())
}

/// Before: what `UrlSigner::signed_get_url` did, a client per page and the SDK per URL.
async fn sdk_page(
    store: &ObjectStore,
    keys: &[String],
) -> Result<Duration, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let client = aws_sdk_s3::Client::from_conf(
        store
            .sdk_client()
            .config()
            .to_builder()
            .endpoint_url("http://127.0.0.1:3000")
            .build(),
    );
    for key in keys {
        let config = PresigningConfig::builder()
            .start_time(std::time::SystemTime::now())
            .expires_in(Duration::from_secs(1200))
            .build()?;
        let signed = client
            .get_object()
            .bucket(store.bucket())
            .key(key)
            .presigned(config)
            .await?;
        std::hint::black_box(signed.uri());
    }
    Ok(started.elapsed())
}

/// Now: the page's own signer.
async fn direct_page(
    store: &ObjectStore,
    keys: &[String],
) -> Result<Duration, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let signer = store.url_signer(Some("127.0.0.1:3000"));
    for key in keys {
        std::hint::black_box(signer.signed_get_url(key).await?);
    }
    Ok(started.elapsed())
}

struct Summary {
    min: f64,
    median: f64,
    max: f64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.2} / {:.2} / {:.2} ms per page (min / median / max)",
            self.min, self.median, self.max
        )
    }
}

fn summary(times: &mut [Duration]) -> Summary {
    let mut ms: Vec<f64> = times.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    ms.sort_by(f64::total_cmp);
    Summary {
        min: ms[0],
        median: ms[ms.len() / 2],
        max: ms[ms.len() - 1],
    }
}
