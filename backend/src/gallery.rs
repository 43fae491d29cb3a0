//! A product's images with URLs a browser can load.

use domain::ImageStatus;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entities::{image, stored_object};
use crate::media::{self, Media};
use crate::{Account, AppState, Error, products};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GalleryImage {
    pub id: i64,
    pub status: ImageStatus,
    pub review_reason: Option<String>,
    pub alt_text: String,
    pub width: i32,
    pub height: i32,
    pub media: Media,
}

/// The images of `product_id` for its seller, in gallery order. `host` is the Host header the
/// browser used (same-origin media URLs are signed for it).
pub async fn for_seller(
    state: &AppState,
    seller: &Account,
    product_id: i64,
    host: Option<&str>,
) -> Result<Vec<GalleryImage>, Error> {
    let product = products::find_owned(&state.db, seller, product_id).await?;
    let rows = image::Entity::find()
        .filter(image::Column::ProductId.eq(product.id))
        .order_by_asc(image::Column::Position)
        .order_by_asc(image::Column::Id)
        .find_with_related(stored_object::Entity)
        .all(&state.db)
        .await?;
    let signer = state.store.url_signer(host);
    let mut out = Vec::with_capacity(rows.len());
    for (img, objects) in rows {
        let Some(media) = media::for_objects(&signer, &objects).await? else {
            tracing::warn!(image = img.id, "image without a display object");
            continue;
        };
        out.push(GalleryImage {
            id: img.id,
            status: img.status,
            review_reason: img.review_reason,
            alt_text: img.alt_text,
            width: img.width,
            height: img.height,
            media,
        });
    }
    Ok(out)
}
