//! Links to the old shop's media keep working: a request for `MEDIA_URL` + an imported file's
//! path (what Django kept in the `ImageField` column) is sent on to that picture's display
//! variant, once an admin approved it. Why 301 and where to: the target must never expire, or
//! every browser and search engine that remembered the redirect would keep a dead link, so it
//! is the public URL where there is one and the app's own `/media/…` otherwise, never a
//! signed URL.

use domain::{ImageStatus, Variant};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entities::{image, stored_object};
use crate::storage::settings::MediaUrls;
use crate::{AppState, Error};

/// `VITRINE_LEGACY_MEDIA_URL`: the path the old shop served media under (`/media/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyMedia {
    prefix: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "VITRINE_LEGACY_MEDIA_URL \"{0}\" is not a media URL: give the old MEDIA_URL, a path such as /media/ or a full URL such as https://old.shop.example/media/ (not the site's root)"
)]
pub struct InvalidLegacyMediaUrl(pub String);

impl LegacyMedia {
    /// Takes Django's `MEDIA_URL` as set: a path, or a full URL whose host now points here
    /// (only its path is used).
    pub fn parse(raw: &str) -> Result<Self, InvalidLegacyMediaUrl> {
        let invalid = || InvalidLegacyMediaUrl(raw.to_owned());
        let path = match raw.split_once("://") {
            Some((scheme, rest)) if scheme == "http" || scheme == "https" => {
                rest.find('/').map(|at| &rest[at..]).ok_or_else(invalid)?
            }
            Some(_) => return Err(invalid()),
            None => raw,
        };
        let path = path.trim_end_matches('/');
        let sound = path.starts_with('/')
            && path.len() > 1
            && !path.contains("//")
            && !path.contains(['?', '#', ' '])
            && !path.split('/').any(|s| s == "." || s == "..");
        if !sound {
            return Err(invalid());
        }
        Ok(Self {
            prefix: format!("{path}/"),
        })
    }

    /// The path prefix, with its slashes: `/media/`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }
}

/// Where an old link to `source_path` goes now; `None` when no approved image came from it
/// (unknown, pending, rejected or deleted: the old link then answers 404).
pub async fn target(state: &AppState, source_path: &str) -> Result<Option<String>, Error> {
    // No stored path holds a control character; PostgreSQL would refuse a NUL in the query.
    if source_path.chars().any(char::is_control) {
        return Ok(None);
    }
    let approved = image::Entity::find()
        .filter(image::Column::SourcePath.eq(source_path))
        .filter(image::Column::Status.eq(ImageStatus::Approved))
        .order_by_asc(image::Column::Id)
        .one(&state.db)
        .await?;
    match approved {
        Some(approved) => display_url(state, approved.id).await,
        None => Ok(None),
    }
}

/// The URL image `image_id`'s display variant keeps for good (see [`permanent_url`]); `None`
/// when it has none.
pub async fn display_url(state: &AppState, image_id: i64) -> Result<Option<String>, Error> {
    let display = stored_object::Entity::find()
        .filter(stored_object::Column::ImageId.eq(image_id))
        .filter(stored_object::Column::Variant.eq(Variant::Display))
        .one(&state.db)
        .await?;
    Ok(display.map(|d| permanent_url(state.store.media_urls(), &d.object_key)))
}

/// A URL of `key` that never expires.
pub fn permanent_url(media: &MediaUrls, key: &str) -> String {
    match media {
        MediaUrls::Public { base_url } => format!("{}/{key}", base_url.trim_end_matches('/')),
        MediaUrls::Signed | MediaUrls::Proxy => crate::media::proxy_path(key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_old_media_url_is_taken_as_a_path_or_a_full_url() {
        for raw in [
            "/media/",
            "/media",
            "https://old.shop.example/media/",
            "http://cdn.example/media",
        ] {
            assert_eq!(
                LegacyMedia::parse(raw).unwrap().prefix(),
                "/media/",
                "{raw}"
            );
        }
        assert_eq!(
            LegacyMedia::parse("/static/uploads/").unwrap().prefix(),
            "/static/uploads/"
        );
        for bad in [
            "",
            "/",
            "media/",
            "https://old.shop.example",
            "https://old.shop.example/",
            "ftp://x/media/",
            "/a/../b/",
            "/media/?x",
        ] {
            assert!(LegacyMedia::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn redirects_never_point_at_a_url_that_expires() {
        let key = "media/sellers/1/0b6c6e8a1f5e4a7e9c1d2f3e4d5c6b7a/display.jpg";
        assert_eq!(
            permanent_url(&MediaUrls::Signed, key),
            format!("/media/{key}")
        );
        assert_eq!(
            permanent_url(&MediaUrls::Proxy, key),
            format!("/media/{key}")
        );
        assert_eq!(
            permanent_url(
                &MediaUrls::Public {
                    base_url: "https://cdn.example/".into()
                },
                key
            ),
            format!("https://cdn.example/{key}")
        );
    }
}
