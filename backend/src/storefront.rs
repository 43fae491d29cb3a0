//! The public product page: approved images only, in the seller's order. Nothing about pending
//! or rejected images (no URL, no key, no count) leaves this module, and a product with no
//! approved image is not published: it answers exactly as one that does not exist, so its name
//! does not leak either.

use domain::ImageStatus;
use domain::wire::{StoreImage, StoreProduct};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::entities::{image, product};
use crate::{AppState, Error, gallery, media};

/// The product's name and its first `shown` approved images (and how many there are).
pub async fn product(
    state: &AppState,
    product_id: i64,
    shown: usize,
    host: Option<&str>,
) -> Result<StoreProduct, Error> {
    let product = product::Entity::find_by_id(product_id)
        .one(&state.db)
        .await?
        .ok_or(Error::NotFound("That product"))?;
    let (order, rows) = gallery::first_in_order(
        &state.db,
        product.id,
        Some(ImageStatus::Approved),
        shown.max(1),
    )
    .await?;
    let signer = state.store.url_signer(host);
    let mut images = Vec::with_capacity(rows.len());
    for (img, objects) in rows {
        let Some(media) = media::for_objects(&signer, img.status, &objects).await? else {
            continue;
        };
        images.push(StoreImage {
            url: media.src,
            srcset: media.srcset,
            alt_text: img.alt_text,
            width: img.width,
            height: img.height,
        });
    }
    if images.is_empty() {
        return Err(Error::NotFound("That product"));
    }
    Ok(StoreProduct {
        name: product.name,
        images,
        total: order.len() as u64,
    })
}

/// Whether the storefront shows `product_id`: it has at least one approved image.
pub async fn is_published(
    db: &sea_orm::DatabaseConnection,
    product_id: i64,
) -> Result<bool, Error> {
    let approved = image::Entity::find()
        .filter(image::Column::ProductId.eq(product_id))
        .filter(image::Column::Status.eq(ImageStatus::Approved))
        .count(db)
        .await?;
    Ok(approved > 0)
}
