//! The audit trail of a product, or of one of its images (`?image=ID`): for admins, and for
//! the seller who owns it.

use domain::AuditAction;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::History;
use crate::components::notice::ErrorNotice;
use crate::error::AppError;
use crate::format::minute_utc;
use crate::pages::product::product_id_param;

#[server(endpoint = "audit_trail")]
pub async fn audit_trail(product_id: i64, image_id: Option<i64>) -> Result<History, AppError> {
    let viewer = crate::session::require_account().await?;
    let state = crate::session::state()?;
    Ok(backend::audit::trail(&state.db, &viewer, product_id, image_id).await?)
}

/// What the actor did, as a verb phrase; image events are followed by the image.
fn describe(action: AuditAction) -> &'static str {
    match action {
        AuditAction::ProductCreated => "created the product",
        AuditAction::ProductRenamed => "renamed the product",
        AuditAction::ProductDeleted => "deleted the product",
        AuditAction::Uploaded => "uploaded",
        AuditAction::Approved => "approved",
        AuditAction::Rejected => "rejected",
        AuditAction::Reordered => "moved",
        AuditAction::AltTextEdited => "edited the alt text of",
        AuditAction::Deleted => "deleted",
    }
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    let product_id = product_id_param();
    let query = use_query_map();
    let image_id = Memo::new(move |_| {
        query
            .read()
            .get("image")
            .and_then(|raw| raw.parse::<i64>().ok())
    });
    let trail = Resource::new(
        move || (product_id.get(), image_id.get()),
        |(product_id, image_id)| async move {
            match product_id {
                Some(id) => audit_trail(id, image_id).await,
                None => Err(AppError::NotFound("That product was not found.".into())),
            }
        },
    );

    view! {
        <Title text="History"/>
        <Transition fallback=|| view! { <p class="muted">"Loading the history…"</p> }>
            {move || Suspend::new(async move {
                match trail.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(h) => {
                        let id = product_id.get_untracked().unwrap_or_default();
                        let name = h.product_name.clone().unwrap_or_else(|| format!("Deleted product #{id}"));
                        let heading = match image_id.get_untracked() {
                            Some(image) => format!("History of image #{image}"),
                            None => "History".to_owned(),
                        };
                        view! {
                            <p class="crumbs">
                                {if h.viewer_owns {
                                    view! { <a href=format!("/products/{id}")>{name}</a> }.into_any()
                                } else {
                                    view! { <span>{name}</span> }.into_any()
                                }}
                                " / "
                                {image_id.get_untracked().is_some().then(|| view! {
                                    <a href=format!("/products/{id}/history")>"History"</a>" / "
                                })}
                            </p>
                            <h1>{heading}</h1>
                            <p class="muted">"Newest first. Nothing here can be edited or removed."</p>
                            <ol class="history" data-testid="history">
                                {h.entries.into_iter().map(|e| {
                                    let image_link = e.image_id.map(|image| {
                                        if image_id.get_untracked().is_some() {
                                            view! { " the image" }.into_any()
                                        } else {
                                            view! {
                                                " "<a href=format!("/products/{id}/history?image={image}")>{format!("image #{image}")}</a>
                                            }.into_any()
                                        }
                                    });
                                    view! {
                                        <li data-testid="history-entry" data-action=e.action.as_str()>
                                            <time datetime=e.at.clone()>{minute_utc(&e.at)}</time>
                                            <span><strong>{e.actor}</strong>" "{describe(e.action)}{image_link}</span>
                                            {(!e.detail.is_empty()).then(|| view! { <span class="detail">{e.detail}</span> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The route, lazy: with `cargo leptos --split` (release builds) this page's code is a separate
/// WebAssembly file, loaded when a seller opens a product's history, so other pages (a product page on a phone) do not
/// download it.
pub struct HistoryRoute;

#[leptos_router::lazy_route]
impl leptos_router::LazyRoute for HistoryRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <HistoryPage/> }.into_any()
    }
}
