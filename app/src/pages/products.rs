//! The seller's products: list and create.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::ProductSummary;
use crate::components::notice::ErrorNotice;
use crate::error::AppError;
use crate::format::image_count;

#[server(endpoint = "list_products")]
pub async fn list_products() -> Result<Vec<ProductSummary>, AppError> {
    let seller = crate::session::require_account().await?;
    let state = crate::session::state()?;
    Ok(backend::products::list(&state.db, &seller).await?)
}

#[server(endpoint = "create_product")]
pub async fn create_product(name: String) -> Result<ProductSummary, AppError> {
    let seller = crate::session::require_account().await?;
    let state = crate::session::state()?;
    backend::quotas::room_for_product(&state.db, &state.settings.quotas, &seller).await?;
    let product = backend::products::create(&state.db, &seller, &name).await?;
    Ok(ProductSummary {
        id: product.id,
        name: product.name,
        images: 0,
    })
}

#[component]
pub fn ProductsPage() -> impl IntoView {
    let create = ServerAction::<CreateProduct>::new();
    // The list reloads after a product is made, not after a refusal: the form sits outside it,
    // so a refused name stays in the field to be corrected, with the focus.
    let created = RwSignal::new(0u32);
    let name_field = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        let Some(result) = create.value().get() else {
            return;
        };
        let Some(field) = name_field.get_untracked() else {
            return;
        };
        if result.is_ok() {
            created.update(|n| *n += 1);
            field.set_value("");
        } else {
            let _ = field.focus();
        }
    });
    let products = Resource::new(move || created.get(), |_| list_products());
    let error = move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };

    view! {
        <Title text="Products"/>
        <section class="page-head">
            <h1>"Your products"</h1>
            <ActionForm action=create attr:class="inline-form">
                <label class="visually-hidden" for="product-name">"Product name"</label>
                <input id="product-name" type="text" name="name" required maxlength=domain::limits::PRODUCT_NAME_CHARS
                    placeholder="New product name, e.g. Linen tote bag" data-testid="product-name" node_ref=name_field/>
                // Disabled while one is being made: a double click makes one product.
                <button type="submit" data-testid="product-create" disabled=move || create.pending().get()>
                    {move || if create.pending().get() { "Creating…" } else { "Create product" }}
                </button>
            </ActionForm>
        </section>
        <p class="form-error" role="alert">{error}</p>
        <Transition fallback=|| view! { <p class="muted">"Loading your products…"</p> }>
            {move || Suspend::new(async move {
                match products.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(list) => view! { <ProductList products=list/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ProductList(products: Vec<ProductSummary>) -> impl IntoView {
    if products.is_empty() {
        return view! {
            <div class="empty">
                <p><strong>"No products yet."</strong></p>
                <p class="muted">"Create your first product above, then add its photos."</p>
            </div>
        }
        .into_any();
    }
    view! {
        <ul class="product-list">
            {products.into_iter().map(|p| view! {
                <li>
                    <a data-testid="product-link" href=format!("/products/{}", p.id)>
                        <span>{p.name}</span>
                        <span class="muted count">{image_count(p.images)}</span>
                    </a>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}
