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
    pub fn scale(currency: &str) -> i64 {
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

/// A currency code as typed: three letters, upper-cased.
pub fn parse_currency(s: &str) -> Result<String, String> {
    let c = s.trim().to_ascii_uppercase();
    if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase()) {
        Ok(c)
    } else {
        Err("Use a three-letter currency code such as USD or EUR.".into())
    }
}

/// An amount as a person types it (`25`, `25.5`, `1,200.00`, `$25`) in minor units of
/// `currency`. Empty means zero; negative amounts and more decimals than the currency has
/// are refused.
pub fn parse_amount(s: &str, currency: &str) -> Result<i64, String> {
    let t: String = s
        .trim()
        .trim_start_matches(['$', '€', '£', '¥'])
        .chars()
        .filter(|c| *c != ',' && *c != ' ')
        .collect();
    if t.is_empty() {
        return Ok(0);
    }
    let scale = Money::scale(currency);
    let places = scale.to_string().len() - 1;
    let bad =
        || format!("Enter an amount like 25 or 25.00 (at most {places} decimals, not negative).");
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > places
        || whole.len() > 12
    {
        return Err(bad());
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let frac_minor: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<places$}").parse().map_err(|_| bad())?
    };
    Ok(whole * scale + frac_minor)
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

    #[test]
    fn amounts_parse_to_minor_units() {
        assert_eq!(parse_amount("25", "USD"), Ok(2500));
        assert_eq!(parse_amount(" $1,200.5 ", "USD"), Ok(120_050));
        assert_eq!(parse_amount(".75", "EUR"), Ok(75));
        assert_eq!(parse_amount("", "EUR"), Ok(0));
        assert_eq!(parse_amount("1200", "JPY"), Ok(1200));
        assert_eq!(parse_amount("1.255", "KWD"), Ok(1255));
        for bad in ["-5", "1.234", "abc", "1.2.3", ".", "12e3"] {
            assert!(parse_amount(bad, "USD").is_err(), "{bad}");
        }
        assert!(parse_amount("1.5", "JPY").is_err());
        assert_eq!(parse_currency(" eur "), Ok("EUR".into()));
        assert!(parse_currency("EURO").is_err());
    }
}
