//! What an S3 store says when it refuses a request: an error document,
//! `<Error><Code>AccessDenied</Code><Message>…</Message></Error>`. Read by the browser after
//! a refused upload and by `vitrine doctor`, so both name the same code.

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreRefusal {
    /// S3's machine code, e.g. `SignatureDoesNotMatch`.
    pub code: Option<String>,
    pub message: Option<String>,
}

impl StoreRefusal {
    /// Reads the error document in `body`; fields it lacks (or a body that is not one) are `None`.
    pub fn parse(body: &str) -> Self {
        Self {
            code: element(body, "Code"),
            message: element(body, "Message"),
        }
    }
}

/// The text of the first `<name>…</name>`: S3 error documents are flat, so no XML parser.
fn element(body: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find(&format!("</{name}>"))? + start;
    Some(body[start..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_code_and_message() {
        let body = "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Policy expired</Message></Error>";
        assert_eq!(
            StoreRefusal::parse(body),
            StoreRefusal {
                code: Some("AccessDenied".into()),
                message: Some("Policy expired".into())
            }
        );
    }

    #[test]
    fn anything_else_reads_as_nothing() {
        assert_eq!(
            StoreRefusal::parse("<html>502</html>"),
            StoreRefusal::default()
        );
        assert_eq!(
            StoreRefusal::parse("<Code>unterminated"),
            StoreRefusal::default()
        );
    }
}
