//! What the load examples share: a real `vitrine serve` on a free port with a data dir of
//! its own, its memory as Linux reports it, and a fresh PostgreSQL database.
// Each example uses part of this.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Server {
    pub child: Child,
    pub base: String,
    pub port: u16,
    pub dir: PathBuf,
}

impl Server {
    pub fn start(bin: &Path, vars: &[(String, String)]) -> Result<Self, String> {
        let dir = std::env::temp_dir().join(format!("vitrine-load-{}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let child = Command::new(bin)
            .arg("serve")
            .env("VITRINE_DATA_DIR", &dir)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            // Sellers come from addresses of their own (X-Forwarded-For, as behind a host's
            // load balancer), so sign-up limits count each as one person.
            .env("VITRINE_TRUSTED_PROXIES", "1")
            .env("RUST_LOG", "error")
            .envs(vars.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        Ok(Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            port,
            dir,
        })
    }

    pub async fn ready(&self) -> Result<(), String> {
        for _ in 0..300 {
            if reqwest::get(format!("{}/healthz", self.base))
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("{} did not answer /healthz within 30 s", self.base))
    }

    /// Peak resident memory so far (Linux's VmHWM), in MB.
    pub fn peak_rss_mb(&self) -> Option<f64> {
        memory_mb(self.child.id(), "VmHWM:")
    }

    /// Runs a `vitrine` command against this server's data and settings.
    pub fn cli(&self, bin: &Path, vars: &[(String, String)], args: &[&str]) -> (bool, String) {
        self.cli_with_input(bin, vars, args, "")
    }

    /// `cli` with `input` on the command's standard input (`--password-stdin`).
    pub fn cli_with_input(
        &self,
        bin: &Path,
        vars: &[(String, String)],
        args: &[&str],
        input: &str,
    ) -> (bool, String) {
        use std::io::Write;
        let out = Command::new(bin)
            .args(args)
            .env("VITRINE_DATA_DIR", &self.dir)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{}", self.port))
            .env("RUST_LOG", "error")
            .envs(vars.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                if let Some(mut stdin) = child.stdin.take() {
                    stdin.write_all(input.as_bytes())?;
                }
                child.wait_with_output()
            });
        match out {
            Ok(out) => (
                out.status.success(),
                format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ),
            ),
            Err(e) => (false, e.to_string()),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Resident memory now (VmRSS), in MB.
pub fn rss_mb(pid: u32) -> f64 {
    memory_mb(pid, "VmRSS:").unwrap_or(f64::NAN)
}

/// A memory figure of Linux's `/proc/PID/status` (`VmRSS:`, `VmHWM:`), in MB.
pub fn memory_mb(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// A new, empty database on the cluster `VITRINE_TEST_POSTGRES_URL` names (set by
/// `scripts/with-postgres.sh`): its URL.
pub async fn postgres_database() -> Result<String, String> {
    use sea_orm::ConnectionTrait;
    let admin =
        std::env::var("VITRINE_TEST_POSTGRES_URL").map_err(|_| "no VITRINE_TEST_POSTGRES_URL")?;
    let name = format!("vitrine_load_{}", rand::random::<u32>());
    let conn = sea_orm::Database::connect(&admin)
        .await
        .map_err(|e| e.to_string())?;
    conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .map_err(|e| e.to_string())?;
    let (root, _) = admin.rsplit_once('/').ok_or("a database URL")?;
    Ok(format!("{root}/{name}"))
}

/// Seller `n`'s browser, signed up (as `{tag}{n}@load.example`) with one product: its own
/// cookie, its own client address (X-Forwarded-For, as behind a host's load balancer, so
/// sign-up limits count each as one person), and the site's Origin, as the site's own pages
/// send it (the server refuses state changes without it).
pub async fn seller(
    base: &str,
    n: usize,
    tag: &str,
) -> Result<(reqwest::Client, domain::wire::ProductSummary), String> {
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ORIGIN};
    let address = format!("198.18.{}.{}", (n >> 8) & 255, n & 255);
    let headers = HeaderMap::from_iter([
        (
            ORIGIN,
            HeaderValue::from_str(base).map_err(|e| e.to_string())?,
        ),
        (
            HeaderName::from_static("x-forwarded-for"),
            HeaderValue::from_str(&address).map_err(|e| e.to_string())?,
        ),
    ]);
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(headers)
        .build()
        .map_err(|e| e.to_string())?;
    let email = format!("{tag}{n}@load.example");
    let res = http
        .post(format!("{base}/api/sign_up"))
        .form(&[
            ("email", email.as_str()),
            ("password", "load test password"),
        ])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !res.status().is_success() {
        return Err(format!("sign_up: {}", res.text().await.unwrap_or_default()));
    }
    let product = http
        .post(format!("{base}/api/create_product"))
        .form(&[("name", "Load test")])
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| format!("create_product: {e}"))?;
    Ok((http, product))
}

/// The databases to run on: SQLite, and PostgreSQL when `scripts/with-postgres.sh` gave a
/// cluster (`VITRINE_TEST_POSTGRES_URL`).
pub fn databases() -> Vec<&'static str> {
    let mut databases = vec!["SQLite"];
    if std::env::var("VITRINE_TEST_POSTGRES_URL").is_ok() {
        databases.push("PostgreSQL");
    } else {
        println!("PostgreSQL skipped: run through scripts/with-postgres.sh");
    }
    databases
}

pub fn exit_code(ok: bool) -> std::process::ExitCode {
    if ok {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

/// Whether `bin` is there; says how to make it when it is not.
pub fn binary_present(bin: &Path) -> bool {
    let present = bin.exists();
    if !present {
        eprintln!(
            "{} is missing: build it first (cargo leptos build --release), or pass --bin",
            bin.display()
        );
    }
    present
}
