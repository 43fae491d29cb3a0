//! One chosen file as the page shows it: its state, progress, error and cancel handle.

use leptos::prelude::*;

#[cfg(feature = "hydrate")]
use super::cancel::CancelToken;

/// Where one file is in the chain (`data-state` in the page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// Rows exist only in the browser; the server renders the empty panel.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub enum UploadState {
    Queued,
    Processing,
    Uploading,
    Verifying,
    Done,
    Failed,
    Cancelled,
}

impl UploadState {
    pub fn as_str(self) -> &'static str {
        match self {
            UploadState::Queued => "queued",
            UploadState::Processing => "processing",
            UploadState::Uploading => "uploading",
            UploadState::Verifying => "verifying",
            UploadState::Done => "done",
            UploadState::Failed => "failed",
            UploadState::Cancelled => "cancelled",
        }
    }

    pub(super) fn label(self) -> &'static str {
        match self {
            UploadState::Queued => "Waiting",
            UploadState::Processing => "Shrinking the photo…",
            UploadState::Uploading => "Uploading…",
            UploadState::Verifying => "Checking…",
            UploadState::Done => "Uploaded",
            UploadState::Failed => "Failed",
            UploadState::Cancelled => "Cancelled",
        }
    }

    /// Still on its way: cancel makes sense.
    pub(super) fn is_active(self) -> bool {
        matches!(
            self,
            UploadState::Queued
                | UploadState::Processing
                | UploadState::Uploading
                | UploadState::Verifying
        )
    }
}

/// One chosen file and what the page shows of it.
#[derive(Clone, Copy)]
pub struct UploadItem {
    pub(super) key: usize,
    pub(super) name: StoredValue<String>,
    pub(super) state: RwSignal<UploadState>,
    /// 0–100; within one attempt it never goes backwards.
    pub(super) progress: RwSignal<u8>,
    pub(super) error: RwSignal<Option<String>>,
    /// Why the row is waiting to try a step again (the server or storage is away).
    pub(super) waiting: RwSignal<Option<String>>,
    #[cfg(feature = "hydrate")]
    pub(super) file: StoredValue<gloo_file::File, LocalStorage>,
    /// The current attempt's; a retry gets a fresh one.
    #[cfg(feature = "hydrate")]
    cancel: StoredValue<CancelToken, LocalStorage>,
}

#[cfg(feature = "hydrate")]
impl UploadItem {
    pub(super) fn new(key: usize, file: gloo_file::File) -> Self {
        Self {
            key,
            name: StoredValue::new(file.name()),
            state: RwSignal::new(UploadState::Queued),
            progress: RwSignal::new(0),
            error: RwSignal::new(None),
            waiting: RwSignal::new(None),
            file: StoredValue::new_local(file),
            cancel: StoredValue::new_local(CancelToken::default()),
        }
    }

    pub(super) fn advance(&self, state: UploadState, progress: u8) {
        self.state.set(state);
        self.progress.update(|p| *p = (*p).max(progress.min(100)));
    }

    pub(super) fn fail(&self, message: String) {
        self.error.set(Some(message));
        self.state.set(UploadState::Failed);
    }

    pub(super) fn cancel_token(&self) -> CancelToken {
        self.cancel.get_value()
    }

    /// Stops the upload at once: its worker or transfer, or takes it out of the queue.
    pub(super) fn cancel(&self) {
        self.cancel.with_value(CancelToken::cancel);
        if self.state.get_untracked() == UploadState::Queued {
            self.state.set(UploadState::Cancelled);
        }
    }

    /// Makes a failed or cancelled item ready for a fresh attempt.
    pub(super) fn reset(&self) {
        self.cancel.set_value(CancelToken::default());
        self.error.set(None);
        self.waiting.set(None);
        self.progress.set(0);
        self.state.set(UploadState::Queued);
    }
}
