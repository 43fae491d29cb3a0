//! The `vitrine` binary's parts: the command line (`cli`), the HTTP application (`startup`),
//! the embedded S3 store (`embedded_store`), the probes (`health`), the `/media/…` proxy (`media_proxy`),
//! the old shop's media links (`legacy_media`) and the redirect of
//! signed-out visitors (`sign_in_guard`).

mod answers;
pub mod cli;
mod client_address;
pub mod embedded_store;
mod health;
mod legacy_media;
mod media_proxy;
mod safety_headers;
mod same_origin;
mod sign_in_guard;
mod site_files;
pub mod startup;
