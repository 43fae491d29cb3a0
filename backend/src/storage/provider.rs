//! S3 provider presets: where each provider's endpoint is, how buckets are addressed, and how
//! browsers upload to it. Pure, so the URL formats each provider documents are unit-tested.

use std::fmt;

use domain::UploadMethod;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Aws,
    Spaces,
    R2,
    Minio,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    #[error("{provider} needs its endpoint: set AWS_ENDPOINT_URL_S3 (for example {example})")]
    MissingEndpoint {
        provider: Provider,
        example: &'static str,
    },
    #[error("{provider} needs a region: set AWS_REGION (for example {example})")]
    MissingRegion {
        provider: Provider,
        example: &'static str,
    },
    #[error("AWS_ENDPOINT_URL_S3 must start with https:// or http:// (got {0})")]
    BadEndpoint(String),
    #[error(
        "R2 signs uploads only on the account endpoint https://<ACCOUNT_ID>.r2.cloudflarestorage.com, not on a custom domain (got {0}); put the custom domain in VITRINE_PUBLIC_BASE_URL instead"
    )]
    R2CustomDomain(String),
    #[error(
        "{0} has no POST Object, so browsers cannot upload with a form: unset VITRINE_UPLOAD_METHOD (it uploads with put)"
    )]
    NoPostObject(Provider),
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Provider::Aws => "AWS S3",
            Provider::Spaces => "DigitalOcean Spaces",
            Provider::R2 => "Cloudflare R2",
            Provider::Minio => "MinIO",
            Provider::Other => "S3-compatible store",
        })
    }
}

/// Where and how to reach one bucket, after the preset filled in what the operator left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// `None`: the AWS SDK's own endpoint for the region.
    pub endpoint: Option<String>,
    /// `None`: the AWS SDK's chain decides (AWS only).
    pub region: Option<String>,
    pub path_style: bool,
    pub upload: UploadMethod,
}

impl Provider {
    /// Whether the store refuses bytes whose SHA-256 differs from the `x-amz-checksum-sha256`
    /// an upload was signed with. AWS S3, R2 and MinIO document it; Spaces and other stores do
    /// not, so Vitrine sends no checksum there (a store that does not know the field might
    /// refuse the upload) and relies on `complete_upload`, which recomputes it everywhere.
    /// Where in the provider's console a bucket's CORS rules are pasted.
    pub fn cors_console(self) -> &'static str {
        match self {
            Provider::Aws => {
                "the S3 console: the bucket, Permissions, Cross-origin resource sharing (CORS), Edit"
            }
            Provider::R2 => {
                "the Cloudflare dashboard: R2, the bucket, Settings, CORS Policy, Add CORS policy (JSON)"
            }
            Provider::Spaces => {
                "the DigitalOcean control panel: Spaces, the Space, Settings, CORS Configurations (one entry per origin)"
            }
            Provider::Minio => {
                "MinIO: save it as cors.json and run `mc cors set ALIAS/BUCKET cors.json`"
            }
            Provider::Other => "the provider's console or API (PutBucketCors)",
        }
    }

    pub fn checks_sha256(self) -> bool {
        matches!(self, Provider::Aws | Provider::R2 | Provider::Minio)
    }

    /// Fills in the preset. `endpoint`, `region` and `upload` are what the operator set.
    pub fn resolve(
        self,
        endpoint: Option<&str>,
        region: Option<&str>,
        upload: Option<UploadMethod>,
    ) -> Result<Resolved, ProviderError> {
        let endpoint = endpoint
            .map(|e| e.trim().trim_end_matches('/'))
            .filter(|e| !e.is_empty());
        if let Some(e) = endpoint
            && !(e.starts_with("https://") || e.starts_with("http://"))
        {
            return Err(ProviderError::BadEndpoint(e.to_owned()));
        }
        let region = region.map(str::trim).filter(|r| !r.is_empty());
        let resolved = match self {
            Provider::Aws => Resolved {
                endpoint: endpoint.map(str::to_owned),
                region: region.map(str::to_owned),
                path_style: false,
                upload: UploadMethod::Post,
            },
            // https://docs.digitalocean.com/products/spaces/reference/s3-compatibility/:
            // endpoint https://<region>.digitaloceanspaces.com, buckets as subdomains.
            Provider::Spaces => {
                let region = match (region, endpoint) {
                    (Some(r), _) => r.to_owned(),
                    (None, Some(e)) => spaces_region(e).ok_or(ProviderError::MissingRegion {
                        provider: self,
                        example: "nyc3",
                    })?,
                    (None, None) => {
                        return Err(ProviderError::MissingRegion {
                            provider: self,
                            example: "nyc3",
                        });
                    }
                };
                Resolved {
                    endpoint: Some(
                        endpoint
                            .map(str::to_owned)
                            .unwrap_or_else(|| format!("https://{region}.digitaloceanspaces.com")),
                    ),
                    region: Some(region),
                    path_style: false,
                    upload: UploadMethod::Put,
                }
            }
            // https://developers.cloudflare.com/r2/api/s3/api/: endpoint
            // https://<ACCOUNT_ID>.r2.cloudflarestorage.com, region "auto", no POST Object.
            Provider::R2 => {
                if upload == Some(UploadMethod::Post) {
                    return Err(ProviderError::NoPostObject(self));
                }
                let endpoint = endpoint.ok_or(ProviderError::MissingEndpoint {
                    provider: self,
                    example: "https://<ACCOUNT_ID>.r2.cloudflarestorage.com",
                })?;
                if !endpoint.contains(".r2.cloudflarestorage.com") {
                    return Err(ProviderError::R2CustomDomain(endpoint.to_owned()));
                }
                Resolved {
                    endpoint: Some(endpoint.to_owned()),
                    region: Some(region.unwrap_or("auto").to_owned()),
                    path_style: true,
                    upload: UploadMethod::Put,
                }
            }
            Provider::Minio | Provider::Other => Resolved {
                endpoint: Some(
                    endpoint
                        .ok_or(ProviderError::MissingEndpoint {
                            provider: self,
                            example: "http://127.0.0.1:9000",
                        })?
                        .to_owned(),
                ),
                region: Some(region.unwrap_or("us-east-1").to_owned()),
                path_style: true,
                upload: UploadMethod::Post,
            },
        };
        Ok(Resolved {
            upload: upload.unwrap_or(resolved.upload),
            ..resolved
        })
    }
}

/// `nyc3` from `https://nyc3.digitaloceanspaces.com`.
fn spaces_region(endpoint: &str) -> Option<String> {
    let host = endpoint.split_once("://").map_or(endpoint, |(_, h)| h);
    let region = host.strip_suffix(".digitaloceanspaces.com")?;
    (!region.is_empty() && !region.contains('.')).then(|| region.to_owned())
}

impl Resolved {
    /// The bucket's own URL, where POST forms go.
    pub fn bucket_url(&self, bucket: &str, sdk_region: &str) -> String {
        bucket_url(
            self.endpoint.as_deref(),
            self.path_style,
            bucket,
            sdk_region,
        )
    }
}

/// A bucket's URL: `endpoint/bucket` (path style), `scheme://bucket.host` (virtual-hosted), or
/// AWS's regional virtual-hosted URL when there is no endpoint.
pub fn bucket_url(endpoint: Option<&str>, path_style: bool, bucket: &str, region: &str) -> String {
    match endpoint {
        Some(endpoint) if path_style => format!("{}/{bucket}", endpoint.trim_end_matches('/')),
        Some(endpoint) => {
            let (scheme, host) = endpoint.split_once("://").unwrap_or(("https", endpoint));
            format!("{scheme}://{bucket}.{}", host.trim_end_matches('/'))
        }
        None => format!("https://{bucket}.s3.{region}.amazonaws.com"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_uses_the_regional_virtual_hosted_url_and_post() {
        let r = Provider::Aws
            .resolve(None, Some("eu-west-3"), None)
            .unwrap();
        assert_eq!(r.upload, UploadMethod::Post);
        assert_eq!(
            r.bucket_url("shop-media", "eu-west-3"),
            "https://shop-media.s3.eu-west-3.amazonaws.com"
        );
    }

    #[test]
    fn spaces_follows_its_documented_endpoint_and_does_not_assume_post() {
        let r = Provider::Spaces.resolve(None, Some("nyc3"), None).unwrap();
        assert_eq!(
            r.endpoint.as_deref(),
            Some("https://nyc3.digitaloceanspaces.com")
        );
        assert_eq!(
            r.bucket_url("shop", "nyc3"),
            "https://shop.nyc3.digitaloceanspaces.com"
        );
        assert_eq!(r.upload, UploadMethod::Put);
        // The region is read from the endpoint when only that is set.
        let r = Provider::Spaces
            .resolve(Some("https://fra1.digitaloceanspaces.com/"), None, None)
            .unwrap();
        assert_eq!(r.region.as_deref(), Some("fra1"));
        assert!(matches!(
            Provider::Spaces.resolve(None, None, None),
            Err(ProviderError::MissingRegion { .. })
        ));
        // An operator who checked that POST works may choose it.
        let r = Provider::Spaces
            .resolve(None, Some("nyc3"), Some(UploadMethod::Post))
            .unwrap();
        assert_eq!(r.upload, UploadMethod::Post);
    }

    #[test]
    fn r2_needs_the_account_endpoint_and_uploads_with_put() {
        let r = Provider::R2
            .resolve(
                Some("https://0123abcd.r2.cloudflarestorage.com"),
                None,
                None,
            )
            .unwrap();
        assert_eq!(r.region.as_deref(), Some("auto"));
        assert_eq!(r.upload, UploadMethod::Put);
        assert_eq!(
            r.bucket_url("shop", "auto"),
            "https://0123abcd.r2.cloudflarestorage.com/shop"
        );
        assert!(matches!(
            Provider::R2.resolve(None, None, None),
            Err(ProviderError::MissingEndpoint { .. })
        ));
        let custom = Provider::R2
            .resolve(Some("https://media.shop.example"), None, None)
            .unwrap_err();
        assert!(custom.to_string().contains("VITRINE_PUBLIC_BASE_URL"));
        // R2 has no POST Object: asking for it would make every browser upload fail while the
        // server looks healthy, so it is refused at start.
        let post = Provider::R2
            .resolve(
                Some("https://0123abcd.r2.cloudflarestorage.com"),
                None,
                Some(UploadMethod::Post),
            )
            .unwrap_err();
        assert!(
            post.to_string().contains("unset VITRINE_UPLOAD_METHOD"),
            "{post}"
        );
    }

    #[test]
    fn minio_and_others_are_path_style_with_post() {
        let r = Provider::Minio
            .resolve(Some("http://127.0.0.1:9000"), None, None)
            .unwrap();
        assert!(r.path_style);
        assert_eq!(r.upload, UploadMethod::Post);
        assert_eq!(
            r.bucket_url("shop", "us-east-1"),
            "http://127.0.0.1:9000/shop"
        );
        assert!(Provider::Other.resolve(None, None, None).is_err());
        assert!(matches!(
            Provider::Other.resolve(Some("minio:9000"), None, None),
            Err(ProviderError::BadEndpoint(_))
        ));
    }
}
