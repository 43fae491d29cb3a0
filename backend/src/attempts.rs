//! Limits on guessing: how many sign-ins one account and one client address may try, and how
//! many accounts one address may make, in a window of time. The counters live in the database
//! (`attempt_counters`), so the limits hold across every instance behind a load balancer, and
//! each attempt is counted before its password is hashed, so a refused one costs no Argon2.

use std::net::IpAddr;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};

use crate::Error;

/// A door with a limit, and what it counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// Sign-ins to one account from browsers it never signed in from: slows guessing one
    /// seller's password.
    SignInAccount,
    /// Sign-ins from one browser the account signed in from before (`known_devices`), which
    /// the account's own count does not lock out.
    SignInDevice,
    /// Sign-ins from one client address, to any account: slows trying many accounts.
    SignInAddress,
    /// Accounts made from one client address.
    SignUpAddress,
}

impl Counted {
    /// Attempts allowed per window. A person who mistypes a password a few times never
    /// meets these; a script does at once.
    pub const fn limit(self) -> (i32, Duration) {
        match self {
            Counted::SignInAccount | Counted::SignInDevice => (10, Duration::from_secs(15 * 60)),
            Counted::SignInAddress => (30, Duration::from_secs(15 * 60)),
            Counted::SignUpAddress => (10, Duration::from_secs(60 * 60)),
        }
    }

    fn key(self, subject: &str) -> String {
        let door = match self {
            Counted::SignInAccount => "sign-in account",
            Counted::SignInDevice => "sign-in device",
            Counted::SignInAddress => "sign-in address",
            Counted::SignUpAddress => "sign-up address",
        };
        format!("{door} {subject}")
    }

    fn refusal(self, retry_after: Duration) -> Error {
        let what = match self {
            Counted::SignInAccount => {
                "Too many attempts to sign in to this account from new browsers. A browser \
                 you have signed in with before still can"
            }
            Counted::SignInDevice => "Too many attempts to sign in from this browser",
            Counted::SignInAddress => "Too many sign-in attempts from your network",
            Counted::SignUpAddress => "Too many accounts made from your network",
        };
        Error::TooManyAttempts {
            message: format!("{what}. Wait {} and try again.", in_words(retry_after)),
            retry_after,
        }
    }
}

/// The part of a client address that names one client: an IPv6 holder usually has a whole
/// /64, so counting single addresses there would count nothing.
pub fn client_subject(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The client address of the request being answered, as [`client_address`] found it; the
/// server puts it in each request's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// The client behind a request that reached us from `peer`. Behind `trusted_proxies` proxies
/// (a host's load balancer, a CDN), each appended the address it was sent from to
/// `X-Forwarded-For` (every line of it, joined with commas, in order), so the client is that
/// many entries from the right; anything further left was written by the client and proves
/// nothing. An entry may carry a port (`203.0.113.7:51234`, `[2001:db8::1]:443`, as some
/// proxies write). When the client's entry is not an address (`unknown`, junk), the peer is
/// used: skipping it would count the client by an entry it wrote itself. Without trusted
/// proxies the header is ignored: anyone can send one.
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted_proxies: u8) -> IpAddr {
    if trusted_proxies == 0 {
        return peer;
    }
    let entries: Vec<&str> = forwarded_for
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .collect();
    // Fewer entries than proxies: the request came in through the nearer ones only, and the
    // leftmost entry is the one the first of them wrote.
    let client = entries
        .len()
        .checked_sub(usize::from(trusted_proxies))
        .map_or(entries.first(), |at| entries.get(at));
    client.and_then(|entry| hop(entry)).unwrap_or(peer)
}

/// One `X-Forwarded-For` entry's address, with or without a port.
fn hop(entry: &str) -> Option<IpAddr> {
    entry
        .parse()
        .ok()
        .or_else(|| entry.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
}

/// Counts one attempt at `counted` by `subject`; refuses it (and says when to come back) when
/// the window already holds the limit.
pub async fn count(
    db: &DatabaseConnection,
    counted: Counted,
    subject: &str,
    now_secs: i64,
) -> Result<(), Error> {
    let (limit, window) = counted.limit();
    let window_secs = window.as_secs() as i64;
    let stale = now_secs - window_secs;
    // One statement, so two instances counting at once never both see room for one more:
    // a window that has ended starts again at 1.
    let sql = r#"INSERT INTO attempt_counters ("key", window_start, attempts) VALUES (?, ?, 1)
        ON CONFLICT ("key") DO UPDATE SET
          attempts = CASE WHEN attempt_counters.window_start <= ? THEN 1
                          ELSE attempt_counters.attempts + 1 END,
          window_start = CASE WHEN attempt_counters.window_start <= ? THEN ?
                              ELSE attempt_counters.window_start END
        RETURNING attempts, window_start"#;
    let values: Vec<Value> = vec![
        counted.key(subject).into(),
        now_secs.into(),
        stale.into(),
        stale.into(),
        now_secs.into(),
    ];
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            placeholders(backend, sql),
            values,
        ))
        .await?
        .ok_or_else(|| Error::Internal("counting an attempt returned no row".into()))?;
    let attempts: i32 = row.try_get("", "attempts")?;
    let window_start: i64 = row.try_get("", "window_start")?;
    if attempts == 1 {
        forget_old(db, now_secs).await?;
    }
    if attempts > limit {
        let ends = window_start + window_secs;
        return Err(counted.refusal(Duration::from_secs((ends - now_secs).max(1) as u64)));
    }
    Ok(())
}

/// Forgets `subject`'s attempts (a successful sign-in: earlier typos no longer count).
pub async fn clear(db: &DatabaseConnection, counted: Counted, subject: &str) -> Result<(), Error> {
    let backend = db.get_database_backend();
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        placeholders(backend, r#"DELETE FROM attempt_counters WHERE "key" = ?"#),
        [counted.key(subject).into()],
    ))
    .await?;
    Ok(())
}

/// Counters whose window ended a day ago say nothing any more; sweeping them when a new
/// window opens keeps the table as small as the set of recent clients.
async fn forget_old(db: &DatabaseConnection, now_secs: i64) -> Result<(), Error> {
    let backend = db.get_database_backend();
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        placeholders(
            backend,
            "DELETE FROM attempt_counters WHERE window_start < ?",
        ),
        [(now_secs - 24 * 3600).into()],
    ))
    .await?;
    Ok(())
}

/// `?` placeholders, numbered `$1, $2, …` for PostgreSQL.
fn placeholders(backend: DbBackend, sql: &str) -> String {
    if backend != DbBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

/// "a minute", "14 minutes", "an hour": how a person says a wait.
fn in_words(wait: Duration) -> String {
    let minutes = wait.as_secs().div_ceil(60);
    match minutes {
        0 | 1 => "a minute".into(),
        m if m < 60 => format!("{m} minutes"),
        60 => "an hour".into(),
        m => format!("{} hours", m.div_ceil(60)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_said_in_minutes() {
        assert_eq!(in_words(Duration::from_secs(5)), "a minute");
        assert_eq!(in_words(Duration::from_secs(61)), "2 minutes");
        assert_eq!(in_words(Duration::from_secs(14 * 60)), "14 minutes");
        assert_eq!(in_words(Duration::from_secs(3600)), "an hour");
    }

    #[test]
    fn an_ipv6_client_is_its_64_block() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(client_subject(a), client_subject(b));
        assert_eq!(client_subject(a), "2001:db8:1:2::/64");
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        assert_eq!(client_subject(mapped), "203.0.113.7");
    }

    #[test]
    fn forwarded_for_counts_only_behind_trusted_proxies() {
        let peer: IpAddr = "10.0.0.2".parse().unwrap();
        let spoofed = Some("6.6.6.6, 203.0.113.7");
        assert_eq!(client_address(peer, spoofed, 0), peer);
        assert_eq!(client_address(peer, spoofed, 1).to_string(), "203.0.113.7");
        assert_eq!(client_address(peer, spoofed, 2).to_string(), "6.6.6.6");
        assert_eq!(
            client_address(peer, Some("203.0.113.7"), 2).to_string(),
            "203.0.113.7"
        );
        assert_eq!(client_address(peer, Some("junk"), 1), peer);
        assert_eq!(client_address(peer, None, 1), peer);
    }

    #[test]
    fn the_entry_the_proxy_wrote_counts_whatever_its_form() {
        let peer: IpAddr = "10.0.0.2".parse().unwrap();
        let client = |header: &str, proxies| client_address(peer, Some(header), proxies);
        // With a port, as some load balancers write it.
        assert_eq!(
            client("6.6.6.6, 203.0.113.7:51234", 1).to_string(),
            "203.0.113.7"
        );
        assert_eq!(
            client("6.6.6.6, [2001:db8::7]:443", 1).to_string(),
            "2001:db8::7"
        );
        // The proxy could not tell: the peer, not the client's own entry to its left.
        assert_eq!(client("6.6.6.6, unknown", 1), peer);
        assert_eq!(client("6.6.6.6, junk, 10.0.0.9", 2), peer);
        // Empty entries (a client's trailing comma) are not entries.
        assert_eq!(
            client("6.6.6.6,, 203.0.113.7", 1).to_string(),
            "203.0.113.7"
        );
    }

    #[test]
    fn postgres_numbers_its_placeholders() {
        assert_eq!(
            placeholders(DbBackend::Postgres, "a = ? AND b = ?"),
            "a = $1 AND b = $2"
        );
        assert_eq!(placeholders(DbBackend::Sqlite, "a = ?"), "a = ?");
    }
}
