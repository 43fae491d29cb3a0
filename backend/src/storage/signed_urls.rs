//! Media URLs already signed in the current signing window. A URL is signed from the start of
//! its window (`browser_signing::signed_get_url`), so until the window moves on the same key
//! gives the same URL: a gallery rendered again (a seller's 500 pictures, a busy storefront)
//! takes its 1,500 URLs from here instead of signing them again. Only a cache: every instance
//! keeps its own, and losing it costs one signing.

use std::num::NonZeroUsize;
use std::sync::{Mutex, PoisonError};

use lru::LruCache;

/// About 450 bytes an entry, so at most about 9 MB: the URLs of some 6,600 pictures.
const CAPACITY: NonZeroUsize = match NonZeroUsize::new(20_000) {
    Some(capacity) => capacity,
    None => unreachable!(),
};

pub(super) struct SignedUrls {
    /// By [`SignedUrls::id`]: the window's start (seconds since the epoch) and the URL.
    entries: Mutex<LruCache<String, (u64, String)>>,
}

impl SignedUrls {
    pub fn new() -> Self {
        Self {
            entries: Mutex::new(LruCache::new(CAPACITY)),
        }
    }

    /// Everything a URL depends on besides its window: who signs (credentials that rotate get
    /// new access key ids), where it points (the embedded store answers on the page's host)
    /// and the key. Neither of the first two holds a newline, so no two inputs share an id.
    pub fn id(access_key_id: &str, bucket_url: &str, key: &str) -> String {
        format!("{access_key_id}\n{bucket_url}\n{key}")
    }

    /// The URL signed for `id` in the window starting at `window`, if there is one.
    pub fn get(&self, id: &str, window: u64) -> Option<String> {
        // A panic elsewhere while the lock was held leaves at worst a stale entry, which the
        // window check below refuses anyway.
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        match entries.get(id) {
            Some((signed_in, url)) if *signed_in == window => Some(url.clone()),
            _ => None,
        }
    }

    pub fn put(&self, id: String, window: u64, url: String) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.put(id, (window, url));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_given_again_only_in_its_own_window() {
        let urls = SignedUrls::new();
        let id = SignedUrls::id("AKID", "https://store/shop", "media/1/a.jpg");
        assert_eq!(urls.get(&id, 600), None);
        urls.put(id.clone(), 600, "signed at 600".into());
        assert_eq!(urls.get(&id, 600).as_deref(), Some("signed at 600"));
        // The next window, other keys, other credentials or another host: signed afresh.
        assert_eq!(urls.get(&id, 1200), None);
        for other in [
            SignedUrls::id("AKID", "https://store/shop", "media/1/b.jpg"),
            SignedUrls::id("AKID2", "https://store/shop", "media/1/a.jpg"),
            SignedUrls::id("AKID", "https://other/shop", "media/1/a.jpg"),
        ] {
            assert_eq!(urls.get(&other, 600), None);
        }
    }

    #[test]
    fn it_holds_a_bounded_number_of_urls() {
        let urls = SignedUrls::new();
        for n in 0..CAPACITY.get() + 10 {
            urls.put(format!("key {n}"), 0, format!("url {n}"));
        }
        let entries = urls.entries.lock().unwrap_or_else(PoisonError::into_inner);
        assert_eq!(entries.len(), CAPACITY.get());
        // The oldest went first.
        assert!(!entries.contains("key 0"));
        assert!(entries.contains(&format!("key {}", CAPACITY.get() + 9)));
    }
}
