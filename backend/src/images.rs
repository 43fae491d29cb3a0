//! A seller's edits to their own images: alt text and deletion.

use domain::limits::ALT_TEXT_CHARS;
use domain::typed_text::{self, Lines};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::audit::{self, Action, Subject};
use crate::entities::{image, stored_object};
use crate::{Account, AppState, Error, cleanup, gallery_lock};

/// The image if `seller` uploaded it; otherwise (missing or someone else's) `NotFound`.
pub(crate) async fn find_owned(
    state: &AppState,
    seller: &Account,
    image_id: i64,
) -> Result<image::Model, Error> {
    image::Entity::find_by_id(image_id)
        .filter(image::Column::AccountId.eq(seller.id))
        .one(&state.db)
        .await?
        .ok_or(Error::NotFound("That image"))
}

fn parse_alt(raw: &str) -> Result<String, Error> {
    let alt = raw.trim();
    if alt.chars().count() > ALT_TEXT_CHARS {
        return Err(Error::Invalid(format!(
            "Alt text is at most {ALT_TEXT_CHARS} characters: describe the picture briefly."
        )));
    }
    typed_text::check(alt, Lines::One)
        .map_err(|e| Error::Invalid(format!("The alt text {e}: type it without it.")))?;
    Ok(alt.to_owned())
}

pub async fn set_alt_text(
    state: &AppState,
    seller: &Account,
    image_id: i64,
    alt: &str,
) -> Result<String, Error> {
    let alt = parse_alt(alt)?;
    let txn = crate::db::begin(&state.db).await?;
    // Read under a row lock (PostgreSQL), so two tabs' edits are recorded in the order they land.
    let image = image::Entity::find_by_id(image_id)
        .filter(image::Column::AccountId.eq(seller.id))
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("That image"))?;
    if image.alt_text == alt {
        return Ok(alt);
    }
    // The write names the owner too: it changes only a row the check allowed.
    let edited = image::Entity::update_many()
        .col_expr(image::Column::AltText, Expr::value(alt.clone()))
        .filter(image::Column::Id.eq(image.id))
        .filter(image::Column::AccountId.eq(seller.id))
        .exec(&txn)
        .await?;
    if edited.rows_affected != 1 {
        return Err(Error::NotFound("That image"));
    }
    audit::record(
        &txn,
        seller,
        Action::AltTextEdited,
        subject_of(&image),
        alt.clone(),
    )
    .await?;
    txn.commit().await?;
    Ok(alt)
}

/// Deletes the image at once (it leaves every page in the same transaction), then its objects.
/// An object the store cannot delete now stays recorded, with no image, for `vitrine gc`.
pub async fn delete(state: &AppState, seller: &Account, image_id: i64) -> Result<(), Error> {
    let image = find_owned(state, seller, image_id).await?;
    let objects = stored_object::Entity::find()
        .filter(stored_object::Column::ImageId.eq(image.id))
        .all(&state.db)
        .await?;
    let txn = crate::db::begin(&state.db).await?;
    // Detach explicitly rather than relying on ON DELETE SET NULL, which SQLite only honours
    // with foreign keys switched on. From its intent too: gc spares rows of an intent that
    // still exists, and a completed intent stays, so an object left behind (the store refused,
    // or the request was dropped before its objects went) would otherwise be kept for ever.
    stored_object::Entity::update_many()
        .col_expr(
            stored_object::Column::ImageId,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(
            stored_object::Column::IntentId,
            Expr::value(Option::<String>::None),
        )
        .filter(stored_object::Column::ImageId.eq(image.id))
        .exec(&txn)
        .await?;
    // The delete names the owner too; a second tab's delete that landed first leaves nothing.
    let deleted = image::Entity::delete_many()
        .filter(image::Column::Id.eq(image.id))
        .filter(image::Column::AccountId.eq(seller.id))
        .exec(&txn)
        .await?;
    if deleted.rows_affected != 1 {
        return Err(Error::NotFound("That image"));
    }
    audit::record(&txn, seller, Action::Deleted, subject_of(&image), "").await?;
    txn.commit().await?;
    cleanup::delete_objects(state, &objects).await?;
    Ok(())
}

fn subject_of(image: &image::Model) -> Subject {
    Subject::image(image.account_id, image.product_id, image.id)
}

/// Moves `image_id` to `to_index` in its product's gallery (0 makes it the cover). `seen` is the
/// order the seller was looking at: if the gallery changed since (another tab), nothing moves
/// and the seller is asked to reload, so no update is lost and positions stay distinct.
pub async fn move_to(
    state: &AppState,
    seller: &Account,
    product_id: i64,
    image_id: i64,
    to_index: usize,
    seen: &[i64],
) -> Result<(), Error> {
    let txn = crate::db::begin(&state.db).await?;
    // Take the product's write lock first: concurrent reorders queue up behind it.
    if gallery_lock::lock(&txn, seller.id, product_id)
        .await?
        .is_none()
    {
        return Err(Error::NotFound("That product"));
    }
    let current: Vec<i64> = image::Entity::find()
        .select_only()
        .column(image::Column::Id)
        .filter(image::Column::ProductId.eq(product_id))
        .order_by_asc(image::Column::Position)
        .order_by_asc(image::Column::Id)
        .into_tuple()
        .all(&txn)
        .await?;
    let order = reordered(&current, seen, image_id, to_index)?;
    if order == current {
        return Ok(());
    }
    audit::record(
        &txn,
        seller,
        Action::Reordered,
        Subject::image(seller.id, product_id, image_id),
        if to_index == 0 {
            "made the cover".to_owned()
        } else {
            format!("moved to position {}", to_index + 1)
        },
    )
    .await?;
    for (position, id) in order.iter().enumerate() {
        image::Entity::update_many()
            .col_expr(
                image::Column::Position,
                Expr::value(i32::try_from(position).unwrap_or(i32::MAX)),
            )
            .filter(image::Column::Id.eq(*id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The new order, or why the move cannot be made.
fn reordered(
    current: &[i64],
    seen: &[i64],
    image_id: i64,
    to_index: usize,
) -> Result<Vec<i64>, Error> {
    if current != seen {
        return Err(Error::Conflict(
            "The gallery changed in another window: reload the page and try again.".into(),
        ));
    }
    let from = current
        .iter()
        .position(|id| *id == image_id)
        .ok_or(Error::NotFound("That image"))?;
    if to_index >= current.len() {
        return Err(Error::Invalid(
            "That position is outside the gallery.".into(),
        ));
    }
    let mut order = current.to_vec();
    let id = order.remove(from);
    order.insert(to_index, id);
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_keep_every_image_once() {
        assert_eq!(
            reordered(&[1, 2, 3], &[1, 2, 3], 3, 0).unwrap(),
            vec![3, 1, 2]
        );
        assert_eq!(
            reordered(&[1, 2, 3], &[1, 2, 3], 1, 2).unwrap(),
            vec![2, 3, 1]
        );
        assert_eq!(
            reordered(&[1, 2, 3], &[1, 2, 3], 2, 1).unwrap(),
            vec![1, 2, 3]
        );
    }

    #[test]
    fn stale_or_impossible_moves_are_refused() {
        assert!(matches!(
            reordered(&[1, 2, 3], &[2, 1, 3], 1, 0),
            Err(Error::Conflict(_))
        ));
        assert!(matches!(
            reordered(&[1, 2], &[1, 2], 9, 0),
            Err(Error::NotFound(_))
        ));
        assert!(matches!(
            reordered(&[1, 2], &[1, 2], 1, 2),
            Err(Error::Invalid(_))
        ));
    }

    #[test]
    fn alt_text_is_trimmed_and_bounded() {
        assert_eq!(
            parse_alt("  Oak stool, side view ").unwrap(),
            "Oak stool, side view"
        );
        assert_eq!(parse_alt("").unwrap(), "");
        assert!(parse_alt(&"é".repeat(ALT_TEXT_CHARS + 1)).is_err());
    }
}
