//! `vitrine gc`: remove what failed uploads and deletions left behind, and ended sessions.

use backend::Settings;

use super::command_state;
use crate::cli::CliError;
use crate::startup::Schema;

pub(in crate::cli) async fn gc(
    settings: Settings,
    dry_run: bool,
    grace_hours: u64,
) -> Result<(), CliError> {
    let grace = grace(grace_hours, dry_run)?;
    let schema = if dry_run {
        Schema::AsIs
    } else {
        Schema::Migrate
    };
    let state = command_state(settings, schema).await?;
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

/// The grace period: at least an hour, as an upload being completed or an import writes its
/// objects a moment before it records them, and gc would take them for orphans in between. A
/// dry run deletes nothing, so it may look at any age.
fn grace(hours: u64, dry_run: bool) -> Result<std::time::Duration, CliError> {
    if hours == 0 && !dry_run {
        return Err(CliError::Usage(
            "--grace-hours 0 would delete objects that uploads being completed and imports have written but not yet recorded: give at least 1 (0 only with --dry-run)",
        ));
    }
    Ok(std::time::Duration::from_secs(hours.saturating_mul(3600)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleting_keeps_at_least_an_hour_of_grace() {
        let err = grace(0, false).unwrap_err().to_string();
        assert!(err.contains("give at least 1"), "{err}");
        assert_eq!(grace(0, true).unwrap().as_secs(), 0);
        assert_eq!(grace(1, false).unwrap().as_secs(), 3600);
    }
}
