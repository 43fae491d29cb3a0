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
        // Every line, in order: a proxy may add its own line after the client's (HAProxy's
        // `option forwardfor` does), and the first line alone would be the client's word.
        let forwarded_for: Vec<&str> = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let forwarded_for = forwarded_for.join(",");
        let client = client_address(
            peer.ip(),
            Some(forwarded_for.as_str()),
            state.settings.trusted_proxies,
        );
        request.extensions_mut().insert(ClientAddress(client));
    }
    next.run(request).await
}
