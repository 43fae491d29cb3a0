//! What the storage's answer to a transfer means for the seller: busy or away for a moment
//! (try again), a clock problem (named, so the operator knows what to fix), or a refusal.

use domain::StoreRefusal;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreAnswer {
    /// Overloaded or restarting: the same signed upload is sent again after a wait.
    Busy,
    /// Refused for good; the sentence to show.
    Refused(String),
}

const CLOCK: &str = "The storage refused the upload because this site's server clock and the storage's clock disagree by more than the 15 minutes signatures allow. Nothing was saved. The site's operator must set the server's clock right (NTP; `vitrine doctor` shows the difference).";

const EXPIRED: &str = "The storage says the upload permission has expired or is not valid yet: it was used too late, or this site's server clock is wrong. Nothing was saved. Press Retry; if it happens again, the site's operator should check the server's clock (`vitrine doctor`).";

/// Reads the storage's answer to a transfer that did not succeed.
pub fn store_answer(status: u16, body: &str) -> StoreAnswer {
    let refusal = StoreRefusal::parse(body);
    let code = refusal.code.as_deref().unwrap_or_default();
    let message = refusal.message.as_deref().unwrap_or_default();
    if matches!(status, 500 | 502 | 503 | 504)
        || matches!(code, "SlowDown" | "ServiceUnavailable" | "InternalError")
    {
        return StoreAnswer::Busy;
    }
    if code == "RequestTimeTooSkewed" {
        return StoreAnswer::Refused(CLOCK.into());
    }
    let lower = message.to_ascii_lowercase();
    if code == "AccessDenied" && (lower.contains("expired") || lower.contains("not yet valid")) {
        return StoreAnswer::Refused(EXPIRED.into());
    }
    StoreAnswer::Refused(match (refusal.code, refusal.message) {
        (Some(code), Some(message)) => {
            format!("The storage refused the upload ({code}: {message}). Try again.")
        }
        (Some(code), None) => format!("The storage refused the upload ({code}). Try again."),
        _ => format!("The storage refused the upload (HTTP {status}). Try again."),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(code: &str, message: &str) -> String {
        format!(
            "<?xml version=\"1.0\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
        )
    }

    #[test]
    fn busy_and_restarting_stores_are_tried_again() {
        assert_eq!(
            store_answer(503, &error("SlowDown", "Reduce your request rate")),
            StoreAnswer::Busy
        );
        assert_eq!(
            store_answer(502, "<html>Bad gateway</html>"),
            StoreAnswer::Busy
        );
    }

    #[test]
    fn clock_problems_name_the_clock() {
        let skewed = store_answer(
            403,
            &error(
                "RequestTimeTooSkewed",
                "The difference between the request time and the current time is too large.",
            ),
        );
        let expired = store_answer(
            403,
            &error(
                "AccessDenied",
                "Invalid according to Policy: Policy expired.",
            ),
        );
        let early = store_answer(403, &error("AccessDenied", "Request is not yet valid"));
        for answer in [skewed, expired, early] {
            let StoreAnswer::Refused(sentence) = answer else {
                panic!("a clock problem is not retried as is");
            };
            assert!(sentence.contains("server's clock"), "{sentence}");
        }
    }

    #[test]
    fn other_refusals_quote_the_store() {
        assert_eq!(
            store_answer(403, &error("AccessDenied", "Invalid according to Policy: Policy Condition failed")),
            StoreAnswer::Refused(
                "The storage refused the upload (AccessDenied: Invalid according to Policy: Policy Condition failed). Try again.".into()
            )
        );
        assert_eq!(
            store_answer(400, ""),
            StoreAnswer::Refused("The storage refused the upload (HTTP 400). Try again.".into())
        );
    }
}
