/// What went wrong, worded for the person who asked. Server functions map these to answers;
/// internal causes are logged, never shown.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Sign in to continue.")]
    Unauthenticated,
    #[error("That needs an admin account.")]
    Forbidden,
    /// Missing, or someone else's: the same answer, so ids reveal nothing.
    #[error("{0} was not found.")]
    NotFound(&'static str),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("The upload was refused: {0}. Nothing was saved; try the file again.")]
    Rejected(String),
    #[error(
        "The upload took too long and its permission expired. Nothing was saved; try the file again."
    )]
    Expired,
    /// Too many attempts at a door with a limit (see `attempts`); the message says how long
    /// to wait.
    #[error("{message}")]
    TooManyAttempts {
        message: String,
        retry_after: std::time::Duration,
    },
    /// The database was migrated by a newer release (the migrations named) than this one.
    #[error(
        "the database was migrated by a newer Vitrine than this one ({0} is unknown here): deploy that release or a later one; this one must not run on it"
    )]
    NewerSchema(String),
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("object store error: {0}")]
    Storage(String),
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn invalid(err: impl std::fmt::Display) -> Self {
        Error::Invalid(err.to_string())
    }

    /// True for failures that are the server's, not the caller's: worth logging, and shown
    /// to the user as a generic message.
    pub fn is_internal(&self) -> bool {
        matches!(
            self,
            Error::Database(_) | Error::Storage(_) | Error::Internal(_)
        )
    }
}
