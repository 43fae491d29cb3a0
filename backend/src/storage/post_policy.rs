//! Presigned POST (S3 "browser-based upload"): a policy document that pins one bucket, one key,
//! one content type and one exact size, signed with SigV4 so the store itself refuses anything
//! else. aws-sdk-s3 cannot presign POSTs, so the policy is built here and signed with the
//! `aws-sigv4` crate's signing-key functions.

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use domain::{ByteSize, ContentType};

use super::ObjectKey;

/// No presigned form lives longer than this.
pub const MAX_EXPIRY: Duration = Duration::from_secs(10 * 60);

const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The keys that sign requests to the store.
#[derive(Clone)]
pub struct SigningCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Present with temporary credentials (IAM roles); it must then be in the form and policy.
    pub session_token: Option<String>,
}

impl std::fmt::Debug for SigningCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningCredentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// What one presigned POST allows.
#[derive(Debug, Clone)]
pub struct PostPolicy<'a> {
    pub bucket: &'a str,
    pub region: &'a str,
    pub key: &'a ObjectKey,
    pub content_type: ContentType,
    pub size: ByteSize,
    /// Extra exact-match form fields, e.g. `Cache-Control`; each is pinned in the policy.
    pub extra_fields: Vec<(String, String)>,
}

/// The form a browser posts to the bucket URL; `file` goes after these fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedPost {
    pub fields: Vec<(String, String)>,
    pub expires_at: SystemTime,
}

impl PostPolicy<'_> {
    /// Signs the policy at `now`, valid for `expires_in` (at most [`MAX_EXPIRY`]).
    pub fn sign(
        &self,
        credentials: &SigningCredentials,
        now: SystemTime,
        expires_in: Duration,
    ) -> PresignedPost {
        let expires_at = now + expires_in.min(MAX_EXPIRY);
        let amz_date = format_amz_date(now);
        let credential = format!(
            "{}/{}/{}/s3/aws4_request",
            credentials.access_key_id,
            &amz_date[..8],
            self.region
        );

        let mut fields: Vec<(String, String)> = vec![
            ("key".into(), self.key.as_str().into()),
            ("Content-Type".into(), self.content_type.mime().into()),
        ];
        fields.extend(self.extra_fields.iter().cloned());
        fields.push(("x-amz-algorithm".into(), ALGORITHM.into()));
        fields.push(("x-amz-credential".into(), credential));
        fields.push(("x-amz-date".into(), amz_date));
        if let Some(token) = &credentials.session_token {
            fields.push(("x-amz-security-token".into(), token.clone()));
        }

        let document = self.document(expires_at, &fields);
        let policy = base64::engine::general_purpose::STANDARD.encode(document.to_string());
        let signature = sign_policy(&policy, &credentials.secret_access_key, now, self.region);
        fields.push(("policy".into(), policy));
        fields.push(("x-amz-signature".into(), signature));
        PresignedPost { fields, expires_at }
    }

    fn document(&self, expires_at: SystemTime, fields: &[(String, String)]) -> Value {
        let size = self.size.get();
        let mut conditions = vec![
            json!({ "bucket": self.bucket }),
            json!(["content-length-range", size, size]),
        ];
        // Every form field is pinned to its exact value: key, type, credential, date...
        conditions.extend(fields.iter().map(|(name, value)| json!({ name: value })));
        json!({
            "expiration": format_expiration(expires_at),
            "conditions": conditions,
        })
    }
}

/// The SigV4 signature of a base64 policy: HMAC with the day's signing key.
pub fn sign_policy(
    policy_base64: &str,
    secret_access_key: &str,
    time: SystemTime,
    region: &str,
) -> String {
    let signing_key =
        aws_sigv4::sign::v4::generate_signing_key(secret_access_key, time, region, "s3");
    aws_sigv4::sign::v4::calculate_signature(signing_key, policy_base64.as_bytes())
}

fn format_amz_date(time: SystemTime) -> String {
    DateTime::<Utc>::from(time)
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

fn format_expiration(time: SystemTime) -> String {
    DateTime::<Utc>::from(time)
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    use crate::storage::KeyPrefix;
    use domain::Variant;

    fn at(rfc3339: &str) -> SystemTime {
        DateTime::parse_from_rfc3339(rfc3339).unwrap().into()
    }

    /// The worked example of AWS's "Example: Browser-Based Upload using HTTP POST (Using AWS
    /// Signature Version 4)", https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-post-example.html
    #[test]
    fn signature_matches_the_aws_documentation_example() {
        const POLICY: &str = "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9";
        let signature = sign_policy(
            POLICY,
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            at("2015-12-29T00:00:00Z"),
            "us-east-1",
        );
        assert_eq!(
            signature,
            "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"
        );
    }

    fn example() -> (ObjectKey, SigningCredentials) {
        let key = ObjectKey::for_upload(
            &KeyPrefix::default(),
            7,
            Uuid::nil(),
            Variant::Display,
            ContentType::Jpeg,
        );
        let creds = SigningCredentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "secret".into(),
            session_token: None,
        };
        (key, creds)
    }

    fn field<'a>(post: &'a PresignedPost, name: &str) -> &'a str {
        post.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap()
    }

    fn decoded_policy(post: &PresignedPost) -> Value {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(field(post, "policy"))
            .unwrap();
        serde_json::from_slice(&raw).unwrap()
    }

    #[test]
    fn policy_pins_bucket_key_type_and_exact_size() {
        let (key, creds) = example();
        let policy = PostPolicy {
            bucket: "shop",
            region: "eu-west-1",
            key: &key,
            content_type: ContentType::Jpeg,
            size: ByteSize::parse(1234, 10_000).unwrap(),
            extra_fields: vec![],
        };
        let post = policy.sign(&creds, at("2026-11-22T20:00:00Z"), Duration::from_secs(300));
        let doc = decoded_policy(&post);
        assert_eq!(doc["expiration"], "2026-11-22T20:05:00.000Z");
        let conditions = doc["conditions"].as_array().unwrap();
        assert!(conditions.contains(&json!({"bucket": "shop"})));
        assert!(conditions.contains(&json!(["content-length-range", 1234, 1234])));
        assert!(conditions.contains(&json!({"key": key.as_str()})));
        assert!(conditions.contains(&json!({"Content-Type": "image/jpeg"})));
        assert!(conditions.contains(&json!({"x-amz-date": "20261122T200000Z"})));
        assert!(conditions.contains(
            &json!({"x-amz-credential": "AKIDEXAMPLE/20261122/eu-west-1/s3/aws4_request"})
        ));
        assert!(conditions.contains(&json!({"x-amz-algorithm": "AWS4-HMAC-SHA256"})));
        // Every field the browser sends (but the policy and signature) is pinned by the policy.
        for (name, value) in &post.fields {
            if name != "policy" && name != "x-amz-signature" {
                assert!(
                    conditions.contains(&json!({ name: value })),
                    "{name} not pinned"
                );
            }
        }
        assert_eq!(
            field(&post, "x-amz-signature"),
            sign_policy(
                field(&post, "policy"),
                "secret",
                at("2026-11-22T20:00:00Z"),
                "eu-west-1"
            )
        );
    }

    #[test]
    fn expiry_is_capped_at_ten_minutes() {
        let (key, creds) = example();
        let policy = PostPolicy {
            bucket: "shop",
            region: "us-east-1",
            key: &key,
            content_type: ContentType::Png,
            size: ByteSize::parse(1, 1).unwrap(),
            extra_fields: vec![],
        };
        let now = at("2026-11-22T20:00:00Z");
        let post = policy.sign(&creds, now, Duration::from_secs(3600));
        assert_eq!(post.expires_at, now + MAX_EXPIRY);
        assert_eq!(
            decoded_policy(&post)["expiration"],
            "2026-11-22T20:10:00.000Z"
        );
    }

    #[test]
    fn session_tokens_are_sent_and_pinned() {
        let (key, mut creds) = example();
        creds.session_token = Some("TOKEN".into());
        let policy = PostPolicy {
            bucket: "shop",
            region: "us-east-1",
            key: &key,
            content_type: ContentType::Webp,
            size: ByteSize::parse(5, 5).unwrap(),
            extra_fields: vec![("Cache-Control".into(), "max-age=31536000, immutable".into())],
        };
        let post = policy.sign(&creds, at("2026-11-22T20:00:00Z"), Duration::from_secs(60));
        assert_eq!(field(&post, "x-amz-security-token"), "TOKEN");
        let conditions = decoded_policy(&post)["conditions"]
            .as_array()
            .unwrap()
            .clone();
        assert!(conditions.contains(&json!({"x-amz-security-token": "TOKEN"})));
        assert!(conditions.contains(&json!({"Cache-Control": "max-age=31536000, immutable"})));
        assert!(
            format!("{creds:?}").contains("AKIDEXAMPLE")
                && !format!("{creds:?}").contains("secret")
        );
    }
}
