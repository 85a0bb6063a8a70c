//! What every CSV file Amends writes does so a spreadsheet opens it safely: the mail merge,
//! `amends export`, the analytics' and the chart files' CSV.

/// A spreadsheet would run a cell starting with `=`, `+`, `-` or `@` as a formula; such
/// cells get a leading apostrophe. Numbers (`-0.25`) are left as they are.
pub fn safe_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formula_cells_are_defused() {
        assert_eq!(super::safe_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(super::safe_cell("-1+A1"), "'-1+A1");
        assert_eq!(super::safe_cell("@SUM(A1)"), "'@SUM(A1)");
        // A number is never run as a formula: it stays a number.
        assert_eq!(super::safe_cell("-0.25"), "-0.25");
        assert_eq!(super::safe_cell("Ada"), "Ada");
    }
}
