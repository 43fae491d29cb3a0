//! What the page and the server exchange: the upload protocol's messages and the views pages
//! show. The backend builds these, the server functions pass them on and the pages render
//! them: one struct per view, not a copy per layer. Words of the domain travel as the
//! vocabulary's types, so a value they cannot hold is refused as the request is read; what
//! only the server can judge (ownership, sizes, limits) is checked there.

use serde::{Deserialize, Serialize};

use crate::{AuditAction, ContentType, Damage, ImageStatus, Sha256, UploadMethod, Variant};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub email: String,
    pub is_admin: bool,
}

/// The account page: who is signed in, and on how many devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInfo {
    pub email: String,
    pub is_admin: bool,
    /// Live sessions of this account, this one included.
    pub sessions: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSummary {
    pub id: i64,
    pub name: String,
    /// How many images it has, whatever their review status.
    pub images: u64,
}

/// Everything the product page shows when it loads, in one answer: the page has one resource,
/// awaited once (see "Resources" in `app/src/lib.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductPageData {
    pub product: ProductSummary,
    pub gallery: GalleryPage,
    /// Whether the storefront shows it (it has an approved image), so the page can say why
    /// "View in store" would find nothing yet.
    pub published: bool,
}

/// The start of a product's gallery: the first images, and the order of all of them. A seller
/// with hundreds of photos gets a page that renders at once; the rest come on demand, and moves
/// still send the whole order the page has seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GalleryPage {
    /// The first images in gallery order (at most the number asked for).
    pub images: Vec<GalleryItem>,
    /// Every image's id, in gallery order.
    pub order: Vec<i64>,
}

impl GalleryPage {
    /// Images in the gallery, shown or not.
    pub fn total(&self) -> usize {
        self.order.len()
    }
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
    /// Of exactly these bytes: pinned in the signed upload and checked at `complete_upload`.
    pub sha256: Sha256,
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
    /// How long the signed uploads stay valid, counted from this answer. The browser counts on
    /// its own clock from when it received the ticket, so a skewed clock does not matter: a
    /// batch resumed after a reload knows whether it may still send.
    pub send_within_secs: u32,
    /// How long `complete_upload` accepts the intent, counted the same way.
    pub complete_within_secs: u32,
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

/// One variant of an image that is not in the store as it was registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DamagedVariant {
    pub variant: Variant,
    pub damage: Damage,
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
    /// The first approved images, as many as were asked for.
    pub images: Vec<StoreImage>,
    /// How many approved images the product has.
    pub total: u64,
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

/// The audit trail of a product or one of its images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// `None` once the product is deleted.
    pub product_name: Option<String>,
    /// True for the product's seller (who can open the product page), false for admins.
    pub viewer_owns: bool,
    pub entries: Vec<HistoryEntry>,
}

/// An admin's decision on images in the review queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "lowercase")]
pub enum ReviewDecision {
    Approve,
    /// The reason is shown to the seller; the server requires one.
    Reject {
        reason: String,
    },
}
