//! How the browser sends an object to the store.

/// Chosen per store by its provider preset (`VITRINE_UPLOAD_METHOD` overrides it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UploadMethod {
    /// POST Object with a signed policy (exact key, type and size): AWS, MinIO.
    Post,
    /// A presigned PUT whose signature covers Content-Type and Content-Length: R2 has no POST
    /// Object, and Spaces does not document POST policies.
    Put,
}

impl UploadMethod {
    pub const ALL: [UploadMethod; 2] = [UploadMethod::Post, UploadMethod::Put];

    pub fn as_str(self) -> &'static str {
        match self {
            UploadMethod::Post => "post",
            UploadMethod::Put => "put",
        }
    }
}

impl std::fmt::Display for UploadMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_the_wire() {
        for m in UploadMethod::ALL {
            let wire = format!("\"{}\"", m.as_str());
            assert_eq!(serde_json::to_string(&m).unwrap(), wire);
            assert_eq!(serde_json::from_str::<UploadMethod>(&wire).unwrap(), m);
        }
        assert!(serde_json::from_str::<UploadMethod>("\"PUT\"").is_err());
    }
}
