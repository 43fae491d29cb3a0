//! Who sent each request, by address, found once here (the connection's peer, or the entry
//! of `X-Forwarded-For` the trusted proxies vouch for) and handed to server functions, whose
//! sign-in and sign-up limits count by it.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;
use backend::AppState;
use backend::attempts::{ClientAddress, client_address};

pub async fn note(state: AppState, mut request: Request, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        let forwarded_for = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        let client = client_address(peer.ip(), forwarded_for, state.settings.trusted_proxies);
        request.extensions_mut().insert(ClientAddress(client));
    }
    next.run(request).await
}
