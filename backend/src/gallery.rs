//! A product's images with URLs a browser can load, for its seller: the first `shown` in
//! gallery order, and the order of all of them.

use domain::ImageStatus;
use domain::limits::GALLERY_PAGE;
use domain::wire::{GalleryItem, GalleryPage, ProductPageData, ProductSummary};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entities::{image, stored_object};
use crate::media;
use crate::{Account, AppState, Error, products, storefront};

/// The first `shown` images of `product_id` for its seller. `host` is the Host header the
/// browser used (same-origin media URLs are signed for it).
pub async fn for_seller(
    state: &AppState,
    seller: &Account,
    product_id: i64,
    shown: usize,
    host: Option<&str>,
) -> Result<GalleryPage, Error> {
    let product = products::find_owned(&state.db, seller, product_id).await?;
    first_images(state, product.id, shown, host).await
}

/// The product page's first answer: the product and the start of its gallery, checking
/// ownership once.
pub async fn product_page(
    state: &AppState,
    seller: &Account,
    product_id: i64,
    host: Option<&str>,
) -> Result<ProductPageData, Error> {
    let product = products::find_owned(&state.db, seller, product_id).await?;
    let gallery = first_images(state, product.id, GALLERY_PAGE, host).await?;
    let published = storefront::is_published(&state.db, product.id).await?;
    Ok(ProductPageData {
        product: ProductSummary {
            id: product.id,
            name: product.name,
            images: gallery.total() as u64,
        },
        gallery,
        published,
    })
}

async fn first_images(
    state: &AppState,
    product_id: i64,
    shown: usize,
    host: Option<&str>,
) -> Result<GalleryPage, Error> {
    let (order, rows) = first_in_order(&state.db, product_id, None, shown).await?;
    let signer = state.store.url_signer(host);
    let mut images = Vec::with_capacity(rows.len());
    for (img, objects) in rows {
        let Some(media) = media::for_objects(&signer, img.status, &objects).await? else {
            tracing::warn!(image = img.id, "image without a display object");
            continue;
        };
        images.push(GalleryItem {
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
    Ok(GalleryPage { images, order })
}

/// The ids of `product_id`'s images (only those with status `only`, if given) in gallery
/// order, and the first `shown` of them with their stored objects: two queries, whatever the
/// size of the gallery.
pub(crate) async fn first_in_order(
    db: &sea_orm::DatabaseConnection,
    product_id: i64,
    only: Option<ImageStatus>,
    shown: usize,
) -> Result<(Vec<i64>, Vec<(image::Model, Vec<stored_object::Model>)>), Error> {
    let in_order = |mut query: sea_orm::Select<image::Entity>| {
        if let Some(status) = only {
            query = query.filter(image::Column::Status.eq(status));
        }
        query
            .filter(image::Column::ProductId.eq(product_id))
            .order_by_asc(image::Column::Position)
            .order_by_asc(image::Column::Id)
    };
    let order: Vec<i64> = in_order(image::Entity::find())
        .select_only()
        .column(image::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut wanted = in_order(image::Entity::find());
    if shown < order.len() {
        wanted = wanted.filter(image::Column::Id.is_in(order[..shown].iter().copied()));
    }
    let rows = wanted
        .find_with_related(stored_object::Entity)
        .all(db)
        .await?;
    Ok((order, rows))
}
