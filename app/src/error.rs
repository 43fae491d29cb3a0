//! The one error type server functions return: a sentence for the user, and a kind the UI can
//! act on (send a signed-out user to sign in, show "not found").

use leptos::prelude::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::codec::JsonEncoding;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Sign in to continue.")]
    Unauthenticated,
    #[error("That needs an admin account.")]
    Forbidden,
    #[error("{0}")]
    NotFound(String),
    /// The request was understood and refused; the message says why and what to do.
    #[error("{0}")]
    Refused(String),
    /// Refused because of the state things are in (a name taken, an upload already
    /// registered); the message says which.
    #[error("{0}")]
    Conflict(String),
    /// The request did not come from the site's own pages (see `server::same_origin`).
    #[error("{0}")]
    CrossSite(String),
    /// A server function was sent a body of a type it does not take.
    #[error("{0}")]
    WrongContentType(String),
    /// Too many attempts at a door with a limit (sign-in, sign-up); the message says how long
    /// to wait, and the answer carries it as `Retry-After` too.
    #[error("{message}")]
    TooManyAttempts {
        message: String,
        retry_after_secs: u64,
    },
    /// Something failed on the server or on the way; trying again may help.
    #[error("{0}")]
    Unavailable(String),
    /// The server did not answer at all (made in the browser, never sent by the server).
    #[error("{0}")]
    Unreachable(String),
}

impl AppError {
    /// The HTTP status this answer travels with: refusals are the caller's (4xx), faults the
    /// server's (5xx), so monitoring sees a server on fire only when it is. The server sets it
    /// (`server::answers`); the browser reads the message either way.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Refused(_) => 400,
            AppError::Unauthenticated => 401,
            AppError::Forbidden | AppError::CrossSite(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::WrongContentType(_) => 415,
            AppError::TooManyAttempts { .. } => 429,
            AppError::Unavailable(_) => 503,
            // Made by the browser when no answer came; never sent.
            AppError::Unreachable(_) => 502,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => AppError::Unreachable(
                "The server could not be reached. Check your connection and try again.".into(),
            ),
            // Only the server reads arguments, so on the server a body that does not decode
            // (an unknown variant, an SVG declared as an image) is the sender's fault, not a
            // failure to retry. In the browser the same error means a garbled answer.
            ServerFnErrorErr::Args(message) => {
                AppError::Refused(format!("The request was refused: {message}"))
            }
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(message) => {
                AppError::Refused(format!("The request was refused: {message}"))
            }
            other => AppError::Unavailable(format!("Something went wrong: {other}. Try again.")),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<backend::Error> for AppError {
    fn from(err: backend::Error) -> Self {
        use backend::Error as E;
        if err.is_internal() {
            tracing::error!(%err, "server function failed");
            return AppError::Unavailable(
                "Something went wrong on the server. Try again in a moment.".into(),
            );
        }
        match err {
            E::Unauthenticated => AppError::Unauthenticated,
            E::Forbidden => AppError::Forbidden,
            E::NotFound(_) => AppError::NotFound(err.to_string()),
            E::Conflict(_) => AppError::Conflict(err.to_string()),
            E::TooManyAttempts {
                message,
                retry_after,
            } => AppError::TooManyAttempts {
                message,
                retry_after_secs: retry_after.as_secs(),
            },
            other => AppError::Refused(other.to_string()),
        }
    }
}
