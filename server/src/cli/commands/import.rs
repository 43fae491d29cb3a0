//! `vitrine import-local DIR`: a folder of existing photos into products, idempotently.

use backend::Settings;

use super::command_state;
use crate::cli::CliError;

pub(in crate::cli) async fn import_local(
    settings: Settings,
    items: Vec<backend::import::Item>,
    approve: bool,
    dry_run: bool,
) -> Result<(), CliError> {
    use backend::import::{self, Outcome};
    let state = command_state(settings).await?;
    let bar = indicatif::ProgressBar::new(items.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
            .map_err(|e| CliError::Internal(e.to_string()))?,
    );
    let (mut imported, mut there, mut skipped) = (0, 0, 0);
    for item in &items {
        bar.set_message(item.path.display().to_string());
        let outcome = import::import_one(&state, item, approve, dry_run)
            .await
            .map_err(|source| CliError::Backend {
                doing: format!(
                    "{} (nothing of it was registered; run the import again)",
                    item.path.display()
                ),
                source,
            })?;
        let line = match outcome {
            Outcome::Imported { image_id } => {
                imported += 1;
                format!("imported  {} (image {image_id})", item.path.display())
            }
            Outcome::WouldImport => {
                imported += 1;
                format!("would import {}", item.path.display())
            }
            Outcome::AlreadyThere => {
                there += 1;
                format!("unchanged {} (imported before)", item.path.display())
            }
            Outcome::Skipped(why) => {
                skipped += 1;
                format!("skipped   {}: {why}", item.path.display())
            }
        };
        // Lines go to stdout even when the bar is hidden (no terminal, as in scripts).
        bar.suspend(|| println!("{line}"));
        bar.inc(1);
    }
    bar.finish_and_clear();
    let verb = if dry_run { "would import" } else { "imported" };
    println!("{verb} {imported}, already there {there}, skipped {skipped}");
    Ok(())
}
