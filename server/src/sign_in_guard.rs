//! Page loads of seller and admin pages without a session go to `/signin?next=…` (a real
//! redirect, so it works before any JavaScript runs). Server functions are not redirected:
//! they answer `Unauthenticated`, which the page turns into the same redirect.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use backend::AppState;

pub async fn redirect_signed_out(state: AppState, mut request: Request, next: Next) -> Response {
    let uri = request.uri();
    if app::routes::requires_sign_in(uri.path()) {
        match app::session::account_from_headers(&state, request.headers()).await {
            // The page's server functions, run while rendering it, ask who is signed in again.
            Ok(Some(account)) => {
                request
                    .extensions_mut()
                    .insert(app::session::SignedIn(account));
            }
            Ok(None) => {
                let back_to = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
                return Redirect::to(&app::routes::sign_in_path(back_to)).into_response();
            }
            // Not knowing is not being signed out: the page renders, and its own calls say the
            // server cannot answer just now, rather than sending a seller to sign in again.
            Err(err) => tracing::warn!(%err, "who is asking: unknown for now"),
        }
    }
    next.run(request).await
}
