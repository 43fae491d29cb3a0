//! The SHA-256 of an object's bytes, spelt as S3 spells it in `x-amz-checksum-sha256` (base64
//! of the 32-byte digest). The photo worker computes it for each variant it makes, the store
//! refuses other bytes under it, and `complete_upload` recomputes it from what was stored: the
//! bytes served are the bytes the worker made. (Hashing itself is in `pipeline::checksum`:
//! this crate has no crypto.)

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sha256([u8; 32]);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("\"{0}\" is not a SHA-256 checksum (the base64 of 32 bytes).")]
pub struct InvalidSha256(pub String);

impl Sha256 {
    pub const fn from_digest(digest: [u8; 32]) -> Self {
        Self(digest)
    }

    /// Parses the base64 form S3 uses.
    pub fn parse(base64: &str) -> Result<Self, InvalidSha256> {
        let bytes = STANDARD
            .decode(base64)
            .map_err(|_| InvalidSha256(base64.to_owned()))?;
        let digest = <[u8; 32]>::try_from(bytes).map_err(|_| InvalidSha256(base64.to_owned()))?;
        Ok(Self(digest))
    }

    pub fn to_base64(self) -> String {
        STANDARD.encode(self.0)
    }
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64())
    }
}

impl fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256({self})")
    }
}

impl Serialize for Sha256 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_base64())
    }
}

impl<'de> Deserialize<'de> for Sha256 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_base64_and_json() {
        // SHA-256 of the empty string.
        let empty = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        let parsed = Sha256::parse(empty).unwrap();
        assert_eq!(parsed.to_base64(), empty);
        let json = serde_json::to_string(&parsed).unwrap();
        assert_eq!(json, format!("\"{empty}\""));
        assert_eq!(serde_json::from_str::<Sha256>(&json).unwrap(), parsed);
    }

    #[test]
    fn refuses_what_is_not_32_bytes_of_base64() {
        for bad in [
            "",
            "not base64!",
            "AAAA",
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
        ] {
            assert!(Sha256::parse(bad).is_err(), "{bad}");
        }
    }
}
