//! What can be wrong with a registered object in the store: the words `vitrine check` prints
//! and the seller's gallery shows.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ContentType;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Damage {
    /// The store has no object under the registered key (deleted by hand, a lost bucket).
    Missing,
    /// Replaced or truncated since it was verified.
    SizeDiffers { registered: u64, stored: u64 },
    TypeDiffers {
        registered: ContentType,
        stored: String,
    },
    /// Same size and type, other bytes: found only by reading it (`vitrine check --checksums`).
    ContentDiffers,
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Damage::Missing => f.write_str("missing from the store"),
            Damage::SizeDiffers { registered, stored } => write!(
                f,
                "{stored} bytes in the store, {registered} registered (replaced or truncated)"
            ),
            Damage::TypeDiffers { registered, stored } => {
                write!(f, "stored as {stored}, registered as {}", registered.mime())
            }
            Damage::ContentDiffers => {
                f.write_str("other bytes in the store than were registered (its SHA-256 differs)")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damage_travels_tagged_and_reads_as_a_sentence() {
        let d = Damage::SizeDiffers {
            registered: 120,
            stored: 90,
        };
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"size_differs","registered":120,"stored":90}"#
        );
        assert_eq!(serde_json::from_str::<Damage>(&json).unwrap(), d);
        assert_eq!(Damage::Missing.to_string(), "missing from the store");
    }
}
