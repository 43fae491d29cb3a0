//! Why a POST upload is refused, worded and numbered as S3 words and numbers it, so the browser
//! and the tests see the same answers from the embedded store as from AWS.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("Not a readable multipart form: {0}")]
    Malformed(String),
    #[error("The form has no policy: the embedded store takes no anonymous uploads")]
    NoPolicy,
    #[error("The policy is not a readable policy document: {0}")]
    UnreadablePolicy(String),
    #[error("Invalid according to Policy: Policy expired")]
    Expired,
    #[error(
        "Invalid according to Policy: Policy Condition failed: the policy has no condition on the bucket"
    )]
    PolicyWithoutBucket,
    #[error("Invalid according to Policy: Policy Condition failed: {0}")]
    ConditionFailed(String),
    #[error("Invalid according to Policy: Extra input fields: {0}")]
    ExtraField(String),
    #[error("The form is not signed with AWS4-HMAC-SHA256 ({0})")]
    UnsignedForm(String),
    #[error("The access key in x-amz-credential is not this store's")]
    UnknownAccessKey,
    #[error("The form's signature does not match its policy")]
    SignatureDoesNotMatch,
    #[error(
        "The file name cannot be used in ${{filename}}: it is empty, or holds '/', '..' or control characters"
    )]
    UnsafeFilename,
    #[error("The form has no file")]
    NoFile,
    #[error("Your proposed upload exceeds the maximum allowed size ({max} bytes)")]
    TooLarge { max: u64 },
    #[error("Your proposed upload is smaller than the minimum allowed size ({min} bytes)")]
    TooSmall { min: u64 },
    /// What the store itself answered (a checksum that differs, a key it cannot hold...).
    #[error("{message}")]
    Store {
        status: StatusCode,
        code: String,
        message: String,
    },
}

impl Refusal {
    fn status_and_code(&self) -> (StatusCode, &str) {
        use StatusCode as S;
        match self {
            Refusal::Malformed(_) => (S::BAD_REQUEST, "MalformedPOSTRequest"),
            Refusal::NoPolicy
            | Refusal::Expired
            | Refusal::PolicyWithoutBucket
            | Refusal::ConditionFailed(_)
            | Refusal::ExtraField(_) => (S::FORBIDDEN, "AccessDenied"),
            Refusal::UnreadablePolicy(_) => (S::BAD_REQUEST, "InvalidPolicyDocument"),
            Refusal::UnsignedForm(_) | Refusal::UnsafeFilename | Refusal::NoFile => {
                (S::BAD_REQUEST, "InvalidArgument")
            }
            Refusal::UnknownAccessKey => (S::FORBIDDEN, "InvalidAccessKeyId"),
            Refusal::SignatureDoesNotMatch => (S::FORBIDDEN, "SignatureDoesNotMatch"),
            Refusal::TooLarge { .. } => (S::BAD_REQUEST, "EntityTooLarge"),
            Refusal::TooSmall { .. } => (S::BAD_REQUEST, "EntityTooSmall"),
            Refusal::Store { status, code, .. } => (*status, code.as_str()),
        }
    }
}

impl From<s3s::S3Error> for Refusal {
    fn from(err: s3s::S3Error) -> Self {
        Refusal::Store {
            status: err
                .status_code()
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code: err.code().as_str().to_owned(),
            message: err.message().unwrap_or("the store failed").to_owned(),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{}</Message></Error>",
            escape(&self.to_string())
        );
        (status, [(header::CONTENT_TYPE, "application/xml")], xml).into_response()
    }
}

pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
