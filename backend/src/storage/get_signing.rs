//! Presigned GET URLs, signed with the `aws-sigv4` crate directly. A gallery signs one URL per
//! picture and variant (1,500 for a product of 500 pictures); going through the SDK's
//! presigner ran its whole request pipeline (endpoint rules, interceptors, a client built per
//! page) for each one. The URL is the one the SDK's `get_object().presigned()` gives, less its
//! `x-id=GetObject` marker, which S3 does not need.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PercentEncodingMode, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::Error;

/// What SigV4 leaves unencoded: RFC 3986's unreserved characters.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
/// A key in the path keeps its `/` too (the SDK's "greedy label"), so the path signed is the
/// path sent.
const KEY_PATH: &AsciiSet = &UNRESERVED.remove(b'/');

/// Signs GET URLs for objects under one bucket URL.
#[derive(Debug, Clone, Copy)]
pub(super) struct GetSigner<'a> {
    /// `scheme://host[/bucket]`: path style or virtual-hosted alike.
    pub bucket_url: &'a str,
    pub region: &'a str,
    pub credentials: &'a Credentials,
}

impl GetSigner<'_> {
    /// A URL that lets anyone holding it GET `key` from `start` for `lifetime`.
    pub fn sign(&self, key: &str, start: SystemTime, lifetime: Duration) -> Result<String, Error> {
        let url = format!(
            "{}/{}",
            self.bucket_url.trim_end_matches('/'),
            utf8_percent_encode(key, KEY_PATH)
        );
        let mut settings = SigningSettings::default();
        // S3's own rules: the path is signed as sent (no second encoding, no `..` folding),
        // the payload is not known in advance, and everything travels in the query.
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(lifetime);
        let identity = self.credentials.clone().into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(self.region)
            .name("s3")
            .time(start)
            .settings(settings)
            .build()
            .map_err(|e| Error::Internal(format!("cannot set up URL signing: {e}")))?
            .into();
        let request = SignableRequest::new(
            "GET",
            &url,
            std::iter::empty(),
            SignableBody::UnsignedPayload,
        )
        .map_err(|e| Error::Internal(format!("cannot sign a URL for {key}: {e}")))?;
        let (instructions, _) = sign(request, &params)
            .map_err(|e| Error::Internal(format!("cannot sign a URL for {key}: {e}")))?
            .into_parts();
        let mut signed = url;
        for (i, (name, value)) in instructions.params().iter().enumerate() {
            signed.push(if i == 0 { '?' } else { '&' });
            signed.push_str(name);
            signed.push('=');
            signed.extend(utf8_percent_encode(value, UNRESERVED));
        }
        Ok(signed)
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_s3::config::{BehaviorVersion, Region};
    use aws_sdk_s3::presigning::PresigningConfig;

    use super::*;

    fn credentials(token: Option<&str>) -> Credentials {
        Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            token.map(str::to_owned),
            None,
            "test",
        )
    }

    /// The SDK's presigned URL for the same object, time and lifetime, without `x-id`.
    async fn sdk_url(
        endpoint: &str,
        path_style: bool,
        key: &str,
        credentials: Credentials,
        start: SystemTime,
        lifetime: Duration,
    ) -> String {
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .force_path_style(path_style)
            .region(Region::new("eu-west-3"))
            .credentials_provider(credentials)
            .build();
        let signed = aws_sdk_s3::Client::from_conf(config)
            .get_object()
            .bucket("shop")
            .key(key)
            .presigned(
                PresigningConfig::builder()
                    .start_time(start)
                    .expires_in(lifetime)
                    .build()
                    .unwrap(),
            )
            .await
            .unwrap();
        signed.uri().replace("x-id=GetObject&", "")
    }

    /// Same key, time and credentials: the same path and parameters as the SDK's presigner,
    /// for path-style and virtual-hosted buckets, with a session token, and for a key S3 must
    /// see percent-encoded (an imported shop's old names).
    #[tokio::test]
    async fn signs_the_path_and_parameters_the_sdk_signs() {
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_000_000);
        let lifetime = Duration::from_secs(1200);
        let cases = [
            (
                "http://127.0.0.1:3000",
                true,
                "http://127.0.0.1:3000/shop",
                None,
            ),
            (
                "https://s3.eu-west-3.amazonaws.com",
                false,
                "https://shop.s3.eu-west-3.amazonaws.com",
                Some("FwoGZXIvYXdzEXAMPLE+/="),
            ),
        ];
        for (endpoint, path_style, bucket_url, token) in cases {
            for key in [
                "media/7/0c1d/display.jpg",
                "legacy/products/Été 2024/chair (1)+x~y.JPG",
            ] {
                let ours = GetSigner {
                    bucket_url,
                    region: "eu-west-3",
                    credentials: &credentials(token),
                }
                .sign(key, start, lifetime)
                .unwrap();
                let sdk = sdk_url(
                    endpoint,
                    path_style,
                    key,
                    credentials(token),
                    start,
                    lifetime,
                )
                .await;
                assert_eq!(
                    ours.split('?').next(),
                    sdk.split('?').next(),
                    "{ours}\n{sdk}"
                );
                let params = |url: &str| {
                    let mut p: Vec<String> = url
                        .split('?')
                        .nth(1)
                        .unwrap_or_default()
                        .split('&')
                        .filter(|p| !p.starts_with("X-Amz-Signature="))
                        .map(str::to_owned)
                        .collect();
                    p.sort();
                    p
                };
                assert_eq!(params(&ours), params(&sdk), "{ours}\n{sdk}");
            }
        }
    }

    /// AWS's own example of a presigned GET ("Authenticating Requests: Using Query
    /// Parameters", S3 API reference): the same URL, signature included.
    #[test]
    fn matches_the_example_in_the_s3_documentation() {
        let credentials = Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "example",
        );
        let signer = GetSigner {
            bucket_url: "https://examplebucket.s3.amazonaws.com",
            region: "us-east-1",
            credentials: &credentials,
        };
        // 2013-05-24T00:00:00Z
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_369_353_600);
        let url = signer
            .sign("test.txt", start, Duration::from_secs(86_400))
            .unwrap();
        assert_eq!(
            url,
            "https://examplebucket.s3.amazonaws.com/test.txt\
             ?X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
             &X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\
             &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        );
    }
}
