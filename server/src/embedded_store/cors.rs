//! Bucket CORS for the embedded store, which s3s-fs lacks: the rules (`PutBucketCors`), kept in
//! a JSON file beside the objects, and how a request's `Origin` is matched against them, as
//! S3 does. The app's own pages never need it (same origin); other sites and `vitrine doctor`
//! / `setup-bucket` against this store as an external bucket do.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub origins: Vec<String>,
    pub methods: Vec<String>,
    pub headers: Vec<String>,
    pub expose: Vec<String>,
    pub max_age: Option<i32>,
}

/// What a matching rule lets the response say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowed {
    pub origin: String,
    pub methods: String,
    pub headers: String,
    pub expose: String,
    pub max_age: Option<i32>,
}

fn matches(patterns: &[String], value: &str) -> bool {
    patterns.iter().any(|p| {
        p == "*"
            || p.eq_ignore_ascii_case(value)
            || p.split_once('*').is_some_and(|(pre, post)| {
                value.len() >= pre.len() + post.len()
                    && value.starts_with(pre)
                    && value.ends_with(post)
            })
    })
}

/// The first rule allowing `origin` to use `method` with `headers` (S3 takes the first match).
pub fn allow(rules: &[Rule], origin: &str, method: &str, headers: &[&str]) -> Option<Allowed> {
    rules
        .iter()
        .find(|r| {
            matches(&r.origins, origin)
                && r.methods.iter().any(|m| m.eq_ignore_ascii_case(method))
                && headers
                    .iter()
                    .all(|h| h.is_empty() || matches(&r.headers, h))
        })
        .map(|r| Allowed {
            origin: if r.origins.iter().any(|o| o == "*") {
                "*".into()
            } else {
                origin.to_owned()
            },
            methods: r.methods.join(", "),
            headers: headers.join(", "),
            expose: r.expose.join(", "),
            max_age: r.max_age,
        })
}

/// The store's rules, shared by the S3 operations and the HTTP layer, saved on every change.
#[derive(Clone)]
pub struct CorsStore {
    path: PathBuf,
    rules: Arc<RwLock<Vec<Rule>>>,
}

impl CorsStore {
    pub fn open(path: PathBuf) -> Self {
        let rules = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        Self {
            path,
            rules: Arc::new(RwLock::new(rules)),
        }
    }

    pub fn rules(&self) -> Vec<Rule> {
        self.rules.read().map(|r| r.clone()).unwrap_or_default()
    }

    pub fn set(&self, rules: Vec<Rule>) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(&rules).map_err(std::io::Error::other)?;
        std::fs::write(&self.path, json)?;
        if let Ok(mut current) = self.rules.write() {
            *current = rules;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(origin: &str) -> Rule {
        Rule {
            origins: vec![origin.into()],
            methods: vec!["POST".into(), "PUT".into()],
            headers: vec!["*".into()],
            expose: vec!["ETag".into()],
            max_age: Some(3000),
        }
    }

    #[test]
    fn origins_methods_and_headers_must_all_match() {
        let rules = [rule("https://shop.example")];
        let ok = allow(&rules, "https://shop.example", "PUT", &["content-type"]).unwrap();
        assert_eq!(
            (ok.origin.as_str(), ok.expose.as_str()),
            ("https://shop.example", "ETag")
        );
        assert!(allow(&rules, "https://evil.example", "PUT", &[]).is_none());
        assert!(allow(&rules, "https://shop.example", "DELETE", &[]).is_none());
        let wildcard = [rule("https://*.shop.example")];
        assert!(allow(&wildcard, "https://admin.shop.example", "POST", &[]).is_some());
        assert_eq!(
            allow(&[rule("*")], "https://x.example", "POST", &[])
                .unwrap()
                .origin,
            "*"
        );
    }
}
