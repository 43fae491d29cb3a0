//! SeaORM entities, one per table (the schema itself is in the `migrations` crate).

pub mod account;
pub mod audit_event;
pub mod image;
pub mod known_device;
pub mod product;
pub mod session;
pub mod stored_object;
pub mod upload_intent;
