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
            url: i.media.src,
            srcset: i.media.srcset,
        })
        .collect())
}

#[server(endpoint = "update_image_alt")]
pub async fn update_image_alt(image_id: i64, alt_text: String) -> Result<String, AppError> {
    let seller = crate::session::require_account().await?;
    let state = crate::session::state()?;
    Ok(backend::images::set_alt_text(&state, &seller, image_id, &alt_text).await?)
}

#[server(endpoint = "delete_image")]
pub async fn delete_image(image_id: i64) -> Result<(), AppError> {
    let seller = crate::session::require_account().await?;
    let state = crate::session::state()?;
    Ok(backend::images::delete(&state, &seller, image_id).await?)
}

/// Moves an image to `to_index` (0: the cover). `seen` is the order the page showed.
#[server(endpoint = "move_image", input = leptos::server_fn::codec::Json)]
pub async fn move_image(
    product_id: i64,
    image_id: i64,
    to_index: usize,
    seen: Vec<i64>,
) -> Result<(), AppError> {
    let seller = crate::session::require_account().await?;
    let state = crate::session::state()?;
    Ok(backend::images::move_to(&state, &seller, product_id, image_id, to_index, &seen).await?)
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
    let delete = ServerAction::<DeleteImage>::new();
    let save_alt = ServerAction::<UpdateImageAlt>::new();
    let reorder = ServerAction::<MoveImage>::new();
    let images = Resource::new(
        move || {
            (
                refresh.get(),
                delete.version().get(),
                reorder.version().get(),
            )
        },
        move |_| list_gallery(product_id),
    );
    let error = move || {
        let failed =
            |r: Option<Result<(), AppError>>| r.and_then(Result::err).map(|e| e.to_string());
        failed(delete.value().get())
            .or_else(|| failed(reorder.value().get()))
            .or_else(|| failed(save_alt.value().get().map(|r| r.map(|_| ()))))
    };

    view! {
        <section class="gallery-section" aria-labelledby="gallery-title">
            <h2 id="gallery-title">"Gallery"</h2>
            <p class="form-error" role="alert">{error}</p>
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
                                {
                                    let order = StoredValue::new(list.iter().map(|i| i.id).collect::<Vec<_>>());
                                    let count = list.len();
                                    list.into_iter()
                                        .enumerate()
                                        .map(|(index, item)| {
                                            let place = Place { product_id, index, count, order };
                                            view! { <GalleryCard item place delete save_alt reorder/> }
                                        })
                                        .collect_view()
                                }
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Where a card sits in its gallery, for the move buttons.
#[derive(Clone, Copy)]
struct Place {
    product_id: i64,
    index: usize,
    count: usize,
    /// The order the page shows, sent with each move so a stale page cannot reorder.
    order: StoredValue<Vec<i64>>,
}

#[component]
fn GalleryCard(
    item: GalleryItem,
    place: Place,
    delete: ServerAction<DeleteImage>,
    save_alt: ServerAction<UpdateImageAlt>,
    reorder: ServerAction<MoveImage>,
) -> impl IntoView {
    let alt = if item.alt_text.is_empty() {
        "Product photo".to_owned()
    } else {
        item.alt_text.clone()
    };
    let id = item.id;
    let alt_input = format!("alt-{id}");
    let alt_value = RwSignal::new(item.alt_text.clone());
    let saved = RwSignal::new(item.alt_text.clone());
    let save = move || {
        let text = alt_value.get_untracked();
        if text != saved.get_untracked() {
            saved.set(text.clone());
            save_alt.dispatch(UpdateImageAlt {
                image_id: id,
                alt_text: text,
            });
        }
    };
    let confirm_delete = move |_| {
        let sure = window()
            .confirm_with_message(
                "Delete this image? It disappears from the store and the gallery for good.",
            )
            .unwrap_or(false);
        if sure {
            delete.dispatch(DeleteImage { image_id: id });
        }
    };
    let move_to = move |to_index: usize| {
        reorder.dispatch(MoveImage {
            product_id: place.product_id,
            image_id: id,
            to_index,
            seen: place.order.get_value(),
        });
    };
    let first = place.index == 0;
    let last = place.index + 1 == place.count;
    view! {
        <li class="gallery-item" data-testid="gallery-item" data-image-id=item.id.to_string() data-status=item.status.clone()>
            <img src=item.url srcset=item.srcset sizes="(max-width: 600px) 100vw, 260px" alt=alt
                width=item.width.to_string() height=item.height.to_string() loading="lazy"/>
            <div class="order">
                {if first {
                    view! { <span class="badge badge-cover">"Cover"</span> }.into_any()
                } else {
                    view! { <button class="icon" data-testid="image-cover" on:click=move |_| move_to(0)>"Make cover"</button> }.into_any()
                }}
                <span class="order-buttons">
                    <button class="icon" aria-label="Move earlier" title="Move earlier" data-testid="image-earlier"
                        disabled=first on:click=move |_| move_to(place.index.saturating_sub(1))>"←"</button>
                    <button class="icon" aria-label="Move later" title="Move later" data-testid="image-later"
                        disabled=last on:click=move |_| move_to(place.index + 1)>"→"</button>
                </span>
            </div>
            <div class="meta">
                <span class=format!("badge badge-{}", item.status)>{status_label(&item.status)}</span>
                <span class="muted">{format!("{}×{}", item.width, item.height)}</span>
            </div>
            {item.review_reason.map(|reason| view! { <p class="reason">{reason}</p> })}
            <div class="edit">
                <label class="visually-hidden" for=alt_input.clone()>"Alt text (describes the photo to people who cannot see it)"</label>
                <input id=alt_input type="text" maxlength="500" placeholder="Describe the photo (alt text)"
                    data-testid="image-alt" bind:value=alt_value
                    on:change=move |_| save()
                    on:keydown=move |ev| if ev.key() == "Enter" { save() }/>
                <button class="icon danger" data-testid="image-delete" title="Delete this image"
                    aria-label="Delete this image" on:click=confirm_delete>"Delete"</button>
            </div>
        </li>
    }
}
