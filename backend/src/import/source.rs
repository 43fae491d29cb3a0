//! Where an import reads the old shop's files: a folder (a Django `MEDIA_ROOT`) or a bucket
//! (`s3://BUCKET[/PREFIX]`, django-storages' `location`). Only ever read: listed and fetched,
//! never written or deleted.

use std::path::{Path, PathBuf};

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};

use crate::Error;
use crate::storage::{KeyPrefix, ObjectKey, ObjectStore};

/// Where the files are, as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Folder(PathBuf),
    /// `prefix` is empty or ends with `/`.
    Bucket {
        bucket: String,
        prefix: String,
    },
}

impl Location {
    /// `s3://BUCKET[/PREFIX]`, or else a folder.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let Some(rest) = raw.strip_prefix("s3://") else {
            return Ok(Location::Folder(PathBuf::from(raw)));
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(Error::Invalid(format!(
                "\"{raw}\" names no bucket: write s3://BUCKET or s3://BUCKET/PREFIX"
            )));
        }
        let prefix = prefix.trim_matches('/');
        Ok(Location::Bucket {
            bucket: bucket.to_owned(),
            prefix: if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix}/")
            },
        })
    }
}

/// How to reach a bucket that is not on Vitrine's own store.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    /// `--source-endpoint`: another provider's S3 endpoint (MinIO, R2, Spaces…).
    pub endpoint: Option<String>,
    /// `--source-region`.
    pub region: Option<String>,
    /// `VITRINE_IMPORT_AWS_ACCESS_KEY_ID` / `_SECRET_ACCESS_KEY`; else the SDK's usual chain.
    pub keys: Option<(String, String)>,
}

/// A source opened for reading.
pub enum Source {
    Folder(PathBuf),
    Bucket {
        client: aws_sdk_s3::Client,
        bucket: String,
        prefix: String,
        /// When the source is Vitrine's own bucket: its own objects are not the old shop's.
        own_keys: Option<KeyPrefix>,
    },
}

impl Source {
    /// Opens `location`: a bucket through Vitrine's own store when no endpoint is given (the
    /// old media usually sits in the same bucket, under Vitrine's `key_prefix` too), else
    /// through `reach`.
    pub async fn open(
        location: Location,
        store: &ObjectStore,
        key_prefix: &KeyPrefix,
        reach: &Reach,
    ) -> Self {
        match location {
            Location::Folder(dir) => Source::Folder(dir),
            Location::Bucket { bucket, prefix } => {
                let own_store =
                    reach.endpoint.is_none() && reach.keys.is_none() && reach.region.is_none();
                let (client, own_keys) = if own_store {
                    let own_bucket = bucket == store.bucket();
                    (store.sdk_client(), own_bucket.then(|| key_prefix.clone()))
                } else {
                    (client_for(reach).await, None)
                };
                Source::Bucket {
                    client,
                    bucket,
                    prefix,
                    own_keys,
                }
            }
        }
    }

    /// Every file, by its path relative to the source, sorted.
    pub async fn list(&self) -> Result<Vec<String>, Error> {
        let mut found = match self {
            Source::Folder(dir) => {
                let mut files = Vec::new();
                walk(dir, &mut files)
                    .map_err(|e| Error::Invalid(format!("cannot read {}: {e}", dir.display())))?;
                files.iter().map(|f| relative(dir, f)).collect()
            }
            Source::Bucket {
                client,
                bucket,
                prefix,
                own_keys,
            } => {
                let mut pages = client
                    .list_objects_v2()
                    .bucket(bucket)
                    .prefix(prefix)
                    .into_paginator()
                    .send();
                let mut keys = Vec::new();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| {
                        Error::Storage(format!(
                            "cannot list s3://{bucket}/{prefix}: {}",
                            aws_sdk_s3::error::DisplayErrorContext(e)
                        ))
                    })?;
                    keys.extend(
                        page.contents()
                            .iter()
                            .filter_map(|o| o.key())
                            .filter(|k| !k.ends_with('/'))
                            .filter(|k| {
                                !own_keys
                                    .as_ref()
                                    .is_some_and(|p| ObjectKey::is_vitrines(p, k))
                            })
                            .filter_map(|k| k.strip_prefix(prefix.as_str()))
                            .map(str::to_owned),
                    );
                }
                keys
            }
        };
        found.sort();
        Ok(found)
    }

    /// The bytes of the file at `path` (relative to the source); `Err` with a sentence when it
    /// cannot be read.
    pub async fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        match self {
            Source::Folder(dir) => std::fs::read(dir.join(path)).map_err(|e| e.to_string()),
            Source::Bucket {
                client,
                bucket,
                prefix,
                ..
            } => {
                let out = client
                    .get_object()
                    .bucket(bucket)
                    .key(format!("{prefix}{path}"))
                    .send()
                    .await
                    .map_err(|e| aws_sdk_s3::error::DisplayErrorContext(e).to_string())?;
                let body = out.body.collect().await.map_err(|e| e.to_string())?;
                Ok(body.into_bytes().to_vec())
            }
        }
    }

    /// Where `path` is, for people: `/srv/media/x.jpg` or `s3://bucket/media/x.jpg`.
    pub fn describe(&self, path: &str) -> String {
        match self {
            Source::Folder(dir) => dir.join(path).display().to_string(),
            Source::Bucket { bucket, prefix, .. } => format!("s3://{bucket}/{prefix}{path}"),
        }
    }
}

async fn client_for(reach: &Reach) -> aws_sdk_s3::Client {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(region) = &reach.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some((id, secret)) = &reach.keys {
        loader = loader.credentials_provider(Credentials::new(
            id.clone(),
            secret.clone(),
            None,
            None,
            "vitrine-import",
        ));
    }
    let sdk = loader.load().await;
    let mut config = aws_sdk_s3::config::Builder::from(&sdk);
    match &reach.endpoint {
        // Other providers' endpoints all take path-style addresses; AWS's own needs none.
        Some(endpoint) => config = config.endpoint_url(endpoint).force_path_style(true),
        // The old shop's bucket is on AWS itself: not at AWS_ENDPOINT_URL_S3, which the SDK
        // would read from the environment and which is Vitrine's own store (R2, Spaces, MinIO).
        None => {
            config.set_endpoint_url(None);
        }
    }
    if sdk.region().is_none() {
        // S3-compatible stores ignore the region but the SDK needs one to sign.
        config = config.region(Region::new("us-east-1"));
    }
    aws_sdk_s3::Client::from_conf(config.build())
}
/// `path` below `dir`, with `/` between its parts, as Django writes it.
fn relative(dir: &Path, path: &Path) -> String {
    let below = path.strip_prefix(dir).unwrap_or(path);
    below
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(&path, out)?;
        } else if !entry.file_name().to_string_lossy().starts_with('.') {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scanned_file_is_known_by_its_path_below_the_folder() {
        assert_eq!(
            relative(
                Path::new("/srv/media"),
                Path::new("/srv/media/product_images/a b.jpg")
            ),
            "product_images/a b.jpg"
        );
    }

    #[test]
    fn a_source_is_a_bucket_with_its_prefix_or_a_folder() {
        assert_eq!(
            Location::parse("s3://shop/media").unwrap(),
            Location::Bucket {
                bucket: "shop".into(),
                prefix: "media/".into()
            }
        );
        assert_eq!(
            Location::parse("s3://shop/").unwrap(),
            Location::Bucket {
                bucket: "shop".into(),
                prefix: String::new()
            }
        );
        assert_eq!(
            Location::parse("/srv/media").unwrap(),
            Location::Folder("/srv/media".into())
        );
        assert!(Location::parse("s3:///media").is_err());
    }
}
