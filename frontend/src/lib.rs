//! Browser entry point: hydrate the page the server rendered.

// Release builds (without `erase_components`) nest view types deeper than the default 128.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Some routes are lazy (their code is split off in release builds): the lazy hydration
    // waits for a lazy route's code before hydrating it, where hydrate_body would panic.
    leptos::mount::hydrate_lazy(app::App);
}
