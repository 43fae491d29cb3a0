//! Field and picture limits, one place for the server's checks and the pages' `maxlength`s.
//! Lengths count characters (Unicode scalar values), as `maxlength` does for these texts.

/// A product's name.
pub const PRODUCT_NAME_CHARS: usize = 200;
/// An image's alt text.
pub const ALT_TEXT_CHARS: usize = 500;
/// The reason an admin gives for rejecting an image (shown to the seller).
pub const REVIEW_REASON_CHARS: usize = 500;
/// Images one review decision may name: far more than the queue's pages show, few enough that
/// one transaction (and SQLite's limit on a statement's values) always holds them.
pub const REVIEW_BATCH: usize = 1000;
/// An e-mail address (RFC 5321's path limit).
pub const EMAIL_CHARS: usize = 254;
/// Password length bounds.
pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 256;

/// Largest picture anyone decodes or registers, in pixels: beyond this a phone runs out of
/// memory, and no product photo needs more.
pub const MAX_PIXELS: u64 = 100_000_000;
/// Largest side of a registered picture (the browser never produces more than 2048 px).
pub const MAX_SIDE: u32 = 16_384;

/// Gallery cards a product page renders before the seller asks for more: a few screenfuls,
/// so a product with hundreds of photos still answers at once.
pub const GALLERY_PAGE: usize = 40;
