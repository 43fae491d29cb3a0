//! The file of a multipart form as a stream: the bytes after the file part's headers, up to
//! the next boundary. Why not multer's field stream: multer reads on while the body has bytes
//! ready and buffers them, so a fast client filled memory with the whole file anyway. Here each
//! poll reads at most one frame of the body, and keeps back only as many bytes as could be the
//! start of the boundary.

use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::Stream;
use memchr::memmem::Finder;

pub struct FilePart<S> {
    /// In a mutex only so the stream is `Sync`, as s3s requires of bodies; it is only ever
    /// reached through `&mut self` (`get_mut`), never locked.
    body: Mutex<S>,
    /// Bytes read but not yet handed on; never more than one frame and a boundary's length.
    pending: BytesMut,
    /// `\r\n--BOUNDARY`: where the file ends.
    end: Finder<'static>,
    done: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum FilePartError {
    #[error("the body ends inside the file: the upload was cut off")]
    CutOff,
    #[error("the body broke off: {0}")]
    Broken(String),
}

impl<S> FilePart<S> {
    /// The file that starts with `already_read` and continues in `body`.
    pub fn new(already_read: &[u8], body: S, boundary: &str) -> Self {
        FilePart {
            body: Mutex::new(body),
            pending: BytesMut::from(already_read),
            end: Finder::new(format!("\r\n--{boundary}").as_bytes()).into_owned(),
            done: false,
        }
    }
}

impl<S, E> Stream for FilePart<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    type Item = Result<Bytes, FilePartError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            if let Some(at) = this.end.find(&this.pending) {
                this.done = true;
                let file = this.pending.split_to(at).freeze();
                this.pending.clear();
                return Poll::Ready((!file.is_empty()).then_some(Ok(file)));
            }
            // All but the last bytes, which could be the start of the boundary, are the file's.
            let keep = this.end.needle().len() - 1;
            if this.pending.len() > keep {
                let ready = this.pending.len() - keep;
                return Poll::Ready(Some(Ok(this.pending.split_to(ready).freeze())));
            }
            let body = match this.body.get_mut() {
                Ok(body) => body,
                Err(poisoned) => poisoned.into_inner(),
            };
            match Pin::new(body).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(frame))) => this.pending.extend_from_slice(&frame),
                Poll::Ready(Some(Err(err))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(FilePartError::Broken(err.to_string()))));
                }
                Poll::Ready(None) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(FilePartError::CutOff)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    async fn file(already: &str, frames: &[&str]) -> Result<String, String> {
        let body = futures_util::stream::iter(
            frames
                .iter()
                .map(|f| Ok::<_, std::io::Error>(Bytes::from(f.to_string())))
                .collect::<Vec<_>>(),
        );
        let mut part = FilePart::new(already.as_bytes(), body, "XY");
        let mut out = Vec::new();
        while let Some(chunk) = part.next().await {
            out.extend_from_slice(&chunk.map_err(|e| e.to_string())?);
        }
        Ok(String::from_utf8(out).unwrap())
    }

    #[tokio::test]
    async fn the_file_ends_at_the_boundary_even_when_it_is_cut_across_frames() {
        assert_eq!(
            file("ab", &["cd\r", "\n-", "-X", "Y--\r\n"]).await,
            Ok("abcd".into())
        );
        assert_eq!(file("", &["abcd\r\n--XY--"]).await, Ok("abcd".into()));
        assert_eq!(file("\r\n--XY", &[]).await, Ok(String::new()));
    }

    #[tokio::test]
    async fn what_only_looks_like_the_boundary_is_part_of_the_file() {
        assert_eq!(
            file("a\r\n--X", &["Z\r\n-", "-XZ b", "\r\n--XY\r\n"]).await,
            Ok("a\r\n--XZ\r\n--XZ b".into())
        );
    }

    #[tokio::test]
    async fn a_body_that_ends_inside_the_file_is_an_error() {
        assert!(file("abc", &["def"]).await.is_err());
    }
}
