//! Reading a browser's POST upload form: the text fields before the file (small, read whole)
//! and then the file as a stream (`file_part`), never held. `${filename}` in the `key` field becomes the
//! file's name, as S3 puts it in (s3s would have stored the literal text).

use axum::body::BodyDataStream;
use axum::extract::Request;
use axum::http::header;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;

use super::file_part::FilePart;
use super::refusal::Refusal;

/// Form fields come before the file and are small; more than this before it is not a form.
const LONGEST_FIELDS: usize = 256 * 1024;

/// The form of a POST upload.
pub struct Form {
    /// The text fields before the file, in order; `key` with `${filename}` put in.
    pub fields: Vec<(String, String)>,
    /// The file part's content, as it arrives.
    pub file: FilePart<BodyDataStream>,
}

impl Form {
    pub fn value(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The multipart boundary of a request that is a POST upload form.
pub fn boundary(request: &Request) -> Option<String> {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|ct| ct.to_ascii_lowercase().starts_with("multipart/form-data"))
        .and_then(|ct| multer::parse_boundary(ct).ok())
}

/// Reads the fields of the form up to its file, and hands the file back unread.
pub async fn read(request: Request, boundary: &str) -> Result<Form, Refusal> {
    let mut frames = request.into_body().into_data_stream();
    // Read until the file part's headers are complete (or the body ends).
    let mut prefix = BytesMut::new();
    let file_at = loop {
        if let Some(at) = file_part(&prefix, boundary) {
            break at;
        }
        if prefix.len() > LONGEST_FIELDS {
            return Err(Refusal::Malformed(
                "The form's fields before the file are too long".into(),
            ));
        }
        match frames.next().await {
            Some(Ok(chunk)) => prefix.extend_from_slice(&chunk),
            Some(Err(err)) => return Err(Refusal::Malformed(format!("The body broke off: {err}"))),
            None => return Err(Refusal::NoFile),
        }
    };
    let prefix = prefix.freeze();
    let mut fields = fields_before_file(prefix.clone(), boundary).await;
    let key_at = fields
        .iter()
        .position(|(n, v)| n.eq_ignore_ascii_case("key") && v.contains("${filename}"));
    if let Some(at) = key_at {
        let filename = file_name(&prefix[file_at..]).unwrap_or_default();
        if !usable_filename(&filename) {
            return Err(Refusal::UnsafeFilename);
        }
        fields[at].1 = fields[at].1.replace("${filename}", &filename);
    }
    // The file's bytes start after its part's headers; whatever came with them is the file's.
    let content_at = find(&prefix[file_at..], b"\r\n\r\n")
        .map(|end| file_at + end + 4)
        .ok_or(Refusal::NoFile)?;
    let file = FilePart::new(&prefix[content_at..], frames, boundary);
    Ok(Form { fields, file })
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
async fn fields_before_file(prefix: Bytes, boundary: &str) -> Vec<(String, String)> {
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
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

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
