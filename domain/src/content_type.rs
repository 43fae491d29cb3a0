//! The image types Vitrine stores. Anything else (SVG above all: it can carry script) is refused.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum),
    sea_orm(rs_type = "String", db_type = "String(StringLen::N(64))")
)]
pub enum ContentType {
    #[serde(rename = "image/jpeg")]
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "image/jpeg"))]
    Jpeg,
    #[serde(rename = "image/png")]
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "image/png"))]
    Png,
    #[serde(rename = "image/webp")]
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "image/webp"))]
    Webp,
}

#[cfg(feature = "sea-orm")]
use sea_orm::sea_query::StringLen;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("\"{0}\" is not a type Vitrine stores: upload JPEG, PNG or WebP images.")]
pub struct UnsupportedContentType(pub String);

impl ContentType {
    pub const ALL: [ContentType; 3] = [ContentType::Jpeg, ContentType::Png, ContentType::Webp];

    pub fn parse(raw: &str) -> Result<Self, UnsupportedContentType> {
        // Parameters (`; charset=…`) never matter for images; case never matters for MIME types.
        let essence = raw
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "image/jpeg" | "image/jpg" => Ok(ContentType::Jpeg),
            "image/png" => Ok(ContentType::Png),
            "image/webp" => Ok(ContentType::Webp),
            _ => Err(UnsupportedContentType(raw.to_owned())),
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            ContentType::Jpeg => "image/jpeg",
            ContentType::Png => "image/png",
            ContentType::Webp => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ContentType::Jpeg => "jpg",
            ContentType::Png => "png",
            ContentType::Webp => "webp",
        }
    }
}

impl fmt::Display for ContentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.mime())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_image_types() {
        assert_eq!(ContentType::parse("image/jpeg"), Ok(ContentType::Jpeg));
        assert_eq!(ContentType::parse("IMAGE/JPG"), Ok(ContentType::Jpeg));
        assert_eq!(
            ContentType::parse("image/png; foo=bar"),
            Ok(ContentType::Png)
        );
        assert_eq!(ContentType::parse("image/webp"), Ok(ContentType::Webp));
    }

    #[test]
    fn refuses_svg_and_others() {
        for raw in [
            "image/svg+xml",
            "text/html",
            "",
            "image/gif",
            "application/octet-stream",
        ] {
            assert!(ContentType::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn mime_round_trips() {
        for ct in ContentType::ALL {
            assert_eq!(ContentType::parse(ct.mime()), Ok(ct));
        }
    }
}
