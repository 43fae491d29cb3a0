//! Abandoning an upload the seller cancelled.

use crate::{Account, AppState, Error, cleanup, intents};

/// Abandons an upload that is not yet registered: its objects (if any arrived) and its intent
/// are removed, so a cancelled upload leaves nothing behind.
pub async fn cancel(state: &AppState, seller: &Account, intent_id: &str) -> Result<(), Error> {
    let intent = intents::find_for(&state.db, seller, intent_id).await?;
    if intent.completed_at.is_some() {
        return Err(Error::Conflict(
            "That upload is already in the gallery: delete the image instead.".into(),
        ));
    }
    let objects = intents::objects_of(&state.db, &intent).await?;
    cleanup::discard_intent(state, &intent, &objects).await?;
    Ok(())
}
