//! One product: its uploader and gallery, renaming and deleting (only for the product's seller).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::{ProductPageData, ProductSummary};
use crate::components::gallery::Gallery;
use crate::components::notice::ErrorNotice;
use crate::error::AppError;
use crate::format::image_count;
use crate::upload::{self, Uploader};

#[server(endpoint = "get_product")]
pub async fn get_product(id: i64) -> Result<ProductSummary, AppError> {
    let seller = crate::session::require_account().await?;
    let state = crate::session::state()?;
    Ok(backend::products::summary(&state.db, &seller, id).await?)
}

/// The product and its gallery, for the page's first render.
#[server(endpoint = "get_product_page")]
pub async fn get_product_page(id: i64) -> Result<ProductPageData, AppError> {
    let seller = crate::session::require_account().await?;
    let state = crate::session::state()?;
    let host = crate::session::request_host().await?;
    Ok(backend::gallery::product_page(&state, &seller, id, host.as_deref()).await?)
}

#[server(endpoint = "rename_product")]
pub async fn rename_product(id: i64, name: String) -> Result<String, AppError> {
    let seller = crate::session::require_account().await?;
    let state = crate::session::state()?;
    Ok(backend::products::rename(&state.db, &seller, id, &name)
        .await?
        .name)
}

/// Deletes the product and its images. `confirmed_images` is the count the seller confirmed.
#[server(endpoint = "delete_product")]
pub async fn delete_product(id: i64, confirmed_images: u64) -> Result<(), AppError> {
    let seller = crate::session::require_account().await?;
    let state = crate::session::state()?;
    Ok(backend::products::delete(&state, &seller, id, confirmed_images).await?)
}

/// The `:id` route parameter, for pages under `/products/:id`.
pub fn product_id_param() -> Memo<Option<i64>> {
    let params = use_params_map();
    Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|raw| raw.parse::<i64>().ok())
    })
}

fn product_not_found() -> AppError {
    AppError::NotFound("That product was not found.".into())
}

#[component]
pub fn ProductPage() -> impl IntoView {
    let id = product_id_param();
    // Made here, never inside the `Suspend` below (see "Resources" in lib.rs).
    let page = Resource::new(
        move || id.get(),
        |id| async move { get_product_page(id.ok_or_else(product_not_found)?).await },
    );

    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(ProductPageData { product: p, gallery, published }) => {
                        let name = RwSignal::new(p.name.clone());
                        // The product's uploads in this tab; each one registered reloads the
                        // gallery.
                        let desk = upload::desk(p.id);
                        view! {
                        <Title text=move || name.get()/>
                        <p class="crumbs"><a href="/products">"Products"</a>" / "</p>
                        <div class="page-head">
                            <h1 data-testid="product-title">{move || name.get()}</h1>
                            <div class="head-actions">
                                {if published {
                                    view! {
                                        <a class="button secondary small" href=format!("/store/{}", p.id)
                                            data-testid="product-store-link">"View in store"</a>
                                    }.into_any()
                                } else {
                                    view! {
                                        <span class="muted head-note" data-testid="product-unpublished">
                                            "Not in the store yet: it appears there once an admin approves a photo."
                                        </span>
                                    }.into_any()
                                }}
                                <a class="button secondary small" href=format!("/products/{}/history", p.id)
                                    data-testid="product-history">"History"</a>
                            </div>
                        </div>
                        <ProductSettings id=p.id name/>
                        <Uploader desk/>
                        <Gallery product_id=p.id start=gallery refresh=desk.registered/>
                    }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Rename and delete, folded away until wanted.
#[component]
fn ProductSettings(id: i64, name: RwSignal<String>) -> impl IntoView {
    let rename = ServerAction::<RenameProduct>::new();
    Effect::new(move |_| {
        if let Some(Ok(renamed)) = rename.value().get() {
            name.set(renamed);
        }
    });
    // The confirmation counts the images as they are now (uploads may have finished since the
    // page loaded); the server refuses if the count changed before the delete lands.
    let delete = Action::new(move |_: &()| async move {
        let images = get_product(id).await?.images;
        let question = match images {
            0 => format!("Delete “{}”? It has no images.", name.get_untracked()),
            n => format!(
                "Delete “{}” and its {}? They disappear from the store for good.",
                name.get_untracked(),
                image_count(n).to_lowercase()
            ),
        };
        if !window().confirm_with_message(&question).unwrap_or(false) {
            return Ok(false);
        }
        delete_product(id, images).await?;
        let _ = window().location().set_href("/products");
        Ok::<_, AppError>(true)
    });
    let error = move || {
        let rename_error = rename.value().get().and_then(Result::err);
        delete
            .value()
            .get()
            .and_then(Result::err)
            .or(rename_error)
            .map(|e| e.to_string())
    };
    view! {
        <details class="settings">
            <summary data-testid="product-settings">"Rename or delete"</summary>
            <ActionForm action=rename attr:class="inline-form">
                <input type="hidden" name="id" value=id.to_string()/>
                <label class="visually-hidden" for="rename-name">"New name"</label>
                <input id="rename-name" type="text" name="name" required maxlength=domain::limits::PRODUCT_NAME_CHARS
                    value=name.get_untracked() data-testid="product-rename-name"/>
                <button type="submit" class="secondary" data-testid="product-rename"
                    disabled=move || rename.pending().get()>"Rename"</button>
            </ActionForm>
            // The title changes above, out of sight of a screen reader in this form: say it here.
            <p class="saved-note" role="status" data-testid="product-renamed">
                {move || matches!(rename.value().get(), Some(Ok(_))).then(|| "Renamed.")}
            </p>
            <p class="muted">"Deleting a product removes it and all its images from the gallery, the store and the bucket."</p>
            <button class="danger" data-testid="product-delete" on:click=move |_| { delete.dispatch(()); }
                disabled=move || delete.pending().get()>"Delete product"</button>
            <p class="form-error" role="alert">{error}</p>
        </details>
    }
}
