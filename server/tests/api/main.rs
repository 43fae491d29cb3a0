//! The server's tests, against the real app over HTTP, a real S3 server and real SQLite and
//! PostgreSQL. One binary with a module per area: each test binary links the whole server, and
//! on two cores one link instead of ten saves minutes.

#[macro_use]
mod support;

mod attacks;
mod doctor;
mod doors;
mod faults;
mod gallery;
mod gc;
mod import;
mod instances;
mod integrity;
mod legacy_links;
mod media;
mod probes;
mod products;
mod quotas;
mod rehearsal;
mod replays;
mod review;
mod upload_chain;
