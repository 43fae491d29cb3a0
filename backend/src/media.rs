//! The URLs a browser loads an image by: `src` (the display variant) and a `srcset` of every
//! stored variant, so a grid downloads thumbnails rather than 2048 px files.
//!
//! Only an approved picture gets a URL of the store (signed or public, as configured): a
//! signed URL works in anyone's hands until it expires, and its holder may ask for new ones
//! with every page. A pending or rejected picture is only ever handed out as the app's own
//! `/media/…`, which checks the viewer's cookie on every request (see [`access`]).

use domain::{ImageStatus, Variant};

use crate::Error;
use crate::entities::stored_object;
use crate::storage::UrlSigner;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    pub src: String,
    /// `url 400w, url 1024w, url 2048w`: one entry per distinct width.
    pub srcset: String,
}

/// The URLs of one image's variants; `None` when it has no display variant.
pub async fn for_objects(
    signer: &UrlSigner,
    status: ImageStatus,
    objects: &[stored_object::Model],
) -> Result<Option<Media>, Error> {
    let Some(display) = objects.iter().find(|o| o.variant == Variant::Display) else {
        return Ok(None);
    };
    let mut sized: Vec<&stored_object::Model> =
        objects.iter().filter(|o| o.width.is_some()).collect();
    sized.sort_by_key(|o| o.width);
    // A small photo's variants can share a width; the smallest file of each width is enough.
    sized.dedup_by_key(|o| o.width);
    let mut entries = Vec::with_capacity(sized.len());
    for object in sized {
        let width = object.width.unwrap_or_default();
        entries.push(format!(
            "{} {width}w",
            url(signer, status, &object.object_key).await?
        ));
    }
    Ok(Some(Media {
        src: url(signer, status, &display.object_key).await?,
        srcset: entries.join(", "),
    }))
}

/// The URL a browser loads `key`, a variant of an image with `status`, by.
pub async fn url(signer: &UrlSigner, status: ImageStatus, key: &str) -> Result<String, Error> {
    if status == ImageStatus::Approved {
        signer.get_url(key).await
    } else {
        Ok(proxy_path(key))
    }
}

/// `key` through the app's `/media/…`, on the page's own origin.
pub fn proxy_path(key: &str) -> String {
    format!("/media/{key}")
}

/// Who may load an object through the `/media/…` proxy, and how it may be cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// An approved image's variant: anyone, cached anywhere as the store's objects are.
    Public,
    /// A pending or rejected image's variant, to its seller or an admin: only their browser
    /// keeps it, and asks again before each use (it may be signed out by then).
    Private,
}

impl Access {
    /// The `Cache-Control` the proxy answers with.
    pub fn cache_control(self) -> &'static str {
        match self {
            Access::Public => crate::storage::OBJECT_CACHE,
            Access::Private => "private, no-cache",
        }
    }
}

/// Whether `viewer` may load `key`; anything else (unknown key, someone else's unapproved
/// image, an object of no image) is `NotFound`, so keys reveal nothing.
pub async fn access(
    db: &sea_orm::DatabaseConnection,
    viewer: Option<&crate::Account>,
    key: &str,
) -> Result<Access, Error> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    use crate::entities::image;
    let not_found = Error::NotFound("That image");
    // No key holds a control character; PostgreSQL would refuse a NUL in the query.
    if key.chars().any(char::is_control) {
        return Err(not_found);
    }
    let object = stored_object::Entity::find()
        .filter(stored_object::Column::ObjectKey.eq(key))
        .one(db)
        .await?
        .ok_or(Error::NotFound("That image"))?;
    let image = image::Entity::find_by_id(object.image_id.ok_or(Error::NotFound("That image"))?)
        .one(db)
        .await?
        .ok_or(Error::NotFound("That image"))?;
    if image.status == ImageStatus::Approved {
        return Ok(Access::Public);
    }
    match viewer {
        Some(v) if v.is_admin() || v.id == image.account_id => Ok(Access::Private),
        _ => Err(not_found),
    }
}
