//! Why one upload attempt ended early. Every step (process, begin, transfer, complete) answers
//! with this, so the runner handles a cancelled, failed or interrupted step the same way
//! wherever it stops.

use super::backoff::Fault;
use crate::error::AppError;

pub enum Stop {
    /// The seller pressed cancel.
    Cancelled,
    /// A sentence for the seller: what went wrong and what to do.
    Failed(String),
    /// A fault that may pass: the step is tried again (see `retry`); what `retry` answers
    /// once it gives up.
    Interrupted(Fault),
    /// Resumed after a reload, but neither the photo nor its variants can be read.
    Unreadable,
}

impl From<AppError> for Stop {
    fn from(err: AppError) -> Self {
        match err {
            AppError::Unreachable(_) => Stop::Interrupted(Fault::ServerUnreachable),
            AppError::Unavailable(_) => Stop::Interrupted(Fault::ServerTrouble),
            other => Stop::Failed(other.to_string()),
        }
    }
}
