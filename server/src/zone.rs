//! The team's time zone (`AMENDS_TIME_ZONE`, an IANA name; default UTC): where a week or
//! a day starts as an instant, and how an instant reads on a report. Weeks are ISO weeks,
//! Monday 00:00 local time to the next Monday 00:00, so a week can be 167 or 169 hours long
//! across a daylight-saving change. The IANA database is bundled, so every machine agrees.

use app::domain::week::IsoWeek;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// A time zone with the name it was configured by.
#[derive(Clone, Debug)]
pub struct Zone {
    tz: TimeZone,
    name: String,
}

impl Default for Zone {
    fn default() -> Self {
        Zone::utc()
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name == other.name
    }
}

impl Zone {
    pub fn utc() -> Zone {
        Zone {
            tz: TimeZone::UTC,
            name: "UTC".into(),
        }
    }

    /// An IANA name such as `Europe/Berlin` (or `UTC`).
    pub fn parse(name: &str) -> Result<Zone, String> {
        let name = name.trim();
        if name.is_empty() || name.eq_ignore_ascii_case("utc") {
            return Ok(Zone::utc());
        }
        TimeZone::get(name)
            .map(|tz| Zone {
                tz,
                name: name.to_string(),
            })
            .map_err(|_| {
                format!(
                    "“{name}” is not a time zone Amends knows: use an IANA name such as \
                     Europe/Berlin, America/New_York or UTC."
                )
            })
    }

    /// A zone from a POSIX TZ rule (`EST5EDT,M3.2.0,M11.1.0`), for tests of odd rules.
    pub fn posix(rule: &str) -> Result<Zone, String> {
        TimeZone::posix(rule)
            .map(|tz| Zone {
                tz,
                name: rule.to_string(),
            })
            .map_err(|e| e.to_string())
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The instant (epoch ms) the local day `date` starts: its midnight, or when midnight
    /// is skipped by a daylight-saving change, the first moment that exists.
    pub fn start_of(&self, date: time::Date) -> i64 {
        let civil = jiff::civil::date(
            date.year() as i16,
            u8::from(date.month()) as i8,
            date.day() as i8,
        );
        civil
            .to_zoned_datetime(self.tz.clone())
            .and_then(|z| z.start_of_day())
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(0)
    }

    /// An instant written by a person or another system: RFC 3339 (`2026-11-20T14:05:00Z`,
    /// any offset), or a local `YYYY-MM-DD HH:MM[:SS]` (a `T` instead of the space works too)
    /// read in this zone, or — with `date_alone` — a local `YYYY-MM-DD`, the start of that
    /// day. A local time a daylight-saving change skips or repeats takes the earlier reading.
    pub fn parse_instant(&self, s: &str, date_alone: bool) -> Result<i64, String> {
        let s = s.trim();
        if let Ok(t) = s.parse::<jiff::Timestamp>() {
            return Ok(t.as_millisecond());
        }
        let local = s.replacen(' ', "T", 1);
        if let Ok(dt) = local.parse::<jiff::civil::DateTime>() {
            if local.len() >= 16 {
                return dt
                    .to_zoned_datetime(self.tz.clone())
                    .map(|z| z.timestamp().as_millisecond())
                    .map_err(|_| format!("“{s}” is not a time that exists in {}.", self.name));
            }
        }
        if date_alone {
            if let Ok(d) = s.parse::<jiff::civil::Date>() {
                return d
                    .to_zoned_datetime(self.tz.clone())
                    .and_then(|z| z.start_of_day())
                    .map(|z| z.timestamp().as_millisecond())
                    .map_err(|_| format!("“{s}” is not a day Amends can place."));
            }
        }
        Err(if date_alone {
            format!(
                "“{s}” is not a date or time: use 2026-11-20, 2026-11-20 14:05 ({}) or RFC 3339 like 2026-11-20T14:05:00Z.",
                self.name
            )
        } else {
            format!(
                "“{s}” is not a time: use 2026-11-20 14:05 ({}) or RFC 3339 like 2026-11-20T14:05:00Z.",
                self.name
            )
        })
    }

    /// The local calendar date holding the instant `ms`.
    pub fn date_of(&self, ms: i64) -> time::Date {
        let d = self.zoned(ms).date();
        time::Month::try_from(d.month() as u8)
            .ok()
            .and_then(|m| {
                time::Date::from_calendar_date(i32::from(d.year()), m, d.day() as u8).ok()
            })
            .unwrap_or(time::Date::MIN)
    }

    /// `[start, end)` of a week, as epoch milliseconds.
    pub fn week_bounds(&self, w: IsoWeek) -> (i64, i64) {
        (self.start_of(w.monday()), self.start_of(w.next().monday()))
    }

    /// The week holding the instant `ms`.
    pub fn week_of(&self, ms: i64) -> IsoWeek {
        IsoWeek::of(self.date_of(ms))
    }

    /// Every week that overlaps `[from, to)`, in order, with its bounds.
    pub fn weeks(&self, from: i64, to: i64) -> Vec<(IsoWeek, i64, i64)> {
        let mut out = Vec::new();
        if from >= to {
            return out;
        }
        let mut w = self.week_of(from);
        loop {
            let (start, end) = self.week_bounds(w);
            if start >= to {
                break;
            }
            out.push((w, start, end));
            let next = w.next();
            if next <= w {
                // The calendar's last week: there is no next one to add.
                break;
            }
            w = next;
        }
        out
    }

    /// The instant in this zone, with a `strftime` pattern (`%Y-%m-%d %H:%M`).
    pub fn format(&self, ms: i64, pattern: &str) -> String {
        self.zoned(ms).strftime(pattern).to_string()
    }

    /// `2026-11-20 15:05 CET` (the zone's abbreviation at that instant).
    pub fn date_time(&self, ms: i64) -> String {
        self.format(ms, "%Y-%m-%d %H:%M %Z")
    }

    fn zoned(&self, ms: i64) -> jiff::ZonedDateTime {
        Timestamp::from_millisecond(ms)
            .unwrap_or(Timestamp::UNIX_EPOCH)
            .to_zoned_datetime(self.tz.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::when::parse_input;

    const H: i64 = 3_600_000;

    fn week(s: &str) -> IsoWeek {
        IsoWeek::parse(s).unwrap()
    }

    #[test]
    fn utc_weeks_start_on_monday_midnight() {
        let z = Zone::utc();
        let (start, end) = z.week_bounds(week("2026-W47"));
        assert_eq!(start, parse_input("2026-11-16T00:00").unwrap());
        assert_eq!(end - start, 7 * 24 * H);
        assert_eq!(z.week_of(start).label(), "2026-W47");
        assert_eq!(z.week_of(start - 1).label(), "2026-W46");
    }

    #[test]
    fn a_zone_east_of_utc_starts_its_week_the_evening_before() {
        // Auckland is UTC+13 in November (daylight time): Monday 00:00 there is Sunday
        // 11:00 UTC.
        let z = Zone::parse("Pacific/Auckland").unwrap();
        let (start, end) = z.week_bounds(week("2026-W47"));
        assert_eq!(start, parse_input("2026-11-15T11:00").unwrap());
        assert_eq!(end, parse_input("2026-11-22T11:00").unwrap());
        // Sunday 12:00 UTC is already Monday there.
        assert_eq!(
            z.week_of(parse_input("2026-11-15T12:00").unwrap()).label(),
            "2026-W47"
        );
        assert_eq!(
            z.week_of(parse_input("2026-11-15T10:59").unwrap()).label(),
            "2026-W46"
        );
    }

    #[test]
    fn a_zone_west_of_utc_starts_its_week_after_utc_does() {
        // New York is UTC−5 in November: Monday 00:00 there is 05:00 UTC.
        let z = Zone::parse("America/New_York").unwrap();
        let (start, _) = z.week_bounds(week("2026-W47"));
        assert_eq!(start, parse_input("2026-11-16T05:00").unwrap());
        assert_eq!(z.date_time(start), "2026-11-16 00:00 EST");
    }

    #[test]
    fn weeks_across_daylight_saving_changes_are_shorter_or_longer() {
        let z = Zone::parse("Europe/Berlin").unwrap();
        // Clocks go forward on Sunday 29 March 2026: that week has 167 hours.
        let (s, e) = z.week_bounds(week("2026-W13"));
        assert_eq!(e - s, 167 * H);
        assert_eq!(s, parse_input("2026-03-22T23:00").unwrap());
        // And back on Sunday 25 October 2026: 169 hours.
        let (s, e) = z.week_bounds(week("2026-W43"));
        assert_eq!(e - s, 169 * H);
    }

    #[test]
    fn a_skipped_midnight_starts_the_week_at_the_first_real_moment() {
        // A rule whose clocks jump from 00:00 to 01:00 on the second Monday of March:
        // on 9 March 2026 midnight never happens, so the week starts at 01:00 (UTC−2 then,
        // 03:00 UTC).
        let z = Zone::posix("XST3XDT,M3.2.1/0,M11.1.1/0").unwrap();
        let (start, end) = z.week_bounds(week("2026-W11"));
        assert_eq!(start, parse_input("2026-03-09T03:00").unwrap());
        assert_eq!(z.format(start, "%H:%M"), "01:00");
        // From 01:00 on the 9th to midnight on the 16th, all in daylight time.
        assert_eq!(end - start, 167 * H);
        // The week before runs up to that first real moment: 168 hours.
        let (prev, prev_end) = z.week_bounds(week("2026-W10"));
        assert_eq!(prev_end, start);
        assert_eq!(start - prev, 168 * H);
    }

    #[test]
    fn weeks_cover_a_period_across_the_year_boundary() {
        let z = Zone::utc();
        let from = parse_input("2026-12-25T00:00").unwrap();
        let to = parse_input("2027-01-12T00:00").unwrap();
        let labels: Vec<String> = z.weeks(from, to).iter().map(|w| w.0.label()).collect();
        assert_eq!(labels, ["2026-W52", "2026-W53", "2027-W01", "2027-W02"]);
        let w = z.weeks(from, to);
        assert!(w.windows(2).all(|p| p[0].2 == p[1].1));
        assert!(z.weeks(to, from).is_empty());
    }

    #[test]
    fn unknown_zones_are_named_in_the_error() {
        let e = Zone::parse("Mars/Olympus").unwrap_err();
        assert!(e.contains("Mars/Olympus") && e.contains("IANA"));
        assert_eq!(Zone::parse(" utc ").unwrap().name(), "UTC");
        assert_eq!(Zone::parse("").unwrap(), Zone::utc());
    }
}
