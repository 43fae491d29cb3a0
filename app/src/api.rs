//! What server functions exchange with the browser: the shared `domain::wire` types, under
//! the name the pages use.

pub use domain::wire::*;
