//! Vitrine's vocabulary: every word of the domain that travels from the browser to the
//! database, as a type. The pipeline names its variants with it, the page and the server
//! functions exchange it, and the entities store it (feature `sea-orm`: active enums on the
//! existing string columns).
//!
//! Values here can only hold valid data (`Email`, `ContentType`, `ByteSize`): they are parsed
//! once at the edge and trusted afterwards. Nothing here does I/O or needs a codec, so the
//! browser build uses the same types as the server.

pub mod account;
pub mod audit_action;
pub mod byte_size;
pub mod checksum;
pub mod content_type;
pub mod damage;
pub mod image_status;
pub mod limits;
pub mod store_refusal;
pub mod typed_text;
pub mod upload_method;
pub mod variant;
pub mod wire;

pub use account::{Email, Password, Role};
pub use audit_action::AuditAction;
pub use byte_size::ByteSize;
pub use checksum::Sha256;
pub use content_type::ContentType;
pub use damage::Damage;
pub use image_status::ImageStatus;
pub use store_refusal::StoreRefusal;
pub use upload_method::UploadMethod;
pub use variant::Variant;
