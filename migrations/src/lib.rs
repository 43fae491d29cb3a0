//! The schema, only ever changed through these migrations (`vitrine migrate`).

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_accounts;
mod m20261122_000002_catalogue;
mod m20261122_000003_gallery_version;
mod m20261123_000004_audit_events;
mod m20261126_000005_guards;
mod m20261126_000006_checksums;
mod m20261127_000007_legacy_paths;
mod m20261127_000008_seller_indexes;
mod m20261127_000009_publish_attempts;
mod m20261127_000010_stored_bytes;
mod m20261128_000011_detach_deleted_images_objects;
mod m20261128_000012_known_devices;
mod m20261128_000013_operator_made_accounts;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_accounts::Migration),
            Box::new(m20261122_000002_catalogue::Migration),
            Box::new(m20261122_000003_gallery_version::Migration),
            Box::new(m20261123_000004_audit_events::Migration),
            Box::new(m20261126_000005_guards::Migration),
            Box::new(m20261126_000006_checksums::Migration),
            Box::new(m20261127_000007_legacy_paths::Migration),
            Box::new(m20261127_000008_seller_indexes::Migration),
            Box::new(m20261127_000009_publish_attempts::Migration),
            Box::new(m20261127_000010_stored_bytes::Migration),
            Box::new(m20261128_000011_detach_deleted_images_objects::Migration),
            Box::new(m20261128_000012_known_devices::Migration),
            Box::new(m20261128_000013_operator_made_accounts::Migration),
        ]
    }
}
