//! Shrinks a chosen photo in a pool of Web Workers (`/worker/worker.js`, built from the
//! `worker` crate), so the page's main thread only posts the `File` and receives the encoded
//! variants. Workers start on first use, so a page load fetches none of the pipeline; there is
//! one per core up to `MAX_WORKERS`, kept for the next photos. A worker whose WebAssembly
//! trapped is replaced rather than reused.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::pin::pin;
use std::rc::Rc;

use futures::channel::oneshot;
use futures::future::{Either, select};
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, Event, MessageEvent, Worker, WorkerOptions, WorkerType};

use domain::{ContentType, Sha256, Variant};

use super::cancel::CancelToken;
use super::stop::Stop;

const WORKER_URL: &str = "/worker/worker.js";
/// More workers than this would hold more photo memory than a phone has to spare.
pub const MAX_WORKERS: usize = 4;

/// One encoded variant, as the worker made it: its bytes stay in JavaScript (the worker
/// transferred them), wrapped in the `Blob` the transfer sends.
#[derive(Clone)]
pub struct EncodedVariant {
    pub variant: Variant,
    pub blob: Blob,
    pub size: usize,
    pub content_type: ContentType,
    pub sha256: Sha256,
}

/// Turns `file` into its upload variants, largest first, or the reason it cannot. `started`
/// runs once a worker takes the file (until then it waits its turn); on cancel the wait ends,
/// or the worker is stopped mid-photo and replaced, freeing its core.
pub async fn variants(
    file: &gloo_file::File,
    cancel: &CancelToken,
    started: impl FnOnce(),
) -> Result<Vec<EncodedVariant>, Stop> {
    domain::limits::check_photo_file(file.size()).map_err(|e| Stop::Failed(e.to_string()))?;
    let acquiring = acquire().map_err(Stop::Failed)?;
    let worker = match select(pin!(acquiring), pin!(cancel.cancelled())).await {
        Either::Left((worker, _)) => worker.map_err(Stop::Failed)?,
        Either::Right(_) => return Err(Stop::Cancelled),
    };
    started();
    let finished = match select(pin!(run(&worker, file)), pin!(cancel.cancelled())).await {
        Either::Left((outcome, _)) => Some(outcome),
        Either::Right(_) => None,
    };
    match finished {
        Some(outcome) => {
            match &outcome {
                Err(failure) if failure.broken => discard(worker),
                _ => release(worker),
            }
            outcome.map_err(|failure| Stop::Failed(failure.message))
        }
        None => {
            discard(worker);
            Err(Stop::Cancelled)
        }
    }
}

struct Failure {
    message: String,
    /// The worker cannot be trusted with another photo.
    broken: bool,
}

impl Failure {
    fn broken(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            broken: true,
        }
    }
}

#[derive(Default)]
struct Pool {
    idle: Vec<Worker>,
    started: usize,
    waiting: VecDeque<oneshot::Sender<Worker>>,
}

thread_local! {
    static POOL: RefCell<Pool> = RefCell::default();
}

fn pool_size() -> usize {
    let cores = web_sys::window()
        .map(|w| w.navigator().hardware_concurrency())
        .unwrap_or(1.0) as usize;
    cores.clamp(1, MAX_WORKERS)
}

/// An idle worker, a new one while the pool has room, or the next one released.
fn acquire() -> Result<impl Future<Output = Result<Worker, String>>, String> {
    let ready = POOL.with_borrow_mut(|pool| -> Result<_, String> {
        if let Some(worker) = pool.idle.pop() {
            return Ok(Ok(worker));
        }
        if pool.started < pool_size() {
            let worker = spawn()?;
            pool.started += 1;
            return Ok(Ok(worker));
        }
        let (tx, rx) = oneshot::channel();
        pool.waiting.push_back(tx);
        Ok(Err(rx))
    })?;
    Ok(async move {
        match ready {
            Ok(worker) => Ok(worker),
            Err(rx) => rx
                .await
                .map_err(|_| "The photo tool stopped. Reload the page.".to_string()),
        }
    })
}

fn release(worker: Worker) {
    POOL.with_borrow_mut(|pool| {
        let mut worker = worker;
        while let Some(waiter) = pool.waiting.pop_front() {
            match waiter.send(worker) {
                Ok(()) => return,
                Err(returned) => worker = returned,
            }
        }
        pool.idle.push(worker);
    });
}

/// Ends a broken or cancelled worker; a waiting photo gets a fresh one in its place.
fn discard(worker: Worker) {
    worker.terminate();
    let fresh = POOL.with_borrow_mut(|pool| {
        pool.started -= 1;
        if pool.waiting.is_empty() {
            return None;
        }
        let fresh = spawn().ok()?;
        pool.started += 1;
        Some(fresh)
    });
    if let Some(fresh) = fresh {
        release(fresh);
    }
}

fn spawn() -> Result<Worker, String> {
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    Worker::new_with_options(WORKER_URL, &options).map_err(|e| {
        format!(
            "This browser cannot run the photo tool ({e:?}). Update it, or try another browser."
        )
    })
}

/// Posts `file` to `worker` and waits for its one reply.
async fn run(worker: &Worker, file: &gloo_file::File) -> Result<Vec<EncodedVariant>, Failure> {
    let (tx, rx) = oneshot::channel::<Result<JsValue, Option<String>>>();
    let tx = Rc::new(RefCell::new(Some(tx)));
    let reply = tx.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        if let Some(tx) = reply.borrow_mut().take() {
            let _ = tx.send(Ok(ev.data()));
        }
    });
    // Fires when the worker script or its WebAssembly cannot load: an `ErrorEvent` with a
    // message when its code threw, a bare `Event` when the script could not be fetched (the
    // seller is offline), and on a message that cannot be read (`messageerror`).
    let on_error = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
        ev.prevent_default();
        if let Some(tx) = tx.borrow_mut().take() {
            let _ = tx.send(Err(get(&ev, "message").as_string()));
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    worker.set_onmessageerror(Some(on_error.as_ref().unchecked_ref()));

    let message = Object::new();
    let raw: &web_sys::File = file.as_ref();
    // A worker alone at work may share a big photo with a helper of its own (half a HEIC
    // photo's tiles, or the smaller variants); with the pool busy, every core has a photo.
    let alone = POOL.with_borrow(|pool| {
        pool.started.saturating_sub(pool.idle.len()) <= 1 && pool.waiting.is_empty()
    });
    let sent = Reflect::set(&message, &"file".into(), raw)
        .and_then(|_| Reflect::set(&message, &"share".into(), &alone.into()))
        .and_then(|_| worker.post_message(&message));
    let outcome = match sent {
        Ok(()) => rx.await,
        Err(e) => Ok(Err(Some(format!("{e:?}")))),
    };
    worker.set_onmessage(None);
    worker.set_onerror(None);
    worker.set_onmessageerror(None);
    match outcome {
        Ok(Ok(data)) => read_reply(&data),
        Ok(Err(Some(reason))) => Err(Failure::broken(format!(
            "The photo tool could not start ({reason}). Press Retry, or reload the page."
        ))),
        Ok(Err(None)) => Err(Failure::broken(
            "The photo tool could not be downloaded: check the connection, then press Retry.",
        )),
        Err(_) => Err(Failure::broken("The photo tool stopped. Reload the page.")),
    }
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// `{variants: [...]}` or `{error, broken}`, as `worker.js` posts them.
fn read_reply(data: &JsValue) -> Result<Vec<EncodedVariant>, Failure> {
    if let Some(message) = get(data, "error").as_string() {
        return Err(Failure {
            message,
            broken: get(data, "broken").is_truthy(),
        });
    }
    let variants: Array = get(data, "variants")
        .dyn_into()
        .map_err(|_| Failure::broken("The photo tool answered nonsense. Reload the page."))?;
    variants
        .iter()
        .map(|v| {
            let no_picture = || Failure::broken("The photo tool sent no picture. Reload the page.");
            let bytes: Uint8Array = get(&v, "bytes").dyn_into().map_err(|_| no_picture())?;
            let content_type = get(&v, "contentType")
                .as_string()
                .and_then(|t| ContentType::parse(&t).ok())
                .ok_or_else(no_picture)?;
            let variant = get(&v, "variant")
                .as_string()
                .and_then(|name| Variant::parse(&name))
                .ok_or_else(no_picture)?;
            let sha256 = get(&v, "sha256")
                .as_string()
                .and_then(|text| Sha256::parse(&text).ok())
                .ok_or_else(no_picture)?;
            // The worker transferred the buffer: the blob wraps it, no copy.
            let blob = Blob::from(gloo_file::Blob::new_with_options(
                bytes.buffer(),
                Some(content_type.mime()),
            ));
            Ok(EncodedVariant {
                variant,
                size: bytes.length() as usize,
                blob,
                content_type,
                sha256,
            })
        })
        .collect()
}
