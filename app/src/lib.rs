//! Vitrine's user interface and its server functions.
//!
//! - `pages/`: one module per route, each with the server functions it calls.
//! - `components/`: pieces shared by pages (header, gallery).
//! - `upload/`: the uploader and the browser-to-bucket protocol (process → begin → transfer →
//!   complete), with the `begin_upload`/`complete_upload` server functions.
//! - `api`: the types server functions exchange; `error`: the one error type they return.
//! - `session` (server only): who is asking; `routes`: which pages need it.
//!
//! # Resources
//! A page loads what it shows with one resource, awaited once in one `Suspend` (two awaited
//! one after the other in the same `Suspend` left the server's stream waiting forever on some
//! loads). It creates that resource (and any `Suspense`/`Transition`) in its component body,
//! never inside a `Suspend`. Each takes the next number from one counter, and the browser finds
//! a resource's server-rendered value by that number. The server may run a `Suspend`'s body
//! several times (its `Suspense` walks the children again whenever a resource settles), and
//! how many times depends on which request finished first; the browser runs it once. A
//! resource made inside would be numbered differently on each side, the browser would read
//! another value, and hydration would fail on some loads only.

// Release builds (without `erase_components`) nest view types deeper than the default 128.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod error;
pub mod format;
pub mod pages;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod session;
pub mod upload;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, SsrMode, StaticSegment, path};

use components::header::Header;
use pages::{
    account::AccountRoute,
    auth::{SignInPage, SignUpPage},
    history::HistoryRoute,
    home::HomePage,
    not_found::NotFound,
    product::ProductPage,
    products::ProductsPage,
    review::ReviewRoute,
    storefront::StorefrontPage,
};

/// The response header that carries a page's script nonce from [`shell`] to the server's
/// safety headers, which write the Content-Security-Policy around it and drop this header.
pub const SCRIPT_NONCE_HEADER: &str = "x-vitrine-script-nonce";

/// The HTML document around every page (server only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    pass_script_nonce();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                // Without it browsers ask for /favicon.ico on every page and get a 404.
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                // Named with its content's hash when the build hashes names (see the server's
                // site_files): browsers keep it until it changes.
                <HashedStylesheet options=options.clone() id="leptos"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Leptos marks its hydration and streaming scripts with a fresh nonce per response; only
/// scripts with that nonce may run, so the policy must name it.
#[cfg(feature = "ssr")]
fn pass_script_nonce() {
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    if let Ok(value) = http::HeaderValue::from_str(&nonce) {
        response.insert_header(http::HeaderName::from_static(SCRIPT_NONCE_HEADER), value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Set only in the browser, once hydrated: tests wait for it before clicking.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    view! {
        <Title formatter=|title: String| if title.is_empty() { "Vitrine".to_owned() } else { format!("{title} · Vitrine") }/>
        <Router>
            <div class="app" data-hydrated=move || hydrated.get().to_string()>
                <Header/>
                <main class="main">
                    <Routes fallback=NotFound>
                        <Route path=StaticSegment("") view=HomePage/>
                        <Route path=path!("/signup") view=SignUpPage/>
                        <Route path=path!("/signin") view=SignInPage/>
                        <Route path=path!("/products") view=ProductsPage/>
                        // Async where a page can be missing or not the caller's: its 404 (403)
                        // must reach the status line (see ErrorNotice). It waits for one query.
                        <Route path=path!("/products/:id") view=ProductPage ssr=SsrMode::Async/>
                        <Route path=path!("/products/:id/history") view={Lazy::<HistoryRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/admin/review") view={Lazy::<ReviewRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("/account") view={Lazy::<AccountRoute>::new()}/>
                        <Route path=path!("/store/:id") view=StorefrontPage ssr=SsrMode::Async/>
                    </Routes>
                </main>
            </div>
        </Router>
    }
}
