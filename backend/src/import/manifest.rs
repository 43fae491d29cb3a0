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
/// optionally `position`, `cover` and `alt`. Read as spreadsheets write CSV (quoted fields with
/// commas, quotes or line breaks; a byte-order mark). Items come back in gallery order: each
/// product's cover first, then by position, then as listed. A product given two covers is
/// refused, naming the lines: which one was meant is the operator's to say.
pub fn manifest(csv: &str) -> Result<Vec<Item>, Error> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let unreadable =
        |e: csv::Error| Error::Invalid(format!("the manifest cannot be read as CSV: {e}"));
    let header = reader.headers().map_err(unreadable)?.clone();
    if header.iter().all(str::is_empty) {
        return Ok(Vec::new());
    }
    let columns: Vec<String> = header
        .iter()
        .map(|c| c.to_ascii_lowercase().replace([' ', '_'], ""))
        .collect();
    let column = |names: &[&str]| columns.iter().position(|c| names.contains(&c.as_str()));
    let (Some(source_at), Some(seller_at), Some(product_at)) = (
        column(&["source", "path"]),
        column(&["seller"]),
        column(&["product"]),
    ) else {
        return Err(Error::Invalid(format!(
            "the manifest's header line is \"{}\": it needs the columns source, seller and product (and may have position, cover and alt)",
            header.iter().collect::<Vec<_>>().join(",")
        )));
    };
    let (position_at, cover_at, alt_at) = (
        column(&["position"]),
        column(&["cover"]),
        column(&["alt", "alttext"]),
    );
    let mut items = Vec::new();
    // Each product's cover, and the line that made it.
    let mut covers: Vec<(String, String, u64)> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(unreadable)?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let line_no = record.position().map_or(0, csv::Position::line);
        let get = |at: Option<usize>| at.and_then(|i| record.get(i));
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
        if cover {
            if let Some((_, _, first)) = covers.iter().find(|(s, p, _)| s == seller && p == product)
            {
                return Err(Error::Invalid(format!(
                    "manifest lines {first} and {line_no} both make a cover of {seller}'s \"{product}\": keep cover on one (two old products with one name need distinct names)"
                )));
            }
            covers.push((seller.to_owned(), product.to_owned(), line_no));
        }
        items.push(Item {
            source: source.trim_start_matches('/').to_owned(),
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
    fn manifests_as_spreadsheets_write_them_are_read() {
        // Excel's byte-order mark, Windows line ends, an alt text over two lines.
        let csv = "\u{feff}source,seller,product,alt\r\nmugs/a.jpg,ana@shop.example,Mug,\"Blue,\r\nglazed\"\r\n";
        let items = manifest(csv).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].source, "mugs/a.jpg");
        assert_eq!(items[0].alt_text, "Blue,\r\nglazed");
        assert!(manifest("source,seller,product\n").unwrap().is_empty());
    }

    #[test]
    fn two_covers_for_one_product_are_refused_naming_the_lines() {
        // Two old products of one seller both called "T-shirt" would otherwise be merged
        // into one gallery with two covers.
        let csv = "source,seller,product,cover\n\
                   a.jpg,ana@shop.example,T-shirt,yes\n\
                   d.jpg,bo@shop.example,T-shirt,yes\n\
                   b.jpg,ana@shop.example,T-shirt,\n\
                   c.jpg,ana@shop.example,T-shirt,yes\n";
        // Bo's cover (line 3) is another seller's product of the same name: not a second one.
        let err = manifest(csv).unwrap_err().to_string();
        assert!(
            err.contains("lines 2 and 5") && err.contains("\"T-shirt\""),
            "{err}"
        );
        let one_each = csv.lines().take(4).collect::<Vec<_>>().join("\n");
        assert_eq!(manifest(&one_each).unwrap().len(), 3);
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
