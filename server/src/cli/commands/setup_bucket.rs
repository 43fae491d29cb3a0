//! `vitrine setup-bucket`: create the bucket and its CORS rule, then check an upload.

use backend::Settings;

use crate::cli::CliError;

pub(in crate::cli) async fn setup_bucket(
    settings: &Settings,
    origin: &str,
) -> Result<(), CliError> {
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
        match store.allow_uploads_from(origin).await {
            Ok(true) => println!(
                "added     CORS rule vitrine-uploads: {origin} may POST, PUT, GET and HEAD, and sees ETag"
            ),
            Ok(false) => println!("unchanged CORS: a rule already lets {origin} upload"),
            Err(err) => {
                return Err(CliError::Backend {
                    doing: "cannot set the bucket's CORS rules (give the key s3:PutBucketCORS, or add the rule in the provider's console: README, Deploy)".into(),
                    source: err,
                });
            }
        }
    }
    let http = doctor::http_client().map_err(|e| CliError::HttpClient(Box::new(e)))?;
    let (trip, seen) = doctor::round_trip(&store, settings, &http, origin).await;
    let checks = [
        trip,
        doctor::cors(&store, settings, &http, origin, &seen).await,
    ];
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
