//! Bucket administration for `vitrine setup-bucket` and startup: create the bucket, check it
//! is reachable, and let the app's origin upload to it (CORS).

use super::{ObjectStore, storage_error};
use crate::Error;

/// The id of the CORS rule Vitrine keeps; other rules are the operator's.
pub const RULE_ID: &str = "vitrine-uploads";
const UPLOAD_METHODS: [&str; 4] = ["POST", "PUT", "GET", "HEAD"];
const MAX_AGE_SECONDS: i32 = 3000;

/// The CORS rule uploads from `origins` need, as the JSON providers' consoles take (S3's
/// `CORSRules` shape), for keys that may not set it themselves.
pub fn upload_rule_json(origins: &[String]) -> String {
    let rule = serde_json::json!([{
        "AllowedOrigins": origins,
        "AllowedMethods": UPLOAD_METHODS,
        "AllowedHeaders": ["*"],
        "ExposeHeaders": ["ETag"],
        "MaxAgeSeconds": MAX_AGE_SECONDS,
    }]);
    serde_json::to_string_pretty(&rule).unwrap_or_else(|_| rule.to_string())
}

impl ObjectStore {
    /// Makes the bucket's `vitrine-uploads` CORS rule let pages from every one of `origins`
    /// upload (POST and PUT), read, and see `ETag`, keeping the bucket's other rules and the
    /// origins the rule already had (staging and production may share a bucket, each running
    /// this with its own site). Returns the origins it added; empty when all were allowed.
    pub async fn allow_uploads_from(&self, origins: &[String]) -> Result<Vec<String>, Error> {
        use aws_sdk_s3::types::{CorsConfiguration, CorsRule};
        let existing: Vec<CorsRule> = match self
            .inner
            .client
            .get_bucket_cors()
            .bucket(&self.inner.bucket)
            .send()
            .await
        {
            Ok(out) => out.cors_rules().to_vec(),
            Err(err)
                if aws_sdk_s3::error::ProvideErrorMetadata::code(&err)
                    == Some("NoSuchCORSConfiguration") =>
            {
                Vec::new()
            }
            Err(err) => return Err(storage_error(err)),
        };
        let has = |list: &[String], want: &str| {
            list.iter()
                .any(|v| v == "*" || v.eq_ignore_ascii_case(want))
        };
        let covers = |r: &CorsRule, origin: &str| {
            has(r.allowed_origins(), origin)
                && UPLOAD_METHODS[..3]
                    .iter()
                    .all(|m| has(r.allowed_methods(), m))
                && has(r.allowed_headers(), "content-type")
                // Signed PUTs carry the variant's checksum header.
                && has(r.allowed_headers(), "x-amz-checksum-sha256")
                && has(r.expose_headers(), "ETag")
        };
        let added: Vec<String> = origins
            .iter()
            .filter(|o| !existing.iter().any(|r| covers(r, o)))
            .cloned()
            .collect();
        if added.is_empty() {
            return Ok(added);
        }
        let mut allowed: Vec<String> = existing
            .iter()
            .filter(|r| r.id() == Some(RULE_ID))
            .flat_map(|r| r.allowed_origins().iter().cloned())
            .collect();
        for origin in origins {
            if !has(&allowed, origin) {
                allowed.push(origin.clone());
            }
        }
        let ours = CorsRule::builder()
            .id(RULE_ID)
            .set_allowed_origins(Some(allowed))
            .set_allowed_methods(Some(UPLOAD_METHODS.map(str::to_owned).to_vec()))
            .allowed_headers("*")
            .expose_headers("ETag")
            .max_age_seconds(MAX_AGE_SECONDS)
            .build()
            .map_err(|e| Error::Internal(e.to_string()))?;
        let rules: Vec<CorsRule> = existing
            .into_iter()
            .filter(|r| r.id() != Some(RULE_ID))
            .chain([ours])
            .collect();
        let config = CorsConfiguration::builder()
            .set_cors_rules(Some(rules))
            .build()
            .map_err(|e| Error::Internal(e.to_string()))?;
        self.inner
            .client
            .put_bucket_cors()
            .bucket(&self.inner.bucket)
            .cors_configuration(config)
            .send()
            .await
            .map_err(storage_error)?;
        Ok(added)
    }

    /// Whether the bucket keeps old versions of objects: `None` when the store does not say
    /// (R2 and Spaces have no versioning, or the keys may not ask).
    pub async fn versioning(&self) -> Option<bool> {
        let out = self
            .inner
            .client
            .get_bucket_versioning()
            .bucket(&self.inner.bucket)
            .send()
            .await
            .ok()?;
        Some(out.status() == Some(&aws_sdk_s3::types::BucketVersioningStatus::Enabled))
    }

    /// Creates the bucket unless it exists; true if it was created.
    pub async fn create_bucket_if_missing(&self) -> Result<bool, Error> {
        let before = self.check().await.is_ok();
        self.ensure_bucket().await?;
        Ok(!before)
    }

    /// Creates the bucket unless it exists.
    pub async fn ensure_bucket(&self) -> Result<(), Error> {
        if self.check().await.is_ok() {
            return Ok(());
        }
        match self
            .inner
            .client
            .create_bucket()
            .bucket(&self.inner.bucket)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(err)
                if err.as_service_error().is_some_and(|e| {
                    e.is_bucket_already_owned_by_you() || e.is_bucket_already_exists()
                }) =>
            {
                Ok(())
            }
            Err(err) => Err(storage_error(err)),
        }
    }

    /// Whether the bucket answers (readiness).
    pub async fn check(&self) -> Result<(), Error> {
        self.inner
            .client
            .head_bucket()
            .bucket(&self.inner.bucket)
            .send()
            .await
            .map_err(storage_error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_to_paste_names_every_origin_and_what_uploads_need() {
        let json = upload_rule_json(&[
            "https://shop.example".into(),
            "https://www.shop.example".into(),
        ]);
        let rule: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(rule[0]["AllowedOrigins"][1], "https://www.shop.example");
        assert_eq!(
            rule[0]["AllowedMethods"],
            serde_json::json!(["POST", "PUT", "GET", "HEAD"])
        );
        assert_eq!(rule[0]["ExposeHeaders"][0], "ETag");
    }
}
