//! A signed upload sent as a browser sends it, read back and deleted: proves signing, write
//! and read permission, and shows what CORS headers the store answers with.

use std::time::Duration;

use domain::{ByteSize, ContentType, UploadMethod, Variant};

use super::Check;
use crate::Settings;
use crate::config::MediaUrls;
use crate::storage::{KeyPrefix, ObjectKey, ObjectStore, SignedObject};

/// What a round trip learnt about CORS on the way (external stores only).
#[derive(Debug, Default)]
pub struct CorsSeen {
    pub allow_origin: Option<String>,
    pub expose_headers: Option<String>,
}

/// Uploads a small object the way the browser will (POST form or PUT), reads it back through a
/// media URL, and deletes it.
pub async fn round_trip(
    store: &ObjectStore,
    settings: &Settings,
    http: &reqwest::Client,
    origin: &str,
) -> (Check, CorsSeen) {
    let name = "upload round trip";
    let body = b"Vitrine doctor: a round-trip test object, deleted right away.".to_vec();
    let size = match ByteSize::parse(body.len() as u64, u64::MAX) {
        Ok(size) => size,
        Err(err) => {
            return (
                Check::problem(name, err.to_string(), "report this bug"),
                CorsSeen::default(),
            );
        }
    };
    let prefix = KeyPrefix::parse(&format!("{}doctor/", settings.key_prefix.as_str()))
        .unwrap_or_else(|_| settings.key_prefix.clone());
    let key = ObjectKey::for_upload(
        &prefix,
        0,
        uuid::Uuid::new_v4(),
        Variant::Thumb,
        ContentType::Jpeg,
    );
    let method = settings.upload_method;
    let mut cors = CorsSeen::default();
    let sent = match send(store, http, &key, &body, size, method, origin).await {
        Ok(answer) => answer,
        Err(message) => {
            // A timeout may come after the store kept the object, and gc never deletes a key
            // of this shape (it is not a seller's): delete it, whatever it became.
            let _ = store.delete(key.as_str()).await;
            let fix = match method {
                UploadMethod::Post => {
                    "if this provider has no POST Object (R2) or refuses POST policies, set VITRINE_UPLOAD_METHOD=put"
                }
                UploadMethod::Put => {
                    "check the credentials' write permission; run `vitrine setup-bucket`"
                }
            };
            return (
                Check::problem(
                    name,
                    format!(
                        "{} upload refused: {message}",
                        method.as_str().to_uppercase()
                    ),
                    fix,
                ),
                cors,
            );
        }
    };
    cors.allow_origin = header(&sent, "access-control-allow-origin");
    cors.expose_headers = header(&sent, "access-control-expose-headers");

    let body = &body;
    let load = |url: String| async move {
        let answer = http.get(&url).send().await.map_err(|e| e.to_string())?;
        let status = answer.status();
        let got = answer.bytes().await.map_err(|e| e.to_string())?;
        if status.is_success() && got.as_ref() == body.as_slice() {
            Ok(())
        } else {
            Err(format!("HTTP {status}"))
        }
    };
    let read = match store.url_signer(None).signed_get_url(key.as_str()).await {
        Ok(url) => load(store.absolute_url(&url)).await,
        Err(e) => Err(e.to_string()),
    };
    // In `public` mode browsers load `base/key`: the seeds' "uploaded, but the URLs are broken".
    let public = match store.media_urls() {
        MediaUrls::Public { base_url } => {
            let url = format!("{}/{}", base_url.trim_end_matches('/'), key.as_str());
            Some(load(url.clone()).await.map_err(|e| (url, e)))
        }
        _ => None,
    };
    let deleted = store.delete(key.as_str()).await;
    if let Some(Err((url, e))) = public {
        let check = Check::problem(
            name,
            format!(
                "uploads work, but public media URLs do not load ({e} for {url}): the bucket or CDN is private, so browsers would show broken images"
            ),
            "set VITRINE_MEDIA_URLS=signed (the bucket stays private), or make the bucket publicly readable at VITRINE_PUBLIC_BASE_URL (R2: enable the public bucket URL or a custom domain)",
        );
        return (check, cors);
    }
    let check = match (read, deleted) {
        (Ok(()), Ok(())) => Check::ok(
            name,
            format!(
                "{} upload, {} media URL and delete all work",
                method.as_str().to_uppercase(),
                match store.media_urls() {
                    MediaUrls::Signed => "signed",
                    MediaUrls::Public { .. } => "public",
                    MediaUrls::Proxy => "proxied",
                }
            ),
        ),
        (Err(e), _) => Check::problem(
            name,
            format!(
                "uploaded, but the signed media URL does not load ({e}): browsers would show broken images"
            ),
            "give the credentials read rights (s3:GetObject) on the bucket",
        ),
        (_, Err(e)) => Check::problem(
            name,
            format!("uploaded and read, but cannot delete: {e}"),
            "give the credentials delete rights (s3:DeleteObject): deleting images and `vitrine gc` need it",
        ),
    };
    (check, cors)
}

pub(super) fn header(answer: &reqwest::Response, name: &str) -> Option<String> {
    answer
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn send(
    store: &ObjectStore,
    http: &reqwest::Client,
    key: &ObjectKey,
    body: &[u8],
    size: ByteSize,
    method: UploadMethod,
    origin: &str,
) -> Result<reqwest::Response, String> {
    let expires = Duration::from_secs(5 * 60);
    let signed = store
        .sign_upload(
            method,
            SignedObject {
                key,
                content_type: ContentType::Jpeg,
                size,
                sha256: Some(pipeline::checksum::sha256(body)),
            },
            expires,
            None,
        )
        .await
        .map_err(|e| e.to_string())?;
    let url = store.absolute_url(&signed.url);
    // Sent as a browser sends what `begin_upload` returns (see app/src/upload/transfer.rs).
    let request = match signed.method {
        UploadMethod::Post => {
            let mut form = reqwest::multipart::Form::new();
            for (name, value) in signed.fields {
                form = form.text(name, value);
            }
            let file = reqwest::multipart::Part::bytes(body.to_vec())
                .file_name("doctor.jpg")
                .mime_str(ContentType::Jpeg.mime())
                .map_err(|e| e.to_string())?;
            http.post(url).multipart(form.part("file", file))
        }
        UploadMethod::Put => {
            let mut request = http.put(url).body(body.to_vec());
            for (name, value) in signed.headers {
                request = request.header(name, value);
            }
            request
        }
    };
    let answer = request
        .header(reqwest::header::ORIGIN, origin)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if answer.status().is_success() {
        Ok(answer)
    } else {
        let status = answer.status();
        let text = answer.text().await.unwrap_or_default();
        Err(format!(
            "HTTP {status} {}",
            domain::StoreRefusal::parse(&text).code.unwrap_or_default()
        ))
    }
}
