//! ISO 8601 weeks (Monday start), as the weekly report names them: `2026-W47`.
//! Pure calendar arithmetic; which instant a week starts at depends on the time zone and is
//! the server's business.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Weekday};

/// A week of a week-based year: `2026-W53` exists, `2025-W53` does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct IsoWeek {
    pub year: i32,
    pub week: u8,
}

impl IsoWeek {
    /// How many weeks a week-based year has: 53 when it starts on a Thursday, or on a
    /// Wednesday in a leap year; else 52.
    pub fn weeks_in(year: i32) -> u8 {
        Date::from_calendar_date(year, time::Month::December, 28)
            .map(|d| d.iso_week())
            .unwrap_or(52)
    }

    /// Parse `2026-W47` (a lowercase `w` and surrounding spaces are fine).
    pub fn parse(s: &str) -> Result<IsoWeek, String> {
        let bad = || format!("“{}” is not a week like 2026-W47.", s.trim());
        let t = s.trim().to_ascii_uppercase();
        let (y, w) = t.split_once("-W").ok_or_else(bad)?;
        if y.len() != 4 || w.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let week: u8 = w.parse().map_err(|_| bad())?;
        let years = super::when::YEARS;
        if !years.contains(&year) {
            return Err(format!(
                "Pick a week of the years {} to {}, not {year}.",
                years.start(),
                years.end()
            ));
        }
        let max = Self::weeks_in(year);
        if week == 0 || week > max {
            return Err(format!("{year} has weeks 01 to {max}, not {week:02}."));
        }
        Ok(IsoWeek { year, week })
    }

    /// The week holding a calendar date.
    pub fn of(date: Date) -> IsoWeek {
        let (year, week, _) = date.to_iso_week_date();
        IsoWeek { year, week }
    }

    /// Its Monday.
    pub fn monday(self) -> Date {
        Date::from_iso_week_date(self.year, self.week, Weekday::Monday).unwrap_or(Date::MIN)
    }

    /// The week after this one; the calendar's last week is its own next (the arithmetic
    /// never overflows: callers that step forward stop when the week stops changing).
    pub fn next(self) -> IsoWeek {
        Self::of(
            self.monday()
                .checked_add(Duration::weeks(1))
                .unwrap_or(Date::MAX),
        )
    }

    /// The week before this one; the calendar's first week is its own.
    pub fn prev(self) -> IsoWeek {
        self.back(1)
    }

    /// The week `n` weeks before this one (the calendar's first week at the latest).
    pub fn back(self, n: i64) -> IsoWeek {
        Self::of(
            n.checked_mul(7 * 86_400)
                .and_then(|s| self.monday().checked_sub(Duration::seconds(s)))
                .unwrap_or(Date::MIN),
        )
    }

    /// The last week that has fully ended on `today`: the week before today's.
    pub fn last_full(today: Date) -> IsoWeek {
        Self::of(today).prev()
    }

    pub fn label(self) -> String {
        format!("{:04}-W{:02}", self.year, self.week)
    }
}

impl std::fmt::Display for IsoWeek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn years_have_52_or_53_weeks() {
        // 2026 starts on a Thursday; 2020 is a leap year starting on a Wednesday.
        assert_eq!(IsoWeek::weeks_in(2026), 53);
        assert_eq!(IsoWeek::weeks_in(2020), 53);
        assert_eq!(IsoWeek::weeks_in(2025), 52);
        assert_eq!(IsoWeek::weeks_in(2024), 52);
    }

    #[test]
    fn weeks_parse_strictly_and_say_why_not() {
        assert_eq!(
            IsoWeek::parse(" 2026-w47 "),
            Ok(IsoWeek {
                year: 2026,
                week: 47
            })
        );
        assert_eq!(
            IsoWeek::parse("2026-W53").map(IsoWeek::label),
            Ok("2026-W53".into())
        );
        assert!(IsoWeek::parse("2025-W53")
            .unwrap_err()
            .contains("weeks 01 to 52"));
        assert!(IsoWeek::parse("2026-W00").is_err());
        assert!(IsoWeek::parse("2026-47").is_err());
        assert!(IsoWeek::parse("2026-W7").is_err());
        assert!(IsoWeek::parse("W47").is_err());
        assert_eq!(
            IsoWeek::parse("0001-W01"),
            Err("Pick a week of the years 1970 to 2200, not 1.".into())
        );
        assert!(IsoWeek::parse("9999-W52").unwrap_err().contains("not 9999"));
        assert!(IsoWeek::parse("2200-W52").is_ok() && IsoWeek::parse("1970-W01").is_ok());
    }

    #[test]
    fn week_arithmetic_stops_at_the_calendar_edges_without_panicking() {
        let last = IsoWeek::of(Date::MAX);
        assert_eq!(last.next(), last);
        assert_eq!(last.prev().next(), last);
        let first = IsoWeek::of(Date::MIN);
        assert_eq!(first.prev(), first);
        assert_eq!(first.back(13), first);
        assert_eq!(last.back(i64::MAX), first);
    }

    #[test]
    fn weeks_cross_year_boundaries() {
        // 1 January 2027 is a Friday in 2026-W53; 30 December 2024 a Monday in 2025-W01.
        assert_eq!(IsoWeek::of(date!(2027 - 01 - 01)).label(), "2026-W53");
        assert_eq!(IsoWeek::of(date!(2024 - 12 - 30)).label(), "2025-W01");
        assert_eq!(
            IsoWeek::parse("2026-W53").unwrap().next().label(),
            "2027-W01"
        );
        assert_eq!(
            IsoWeek::parse("2025-W01").unwrap().prev().label(),
            "2024-W52"
        );
        // Twelve weeks back from 2027-W05 crosses 2026's 53rd week.
        assert_eq!(
            IsoWeek::parse("2027-W05").unwrap().back(12).label(),
            "2026-W46"
        );
        assert_eq!(
            IsoWeek::parse("2026-W01").unwrap().monday(),
            date!(2025 - 12 - 29)
        );
        assert_eq!(
            IsoWeek::parse("2026-W48").unwrap().monday(),
            date!(2026 - 11 - 23)
        );
        // On Wednesday 25 November 2026 the last full week is W47 (16–22 November).
        assert_eq!(
            IsoWeek::last_full(date!(2026 - 11 - 25)).label(),
            "2026-W47"
        );
        // On a Monday, the week just ended.
        assert_eq!(
            IsoWeek::last_full(date!(2026 - 11 - 23)).label(),
            "2026-W47"
        );
    }
}
