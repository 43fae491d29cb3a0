//! Who is asking (server only): the session cookie, read and written inside server functions.

use backend::AppState;
use backend::accounts::{self, Account, SESSION_COOKIE, SESSION_LIFETIME};
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

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
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

/// The signed-in account, if any.
pub async fn current_account() -> Result<Option<Account>, AppError> {
    let parts = request_parts().await?;
    account_from_headers(&state()?, &parts.headers).await
}

/// The account whose session cookie `headers` carry, if any (also used outside server
/// functions, by the server's sign-in redirect).
pub async fn account_from_headers(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Account>, AppError> {
    let Some(token) = session_token(headers) else {
        return Ok(None);
    };
    Ok(accounts::from_session(&state.db, &token).await?)
}

/// The signed-in account, or `Unauthenticated`.
pub async fn require_account() -> Result<Account, AppError> {
    current_account().await?.ok_or(AppError::Unauthenticated)
}

fn set_cookie(value: String) {
    if let (Some(options), Ok(header)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&value),
    ) {
        options.append_header(SET_COOKIE, header);
    }
}

/// Opens a session for `account` and sets its cookie (HttpOnly, SameSite=Lax, Secure per config).
pub async fn start_session(account: &Account) -> Result<(), AppError> {
    let state = state()?;
    let token = accounts::open_session(&state.db, account).await?;
    let secure = if state.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    set_cookie(format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        SESSION_LIFETIME.as_secs()
    ));
    Ok(())
}

/// Ends the caller's session, in the database and in the browser.
pub async fn end_session() -> Result<(), AppError> {
    let parts = request_parts().await?;
    if let Some(token) = session_token(&parts.headers) {
        accounts::close_session(&state()?.db, &token).await?;
    }
    set_cookie(format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
    ));
    Ok(())
}
