//! Object I/O the server does itself: HEAD and a ranged GET to verify uploads, GET for the
//! media proxy, PUT for imports and the doctor, COPY to publish verified uploads, LIST and
//! DELETE for gc and cleanup.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use super::{OBJECT_CACHE, ObjectStore, kms_key, sse, storage_error};
use crate::Error;

/// One entry of a bucket listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedObject {
    pub key: String,
    pub last_modified: SystemTime,
}

/// What HEAD says about a stored object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectHead {
    pub size: u64,
    pub content_type: Option<String>,
}

/// What the store answered to a proxied GET.
pub enum Fetched {
    /// The body is boxed: the SDK's stream is large beside the other answers.
    Found {
        partial: bool,
        content_type: Option<String>,
        content_length: Option<i64>,
        content_range: Option<String>,
        etag: Option<String>,
        body: Box<aws_sdk_s3::primitives::ByteStream>,
    },
    NotModified,
    Missing,
    BadRange,
}

impl ObjectStore {
    /// An object for the `/media/…` proxy: `range` and `if_none_match` are passed through.
    pub async fn get(
        &self,
        key: &str,
        range: Option<String>,
        if_none_match: Option<String>,
    ) -> Result<Fetched, Error> {
        let result = self
            .inner
            .client
            .get_object()
            .bucket(&self.inner.bucket)
            .key(key)
            .set_range(range)
            .set_if_none_match(if_none_match)
            .send()
            .await;
        match result {
            Ok(out) => Ok(Fetched::Found {
                partial: out.content_range().is_some(),
                content_type: out.content_type().map(str::to_owned),
                content_length: out.content_length(),
                content_range: out.content_range().map(str::to_owned),
                etag: out.e_tag().map(str::to_owned),
                body: Box::new(out.body),
            }),
            Err(err) => match err.raw_response().map(|r| r.status().as_u16()) {
                Some(304) => Ok(Fetched::NotModified),
                Some(404) => Ok(Fetched::Missing),
                Some(416) => Ok(Fetched::BadRange),
                _ => Err(storage_error(err)),
            },
        }
    }

    /// HEAD of `key`; `None` when there is no such object.
    pub async fn head(&self, key: &str) -> Result<Option<ObjectHead>, Error> {
        match self
            .inner
            .client
            .head_object()
            .bucket(&self.inner.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => Ok(Some(ObjectHead {
                size: out
                    .content_length()
                    .and_then(|n| u64::try_from(n).ok())
                    .unwrap_or(0),
                content_type: out.content_type().map(str::to_owned),
            })),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
            Err(err) => Err(storage_error(err)),
        }
    }

    /// The SHA-256 of `key`'s bytes, read as they stream (never held whole); `None` when
    /// there is no such object.
    pub async fn sha256(&self, key: &str) -> Result<Option<domain::Sha256>, Error> {
        use sha2::Digest as _;
        let mut body = match self.get(key, None, None).await? {
            Fetched::Found { body, .. } => *body,
            _ => return Ok(None),
        };
        let mut hasher = sha2::Sha256::new();
        while let Some(chunk) = body.next().await {
            hasher.update(chunk.map_err(storage_error)?);
        }
        Ok(Some(domain::Sha256::from_digest(hasher.finalize().into())))
    }

    /// The first `len` bytes of `key` (fewer if the object is shorter).
    pub async fn read_prefix(&self, key: &str, len: u64) -> Result<Bytes, Error> {
        let out = self
            .inner
            .client
            .get_object()
            .bucket(&self.inner.bucket)
            .key(key)
            .range(format!("bytes=0-{}", len.saturating_sub(1)))
            .send()
            .await
            .map_err(storage_error)?;
        let body = out.body.collect().await.map_err(storage_error)?;
        Ok(body.into_bytes())
    }

    /// Copies `from` to `to` inside the bucket, keeping its type and headers; `false` when
    /// `from` does not exist. The store copies the bytes as they are at that moment, so a
    /// later write to `from` never reaches `to`.
    pub async fn copy(&self, from: &str, to: &str) -> Result<bool, Error> {
        match self
            .inner
            .client
            .copy_object()
            .bucket(&self.inner.bucket)
            .copy_source(format!("{}/{from}", self.inner.bucket))
            .key(to)
            .set_server_side_encryption(sse(&self.inner.encryption))
            .set_ssekms_key_id(kms_key(&self.inner.encryption))
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(err)
                if err
                    .raw_response()
                    .is_some_and(|r| r.status().as_u16() == 404) =>
            {
                Ok(false)
            }
            Err(err) => Err(storage_error(err)),
        }
    }

    /// Deletes `key`; deleting what is already gone succeeds.
    pub async fn delete(&self, key: &str) -> Result<(), Error> {
        match self
            .inner
            .client
            .delete_object()
            .bucket(&self.inner.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(err)
                if err
                    .raw_response()
                    .is_some_and(|r| r.status().as_u16() == 404) =>
            {
                Ok(())
            }
            Err(err) => Err(storage_error(err)),
        }
    }

    /// Every object under `prefix`, with when it was last written.
    pub async fn list(&self, prefix: &str) -> Result<Vec<ListedObject>, Error> {
        let mut pages = self
            .inner
            .client
            .list_objects_v2()
            .bucket(&self.inner.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(storage_error)?;
            for object in page.contents() {
                let Some(key) = object.key() else { continue };
                let modified = object
                    .last_modified()
                    .and_then(|t| SystemTime::try_from(*t).ok())
                    .unwrap_or(UNIX_EPOCH);
                out.push(ListedObject {
                    key: key.to_owned(),
                    last_modified: modified,
                });
            }
        }
        Ok(out)
    }

    /// Writes `body` to `key` from the server (imports and tests; browsers upload directly).
    pub async fn put(&self, key: &str, body: Vec<u8>, content_type: &str) -> Result<(), Error> {
        self.inner
            .client
            .put_object()
            .bucket(&self.inner.bucket)
            .key(key)
            .content_type(content_type)
            .cache_control(OBJECT_CACHE)
            .set_server_side_encryption(sse(&self.inner.encryption))
            .set_ssekms_key_id(kms_key(&self.inner.encryption))
            .body(body.into())
            .send()
            .await
            .map_err(storage_error)?;
        Ok(())
    }
}
