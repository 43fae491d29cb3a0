//! Sends one object straight to the bucket: the presigned POST form, then the file, with an
//! XMLHttpRequest because `fetch` cannot report upload progress.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Blob, BlobPropertyBag, FormData, ProgressEvent, XmlHttpRequest};

fn js_error(err: wasm_bindgen::JsValue) -> String {
    format!("The browser refused to send the file ({err:?}).")
}

/// POSTs `fields` then `file` to `url`; `on_progress` gets the bytes sent so far.
pub async fn post_form(
    url: &str,
    fields: &[(String, String)],
    bytes: &[u8],
    content_type: &str,
    on_progress: impl Fn(usize) + 'static,
) -> Result<(), String> {
    let form = FormData::new().map_err(js_error)?;
    for (name, value) in fields {
        form.append_with_str(name, value).map_err(js_error)?;
    }
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type(content_type);
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(js_error)?;
    // S3 requires the file to be the last field.
    form.append_with_blob_and_filename("file", &blob, "image")
        .map_err(js_error)?;

    let xhr = XmlHttpRequest::new().map_err(js_error)?;
    xhr.open("POST", url).map_err(js_error)?;

    let (sender, receiver) = oneshot::channel::<Result<(), String>>();
    let sender = Rc::new(RefCell::new(Some(sender)));
    let finish = {
        let sender = sender.clone();
        move |result: Result<(), String>| {
            if let Some(tx) = sender.borrow_mut().take() {
                let _ = tx.send(result);
            }
        }
    };

    let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |ev: ProgressEvent| {
        on_progress(ev.loaded() as usize);
    });
    xhr.upload()
        .map_err(js_error)?
        .set_onprogress(Some(progress.as_ref().unchecked_ref()));

    let onload = {
        let xhr = xhr.clone();
        let finish = finish.clone();
        Closure::<dyn FnMut()>::new(move || {
            let status = xhr.status().unwrap_or(0);
            if (200..300).contains(&status) {
                finish(Ok(()));
            } else {
                let body = xhr.response_text().ok().flatten().unwrap_or_default();
                finish(Err(store_refusal(status, &body)));
            }
        })
    };
    xhr.set_onload(Some(onload.as_ref().unchecked_ref()));
    let onerror = {
        let finish = finish.clone();
        Closure::<dyn FnMut()>::new(move || {
            finish(Err(
                "The upload was interrupted: check your connection and try again.".into(),
            ))
        })
    };
    xhr.set_onerror(Some(onerror.as_ref().unchecked_ref()));

    xhr.send_with_opt_form_data(Some(&form)).map_err(js_error)?;
    let result = receiver
        .await
        .unwrap_or_else(|_| Err("The upload was abandoned.".into()));
    // The handlers must live until the request has finished.
    drop((progress, onload, onerror));
    result
}

/// A sentence from an S3 error document (`<Error><Code>…</Code><Message>…</Message></Error>`).
fn store_refusal(status: u16, body: &str) -> String {
    let tag = |name: &str| {
        let open = format!("<{name}>");
        let start = body.find(&open)? + open.len();
        let end = body[start..].find(&format!("</{name}>"))? + start;
        Some(body[start..end].to_owned())
    };
    match (tag("Code"), tag("Message")) {
        (Some(code), Some(message)) => {
            format!("The storage refused the upload ({code}: {message}). Try again.")
        }
        (Some(code), None) => format!("The storage refused the upload ({code}). Try again."),
        _ => format!("The storage refused the upload (HTTP {status}). Try again."),
    }
}
