//! Account identity values: e-mail addresses, passwords and roles.

use std::fmt;

use crate::limits::{EMAIL_CHARS, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};

/// A normalised (trimmed, lower-cased) e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EmailError {
    #[error("Enter an e-mail address.")]
    Empty,
    #[error(
        "\"{0}\" is not an e-mail address: it needs one @ with a name before it and a domain after it."
    )]
    Malformed(String),
    #[error("That e-mail address is too long (at most {EMAIL_CHARS} characters).")]
    TooLong,
}

impl Email {
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(EmailError::Empty);
        }
        if email.len() > EMAIL_CHARS {
            return Err(EmailError::TooLong);
        }
        let well_formed = match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !email.chars().any(char::is_whitespace)
                    && crate::typed_text::check(&email, crate::typed_text::Lines::One).is_ok()
            }
            None => false,
        };
        if !well_formed {
            return Err(EmailError::Malformed(raw.trim().to_owned()));
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password that meets the length rules; never printed.
pub struct Password(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordError {
    #[error("Choose a password of at least {PASSWORD_MIN_CHARS} characters.")]
    TooShort,
    #[error("That password is too long (at most {PASSWORD_MAX_CHARS} characters).")]
    TooLong,
}

impl Password {
    pub fn parse(raw: &str) -> Result<Self, PasswordError> {
        let chars = raw.chars().count();
        if chars < PASSWORD_MIN_CHARS {
            Err(PasswordError::TooShort)
        } else if chars > PASSWORD_MAX_CHARS {
            Err(PasswordError::TooLong)
        } else {
            Ok(Self(raw.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// What an account may do: sellers manage their own products, admins also review uploads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(
    feature = "sea-orm",
    derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum),
    sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "seller"))]
    Seller,
    #[cfg_attr(feature = "sea-orm", sea_orm(string_value = "admin"))]
    Admin,
}

#[cfg(feature = "sea-orm")]
use sea_orm::sea_query::StringLen;

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Seller => "seller",
            Role::Admin => "admin",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            Email::parse("  Ana@Shop.Example ").unwrap().as_str(),
            "ana@shop.example"
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "ana",
            "ana@",
            "@shop.example",
            "ana@shop",
            "a@b@c.d",
            "an a@shop.example",
            "ana@.shop",
        ] {
            assert!(
                matches!(Email::parse(bad), Err(EmailError::Malformed(_))),
                "{bad}"
            );
        }
        assert_eq!(Email::parse("   "), Err(EmailError::Empty));
    }

    #[test]
    fn password_length_is_checked_in_characters() {
        assert_eq!(
            Password::parse("short").unwrap_err(),
            PasswordError::TooShort
        );
        assert!(Password::parse("ümlautsüüü").is_ok());
        assert_eq!(
            format!("{:?}", Password::parse("a long enough secret").unwrap()),
            "Password(***)"
        );
    }

    #[test]
    fn roles_round_trip() {
        for role in [Role::Seller, Role::Admin] {
            let wire = format!("\"{}\"", role.as_str());
            assert_eq!(serde_json::to_string(&role).unwrap(), wire);
            assert_eq!(serde_json::from_str::<Role>(&wire).unwrap(), role);
        }
        assert!(serde_json::from_str::<Role>("\"root\"").is_err());
    }
}
