//! Instants typed into forms. Times are entered and shown in UTC (per-user time zones are
//! a later setting), as `YYYY-MM-DDTHH:MM` — what `<input type="datetime-local">` sends.

use time::{macros::format_description, OffsetDateTime, PrimitiveDateTime};

/// Parse a form's date-time (`2026-11-20T14:05`, seconds optional, a space instead of the
/// `T` accepted) as UTC epoch milliseconds.
pub fn parse_input(s: &str) -> Result<i64, String> {
    let t = s.trim().replacen(' ', "T", 1);
    let minute = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let second = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    PrimitiveDateTime::parse(&t, minute)
        .or_else(|_| PrimitiveDateTime::parse(&t, second))
        .map(|p| (p.assume_utc().unix_timestamp_nanos() / 1_000_000) as i64)
        .map_err(|_| "Enter a date and time like 2026-11-20 14:05 (UTC).".to_string())
}

/// An optional date-time: empty means none.
pub fn parse_optional(s: &str) -> Result<Option<i64>, String> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        parse_input(s).map(Some)
    }
}

/// A date (`2026-11-20`) as the UTC midnight that starts it.
pub fn parse_date(s: &str) -> Result<i64, String> {
    let fmt = format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), fmt)
        .map(|d| (d.midnight().assume_utc().unix_timestamp_nanos() / 1_000_000) as i64)
        .map_err(|_| "Enter a date like 2026-11-20.".to_string())
}

/// The years a date typed into a question may fall in: a range a team can mean, far inside
/// what the calendar arithmetic handles.
pub const YEARS: std::ops::RangeInclusive<i32> = 1970..=2200;

/// A date as `parse_date` reads it, within `YEARS`; `what` names it in the refusal
/// ("The end date").
pub fn parse_bounded_date(s: &str, what: &str) -> Result<i64, String> {
    let ms = parse_date(s)?;
    let year = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map(|t| t.year())
        .unwrap_or(i32::MIN);
    if YEARS.contains(&year) {
        Ok(ms)
    } else {
        Err(format!(
            "{what} must be between {}-01-01 and {}-12-31.",
            YEARS.start(),
            YEARS.end()
        ))
    }
}

/// Now, as UTC epoch milliseconds (on the server; the browser has no clock in `time`).
#[cfg(not(feature = "hydrate"))]
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// The value a `datetime-local` input shows for an instant.
pub fn to_input(ms: i64) -> String {
    let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(fmt).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_times_are_utc_minutes() {
        // 2026-11-20 14:05 UTC = 1 795 183 500 s after the epoch.
        assert_eq!(parse_input("2026-11-20T14:05"), Ok(1_795_183_500_000));
        assert_eq!(parse_input(" 2026-11-20 14:05 "), Ok(1_795_183_500_000));
        assert_eq!(parse_input("2026-11-20T14:05:30"), Ok(1_795_183_530_000));
        assert_eq!(to_input(1_795_183_530_000), "2026-11-20T14:05");
        assert!(parse_input("20/11/2026").is_err());
        assert!(parse_input("2026-02-30T10:00").is_err());
        assert_eq!(parse_optional("  "), Ok(None));
        assert_eq!(parse_date("2026-11-20"), Ok(1_795_132_800_000));
    }

    #[test]
    fn question_dates_stay_in_a_range_a_team_can_mean() {
        assert_eq!(parse_bounded_date("1970-01-01", "The start date"), Ok(0));
        assert!(parse_bounded_date("2200-12-31", "The end date").is_ok());
        for far in ["9999-12-31", "0001-01-01", "1969-12-31", "2201-01-01"] {
            let e = parse_bounded_date(far, "The end date").unwrap_err();
            assert_eq!(e, "The end date must be between 1970-01-01 and 2200-12-31.");
        }
        assert!(parse_bounded_date("tomorrow", "The end date")
            .unwrap_err()
            .contains("like 2026-11-20"));
    }
}
