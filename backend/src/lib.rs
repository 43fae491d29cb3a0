//! Vitrine's server side, behind the Leptos server functions and the CLI.
//!
//! Adapters: `config` (read once), `db` (connection and migrations), `storage` (the S3 store:
//! keys, signing, object I/O) and `entities` (the tables).
//!
//! Use cases, each taking the caller's [`Account`] so every operation checks who is asking:
//! `accounts` (sign-up, sign-in, sessions), `attempts` (limits on guessing), `quotas` (how
//! much one seller may hold), `products` (create, rename, delete), `uploads` (begin → complete, cancel), `images` (alt text, order,
//! deletion), `gallery` (a seller's view), `review` (the admin queue and decisions),
//! `storefront` (what shoppers see), `media` (the URLs browsers load), `audit` (the trail every
//! change writes), `import` (an old shop's photos), `legacy_links` (its old media URLs lead
//! to the imported pictures), `gc` (what failed uploads and
//! deletions left), `integrity` (registered images whose objects are gone or changed),
//! `doctor` (is the deployment right?).
//!
//! Rules shared by several use cases live once, crate-private: `gallery_lock` (one writer per
//! gallery), `intents` (recording and finding upload intents), `cleanup` (deleting objects, or
//! leaving them for gc), `sniff` (what a stored object really is).

pub mod accounts;
pub mod attempts;
pub mod audit;
mod cleanup;
pub mod config;
pub mod db;
pub mod doctor;
pub mod entities;
mod error;
pub mod gallery;
mod gallery_lock;
pub mod gc;
pub mod images;
pub mod import;
pub mod integrity;
mod intents;
pub mod known_devices;
pub mod legacy_links;
pub mod media;
pub mod products;
pub mod quotas;
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
    /// Taken around the busiest write transactions (see [`db::WriteTurns`]).
    pub writes: db::WriteTurns,
    pub store: ObjectStore,
    pub settings: std::sync::Arc<Settings>,
}
