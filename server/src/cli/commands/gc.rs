//! `vitrine gc`: remove what failed uploads and deletions left behind, and ended sessions.

use backend::Settings;

use super::command_state;
use crate::cli::CliError;

pub(in crate::cli) async fn gc(
    settings: Settings,
    dry_run: bool,
    grace_hours: u64,
) -> Result<(), CliError> {
    let state = command_state(settings).await?;
    let grace = std::time::Duration::from_secs(grace_hours.saturating_mul(3600));
    let report = backend::gc::run(&state, grace, dry_run)
        .await
        .map_err(CliError::doing("gc stopped"))?;
    let verb = if dry_run { "would remove" } else { "removed" };
    let sections = [
        ("expired upload intents", &report.expired_intents),
        ("objects of deleted images", &report.detached_objects),
        (
            &*format!("unreferenced objects older than {grace_hours} h"),
            &report.orphan_objects,
        ),
    ];
    for (what, items) in sections {
        println!("{what}: {} {verb}", items.len());
        for item in items {
            println!("  {item}");
        }
    }
    println!(
        "sessions that ended (signed out by time, never used again): {} {verb}",
        report.ended_sessions
    );
    if report.foreign_objects > 0 {
        println!(
            "other files under {}: {} left alone (their keys are not Vitrine's, so gc never deletes them)",
            state.settings.key_prefix.as_str(),
            report.foreign_objects
        );
    }
    if report.failed.is_empty() {
        Ok(())
    } else {
        for key in &report.failed {
            println!("  not deleted: {key}");
        }
        Err(CliError::Findings(format!(
            "{} object(s) could not be deleted now; they stay recorded: run `vitrine gc` again later",
            report.failed.len()
        )))
    }
}
