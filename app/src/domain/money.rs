//! Money is integer minor units plus an ISO 4217 code — never floats.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: String,
}

impl Money {
    pub fn new(minor: i64, currency: impl Into<String>) -> Self {
        Self {
            minor,
            currency: currency.into(),
        }
    }

    /// Minor units per major unit for the currencies we know; 100 otherwise.
    fn scale(currency: &str) -> i64 {
        match currency {
            "JPY" | "KRW" | "ISK" | "CLP" | "VND" => 1,
            "BHD" | "KWD" | "OMR" | "JOD" | "TND" => 1000,
            _ => 100,
        }
    }

    fn symbol(currency: &str) -> Option<&'static str> {
        match currency {
            "USD" => Some("$"),
            "EUR" => Some("€"),
            "GBP" => Some("£"),
            "JPY" => Some("¥"),
            _ => None,
        }
    }

    /// Human form with thousands separators: `$1,234.50`, `€0.99`, `1,200 CHF`.
    pub fn display(&self) -> String {
        let scale = Self::scale(&self.currency);
        let neg = self.minor < 0;
        let abs = self.minor.unsigned_abs();
        let major = abs / scale as u64;
        let frac = abs % scale as u64;
        let mut digits = group_thousands(major);
        if scale > 1 {
            let width = if scale == 1000 { 3 } else { 2 };
            digits = format!("{digits}.{frac:0width$}");
        }
        let sign = if neg { "-" } else { "" };
        match Self::symbol(&self.currency) {
            Some(sym) => format!("{sign}{sym}{digits}"),
            None => format!("{sign}{digits} {}", self.currency),
        }
    }
}

/// `1234567` → `1,234,567`.
pub fn group_thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_with_symbol_grouping_and_scale() {
        assert_eq!(Money::new(123_450, "USD").display(), "$1,234.50");
        assert_eq!(Money::new(99, "EUR").display(), "€0.99");
        assert_eq!(Money::new(-5, "GBP").display(), "-£0.05");
        assert_eq!(Money::new(1200, "JPY").display(), "¥1,200");
        assert_eq!(Money::new(120_000, "CHF").display(), "1,200.00 CHF");
        assert_eq!(Money::new(1_500, "KWD").display(), "1.500 KWD");
        assert_eq!(Money::new(100_000_000, "USD").display(), "$1,000,000.00");
    }
}
