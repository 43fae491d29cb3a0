use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text=""/>
        <section class="hero">
            <h1>"Product photos that load fast and stay put."</h1>
            <p class="lead">
                "Vitrine shrinks your phone photos right in the browser, strips their location data, and stores them "
                "in your own S3 bucket. Nothing is lost when your host redeploys."
            </p>
            <p class="actions">
                <a class="button" href="/signup">"Create a seller account"</a>
                <a class="button secondary" href="/signin">"Sign in"</a>
            </p>
        </section>
    }
}
