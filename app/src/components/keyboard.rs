//! Small keyboard and focus helpers shared by the review queue and the gallery. They only do
//! something in the browser (events and effects never run on the server).

use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{HtmlElement, KeyboardEvent};

/// True when a key press belongs to a text field or carries a modifier, so single-letter page
/// shortcuts never eat what someone types or the browser's own shortcuts.
pub fn is_typing(ev: &KeyboardEvent) -> bool {
    if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
        return true;
    }
    ev.target()
        .and_then(|t| t.dyn_into::<HtmlElement>().ok())
        .is_some_and(|el| match el.tag_name().as_str() {
            "INPUT" => takes_text(el.get_attribute("type").as_deref()),
            "TEXTAREA" | "SELECT" => true,
            _ => el.is_content_editable(),
        })
}

/// Whether an `<input>` of this `type` takes typed characters: a ticked checkbox (the review
/// queue's) must leave the page's letter shortcuts working.
fn takes_text(input_type: Option<&str>) -> bool {
    let kind = input_type.unwrap_or("text").to_ascii_lowercase();
    !matches!(
        kind.as_str(),
        "checkbox" | "radio" | "button" | "submit" | "reset" | "file" | "image" | "color" | "range"
    )
}

/// True when nothing has focus (it went to the page's body, as it does when the focused
/// element is removed): a redraw may then put it back where the work goes on.
pub fn focus_is_lost() -> bool {
    let document = leptos::prelude::document();
    match document.active_element() {
        None => true,
        Some(active) => document.body().is_some_and(|body| *body == active),
    }
}

/// Runs `put_back` on the next frame (once a redraw is in the document) if nothing has focus
/// then: the focused control went with the redraw, and `put_back` says where focus goes on.
/// If the person moved focus themselves meanwhile, it stays where they put it.
pub fn when_focus_is_lost(put_back: impl FnOnce() + 'static) {
    leptos::prelude::request_animation_frame(move || {
        if focus_is_lost() {
            put_back();
        }
    });
}

/// Whether a key press came from inside the element matching `area`, or from the page's body
/// (nothing focused): single-letter shortcuts act only there, never on a link elsewhere.
pub fn pressed_in(ev: &KeyboardEvent, area: &str) -> bool {
    let Some(el) = ev
        .target()
        .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
    else {
        return true;
    };
    el.tag_name() == "BODY" || el.closest(area).ok().flatten().is_some()
}

/// Moves keyboard focus to the first element matching `selector`; false if there is none.
pub fn focus(selector: &str) -> bool {
    element(selector).is_some_and(|el| el.focus().is_ok())
}

/// Clicks the first element matching `selector` (opening a file picker, say); false if none.
pub fn click(selector: &str) -> bool {
    element(selector).map(|el| el.click()).is_some()
}

fn element(selector: &str) -> Option<HtmlElement> {
    leptos::prelude::document()
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|el| el.dyn_into::<HtmlElement>().ok())
}
