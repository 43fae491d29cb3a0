//! The public product page: anyone may look; only approved images are shown.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::{StoreImage, StoreProduct};
use crate::components::notice::ErrorNotice;
use crate::error::AppError;

#[server(endpoint = "storefront_product")]
pub async fn storefront_product(id: i64) -> Result<StoreProduct, AppError> {
    let state = crate::session::state()?;
    let host = crate::session::request_host().await?;
    Ok(backend::storefront::product(&state, id, host.as_deref()).await?)
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
            Some(id) => storefront_product(id).await,
            None => Err(AppError::NotFound("That product was not found.".into())),
        }
    });

    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match product.await {
                    Err(e) => {
                        #[cfg(feature = "ssr")]
                        if matches!(e, AppError::NotFound(_))
                            && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
                        {
                            response.set_status(http::StatusCode::NOT_FOUND);
                        }
                        view! { <ErrorNotice error=e/> }.into_any()
                    }
                    Ok(p) => view! {
                        <Title text=p.name.clone()/>
                        <article class="storefront">
                            <h1>{p.name.clone()}</h1>
                            <StoreImages images=p.images/>
                        </article>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// At least one: a product with nothing approved is not found (see `backend::storefront`).
#[component]
fn StoreImages(images: Vec<StoreImage>) -> impl IntoView {
    view! {
        <div class="store-images">
            {images.into_iter().enumerate().map(|(i, img)| view! {
                <img data-testid="store-image" class=if i == 0 { "cover" } else { "" }
                    src=img.url srcset=img.srcset
                    sizes=if i == 0 { "(max-width: 1100px) 100vw, 1100px" } else { "(max-width: 600px) 100vw, 360px" }
                    alt=img.alt_text width=img.width.to_string() height=img.height.to_string()
                    loading=if i == 0 { "eager" } else { "lazy" }/>
            }).collect_view()}
        </div>
    }
}
