//! Browsers an account signed in from before (OWASP's "device cookies"). Counting every wrong
//! password against the account would let anyone lock its owner out with a few guesses; so a
//! sign-in from a browser that proves an earlier success for that account (a cookie whose
//! token only the server could have issued) is counted against that browser alone, and
//! guesses from anywhere else lock out only anywhere else.

use std::time::Duration;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::Error;
use crate::accounts::{new_token, token_hash};
use crate::entities::known_device;

/// How long a browser stays known without signing in again.
pub const DEVICE_LIFETIME: Duration = Duration::from_secs(180 * 24 * 3600);
/// Browsers remembered per account: the most recently used ones.
const DEVICES_PER_ACCOUNT: u64 = 20;
/// The cookie's name over plain HTTP (local development).
pub const DEVICE_COOKIE: &str = "vitrine_device";
/// Its name when cookies are `Secure` (see `accounts::SECURE_SESSION_COOKIE`).
pub const SECURE_DEVICE_COOKIE: &str = "__Host-vitrine_device";

/// The device cookie's name under these settings.
pub fn device_cookie(secure: bool) -> &'static str {
    if secure {
        SECURE_DEVICE_COOKIE
    } else {
        DEVICE_COOKIE
    }
}

/// A browser's proof, as its cookie carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceToken(String);

impl DeviceToken {
    /// The cookie's value, if it has the shape of a token (anything else proves nothing).
    pub fn parse(raw: &str) -> Option<Self> {
        (raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the database and the attempt counters know it by.
    pub(crate) fn hash(&self) -> String {
        token_hash(&self.0)
    }
}

/// The account `token` was issued to, if it still stands.
pub async fn account_of(
    db: &DatabaseConnection,
    token: &DeviceToken,
) -> Result<Option<i64>, Error> {
    let known = known_device::Entity::find_by_id(token.hash())
        .one(db)
        .await?;
    let since = Utc::now() - DEVICE_LIFETIME;
    Ok(known
        .filter(|d| d.last_used_at > since)
        .map(|d| d.account_id))
}

/// Remembers this browser for `account_id` after a successful sign-in: the same token, used
/// again, or a new one. Forgets the account's browsers unused too long, and all but the most
/// recent [`DEVICES_PER_ACCOUNT`].
pub async fn remember(
    db: &DatabaseConnection,
    account_id: i64,
    presented: Option<&DeviceToken>,
) -> Result<DeviceToken, Error> {
    let now = Utc::now();
    if let Some(token) = presented {
        let touched = known_device::Entity::update_many()
            .col_expr(known_device::Column::LastUsedAt, Expr::value(now))
            .filter(known_device::Column::Id.eq(token.hash()))
            .filter(known_device::Column::AccountId.eq(account_id))
            .exec(db)
            .await?;
        if touched.rows_affected == 1 {
            return Ok(token.clone());
        }
    }
    let token = DeviceToken(new_token());
    known_device::ActiveModel {
        id: Set(token.hash()),
        account_id: Set(account_id),
        last_used_at: Set(now),
    }
    .insert(db)
    .await?;
    let kept: Vec<String> = known_device::Entity::find()
        .select_only()
        .column(known_device::Column::Id)
        .filter(known_device::Column::AccountId.eq(account_id))
        .filter(known_device::Column::LastUsedAt.gt(now - DEVICE_LIFETIME))
        .order_by_desc(known_device::Column::LastUsedAt)
        .limit(DEVICES_PER_ACCOUNT)
        .into_tuple()
        .all(db)
        .await?;
    known_device::Entity::delete_many()
        .filter(known_device::Column::AccountId.eq(account_id))
        .filter(known_device::Column::Id.is_not_in(kept))
        .exec(db)
        .await?;
    Ok(token)
}

/// Forgets every browser of `account_id` but `keep` ("sign out everywhere": a lost phone
/// keeps no standing, the browser asking keeps its own).
pub async fn forget_all_but(
    db: &DatabaseConnection,
    account_id: i64,
    keep: Option<&DeviceToken>,
) -> Result<(), Error> {
    let mut forget =
        known_device::Entity::delete_many().filter(known_device::Column::AccountId.eq(account_id));
    if let Some(keep) = keep {
        forget = forget.filter(known_device::Column::Id.ne(keep.hash()));
    }
    forget.exec(db).await?;
    Ok(())
}
