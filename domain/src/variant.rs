//! The renditions stored for every image.

/// One rendition of an image, named the same in the pipeline, on the wire (`"display"`), in
/// object keys (`…/display.jpg`) and in the `stored_objects.variant` column.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum),
    sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")
)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    /// Longest side at most 2048 px: the lightbox and storefront picture, and what admins review.
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "display"))]
    Display,
    /// Longest side at most 1024 px.
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "medium"))]
    Medium,
    /// Longest side at most 400 px: grids.
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "thumb"))]
    Thumb,
}

// The active-enum derive names `StringLen` unqualified.
#[cfg(feature = "sea-orm")]
use sea_orm::sea_query::StringLen;

impl Variant {
    /// Largest first: the order the pipeline makes them in and the browser declares them.
    pub const ALL: [Variant; 3] = [Variant::Display, Variant::Medium, Variant::Thumb];

    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Display => "display",
            Variant::Medium => "medium",
            Variant::Thumb => "thumb",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Variant::ALL.into_iter().find(|v| v.as_str() == raw)
    }

    /// The longest side this variant may have.
    pub const fn max_side(self) -> u32 {
        match self {
            Variant::Display => 2048,
            Variant::Medium => 1024,
            Variant::Thumb => 400,
        }
    }
}

impl std::fmt::Display for Variant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_the_wire() {
        for v in Variant::ALL {
            assert_eq!(Variant::parse(v.as_str()), Some(v));
            assert_eq!(
                serde_json::to_string(&v).unwrap(),
                format!("\"{}\"", v.as_str())
            );
        }
        assert_eq!(Variant::parse("original"), None);
    }

    #[test]
    fn listed_largest_first() {
        assert!(
            Variant::ALL
                .windows(2)
                .all(|w| w[0].max_side() > w[1].max_side())
        );
    }
}
