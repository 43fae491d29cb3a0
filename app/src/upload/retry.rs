//! Runs one step again while it fails with a fault that may pass, waiting as [`Backoff`] says
//! and telling the seller why; a cancel ends the wait at once. When it gives up, the step's
//! last fault is the answer, so the runner can keep what was done for a later Retry.

use std::future::Future;
use std::pin::pin;

use futures::future::{Either, select};

use super::backoff::Backoff;
use super::cancel::CancelToken;
use super::stop::Stop;
use super::timer::sleep;

/// `step` until it succeeds or stops for good. `waiting` gets the sentence to show while
/// waiting, and `None` when trying again.
pub async fn patiently<T, F, Fut>(
    cancel: &CancelToken,
    waiting: impl Fn(Option<String>),
    mut step: F,
) -> Result<T, Stop>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Stop>>,
{
    let mut backoff = Backoff::default();
    loop {
        let fault = match step().await {
            Err(Stop::Interrupted(fault)) => fault,
            done => {
                waiting(None);
                return done;
            }
        };
        let Some(wait_ms) = backoff.next_wait() else {
            waiting(None);
            return Err(Stop::Interrupted(fault));
        };
        waiting(Some(fault.retrying(wait_ms)));
        let wait_ms = i32::try_from(wait_ms).unwrap_or(i32::MAX);
        if let Either::Right(_) = select(pin!(sleep(wait_ms)), pin!(cancel.cancelled())).await {
            waiting(None);
            return Err(Stop::Cancelled);
        }
        cancel.check()?;
    }
}
