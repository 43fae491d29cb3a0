//! The uploader's journal in the browser's IndexedDB (through the `idb` crate): one record per
//! chosen photo, written before it is queued and after every step, so a reload, a crashed tab
//! or a laptop that slept goes on where it stopped. A record holds the chosen file until the
//! photo is shrunk, then the encoded variants instead (a resumed upload can never send the
//! full-size original), and the [`Progress`] as JSON. It is deleted when the image is
//! registered, cancelled or refused, and after a day unused.
//!
//! The journal only helps: when the browser has no IndexedDB or no room, uploads go on and
//! simply cannot be resumed.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;
use idb::builder::ObjectStoreBuilder;
use idb::{Database, KeyPath, TransactionMode, TransactionResult};
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

use super::process::EncodedVariant;
use super::resume::Progress;

const DATABASE: &str = "vitrine-uploads";
const STORE: &str = "photos";

/// Why the journal could not be read or written (the upload itself goes on).
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("the browser's IndexedDB refused: {0}")]
    Idb(#[from] idb::Error),
    #[error("the browser refused to keep the photo: {0}")]
    Write(String),
}

/// One photo as the journal kept it.
pub struct Kept {
    pub id: String,
    pub progress: Progress,
    pub file: Option<gloo_file::File>,
    pub encoded: Vec<EncodedVariant>,
}

thread_local! {
    static OPEN: RefCell<Option<Rc<Database>>> = const { RefCell::new(None) };
}

async fn database() -> Result<Rc<Database>, JournalError> {
    if let Some(db) = OPEN.with_borrow(Clone::clone) {
        return Ok(db);
    }
    let db = Rc::new(
        Database::builder(DATABASE)
            .version(1)
            .add_object_store(
                ObjectStoreBuilder::new(STORE).key_path(Some(KeyPath::new_single("id"))),
            )
            .build()
            .await?,
    );
    OPEN.with_borrow_mut(|open| *open = Some(db.clone()));
    Ok(db)
}

/// A fresh record id: the time and a random part, unique across tabs.
pub fn new_id() -> String {
    format!(
        "{:x}-{:012x}",
        js_sys::Date::now() as u64,
        (js_sys::Math::random() * 2f64.powi(48)) as u64
    )
}

fn set(target: &Object, key: &str, value: &JsValue) -> Result<(), JournalError> {
    Reflect::set(target, &key.into(), value)
        .map(|_| ())
        .map_err(|e| JournalError::Write(format!("{e:?}")))
}

fn progress_json(progress: &Progress) -> Result<JsValue, JournalError> {
    serde_json::to_string(progress)
        .map(|s| JsValue::from_str(&s))
        .map_err(|e| JournalError::Write(e.to_string()))
}

fn record(
    id: &str,
    progress: &Progress,
    file: Option<&web_sys::File>,
    encoded: &[EncodedVariant],
) -> Result<Object, JournalError> {
    let record = Object::new();
    set(&record, "id", &id.into())?;
    set(&record, "progress", &progress_json(progress)?)?;
    set(&record, "file", file.map_or(&JsValue::NULL, |f| f.as_ref()))?;
    let blobs: Array = encoded.iter().map(|e| JsValue::from(&e.blob)).collect();
    set(&record, "blobs", &blobs)?;
    Ok(record)
}

async fn put(record: &Object) -> Result<(), JournalError> {
    let db = database().await?;
    let tx = db.transaction(&[STORE], TransactionMode::ReadWrite)?;
    tx.object_store(STORE)?.put(record, None)?.await?;
    match tx.await? {
        TransactionResult::Committed => Ok(()),
        TransactionResult::Aborted => Err(JournalError::Write(
            "the transaction was aborted (no room left?)".into(),
        )),
    }
}

/// Writes a photo's whole record: the chosen file, or the variants once they exist. When the
/// browser will not keep the file (private browsing, no room), the record is kept without
/// it: after a reload the photo is then listed as one to choose again, never silently
/// dropped.
pub async fn write(
    id: &str,
    progress: &Progress,
    file: Option<&web_sys::File>,
    encoded: &[EncodedVariant],
) -> Result<(), JournalError> {
    match put(&record(id, progress, file, encoded)?).await {
        Err(_) if file.is_some() => put(&record(id, progress, None, encoded)?).await,
        done => done,
    }
}

/// Records a step's result. With `encoded`, the variants replace the original file.
pub async fn save(
    id: &str,
    progress: &Progress,
    encoded: Option<&[EncodedVariant]>,
) -> Result<(), JournalError> {
    let db = database().await?;
    let tx = db.transaction(&[STORE], TransactionMode::ReadWrite)?;
    let store = tx.object_store(STORE)?;
    let Some(current) = store.get(JsValue::from_str(id))?.await? else {
        return Ok(()); // forgotten meanwhile (cancelled): nothing to record
    };
    let current: Object = current.unchecked_into();
    set(&current, "progress", &progress_json(progress)?)?;
    if let Some(encoded) = encoded {
        let blobs: Array = encoded.iter().map(|e| JsValue::from(&e.blob)).collect();
        set(&current, "blobs", &blobs)?;
        set(&current, "file", &JsValue::NULL)?;
    }
    store.put(&current, None)?.await?;
    tx.await?;
    Ok(())
}

pub async fn forget(id: &str) -> Result<(), JournalError> {
    let db = database().await?;
    let tx = db.transaction(&[STORE], TransactionMode::ReadWrite)?;
    tx.object_store(STORE)?
        .delete(JsValue::from_str(id))?
        .await?;
    tx.await?;
    Ok(())
}

/// The photos of `product_id` left unfinished by an earlier page, in the order they were
/// chosen, each claimed for this tab (one open in another tab is left to it). Records of
/// abandoned batches, of any product, and records that cannot be read are deleted.
pub async fn unfinished(product_id: i64, now_ms: f64) -> Result<Vec<Kept>, JournalError> {
    let db = database().await?;
    let tx = db.transaction(&[STORE], TransactionMode::ReadWrite)?;
    let store = tx.object_store(STORE)?;
    let mut kept = Vec::new();
    for value in store.get_all(None, None)?.await? {
        let id = get(&value, "id").as_string().unwrap_or_default();
        let progress = get(&value, "progress")
            .as_string()
            .and_then(|json| Progress::from_journal(&json));
        match progress {
            Some(p) if !p.is_abandoned(now_ms) => {
                if p.product_id == product_id {
                    kept.push((id, p, value));
                }
            }
            _ => {
                store.delete(JsValue::from_str(&id))?.await?;
            }
        }
    }
    tx.await?;
    kept.sort_by(|a, b| a.1.chosen_ms.total_cmp(&b.1.chosen_ms));

    let mut mine = Vec::with_capacity(kept.len());
    for (id, progress, value) in kept {
        if !claim(&id).await {
            continue;
        }
        let file = get(&value, "file")
            .dyn_into::<web_sys::File>()
            .ok()
            .map(gloo_file::File::from);
        let blobs: Vec<Blob> = get(&value, "blobs")
            .dyn_into::<Array>()
            .map(|a| a.iter().filter_map(|b| b.dyn_into::<Blob>().ok()).collect())
            .unwrap_or_default();
        let encoded = pair(&progress, blobs);
        let mut progress = progress;
        if encoded.is_empty() {
            // Variants recorded without their bytes are of no use: shrink again if possible.
            progress.variants.clear();
            progress.ticket = None;
        }
        mine.push(Kept {
            id,
            progress,
            file,
            encoded,
        });
    }
    Ok(mine)
}

/// The kept blobs with what `progress` says they are; empty unless every variant has its blob.
fn pair(progress: &Progress, blobs: Vec<Blob>) -> Vec<EncodedVariant> {
    if progress.variants.is_empty() || blobs.len() != progress.variants.len() {
        return Vec::new();
    }
    progress
        .variants
        .iter()
        .zip(blobs)
        .map(|(made, blob)| EncodedVariant {
            variant: made.variant,
            size: made.size as usize,
            content_type: made.content_type,
            sha256: made.sha256,
            blob,
        })
        .collect()
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Takes the Web Lock named after record `id` for as long as this page lives, so two tabs
/// of the same product never both resume one photo (that would register it twice). False
/// when another tab holds it. A browser without Web Locks has no other tab to fear.
pub async fn claim(id: &str) -> bool {
    let navigator = get(&js_sys::global(), "navigator");
    let locks = get(&navigator, "locks");
    let Ok(request) = get(&locks, "request").dyn_into::<Function>() else {
        return true;
    };
    let (tx, rx) = oneshot::channel::<bool>();
    let granted = Closure::once_into_js(move |lock: JsValue| -> JsValue {
        let held = !lock.is_null();
        let _ = tx.send(held);
        if held {
            // A promise that never settles: the lock is released when the page goes.
            js_sys::Promise::new(&mut |_, _| {}).into()
        } else {
            JsValue::UNDEFINED
        }
    });
    let options = Object::new();
    if Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE).is_err() {
        return true;
    }
    let name = JsValue::from_str(&format!("vitrine-upload-{id}"));
    if request.call3(&locks, &name, &options, &granted).is_err() {
        return true;
    }
    rx.await.unwrap_or(true)
}

/// Asks the browser not to evict the journal under storage pressure (Chromium decides by
/// the site's engagement; refusing is fine, the journal still works until evicted).
pub fn ask_to_persist() {
    let navigator = get(&js_sys::global(), "navigator");
    let storage = get(&navigator, "storage");
    if let Ok(persist) = get(&storage, "persist").dyn_into::<Function>() {
        let _ = persist.call0(&storage);
    }
}
