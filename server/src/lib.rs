//! The `vitrine` binary's parts: the command line (`cli`), the HTTP application (`startup`),
//! the embedded S3 store (`embedded_store`) and the probes (`health`).

pub mod cli;
pub mod embedded_store;
mod health;
pub mod startup;
