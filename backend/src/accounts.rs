//! Accounts (Argon2id password hashes) and database-backed sessions.

use std::net::IpAddr;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::Utc;
pub use domain::Role;
use domain::{Email, Password};
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

use crate::Error;
use crate::attempts::{self, Counted, client_subject};
use crate::entities::{account, known_device, session};
use crate::known_devices::{self, DeviceToken};

/// How long a session lasts without signing in again.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);
/// A session not used for this long ends, whatever its lifetime: a laptop left signed in at
/// a market stall is not signed in a week later.
pub const SESSION_IDLE: Duration = Duration::from_secs(3 * 24 * 3600);
/// How stale `last_seen_at` may get before a request writes it again: one write per session
/// every few minutes, not one per request.
const SEEN_EVERY: Duration = Duration::from_secs(5 * 60);
/// The session cookie's name over plain HTTP (local development).
pub const SESSION_COOKIE: &str = "vitrine_session";
/// Its name when cookies are `Secure`: browsers accept a `__Host-` cookie only from a secure
/// origin, for the whole site, with no `Domain`, so a sibling subdomain cannot plant or
/// shadow it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-vitrine_session";

/// The session cookie's name under these settings.
pub fn session_cookie(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// Who is asking: the signed-in account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub origin: Origin,
}

impl Account {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    fn from_model(model: account::Model) -> Self {
        Self {
            id: model.id,
            email: model.email,
            role: model.role,
            origin: if model.made_by_operator {
                Origin::MadeByOperator
            } else {
                Origin::SignedUpOnSite
            },
        }
    }
}

/// Who made an account. An address given at sign-up is a claim nobody checked; one an
/// operator typed is the operator's word: an import gives an old shop's photos only to those.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    SignedUpOnSite,
    MadeByOperator,
}

/// Creates an account. Sign-up always makes sellers; admins come from the CLI.
pub async fn create(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    role: Role,
    origin: Origin,
) -> Result<Account, Error> {
    let email = Email::parse(email).map_err(Error::invalid)?;
    let password = Password::parse(password).map_err(Error::invalid)?;
    if find_by_email(db, &email).await?.is_some() {
        return Err(Error::Conflict(format!(
            "An account with {email} already exists: sign in instead."
        )));
    }
    let password_hash = hash_password(password).await?;
    let model = account::ActiveModel {
        email: Set(email.as_str().to_owned()),
        password_hash: Set(password_hash),
        role: Set(role),
        created_at: Set(Utc::now()),
        made_by_operator: Set(origin == Origin::MadeByOperator),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|e| match e.sql_err() {
        // Two sign-ups racing for one address: the unique index decides.
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Error::Conflict(format!(
            "An account with {email} already exists: sign in instead."
        )),
        _ => Error::Database(e),
    })?;
    Ok(Account::from_model(model))
}

/// Sign-up from the site: a seller's account, within the limit of accounts one client
/// address may make (counted before the password is hashed).
pub async fn sign_up(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    client: IpAddr,
) -> Result<Account, Error> {
    Email::parse(email).map_err(Error::invalid)?;
    Password::parse(password).map_err(Error::invalid)?;
    let now = Utc::now().timestamp();
    attempts::count(db, Counted::SignUpAddress, &client_subject(client), now).await?;
    create(db, email, password, Role::Seller, Origin::SignedUpOnSite).await
}

/// Who signed in, and the token that proves this browser did (`known_devices`), for its
/// cookie.
#[derive(Debug)]
pub struct SignedIn {
    pub account: Account,
    pub device: DeviceToken,
}

/// Checks an e-mail and password. The answer is the same for an unknown address and a wrong
/// password, and takes as long, so it reveals nothing about who has an account. Attempts are
/// counted before any hashing, whichever instance answers: from a browser the account signed
/// in with before (`device`), against that browser; from anywhere else, per client address
/// and per account, so guessing is slow from one machine and slow against one account, yet
/// cannot lock the owner's own browsers out.
pub async fn authenticate(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    client: IpAddr,
    device: Option<&DeviceToken>,
) -> Result<SignedIn, Error> {
    let wrong = || Error::Invalid("That e-mail and password do not match an account.".into());
    let now = Utc::now().timestamp();
    let email = Email::parse(email);
    let (known, found) = match known_browser(db, device, &email).await? {
        Some((token, model)) => {
            attempts::count(db, Counted::SignInDevice, &token.hash(), now).await?;
            (Some(token), Some(model))
        }
        None => {
            attempts::count(db, Counted::SignInAddress, &client_subject(client), now).await?;
            let email = email.as_ref().map_err(|_| wrong())?;
            attempts::count(db, Counted::SignInAccount, email.as_str(), now).await?;
            (None, find_by_email(db, email).await?)
        }
    };
    let hash = found.as_ref().map(|m| m.password_hash.clone());
    let matches = verify_password(password.to_owned(), hash).await?;
    match found {
        Some(model) if matches => {
            match known {
                Some(token) => attempts::clear(db, Counted::SignInDevice, &token.hash()).await?,
                None => attempts::clear(db, Counted::SignInAccount, model.email.as_str()).await?,
            }
            let device = known_devices::remember(db, model.id, device).await?;
            Ok(SignedIn {
                account: Account::from_model(model),
                device,
            })
        }
        _ => Err(wrong()),
    }
}

/// `device` with the account it proves an earlier sign-in to, when that is `email`'s.
async fn known_browser<'a>(
    db: &DatabaseConnection,
    device: Option<&'a DeviceToken>,
    email: &Result<Email, domain::account::EmailError>,
) -> Result<Option<(&'a DeviceToken, account::Model)>, Error> {
    let (Some(token), Ok(email)) = (device, email) else {
        return Ok(None);
    };
    let Some(account_id) = known_devices::account_of(db, token).await? else {
        return Ok(None);
    };
    Ok(find_by_email(db, email)
        .await?
        .filter(|m| m.id == account_id)
        .map(|m| (token, m)))
}

/// Gives `email`'s account a new password (the operator's `vitrine user passwd`: a forgotten
/// password, a leaked one, an admin who left), and ends every session and forgets every
/// browser of it, so nobody stays in on the old one.
pub async fn set_password(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
) -> Result<Account, Error> {
    let email = Email::parse(email).map_err(Error::invalid)?;
    let password = Password::parse(password).map_err(Error::invalid)?;
    let model = find_by_email(db, &email)
        .await?
        .ok_or(Error::NotFound("That account"))?;
    let hash = hash_password(password).await?;
    let txn = crate::db::begin(db).await?;
    account::Entity::update_many()
        .col_expr(account::Column::PasswordHash, Expr::value(hash))
        .filter(account::Column::Id.eq(model.id))
        .exec(&txn)
        .await?;
    known_device::Entity::delete_many()
        .filter(known_device::Column::AccountId.eq(model.id))
        .exec(&txn)
        .await?;
    session::Entity::delete_many()
        .filter(session::Column::AccountId.eq(model.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(Account::from_model(model))
}

/// The account with this e-mail address, if any.
pub async fn by_email(db: &DatabaseConnection, email: &str) -> Result<Option<Account>, Error> {
    let Ok(email) = Email::parse(email) else {
        return Ok(None);
    };
    Ok(find_by_email(db, &email).await?.map(Account::from_model))
}

async fn find_by_email(
    db: &DatabaseConnection,
    email: &Email,
) -> Result<Option<account::Model>, Error> {
    Ok(account::Entity::find()
        .filter(account::Column::Email.eq(email.as_str()))
        .one(db)
        .await?)
}

/// Each Argon2 hash takes 19 MiB and a core for tens of milliseconds: at most this many run at
/// once, so a storm of sign-ups or sign-ins waits in line instead of taking the server's memory
/// (50 sign-ups at once took a server to 900 MB; 300 wrong sign-ins to 6 GB).
const HASHES_AT_ONCE: usize = 4;
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(HASHES_AT_ONCE);

/// Runs `work` (an Argon2 hash or verification) on the blocking pool, in line for a slot.
async fn hashing<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    in_line(&HASHING, work).await
}

/// Runs `work` on the blocking pool once `line` gives it a slot. The slot goes with the work,
/// not with the caller: a client that disconnects cannot free it while its hash still runs.
async fn in_line<T: Send + 'static>(
    line: &'static tokio::sync::Semaphore,
    work: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    let slot = line
        .acquire()
        .await
        .map_err(|e| Error::Internal(format!("password hashing is closed: {e}")))?;
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        work()
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?
}

async fn hash_password(password: Password) -> Result<String, Error> {
    hashing(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))
    })
    .await
}

/// Verifies against `hash`, or against a throwaway hash when there is none (equal timing).
async fn verify_password(password: String, hash: Option<String>) -> Result<bool, Error> {
    hashing(move || {
        let stored = match hash {
            Some(h) => h,
            None => {
                let salt = SaltString::generate(&mut OsRng);
                Argon2::default()
                    .hash_password(b"no such account", &salt)
                    .map(|h| h.to_string())
                    .map_err(|e| Error::Internal(e.to_string()))?;
                return Ok(false);
            }
        };
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| Error::Internal(format!("stored hash unreadable: {e}")))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
}

/// Sessions no request can use any more: past their end, or idle too long (`session_account`
/// refuses them). Only `vitrine gc` removes those never presented again.
pub(crate) fn ended_sessions(now: chrono::DateTime<Utc>) -> sea_orm::Condition {
    use sea_orm::Condition;
    let idle_since = now - SESSION_IDLE;
    Condition::any()
        .add(session::Column::ExpiresAt.lte(now))
        .add(session::Column::LastSeenAt.lte(idle_since))
        .add(
            Condition::all()
                .add(session::Column::LastSeenAt.is_null())
                .add(session::Column::CreatedAt.lte(idle_since)),
        )
}

/// Opens a session and returns the cookie token (only its hash is stored).
pub async fn open_session(db: &DatabaseConnection, account: &Account) -> Result<String, Error> {
    let token = new_token();
    let now = Utc::now();
    session::ActiveModel {
        id: Set(token_hash(&token)),
        account_id: Set(account.id),
        created_at: Set(now),
        expires_at: Set(now + SESSION_LIFETIME),
        last_seen_at: Set(Some(now)),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The account behind a session token, if the session is live.
pub async fn from_session(db: &DatabaseConnection, token: &str) -> Result<Option<Account>, Error> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    // The session and its account in one query: every signed-in request pays this.
    let Some((session, account)) = session::Entity::find_by_id(token_hash(token))
        .find_also_related(account::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let now = Utc::now();
    let last_seen = session.last_seen_at.unwrap_or(session.created_at);
    if session.expires_at <= now || last_seen + SESSION_IDLE <= now {
        session::Entity::delete_by_id(session.id).exec(db).await?;
        return Ok(None);
    }
    if last_seen + SEEN_EVERY <= now {
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, Expr::value(Some(now)))
            .filter(session::Column::Id.eq(session.id.clone()))
            .exec(db)
            .await?;
    }
    Ok(account.map(Account::from_model))
}

/// Ends a session (signing out). Unknown tokens are ignored.
pub async fn close_session(db: &DatabaseConnection, token: &str) -> Result<(), Error> {
    session::Entity::delete_by_id(token_hash(token))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of `account_id` ("sign out everywhere": a lost phone, a shared
/// computer), and forgets its browsers but `keep` (the one asking, whose owner may need it
/// while someone guesses at the account), so no other keeps the standing of a known one.
/// Returns how many sessions ended.
pub async fn close_all_sessions(
    db: &DatabaseConnection,
    account_id: i64,
    keep: Option<&DeviceToken>,
) -> Result<u64, Error> {
    known_devices::forget_all_but(db, account_id, keep).await?;
    Ok(session::Entity::delete_many()
        .filter(session::Column::AccountId.eq(account_id))
        .exec(db)
        .await?
        .rows_affected)
}

/// How many live sessions `account_id` has (this one included).
pub async fn live_sessions(db: &DatabaseConnection, account_id: i64) -> Result<u64, Error> {
    use sea_orm::PaginatorTrait;
    Ok(session::Entity::find()
        .filter(session::Column::AccountId.eq(account_id))
        .filter(session::Column::ExpiresAt.gt(Utc::now()))
        .count(db)
        .await?)
}

/// A random token for a cookie (sessions, known devices): 32 bytes, in hex.
pub(crate) fn new_token() -> String {
    let mut raw = [0u8; 32];
    OsRng.fill_bytes(&mut raw);
    hex::encode(raw)
}

/// What a cookie's token is stored as: a leaked table opens nothing.
pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Requires an admin.
pub fn require_admin(account: &Account) -> Result<(), Error> {
    if account.is_admin() {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    /// A sign-in whose client left while its hash runs keeps its slot until the hash ends;
    /// otherwise clients that disconnect at once could run any number of 19 MiB hashes together.
    #[tokio::test]
    async fn a_hash_keeps_its_slot_after_its_caller_left() {
        static LINE: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);
        let (started, has_started) = mpsc::channel();
        let (finish, may_finish) = mpsc::channel::<()>();
        let caller = tokio::spawn(in_line(&LINE, move || {
            let _ = started.send(());
            let _ = may_finish.recv();
            Ok(())
        }));
        let began = tokio::task::spawn_blocking(move || has_started.recv()).await;
        assert!(matches!(began, Ok(Ok(()))), "the work never started");
        caller.abort();
        assert!(matches!(caller.await, Err(e) if e.is_cancelled()));

        assert_eq!(
            LINE.available_permits(),
            0,
            "the hash still runs: its slot is taken"
        );
        assert!(finish.send(()).is_ok());
        let freed = tokio::time::timeout(Duration::from_secs(10), LINE.acquire()).await;
        assert!(
            matches!(freed, Ok(Ok(_))),
            "the slot came back when the hash ended"
        );
    }
}
