//! The checksum of a variant's bytes: made by the worker with the variant, recomputed by the
//! server from what the store holds (one function, so both sides agree by construction).

use domain::Sha256;
use sha2::Digest as _;

pub fn sha256(bytes: &[u8]) -> Sha256 {
    Sha256::from_digest(sha2::Sha256::digest(bytes).into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_the_known_digest() {
        assert_eq!(
            super::sha256(b"abc").to_base64(),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
    }
}
