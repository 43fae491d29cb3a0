//! A product's gallery, for its seller: every image with its review status. The page renders
//! the first few screenfuls; the rest load when the seller asks (or steps past them in the
//! lightbox), so a product with hundreds of photos opens at once.

use std::collections::HashMap;

use domain::ImageStatus;
use domain::limits::GALLERY_PAGE;
use leptos::prelude::*;

use crate::api::{GalleryItem, GalleryPage};
use crate::components::broken_image::{BrokenImage, Health, diagnose};
use crate::components::keyboard;
use crate::error::AppError;

/// The first `shown` images of the product, and the order of all of them.
#[server(endpoint = "list_gallery")]
pub async fn list_gallery(product_id: i64, shown: u32) -> Result<GalleryPage, AppError> {
    let seller = crate::session::require_account().await?;
    let state = crate::session::state()?;
    let host = crate::session::request_host().await?;
    let shown = usize::try_from(shown).unwrap_or(usize::MAX);
    Ok(backend::gallery::for_seller(&state, &seller, product_id, shown, host.as_deref()).await?)
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

fn status_label(status: ImageStatus) -> &'static str {
    match status {
        ImageStatus::Pending => "Waiting for review",
        ImageStatus::Approved => "Approved",
        ImageStatus::Rejected => "Rejected",
    }
}

/// The gallery, starting from `start` as the page loaded it. The page creates that resource,
/// not this component: see "Resources" in `lib.rs` for why none is created inside a `Suspend`.
#[component]
pub fn Gallery(
    product_id: i64,
    start: GalleryPage,
    #[prop(into)] refresh: Signal<u32>,
) -> impl IntoView {
    let delete = ServerAction::<DeleteImage>::new();
    let reorder = ServerAction::<MoveImage>::new();
    // Cards are keyed by image: a registration or a move redraws only what changed, instead
    // of rebuilding every card under the seller's hands.
    let shown = RwSignal::new(start.images.len().max(GALLERY_PAGE));
    let list = RwSignal::new(start.images);
    let order = RwSignal::new(start.order);
    let loading = RwSignal::new(false);
    let reload_error = RwSignal::new(None::<String>);
    let asked = RwSignal::new(0u32);
    reload_on_change(
        product_id,
        Changes {
            uploaded: refresh,
            edited: Signal::derive(move || (delete.version().get(), reorder.version().get())),
            shown,
            asked,
        },
        Loaded {
            list,
            order,
            loading,
            error: reload_error,
        },
    );
    let ui = GalleryUi {
        lightbox: RwSignal::new(None),
        dragging: RwSignal::new(None),
        drop_target: RwSignal::new(None),
        refocus: RwSignal::new(None),
        announce: RwSignal::new(String::new()),
        drafts: RwSignal::new(HashMap::new()),
        editing: RwSignal::new(None),
    };
    // A move reinserts the moved card, which drops focus: put it back on the control that was
    // used, on the moved image, so keyboard users can keep moving it; after any other change,
    // back in the alt text field being typed in.
    Effect::new(move |_| {
        list.track();
        if let Some((id, control)) = ui.refocus.get_untracked() {
            ui.refocus.set(None);
            request_animation_frame(move || {
                let item = format!("[data-testid='gallery-item'][data-image-id='{id}']");
                if !keyboard::focus(&format!("{item} [data-testid='{control}']:not([disabled])")) {
                    keyboard::focus(&format!("{item} [data-testid='image-open']"));
                }
            });
        } else if let Some(id) = ui.editing.get_untracked() {
            request_animation_frame(move || {
                keyboard::focus(&format!(
                    "[data-testid='gallery-item'][data-image-id='{id}'] [data-testid='image-alt']"
                ));
            });
        }
    });
    // The newest answer of any edit decides the message: a success clears an older failure
    // (it once stayed above the gallery until another delete ran).
    let edit_error = RwSignal::new(None::<String>);
    let outcome = move |result: Result<(), AppError>| match result {
        Ok(()) => edit_error.set(None),
        Err(e) => edit_error.set(Some(e.to_string())),
    };
    Effect::new(move |_| {
        if let Some(result) = delete.value().get() {
            if result.is_ok() {
                ui.announce.set("Photo deleted.".into());
            } else {
                ui.refocus.set(None);
            }
            outcome(result);
        }
    });
    Effect::new(move |_| {
        if let Some(result) = reorder.value().get() {
            outcome(result);
        }
    });
    let error = move || edit_error.get().or_else(|| reload_error.get());
    let place = Place {
        product_id,
        order,
        shown,
    };
    let left = move || order.with(Vec::len).saturating_sub(list.with(Vec::len));
    let show_more = move |_| {
        // Focus moves to the first card that comes in: the button may be gone once all show.
        let first_new = order.with_untracked(|o| o.get(list.with_untracked(Vec::len)).copied());
        if let Some(id) = first_new {
            ui.refocus.set(Some((id, "image-open")));
        }
        shown.update(|s| *s = list.with_untracked(Vec::len) + GALLERY_PAGE);
        asked.update(|n| *n += 1);
    };

    view! {
        <section class="gallery-section" aria-labelledby="gallery-title">
            <h2 id="gallery-title">"Gallery"</h2>
            <p class="form-error" role="alert">{error}</p>
            // A failed reload (after an upload, a move or a delete) would leave the gallery out
            // of date until some other change: the seller can ask again.
            {move || (reload_error.with(Option::is_some) && edit_error.with(Option::is_none)).then(|| view! {
                <button class="secondary" data-testid="gallery-retry" disabled=move || loading.get()
                    on:click=move |_| asked.update(|n| *n += 1)>"Try again"</button>
            })}
            <p class="visually-hidden" role="status" aria-live="polite" data-testid="gallery-status">{move || ui.announce.get()}</p>
            <Show when=move || !order.with(Vec::is_empty) fallback=|| view! {
                <div class="empty" data-testid="gallery">
                    <p><strong>"No images yet."</strong></p>
                    <p class="muted">"Add photos above: they appear here once uploaded and checked."</p>
                </div>
            }>
                <ul class="gallery" data-testid="gallery">
                    <ForEnumerate each=move || list.get() key=|item| item.clone()
                        children=move |index, item| view! {
                            <GalleryCard item index place ui delete reorder/>
                        }/>
                </ul>
                <Show when=move || { left() > 0 }>
                    <div class="gallery-more">
                        <button class="secondary" data-testid="gallery-more" on:click=show_more
                            disabled=move || loading.get()>
                            {move || if loading.get() {
                                "Loading…".to_owned()
                            } else {
                                format!("Show {} more", left().min(GALLERY_PAGE))
                            }}
                        </button>
                        <span class="muted" data-testid="gallery-shown">
                            {move || format!("{} of {} shown", list.with(Vec::len), order.with(Vec::len))}
                        </span>
                    </div>
                </Show>
            </Show>
            <Lightbox slides=list order shown asked open=ui.lightbox loading error=reload_error/>
        </section>
    }
}

/// What the gallery has loaded, and whether more is on its way.
#[derive(Clone, Copy)]
struct Loaded {
    list: RwSignal<Vec<GalleryItem>>,
    order: RwSignal<Vec<i64>>,
    loading: RwSignal<bool>,
    error: RwSignal<Option<String>>,
}

/// What makes the gallery load again.
#[derive(Clone, Copy)]
struct Changes {
    /// Bumped when an upload registered.
    uploaded: Signal<u32>,
    /// Versions of the delete and move actions.
    edited: Signal<(usize, usize)>,
    /// How many images to show (more were asked for).
    shown: RwSignal<usize>,
    /// Bumped each time the seller asks for more: after a failed load the same count is asked
    /// again, and must still go out.
    asked: RwSignal<u32>,
}

/// Fetches the first `shown` images again whenever a change comes. New uploads land at the
/// end, so after one the whole gallery is shown: the seller sees what they just added. Only
/// the newest request's answer is kept, so a slow earlier one can never overwrite a later
/// state.
fn reload_on_change(product_id: i64, changes: Changes, loaded: Loaded) {
    let newest = StoredValue::new(0u64);
    Effect::new(move |seen: Option<(u32, (usize, usize), usize, u32)>| {
        let mut now = (
            changes.uploaded.get(),
            changes.edited.get(),
            changes.shown.get(),
            changes.asked.get(),
        );
        if let Some(seen) = seen
            && seen != now
        {
            if seen.0 != now.0 {
                changes.shown.update_untracked(|shown| *shown = usize::MAX);
                now.2 = usize::MAX;
            }
            let ticket = newest.get_value() + 1;
            newest.set_value(ticket);
            loaded.loading.set(true);
            let shown = u32::try_from(now.2).unwrap_or(u32::MAX);
            leptos::task::spawn_local(async move {
                let result = list_gallery(product_id, shown).await;
                // Gone (the seller left the page) or overtaken by a newer request.
                if newest.try_get_value() != Some(ticket) {
                    return;
                }
                loaded.loading.try_set(false);
                match result {
                    Ok(page) => {
                        loaded.error.try_set(None);
                        loaded.order.try_set(page.order);
                        loaded.list.try_set(page.images);
                    }
                    Err(e) => {
                        loaded.error.try_set(Some(e.to_string()));
                    }
                }
            });
        }
        now
    });
}

/// The gallery's interaction state, shared by its cards.
#[derive(Clone, Copy)]
struct GalleryUi {
    /// The index shown in the lightbox, if open.
    lightbox: RwSignal<Option<usize>>,
    /// The index being dragged, and the index it would land on.
    dragging: RwSignal<Option<usize>>,
    drop_target: RwSignal<Option<usize>>,
    /// The image and control (`data-testid`) to focus once a move has been redrawn.
    refocus: RwSignal<Option<(i64, &'static str)>>,
    /// Said to screen readers after a move.
    announce: RwSignal<String>,
    /// Alt text typed but not saved yet, by image: a card is drawn anew when its image
    /// changes (say, it was approved meanwhile), and what a seller is typing must survive that.
    drafts: RwSignal<HashMap<i64, String>>,
    /// The image whose alt text field has focus, to give it back after a redraw.
    editing: RwSignal<Option<i64>>,
}

/// The gallery's order, shared by its cards for the move buttons.
#[derive(Clone, Copy)]
struct Place {
    product_id: i64,
    /// The order of every image (shown or not), as last loaded: sent with each move so a stale
    /// page cannot reorder.
    order: RwSignal<Vec<i64>>,
    /// How many images to load.
    shown: RwSignal<usize>,
}

#[component]
fn GalleryCard(
    item: GalleryItem,
    /// Where the card sits now: cards are kept across moves, so this changes under them.
    index: ReadSignal<usize>,
    place: Place,
    ui: GalleryUi,
    delete: ServerAction<DeleteImage>,
    reorder: ServerAction<MoveImage>,
) -> impl IntoView {
    let id = item.id;
    // Each card saves its own alt text: its failure, and its retry, are its own (with one
    // action for all, another card's success hid this one's failure).
    let save_alt = ServerAction::<UpdateImageAlt>::new();
    let alt_input = format!("alt-{id}");
    let draft = ui.drafts.with_untracked(|d| d.get(&id).cloned());
    let alt_value = RwSignal::new(draft.unwrap_or_else(|| item.alt_text.clone()));
    let saved = RwSignal::new(item.alt_text.clone());
    // What the picture says to screen readers: the text the server took, at once.
    let stored = RwSignal::new(item.alt_text.clone());
    Effect::new(move |_| {
        if let Some(Ok(text)) = save_alt.value().get() {
            stored.set(text);
        }
    });
    let alt = move || {
        let text = stored.get();
        if text.is_empty() {
            "Product photo".to_owned()
        } else {
            text
        }
    };
    let alt_note = move || {
        if save_alt.pending().get() {
            return None;
        }
        let note = match save_alt.value().get()? {
            Err(e) => view! { <p class="form-error" role="alert" data-testid="image-alt-error">{e.to_string()}</p> }.into_any(),
            Ok(text) if text == alt_value.get() => view! { <p class="muted saved-note" role="status" data-testid="image-alt-saved">"Saved"</p> }.into_any(),
            Ok(_) => return None,
        };
        Some(note)
    };
    let save = move || {
        let text = alt_value.get_untracked();
        ui.drafts.update_untracked(|d| {
            d.remove(&id);
        });
        // After a failed save, the same text again is a retry, not "unchanged".
        let failed = save_alt
            .value()
            .with_untracked(|v| matches!(v, Some(Err(_))));
        if text != saved.get_untracked() || failed {
            saved.set(text.clone());
            save_alt.dispatch(UpdateImageAlt {
                image_id: id,
                alt_text: text,
            });
        }
    };
    let confirm_delete = move || {
        let sure = window()
            .confirm_with_message(
                "Delete this image? It disappears from the store and the gallery for good.",
            )
            .unwrap_or(false);
        if sure && !delete.pending().get_untracked() {
            // The card goes: focus moves to its neighbour's picture (the next, else the one
            // before), where a keyboard user goes on, rather than to the top of the page.
            let neighbour = place.order.with_untracked(|order| {
                let at = order.iter().position(|&i| i == id)?;
                order
                    .get(at + 1)
                    .or(at.checked_sub(1).and_then(|b| order.get(b)))
                    .copied()
            });
            ui.refocus.set(neighbour.map(|n| (n, "image-open")));
            delete.dispatch(DeleteImage { image_id: id });
        }
    };
    // A picture that does not load is diagnosed, never left as a silent broken `<img>`. An
    // error before hydration fired with no listener, so a failed load is looked for on mount.
    let health = RwSignal::new(Health::Fine);
    let img_ref = NodeRef::<leptos::html::Img>::new();
    Effect::new(move |_| {
        if let Some(img) = img_ref.get()
            && img.complete()
            && img.natural_width() == 0
        {
            diagnose(id, health);
        }
    });
    let reload_picture = Callback::new(move |()| {
        health.set(Health::Fine);
        if let Some(img) = img_ref.get_untracked() {
            // Setting `src`, even to the same URL, makes the browser load it again.
            img.set_src(&img.src());
        }
        // The pressed button went with the panel: the picture's own button takes the focus.
        keyboard::when_focus_is_lost(move || {
            keyboard::focus(&format!(
                "[data-testid='gallery-item'][data-image-id='{id}'] [data-testid='image-open']"
            ));
        });
    });
    let count = move || place.order.with(Vec::len);
    let first = move || index.get() == 0;
    let last = move || index.get() + 1 == count();
    let move_to = move |to_index: usize, control: &'static str| {
        // One move at a time: a second press before the first is answered would send an order
        // that is already out of date, which the server refuses as a change made elsewhere.
        if to_index == index.get_untracked() {
            return;
        }
        if reorder.pending().get_untracked() {
            ui.announce
                .set("Still saving the last move: press again in a moment.".to_owned());
            return;
        }
        ui.refocus.set(Some((id, control)));
        // Moved past what is loaded: load up to it, so it stays in view (the reload after
        // the move reads this).
        place
            .shown
            .update_untracked(|shown| *shown = (*shown).max(to_index + 1));
        ui.announce.set(if to_index == 0 {
            "Moved first: this image is now the cover.".to_owned()
        } else {
            format!("Moved to position {} of {}.", to_index + 1, count())
        });
        reorder.dispatch(MoveImage {
            product_id: place.product_id,
            image_id: id,
            to_index,
            seen: place.order.get_untracked(),
        });
    };
    // Drag and drop: the dragged card's index travels in the signal, not in the DataTransfer,
    // so nothing outside the page can be dropped here as a reorder.
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        ui.drop_target.set(None);
        let here = index.get_untracked();
        if reorder.pending().get_untracked() {
            ui.dragging.set(None);
            return;
        }
        if let Some(from) = ui.dragging.get_untracked() {
            ui.dragging.set(None);
            let dragged = place.order.with_untracked(|o| o.get(from).copied());
            if let Some(dragged) = dragged.filter(|_| from != here) {
                ui.refocus.set(Some((dragged, "image-open")));
                ui.announce
                    .set(format!("Moved to position {} of {}.", here + 1, count()));
                reorder.dispatch(MoveImage {
                    product_id: place.product_id,
                    image_id: dragged,
                    to_index: here,
                    seen: place.order.get_untracked(),
                });
            }
        }
    };
    view! {
        <li class="gallery-item" data-testid="gallery-item" data-image-id=item.id.to_string() data-status=item.status.as_str()
            draggable="true"
            class:dragging=move || ui.dragging.get() == Some(index.get())
            class:drop-target=move || ui.drop_target.get() == Some(index.get()) && ui.dragging.get() != Some(index.get())
            class:is-broken=move || matches!(health.get(), Health::LoadFailed { .. } | Health::Damaged(_))
            on:dragstart=move |ev| {
                ui.dragging.set(Some(index.get_untracked()));
                // Firefox starts a drag only with some data set.
                #[cfg(feature = "hydrate")]
                if let Some(dt) = ev.data_transfer() {
                    dt.set_effect_allowed("move");
                    let _ = dt.set_data("text/plain", &id.to_string());
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = ev;
            }
            on:dragend=move |_| { ui.dragging.set(None); ui.drop_target.set(None); }
            on:dragover=move |ev| if ui.dragging.get_untracked().is_some() {
                ev.prevent_default();
                ui.drop_target.set(Some(index.get_untracked()));
            }
            on:drop=on_drop>
            <button class="thumb" data-testid="image-open" aria-label="View larger" title="View larger"
                on:click=move |_| ui.lightbox.set(Some(index.get_untracked()))>
                <img node_ref=img_ref on:error=move |_| diagnose(id, health) src=item.url.clone() srcset=item.srcset.clone() sizes="(max-width: 600px) 100vw, 260px" alt=alt
                    width=item.width.to_string() height=item.height.to_string() loading="lazy" draggable="false"/>
            </button>
            <BrokenImage health on_delete=Callback::new(move |()| confirm_delete()) retry=reload_picture/>
            <div class="order">
                <Show when=move || !first() fallback=|| view! { <span class="badge badge-cover">"Cover"</span> }>
                    <button class="icon" data-testid="image-cover" on:click=move |_| move_to(0, "image-later")>"Make cover"</button>
                </Show>
                <span class="order-buttons">
                    <button class="icon" aria-label="Move earlier" title="Move earlier" data-testid="image-earlier"
                        disabled=first on:click=move |_| move_to(index.get_untracked().saturating_sub(1), "image-earlier")>"←"</button>
                    <button class="icon" aria-label="Move later" title="Move later" data-testid="image-later"
                        disabled=last on:click=move |_| move_to(index.get_untracked() + 1, "image-later")>"→"</button>
                </span>
            </div>
            <div class="meta">
                <span class=format!("badge badge-{}", item.status)>{status_label(item.status)}</span>
                <span class="muted">{format!("{}×{}", item.width, item.height)}</span>
            </div>
            {item.review_reason.map(|reason| view! { <p class="reason">{reason}</p> })}
            <div class="edit">
                <label class="visually-hidden" for=alt_input.clone()>"Alt text (describes the photo to people who cannot see it)"</label>
                // `value` puts the saved text in the server's HTML; `autocomplete="off"` stops the
                // browser restoring old field contents over it on reload (Chromium matches
                // nameless fields by order, and a reorder changes the order).
                <input id=alt_input type="text" maxlength=domain::limits::ALT_TEXT_CHARS placeholder="Describe the photo (alt text)"
                    autocomplete="off" value=item.alt_text.clone()
                    data-testid="image-alt" bind:value=alt_value
                    on:input=move |_| ui.drafts.update_untracked(|d| { d.insert(id, alt_value.get_untracked()); })
                    on:focus=move |_| ui.editing.set(Some(id))
                    on:blur=move |_| if ui.editing.get_untracked() == Some(id) { ui.editing.set(None) }
                    on:change=move |_| save()
                    on:keydown=move |ev| if ev.key() == "Enter" { save() }/>
                <button class="icon danger" data-testid="image-delete" title="Delete this image"
                    disabled=move || delete.pending().get()
                    aria-label="Delete this image" on:click=move |_| confirm_delete()>"Delete"</button>
            </div>
            {alt_note}
        </li>
    }
}

/// A larger view of one image at a time: a modal `<dialog>` (the browser traps focus and
/// closes it on Esc); the arrow keys move between all the product's images (stepping past the
/// loaded ones loads more), and closing returns focus to the thumbnail of the image last shown.
#[component]
fn Lightbox(
    slides: RwSignal<Vec<GalleryItem>>,
    order: RwSignal<Vec<i64>>,
    shown: RwSignal<usize>,
    asked: RwSignal<u32>,
    open: RwSignal<Option<usize>>,
    loading: RwSignal<bool>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let count = move || order.with(Vec::len);
    // Open or close the native dialog as the signal says.
    Effect::new(move |_| {
        let Some(el) = dialog.get() else { return };
        match open.get() {
            Some(_) if !el.open() => {
                let _ = el.show_modal();
            }
            None if el.open() => el.close(),
            _ => {}
        }
    });
    let step = move |by: isize| {
        open.update(|o| {
            if let Some(i) = o {
                let count = count().max(1) as isize;
                *i = (*i as isize + by).rem_euclid(count) as usize;
            }
        });
        if let Some(i) = open.get_untracked()
            && i >= slides.with_untracked(Vec::len)
        {
            shown.update(|s| *s = (*s).max(i + GALLERY_PAGE));
            if !loading.get_untracked() {
                asked.update(|n| *n += 1);
            }
        }
    };
    let showing = move || open.get().and_then(|i| slides.with(|s| s.get(i).cloned()));
    let on_close = move |_| {
        let last = open.get_untracked();
        open.set(None);
        if let Some(index) = last {
            let id = slides.with_untracked(|s| s.get(index).map(|i| i.id));
            if let Some(id) = id {
                keyboard::focus(&format!(
                    "[data-testid='gallery-item'][data-image-id='{id}'] [data-testid='image-open']"
                ));
            }
        }
    };
    view! {
        <dialog class="lightbox" node_ref=dialog data-testid="lightbox" aria-label="Photo viewer"
            on:close=on_close
            on:keydown=move |ev| match ev.key().as_str() {
                "ArrowRight" => { ev.prevent_default(); step(1) }
                "ArrowLeft" => { ev.prevent_default(); step(-1) }
                _ => {}
            }>
            {move || match (open.get(), showing()) {
                // A failed load says so here too (the page's message is behind the dialog);
                // the arrows ask again.
                (Some(_), None) => Some(match error.get().filter(|_| !loading.get()) {
                    Some(e) => view! {
                        <p class="form-error lightbox-loading" role="alert" data-testid="lightbox-error">
                            {format!("{e} Press an arrow to try again.")}
                        </p>
                    }.into_any(),
                    None => view! { <p class="muted lightbox-loading">"Loading…"</p> }.into_any(),
                }),
                _ => None,
            }}
            {move || showing().map(|item| {
                let position = open.get().unwrap_or_default() + 1;
                let alt = if item.alt_text.is_empty() { "Product photo".to_owned() } else { item.alt_text.clone() };
                view! {
                    <figure>
                        // The display variant alone: with a `w` srcset the browser would size a
                        // small photo to `sizes` and blur it; unstretched, it shows as it is.
                        <img src=item.url alt=alt.clone()
                            width=item.width.to_string() height=item.height.to_string() data-testid="lightbox-image"
                            data-image-id=item.id.to_string()/>
                        <figcaption>
                            <span data-testid="lightbox-position">{format!("{position} of {}", count())}</span>
                            <span class="muted">{alt.clone()}</span>
                        </figcaption>
                    </figure>
                }
            })}
            // The figure is drawn anew for each photo, and a new node is not announced: this
            // line stays, so a screen reader says which photo the arrows brought.
            <p class="visually-hidden" role="status" aria-live="polite" data-testid="lightbox-status">
                {move || showing().map(|item| {
                    let position = open.get().unwrap_or_default() + 1;
                    let alt = if item.alt_text.is_empty() { "Product photo".to_owned() } else { item.alt_text };
                    format!("{position} of {}: {alt}", count())
                })}
            </p>
            <div class="lightbox-controls">
                <button class="secondary" data-testid="lightbox-prev" aria-label="Previous photo" on:click=move |_| step(-1)>"←"</button>
                <button class="secondary" data-testid="lightbox-close" aria-label="Close" autofocus
                    // Through the dialog's own close, so `on_close` puts the focus on the photo
                    // last shown (clearing `open` first left that to the browser).
                    on:click=move |_| if let Some(el) = dialog.get_untracked() { el.close() }>"Close"</button>
                <button class="secondary" data-testid="lightbox-next" aria-label="Next photo" on:click=move |_| step(1)>"→"</button>
            </div>
        </dialog>
    }
}
