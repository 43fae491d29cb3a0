//! One chosen file as the page shows it: its state, progress, error and cancel handle.

use leptos::prelude::*;

#[cfg(feature = "hydrate")]
use super::cancel::CancelToken;
#[cfg(feature = "hydrate")]
use super::journal::{self, Kept};
#[cfg(feature = "hydrate")]
use super::process::EncodedVariant;
#[cfg(feature = "hydrate")]
use super::resume::{Made, Progress};

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
    /// Resumed after a reload, but the browser no longer lets the page read the photo.
    Unreadable,
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
            UploadState::Unreadable => "unreadable",
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
            UploadState::Unreadable => "Cannot be resumed",
        }
    }

    /// Still on its way, and not yet with the server: cancel makes sense. While it is being
    /// checked the server is registering it, and a cancel would race that (the row could say
    /// "cancelled" of a photo that lands in the gallery): it can be deleted there once in.
    pub(super) fn is_active(self) -> bool {
        matches!(
            self,
            UploadState::Queued | UploadState::Processing | UploadState::Uploading
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
    /// The chosen file, until the photo is shrunk (a resumed one may have none).
    #[cfg(feature = "hydrate")]
    pub(super) file: StoredValue<Option<gloo_file::File>, LocalStorage>,
    /// The photo's record in the journal, and what it says (see `resume`).
    #[cfg(feature = "hydrate")]
    journal_id: StoredValue<String>,
    #[cfg(feature = "hydrate")]
    pub(super) kept: StoredValue<Progress>,
    /// What the photo worker made (or the journal kept), largest first.
    #[cfg(feature = "hydrate")]
    pub(super) encoded: StoredValue<Vec<EncodedVariant>, LocalStorage>,
    /// The current attempt's; a retry gets a fresh one.
    #[cfg(feature = "hydrate")]
    cancel: StoredValue<CancelToken, LocalStorage>,
}

#[cfg(feature = "hydrate")]
impl UploadItem {
    /// A newly chosen photo; [`UploadItem::journal`] records it.
    pub(super) fn new(key: usize, product_id: i64, file: gloo_file::File) -> Self {
        let progress = Progress::new(product_id, file.name(), js_sys::Date::now());
        Self::build(key, journal::new_id(), progress, Some(file), Vec::new())
    }

    /// A photo an earlier page left unfinished, as the journal kept it.
    pub(super) fn resumed(key: usize, kept: Kept) -> Self {
        let (total, sent) = kept.progress.bytes();
        let item = Self::build(key, kept.id, kept.progress, kept.file, kept.encoded);
        // The bar starts where the last page left it.
        if !item.encoded.with_value(Vec::is_empty) {
            item.progress
                .set(5 + (sent * 90).checked_div(total).unwrap_or(0) as u8);
        }
        item
    }

    fn build(
        key: usize,
        journal_id: String,
        kept: Progress,
        file: Option<gloo_file::File>,
        encoded: Vec<EncodedVariant>,
    ) -> Self {
        Self {
            key,
            name: StoredValue::new(kept.name.clone()),
            state: RwSignal::new(UploadState::Queued),
            progress: RwSignal::new(0),
            error: RwSignal::new(None),
            waiting: RwSignal::new(None),
            file: StoredValue::new_local(file),
            journal_id: StoredValue::new(journal_id),
            kept: StoredValue::new(kept),
            encoded: StoredValue::new_local(encoded),
            cancel: StoredValue::new_local(CancelToken::default()),
        }
    }

    /// Writes the photo to the journal (again, after it was forgotten): a new record with
    /// the file, or with the variants once they exist. Best effort: see `journal`.
    pub(super) async fn journal(&self) {
        let id = self.journal_id.get_value();
        journal::claim(&id).await;
        let file = self.file.get_value();
        let written = journal::write(
            &id,
            &self.kept.get_value(),
            file.as_ref().map(AsRef::as_ref),
            &self.encoded.get_value(),
        )
        .await;
        warn_unjournaled(written);
    }

    /// Keeps what the worker made, in the page and the journal (where it replaces the file).
    pub(super) async fn keep_encoded(&self, encoded: Vec<EncodedVariant>) {
        let made = encoded
            .iter()
            .map(|e| Made {
                variant: e.variant,
                content_type: e.content_type,
                size: e.size as u64,
                sha256: e.sha256,
            })
            .collect();
        self.kept.update_value(|p| p.keep_variants(made));
        let (id, progress) = (self.journal_id.get_value(), self.kept.get_value());
        warn_unjournaled(journal::save(&id, &progress, Some(&encoded)).await);
        self.encoded.set_value(encoded);
    }

    /// Changes what is known of the upload, and records it.
    pub(super) async fn note(&self, change: impl FnOnce(&mut Progress)) {
        self.kept.update_value(change);
        let (id, progress) = (self.journal_id.get_value(), self.kept.get_value());
        warn_unjournaled(journal::save(&id, &progress, None).await);
    }

    /// Deletes the photo's record: it is registered, cancelled or refused.
    pub(super) async fn forget(&self) {
        warn_unjournaled(journal::forget(&self.journal_id.get_value()).await);
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
            // Never started here, so no runner will forget it.
            self.state.set(UploadState::Cancelled);
            let item = *self;
            leptos::task::spawn_local(async move { item.forget().await });
        }
    }

    /// Makes a failed or cancelled item ready for another attempt; what was already done
    /// (the shrunk variants) is kept.
    pub(super) fn reset(&self) {
        self.cancel.set_value(CancelToken::default());
        self.error.set(None);
        self.waiting.set(None);
        self.progress.set(0);
        self.state.set(UploadState::Queued);
    }
}

#[cfg(feature = "hydrate")]
fn warn_unjournaled(result: Result<(), journal::JournalError>) {
    if let Err(err) = result {
        leptos::logging::warn!("This upload cannot be resumed after a reload: {err}");
    }
}
