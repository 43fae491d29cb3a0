//! A gallery picture the browser could not load. The page asks the server why: when the store
//! has lost or changed its files the card says so, with the way out (delete, or upload the
//! photo again); when the files are fine (a network blip) it offers to load it again. Never a
//! silent broken `<img>`.

use leptos::prelude::*;

use crate::api::DamagedVariant;
use crate::components::keyboard;
use crate::error::AppError;

/// Which of `image_id`'s files the store lacks or holds changed (empty: all as registered).
#[server(endpoint = "check_image")]
pub async fn check_image(image_id: i64) -> Result<Vec<DamagedVariant>, AppError> {
    let seller = crate::session::require_account().await?;
    let state = crate::session::state()?;
    Ok(backend::integrity::check_image(&state, &seller, image_id).await?)
}

/// What is known about a card's picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// Loading or loaded: nothing to say.
    Fine,
    /// The browser failed to load it; the server is being asked why.
    Checking,
    /// The fault was on the way (network, an expired link): the store has its files (`true`),
    /// or the server could not be asked (`false`).
    LoadFailed { files_in_store: bool },
    /// The store lost or changed these files.
    Damaged(Vec<DamagedVariant>),
}

/// Asks the server about `image_id` after its `<img>` failed, and records the answer.
pub fn diagnose(image_id: i64, health: RwSignal<Health>) {
    if health.get_untracked() != Health::Fine {
        return;
    }
    health.set(Health::Checking);
    leptos::task::spawn_local(async move {
        let found = match check_image(image_id).await {
            Ok(damaged) if !damaged.is_empty() => Health::Damaged(damaged),
            // Sound in the store, or the server could not say: offer to load it again.
            Ok(_) => Health::LoadFailed {
                files_in_store: true,
            },
            Err(_) => Health::LoadFailed {
                files_in_store: false,
            },
        };
        health.try_set(found);
    });
}

fn damage_sentence(damaged: &[DamagedVariant]) -> String {
    let missing = damaged
        .iter()
        .all(|d| matches!(d.damage, domain::Damage::Missing));
    let which: Vec<&str> = damaged.iter().map(|d| d.variant.as_str()).collect();
    format!(
        "{} ({}). Shoppers cannot see it: delete it, or upload the photo again.",
        match (missing, damaged.len() > 1) {
            (true, false) => "Its file is missing from storage",
            (true, true) => "Its files are missing from storage",
            (false, false) => "Its file in storage is not the one that was uploaded",
            (false, true) => "Its files in storage are not the ones that were uploaded",
        },
        which.join(", ")
    )
}

/// The panel shown in place of a picture that did not load. `retry` loads it again.
#[component]
pub fn BrokenImage(
    health: RwSignal<Health>,
    on_delete: Callback<()>,
    retry: Callback<()>,
) -> impl IntoView {
    let upload_again = move |_| {
        // The uploader sits above the gallery on the same page.
        if !keyboard::click("[data-testid='upload-input']") {
            keyboard::focus("[data-testid='upload-dropzone']");
        }
    };
    move || {
        match health.get() {
        Health::Fine => None,
        Health::Checking => Some(
            view! {
                <div class="broken" data-testid="image-broken" data-state="checking" role="status">
                    <p>"This picture did not load: checking storage…"</p>
                </div>
            }
            .into_any(),
        ),
        Health::LoadFailed { files_in_store } => Some(
            view! {
                <div class="broken" data-testid="image-broken" data-state="load-failed" role="alert">
                    <p><strong>"This picture did not load."</strong>" "{if files_in_store {
                        "Its files are in storage; the connection may have dropped."
                    } else {
                        "The site could not be reached to check why; the connection may have dropped."
                    }}</p>
                    <button class="secondary" data-testid="image-reload" on:click=move |_| retry.run(())>"Load again"</button>
                </div>
            }
            .into_any(),
        ),
        Health::Damaged(damaged) => Some(
            view! {
                <div class="broken" data-testid="image-broken" data-state="damaged" role="alert">
                    <p><strong>"This picture is broken."</strong>" "{damage_sentence(&damaged)}</p>
                    <div class="broken-actions">
                        <button class="secondary" data-testid="image-reupload" on:click=upload_again>"Upload again"</button>
                        <button class="danger" data-testid="image-broken-delete" on:click=move |_| on_delete.run(())>"Delete"</button>
                    </div>
                </div>
            }
            .into_any(),
        ),
    }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{Damage, Variant};

    #[test]
    fn the_sentence_names_the_lost_files_and_the_way_out() {
        let lost = |variant| DamagedVariant {
            variant,
            damage: Damage::Missing,
        };
        assert_eq!(
            damage_sentence(&[lost(Variant::Display), lost(Variant::Thumb)]),
            "Its files are missing from storage (display, thumb). Shoppers cannot see it: delete it, or upload the photo again."
        );
        let changed = DamagedVariant {
            variant: Variant::Medium,
            damage: Damage::SizeDiffers {
                registered: 10,
                stored: 9,
            },
        };
        assert!(damage_sentence(&[changed]).starts_with("Its file in storage is not the one"));
    }
}
