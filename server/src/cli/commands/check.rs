//! `vitrine check`: registered images whose objects are gone from the store or changed.

use backend::Settings;
use backend::integrity::Depth;

use super::command_state;
use crate::cli::CliError;
use crate::startup::Schema;

pub(in crate::cli) async fn check(
    settings: Settings,
    json: bool,
    depth: Depth,
) -> Result<(), CliError> {
    let state = command_state(settings, Schema::AsIs).await?;
    let report = backend::integrity::check(&state.db, &state.store, depth)
        .await
        .map_err(CliError::doing("cannot compare the images with the store"))?;
    if json {
        let rows: Vec<serde_json::Value> = report
            .damaged
            .iter()
            .map(|d| {
                serde_json::json!({
                    "image_id": d.image_id,
                    "product_id": d.product_id,
                    "product": d.product_name,
                    "seller": d.seller,
                    "variant": d.variant,
                    "key": d.key,
                    "problem": d.damage.to_string(),
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).map_err(CliError::Report)?
        );
    } else {
        for d in &report.damaged {
            println!(
                "image {} of \"{}\" ({}): {} {}\n  {}",
                d.image_id, d.product_name, d.seller, d.variant, d.damage, d.key
            );
        }
        println!(
            "{} images ({} objects) checked: {}",
            report.images_checked,
            report.objects_checked,
            match report.damaged_images() {
                0 => "all in the store as registered".to_owned(),
                n => format!("{n} damaged"),
            }
        );
    }
    match report.damaged_images() {
        0 => Ok(()),
        n => Err(CliError::Findings(format!(
            "{n} image(s) have objects missing or changed: their sellers see them as broken and can delete or re-upload them; restore the objects from a backup if you have one"
        ))),
    }
}
