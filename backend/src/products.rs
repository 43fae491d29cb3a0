//! Products belong to one seller; another seller's product is "not found", never "forbidden".

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};

use crate::entities::product;
use crate::{Account, Error};

pub const MAX_NAME_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: i64,
    pub name: String,
}

impl From<product::Model> for Product {
    fn from(m: product::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
        }
    }
}

fn parse_name(raw: &str) -> Result<String, Error> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Error::Invalid("Give the product a name.".into()));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(Error::Invalid(format!(
            "Product names are at most {MAX_NAME_CHARS} characters."
        )));
    }
    Ok(name.to_owned())
}

pub async fn create(
    db: &DatabaseConnection,
    seller: &Account,
    name: &str,
) -> Result<Product, Error> {
    let name = parse_name(name)?;
    let model = product::ActiveModel {
        account_id: Set(seller.id),
        name: Set(name),
        created_at: Set(Utc::now()),
        gallery_version: Set(0),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(model.into())
}

/// The seller's products, newest first.
pub async fn list(db: &DatabaseConnection, seller: &Account) -> Result<Vec<Product>, Error> {
    Ok(product::Entity::find()
        .filter(product::Column::AccountId.eq(seller.id))
        .order_by_desc(product::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Product::from)
        .collect())
}

/// The product if `seller` owns it; otherwise (missing or someone else's) `NotFound`.
pub async fn find_owned(
    db: &DatabaseConnection,
    seller: &Account,
    id: i64,
) -> Result<Product, Error> {
    product::Entity::find_by_id(id)
        .filter(product::Column::AccountId.eq(seller.id))
        .one(db)
        .await?
        .map(Product::from)
        .ok_or(Error::NotFound("That product"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_name("  Mug ").unwrap(), "Mug");
        assert!(parse_name("   ").is_err());
        assert!(parse_name(&"x".repeat(MAX_NAME_CHARS + 1)).is_err());
    }
}
