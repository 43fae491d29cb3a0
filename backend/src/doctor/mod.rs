//! `vitrine doctor`: one line per check, `ok` or the problem and its one-line fix.
//!
//! Each check is a small function returning a [`Check`], in a file of its kind:
//! `configuration` (settings and where data lives), `database`, `store` (credentials, bucket,
//! clock, versioning), `round_trip` (a signed upload as a browser sends it), `cors`, `contents` (registered
//! pictures still in the store; other files under the prefix). The `vitrine doctor`
//! command decides which to run (some need a store, which needs a reachable configuration
//! first) and prints them with [`render`].

mod configuration;
mod contents;
mod cors;
mod database;
pub mod environment;
mod round_trip;
mod store;

pub use configuration::{configuration, persistence};
pub use contents::{shared_prefix, stored_images};
pub use cors::cors;
pub use database::database;
pub use round_trip::{CorsSeen, round_trip};
pub use store::{clock, credentials_and_bucket, versioning};

use std::time::Duration;

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    /// What was found: the good news, or the problem.
    pub detail: String,
    /// One line saying what to do; empty when ok.
    pub fix: String,
}

impl Check {
    pub fn ok(name: &'static str, detail: impl Into<String>) -> Self {
        Self {
            name,
            ok: true,
            detail: detail.into(),
            fix: String::new(),
        }
    }

    pub fn problem(name: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            name,
            ok: false,
            detail: detail.into(),
            fix: fix.into(),
        }
    }
}

/// The HTTP client the checks talk to the store with (as a browser would).
pub fn http_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
}

/// Prints one line per check; true when all are ok.
pub fn render(checks: &[Check]) -> (String, bool) {
    let mut out = String::new();
    for c in checks {
        if c.ok {
            out.push_str(&format!("ok       {}: {}\n", c.name, c.detail));
        } else {
            out.push_str(&format!(
                "PROBLEM  {}: {}\n         fix: {}\n",
                c.name, c.detail, c.fix
            ));
        }
    }
    let ok = checks.iter().all(|c| c.ok);
    let bad = checks.iter().filter(|c| !c.ok).count();
    out.push_str(&if ok {
        format!("all {} checks passed\n", checks.len())
    } else {
        format!("{bad} of {} checks found a problem\n", checks.len())
    });
    (out, ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_has_a_line_per_check_and_a_verdict() {
        let (text, ok) = render(&[
            Check::ok("database", "reachable"),
            Check::problem("cors", "no rule", "run `vitrine setup-bucket`"),
        ]);
        assert!(!ok);
        assert!(text.contains("ok       database: reachable"));
        assert!(text.contains("PROBLEM  cors: no rule\n         fix: run `vitrine setup-bucket`"));
        assert!(text.ends_with("1 of 2 checks found a problem\n"));
    }
}
