//! The admins' review queue: approve or reject pending uploads, oldest first.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::ReviewItem;
use crate::components::notice::ErrorNotice;
use crate::error::AppError;
use crate::format::minute_utc;

#[server(endpoint = "review_queue")]
pub async fn review_queue(
    after_uploaded_at: Option<String>,
    after_id: Option<i64>,
) -> Result<Vec<ReviewItem>, AppError> {
    use backend::review::{self, Cursor};
    let admin = crate::session::require_account().await?;
    let state = crate::session::state()?;
    let host = crate::session::request_host().await?;
    let after = match (after_uploaded_at, after_id) {
        (Some(at), Some(image_id)) => Some(Cursor {
            uploaded_at: chrono::DateTime::parse_from_rfc3339(&at)
                .map_err(|_| AppError::Refused("That page of the queue does not exist.".into()))?
                .into(),
            image_id,
        }),
        _ => None,
    };
    let entries = review::queue(&state, &admin, after, host.as_deref()).await?;
    Ok(entries
        .into_iter()
        .map(|e| ReviewItem {
            image_id: e.image_id,
            product_id: e.product_id,
            product_name: e.product_name,
            seller_email: e.seller_email,
            width: e.width,
            height: e.height,
            bytes: e.bytes,
            uploaded_at: e.uploaded_at.to_rfc3339(),
            url: e.url,
        })
        .collect())
}

/// Approves (`approve`) or rejects with `reason` every image in `image_ids`.
#[server(endpoint = "review_decide", input = leptos::server_fn::codec::Json)]
pub async fn review_decide(
    image_ids: Vec<i64>,
    approve: bool,
    reason: Option<String>,
) -> Result<u64, AppError> {
    use backend::review::{self, Decision};
    let admin = crate::session::require_account().await?;
    let state = crate::session::state()?;
    let decision = if approve {
        Decision::Approve
    } else {
        Decision::Reject {
            reason: reason.unwrap_or_default(),
        }
    };
    Ok(review::decide(&state, &admin, &image_ids, &decision).await?)
}

#[component]
pub fn ReviewPage() -> impl IntoView {
    let decide = Action::new(
        |(ids, approve, reason): &(Vec<i64>, bool, Option<String>)| {
            let (ids, approve, reason) = (ids.clone(), *approve, reason.clone());
            async move { review_decide(ids, approve, reason).await }
        },
    );
    let queue = Resource::new(move || decide.version().get(), |_| review_queue(None, None));
    let error = move || {
        decide
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };

    view! {
        <Title text="Review uploads"/>
        <h1>"Review uploads"</h1>
        <p class="muted">"Oldest first. Approved images appear on the public product page; a rejected image's reason is shown to its seller."</p>
        <p class="form-error" role="alert">{error}</p>
        <Transition fallback=|| view! { <p class="muted">"Loading the queue…"</p> }>
            {move || Suspend::new(async move {
                match queue.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(items) if items.is_empty() => view! {
                        <div class="empty">
                            <p><strong>"Nothing to review."</strong></p>
                            <p class="muted">"New uploads appear here as sellers add them."</p>
                        </div>
                    }.into_any(),
                    Ok(items) => view! {
                        <ul class="review-list">
                            {items.into_iter().map(|item| view! { <ReviewRow item decide/> }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ReviewRow(
    item: ReviewItem,
    decide: Action<(Vec<i64>, bool, Option<String>), Result<u64, AppError>>,
) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let id = item.image_id;
    let reason_id = format!("reason-{id}");
    let kb = (item.bytes as f64 / 1024.0).round();
    let when = minute_utc(&item.uploaded_at);
    view! {
        <li class="review-item" data-testid="review-item" data-image-id=id.to_string()>
            <img src=item.url alt=format!("Upload for {}", item.product_name) loading="lazy"/>
            <div class="review-meta">
                <p><strong>{item.product_name}</strong>" · "<span class="muted">{item.seller_email}</span></p>
                <p class="muted">{format!("{}×{} px · {kb} KB · uploaded {when}", item.width, item.height)}</p>
                <div class="review-actions">
                    <button data-testid="review-approve" on:click=move |_| { decide.dispatch((vec![id], true, None)); }>
                        "Approve"
                    </button>
                    <label class="visually-hidden" for=reason_id.clone()>"Reason for rejecting"</label>
                    <input id=reason_id type="text" maxlength="500" placeholder="Reason (shown to the seller)"
                        data-testid="review-reason" bind:value=reason/>
                    <button class="secondary danger" data-testid="review-reject"
                        on:click=move |_| { decide.dispatch((vec![id], false, Some(reason.get_untracked()))); }>
                        "Reject"
                    </button>
                </div>
            </div>
        </li>
    }
}
