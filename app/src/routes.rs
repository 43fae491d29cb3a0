//! Which pages need a signed-in account, and where to send a visitor who has none.
//! Shared by the server (it redirects page loads) and the browser (client-side navigations).

/// Pages only a signed-in account may open.
const SIGNED_IN_PREFIXES: &[&str] = &["/products", "/admin", "/account"];

pub fn requires_sign_in(path: &str) -> bool {
    SIGNED_IN_PREFIXES
        .iter()
        .any(|prefix| path == *prefix || path.starts_with(&format!("{prefix}/")))
}

/// `/signin`, returning to `back_to` afterwards.
pub fn sign_in_path(back_to: &str) -> String {
    match safe_next(back_to) {
        Some(next) => format!("/signin?next={}", urlencoding::encode(next)),
        None => "/signin".to_owned(),
    }
}

/// Where to go after signing in: `next` if it is a path on this site, so the parameter cannot
/// send anyone to another site (`//evil.example`, `https://…`, `/\evil`).
pub fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control());
    ok.then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seller_and_admin_pages_need_sign_in() {
        assert!(requires_sign_in("/products"));
        assert!(requires_sign_in("/products/7"));
        assert!(requires_sign_in("/products/7/history"));
        assert!(requires_sign_in("/admin/review"));
        assert!(requires_sign_in("/account"));
        assert!(!requires_sign_in("/"));
        assert!(!requires_sign_in("/store/7"));
        assert!(!requires_sign_in("/productsale"));
        assert!(!requires_sign_in("/signin"));
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/products/3"), Some("/products/3"));
        assert_eq!(safe_next("//evil.example"), None);
        assert_eq!(safe_next("https://evil.example"), None);
        assert_eq!(safe_next("/\\evil.example"), None);
        assert_eq!(
            sign_in_path("/admin/review"),
            "/signin?next=%2Fadmin%2Freview"
        );
        assert_eq!(sign_in_path("https://x"), "/signin");
    }
}
