//! Vitrine's server side, behind the Leptos server functions and the CLI.
//!
//! `config` is read once; `db` and `storage` are the two adapters; `accounts`, `products`,
//! `uploads` and `gallery` are the use cases, each taking the caller's [`Account`] so every
//! operation checks who is asking.

pub mod accounts;
pub mod audit;
pub mod config;
pub mod db;
pub mod doctor;
pub mod entities;
mod error;
pub mod gallery;
pub mod gc;
pub mod images;
pub mod import;
pub mod media;
pub mod products;
pub mod review;
pub mod sniff;
pub mod storage;
pub mod storefront;
pub mod uploads;

pub use accounts::Account;
pub use config::Settings;
pub use error::Error;

use sea_orm::DatabaseConnection;
use storage::ObjectStore;

/// Everything a request needs, shared by all handlers (cheap to clone). No state lives only
/// in this process: sessions and intents are in the database, objects in the store.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub store: ObjectStore,
    pub settings: std::sync::Arc<Settings>,
}
