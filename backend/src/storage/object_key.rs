//! Object key naming (the key grammar Vitrine owns inside the bucket). Every key is fresh (a new upload id), lives under the configured prefix
//! and the seller's own prefix, and says which variant it holds:
//! `media/sellers/42/0b6c…e1/display.jpg`.

use std::fmt;

use uuid::Uuid;

use domain::{ContentType, Variant};

/// The prefix of every object key, e.g. `media/`. Always empty or ending in `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPrefix(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "key prefix \"{0}\" is not usable: use letters, digits, '-', '_', '.' and '/' only, without '..' or a leading '/' (for example media/)"
)]
pub struct InvalidKeyPrefix(pub String);

impl KeyPrefix {
    pub fn parse(raw: &str) -> Result<Self, InvalidKeyPrefix> {
        let ok_chars = raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
        if !ok_chars || raw.starts_with('/') || raw.split('/').any(|seg| seg == "..") {
            return Err(InvalidKeyPrefix(raw.to_owned()));
        }
        let mut prefix = raw.to_owned();
        if !prefix.is_empty() && !prefix.ends_with('/') {
            prefix.push('/');
        }
        Ok(Self(prefix))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The prefix under which one seller's objects live.
    pub fn for_seller(&self, seller_id: i64) -> String {
        format!("{}sellers/{seller_id}/", self.0)
    }
}

impl Default for KeyPrefix {
    fn default() -> Self {
        Self("media/".to_owned())
    }
}

/// A key Vitrine chose for a new object.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectKey(String);

impl ObjectKey {
    /// The key for one variant of the upload `upload_id` by `seller_id`. The upload id is
    /// freshly random per intent, so two uploads never share (or overwrite) a key.
    pub fn for_upload(
        prefix: &KeyPrefix,
        seller_id: i64,
        upload_id: Uuid,
        variant: Variant,
        content_type: ContentType,
    ) -> Self {
        Self(format!(
            "{}{}/{}.{}",
            prefix.for_seller(seller_id),
            upload_id.simple(),
            variant.as_str(),
            content_type.extension()
        ))
    }

    /// Whether `key` has the shape of a key Vitrine makes under `prefix`:
    /// `{prefix}sellers/{seller id}/{upload id: 32 hex}/{variant}.{jpg|png|webp}`. A bucket
    /// shared with an old shop holds other files under the same prefix (a Django
    /// `media/product_images/…`); only keys of this shape are ever Vitrine's to delete.
    pub fn is_vitrines(prefix: &KeyPrefix, key: &str) -> bool {
        let Some(rest) = key
            .strip_prefix(prefix.as_str())
            .and_then(|k| k.strip_prefix("sellers/"))
        else {
            return false;
        };
        let parts: Vec<&str> = rest.split('/').collect();
        let [seller, upload, file] = parts.as_slice() else {
            return false;
        };
        let Some((variant, extension)) = file.split_once('.') else {
            return false;
        };
        let seller_ok = !seller.is_empty()
            && seller.bytes().all(|b| b.is_ascii_digit())
            && !seller.starts_with('0');
        let upload_ok = upload.len() == 32
            && upload
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        seller_ok
            && upload_ok
            && Variant::parse(variant).is_some()
            && ContentType::ALL.iter().any(|c| c.extension() == extension)
    }

    /// Wraps a key read back from the database.
    pub fn from_stored(key: String) -> Self {
        Self(key)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_live_under_the_seller_prefix() {
        let id = Uuid::parse_str("0b6c6e8a-1f5e-4a7e-9c1d-2f3e4d5c6b7a").unwrap();
        let key = ObjectKey::for_upload(
            &KeyPrefix::default(),
            42,
            id,
            Variant::Display,
            ContentType::Jpeg,
        );
        assert_eq!(
            key.as_str(),
            "media/sellers/42/0b6c6e8a1f5e4a7e9c1d2f3e4d5c6b7a/display.jpg"
        );
        assert!(
            key.as_str()
                .starts_with(&KeyPrefix::default().for_seller(42))
        );
    }

    #[test]
    fn fresh_upload_ids_give_distinct_keys() {
        let prefix = KeyPrefix::default();
        let a = ObjectKey::for_upload(
            &prefix,
            1,
            Uuid::new_v4(),
            Variant::Display,
            ContentType::Jpeg,
        );
        let b = ObjectKey::for_upload(
            &prefix,
            1,
            Uuid::new_v4(),
            Variant::Display,
            ContentType::Jpeg,
        );
        assert_ne!(a, b);
    }

    #[test]
    fn only_keys_of_vitrines_own_shape_are_vitrines() {
        let prefix = KeyPrefix::default();
        let made = ObjectKey::for_upload(
            &prefix,
            42,
            Uuid::new_v4(),
            Variant::Thumb,
            ContentType::Jpeg,
        );
        assert!(ObjectKey::is_vitrines(&prefix, made.as_str()));
        for foreign in [
            "media/product_images/chair.jpg",
            "media/sellers/42/chair.jpg",
            "media/sellers/42/0b6c6e8a1f5e4a7e9c1d2f3e4d5c6b7a/original.jpg",
            "media/sellers/42/0b6c6e8a1f5e4a7e9c1d2f3e4d5c6b7a/display.gif",
            "media/sellers/42/0b6c6e8a-1f5e-4a7e-9c1d-2f3e4d5c6b7a/display.jpg",
            "media/sellers/42/0B6C6E8A1F5E4A7E9C1D2F3E4D5C6B7A/display.jpg",
            "media/sellers/abc/0b6c6e8a1f5e4a7e9c1d2f3e4d5c6b7a/display.jpg",
            "media/sellers/042/0b6c6e8a1f5e4a7e9c1d2f3e4d5c6b7a/display.jpg",
            "media/sellers/42/0b6c6e8a1f5e4a7e9c1d2f3e4d5c6b7a/display.jpg.bak",
            "media/sellers/42/0b6c6e8a1f5e4a7e9c1d2f3e4d5c6b7a/sub/display.jpg",
            "static/sellers/42/0b6c6e8a1f5e4a7e9c1d2f3e4d5c6b7a/display.jpg",
        ] {
            assert!(!ObjectKey::is_vitrines(&prefix, foreign), "{foreign}");
        }
    }

    #[test]
    fn seller_prefixes_do_not_nest() {
        // "sellers/1/" must not be a prefix of "sellers/12/".
        let prefix = KeyPrefix::default();
        assert!(!prefix.for_seller(12).starts_with(&prefix.for_seller(1)));
    }

    #[test]
    fn prefixes_are_validated_and_normalised() {
        assert_eq!(
            KeyPrefix::parse("shop/media").unwrap().as_str(),
            "shop/media/"
        );
        assert_eq!(KeyPrefix::parse("").unwrap().as_str(), "");
        for bad in ["/media/", "media/../x/", "media /", "mé/"] {
            assert!(KeyPrefix::parse(bad).is_err(), "{bad}");
        }
    }
}
