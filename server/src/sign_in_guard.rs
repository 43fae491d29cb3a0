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
        let account = app::session::account_from_headers(&state, request.headers())
            .await
            .ok()
            .flatten();
        let Some(account) = account else {
            let back_to = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
            return Redirect::to(&app::routes::sign_in_path(back_to)).into_response();
        };
        // The page's server functions, run while rendering it, ask who is signed in again.
        request
            .extensions_mut()
            .insert(app::session::SignedIn(account));
    }
    next.run(request).await
}
