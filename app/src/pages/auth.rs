//! Sign up, sign in, sign out, and "who am I".

use domain::limits::{EMAIL_CHARS, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::UserInfo;
use crate::error::AppError;

#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<Option<UserInfo>, AppError> {
    let account = crate::session::current_account().await?;
    Ok(account.map(|a| UserInfo {
        is_admin: a.is_admin(),
        email: a.email,
    }))
}

#[server(endpoint = "sign_up")]
pub async fn sign_up(email: String, password: String) -> Result<(), AppError> {
    let state = crate::session::state()?;
    let client = crate::session::client_address().await?;
    // Sign-up only ever makes sellers; admins come from `vitrine user add --admin`.
    let account = backend::accounts::sign_up(&state.db, &email, &password, client).await?;
    let device = backend::known_devices::remember(&state.db, account.id, None).await?;
    crate::session::start_session(&account).await?;
    crate::session::remember_device(&device)
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    let state = crate::session::state()?;
    let client = crate::session::client_address().await?;
    let device = crate::session::device_token().await?;
    let signed_in =
        backend::accounts::authenticate(&state.db, &email, &password, client, device.as_ref())
            .await?;
    crate::session::start_session(&signed_in.account).await?;
    crate::session::remember_device(&signed_in.device)
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    crate::session::end_session().await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    SignUp,
    SignIn,
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    view! { <AuthForm mode=Mode::SignUp/> }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    view! { <AuthForm mode=Mode::SignIn/> }
}

#[component]
fn AuthForm(mode: Mode) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submit = Action::new(move |(email, password): &(String, String)| {
        let (email, password) = (email.clone(), password.clone());
        async move {
            match mode {
                Mode::SignUp => sign_up(email, password).await,
                Mode::SignIn => sign_in(email, password).await,
            }
        }
    });
    // Back where the visitor was sent from (`?next=`, this site only), else their products.
    let query = use_query_map();
    let next = move || {
        query
            .read_untracked()
            .get("next")
            .and_then(|n| crate::routes::safe_next(&n).map(str::to_owned))
            .unwrap_or_else(|| "/products".to_owned())
    };
    // A full page load after success, so every part of the page sees the new session.
    Effect::new(move |_| {
        if let Some(Ok(())) = submit.value().get() {
            let _ = window().location().set_href(&next());
        }
    });
    let error = move || {
        submit
            .value()
            .get()
            .and_then(Result::err)
            .map(|e: AppError| e.to_string())
    };
    let (title, id, button, other) = match mode {
        Mode::SignUp => (
            "Create your seller account",
            "signup",
            "Create account",
            view! {
                <p class="muted">"Already have an account? "<a href="/signin">"Sign in"</a></p>
            }
            .into_any(),
        ),
        Mode::SignIn => (
            "Sign in",
            "signin",
            "Sign in",
            view! {
                <p class="muted">"New to Vitrine? "<a href="/signup">"Create an account"</a></p>
            }
            .into_any(),
        ),
    };
    let autocomplete = if mode == Mode::SignUp {
        "new-password"
    } else {
        "current-password"
    };

    view! {
        <Title text=title/>
        <section class="card narrow">
            <h1>{title}</h1>
            <form
                class="form"
                on:submit=move |ev| {
                    ev.prevent_default();
                    submit.dispatch((email.get_untracked(), password.get_untracked()));
                }
            >
                <label>
                    "E-mail"
                    <input type="email" name="email" required maxlength=EMAIL_CHARS autocomplete="email"
                        data-testid=format!("{id}-email") bind:value=email/>
                </label>
                <label>
                    "Password"
                    <input type="password" name="password" required minlength=PASSWORD_MIN_CHARS maxlength=PASSWORD_MAX_CHARS autocomplete=autocomplete
                        data-testid=format!("{id}-password") bind:value=password/>
                    {(mode == Mode::SignUp).then(|| view! { <small class="muted">{format!("At least {PASSWORD_MIN_CHARS} characters.")}</small> })}
                </label>
                <p class="form-error" role="alert" aria-live="assertive">{error}</p>
                <button type="submit" data-testid=format!("{id}-submit") disabled=move || submit.pending().get()>
                    {move || if submit.pending().get() { "Please wait…" } else { button }}
                </button>
            </form>
            {other}
        </section>
    }
}
