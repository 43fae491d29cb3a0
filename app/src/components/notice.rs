use leptos::prelude::*;

use crate::error::AppError;

/// An error shown in place of a page's content; a signed-out visitor is offered to sign in.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let sign_in = matches!(error, AppError::Unauthenticated);
    view! {
        <section class="notice" role="alert">
            <p>{error.to_string()}</p>
            {sign_in.then(|| view! {
                <p><a class="button" href="/signin">"Sign in"</a>" or "<a href="/signup">"create an account"</a></p>
            })}
        </section>
    }
}
