//! The store's keys, asked of their provider once and kept until shortly before they expire.
//! The SDK caches them for its own requests, but the provider it hands out does not: for POST
//! policies and media URLs each signature would ask it again (on EC2 or ECS, an HTTP call to
//! the instance's metadata service per URL).

use std::sync::RwLock;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};

use super::storage_error;
use crate::Error;

/// Temporary keys are renewed this long before they expire, so no URL is signed with keys
/// about to stop working.
const RENEW_BEFORE: Duration = Duration::from_secs(5 * 60);

pub(super) struct CachedCredentials {
    provider: Option<SharedCredentialsProvider>,
    held: RwLock<Option<Credentials>>,
}

impl CachedCredentials {
    pub(super) fn new(provider: Option<SharedCredentialsProvider>) -> Self {
        Self {
            provider,
            held: RwLock::new(None),
        }
    }

    /// Keys valid for at least `RENEW_BEFORE` more.
    pub(super) async fn get(&self) -> Result<Credentials, Error> {
        let now = SystemTime::now();
        let held = self.held.read().ok().and_then(|held| held.clone());
        if let Some(credentials) = held.filter(|c| fresh(c, now)) {
            return Ok(credentials);
        }
        let provider = self.provider.as_ref().ok_or_else(|| {
            Error::Internal(
                "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".into(),
            )
        })?;
        let credentials = provider
            .provide_credentials()
            .await
            .map_err(storage_error)?;
        if let Ok(mut held) = self.held.write() {
            *held = Some(credentials.clone());
        }
        Ok(credentials)
    }
}

fn fresh(credentials: &Credentials, now: SystemTime) -> bool {
    credentials
        .expiry()
        .is_none_or(|expiry| expiry > now + RENEW_BEFORE)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use aws_credential_types::provider::future;

    use super::*;

    /// Counts how often it is asked, handing out keys that expire `lifetime` from now.
    #[derive(Debug)]
    struct Counting {
        asked: Arc<AtomicUsize>,
        lifetime: Option<Duration>,
    }

    impl ProvideCredentials for Counting {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            self.asked.fetch_add(1, Ordering::SeqCst);
            future::ProvideCredentials::ready(Ok(Credentials::new(
                "AKID",
                "secret",
                None,
                self.lifetime.map(|l| SystemTime::now() + l),
                "counting",
            )))
        }
    }

    async fn asked_for(lifetime: Option<Duration>, uses: usize) -> usize {
        let asked = Arc::new(AtomicUsize::new(0));
        let cache = CachedCredentials::new(Some(SharedCredentialsProvider::new(Counting {
            asked: asked.clone(),
            lifetime,
        })));
        for _ in 0..uses {
            assert_eq!(cache.get().await.unwrap().access_key_id(), "AKID");
        }
        asked.load(Ordering::SeqCst)
    }

    #[tokio::test]
    async fn keys_are_asked_for_once_and_renewed_before_they_expire() {
        assert_eq!(asked_for(None, 100).await, 1, "long-lived keys");
        assert_eq!(asked_for(Some(Duration::from_secs(3600)), 100).await, 1);
        // Keys about to expire are never handed out twice.
        assert_eq!(asked_for(Some(Duration::from_secs(60)), 3).await, 3);
    }

    #[tokio::test]
    async fn no_provider_says_which_keys_to_set() {
        let err = CachedCredentials::new(None).get().await.unwrap_err();
        assert!(err.to_string().contains("AWS_ACCESS_KEY_ID"), "{err}");
    }
}
