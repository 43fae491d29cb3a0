//! Every request that changes something must come from the site itself. The session cookie's
//! `SameSite=Lax` alone lets a page on another port of the same host, or on a sibling
//! subdomain, act with a seller's or an admin's cookie; a top-level cross-site form could sign a
//! victim into the attacker's account. So a POST (or PUT, PATCH, DELETE) is accepted only when
//! the browser says it is same-origin (`Sec-Fetch-Site`), or its `Origin` is one of the site's
//! (`VITRINE_SITE_URL`; unset: the host the request names); one that carries neither header is
//! accepted only without a session cookie (a script signing in, which can act as no one yet).
//! Server functions must also say what they send: JSON or a URL-encoded form, never
//! `text/plain`, the type a cross-site form can send without asking.

use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::error::AppError;
use backend::AppState;
use backend::accounts::{SECURE_SESSION_COOKIE, SESSION_COOKIE};

use crate::answers::SERVER_FNS;

/// Why a request was refused (the sentence the caller reads).
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    CrossSite,
    UnknownOrigin(String),
    NoOriginWithSession,
    ContentType,
}

impl Refusal {
    fn answer(&self) -> AppError {
        let sentence = match self {
            Refusal::CrossSite => "This request came from another site, so it was refused. Use Vitrine's own pages.".to_owned(),
            Refusal::UnknownOrigin(origin) => format!(
                "This request came from {origin}, which is not this site, so it was refused. Operators: list every address of the site in VITRINE_SITE_URL."
            ),
            Refusal::NoOriginWithSession => "This request did not say where it came from, so it was refused. Use Vitrine's own pages, or a browser that sends Origin.".to_owned(),
            Refusal::ContentType => "Server functions take JSON or a URL-encoded form.".to_owned(),
        };
        match self {
            Refusal::ContentType => AppError::WrongContentType(sentence),
            _ => AppError::CrossSite(sentence),
        }
    }
}

/// What the rule looks at, read from one request.
pub struct Incoming<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub headers: &'a HeaderMap,
}

fn header(headers: &HeaderMap, name: impl header::AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn has_session_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|pair| {
            pair.trim()
                .split_once('=')
                .is_some_and(|(name, _)| name == SESSION_COOKIE || name == SECURE_SESSION_COOKIE)
        })
}

/// The rule. `site_origins`: the configured origins, or empty to compare with `Host`.
pub fn judge(request: &Incoming<'_>, site_origins: &[String]) -> Result<(), Refusal> {
    if matches!(
        *request.method,
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return Ok(());
    }
    let headers = request.headers;
    if request.path.starts_with(SERVER_FNS) {
        let essence = header(headers, header::CONTENT_TYPE)
            .and_then(|t| t.split(';').next())
            .map(|t| t.trim().to_ascii_lowercase());
        if !matches!(
            essence.as_deref(),
            Some("application/json" | "application/x-www-form-urlencoded")
        ) {
            return Err(Refusal::ContentType);
        }
    }
    // Browsers that send Fetch Metadata say it themselves, and cannot be made to lie.
    match header(headers, "sec-fetch-site") {
        Some("same-origin") => return Ok(()),
        Some(_) => return Err(Refusal::CrossSite),
        None => {}
    }
    match header(headers, header::ORIGIN) {
        Some(origin) => {
            let ours = if site_origins.is_empty() {
                let authority = origin.split_once("://").map(|(_, rest)| rest);
                authority.is_some() && authority == header(headers, header::HOST)
            } else {
                site_origins.iter().any(|o| o == origin)
            };
            if ours {
                Ok(())
            } else {
                Err(Refusal::UnknownOrigin(origin.to_owned()))
            }
        }
        None if has_session_cookie(headers) => Err(Refusal::NoOriginWithSession),
        None => Ok(()),
    }
}

pub async fn only_from_the_site(state: AppState, request: Request, next: Next) -> Response {
    let verdict = judge(
        &Incoming {
            method: request.method(),
            path: request.uri().path(),
            headers: request.headers(),
        },
        &state.settings.site_origins,
    );
    match verdict {
        Ok(()) => next.run(request).await,
        Err(refusal) => {
            tracing::warn!(
                ?refusal,
                path = request.uri().path(),
                "refused a request from outside the site"
            );
            let error = refusal.answer();
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::FORBIDDEN);
            (status, axum::Json(error)).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn check(
        method: Method,
        path: &str,
        headers: &[(&'static str, &str)],
        site: &[&str],
    ) -> Result<(), Refusal> {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        let site: Vec<String> = site.iter().map(|s| s.to_string()).collect();
        judge(
            &Incoming {
                method: &method,
                path,
                headers: &map,
            },
            &site,
        )
    }

    const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");
    const HOST: (&str, &str) = ("host", "127.0.0.1:3000");
    const SESSION: (&str, &str) = ("cookie", "theme=dark; vitrine_session=abc");

    #[test]
    fn reading_is_never_refused() {
        assert_eq!(
            check(
                Method::GET,
                "/products",
                &[("origin", "https://evil.example"), SESSION],
                &[]
            ),
            Ok(())
        );
    }

    #[test]
    fn the_browser_saying_same_origin_is_enough() {
        assert_eq!(
            check(
                Method::POST,
                "/api/x",
                &[FORM, ("sec-fetch-site", "same-origin"), SESSION],
                &[]
            ),
            Ok(())
        );
    }

    #[test]
    fn another_port_or_a_sibling_subdomain_is_refused() {
        for site in ["same-site", "cross-site", "none"] {
            assert_eq!(
                check(
                    Method::POST,
                    "/api/x",
                    &[FORM, ("sec-fetch-site", site), SESSION],
                    &[]
                ),
                Err(Refusal::CrossSite)
            );
        }
        assert_eq!(
            check(
                Method::POST,
                "/api/x",
                &[FORM, HOST, ("origin", "http://127.0.0.1:4000"), SESSION],
                &[]
            ),
            Err(Refusal::UnknownOrigin("http://127.0.0.1:4000".into()))
        );
        assert!(
            check(
                Method::POST,
                "/api/x",
                &[
                    FORM,
                    ("host", "shop.example"),
                    ("origin", "https://admin.shop.example")
                ],
                &[]
            )
            .is_err()
        );
        assert!(
            check(
                Method::POST,
                "/api/x",
                &[FORM, HOST, ("origin", "null"), SESSION],
                &[]
            )
            .is_err()
        );
    }

    #[test]
    fn the_origin_must_be_the_host_or_a_configured_site() {
        assert_eq!(
            check(
                Method::POST,
                "/api/x",
                &[FORM, HOST, ("origin", "http://127.0.0.1:3000"), SESSION],
                &[]
            ),
            Ok(())
        );
        let site = ["https://shop.example", "https://www.shop.example"];
        assert_eq!(
            check(
                Method::POST,
                "/api/x",
                &[
                    FORM,
                    ("host", "10.0.0.5:8080"),
                    ("origin", "https://www.shop.example"),
                    SESSION
                ],
                &site
            ),
            Ok(())
        );
        // Configured: the Host alone no longer vouches for anything.
        assert!(
            check(
                Method::POST,
                "/api/x",
                &[FORM, HOST, ("origin", "http://127.0.0.1:3000"), SESSION],
                &site
            )
            .is_err()
        );
    }

    #[test]
    fn without_origin_only_a_caller_without_a_session_passes() {
        assert_eq!(check(Method::POST, "/api/sign_in", &[FORM], &[]), Ok(()));
        assert_eq!(
            check(Method::POST, "/api/x", &[FORM, SESSION], &[]),
            Err(Refusal::NoOriginWithSession)
        );
    }

    #[test]
    fn server_functions_refuse_text_plain_and_missing_types() {
        let same = ("sec-fetch-site", "same-origin");
        assert_eq!(
            check(
                Method::POST,
                "/api/x",
                &[("content-type", "text/plain"), same],
                &[]
            ),
            Err(Refusal::ContentType)
        );
        assert_eq!(
            check(Method::POST, "/api/x", &[same], &[]),
            Err(Refusal::ContentType)
        );
        assert_eq!(
            check(
                Method::POST,
                "/api/x",
                &[("content-type", "application/json; charset=utf-8"), same],
                &[]
            ),
            Ok(())
        );
    }
}
