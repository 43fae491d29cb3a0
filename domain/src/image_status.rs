//! Where an image stands in review. Only `Approved` images reach the storefront.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum),
    sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")
)]
#[serde(rename_all = "lowercase")]
pub enum ImageStatus {
    /// Uploaded (or edited) and waiting for an admin.
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "pending"))]
    Pending,
    /// Shown on the storefront.
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "approved"))]
    Approved,
    /// Not shown; the seller sees the admin's reason.
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "rejected"))]
    Rejected,
}

#[cfg(feature = "sea-orm")]
use sea_orm::sea_query::StringLen;

impl ImageStatus {
    pub const ALL: [ImageStatus; 3] = [
        ImageStatus::Pending,
        ImageStatus::Approved,
        ImageStatus::Rejected,
    ];

    /// The machine name, as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            ImageStatus::Pending => "pending",
            ImageStatus::Approved => "approved",
            ImageStatus::Rejected => "rejected",
        }
    }
}

impl std::fmt::Display for ImageStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_are_the_stored_names() {
        for s in ImageStatus::ALL {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
    }
}
