//! Request bodies cut into frames of at most 16 KiB before s3s reads them.
//!
//! Why: s3s 0.14's multipart reader, on a chunk that ends with what could start the closing
//! boundary (a lone `\r` in JPEG data: about one chunk in 256), appends the whole next chunk to
//! a buffer capped at 64 KiB, and fails the upload ("failed to read file stream") when that
//! chunk is larger. Frames of 16 KiB never reach the cap. Slicing `Bytes` copies nothing.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Bytes;
use http_body::{Body, Frame, SizeHint};

const MAX_FRAME: usize = 16 * 1024;

pub struct SmallFrames<B> {
    inner: B,
    pending: Bytes,
}

impl<B> SmallFrames<B> {
    pub fn new(inner: B) -> Self {
        Self {
            inner,
            pending: Bytes::new(),
        }
    }
}

impl<B: Body<Data = Bytes> + Unpin> Body for SmallFrames<B> {
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let this = &mut *self;
        if this.pending.is_empty() {
            match Pin::new(&mut this.inner).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => this.pending = data,
                    Err(trailers) => return Poll::Ready(Some(Ok(trailers))),
                },
                other => return other,
            }
        }
        let size = this.pending.len().min(MAX_FRAME);
        Poll::Ready(Some(Ok(Frame::data(this.pending.split_to(size)))))
    }

    fn is_end_stream(&self) -> bool {
        self.pending.is_empty() && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let inner = self.inner.size_hint();
        let pending = self.pending.len() as u64;
        let mut hint = SizeHint::new();
        hint.set_lower(inner.lower() + pending);
        if let Some(upper) = inner.upper() {
            hint.set_upper(upper + pending);
        }
        hint
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body as AxumBody;
    use http_body_util::BodyExt;

    use super::*;

    #[tokio::test]
    async fn large_frames_are_cut_in_order_and_nothing_is_lost() {
        let data: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
        let mut body = SmallFrames::new(AxumBody::from(data.clone()));
        let mut sizes = Vec::new();
        let mut joined = Vec::new();
        while let Some(frame) = body.frame().await {
            let chunk = frame.expect("frame").into_data().expect("data");
            sizes.push(chunk.len());
            joined.extend_from_slice(&chunk);
        }
        assert!(sizes.iter().all(|&s| s <= MAX_FRAME), "{sizes:?}");
        assert_eq!(sizes.len(), 5);
        assert_eq!(joined, data);
    }
}
