//! A product's images with URLs a browser can load.

use domain::wire::{GalleryItem, ProductPageData};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entities::{image, stored_object};
use crate::media;
use crate::{Account, AppState, Error, products};

/// The images of `product_id` for its seller, in gallery order. `host` is the Host header the
/// browser used (same-origin media URLs are signed for it).
pub async fn for_seller(
    state: &AppState,
    seller: &Account,
    product_id: i64,
    host: Option<&str>,
) -> Result<Vec<GalleryItem>, Error> {
    let product = products::find_owned(&state.db, seller, product_id).await?;
    images_of(state, product.id, host).await
}

/// The product page's first answer: the product and its gallery, checking ownership once.
pub async fn product_page(
    state: &AppState,
    seller: &Account,
    product_id: i64,
    host: Option<&str>,
) -> Result<ProductPageData, Error> {
    let product = products::summary(&state.db, seller, product_id).await?;
    let images = images_of(state, product.id, host).await?;
    Ok(ProductPageData { product, images })
}

async fn images_of(
    state: &AppState,
    product_id: i64,
    host: Option<&str>,
) -> Result<Vec<GalleryItem>, Error> {
    let rows = image::Entity::find()
        .filter(image::Column::ProductId.eq(product_id))
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
        out.push(GalleryItem {
            id: img.id,
            status: img.status,
            review_reason: img.review_reason,
            alt_text: img.alt_text,
            width: img.width,
            height: img.height,
            url: media.src,
            srcset: media.srcset,
        });
    }
    Ok(out)
}
