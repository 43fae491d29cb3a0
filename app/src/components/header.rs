use leptos::prelude::*;

use crate::pages::auth::{sign_out, whoami};

#[component]
pub fn Header() -> impl IntoView {
    let user = Resource::new(|| (), |_| whoami());
    let sign_out_action = Action::new(|_: &()| sign_out());
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out_action.value().get() {
            let _ = window().location().set_href("/signin");
        }
    });
    // A sign-out the server did not take is said, never left looking done: still signed in.
    let sign_out_error = move || {
        sign_out_action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| format!("Not signed out: {e}"))
    };

    view! {
        <header class="topbar">
            <a class="brand" href="/">"Vitrine"</a>
            <nav>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match user.await {
                            Ok(Some(me)) => view! {
                                <a href="/products">"Products"</a>
                                {me.is_admin.then(|| view! { <a href="/admin/review">"Review"</a> })}
                                <a class="who" href="/account" title="Your account" data-testid="account-link">
                                    // On a phone the address gives way to a word, but the link stays:
                                    // "sign out everywhere" after a lost phone is behind it.
                                    <span class="who-email">{me.email}</span>
                                    <span class="who-short">"Account"</span>
                                </a>
                                <button class="link" data-testid="signout" disabled=move || sign_out_action.pending().get()
                                    on:click=move |_| { sign_out_action.dispatch(()); }>
                                    "Sign out"
                                </button>
                                {move || sign_out_error().map(|e| view! {
                                    <span class="form-error" role="alert" data-testid="signout-error">{e}</span>
                                })}
                            }.into_any(),
                            _ => view! {
                                <a href="/signin">"Sign in"</a>
                                <a class="button small" href="/signup">"Sign up"</a>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </nav>
        </header>
    }
}
