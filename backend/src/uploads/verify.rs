//! What `complete` checks of each stored object before anything is registered: it arrived,
//! whole, with the declared type, and its first bytes are that type of picture within limits.

use domain::{ContentType, Sha256, Variant};

use crate::entities::stored_object;
use crate::sniff::{self, Sniffed};
use crate::{AppState, Error};

/// Comparisons running at once in this process: one per core, as each keeps a core busy.
static COMPARING: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    tokio::sync::Semaphore::new(cores)
});

pub(super) enum VerifyError {
    /// The stored object is not what was declared: the caller's fault.
    Refused(String),
    /// The store could not be asked: try again later.
    Failed(Error),
}

pub(super) async fn verify(
    state: &AppState,
    object: &stored_object::Model,
) -> Result<Sniffed, VerifyError> {
    let declared = object.content_type;
    let head = state
        .store
        .head(&object.object_key)
        .await
        .map_err(VerifyError::Failed)?
        .ok_or_else(|| VerifyError::Refused("the file never reached the store".into()))?;
    let declared_size = u64::try_from(object.byte_size).unwrap_or_default();
    if head.size != declared_size {
        return Err(VerifyError::Refused(format!(
            "the stored file is {} bytes, {} were declared",
            head.size, declared_size
        )));
    }
    let stored_type = head.content_type.as_deref().map(ContentType::parse);
    if stored_type != Some(Ok(declared)) {
        return Err(VerifyError::Refused(format!(
            "the stored file is labelled {}, {declared} was declared",
            head.content_type.as_deref().unwrap_or("with no type")
        )));
    }
    let prefix = state
        .store
        .read_prefix(&object.object_key, sniff::SNIFF_BYTES.min(head.size))
        .await
        .map_err(VerifyError::Failed)?;
    sniff::sniff(&prefix, declared).map_err(|e| VerifyError::Refused(e.to_string()))
}

/// Reads every variant whole and checks they are the bytes the browser declared (SHA-256) and
/// one clean picture (`pipeline::same_picture`): no metadata, each variant the display's shape
/// within its limit, and the same picture, so an approval publishes only what the admin saw.
/// The hashing and comparison run off the async threads.
pub(super) async fn one_picture(
    state: &AppState,
    objects: &[stored_object::Model],
) -> Result<(), VerifyError> {
    // Each comparison reads three files and decodes them: a burst of completes waits its turn
    // here rather than holding every picture in memory at once.
    let _turn = COMPARING
        .acquire()
        .await
        .map_err(|e| VerifyError::Failed(Error::Internal(e.to_string())))?;
    let mut stored = Vec::with_capacity(objects.len());
    for object in objects {
        let size = u64::try_from(object.byte_size).unwrap_or_default();
        let bytes = state
            .store
            .read_prefix(&object.object_key, size)
            .await
            .map_err(VerifyError::Failed)?;
        let declared = object.sha256.as_deref().map(Sha256::parse).transpose();
        let declared = declared.map_err(|e| VerifyError::Failed(Error::Internal(e.to_string())))?;
        stored.push((object.variant, bytes, declared));
    }
    let started = std::time::Instant::now();
    let verdict = off_thread(move || {
        for (variant, bytes, declared) in &stored {
            if declared.is_some_and(|d| d != pipeline::checksum::sha256(bytes)) {
                return Err(format!(
                    "the stored {} file is not the one the browser made (its SHA-256 differs)",
                    variant.as_str()
                ));
            }
        }
        let borrowed: Vec<(Variant, &[u8])> =
            stored.iter().map(|(v, b, _)| (*v, b.as_ref())).collect();
        pipeline::same_picture::check(&borrowed)
            .map(|_| ())
            .map_err(|mismatch| mismatch.to_string())
    })
    .await;
    tracing::debug!(
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "variants compared"
    );
    verdict
}

/// Runs a comparison on a blocking thread. If it panics, the checker failed on these very
/// bytes and would fail again on every retry, so the upload is refused (and its objects
/// deleted) instead of answering "try again" for ever and leaving them behind.
async fn off_thread(
    compare: impl FnOnce() -> Result<(), String> + Send + 'static,
) -> Result<(), VerifyError> {
    match tokio::task::spawn_blocking(compare).await {
        Ok(verdict) => verdict.map_err(VerifyError::Refused),
        Err(e) if e.is_panic() => {
            tracing::error!(error = %e, "the variant comparison panicked; upload refused");
            Err(VerifyError::Refused(
                "these files could not be checked as one picture; make the photo again, or \
                 export it in another format"
                    .into(),
            ))
        }
        Err(e) => Err(VerifyError::Failed(Error::Internal(e.to_string()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_comparison_that_panics_refuses_the_upload_instead_of_asking_for_retries() {
        let verdict = off_thread(|| panic!("a decoder bug on these bytes")).await;
        let Err(VerifyError::Refused(reason)) = verdict else {
            panic!("a panic must refuse the upload, so its objects are deleted");
        };
        assert!(reason.contains("could not be checked"), "{reason}");
    }

    #[tokio::test]
    async fn a_comparison_s_verdict_is_passed_on() {
        assert!(off_thread(|| Ok(())).await.is_ok());
        let refused = off_thread(|| Err("the thumb is another picture".into())).await;
        assert!(
            matches!(refused, Err(VerifyError::Refused(r)) if r == "the thumb is another picture")
        );
    }
}
