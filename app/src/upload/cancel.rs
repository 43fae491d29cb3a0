//! Cancelling one upload attempt. Waiting steps learn of it at once (a future that resolves
//! on cancel, not a flag polled on a timer), so a worker is stopped and a transfer aborted
//! the moment the seller presses Cancel.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::channel::oneshot;

use super::stop::Stop;

/// Shared by the page (which cancels) and the running attempt (which waits on it). Retrying
/// starts a new attempt with a new token.
#[derive(Clone, Default)]
pub struct CancelToken(Rc<Inner>);

#[derive(Default)]
struct Inner {
    cancelled: Cell<bool>,
    waiters: RefCell<Vec<oneshot::Sender<()>>>,
}

impl CancelToken {
    pub fn cancel(&self) {
        if self.0.cancelled.replace(true) {
            return;
        }
        for waiter in self.0.waiters.take() {
            let _ = waiter.send(());
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.get()
    }

    /// `Err(Stop::Cancelled)` once cancelled: the check between steps.
    pub fn check(&self) -> Result<(), Stop> {
        if self.is_cancelled() {
            Err(Stop::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Resolves when the attempt is cancelled (at once if it already is).
    pub async fn cancelled(&self) {
        if self.is_cancelled() {
            return;
        }
        let (tx, rx) = oneshot::channel();
        self.0.waiters.borrow_mut().push(tx);
        let _ = rx.await;
    }
}
