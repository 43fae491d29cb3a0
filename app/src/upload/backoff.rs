//! Trying a step again after a fault that may pass (the server restarting, storage or the
//! network down for a while): how long to wait, and what the seller reads meanwhile.

/// The first wait; each next one doubles, up to [`LONGEST_MS`].
const FIRST_MS: u32 = 1_000;
const LONGEST_MS: u32 = 30_000;
/// At most this much waiting per step. Signed uploads stay valid 10 minutes and an intent 20,
/// so a step retried this long is still allowed when it finally goes through.
const BUDGET_MS: u32 = 4 * 60_000;

/// What kept a step from finishing, when trying again may help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// No answer from Vitrine's server (restarting, or the connection dropped).
    ServerUnreachable,
    /// The server answered that it could not finish now (its database or storage is away).
    ServerTrouble,
    /// No answer, or a "busy" one, from the storage the photo is sent to.
    StorageUnreachable,
}

impl Fault {
    /// Said while waiting `wait_ms` before the next try.
    pub fn retrying(self, wait_ms: u32) -> String {
        let seconds = wait_ms.div_ceil(1_000);
        let what = match self {
            Fault::ServerUnreachable => "Server not reachable",
            Fault::ServerTrouble => "The server cannot finish this now",
            Fault::StorageUnreachable => "Storage not reachable",
        };
        format!("{what}, retrying in {seconds} s…")
    }

    /// Said when the retries ran out.
    pub fn gave_up(self) -> String {
        let what = match self {
            Fault::ServerUnreachable => "The server could not be reached",
            Fault::ServerTrouble => "The server could not finish the upload",
            Fault::StorageUnreachable => "The storage could not be reached",
        };
        format!(
            "{what} for several minutes. Nothing was lost: press Retry when your connection (or the site) is back."
        )
    }
}

/// Waits of 1, 2, 4, 8, 16 s, then 30 s each, until four minutes have been spent waiting.
#[derive(Debug, Clone)]
pub struct Backoff {
    next_ms: u32,
    waited_ms: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            next_ms: FIRST_MS,
            waited_ms: 0,
        }
    }
}

impl Backoff {
    /// The next wait in milliseconds, or `None` once the budget is spent.
    pub fn next_wait(&mut self) -> Option<u32> {
        let left = BUDGET_MS.checked_sub(self.waited_ms).filter(|l| *l > 0)?;
        let wait = self.next_ms.min(left);
        self.waited_ms += wait;
        self.next_ms = (self.next_ms * 2).min(LONGEST_MS);
        Some(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_to_half_a_minute_and_stop_after_four_minutes() {
        let mut backoff = Backoff::default();
        let waits: Vec<u32> = std::iter::from_fn(|| backoff.next_wait()).collect();
        assert_eq!(&waits[..6], &[1_000, 2_000, 4_000, 8_000, 16_000, 30_000]);
        assert!(waits[6..].iter().all(|w| *w <= 30_000));
        assert_eq!(waits.iter().sum::<u32>(), BUDGET_MS);
        assert_eq!(backoff.next_wait(), None);
    }

    #[test]
    fn the_seller_reads_what_is_away_and_when_the_next_try_is() {
        assert_eq!(
            Fault::StorageUnreachable.retrying(4_000),
            "Storage not reachable, retrying in 4 s…"
        );
        assert_eq!(
            Fault::ServerUnreachable.retrying(1_500),
            "Server not reachable, retrying in 2 s…"
        );
        assert!(Fault::ServerTrouble.gave_up().contains("press Retry"));
    }
}
