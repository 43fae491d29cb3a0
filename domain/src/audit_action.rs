//! What an audit event records: every change to a seller's products and images.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum),
    sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")
)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "product_created"))]
    ProductCreated,
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "product_renamed"))]
    ProductRenamed,
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "product_deleted"))]
    ProductDeleted,
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "uploaded"))]
    Uploaded,
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "approved"))]
    Approved,
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "rejected"))]
    Rejected,
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "reordered"))]
    Reordered,
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "alt_text_edited"))]
    AltTextEdited,
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "deleted"))]
    Deleted,
}

#[cfg(feature = "sea-orm")]
use sea_orm::sea_query::StringLen;

impl AuditAction {
    pub const ALL: [AuditAction; 9] = [
        AuditAction::ProductCreated,
        AuditAction::ProductRenamed,
        AuditAction::ProductDeleted,
        AuditAction::Uploaded,
        AuditAction::Approved,
        AuditAction::Rejected,
        AuditAction::Reordered,
        AuditAction::AltTextEdited,
        AuditAction::Deleted,
    ];

    /// The machine name, as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::ProductCreated => "product_created",
            AuditAction::ProductRenamed => "product_renamed",
            AuditAction::ProductDeleted => "product_deleted",
            AuditAction::Uploaded => "uploaded",
            AuditAction::Approved => "approved",
            AuditAction::Rejected => "rejected",
            AuditAction::Reordered => "reordered",
            AuditAction::AltTextEdited => "alt_text_edited",
            AuditAction::Deleted => "deleted",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_the_wire() {
        for a in AuditAction::ALL {
            let wire = format!("\"{}\"", a.as_str());
            assert_eq!(serde_json::to_string(&a).unwrap(), wire);
            assert_eq!(serde_json::from_str::<AuditAction>(&wire).unwrap(), a);
        }
        assert!(serde_json::from_str::<AuditAction>("\"renamed\"").is_err());
    }
}
