//! Why one upload attempt ended early. Every step (process, begin, transfer, complete) answers
//! with this, so the runner handles a cancelled or failed step the same way wherever it stops.

pub enum Stop {
    /// The seller pressed cancel.
    Cancelled,
    /// A sentence for the seller: what went wrong and what to do.
    Failed(String),
}

impl From<crate::error::AppError> for Stop {
    fn from(err: crate::error::AppError) -> Self {
        Stop::Failed(err.to_string())
    }
}
