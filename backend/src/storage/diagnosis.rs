//! What the store's refusal means, for `vitrine doctor` and startup: the cheapest call that
//! proves credentials, permission, bucket and region at once, and a reading of its answer.

use aws_sdk_s3::error::DisplayErrorContext;

use super::ObjectStore;

/// Why the store refused, as far as its answer tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreProblem {
    UnknownKey,
    WrongSecret,
    AccessDenied,
    NoSuchBucket,
    WrongRegion,
    ClockSkew,
    Unreachable(String),
    Other(String),
}

impl StoreProblem {
    /// From the HTTP status and S3 error code of a refused request.
    pub fn classify(status: Option<u16>, code: Option<&str>, detail: String) -> Self {
        match (status, code) {
            (_, Some("InvalidAccessKeyId" | "NotSignedUp")) => Self::UnknownKey,
            (_, Some("SignatureDoesNotMatch")) => Self::WrongSecret,
            (_, Some("NoSuchBucket")) | (Some(404), None) => Self::NoSuchBucket,
            (
                _,
                Some(
                    "PermanentRedirect"
                    | "AuthorizationHeaderMalformed"
                    | "IllegalLocationConstraintException",
                ),
            )
            | (Some(301), _) => Self::WrongRegion,
            (_, Some("RequestTimeTooSkewed")) => Self::ClockSkew,
            (_, Some("AccessDenied" | "AllAccessDisabled")) | (Some(403), None) => {
                Self::AccessDenied
            }
            (None, _) => Self::Unreachable(detail),
            _ => Self::Other(detail),
        }
    }
}

impl ObjectStore {
    /// Lists at most one key: the cheapest call that proves key, secret, permission, bucket and
    /// region all at once, and whose error document names which of them is wrong.
    pub async fn probe(&self) -> Result<(), StoreProblem> {
        match self
            .inner
            .client
            .list_objects_v2()
            .bucket(&self.inner.bucket)
            .max_keys(1)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(err) => {
                let status = err.raw_response().map(|r| r.status().as_u16());
                let meta = aws_sdk_s3::error::ProvideErrorMetadata::meta(&err);
                let code = meta.code().map(str::to_owned);
                let detail = DisplayErrorContext(&err).to_string();
                Err(StoreProblem::classify(status, code.as_deref(), detail))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_answers_name_the_right_fix() {
        assert_eq!(
            StoreProblem::classify(Some(403), Some("SignatureDoesNotMatch"), String::new()),
            StoreProblem::WrongSecret
        );
        assert_eq!(
            StoreProblem::classify(Some(403), Some("InvalidAccessKeyId"), String::new()),
            StoreProblem::UnknownKey
        );
        assert_eq!(
            StoreProblem::classify(Some(404), Some("NoSuchBucket"), String::new()),
            StoreProblem::NoSuchBucket
        );
        assert_eq!(
            StoreProblem::classify(Some(301), None, String::new()),
            StoreProblem::WrongRegion
        );
        assert_eq!(
            StoreProblem::classify(Some(403), Some("AccessDenied"), String::new()),
            StoreProblem::AccessDenied
        );
        assert_eq!(
            StoreProblem::classify(Some(403), Some("RequestTimeTooSkewed"), String::new()),
            StoreProblem::ClockSkew
        );
        assert!(matches!(
            StoreProblem::classify(None, None, "dns".into()),
            StoreProblem::Unreachable(_)
        ));
    }
}
