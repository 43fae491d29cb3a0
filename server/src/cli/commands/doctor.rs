//! `vitrine doctor`: every check of a deployment, in the order an operator fixes them.

use backend::Settings;

use crate::cli::CliError;

pub(in crate::cli) async fn doctor(
    settings: &Settings,
    origin: &str,
    json: bool,
) -> Result<(), CliError> {
    use backend::doctor::{self, Check};
    let env = |name: &str| std::env::var(name).ok();
    let mut checks = vec![
        doctor::configuration(settings, &env),
        doctor::persistence(settings, &env),
    ];
    let (database, db) = doctor::database(settings).await;
    checks.push(database);
    let http = doctor::http_client().map_err(|e| CliError::HttpClient(Box::new(e)))?;
    match crate::startup::open_store(settings).await {
        Err(err) => checks.push(Check::problem(
            "credentials and bucket",
            err.to_string(),
            "set the S3 variables in README, Deploy (AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)",
        )),
        Ok(store) => {
            let reach = doctor::credentials_and_bucket(&store, settings).await;
            let reachable = reach.ok;
            checks.push(reach);
            if reachable {
                checks.push(doctor::clock(&store, &http).await);
                let (trip, seen) = doctor::round_trip(&store, settings, &http, origin).await;
                checks.push(trip);
                checks.push(doctor::cors(&store, settings, &http, origin, &seen).await);
                checks.push(doctor::shared_prefix(&store, &settings.key_prefix).await);
                checks.push(doctor::versioning(&store).await);
                if let Some(db) = &db {
                    checks.push(doctor::stored_images(db, &store).await);
                }
            }
        }
    }
    let (text, ok) = doctor::render(&checks);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&checks).map_err(CliError::Report)?
        );
    } else {
        print!("{text}");
    }
    if ok {
        Ok(())
    } else {
        Err(CliError::Findings(
            "doctor found problems: see the fixes above".into(),
        ))
    }
}
