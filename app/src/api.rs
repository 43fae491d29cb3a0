//! What server functions exchange with the browser. The words of the domain travel as the
//! vocabulary's types (`domain`), so a value the types cannot hold is refused when the request
//! is read; what only the server can judge (ownership, sizes, limits) is checked there.

use domain::{AuditAction, ContentType, ImageStatus, UploadMethod, Variant};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub email: String,
    pub is_admin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSummary {
    pub id: i64,
    pub name: String,
    /// How many images it has, whatever their review status.
    pub images: u64,
}

/// Everything the product page shows when it loads, in one answer: the page has one resource,
/// awaited once (see "Resources" in lib.rs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductPageData {
    pub product: ProductSummary,
    pub images: Vec<GalleryItem>,
}

/// One line of an audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// RFC 3339.
    pub at: String,
    pub actor: String,
    pub action: AuditAction,
    pub image_id: Option<i64>,
    pub detail: String,
}

/// One object the browser is about to upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredObject {
    pub variant: Variant,
    pub content_type: ContentType,
    /// Bytes; the server checks it against `VITRINE_MAX_UPLOAD_BYTES`.
    pub size: u64,
}

/// Where and how to send one object: `POST` a form (`fields` first, then `file`), or `PUT`
/// the bytes with exactly these `headers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedUpload {
    pub variant: Variant,
    pub method: UploadMethod,
    pub url: String,
    pub fields: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadTicket {
    pub intent_id: String,
    pub uploads: Vec<SignedUpload>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredImage {
    pub image_id: i64,
    pub width: u32,
    pub height: u32,
}

/// Hashable: the gallery keys its cards by the whole item, so a card is drawn anew only when
/// something it shows changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GalleryItem {
    pub id: i64,
    pub status: ImageStatus,
    pub review_reason: Option<String>,
    pub alt_text: String,
    pub width: i32,
    pub height: i32,
    /// The display variant.
    pub url: String,
    /// Every variant by width, for `srcset`.
    pub srcset: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreImage {
    pub url: String,
    pub srcset: String,
    pub alt_text: String,
    pub width: i32,
    pub height: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreProduct {
    pub name: String,
    pub images: Vec<StoreImage>,
}

/// Where a page of the review queue starts: after this upload (keyset pagination).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCursor {
    /// RFC 3339.
    pub uploaded_at: String,
    pub image_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub items: Vec<ReviewItem>,
    /// The next page's cursor; `None` on the last page.
    pub next: Option<QueueCursor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub image_id: i64,
    pub product_id: i64,
    pub product_name: String,
    pub seller_email: String,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    /// RFC 3339.
    pub uploaded_at: String,
    pub url: String,
}
