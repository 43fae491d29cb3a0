//! Why: s3s-fs moves an upload into place before it compares the body with its
//! `x-amz-checksum-sha256`, so other bytes sent under a signed checksum would replace the
//! object and only then be refused. S3 refuses them with nothing stored. This stream hashes the
//! body as it passes and ends in an error instead of its end when the digest differs, so
//! s3s-fs stops before the move and deletes its temporary file.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::body::Bytes;
use base64::Engine as _;
use futures_util::Stream;
use s3s::StdError;
use s3s::dto::StreamingBlob;
use s3s::stream::{ByteStream, RemainingLength};
use sha2::Digest as _;

/// Whether a checked body turned out not to match its checksum.
#[derive(Clone, Default)]
pub struct Mismatch(Arc<AtomicBool>);

impl Mismatch {
    pub fn found(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the body does not match its x-amz-checksum-sha256")]
struct BadDigest;

/// `body`, failing at its end unless its SHA-256 is `expected_base64`; `None` when
/// `expected_base64` is not the base64 of 32 bytes.
pub fn checked(body: StreamingBlob, expected_base64: &str) -> Option<(StreamingBlob, Mismatch)> {
    let expected = base64::engine::general_purpose::STANDARD
        .decode(expected_base64)
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())?;
    let mismatch = Mismatch::default();
    let stream = Checked {
        inner: body,
        hasher: Some(sha2::Sha256::new()),
        expected,
        mismatch: mismatch.clone(),
    };
    Some((StreamingBlob::new(stream), mismatch))
}

struct Checked {
    inner: StreamingBlob,
    hasher: Option<sha2::Sha256>,
    expected: [u8; 32],
    mismatch: Mismatch,
}

impl Stream for Checked {
    type Item = Result<Bytes, StdError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(bytes))) => {
                if let Some(hasher) = &mut this.hasher {
                    hasher.update(&bytes);
                }
                Poll::Ready(Some(Ok(bytes)))
            }
            Poll::Ready(None) => {
                let digest = this.hasher.take().map(|h| <[u8; 32]>::from(h.finalize()));
                if digest.is_some_and(|d| d != this.expected) {
                    this.mismatch.0.store(true, Ordering::SeqCst);
                    return Poll::Ready(Some(Err(Box::new(BadDigest))));
                }
                Poll::Ready(None)
            }
            other => other,
        }
    }
}

impl ByteStream for Checked {
    fn remaining_length(&self) -> RemainingLength {
        self.inner.remaining_length()
    }
}
