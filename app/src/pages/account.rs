//! The account page: who is signed in, on how many devices, and "sign out everywhere" for a
//! lost phone or a computer that was not one's own.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::AccountInfo;
use crate::components::notice::ErrorNotice;
use crate::error::AppError;

#[server(endpoint = "account_overview")]
pub async fn account_overview() -> Result<AccountInfo, AppError> {
    let account = crate::session::require_account().await?;
    let state = crate::session::state()?;
    let sessions = backend::accounts::live_sessions(&state.db, account.id).await?;
    Ok(AccountInfo {
        is_admin: account.is_admin(),
        email: account.email,
        sessions,
    })
}

#[server(endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<u64, AppError> {
    let account = crate::session::require_account().await?;
    crate::session::end_every_session(&account).await
}

fn devices(n: u64) -> String {
    match n {
        1 => "Signed in on this device only.".to_owned(),
        n => format!("Signed in on {n} devices or browsers, this one included."),
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| account_overview());
    let everywhere = Action::new(|_: &()| sign_out_everywhere());
    // Every session ended, this one too: a full load of the sign-in page.
    Effect::new(move |_| {
        if let Some(Ok(_)) = everywhere.value().get() {
            let _ = window().location().set_href("/signin");
        }
    });
    let failed = move || everywhere.value().get().and_then(Result::err);

    view! {
        <Title text="Your account"/>
        <section class="card narrow">
            <h1>"Your account"</h1>
            <Transition fallback=|| view! { <p class="muted">"Loading your account…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                        Ok(me) => view! {
                            <dl class="facts">
                                <dt>"E-mail"</dt>
                                <dd data-testid="account-email">{me.email}</dd>
                                <dt>"Role"</dt>
                                <dd>{if me.is_admin { "Admin" } else { "Seller" }}</dd>
                                <dt>"Sessions"</dt>
                                <dd data-testid="account-sessions">{devices(me.sessions)}</dd>
                            </dl>
                        }.into_any(),
                    }
                })}
            </Transition>
            <h2>"Sign out everywhere"</h2>
            <p class="muted">
                "Ends every session of this account, on every device and browser, this one included. "
                "Use it after signing in on a computer that is not yours, or when a phone is lost."
            </p>
            {move || failed().map(|e| view! { <ErrorNotice error=e/> })}
            <button class="danger" data-testid="sign-out-everywhere"
                disabled=move || everywhere.pending().get()
                on:click=move |_| { everywhere.dispatch(()); }>
                {move || if everywhere.pending().get() { "Signing out…" } else { "Sign out everywhere" }}
            </button>
        </section>
    }
}

/// The route, lazy: with `cargo leptos --split` (release builds) this page's code is a separate
/// WebAssembly file, loaded when someone opens their account page, so other pages (a product page on a phone) do not
/// download it.
pub struct AccountRoute;

#[leptos_router::lazy_route]
impl leptos_router::LazyRoute for AccountRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <AccountPage/> }.into_any()
    }
}
