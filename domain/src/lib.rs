//! Vitrine's domain rules, free of I/O so they are tested natively and reused everywhere.
//!
//! Values here can only hold valid data (`Email`, `ContentType`, `ByteSize`, `ObjectKey`):
//! they are parsed once at the edge and trusted afterwards.

pub mod account;
pub mod content_type;
pub mod object_key;
pub mod post_policy;
pub mod provider;
pub mod sniff;
pub mod upload;

pub use account::{Email, Password, Role};
pub use content_type::ContentType;
pub use object_key::{KeyPrefix, ObjectKey, Variant};
pub use provider::{Provider, UploadMethod};
pub use upload::ByteSize;
