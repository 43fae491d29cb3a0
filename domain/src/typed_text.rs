//! Text a person typed into a field: what no keyboard types is refused rather than stored.
//! Control characters (NUL, which PostgreSQL cannot store in text, or a line break in a
//! one-line field) and invisible format characters (bidirectional overrides that reorder what
//! an admin reads, zero-width spaces that make a blank name look filled in). The joiners
//! emoji and some scripts need (U+200C, U+200D) are typed, and allowed.

/// Whether the field holds one line or several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Several,
}

/// The first character a field may not hold, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("holds an invisible or control character (U+{:04X}, character {position})", u32::from(*.found))]
pub struct Untypable {
    pub found: char,
    /// 1-based, counted in characters.
    pub position: usize,
}

/// Checks `text` holds only what a person types.
pub fn check(text: &str, lines: Lines) -> Result<(), Untypable> {
    match text.chars().enumerate().find(|&(_, c)| !typable(c, lines)) {
        Some((at, found)) => Err(Untypable {
            found,
            position: at + 1,
        }),
        None => Ok(()),
    }
}

fn typable(c: char, lines: Lines) -> bool {
    if c.is_control() {
        return lines == Lines::Several && matches!(c, '\n' | '\r' | '\t');
    }
    !matches!(
        c,
        '\u{061C}'
            | '\u{200B}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_people_type_passes() {
        for text in [
            "Linen tote",
            "Sac en lin «été»",
            "👨‍👩‍👧 family",
            "خانه‌ها",
            "日本語",
        ] {
            assert_eq!(check(text, Lines::One), Ok(()), "{text}");
        }
        assert_eq!(check("Blurry.\nRetake it, please.", Lines::Several), Ok(()));
    }

    #[test]
    fn control_and_invisible_characters_are_found_where_they_are() {
        assert_eq!(
            check("a\0b", Lines::One),
            Err(Untypable {
                found: '\0',
                position: 2
            })
        );
        assert!(check("two\nlines", Lines::One).is_err());
        for c in ['\u{202E}', '\u{200B}', '\u{2066}', '\u{FEFF}', '\u{7}'] {
            let err = check(&format!("x{c}"), Lines::Several).unwrap_err();
            assert_eq!(err.found, c);
        }
        assert_eq!(
            check("ab\u{202E}", Lines::One).unwrap_err().to_string(),
            "holds an invisible or control character (U+202E, character 3)"
        );
    }
}
