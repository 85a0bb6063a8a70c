//! How instants, durations, scores and money lists read on a page. Instants are shown in UTC
//! until per-user time zones arrive with accounts.

use crate::domain::Money;
use time::{macros::format_description, OffsetDateTime};

fn instant(ms: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

/// `2026-11-20 14:05 UTC`
pub fn date_time(ms: i64) -> String {
    let fmt = format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    instant(ms)
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| "—".into())
}

/// `2026-11-20`
pub fn date(ms: i64) -> String {
    let fmt = format_description!("[year]-[month]-[day]");
    instant(ms)
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| "—".into())
}

/// A span as a person says it: `45 min`, `3 h 20 min`, `2 d 4 h`.
pub fn duration(ms: i64) -> String {
    if ms < 0 {
        return "—".into();
    }
    let mins = ms / 60_000;
    let (d, h, m) = (mins / 1440, (mins % 1440) / 60, mins % 60);
    match (d, h) {
        (0, 0) => format!("{m} min"),
        (0, _) if m == 0 => format!("{h} h"),
        (0, _) => format!("{h} h {m} min"),
        (_, 0) => format!("{d} d"),
        _ => format!("{d} d {h} h"),
    }
}

/// Costs in several currencies, joined: `$1,200.00 + €80.00`; a dash when empty.
pub fn money_list(list: &[Money]) -> String {
    if list.is_empty() {
        return "—".into();
    }
    list.iter()
        .map(Money::display)
        .collect::<Vec<_>>()
        .join(" + ")
}

/// A compound score with its sign: `+0.64`, `−0.51`.
pub fn score(v: f64) -> String {
    if v < 0.0 {
        format!("−{:.2}", -v)
    } else {
        format!("+{v:.2}")
    }
}

/// `12,345`
pub fn count(n: i64) -> String {
    let digits = crate::domain::group_thousands(n.unsigned_abs());
    if n < 0 {
        format!("-{digits}")
    } else {
        digits
    }
}

/// `a=1&b=x%20y` from the pairs that have a non-empty value (for links that keep a list's
/// filters).
pub fn query_string(pairs: &[(&str, &Option<String>)]) -> String {
    pairs
        .iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", url_encode(v)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes a query-string value (everything but unreserved characters).
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn query_strings_keep_only_given_values_encoded() {
        let (a, b, c) = (
            Some("open".to_string()),
            None,
            Some("50% off & more".to_string()),
        );
        assert_eq!(
            super::query_string(&[
                ("status", &a),
                ("kind", &b),
                ("q", &c),
                ("sort", &Some(String::new()))
            ]),
            "status=open&q=50%25%20off%20%26%20more"
        );
    }
    use super::*;

    #[test]
    fn instants_are_utc() {
        // 2026-11-20T14:05:00Z
        let ms = 1_795_183_500_000;
        assert_eq!(date_time(ms), "2026-11-20 14:05 UTC");
        assert_eq!(date(ms), "2026-11-20");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(45 * 60_000), "45 min");
        assert_eq!(duration(3 * 3_600_000), "3 h");
        assert_eq!(duration(200 * 60_000), "3 h 20 min");
        assert_eq!(duration(52 * 3_600_000), "2 d 4 h");
        assert_eq!(duration(-1), "—");
    }

    #[test]
    fn url_encode_escapes_reserved_and_unicode() {
        assert_eq!(url_encode("a b&c=é/"), "a%20b%26c%3D%C3%A9%2F");
    }

    #[test]
    fn scores_and_counts() {
        assert_eq!(score(0.6369), "+0.64");
        assert_eq!(score(-0.5106), "−0.51");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(-1000), "-1,000");
        assert_eq!(money_list(&[]), "—");
    }
}
