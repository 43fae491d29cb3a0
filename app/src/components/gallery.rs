//! A product's gallery, for its seller: every image with its review status.

use leptos::prelude::*;

use crate::api::GalleryItem;
use crate::components::notice::ErrorNotice;
use crate::error::AppError;

#[server(endpoint = "list_gallery")]
pub async fn list_gallery(product_id: i64) -> Result<Vec<GalleryItem>, AppError> {
    let seller = crate::session::require_account().await?;
    let state = crate::session::state()?;
    let host = crate::session::request_host().await?;
    let images = backend::gallery::for_seller(&state, &seller, product_id, host.as_deref()).await?;
    Ok(images
        .into_iter()
        .map(|i| GalleryItem {
            id: i.id,
            status: i.status,
            review_reason: i.review_reason,
            alt_text: i.alt_text,
            width: i.width,
            height: i.height,
            url: i.url,
        })
        .collect())
}

fn status_label(status: &str) -> &'static str {
    match status {
        "approved" => "Approved",
        "rejected" => "Rejected",
        _ => "Waiting for review",
    }
}

#[component]
pub fn Gallery(product_id: i64, #[prop(into)] refresh: Signal<u32>) -> impl IntoView {
    let images = Resource::new(move || refresh.get(), move |_| list_gallery(product_id));

    view! {
        <section class="gallery-section" aria-labelledby="gallery-title">
            <h2 id="gallery-title">"Gallery"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading images…"</p> }>
                {move || Suspend::new(async move {
                    match images.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(list) if list.is_empty() => view! {
                            <div class="empty" data-testid="gallery">
                                <p><strong>"No images yet."</strong></p>
                                <p class="muted">"Add photos above: they appear here once uploaded and checked."</p>
                            </div>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="gallery" data-testid="gallery">
                                {list.into_iter().map(gallery_item).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn gallery_item(item: GalleryItem) -> impl IntoView {
    let alt = if item.alt_text.is_empty() {
        "Product photo".to_owned()
    } else {
        item.alt_text.clone()
    };
    view! {
        <li class="gallery-item" data-testid="gallery-item" data-image-id=item.id.to_string() data-status=item.status.clone()>
            <img src=item.url alt=alt width=item.width.to_string() height=item.height.to_string() loading="lazy"/>
            <div class="meta">
                <span class=format!("badge badge-{}", item.status)>{status_label(&item.status)}</span>
                <span class="muted">{format!("{}×{}", item.width, item.height)}</span>
            </div>
            {item.review_reason.map(|reason| view! { <p class="reason">{reason}</p> })}
        </li>
    }
}
