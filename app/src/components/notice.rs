use leptos::prelude::*;

use crate::error::AppError;

/// An error shown in place of a page's content; a signed-out visitor is sent to sign in.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    // The status line says what the notice says, on routes that wait for their data before
    // answering (`SsrMode::Async`); on streamed ones the status has already gone out.
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = http::StatusCode::from_u16(error.status())
    {
        response.set_status(status);
    }
    let sign_in = matches!(error, AppError::Unauthenticated);
    // A session that ended while the page was open: go and sign in, then come back here.
    // (Page loads without a session are redirected by the server before this renders.)
    Effect::new(move |_| {
        if sign_in {
            let location = window().location();
            let here = format!(
                "{}{}",
                location.pathname().unwrap_or_default(),
                location.search().unwrap_or_default()
            );
            let _ = location.set_href(&crate::routes::sign_in_path(&here));
        }
    });
    view! {
        <section class="notice" role="alert">
            <p>{error.to_string()}</p>
            {sign_in.then(|| view! {
                <p><a class="button" href="/signin">"Sign in"</a>" or "<a href="/signup">"create an account"</a></p>
            })}
        </section>
    }
}
