//! Property tests of the server's parsers of outside input: the CSV import's header and row
//! checks, the team zone's reading of instants, and the REST API's instants. Each property
//! runs a few thousand cases of hostile text (control characters, NUL, right-to-left marks,
//! emoji, cells past the 64 KiB bound) and checks that nothing panics, that every refusal
//! names its line and column (or field), and that what we write out reads back the same.

use app::domain::Money;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use server::import::columns::{parse_row, Context, Header, ImportKind, Record, MAX_CELL_BYTES};
use server::rest::values::{instant, parse_instant as api_instant};
use server::zone::Zone;

/// Bounded runs: `cases` per property, shrinking capped, and any single case that takes
/// more than five seconds fails.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        max_shrink_iters: 1_000,
        max_shrink_time: 10_000,
        timeout: 5_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

const TRICKY: &[&str] = &[
    "\0",
    "\t",
    "\n",
    "\r",
    " ",
    "\u{7f}",
    "\u{202e}",
    "\u{200f}",
    "\u{feff}",
    "عربي",
    "😡",
    "👨‍👩‍👧",
    "İ",
    "ß",
    "#",
    "@",
    "-",
    ":",
    ".",
    ",",
    "$",
    "0",
    "1",
    "9",
    "2026",
    "-11-20",
    "T",
    "Z",
    "+01:00",
    "14:05",
    "x",
    "USD",
    "credit",
    "email",
];

fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(select(TRICKY), 0..32).prop_map(|v| v.concat()),
        "[0-9 .,:TZ+#-]{0,30}",
    ]
}

/// Mostly short hostile text; sometimes long, up to past the 64 KiB cell bound.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => hostile(),
        1 => (hostile(), 1usize..(MAX_CELL_BYTES + 2_000)).prop_map(|(s, n)| {
            let seed = if s.is_empty() { "x".to_string() } else { s };
            let mut out: String = seed.chars().cycle().take(n).collect();
            while out.len() > MAX_CELL_BYTES + 8_000 {
                out.pop();
            }
            out
        }),
    ]
}

fn kind() -> impl Strategy<Value = ImportKind> {
    select(ImportKind::ALL.to_vec())
}

fn rec(cells: &[String]) -> csv::StringRecord {
    csv::StringRecord::from(cells.to_vec())
}

/// A row every kind accepts, column by column.
fn valid_cell(column: &str) -> &'static str {
    match column {
        "external_ref" => "c-1",
        "name" => "Ada Lovelace",
        "email" => "ada@example.com",
        "plan" => "pro",
        "monthly_revenue" | "value" | "cost" => "25",
        "currency" => "USD",
        "signed_up_at" => "2025-01-01",
        "churned_at" => "",
        "customer" => "c-1",
        "received_at" | "given_at" => "2026-11-20 14:05",
        "body" => "Thanks, that helped",
        "external_id" => "x-1",
        "incident" => "#12",
        "channel" => "email",
        "csat" => "4",
        "kind" => "credit",
        "note" => "Sorry about that",
        other => panic!("no valid cell for {other}"),
    }
}

const NOW: i64 = 1_796_083_200_000; // 2026-12-01 00:00 UTC

proptest! {
    #![proptest_config(config(3_000))]

    /// Header rows: any names are accepted (holding every required column) or refused with
    /// a message that quotes the unknown name, names the repeated column, or lists the
    /// missing ones.
    #[test]
    fn headers_never_panic_and_refusals_name_the_column(
        kind in kind(),
        names in proptest::collection::vec(prop_oneof![hostile(), select(&["customer", "body", "incident", "external_ref", "kind"][..]).prop_map(String::from)], 0..10),
    ) {
        match Header::parse(kind, &rec(&names)) {
            Ok(h) => {
                for c in kind.required() {
                    prop_assert!(h.has(c), "{c} missing from an accepted header");
                }
            }
            Err(m) => {
                let quoted = names.iter().any(|n| m.contains(&format!("“{}”", n.trim())));
                let missing = m.contains("must name the column")
                    && kind.required().iter().any(|c| m.contains(c));
                let twice = m.contains("twice") && kind.columns().iter().any(|c| m.contains(&format!("“{c}”")));
                prop_assert!(quoted || missing || twice, "{m}");
            }
        }
    }

    /// Header round trip: any choice of a kind's columns that holds the required ones, in
    /// any order and case, with a byte-order mark, reads as a header that has exactly them.
    #[test]
    fn headers_of_known_columns_are_read(
        kind in kind(),
        pick in proptest::collection::vec(any::<bool>(), 10),
        upper in proptest::collection::vec(any::<bool>(), 10),
        order in any::<u64>(),
    ) {
        let cols = kind.columns();
        let mut chosen: Vec<&str> = cols
            .iter()
            .enumerate()
            .filter(|(i, c)| kind.required().contains(c) || pick[*i])
            .map(|(_, c)| *c)
            .collect();
        let n = chosen.len();
        chosen.rotate_left((order as usize) % n);
        let mut names: Vec<String> = chosen
            .iter()
            .enumerate()
            .map(|(i, c)| if upper[i] { c.to_uppercase() } else { format!(" {c} ") })
            .collect();
        names[0].insert(0, '\u{feff}');
        let h = Header::parse(kind, &rec(&names)).map_err(TestCaseError::fail)?;
        for c in cols {
            prop_assert_eq!(h.has(c), chosen.contains(c), "{}", c);
        }
    }

    /// Import rows: under a header of every column, any cells are accepted or refused with
    /// the row's line and one of the kind's columns.
    #[test]
    fn rows_never_panic_and_refusals_name_line_and_column(
        kind in kind(),
        cells in proptest::collection::vec(cell(), 10),
        line in 2u64..10_000_000,
        zone in select(vec!["UTC", "Europe/Berlin", "America/St_Johns", "Pacific/Kiritimati"]),
    ) {
        let zone = Zone::parse(zone).map_err(TestCaseError::fail)?;
        let cols = kind.columns();
        let names: Vec<String> = cols.iter().map(|c| c.to_string()).collect();
        let h = Header::parse(kind, &rec(&names)).map_err(TestCaseError::fail)?;
        let cx = Context { zone: &zone, now: NOW };
        if let Err(r) = parse_row(&h, &rec(&cells[..cols.len()]), line, &cx) {
            prop_assert_eq!(r.line, line);
            prop_assert!(cols.contains(&r.column.as_str()), "refused under “{}”: {}", r.column, r.reason);
            prop_assert!(!r.reason.is_empty());
        }
    }

    /// Import rows: a row valid in every column but one is accepted, or refused under that
    /// one column's name.
    #[test]
    fn one_bad_cell_is_refused_under_its_own_column(
        kind in kind(),
        which in 0usize..10,
        bad in cell(),
    ) {
        let zone = Zone::parse("Europe/Berlin").map_err(TestCaseError::fail)?;
        let cols = kind.columns();
        let at = which % cols.len();
        let names: Vec<String> = cols.iter().map(|c| c.to_string()).collect();
        let mut cells: Vec<String> = cols.iter().map(|c| valid_cell(c).to_string()).collect();
        let h = Header::parse(kind, &rec(&names)).map_err(TestCaseError::fail)?;
        let cx = Context { zone: &zone, now: NOW };
        prop_assert!(parse_row(&h, &rec(&cells), 2, &cx).is_ok(), "the valid row is refused");
        cells[at] = bad;
        if let Err(r) = parse_row(&h, &rec(&cells), 2, &cx) {
            prop_assert_eq!(r.column.as_str(), cols[at], "{}", r.reason);
        }
    }

    /// Import rows round trip: a customer's revenue as the app displays it (without the
    /// code) and its sign-up time as the zone formats it read back as the same values.
    #[test]
    fn customer_rows_read_back_what_is_shown(
        minor in 0i64..100_000_000_000,
        currency in select(vec!["USD", "EUR", "GBP", "JPY", "CHF", "KWD"]),
        at_s in 0i64..4_102_444_800, // to 2100
        zone in select(vec!["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]),
    ) {
        let zone = Zone::parse(zone).map_err(TestCaseError::fail)?;
        let names: Vec<String> = ["external_ref", "monthly_revenue", "currency", "signed_up_at"].map(String::from).to_vec();
        let h = Header::parse(ImportKind::Customers, &rec(&names)).map_err(TestCaseError::fail)?;
        let shown = Money::new(minor, currency).display();
        let typed = shown.trim_end_matches(currency).trim_end().to_string();
        let at = at_s * 1000;
        let cells = ["c-1".to_string(), typed, currency.to_lowercase(), zone.format(at, "%Y-%m-%dT%H:%M:%S%:z")];
        let cx = Context { zone: &zone, now: NOW };
        match parse_row(&h, &rec(&cells), 2, &cx) {
            Ok(Record::Customer(c)) => {
                prop_assert_eq!(c.monthly_revenue, Some(Money::new(minor, currency)));
                prop_assert_eq!(c.signed_up_at, Some(at));
            }
            other => prop_assert!(false, "{:?}", other),
        }
    }

    /// Instants in the team's zone: any text is read or refused with a message that quotes
    /// it; an instant written as RFC 3339 with its offset, or as the zone's local time,
    /// reads back as the same instant (a local time repeated by a clock change reads as its
    /// earlier occurrence).
    #[test]
    fn zone_instants_never_panic_and_round_trip(
        s in cell(),
        date_alone in any::<bool>(),
        at_s in 0i64..7_258_118_400, // 1970 to 2200: offsets in whole minutes
        zone in select(vec!["UTC", "Europe/Berlin", "America/St_Johns", "Australia/Lord_Howe", "Pacific/Apia"]),
    ) {
        let zone = Zone::parse(zone).map_err(TestCaseError::fail)?;
        if let Err(m) = zone.parse_instant(&s, date_alone) {
            prop_assert!(m.contains(&format!("“{}”", s.trim())), "{m}");
        }
        let at = at_s * 1000;
        let rfc = zone.format(at, "%Y-%m-%dT%H:%M:%S%:z");
        prop_assert_eq!(zone.parse_instant(&rfc, false), Ok(at), "{}", rfc);
        let local = zone.format(at, "%Y-%m-%d %H:%M:%S");
        let read = zone.parse_instant(&local, false).map_err(TestCaseError::fail)?;
        prop_assert!(read <= at && zone.format(read, "%Y-%m-%d %H:%M:%S") == local, "{} read as {}", local, read);
        let day = zone.format(at, "%Y-%m-%d");
        let start = zone.parse_instant(&day, true).map_err(TestCaseError::fail)?;
        prop_assert!(start <= at && zone.format(start, "%Y-%m-%d") == day);
    }

    /// Zone names: any text is a zone Amends knows or is refused quoting the name.
    #[test]
    fn zone_names_never_panic(name in hostile()) {
        if let Err(m) = Zone::parse(&name) {
            prop_assert!(m.contains(&format!("“{}”", name.trim())), "{m}");
        }
    }

    /// REST instants: any text is read or refused as a problem that names the field; what
    /// the API writes out reads back as the same millisecond.
    #[test]
    fn api_instants_name_the_field_and_round_trip(
        s in cell(),
        field in select(vec!["received_at", "given_at", "from"]),
        at in -62_135_596_800_000i64..253_402_300_799_999,
    ) {
        if let Err(p) = api_instant(field, &s) {
            prop_assert_eq!(p.field.as_deref(), Some(field));
            prop_assert!(p.detail.starts_with(field), "{}", p.detail);
        }
        let written = instant(at);
        prop_assert_eq!(api_instant(field, &written).map_err(|p| p.detail), Ok(at), "{}", written);
    }
}

proptest! {
    #![proptest_config(config(500))]

    /// Every subset of columns, every kind, every hostile row: the row check holds its
    /// contract whichever columns the file has.
    #[test]
    fn rows_under_any_header_name_line_and_column(
        kind in kind(),
        pick in subsequence((0..10usize).collect::<Vec<_>>(), 0..10),
        cells in proptest::collection::vec(cell(), 12),
    ) {
        let cols = kind.columns();
        let names: Vec<String> = cols
            .iter()
            .enumerate()
            .filter(|(i, c)| kind.required().contains(c) || pick.contains(i))
            .map(|(_, c)| c.to_string())
            .collect();
        let h = Header::parse(kind, &rec(&names)).map_err(TestCaseError::fail)?;
        let zone = Zone::utc();
        let cx = Context { zone: &zone, now: NOW };
        // One cell more than the header has, as a ragged CSV line gives.
        if let Err(r) = parse_row(&h, &rec(&cells[..names.len() + 1]), 3, &cx) {
            prop_assert_eq!(r.line, 3);
            let extra = r.column.is_empty() && cells[names.len()].len() > MAX_CELL_BYTES;
            prop_assert!(names.contains(&r.column) || extra, "refused under “{}”: {}", r.column, r.reason);
        }
    }
}
