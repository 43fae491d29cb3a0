//! The embedded store's identity: bucket, region and the keys generated on first start and
//! kept under the data dir (so standard S3 tools can use them: `vitrine store-env`).

use std::path::{Path, PathBuf};

use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::Error;

pub const BUCKET: &str = "vitrine-media";
pub const REGION: &str = "us-east-1";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoreCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
}

#[derive(Debug, Clone)]
pub struct EmbeddedStore {
    /// Root of the objects: one folder per bucket.
    pub objects_dir: PathBuf,
    pub bucket: String,
    pub region: String,
    pub credentials: StoreCredentials,
}

impl EmbeddedStore {
    /// Opens the store under `dir`, creating its folders and credentials the first time.
    pub fn open(dir: &Path) -> Result<Self, Error> {
        let io = |what: &str, path: &Path, e: std::io::Error| {
            Error::Internal(format!(
                "cannot {what} {}: {e} (check VITRINE_DATA_DIR)",
                path.display()
            ))
        };
        let objects_dir = dir.join("objects");
        let bucket_dir = objects_dir.join(BUCKET);
        std::fs::create_dir_all(&bucket_dir).map_err(|e| io("create", &bucket_dir, e))?;
        let creds_path = dir.join("credentials.json");
        let credentials = match std::fs::read(&creds_path) {
            Ok(raw) => serde_json::from_slice(&raw).map_err(|e| {
                Error::Internal(format!(
                    "{} is damaged: {e}; delete it to make new keys",
                    creds_path.display()
                ))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let credentials = generate();
                write_private(
                    &creds_path,
                    &serde_json::to_vec_pretty(&credentials).unwrap_or_default(),
                )
                .map_err(|e| io("write", &creds_path, e))?;
                credentials
            }
            Err(e) => return Err(io("read", &creds_path, e)),
        };
        Ok(Self {
            objects_dir,
            bucket: BUCKET.into(),
            region: REGION.into(),
            credentials,
        })
    }

    /// The lines `vitrine store-env` prints, for aws-cli, rclone or boto3.
    pub fn env_lines(&self, endpoint: &str) -> Vec<String> {
        vec![
            format!("AWS_ENDPOINT_URL_S3={endpoint}"),
            format!("VITRINE_S3_BUCKET={}", self.bucket),
            format!("AWS_REGION={}", self.region),
            format!("AWS_ACCESS_KEY_ID={}", self.credentials.access_key_id),
            format!(
                "AWS_SECRET_ACCESS_KEY={}",
                self.credentials.secret_access_key
            ),
        ]
    }
}

fn generate() -> StoreCredentials {
    let mut rng = rand::rngs::OsRng;
    let mut id = [0u8; 10];
    let mut secret = [0u8; 30];
    rng.fill_bytes(&mut id);
    rng.fill_bytes(&mut secret);
    StoreCredentials {
        access_key_id: format!("VITRINE{}", hex::encode_upper(id)),
        secret_access_key: hex::encode(secret),
    }
}

fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_made_once_and_kept() {
        let dir = std::env::temp_dir().join(format!("vitrine-store-{}", uuid::Uuid::new_v4()));
        let first = EmbeddedStore::open(&dir).unwrap();
        let second = EmbeddedStore::open(&dir).unwrap();
        assert_eq!(
            first.credentials.secret_access_key,
            second.credentials.secret_access_key
        );
        assert!(dir.join("objects").join(BUCKET).is_dir());
        let lines = first.env_lines("http://127.0.0.1:3000");
        assert!(lines.contains(&"VITRINE_S3_BUCKET=vitrine-media".to_owned()));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
