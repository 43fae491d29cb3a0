//! Who is asking (server only): the session cookie, read and written inside server functions.

use backend::AppState;
use backend::accounts::{self, Account, SESSION_LIFETIME, session_cookie};
use backend::known_devices::{DEVICE_LIFETIME, DeviceToken, device_cookie};
use http::header::{COOKIE, HOST, SET_COOKIE};
use http::request::Parts;
use http::{HeaderMap, HeaderValue};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::error::AppError;

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>()
        .ok_or_else(|| AppError::Unavailable("The server is not set up correctly.".into()))
}

async fn request_parts() -> Result<Parts, AppError> {
    leptos_axum::extract::<Parts>()
        .await
        .map_err(|e| AppError::Unavailable(format!("Cannot read the request: {e}")))
}

/// The session token the request carries, under the cookie name these settings use (a
/// plain-HTTP name is never read when cookies are `Secure`).
fn session_token(state: &AppState, headers: &HeaderMap) -> Option<String> {
    cookie(headers, session_cookie(state.settings.secure_cookies))
}

/// The value of cookie `name` in `headers`.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value.to_owned())
}

/// The proof this browser carries of an earlier sign-in (`backend::known_devices`), if any.
pub async fn device_token() -> Result<Option<DeviceToken>, AppError> {
    let state = state()?;
    let parts = request_parts().await?;
    Ok(
        cookie(&parts.headers, device_cookie(state.settings.secure_cookies))
            .and_then(|raw| DeviceToken::parse(&raw)),
    )
}

/// Keeps `token` in this browser (HttpOnly, SameSite=Strict, for as long as it stays known).
pub fn remember_device(token: &DeviceToken) -> Result<(), AppError> {
    let state = state()?;
    let secure = state.settings.secure_cookies;
    set_cookie(
        device_cookie(secure),
        token.as_str(),
        "Strict",
        DEVICE_LIFETIME.as_secs(),
        secure,
    );
    Ok(())
}

/// The Host the browser used (same-origin media URLs are signed for it).
pub async fn request_host() -> Result<Option<String>, AppError> {
    Ok(request_parts()
        .await?
        .headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned))
}

/// The client's address, as the server found it (`server::client_address`): what sign-in
/// and sign-up limits count by.
pub async fn client_address() -> Result<std::net::IpAddr, AppError> {
    request_parts()
        .await?
        .extensions
        .get::<backend::attempts::ClientAddress>()
        .map(|client| client.0)
        .ok_or_else(|| AppError::Unavailable("The server is not set up correctly.".into()))
}

/// The account the server's sign-in guard found for a page request, kept in the request's
/// extensions so the page's own server functions (its header, its data) do not look the
/// session up again while rendering it.
#[derive(Debug, Clone)]
pub struct SignedIn(pub Account);

/// The signed-in account, if any.
pub async fn current_account() -> Result<Option<Account>, AppError> {
    let parts = request_parts().await?;
    if let Some(SignedIn(account)) = parts.extensions.get::<SignedIn>() {
        return Ok(Some(account.clone()));
    }
    account_from_headers(&state()?, &parts.headers).await
}

/// The account whose session cookie `headers` carry, if any (also used outside server
/// functions, by the server's sign-in redirect).
pub async fn account_from_headers(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Account>, AppError> {
    let Some(token) = session_token(state, headers) else {
        return Ok(None);
    };
    Ok(accounts::from_session(&state.db, &token).await?)
}

/// The signed-in account, or `Unauthenticated`.
pub async fn require_account() -> Result<Account, AppError> {
    current_account().await?.ok_or(AppError::Unauthenticated)
}

/// Opens a session for `account` and sets its cookie (HttpOnly, SameSite=Lax; Secure and
/// `__Host-` per config). The session the browser had before, if any, ends: a token planted
/// or seen before sign-in is worth nothing after it.
pub async fn start_session(account: &Account) -> Result<(), AppError> {
    let state = state()?;
    let parts = request_parts().await?;
    if let Some(old) = session_token(&state, &parts.headers) {
        accounts::close_session(&state.db, &old).await?;
    }
    let token = accounts::open_session(&state.db, account).await?;
    set_session_cookie(&state, &token, SESSION_LIFETIME.as_secs());
    Ok(())
}

/// Ends the caller's session, in the database and in the browser.
pub async fn end_session() -> Result<(), AppError> {
    let state = state()?;
    let parts = request_parts().await?;
    if let Some(token) = session_token(&state, &parts.headers) {
        accounts::close_session(&state.db, &token).await?;
    }
    set_session_cookie(&state, "", 0);
    Ok(())
}

/// Ends every session of the caller's account, this one included; this browser stays known.
pub async fn end_every_session(account: &Account) -> Result<u64, AppError> {
    let state = state()?;
    let keep = device_token().await?;
    let ended = accounts::close_all_sessions(&state.db, account.id, keep.as_ref()).await?;
    set_session_cookie(&state, "", 0);
    Ok(ended)
}

fn set_session_cookie(state: &AppState, token: &str, max_age_secs: u64) {
    let secure = state.settings.secure_cookies;
    set_cookie(session_cookie(secure), token, "Lax", max_age_secs, secure);
}

fn set_cookie(name: &str, token: &str, same_site: &str, max_age_secs: u64, secure: bool) {
    let secure = if secure { "; Secure" } else { "" };
    let value = format!(
        "{name}={token}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age_secs}{secure}"
    );
    if let (Some(options), Ok(header)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&value),
    ) {
        options.append_header(SET_COOKIE, header);
    }
}
