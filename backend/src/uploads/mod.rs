//! The upload protocol, one module a step. [`begin`] records an intent and signs one upload
//! per declared variant; the browser sends the bytes straight to the bucket; [`complete`]
//! verifies what was stored and registers the image, consuming the intent, in one
//! transaction; [`cancel`] abandons an upload that is not registered yet.

mod begin;
mod cancel;
mod complete;
mod declare;
mod verify;

use std::time::Duration;

use domain::{ContentType, Variant};
use uuid::Uuid;

pub use begin::begin;
pub use cancel::cancel;
pub use complete::complete;

use crate::storage::BrowserUpload;

/// How long the browser has to send the bytes (the signed form's lifetime).
pub const POST_EXPIRY: Duration = Duration::from_secs(10 * 60);
/// How long after the form expires `complete` is still accepted: an upload that started just
/// in time may take a while to finish on a slow phone connection.
pub const COMPLETE_GRACE: Duration = Duration::from_secs(10 * 60);

/// One object the browser intends to upload, as declared (not yet trusted).
#[derive(Debug, Clone)]
pub struct Declared {
    pub variant: Variant,
    pub content_type: ContentType,
    pub size: u64,
}

/// How to send one variant.
#[derive(Debug, Clone)]
pub struct SignedUpload {
    pub variant: Variant,
    pub upload: BrowserUpload,
}

#[derive(Debug, Clone)]
pub struct Ticket {
    pub intent_id: Uuid,
    pub uploads: Vec<SignedUpload>,
}

/// A registered image, as its seller sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registered {
    pub image_id: i64,
    pub product_id: i64,
    pub width: u32,
    pub height: u32,
}
