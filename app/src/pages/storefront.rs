//! The public product page: anyone may look; only approved images are shown.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use domain::limits::GALLERY_PAGE;

use crate::api::{StoreImage, StoreProduct};
use crate::components::keyboard;
use crate::components::notice::ErrorNotice;
use crate::error::AppError;

/// The product and its first `shown` approved images (the first page's worth if not said).
#[server(endpoint = "storefront_product")]
pub async fn storefront_product(id: i64, shown: Option<u32>) -> Result<StoreProduct, AppError> {
    let state = crate::session::state()?;
    let host = crate::session::request_host().await?;
    let shown = shown.map_or(GALLERY_PAGE, |n| usize::try_from(n).unwrap_or(usize::MAX));
    Ok(backend::storefront::product(&state, id, shown, host.as_deref()).await?)
}

#[component]
pub fn StorefrontPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|raw| raw.parse::<i64>().ok())
    };
    let product = Resource::new(id, |id| async move {
        match id {
            Some(id) => storefront_product(id, None).await,
            None => Err(AppError::NotFound("That product was not found.".into())),
        }
    });

    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match product.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(p) => view! {
                        <Title text=p.name.clone()/>
                        <article class="storefront">
                            <h1>{p.name.clone()}</h1>
                            <StoreImages product_id=id().unwrap_or_default() name=p.name.clone() images=p.images total=p.total/>
                        </article>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// At least one: a product with nothing approved is not found (see `backend::storefront`). The
/// first page's worth comes with the page; "More photos" brings the rest.
#[component]
fn StoreImages(
    product_id: i64,
    name: String,
    images: Vec<StoreImage>,
    total: u64,
) -> impl IntoView {
    let images = RwSignal::new(images);
    // From each answer: photos taken down since the page loaded must not leave "More photos"
    // asking for what is no longer there.
    let total = RwSignal::new(usize::try_from(total).unwrap_or(usize::MAX));
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let left = move || total.get().saturating_sub(images.with(Vec::len));
    let more = move |_| {
        let shown = images.with_untracked(Vec::len) + GALLERY_PAGE;
        loading.set(true);
        leptos::task::spawn_local(async move {
            let result =
                storefront_product(product_id, Some(u32::try_from(shown).unwrap_or(u32::MAX)))
                    .await;
            loading.try_set(false);
            match result {
                Ok(product) => {
                    let before = images.try_with_untracked(Vec::len).unwrap_or_default();
                    error.try_set(None);
                    total.try_set(usize::try_from(product.total).unwrap_or(usize::MAX));
                    images.try_set(product.images);
                    // The last batch takes the pressed button away: the first new photo has
                    // the focus, where reading goes on.
                    keyboard::when_focus_is_lost(move || {
                        keyboard::focus(&format!(".store-images img:nth-child({})", before + 1));
                    });
                }
                Err(e) => {
                    error.try_set(Some(e.to_string()));
                }
            }
        });
    };
    view! {
        <div class="store-images">
            <For each=move || images.get().into_iter().enumerate() key=|(i, img)| (*i, img.url.clone())
                children=move |(i, img)| {
                    // Described for people who cannot see it, even when the seller wrote nothing.
                    let alt = if img.alt_text.is_empty() { format!("{name}, photo {}", i + 1) } else { img.alt_text };
                    view! {
                    <img data-testid="store-image" class=if i == 0 { "cover" } else { "" } tabindex="-1"
                        src=img.url srcset=img.srcset
                        sizes=if i == 0 { "(max-width: 1100px) 100vw, 1100px" } else { "(max-width: 600px) 100vw, 360px" }
                        alt=alt width=img.width.to_string() height=img.height.to_string()
                        loading=if i == 0 { "eager" } else { "lazy" }/>
                }}/>
        </div>
        <Show when=move || { left() > 0 }>
            <div class="gallery-more">
                <button class="secondary" data-testid="store-more" on:click=more disabled=move || loading.get()>
                    {move || if loading.get() { "Loading…" } else { "More photos" }}
                </button>
                <span class="muted">{move || format!("{} of {} photos", images.with(Vec::len), total.get())}</span>
            </div>
        </Show>
        <p class="form-error" role="alert">{move || error.get()}</p>
    }
}
