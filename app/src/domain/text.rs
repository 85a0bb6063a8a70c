//! One rule for free text, wherever it comes from: Amends stores no NUL and no other
//! control character but tab, line feed and carriage return. PostgreSQL cannot store NUL
//! at all, and the others are invisible on a page, so both engines hold the same text.
//! Forms, the API and imports refuse such text naming the field; searches drop the
//! characters (no stored text holds them, so they could match nothing); webhook deliveries,
//! written by systems a person cannot ask to retype, have them removed.

/// Whether `c` may appear in stored text.
pub fn allowed(c: char) -> bool {
    !c.is_control() || matches!(c, '\t' | '\n' | '\r')
}

/// `Err` with the message a field shows when `text` holds a character Amends cannot store.
pub fn check(text: &str) -> Result<(), String> {
    match text.chars().find(|c| !allowed(*c)) {
        None => Ok(()),
        Some(c) => Err(format!(
            "This contains an invisible control character (U+{:04X}) that cannot be stored; \
             remove it and try again.",
            c as u32
        )),
    }
}

/// `text` without the characters Amends cannot store.
pub fn without_controls(text: &str) -> String {
    text.chars().filter(|c| allowed(*c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_other_controls_are_refused_but_tabs_and_line_breaks_kept() {
        assert!(check("Line one\r\nline\ttwo — émile ✓").is_ok());
        for bad in ["a\0b", "\u{7}", "x\u{1b}[31m", "\u{7f}", "\u{85}"] {
            let e = check(bad).unwrap_err();
            assert!(e.contains("control character (U+"), "{bad:?}: {e}");
        }
        assert!(check("a\0b").unwrap_err().contains("U+0000"));
        assert_eq!(without_controls("a\0b\tc\u{1b}"), "ab\tc");
    }
}
