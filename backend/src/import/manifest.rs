//! What an import brings in: the files of a source (`listed`), or a manifest's rows, each
//! with the seller and product it goes to.

use crate::Error;

/// One file to import, and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Its path in the old shop's media (what Django kept in the `ImageField` column), relative
    /// to the source imported: where it is read, and how old links find the picture.
    pub source: String,
    pub seller: String,
    pub product: String,
    pub alt_text: String,
    /// Where it goes in its product's gallery, from the manifest; else manifest order.
    pub position: Option<i32>,
    /// The product's cover (first picture), from the manifest.
    pub cover: bool,
}

/// Every file a source lists (`sources`, paths relative to it), for one seller and product.
pub fn listed(sources: Vec<String>, seller: &str, product: &str) -> Vec<Item> {
    sources
        .into_iter()
        .map(|source| Item {
            source,
            seller: seller.to_owned(),
            product: product.to_owned(),
            alt_text: String::new(),
            position: None,
            cover: false,
        })
        .collect()
}

/// Items from a CSV manifest with a header line naming its columns: `source` (the file's path
/// relative to the source, as Django stores it; `path` is taken too), `seller`, `product`, and
/// optionally `position`, `cover` and `alt`. Quoted fields may hold commas. Items come back in
/// gallery order: each product's cover first, then by position, then as listed.
pub fn manifest(csv: &str) -> Result<Vec<Item>, Error> {
    let mut lines = csv
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Ok(Vec::new());
    };
    let columns: Vec<String> = split_csv(header)
        .into_iter()
        .map(|c| c.to_ascii_lowercase().replace([' ', '_'], ""))
        .collect();
    let column = |names: &[&str]| columns.iter().position(|c| names.contains(&c.as_str()));
    let (Some(source_at), Some(seller_at), Some(product_at)) = (
        column(&["source", "path"]),
        column(&["seller"]),
        column(&["product"]),
    ) else {
        return Err(Error::Invalid(format!(
            "the manifest's header line is \"{header}\": it needs the columns source, seller and product (and may have position, cover and alt)"
        )));
    };
    let (position_at, cover_at, alt_at) = (
        column(&["position"]),
        column(&["cover"]),
        column(&["alt", "alttext"]),
    );
    let mut items = Vec::new();
    for (n, line) in lines {
        let fields = split_csv(line);
        let line_no = n + 1;
        let get = |at: Option<usize>| at.and_then(|i| fields.get(i)).map(String::as_str);
        let (Some(source), Some(seller), Some(product)) = (
            get(Some(source_at)),
            get(Some(seller_at)),
            get(Some(product_at)),
        ) else {
            return Err(Error::Invalid(format!(
                "manifest line {line_no}: source, seller and product are all needed"
            )));
        };
        let position = match get(position_at).filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => Some(p.parse::<i32>().map_err(|_| {
                Error::Invalid(format!(
                    "manifest line {line_no}: position \"{p}\" is not a whole number"
                ))
            })?),
        };
        let cover = matches!(
            get(cover_at).map(str::to_ascii_lowercase).as_deref(),
            Some("1" | "true" | "t" | "yes" | "y")
        );
        let source = source.trim_start_matches('/').to_owned();
        items.push(Item {
            source,
            seller: seller.to_owned(),
            product: product.to_owned(),
            alt_text: get(alt_at).unwrap_or_default().to_owned(),
            position,
            cover,
        });
    }
    // A stable sort: rows with neither cover nor position keep the manifest's order.
    items.sort_by_key(|i| {
        (
            i.seller.clone(),
            i.product.clone(),
            !i.cover,
            i.position.unwrap_or(i32::MAX),
        )
    });
    Ok(items)
}

fn split_csv(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                if let Some(f) = fields.last_mut() {
                    f.push('"')
                }
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(String::new()),
            (c, _) => {
                if let Some(f) = fields.last_mut() {
                    f.push(c)
                }
            }
        }
    }
    fields.into_iter().map(|f| f.trim().to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_name_seller_product_and_alt_text() {
        let items = manifest("path,seller,product,alt\nproducts/tote.jpg,ana@shop.example,\"Tote, natural\",\"A tote, \"\"linen\"\"\"\n",
        )
        .unwrap();
        assert_eq!(items[0].source, "products/tote.jpg");
        assert_eq!(items[0].product, "Tote, natural");
        assert_eq!(items[0].alt_text, "A tote, \"linen\"");
        assert!(manifest("h\nonly-a-path\n").is_err());
    }

    #[test]
    fn manifest_columns_go_by_name_and_order_the_gallery() {
        let csv = "product,source,seller,cover,position,alt_text\n\
                   Tote,product_images/b.jpg,ana@shop.example,,2,\n\
                   Tote,product_images/c.jpg,ana@shop.example,,,last\n\
                   Tote,product_images/a.jpg,ana@shop.example,,1,\n\
                   Tote,product_images/d.jpg,ana@shop.example,True,5,the cover\n";
        let items = manifest(csv).unwrap();
        let order: Vec<&str> = items.iter().map(|i| i.source.as_str()).collect();
        assert_eq!(
            order,
            [
                "product_images/d.jpg",
                "product_images/a.jpg",
                "product_images/b.jpg",
                "product_images/c.jpg"
            ]
        );
        assert!(items[0].cover);
        assert_eq!(items[3].alt_text, "last");
        let bad = manifest("source,seller,product,position\nx.jpg,a,b,first\n");
        assert!(bad.unwrap_err().to_string().contains("not a whole number"));
        let headless = manifest("file,owner\nx.jpg,a\n");
        assert!(
            headless
                .unwrap_err()
                .to_string()
                .contains("source, seller and product")
        );
    }
}
