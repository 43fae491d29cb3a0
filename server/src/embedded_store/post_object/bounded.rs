//! The file of a POST form, counted as it streams to disk. Why a stream and not a check
//! before: the size is only known at the end, and holding the file to learn it is what this
//! store must not do. A file past the policy's maximum ends the stream in an error at once
//! (nothing more is read), one short of its minimum at its end; either way s3s-fs stops before
//! it moves the file into place and deletes what it wrote.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;
use s3s::StdError;
use s3s::stream::ByteStream;

use super::policy::SizeRange;
use super::refusal::Refusal;

/// Why a bounded stream broke off, once it has.
#[derive(Clone, Default)]
pub struct Verdict(Arc<Mutex<Option<Refusal>>>);

impl Verdict {
    pub fn take(&self) -> Option<Refusal> {
        self.0.lock().ok().and_then(|mut v| v.take())
    }

    fn set(&self, refusal: Refusal) -> StdError {
        let error: StdError = Box::new(refusal.clone());
        if let Ok(mut verdict) = self.0.lock() {
            *verdict = Some(refusal);
        }
        error
    }
}

pub struct Bounded<S> {
    inner: S,
    seen: u64,
    range: SizeRange,
    verdict: Verdict,
    ended: bool,
}

impl<S> Bounded<S> {
    pub fn new(inner: S, range: SizeRange) -> (Self, Verdict) {
        let verdict = Verdict::default();
        let stream = Bounded {
            inner,
            seen: 0,
            range,
            verdict: verdict.clone(),
            ended: false,
        };
        (stream, verdict)
    }
}

impl<S, E> Stream for Bounded<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    type Item = Result<Bytes, StdError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.ended {
            return Poll::Ready(None);
        }
        let polled = Pin::new(&mut this.inner).poll_next(cx);
        let Poll::Ready(next) = polled else {
            return Poll::Pending;
        };
        let refusal = match next {
            Some(Ok(bytes)) => {
                this.seen = this.seen.saturating_add(bytes.len() as u64);
                if this.seen <= this.range.max {
                    return Poll::Ready(Some(Ok(bytes)));
                }
                Refusal::TooLarge {
                    max: this.range.max,
                }
            }
            Some(Err(err)) => Refusal::Malformed(format!("the file broke off: {err}")),
            None if this.seen < this.range.min => Refusal::TooSmall {
                min: this.range.min,
            },
            None => return Poll::Ready(None),
        };
        this.ended = true;
        Poll::Ready(Some(Err(this.verdict.set(refusal))))
    }
}

impl<S, E> ByteStream for Bounded<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    fn chunks(sizes: &[usize]) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Unpin {
        futures_util::stream::iter(
            sizes
                .iter()
                .map(|&n| Ok(Bytes::from(vec![1u8; n])))
                .collect::<Vec<_>>(),
        )
    }

    async fn run(sizes: &[usize], min: u64, max: u64) -> (usize, Option<Refusal>) {
        let (mut stream, verdict) = Bounded::new(chunks(sizes), SizeRange { min, max });
        let mut passed = 0;
        while let Some(Ok(bytes)) = stream.next().await {
            passed += bytes.len();
        }
        (passed, verdict.take())
    }

    #[tokio::test]
    async fn a_file_within_its_range_passes_whole() {
        assert_eq!(run(&[3, 4, 3], 10, 10).await, (10, None));
    }

    #[tokio::test]
    async fn a_file_past_its_maximum_stops_at_the_chunk_that_crosses_it() {
        assert_eq!(
            run(&[4, 4, 4, 4], 0, 6).await,
            (4, Some(Refusal::TooLarge { max: 6 }))
        );
    }

    #[tokio::test]
    async fn a_file_short_of_its_minimum_fails_at_its_end() {
        assert_eq!(
            run(&[4, 4], 9, 20).await,
            (8, Some(Refusal::TooSmall { min: 9 }))
        );
    }
}
