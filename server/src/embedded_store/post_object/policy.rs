//! What a POST form must prove before a byte of its file is kept, as S3 checks it
//! (<https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html>):
//! a SigV4 signature of the policy by this store's key, a policy not yet expired that names the
//! bucket, every condition met, and no form field the policy does not mention. Only the size
//! is left for the upload itself, as it streams.

use std::time::SystemTime;

use backend::storage::embedded::StoreCredentials;
use backend::storage::post_policy::sign_policy;
use s3s::dto::Timestamp;
use s3s::post_policy::{PostPolicy, PostPolicyCondition};

use super::refusal::Refusal;

const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The store a form must be signed for.
pub struct Store<'a> {
    pub bucket: &'a str,
    pub region: &'a str,
    pub credentials: &'a StoreCredentials,
    /// No upload is larger than this, whatever its policy allows.
    pub ceiling: u64,
}

/// How many bytes the file may have, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeRange {
    pub min: u64,
    pub max: u64,
}

/// Checks the form's `fields` (the text fields before the file, `key` with `${filename}` already
/// put in) at `now`; the size range the file must then fall in.
pub fn check(
    fields: &[(String, String)],
    store: &Store<'_>,
    now: SystemTime,
) -> Result<SizeRange, Refusal> {
    let value = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let encoded = value("policy").ok_or(Refusal::NoPolicy)?;
    check_signature(encoded, &value, store)?;
    let policy =
        PostPolicy::from_base64(encoded).map_err(|e| Refusal::UnreadablePolicy(e.to_string()))?;
    if policy.expiration <= Timestamp::from(now) {
        return Err(Refusal::Expired);
    }
    let field_of = |c: &PostPolicyCondition| match c {
        PostPolicyCondition::Eq { field, .. } | PostPolicyCondition::StartsWith { field, .. } => {
            Some(field.clone())
        }
        PostPolicyCondition::ContentLengthRange { .. } => None,
    };
    if !policy
        .conditions
        .iter()
        .any(|c| field_of(c).as_deref() == Some("bucket"))
    {
        return Err(Refusal::PolicyWithoutBucket);
    }
    // The bucket is the one in the URL; a `bucket` form field must agree with it.
    let actual = |field: &str| {
        if field == "bucket" {
            Some(store.bucket)
        } else {
            value(field)
        }
    };
    if value("bucket").is_some_and(|b| b != store.bucket) {
        return Err(Refusal::ConditionFailed(
            "the form's bucket is not this bucket".into(),
        ));
    }
    let mut range = SizeRange {
        min: 0,
        max: store.ceiling,
    };
    for condition in &policy.conditions {
        match condition {
            PostPolicyCondition::Eq { field, value } => {
                if actual(field) != Some(value.as_str()) {
                    return Err(Refusal::ConditionFailed(format!(
                        "[\"eq\", \"${field}\", \"{value}\"]"
                    )));
                }
            }
            PostPolicyCondition::StartsWith { field, prefix } => {
                if !actual(field).is_some_and(|v| v.starts_with(prefix.as_str())) {
                    return Err(Refusal::ConditionFailed(format!(
                        "[\"starts-with\", \"${field}\", \"{prefix}\"]"
                    )));
                }
            }
            PostPolicyCondition::ContentLengthRange { min, max } => {
                range = SizeRange {
                    min: *min,
                    max: (*max).min(store.ceiling),
                };
            }
        }
    }
    let named: Vec<String> = policy.conditions.iter().filter_map(field_of).collect();
    if let Some((extra, _)) = fields.iter().find(|(name, _)| {
        let name = name.to_ascii_lowercase();
        !matches!(name.as_str(), "policy" | "x-amz-signature" | "file")
            && !name.starts_with("x-ignore-")
            && !named.contains(&name)
    }) {
        return Err(Refusal::ExtraField(extra.clone()));
    }
    Ok(range)
}

/// The policy must be signed, with SigV4, by this store's key for this store's region.
fn check_signature<'f>(
    encoded: &str,
    value: &impl Fn(&str) -> Option<&'f str>,
    store: &Store<'_>,
) -> Result<(), Refusal> {
    let algorithm = value("x-amz-algorithm").unwrap_or_default();
    if algorithm != ALGORITHM {
        return Err(Refusal::UnsignedForm(format!(
            "x-amz-algorithm is {algorithm:?}"
        )));
    }
    let credential = value("x-amz-credential").unwrap_or_default();
    let scope: Vec<&str> = credential.split('/').collect();
    let [key_id, day, region, "s3", "aws4_request"] = scope.as_slice() else {
        return Err(Refusal::UnsignedForm(format!(
            "x-amz-credential {credential:?} is not KEY/DAY/REGION/s3/aws4_request"
        )));
    };
    if *key_id != store.credentials.access_key_id {
        return Err(Refusal::UnknownAccessKey);
    }
    if *region != store.region {
        return Err(Refusal::UnsignedForm(format!(
            "the credential is for region {region:?}, this store is {:?}",
            store.region
        )));
    }
    let date = value("x-amz-date").unwrap_or_default();
    let signed_at = chrono::NaiveDateTime::parse_from_str(date, "%Y%m%dT%H%M%SZ")
        .ok()
        .filter(|at| at.format("%Y%m%d").to_string() == *day)
        .ok_or_else(|| {
            Refusal::UnsignedForm(format!(
                "x-amz-date {date:?} is not a time on the credential's day"
            ))
        })?;
    let expected = sign_policy(
        encoded,
        &store.credentials.secret_access_key,
        signed_at.and_utc().into(),
        store.region,
    );
    let given = value("x-amz-signature").unwrap_or_default();
    // Compared in constant time, so the answer's timing tells nothing about the signature.
    let differs = expected.len() != given.len()
        || expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            != 0;
    if differs {
        return Err(Refusal::SignatureDoesNotMatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    use backend::storage::ObjectKey;
    use backend::storage::post_policy::{PostPolicy as Signer, SigningCredentials};
    use base64::Engine as _;
    use domain::{ByteSize, ContentType};

    fn credentials() -> StoreCredentials {
        StoreCredentials {
            access_key_id: "VITRINEKEY".into(),
            secret_access_key: "secret".into(),
        }
    }

    fn store(credentials: &StoreCredentials) -> Store<'_> {
        Store {
            bucket: "vitrine-media",
            region: "us-east-1",
            credentials,
            ceiling: 1_000_000,
        }
    }

    /// A form as Vitrine signs it for a 1234-byte JPEG.
    fn signed(now: SystemTime) -> Vec<(String, String)> {
        let key = ObjectKey::from_stored("media/s1/u1/display.jpg".into());
        Signer {
            bucket: "vitrine-media",
            region: "us-east-1",
            key: &key,
            content_type: ContentType::Jpeg,
            size: ByteSize::parse(1234, 10_000).unwrap(),
            extra_fields: vec![("Cache-Control".into(), "max-age=1".into())],
        }
        .sign(
            &SigningCredentials {
                access_key_id: "VITRINEKEY".into(),
                secret_access_key: "secret".into(),
                session_token: None,
            },
            now,
            Duration::from_secs(600),
        )
        .fields
    }

    fn with(fields: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
        let mut out: Vec<_> = fields.iter().filter(|(n, _)| n != name).cloned().collect();
        out.push((name.into(), value.into()));
        out
    }

    #[test]
    fn a_form_signed_by_the_store_passes_with_its_exact_size() {
        let now = SystemTime::now();
        let creds = credentials();
        assert_eq!(
            check(&signed(now), &store(&creds), now),
            Ok(SizeRange {
                min: 1234,
                max: 1234
            })
        );
    }

    #[test]
    fn every_field_the_policy_pins_is_held_to_it() {
        let now = SystemTime::now();
        let creds = credentials();
        let form = signed(now);
        for (name, value) in [
            ("key", "media/s1/u1/other.jpg"),
            ("Content-Type", "text/html"),
            ("Cache-Control", "no-cache"),
        ] {
            assert!(
                matches!(
                    check(&with(&form, name, value), &store(&creds), now),
                    Err(Refusal::ConditionFailed(_))
                ),
                "{name}"
            );
        }
        assert!(matches!(
            check(&with(&form, "x-amz-meta-extra", "1"), &store(&creds), now),
            Err(Refusal::ExtraField(f)) if f == "x-amz-meta-extra"
        ));
        assert!(check(&with(&form, "x-ignore-note", "1"), &store(&creds), now).is_ok());
    }

    #[test]
    fn a_policy_not_signed_by_the_store_is_refused() {
        let now = SystemTime::now();
        let creds = credentials();
        let form = signed(now);
        let policy = &form.iter().find(|(n, _)| n == "policy").unwrap().1;
        let b64 = base64::engine::general_purpose::STANDARD;
        let loosened = String::from_utf8(b64.decode(policy).unwrap())
            .unwrap()
            .replace(
                "[\"content-length-range\",1234,1234]",
                "[\"content-length-range\",0,999999]",
            );
        assert_ne!(&loosened, policy);
        assert_eq!(
            check(
                &with(&form, "policy", &b64.encode(loosened)),
                &store(&creds),
                now
            ),
            Err(Refusal::SignatureDoesNotMatch)
        );
        let stranger = StoreCredentials {
            access_key_id: "VITRINEKEY".into(),
            secret_access_key: "another secret".into(),
        };
        assert_eq!(
            check(&form, &store(&stranger), now),
            Err(Refusal::SignatureDoesNotMatch)
        );
        let other_key = StoreCredentials {
            access_key_id: "OTHER".into(),
            secret_access_key: "secret".into(),
        };
        assert_eq!(
            check(&form, &store(&other_key), now),
            Err(Refusal::UnknownAccessKey)
        );
        assert!(matches!(
            check(
                &with(&form, "x-amz-algorithm", "AWS4-HMAC-SHA1"),
                &store(&creds),
                now
            ),
            Err(Refusal::UnsignedForm(_))
        ));
        let no_policy: Vec<_> = form
            .iter()
            .filter(|(n, _)| n != "policy")
            .cloned()
            .collect();
        assert_eq!(
            check(&no_policy, &store(&creds), now),
            Err(Refusal::NoPolicy)
        );
    }

    #[test]
    fn an_expired_policy_is_refused() {
        let signed_at = SystemTime::now();
        let creds = credentials();
        let later = signed_at + Duration::from_secs(601);
        assert_eq!(
            check(&signed(signed_at), &store(&creds), later),
            Err(Refusal::Expired)
        );
    }

    #[test]
    fn the_ceiling_bounds_what_a_policy_allows() {
        let now = SystemTime::now();
        let creds = credentials();
        let small = Store {
            ceiling: 1000,
            ..store(&creds)
        };
        assert_eq!(
            check(&signed(now), &small, now),
            Ok(SizeRange {
                min: 1234,
                max: 1000
            })
        );
    }
}
