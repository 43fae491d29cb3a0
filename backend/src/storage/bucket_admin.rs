//! Bucket administration for `vitrine setup-bucket` and startup: create the bucket, check it
//! is reachable, and let the app's origin upload to it (CORS).

use super::{ObjectStore, storage_error};
use crate::Error;

impl ObjectStore {
    /// Adds a CORS rule letting pages from `origin` upload (POST and PUT), read, and see
    /// `ETag`, keeping the bucket's other rules. False when a rule already allowed all that.
    pub async fn allow_uploads_from(&self, origin: &str) -> Result<bool, Error> {
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
        let covered = existing.iter().any(|r| {
            has(r.allowed_origins(), origin)
                && ["POST", "PUT", "GET"]
                    .iter()
                    .all(|m| has(r.allowed_methods(), m))
                && has(r.allowed_headers(), "content-type")
                // Signed PUTs carry the variant's checksum header.
                && has(r.allowed_headers(), "x-amz-checksum-sha256")
                && has(r.expose_headers(), "ETag")
        });
        if covered {
            return Ok(false);
        }
        let ours = CorsRule::builder()
            .id("vitrine-uploads")
            .allowed_origins(origin)
            .allowed_methods("POST")
            .allowed_methods("PUT")
            .allowed_methods("GET")
            .allowed_methods("HEAD")
            .allowed_headers("*")
            .expose_headers("ETag")
            .max_age_seconds(3000)
            .build()
            .map_err(|e| Error::Internal(e.to_string()))?;
        let rules: Vec<CorsRule> = existing
            .into_iter()
            .filter(|r| r.id() != Some("vitrine-uploads"))
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
        Ok(true)
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
