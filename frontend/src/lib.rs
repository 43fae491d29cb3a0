//! Browser entry point: hydrate the page the server rendered.

// Release builds (without `erase_components`) nest view types deeper than the default 128.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    say_when_the_page_stops();
    // Some routes are lazy (their code is split off in release builds): the lazy hydration
    // waits for a lazy route's code before hydrating it, where hydrate_body would panic.
    leptos::mount::hydrate_lazy(app::App);
}

/// A panic aborts the page's WebAssembly: every button would look fine and do nothing. So the
/// page says it stopped, with a link that reloads it (a plain link, which needs no script).
/// Known cause: a lazy route whose code could not be downloaded (Leptos panics there).
fn say_when_the_page_stops() {
    let logged = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        logged(info);
        show_stopped_notice();
    }));
}

fn show_stopped_notice() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let (Some(document), Ok(here)) = (window.document(), window.location().href()) else {
        return;
    };
    let (Some(body), Ok(notice), Ok(reload)) = (
        document.body(),
        document.create_element("div"),
        document.create_element("a"),
    ) else {
        return;
    };
    if document.get_element_by_id("page-stopped").is_some() {
        return;
    }
    notice.set_id("page-stopped");
    let _ = notice.set_attribute("class", "page-stopped");
    let _ = notice.set_attribute("role", "alert");
    let _ = notice.set_attribute("data-testid", "page-stopped");
    notice.set_text_content(Some(
        "This page stopped working (see the browser's console). ",
    ));
    let _ = reload.set_attribute("href", &here);
    let _ = reload.set_attribute("class", "button");
    // The router (still listening) would take an ordinary link and route it in place.
    let _ = reload.set_attribute("rel", "external");
    reload.set_text_content(Some("Reload the page"));
    let _ = notice.append_child(&reload);
    let _ = body.prepend_with_node_1(&notice);
}
