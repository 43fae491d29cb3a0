//! Browser POST uploads to the embedded store, held to what S3 holds them to but written to
//! disk as they arrive. Why not s3s's own POST Object: it reads the whole file into memory
//! before it checks the policy's size range, so every upload in flight held up to the largest
//! allowed upload in RAM; and it accepted a policy without a bucket condition, and stored
//! `${filename}` literally. The policy is checked first (`policy`), the file then streams through
//! a size guard (`bounded`) into s3s-fs's PutObject, with its checksum checked on the way.

mod bounded;
mod file_part;
mod form;
mod policy;
mod refusal;

use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use backend::storage::embedded::StoreCredentials;
use s3s::dto::{PutObjectInput, StreamingBlob};
use s3s::{S3, S3Request};

use super::s3::EmbeddedS3;
use bounded::Bounded;
use refusal::{Refusal, escape};

pub use form::boundary;

/// Where POST uploads go, and who may sign them.
pub struct PostUploads {
    pub s3: Arc<EmbeddedS3>,
    pub bucket: String,
    pub region: String,
    pub credentials: StoreCredentials,
    /// No upload is larger than this, whatever its policy says.
    pub ceiling: u64,
}

impl PostUploads {
    /// Takes one POST upload form (`boundary` is its multipart boundary) and answers as S3 does.
    pub async fn upload(&self, request: Request, boundary: &str) -> Response {
        match self.store(request, boundary).await {
            Ok(answer) => answer,
            Err(refusal) => refusal.into_response(),
        }
    }

    async fn store(&self, request: Request, boundary: &str) -> Result<Response, Refusal> {
        let form = form::read(request, boundary).await?;
        let range = policy::check(
            &form.fields,
            &policy::Store {
                bucket: &self.bucket,
                region: &self.region,
                credentials: &self.credentials,
                ceiling: self.ceiling,
            },
            SystemTime::now(),
        )?;
        let key = form
            .value("key")
            .filter(|k| !k.is_empty())
            .ok_or_else(|| Refusal::Malformed("The form has no key field".into()))?
            .to_owned();
        let status = match form.value("success_action_status") {
            Some("200") => StatusCode::OK,
            Some("201") => StatusCode::CREATED,
            _ => StatusCode::NO_CONTENT,
        };
        let mut input = PutObjectInput {
            bucket: self.bucket.clone(),
            key: key.clone(),
            content_type: form.value("Content-Type").map(str::to_owned),
            cache_control: form.value("Cache-Control").map(str::to_owned),
            checksum_sha256: form.value("x-amz-checksum-sha256").map(str::to_owned),
            ..Default::default()
        };
        let metadata: s3s::dto::Metadata = form
            .fields
            .iter()
            .filter_map(|(name, value)| {
                let name = name.to_ascii_lowercase();
                let name = name.strip_prefix("x-amz-meta-")?;
                Some((name.to_owned(), value.clone()))
            })
            .collect();
        if !metadata.is_empty() {
            input.metadata = Some(metadata);
        }
        let (file, verdict) = Bounded::new(form.file, range);
        input.body = Some(StreamingBlob::new(file));
        let answer = self.s3.put_object(S3Request {
            input,
            method: axum::http::Method::PUT,
            uri: axum::http::Uri::default(),
            headers: Default::default(),
            extensions: Default::default(),
            credentials: None,
            region: None,
            service: None,
            trailing_headers: None,
        });
        let answer = answer.await;
        // A size refusal breaks the stream, and the store then fails with a vaguer error.
        if let Some(refusal) = verdict.take() {
            return Err(refusal);
        }
        let stored = answer?;
        let etag = stored
            .output
            .e_tag
            .as_ref()
            .map(|t| format!("\"{}\"", t.value()));
        let mut response = if status == StatusCode::CREATED {
            let xml = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse><Bucket>{}</Bucket><Key>{}</Key><ETag>{}</ETag></PostResponse>",
                self.bucket,
                escape(&key),
                etag.as_deref().unwrap_or_default()
            );
            (status, [(header::CONTENT_TYPE, "application/xml")], xml).into_response()
        } else {
            status.into_response()
        };
        if let Some(etag) = etag.and_then(|t| HeaderValue::from_str(&t).ok()) {
            response.headers_mut().insert(header::ETAG, etag);
        }
        Ok(response)
    }
}
