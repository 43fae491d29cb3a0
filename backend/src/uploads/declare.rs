//! The browser's declaration of what it will upload, checked before anything is signed.

use domain::{ByteSize, ContentType, Sha256, Variant};

use super::DeclaredObject;
use crate::Error;

/// A declaration the server accepted.
pub(super) struct Checked {
    pub variant: Variant,
    pub content_type: ContentType,
    pub size: ByteSize,
    pub sha256: Sha256,
}

pub(super) fn check_declared(
    declared: &[DeclaredObject],
    max_bytes: u64,
) -> Result<Vec<Checked>, Error> {
    if declared.is_empty() {
        return Err(Error::Invalid(
            "An upload needs at least its display image.".into(),
        ));
    }
    let mut checked: Vec<Checked> = Vec::with_capacity(declared.len());
    for d in declared {
        let variant = d.variant;
        if checked.iter().any(|c| c.variant == variant) {
            return Err(Error::Invalid(format!(
                "The {} variant is declared twice.",
                variant.as_str()
            )));
        }
        checked.push(Checked {
            variant,
            content_type: d.content_type,
            size: ByteSize::parse(d.size, max_bytes).map_err(Error::invalid)?,
            sha256: d.sha256,
        });
    }
    if !checked.iter().any(|c| c.variant == Variant::Display) {
        return Err(Error::Invalid("An upload needs its display image.".into()));
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(variant: Variant, size: u64) -> DeclaredObject {
        DeclaredObject {
            variant,
            content_type: ContentType::Jpeg,
            size,
            sha256: Sha256::from_digest([1; 32]),
        }
    }

    /// Unknown variants and content types cannot be declared at all: the wire types refuse
    /// them (see `server/tests/api/upload_chain.rs`).
    #[test]
    fn declarations_are_checked() {
        assert!(check_declared(&[declared(Variant::Display, 10)], 100).is_ok());
        let refused = [
            vec![],
            vec![declared(Variant::Thumb, 10)],
            vec![declared(Variant::Display, 0)],
            vec![declared(Variant::Display, 101)],
            vec![
                declared(Variant::Display, 10),
                declared(Variant::Display, 10),
            ],
        ];
        for case in refused {
            assert!(
                matches!(check_declared(&case, 100), Err(Error::Invalid(_))),
                "{case:?}"
            );
        }
    }
}
