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
/// Largest photo file the browser reads: a 100 MP picture is well under it in any format a
/// camera or an editor writes, and reading a bigger file whole would exhaust a phone first.
pub const MAX_PHOTO_FILE_BYTES: u64 = 200 * 1024 * 1024;

/// A chosen file over [`MAX_PHOTO_FILE_BYTES`], refused before it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "This file is {} MB; photos up to {} MB are accepted. Export a smaller copy (JPEG or HEIC) and choose that.",
    .bytes.div_ceil(1024 * 1024),
    MAX_PHOTO_FILE_BYTES / (1024 * 1024)
)]
pub struct FileTooLarge {
    pub bytes: u64,
}

/// Whether a chosen file of `bytes` may be read as a photo.
pub fn check_photo_file(bytes: u64) -> Result<(), FileTooLarge> {
    if bytes > MAX_PHOTO_FILE_BYTES {
        return Err(FileTooLarge { bytes });
    }
    Ok(())
}

/// Largest side of a registered picture (the browser never produces more than 2048 px).
pub const MAX_SIDE: u32 = 16_384;

/// Gallery cards a product page renders before the seller asks for more: a few screenfuls,
/// so a product with hundreds of photos still answers at once.
pub const GALLERY_PAGE: usize = 40;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photo_files_are_read_up_to_the_limit_and_refused_past_it() {
        assert_eq!(check_photo_file(MAX_PHOTO_FILE_BYTES), Ok(()));
        let refused = check_photo_file(MAX_PHOTO_FILE_BYTES + 1).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "This file is 201 MB; photos up to 200 MB are accepted. Export a smaller copy (JPEG or HEIC) and choose that."
        );
    }
}
