//! Step 3, transfer: sends each encoded variant straight to the bucket, as the server signed
//! it: a POST form (fields, then the file) or a PUT of the bytes with the signed headers.
//! XMLHttpRequest, because `fetch` cannot report upload progress.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use std::pin::pin;

use domain::UploadMethod;
use futures::channel::oneshot;
use futures::future::{Either, select};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Blob, FormData, ProgressEvent, XmlHttpRequest};

use super::backoff::Fault;
use super::cancel::CancelToken;
use super::stop::Stop;
use super::store_answer::{StoreAnswer, store_answer};
use super::timer::sleep;
use crate::api::SignedUpload;

/// A transfer with no sign of life for this long is given up and tried again: a connection
/// that died without a reset (the Wi-Fi gone, a laptop lid closed) would otherwise leave the
/// row saying "Uploading…" for ever. A sending browser reports progress many times a second.
const STALL_MS: f64 = 60_000.0;

/// Ends once nothing has moved for [`STALL_MS`] since `last_sign` (a `Date.now()`).
async fn stalled(last_sign: Rc<Cell<f64>>) {
    loop {
        sleep(5_000).await;
        if js_sys::Date::now() - last_sign.get() > STALL_MS {
            return;
        }
    }
}

fn js_error(err: wasm_bindgen::JsValue) -> Stop {
    Stop::Failed(format!("The browser refused to send the file ({err:?})."))
}

enum Outcome {
    Sent,
    /// Any answer but success, for `store_answer` to read.
    Answered {
        status: u16,
        body: String,
    },
    NetworkError,
    Aborted,
}

/// Sends `blob` to `target` once: a dropped connection or a busy store is
/// `Stop::Interrupted`, which the caller tries again; `on_progress` gets the bytes sent so far
/// (a new try restarts the count, and the bar simply waits).
pub async fn send(
    target: &SignedUpload,
    blob: &Blob,
    cancel: &CancelToken,
    on_progress: impl Fn(usize) + 'static,
) -> Result<(), Stop> {
    match send_once(target, blob, cancel, on_progress).await? {
        Outcome::Sent => Ok(()),
        Outcome::Aborted => Err(Stop::Cancelled),
        Outcome::NetworkError => Err(Stop::Interrupted(Fault::StorageUnreachable)),
        Outcome::Answered { status, body } => match store_answer(status, &body) {
            StoreAnswer::Busy => Err(Stop::Interrupted(Fault::StorageUnreachable)),
            StoreAnswer::Refused(sentence) => Err(Stop::Failed(sentence)),
        },
    }
}

async fn send_once(
    target: &SignedUpload,
    blob: &Blob,
    cancel: &CancelToken,
    on_progress: impl Fn(usize) + 'static,
) -> Result<Outcome, Stop> {
    let xhr = XmlHttpRequest::new().map_err(js_error)?;
    let form = if target.method == UploadMethod::Put {
        xhr.open("PUT", &target.url).map_err(js_error)?;
        // Exactly the signed headers; the browser adds Content-Length from the bytes.
        for (name, value) in &target.headers {
            xhr.set_request_header(name, value).map_err(js_error)?;
        }
        None
    } else {
        let form = FormData::new().map_err(js_error)?;
        for (name, value) in &target.fields {
            form.append_with_str(name, value).map_err(js_error)?;
        }
        // S3 requires the file to be the last field.
        form.append_with_blob_and_filename("file", blob, "image")
            .map_err(js_error)?;
        xhr.open("POST", &target.url).map_err(js_error)?;
        Some(form)
    };

    let (sender, receiver) = oneshot::channel::<Outcome>();
    let sender = Rc::new(RefCell::new(Some(sender)));
    let finish = {
        let sender = sender.clone();
        move |result: Outcome| {
            if let Some(tx) = sender.borrow_mut().take() {
                let _ = tx.send(result);
            }
        }
    };

    let last_sign = Rc::new(Cell::new(js_sys::Date::now()));
    let progress = {
        let last_sign = last_sign.clone();
        Closure::<dyn FnMut(ProgressEvent)>::new(move |ev: ProgressEvent| {
            last_sign.set(js_sys::Date::now());
            on_progress(ev.loaded() as usize);
        })
    };
    xhr.upload()
        .map_err(js_error)?
        .set_onprogress(Some(progress.as_ref().unchecked_ref()));

    let onload = {
        let xhr = xhr.clone();
        let finish = finish.clone();
        Closure::<dyn FnMut()>::new(move || {
            let status = xhr.status().unwrap_or(0);
            if (200..300).contains(&status) {
                finish(Outcome::Sent);
            } else {
                let body = xhr.response_text().ok().flatten().unwrap_or_default();
                finish(Outcome::Answered { status, body });
            }
        })
    };
    xhr.set_onload(Some(onload.as_ref().unchecked_ref()));
    let onerror = {
        let finish = finish.clone();
        Closure::<dyn FnMut()>::new(move || finish(Outcome::NetworkError))
    };
    xhr.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    let onabort = {
        let finish = finish.clone();
        Closure::<dyn FnMut()>::new(move || finish(Outcome::Aborted))
    };
    xhr.set_onabort(Some(onabort.as_ref().unchecked_ref()));

    if cancel.is_cancelled() {
        return Ok(Outcome::Aborted);
    }
    match &form {
        Some(form) => xhr.send_with_opt_form_data(Some(form)),
        None => xhr.send_with_opt_blob(Some(blob)),
    }
    .map_err(js_error)?;
    let stall = pin!(stalled(last_sign));
    let watched = select(receiver, stall);
    let result = match select(watched, pin!(cancel.cancelled())).await {
        Either::Left((Either::Left((result, _)), _)) => result.unwrap_or(Outcome::NetworkError),
        Either::Left((Either::Right(_), _)) => {
            // Counted as a dropped connection: tried again, saying why.
            let _ = xhr.abort();
            Outcome::NetworkError
        }
        Either::Right(_) => {
            let _ = xhr.abort();
            Outcome::Aborted
        }
    };
    // The handlers must live until the request has finished.
    drop((progress, onload, onerror, onabort));
    Ok(result)
}
