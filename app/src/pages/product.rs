//! One product: its uploader and gallery (only for the product's seller).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::ProductSummary;
use crate::components::gallery::Gallery;
use crate::components::notice::ErrorNotice;
use crate::error::AppError;
use crate::upload::Uploader;

#[server(endpoint = "get_product")]
pub async fn get_product(id: i64) -> Result<ProductSummary, AppError> {
    let seller = crate::session::require_account().await?;
    let state = crate::session::state()?;
    let product = backend::products::find_owned(&state.db, &seller, id).await?;
    Ok(ProductSummary {
        id: product.id,
        name: product.name,
    })
}

#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|raw| raw.parse::<i64>().ok())
    };
    let product = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_product(id).await,
            None => Err(AppError::NotFound("That product was not found.".into())),
        }
    });
    // Bumped after each registered upload, so the gallery reloads.
    let uploaded = RwSignal::new(0u32);

    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match product.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(p) => view! {
                        <Title text=p.name.clone()/>
                        <p class="crumbs"><a href="/products">"Products"</a>" / "</p>
                        <div class="page-head">
                            <h1>{p.name.clone()}</h1>
                            <a class="button secondary small" href=format!("/store/{}", p.id)>"View in store"</a>
                        </div>
                        <Uploader product_id=p.id uploaded=uploaded/>
                        <Gallery product_id=p.id refresh=uploaded/>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
