//! `vitrine setup-bucket`: create the bucket and its CORS rule, then check an upload.

use backend::Settings;

use crate::cli::CliError;

pub(in crate::cli) async fn setup_bucket(settings: &Settings) -> Result<(), CliError> {
    // Every origin the site answers on (apex and www, say) may upload.
    let origins = match settings.site_origins.as_slice() {
        [] => vec![settings.site_origin()],
        several => several.to_vec(),
    };
    use backend::doctor;
    let store = crate::startup::open_store(settings).await?;
    let bucket = store.bucket().to_owned();
    match store.create_bucket_if_missing().await {
        Ok(true) => println!("created   bucket {bucket}"),
        Ok(false) => println!("unchanged bucket {bucket}: it exists"),
        Err(err) => {
            return Err(CliError::Backend {
                doing: format!(
                    "cannot create bucket {bucket} (create it in the provider's console, or give the key s3:CreateBucket)"
                ),
                source: err,
            });
        }
    }
    if store.is_embedded() {
        println!("unchanged CORS: the embedded store answers on the app's own origin");
    } else {
        match store.allow_uploads_from(&origins).await {
            Ok(added) if added.is_empty() => println!(
                "unchanged CORS: a rule already lets {} upload",
                origins.join(", ")
            ),
            Ok(added) => println!(
                "added     CORS rule {}: {} may POST, PUT, GET and HEAD, and sees ETag",
                backend::storage::bucket_admin::RULE_ID,
                added.join(", ")
            ),
            Err(err) => {
                let provider = match &settings.storage {
                    backend::config::StorageSettings::S3(s3) => s3.provider,
                    backend::config::StorageSettings::Embedded => backend::storage::Provider::Other,
                };
                println!(
                    "These keys may not set the bucket's CORS rules. Paste this rule in {}:\n{}",
                    provider.cors_console(),
                    backend::storage::bucket_admin::upload_rule_json(&origins)
                );
                return Err(CliError::Backend {
                    doing: "cannot set the bucket's CORS rules (give the key s3:PutBucketCORS, or paste the rule printed above)".into(),
                    source: err,
                });
            }
        }
    }
    let http = doctor::http_client().map_err(|e| CliError::HttpClient(Box::new(e)))?;
    let (trip, seen) = doctor::round_trip(&store, settings, &http, &origins[0]).await;
    let mut checks = vec![trip];
    for origin in &origins {
        checks.push(doctor::cors(&store, settings, &http, origin, &seen).await);
    }
    let (text, ok) = doctor::render(&checks);
    print!("{text}");
    if ok {
        Ok(())
    } else {
        Err(CliError::Findings(
            "the bucket is set up but a check failed: see the fixes above".into(),
        ))
    }
}
