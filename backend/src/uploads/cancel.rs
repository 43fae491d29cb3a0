//! Abandoning an upload the seller cancelled.

use crate::{Account, AppState, Error, cleanup, intents};

/// Abandons an upload that is not yet registered: its objects (if any arrived) and its intent
/// are removed, so a cancelled upload leaves nothing behind.
pub async fn cancel(state: &AppState, seller: &Account, intent_id: &str) -> Result<(), Error> {
    let registered = || {
        Error::Conflict("That upload is already in the gallery: delete the image instead.".into())
    };
    let intent = intents::find_for(&state.db, seller, intent_id).await?;
    if intent.completed_at.is_some() {
        return Err(registered());
    }
    let objects = intents::objects_of(&state.db, &intent).await?;
    match cleanup::discard_intent(state, &intent, &objects).await? {
        Some(_) => Ok(()),
        // Registered by a `complete_upload` that ran at the same moment: it keeps its objects.
        None => Err(registered()),
    }
}
