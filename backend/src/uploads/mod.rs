//! The upload protocol, one module a step. [`begin`] records an intent and signs one upload
//! per declared variant; the browser sends the bytes straight to the bucket; [`complete`]
//! copies what was stored to keys the browser never got, verifies the copies and registers
//! them as the image, consuming the intent, in one transaction; [`cancel`] abandons an
//! upload that is not registered yet.

mod begin;
mod cancel;
mod complete;
mod declare;
mod publish;
mod verify;

use std::time::Duration;

pub use begin::begin;
pub use cancel::cancel;
pub use complete::complete;
pub(crate) use publish::delete_attempted_copies;

// What the browser declares, what it gets back and what is registered: the wire types.
pub use domain::wire::{DeclaredObject, RegisteredImage, SignedUpload, UploadTicket};

/// How long the browser has to send the bytes (the signed form's lifetime).
pub const POST_EXPIRY: Duration = Duration::from_secs(10 * 60);
/// How long after the form expires `complete` is still accepted: an upload that started just
/// in time may take a while to finish on a slow phone connection.
pub const COMPLETE_GRACE: Duration = Duration::from_secs(10 * 60);
