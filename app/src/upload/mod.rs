//! The uploader. Each chosen file goes through the same four steps as a direct upload in
//! Rails' Active Storage, one module each: `process` (shrink in WebAssembly, in a Web Worker)
//! → `begin` (ask the app for signed uploads) → `transfer` (send the bytes straight to the
//! bucket) → `complete` (the app verifies and registers the image). `run` takes one file
//! through them; every step answers with a `Stop` when it cannot go on, and waits on the
//! item's `CancelToken`; a fault that may pass (server, storage or network away) is retried
//! with `backoff` by `retry`, saying why on the row. `resume` decides the next step from what
//! is known of a photo, and `journal` keeps that in IndexedDB, so a reload goes on where the
//! last page stopped. `queue` keeps several files in flight; `process`'s worker pool limits
//! how many are shrunk at once. `desk` holds a product's rows and queue for the tab's life, so
//! leaving the page does not stop them; `uploader` is the panel, `item` one row's state.

// Pure rules, compiled everywhere so their tests run natively.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
mod backoff;
mod begin;
mod complete;
mod desk;
mod item;
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
mod resume;
pub mod store_answer;
mod uploader;
pub use begin::{BeginUpload, begin_upload};
pub use complete::{CancelUpload, CompleteUpload, cancel_upload, complete_upload};
pub use desk::{Desk, desk};
pub use uploader::Uploader;

#[cfg(feature = "hydrate")]
mod cancel;
#[cfg(feature = "hydrate")]
mod journal;
#[cfg(feature = "hydrate")]
mod process;
#[cfg(feature = "hydrate")]
mod queue;
#[cfg(feature = "hydrate")]
mod retry;
#[cfg(feature = "hydrate")]
mod run;
#[cfg(feature = "hydrate")]
mod stop;
#[cfg(feature = "hydrate")]
mod timer;
#[cfg(feature = "hydrate")]
mod transfer;

#[cfg(feature = "hydrate")]
use item::{UploadItem, UploadState};
