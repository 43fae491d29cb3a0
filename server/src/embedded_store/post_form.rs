//! What S3 holds a browser's POST upload to and s3s does not, checked before s3s sees it:
//! the signed policy must name the bucket (S3 refuses one that does not), and `${filename}` in
//! the `key` field becomes the uploaded file's name (S3 substitutes it; s3s would store the
//! literal text and check the policy against it). Only the form fields before the file are
//! read here, never the file, so the upload is not held twice.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;

/// Form fields come before the file and are small; more than this before it is not a form.
const LONGEST_FIELDS: usize = 256 * 1024;

/// Why a POST is refused, worded as S3 words it.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The policy has no `bucket` condition.
    PolicyWithoutBucket,
    /// A `${filename}` key, with a file name that is no key segment (`..`, `/`, control).
    UnsafeFilename,
    /// Not a readable multipart form.
    Malformed(String),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            Refusal::PolicyWithoutBucket => (
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "Invalid according to Policy: Policy Condition failed: the policy has no condition on the bucket".to_owned(),
            ),
            Refusal::UnsafeFilename => (
                StatusCode::BAD_REQUEST,
                "InvalidArgument",
                "The file name cannot be used in ${filename}: it is empty, or holds '/', '..' or control characters".to_owned(),
            ),
            Refusal::Malformed(why) => (StatusCode::BAD_REQUEST, "MalformedPOSTRequest", why),
        };
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{}</Message></Error>",
            escape(&message)
        );
        (status, [(header::CONTENT_TYPE, "application/xml")], xml).into_response()
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Checks a POST upload's form and hands back the request with `${filename}` substituted; any
/// other request passes untouched.
pub async fn checked(request: Request) -> Result<Request, Refusal> {
    let boundary = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|ct| ct.to_ascii_lowercase().starts_with("multipart/form-data"))
        .and_then(|ct| multer::parse_boundary(ct).ok());
    let Some(boundary) = boundary else {
        return Ok(request);
    };
    let (parts, body) = request.into_parts();
    let mut frames = body.into_data_stream();
    // Read until the file part's headers are complete (or the body ends).
    let mut prefix = BytesMut::new();
    let file_at = loop {
        if let Some(at) = file_part(&prefix, &boundary) {
            break Some(at);
        }
        if prefix.len() > LONGEST_FIELDS {
            return Err(Refusal::Malformed(
                "The form's fields before the file are too long".into(),
            ));
        }
        match frames.next().await {
            Some(Ok(chunk)) => prefix.extend_from_slice(&chunk),
            Some(Err(err)) => return Err(Refusal::Malformed(format!("The body broke off: {err}"))),
            None => break None,
        }
    };
    let prefix = prefix.freeze();
    let fields = fields_before_file(prefix.clone(), &boundary).await?;
    let value = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    if let Some(policy) = value("policy") {
        let document = base64::engine::general_purpose::STANDARD
            .decode(policy)
            .ok()
            .and_then(|json| serde_json::from_slice::<serde_json::Value>(&json).ok());
        // An unreadable policy is s3s's to refuse, with its own message.
        if let Some(document) = document
            && !names_the_bucket(&document)
        {
            return Err(Refusal::PolicyWithoutBucket);
        }
    }
    let mut head = prefix.clone();
    if let (Some(key), Some(at)) = (value("key"), file_at)
        && key.contains("${filename}")
    {
        let filename = file_name(&prefix[at..]).unwrap_or_default();
        if !usable_filename(&filename) {
            return Err(Refusal::UnsafeFilename);
        }
        let key = key.replace("${filename}", &filename);
        head = rebuild(&fields, &key, &boundary, &prefix[at..]);
    }
    let rest =
        futures_util::stream::once(async move { Ok::<Bytes, axum::Error>(head) }).chain(frames);
    Ok(Request::from_parts(parts, Body::from_stream(rest)))
}

/// Where the `file` part begins (its `--boundary` line), once its headers are all there.
fn file_part(prefix: &[u8], boundary: &str) -> Option<usize> {
    let delimiter = format!("--{boundary}\r\n");
    let mut from = 0;
    while let Some(found) = find(&prefix[from..], delimiter.as_bytes()) {
        let start = from + found;
        let headers_from = start + delimiter.len();
        let end = find(&prefix[headers_from..], b"\r\n\r\n")?;
        let headers = String::from_utf8_lossy(&prefix[headers_from..headers_from + end]);
        if part_name(&headers).as_deref() == Some("file") {
            return Some(start);
        }
        from = headers_from + end;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A `Content-Disposition` parameter of a part's headers.
fn disposition_param(headers: &str, param: &str) -> Option<String> {
    let line = headers
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
    line.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.eq_ignore_ascii_case(param)
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn part_name(headers: &str) -> Option<String> {
    disposition_param(headers, "name")
}

/// The file name the browser gave the file part.
fn file_name(file_part: &[u8]) -> Option<String> {
    let end = find(file_part, b"\r\n\r\n")?;
    disposition_param(&String::from_utf8_lossy(&file_part[..end]), "filename")
}

fn usable_filename(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && !name.contains("..")
        && !name.contains('/')
        && !name.contains('\\')
        && !name.chars().any(char::is_control)
}

/// The text fields before the file, in order.
async fn fields_before_file(
    prefix: Bytes,
    boundary: &str,
) -> Result<Vec<(String, String)>, Refusal> {
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(prefix) });
    let mut form = multer::Multipart::new(stream, boundary);
    let mut fields = Vec::new();
    loop {
        // The stream stops inside the file: whatever fails from there on is not ours to judge.
        let Ok(Some(field)) = form.next_field().await else {
            break;
        };
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        if name == "file" {
            break;
        }
        match field.text().await {
            Ok(text) => fields.push((name, text)),
            Err(_) => break,
        }
    }
    Ok(fields)
}

/// True when `conditions` hold a condition on the bucket, in either of S3's two forms.
fn names_the_bucket(document: &serde_json::Value) -> bool {
    let Some(conditions) = document.get("conditions").and_then(|c| c.as_array()) else {
        return false;
    };
    conditions.iter().any(|c| match c {
        serde_json::Value::Object(map) => map.keys().any(|k| k.eq_ignore_ascii_case("bucket")),
        serde_json::Value::Array(items) => items
            .get(1)
            .and_then(|f| f.as_str())
            .is_some_and(|f| f.eq_ignore_ascii_case("$bucket")),
        _ => false,
    })
}

/// The form again, fields as read but with `key`, followed by the file part as received.
fn rebuild(fields: &[(String, String)], key: &str, boundary: &str, file_part: &[u8]) -> Bytes {
    let mut out = BytesMut::new();
    for (name, value) in fields {
        let value = if name.eq_ignore_ascii_case("key") {
            key
        } else {
            value
        };
        out.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    out.extend_from_slice(file_part);
    out.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_bucket_condition_comes_in_two_forms() {
        assert!(names_the_bucket(&json!({"conditions": [{"bucket": "b"}]})));
        assert!(names_the_bucket(
            &json!({"conditions": [["starts-with", "$bucket", "b"]]})
        ));
        assert!(!names_the_bucket(
            &json!({"conditions": [{"key": "k"}, ["content-length-range", 1, 2]]})
        ));
        assert!(!names_the_bucket(&json!({"expiration": "x"})));
    }

    #[test]
    fn file_names_that_are_no_key_segment_are_refused() {
        assert!(usable_filename("photo.jpg"));
        for bad in ["", ".", "../x", "a/b", "a\\b", "x\ny"] {
            assert!(!usable_filename(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_file_part_is_found_once_its_headers_are_complete() {
        let form = b"--B\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\nDATA";
        let at = file_part(form, "B").unwrap();
        assert!(form[at..].starts_with(b"--B\r\nContent-Disposition: form-data; name=\"file\""));
        assert_eq!(file_name(&form[at..]).as_deref(), Some("a.jpg"));
        let cut = &form[..form.len() - 30];
        assert_eq!(file_part(cut, "B"), None);
    }
}
