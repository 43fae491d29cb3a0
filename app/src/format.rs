//! How values are shown to people.

/// An RFC 3339 time from the server, to the minute: `2026-11-22 23:46 UTC`.
pub fn minute_utc(rfc3339: &str) -> String {
    format!(
        "{} UTC",
        rfc3339.get(..16).unwrap_or(rfc3339).replace('T', " ")
    )
}

/// "No images", "1 image", "12 images".
pub fn image_count(n: u64) -> String {
    match n {
        0 => "No images".to_owned(),
        1 => "1 image".to_owned(),
        n => format!("{n} images"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_counts_read_well() {
        assert_eq!(
            minute_utc("2026-11-22T23:46:22.123+00:00"),
            "2026-11-22 23:46 UTC"
        );
        assert_eq!(image_count(0), "No images");
        assert_eq!(image_count(1), "1 image");
        assert_eq!(image_count(3), "3 images");
    }
}
