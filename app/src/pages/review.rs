//! The admins' review queue: approve or reject pending uploads, oldest first.

use leptos::prelude::*;
use leptos_meta::Title;

use std::collections::{BTreeSet, HashMap};

use leptos::ev;

use crate::api::{QueueCursor, QueuePage, ReviewDecision, ReviewItem};
use crate::components::keyboard;
use crate::components::notice::ErrorNotice;
use crate::error::AppError;
use crate::format::minute_utc;
use domain::ImageStatus;

/// One page of the queue: the first, or the one after (`after_uploaded_at`, `after_id`).
#[server(endpoint = "review_queue")]
pub async fn review_queue(
    after_uploaded_at: Option<String>,
    after_id: Option<i64>,
) -> Result<QueuePage, AppError> {
    let admin = crate::session::require_account().await?;
    let state = crate::session::state()?;
    let host = crate::session::request_host().await?;
    let after = match (after_uploaded_at, after_id) {
        (Some(uploaded_at), Some(image_id)) => Some(QueueCursor {
            uploaded_at,
            image_id,
        }),
        _ => None,
    };
    Ok(backend::review::queue(&state, &admin, after.as_ref(), host.as_deref()).await?)
}

/// Approves or rejects (with the reason the seller will read) every image in `image_ids`;
/// with `seen_as`, only if each is still in that status (the queue's are pending).
#[server(endpoint = "review_decide", input = leptos::server_fn::codec::Json)]
pub async fn review_decide(
    image_ids: Vec<i64>,
    decision: ReviewDecision,
    seen_as: Option<ImageStatus>,
) -> Result<u64, AppError> {
    let admin = crate::session::require_account().await?;
    let state = crate::session::state()?;
    Ok(backend::review::decide(&state, &admin, &image_ids, &decision, seen_as).await?)
}

type Decide = Action<(Vec<i64>, ReviewDecision), Result<u64, AppError>>;

/// The keyboard shortcuts, as listed on the page.
const SHORTCUTS: &[(&str, &str)] = &[
    ("j / ↓", "next image"),
    ("k / ↑", "previous image"),
    ("x", "select or unselect"),
    ("a", "approve the selected images, or this one"),
    ("r", "write a reason; Enter rejects"),
];

#[component]
pub fn ReviewPage() -> impl IntoView {
    // Every image in the queue was pending when shown: if another admin decided one since,
    // the server refuses the whole decision instead of silently undoing theirs.
    let decide: Decide = Action::new(|(ids, decision): &(Vec<i64>, ReviewDecision)| {
        let (ids, decision) = (ids.clone(), decision.clone());
        async move { review_decide(ids, decision, Some(ImageStatus::Pending)).await }
    });
    // Where each page so far started; the last is the page shown (keyset pagination).
    let pages = RwSignal::new(Vec::<QueueCursor>::new());
    // Bumped when the queue changed: a decision, or a refusal (someone else decided, an image
    // was deleted). Not after a failure to reach the server: reloading then would replace the
    // rows, and the reasons typed in them, with the same failure.
    let changed = RwSignal::new(0u32);
    let queue = Resource::new(
        move || (pages.get().last().cloned(), changed.get()),
        |(after, _)| async move {
            let (at, id) = after.map(|c| (c.uploaded_at, c.image_id)).unzip();
            review_queue(at, id).await
        },
    );
    let selected = RwSignal::new(BTreeSet::<i64>::new());
    let current = RwSignal::new(0usize);
    // Reasons typed, by image, and the bulk one: kept when the rows are drawn again.
    let drafts = RwSignal::new(HashMap::<i64, String>::new());
    let bulk_reason = RwSignal::new(String::new());
    let ids = move || {
        queue
            .get()
            .and_then(Result::ok)
            .map(|p| p.items.iter().map(|i| i.image_id).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let focus_row = move |index: usize| {
        current.set(index);
        keyboard::focus(&format!("[data-review-index='{index}']"));
    };
    // After a decision or a page change the rows are drawn anew, and the focused one (or its
    // button) with them: focus then goes back to the current row rather than to the page.
    let refocus = StoredValue::new(false);
    Effect::new(move |_| match decide.value().get() {
        Some(Ok(_)) => {
            selected.set(BTreeSet::new());
            bulk_reason.set(String::new());
            refocus.set_value(true);
            changed.update(|n| *n += 1);
        }
        Some(Err(e)) if e.status() < 500 => {
            refocus.set_value(true);
            changed.update(|n| *n += 1);
        }
        _ => {}
    });
    Effect::new(move |first: Option<()>| {
        pages.track();
        if first.is_some() {
            current.set(0);
            refocus.set_value(true);
        }
    });
    // What is selected and current stays on the page shown: a decision never reaches images
    // the admin can no longer see (another page, or gone).
    Effect::new(move |_| {
        let shown = ids();
        selected.update(|s| s.retain(|id| shown.contains(id)));
        current.update(|c| *c = (*c).min(shown.len().saturating_sub(1)));
    });
    let approve_selected_or_current = move || {
        let chosen: Vec<i64> = selected.get_untracked().into_iter().collect();
        let ids = if chosen.is_empty() {
            ids()
                .get(current.get_untracked())
                .copied()
                .into_iter()
                .collect()
        } else {
            chosen
        };
        if !ids.is_empty() && !decide.pending().get_untracked() {
            decide.dispatch((ids, ReviewDecision::Approve));
        }
    };
    Effect::new(move |_| {
        let loaded = queue.with(|q| matches!(q, Some(Ok(page)) if !page.items.is_empty()));
        if loaded && refocus.get_value() {
            refocus.set_value(false);
            // Once the new rows are in the document.
            keyboard::when_focus_is_lost(move || {
                // The admin may have left the page within the frame.
                if let Some(index) = current.try_get_untracked() {
                    focus_row(index);
                }
            });
        }
    });
    let handle = window_event_listener(ev::keydown, move |ev| {
        if keyboard::is_typing(&ev) || !keyboard::pressed_in(&ev, ".review-list, .bulk-bar") {
            return;
        }
        let ids = ids();
        if ids.is_empty() {
            return;
        }
        let at = current.get_untracked().min(ids.len() - 1);
        match ev.key().as_str() {
            "j" | "ArrowDown" => focus_row((at + 1).min(ids.len() - 1)),
            "k" | "ArrowUp" => focus_row(at.saturating_sub(1)),
            "x" => selected.update(|s| {
                if !s.remove(&ids[at]) {
                    s.insert(ids[at]);
                }
            }),
            "a" => approve_selected_or_current(),
            "r" => {
                keyboard::focus(&format!("#reason-{}", ids[at]));
            }
            _ => return,
        }
        ev.prevent_default();
    });
    on_cleanup(move || handle.remove());

    let error = move || {
        decide
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    let done = move || match decide.value().get() {
        Some(Ok(1)) => "Decided 1 image.".to_owned(),
        Some(Ok(n)) => format!("Decided {n} images."),
        _ => String::new(),
    };

    view! {
        <Title text="Review uploads"/>
        <div class="page-head">
            <h1>"Review uploads"</h1>
        </div>
        <p class="muted">"Oldest first. Approved images appear on the public product page; a rejected image's reason is shown to its seller."</p>
        <aside class="shortcuts" aria-label="Keyboard shortcuts">
            <h2>"Keyboard"</h2>
            <dl>
                {SHORTCUTS.iter().map(|(keys, what)| view! { <div><dt><kbd>{*keys}</kbd></dt><dd>{*what}</dd></div> }).collect_view()}
            </dl>
        </aside>
        <p class="form-error" role="alert">{error}</p>
        <p class="status-line" role="status" aria-live="polite" data-testid="review-status">{done}</p>
        <Transition fallback=|| view! { <p class="muted">"Loading the queue…"</p> }>
            {move || Suspend::new(async move {
                match queue.await {
                    Err(e) => view! {
                        <ErrorNotice error=e/>
                        <button class="secondary" data-testid="review-retry" on:click=move |_| queue.refetch()>"Try again"</button>
                    }.into_any(),
                    Ok(page) if page.items.is_empty() && pages.get_untracked().is_empty() => view! {
                        <div class="empty">
                            <p><strong>"Nothing to review."</strong></p>
                            <p class="muted">"New uploads appear here as sellers add them."</p>
                        </div>
                    }.into_any(),
                    Ok(page) if page.items.is_empty() => view! {
                        <div class="empty">
                            <p><strong>"Nothing left on this page."</strong></p>
                            <button class="secondary" data-testid="review-first-page" on:click=move |_| pages.set(Vec::new())>
                                "Back to the first page"
                            </button>
                        </div>
                    }.into_any(),
                    Ok(page) => {
                        let page_ids: Vec<i64> = page.items.iter().map(|i| i.image_id).collect();
                        let next = page.next.clone();
                        view! {
                            <BulkBar ids=page_ids selected decide reason=bulk_reason/>
                            <ul class="review-list">
                                {page.items.into_iter().enumerate().map(|(index, item)| view! {
                                    <ReviewRow item index current selected decide drafts/>
                                }).collect_view()}
                            </ul>
                            <Pager pages next/>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// Select all, and decide on the selection in one go.
#[component]
fn BulkBar(
    ids: Vec<i64>,
    selected: RwSignal<BTreeSet<i64>>,
    decide: Decide,
    reason: RwSignal<String>,
) -> impl IntoView {
    let count = move || selected.with(|s| s.len());
    let all = {
        let ids = ids.clone();
        move || !ids.is_empty() && selected.with(|s| ids.iter().all(|id| s.contains(id)))
    };
    let toggle_all = move |_| {
        let ids = ids.clone();
        selected.update(|s| {
            if ids.iter().all(|id| s.contains(id)) {
                s.clear();
            } else {
                s.extend(ids);
            }
        });
    };
    let chosen = move || selected.get_untracked().into_iter().collect::<Vec<_>>();
    let idle = move || count() == 0 || decide.pending().get();
    view! {
        <div class="bulk-bar" role="toolbar" aria-label="Decide on several images">
            <label class="check">
                <input type="checkbox" data-testid="review-select-all" prop:checked=all on:change=toggle_all/>
                "Select all on this page"
            </label>
            <span class="muted" data-testid="review-selected-count">{move || format!("{} selected", count())}</span>
            <button data-testid="review-approve-selected" disabled=idle
                on:click=move |_| { decide.dispatch((chosen(), ReviewDecision::Approve)); }>
                "Approve selected"
            </button>
            <label class="visually-hidden" for="bulk-reason">"Reason for rejecting the selected images"</label>
            <input id="bulk-reason" type="text" maxlength=domain::limits::REVIEW_REASON_CHARS placeholder="Reason for rejecting the selected"
                autocomplete="off" data-testid="review-bulk-reason" bind:value=reason/>
            <button class="secondary danger" data-testid="review-reject-selected" disabled=idle
                on:click=move |_| { decide.dispatch((chosen(), ReviewDecision::Reject { reason: reason.get_untracked() })); }>
                "Reject selected"
            </button>
        </div>
    }
}

/// Previous and next page of the queue.
#[component]
fn Pager(pages: RwSignal<Vec<QueueCursor>>, next: Option<QueueCursor>) -> impl IntoView {
    let first = move || pages.with(Vec::is_empty);
    let has_next = next.is_some();
    let number = move || pages.with(Vec::len) + 1;
    view! {
        <nav class="pager" aria-label="Queue pages">
            <button class="secondary" data-testid="review-prev" disabled=first
                on:click=move |_| pages.update(|p| { p.pop(); })>"← Previous page"</button>
            <span class="muted">{move || format!("Page {}", number())}</span>
            <button class="secondary" data-testid="review-next" disabled=!has_next
                on:click=move |_| if let Some(c) = next.clone() { pages.update(|p| p.push(c)) }>"Next page →"</button>
        </nav>
    }
}

#[component]
fn ReviewRow(
    item: ReviewItem,
    index: usize,
    current: RwSignal<usize>,
    selected: RwSignal<BTreeSet<i64>>,
    decide: Decide,
    drafts: RwSignal<HashMap<i64, String>>,
) -> impl IntoView {
    let id = item.image_id;
    let reason = RwSignal::new(drafts.with_untracked(|d| d.get(&id).cloned().unwrap_or_default()));
    Effect::new(move |_| {
        let typed = reason.get();
        drafts.update_untracked(|d| {
            d.insert(id, typed);
        });
    });
    let busy = move || decide.pending().get();
    let reason_id = format!("reason-{id}");
    let kb = (item.bytes as f64 / 1024.0).round();
    let when = minute_utc(&item.uploaded_at);
    let is_selected = move || selected.with(|s| s.contains(&id));
    let reject = move || {
        if decide.pending().get_untracked() {
            return;
        }
        decide.dispatch((
            vec![id],
            ReviewDecision::Reject {
                reason: reason.get_untracked(),
            },
        ));
    };
    view! {
        <li class="review-item" class:current=move || current.get() == index class:selected=is_selected
            data-testid="review-item" data-image-id=id.to_string() data-review-index=index.to_string()
            tabindex=move || if current.get() == index { "0" } else { "-1" }
            on:focusin=move |_| current.set(index)>
            <label class="check">
                <input type="checkbox" data-testid="review-select" prop:checked=is_selected
                    aria-label=format!("Select the upload for {}", item.product_name)
                    on:change=move |_| selected.update(|s| if !s.remove(&id) { s.insert(id); })/>
            </label>
            <img src=item.url alt=format!("Upload for {}", item.product_name) loading="lazy"/>
            <div class="review-meta">
                <p><strong>{item.product_name}</strong>" · "<span class="muted">{item.seller_email}</span></p>
                <p class="muted">{format!("{}×{} px · {kb} KB · uploaded {when}", item.width, item.height)}</p>
                <p><a href=format!("/products/{}/history?image={id}", item.product_id)>"History"</a></p>
                <div class="review-actions">
                    <button data-testid="review-approve" disabled=busy
                        on:click=move |_| { decide.dispatch((vec![id], ReviewDecision::Approve)); }>
                        "Approve"
                    </button>
                    <label class="visually-hidden" for=reason_id.clone()>"Reason for rejecting"</label>
                    <input id=reason_id type="text" maxlength=domain::limits::REVIEW_REASON_CHARS placeholder="Reason (shown to the seller)"
                        autocomplete="off" data-testid="review-reason" bind:value=reason
                        on:keydown=move |ev| if ev.key() == "Enter" { reject() }/>
                    <button class="secondary danger" data-testid="review-reject" disabled=busy on:click=move |_| reject()>
                        "Reject"
                    </button>
                </div>
            </div>
        </li>
    }
}

/// The route, lazy: with `cargo leptos --split` (release builds) this page's code is a separate
/// WebAssembly file, loaded when an admin opens the review queue, so other pages (a product page on a phone) do not
/// download it.
pub struct ReviewRoute;

#[leptos_router::lazy_route]
impl leptos_router::LazyRoute for ReviewRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <ReviewPage/> }.into_any()
    }
}
