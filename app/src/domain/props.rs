//! Property tests of every parser of typed or pasted input in the domain: amounts, currency
//! codes, dates and date-times, ISO weeks, apology templates, pasted affected-customer lists
//! and the query strings of the analytics and list filters. Each property runs a few thousand
//! cases of hostile text (control characters, NUL, right-to-left marks, emoji, very long
//! strings) and checks that the parser never panics, that a refusal says which field or line
//! is wrong, and that what we write out reads back the same.

use super::action::{check_template, render_note, ActionForm, MergeValues, MERGE_FIELDS};
use super::affected::{parse_list, MAX_ENTRIES, MAX_PER_LINE};
use super::analytics::{AnalyticsParams, AnalyticsQuery, DAY_MS};
use super::incident::IncidentQuery;
use super::reply::ReplyQuery;
use super::week::IsoWeek;
use super::when::{parse_bounded_date, parse_date, parse_input, parse_optional, to_input, YEARS};
use super::{parse_amount, parse_currency, Money};
use crate::error::AppError;
use proptest::prelude::*;
use proptest::sample::select;

/// Bounded runs: `cases` per property, shrinking capped, and any single case that takes
/// more than five seconds fails (a parser that goes quadratic on long input is a bug too).
pub(crate) fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        max_shrink_iters: 1_000,
        max_shrink_time: 10_000,
        timeout: 5_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Pieces that break naive parsers: control characters and NUL, bidi overrides, a BOM,
/// letters whose case mapping changes their length, emoji sequences, and the separators and
/// digits the parsers look for.
const TRICKY: &[&str] = &[
    "\0",
    "\t",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\u{7f}",
    "\u{85}",
    "\u{2028}",
    "\u{202e}",
    "\u{200f}",
    "\u{feff}",
    "عربي",
    "שלום",
    "😡",
    "👍🏽",
    "👨‍👩‍👧",
    "é",
    "İ",
    "ß",
    "ǅ",
    "{",
    "}",
    "{name}",
    "{credit}",
    ",",
    ";",
    "\"",
    "@",
    "-",
    "W",
    "w",
    ":",
    ".",
    "$",
    "€",
    "0",
    "1",
    "9",
    "2026",
    "-W",
    "T",
    "Z",
    "+",
    "x",
    "a@b.co",
    "ref",
    "email",
];

/// Arbitrary text: any Unicode, a soup of the tricky pieces, or near-miss syntax.
pub(crate) fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(select(TRICKY), 0..48).prop_map(|v| v.concat()),
        "[0-9 .,:TWZ+$-]{0,30}",
    ]
}

/// Hostile text repeated up to about `max` characters (a parser's bound and past it).
pub(crate) fn long(max: usize) -> impl Strategy<Value = String> {
    (hostile(), 1..=max).prop_map(|(s, n)| {
        let seed = if s.is_empty() { "x".to_string() } else { s };
        seed.chars().cycle().take(n).collect()
    })
}

fn hostile_or_long() -> impl Strategy<Value = String> {
    prop_oneof![9 => hostile(), 1 => long(20_000)]
}

const CURRENCIES: &[&str] = &["USD", "EUR", "GBP", "JPY", "CHF", "KWD", "ISK", "BHD"];

/// The field a form refused, or a note of what else came back.
fn refused_field<T: std::fmt::Debug>(r: Result<T, AppError>) -> Option<String> {
    match r {
        Ok(_) => None,
        Err(AppError::Field { field, message }) => {
            assert!(!message.is_empty(), "{field} refused without a message");
            Some(field)
        }
        Err(other) => panic!("a refusal that names no field: {other:?}"),
    }
}

fn valid_action() -> ActionForm {
    ActionForm {
        kind: "credit".into(),
        value: "25".into(),
        cost: "25.00".into(),
        currency: "usd".into(),
        channel: "email".into(),
        note: "Hi {first_name}".into(),
        given_at: "2026-11-20 14:05".into(),
    }
}

/// Percent-decoding as a browser's query string is read (for the round trip of links).
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz");
            if let Ok(v) = u8::from_str_radix(hex, 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_default()
}

proptest! {
    #![proptest_config(config(3_000))]

    /// Amounts: any text in any currency either parses to a non-negative amount within
    /// twelve digits of major units, or is refused with the hint of what to type.
    #[test]
    fn amounts_never_panic_and_refusals_say_what_to_type(
        s in hostile_or_long(),
        currency in select(CURRENCIES),
    ) {
        match parse_amount(&s, currency) {
            Ok(minor) => {
                prop_assert!(minor >= 0);
                prop_assert!(minor < 1_000_000_000_000 * Money::scale(currency));
            }
            Err(m) => prop_assert!(m.contains("Enter an amount like 25"), "{m}"),
        }
    }

    /// Amounts: what a page shows (`$1,234.50`, `1,200.00 CHF` without its code) reads back
    /// as the same minor units; a negative amount is always refused.
    #[test]
    fn displayed_amounts_read_back(
        major in 0i64..1_000_000_000_000,
        frac in 0i64..1000,
        currency in select(CURRENCIES),
    ) {
        let scale = Money::scale(currency);
        let minor = major * scale + frac % scale;
        let shown = Money::new(minor, currency).display();
        let typed = shown.trim_end_matches(currency).trim_end();
        prop_assert_eq!(parse_amount(typed, currency), Ok(minor), "{}", shown);
        let negative = Money::new(-minor - 1, currency).display();
        let negative = negative.trim_end_matches(currency).trim_end();
        prop_assert!(parse_amount(negative, currency).is_err(), "{}", negative);
    }

    /// Currency codes: three letters in any case read as their upper case; anything else is
    /// refused, never accepted half-way.
    #[test]
    fn currency_codes_are_three_letters(s in hostile(), code in "[a-zA-Z]{3}") {
        match parse_currency(&s) {
            Ok(c) => prop_assert!(c.len() == 3 && c.chars().all(|c| c.is_ascii_uppercase())),
            Err(m) => prop_assert!(m.contains("three-letter"), "{m}"),
        }
        prop_assert_eq!(parse_currency(&format!(" {code} ")), Ok(code.to_ascii_uppercase()));
    }

    /// The action form: whichever one field holds hostile text, the form is accepted or
    /// refused under that field's name, never another's and never without one.
    #[test]
    fn action_form_refusals_name_the_field(which in 0usize..7, s in hostile_or_long()) {
        let mut f = valid_action();
        let (name, slot) = match which {
            0 => ("kind", &mut f.kind),
            1 => ("value", &mut f.value),
            2 => ("cost", &mut f.cost),
            3 => ("currency", &mut f.currency),
            4 => ("channel", &mut f.channel),
            5 => ("note", &mut f.note),
            _ => ("given_at", &mut f.given_at),
        };
        *slot = s;
        if let Some(field) = refused_field(f.parse(0)) {
            // A currency with more decimals can make the amounts wrong instead.
            let ok = field == name || (name == "currency" && (field == "value" || field == "cost"));
            prop_assert!(ok, "{name} was hostile but {field} was refused");
        }
    }

    /// Date-times and dates: any text parses or is refused with an example of what to type;
    /// a bounded date's refusal names the date it is about.
    #[test]
    fn dates_never_panic_and_say_what_to_type(s in hostile_or_long()) {
        if let Err(m) = parse_input(&s) {
            prop_assert!(m.contains("like 2026-11-20 14:05"), "{m}");
        }
        if let Err(m) = parse_optional(&s) {
            prop_assert!(m.contains("like 2026-11-20 14:05"), "{m}");
        }
        if let Err(m) = parse_date(&s) {
            prop_assert!(m.contains("like 2026-11-20"), "{m}");
        }
        if let Err(m) = parse_bounded_date(&s, "The end date") {
            prop_assert!(m.contains("like 2026-11-20") || m.starts_with("The end date"), "{m}");
        }
    }

    /// Date-times round trip: the value an input shows for a minute reads back as that
    /// minute (with `T` or a space), and a date reads back as its midnight; a date is
    /// accepted by the questions exactly when its year is in the range a team can mean.
    #[test]
    fn dates_round_trip(minute in -62_135_596_800i64 / 60..253_402_300_799 / 60) {
        let ms = minute * 60_000;
        let shown = to_input(ms);
        prop_assert_eq!(parse_input(&shown), Ok(ms));
        prop_assert_eq!(parse_input(&shown.replacen('T', " ", 1)), Ok(ms));
        let day = crate::format::date(ms);
        let midnight = ms.div_euclid(DAY_MS) * DAY_MS;
        prop_assert_eq!(parse_date(&day), Ok(midnight));
        let year: i32 = day[..4].parse().unwrap_or(0);
        match parse_bounded_date(&day, "The start date") {
            Ok(v) => prop_assert!(YEARS.contains(&year) && v == midnight),
            Err(m) => {
                prop_assert!(!YEARS.contains(&year));
                prop_assert!(m.starts_with("The start date must be between"), "{m}");
            }
        }
    }

    /// ISO weeks: any text parses to a week of the allowed years or is refused with a
    /// message about weeks.
    #[test]
    fn weeks_never_panic_and_refusals_are_about_weeks(s in hostile_or_long()) {
        match IsoWeek::parse(&s) {
            Ok(w) => {
                prop_assert!(YEARS.contains(&w.year));
                prop_assert!(w.week >= 1 && w.week <= IsoWeek::weeks_in(w.year));
            }
            Err(m) => prop_assert!(m.contains("week"), "{m}"),
        }
    }

    /// ISO weeks round trip: every week of the allowed years reads back from its label (in
    /// any case, with spaces around), holds its Monday, and steps forward and back to itself.
    #[test]
    fn weeks_round_trip(days in 0i64..(231 * 366)) {
        let date = time::Date::from_calendar_date(1970, time::Month::January, 5)
            .map(|d| d.saturating_add(time::Duration::days(days)))
            .unwrap_or(time::Date::MIN);
        let w = IsoWeek::of(date);
        prop_assume!(YEARS.contains(&w.year));
        prop_assert_eq!(IsoWeek::parse(&w.label()), Ok(w));
        prop_assert_eq!(IsoWeek::parse(&format!("  {} ", w.label().to_lowercase())), Ok(w));
        prop_assert_eq!(IsoWeek::of(w.monday()), w);
        prop_assert_eq!(w.next().prev(), w);
        prop_assert_eq!(w.back(3), w.prev().prev().prev());
    }

    /// Apology templates: any text is accepted or refused naming the unknown `{field}`,
    /// which is in the text; an accepted template uses only known merge fields.
    #[test]
    fn templates_refuse_naming_the_unknown_field(t in hostile_or_long()) {
        let known = |f: &str| MERGE_FIELDS.iter().any(|(k, _)| *k == f);
        match check_template(&t) {
            Err(m) => {
                let field = m.split(" is not a merge field").next().unwrap_or("");
                prop_assert!(field.starts_with('{') && field.ends_with('}'), "{m}");
                prop_assert!(t.contains(field) && !known(field), "{m}");
            }
            Ok(()) => {
                // Every brace pair, read independently, names a known field.
                let mut rest = t.as_str();
                while let Some(open) = rest.find('{') {
                    let Some(close) = rest[open..].find('}') else { break };
                    prop_assert!(known(&rest[open..=open + close]), "{}", &rest[open..=open + close]);
                    rest = &rest[open + close + 1..];
                }
            }
        }
    }

    /// Mail merge: filling in a template never panics, leaves a template without fields as
    /// it is, and puts each value in literally: a customer's name or an incident title that
    /// itself looks like a merge field is not filled in again.
    #[test]
    fn merge_fills_each_field_once(
        template in hostile(),
        name in hostile(),
        incident in hostile(),
        minor in 0i64..1_000_000,
    ) {
        let credit = [Money::new(minor, "USD")];
        let v = MergeValues { name: &name, incident: &incident, credit: &credit };
        let out = render_note(&template, &v);
        if !template.contains('{') {
            prop_assert_eq!(&out, &template);
        }
        let fields = MERGE_FIELDS.len();
        let longest = name.len().max(incident.len()).max(credit[0].display().len()).max("a credit".len()).max("there".len());
        prop_assert!(out.len() <= template.len() * longest.max(1) + fields, "the note grew past one value per field");
        // Filled into "[{name}]", the name comes out exactly as it is (or "there").
        let shown = render_note("[{name}]", &v);
        let expect = if name.is_empty() { "[there]".to_string() } else { format!("[{name}]") };
        prop_assert_eq!(shown, expect);
        let shown = render_note("[{incident}]", &v);
        prop_assert_eq!(shown, format!("[{incident}]"));
    }

    /// Query strings of the analytics: any value of any parameter is accepted or refused
    /// naming a parameter; a single bad value is refused under its own name (the dates may
    /// name each other: a start after the end is the end's problem).
    #[test]
    fn analytics_params_refusals_name_the_parameter(
        which in 0usize..7,
        s in hostile_or_long(),
        others in proptest::collection::vec(proptest::option::of(hostile()), 7),
    ) {
        let now = 1_795_183_500_000;
        let mut p = AnalyticsParams::default();
        let (name, slot) = match which {
            0 => ("from", &mut p.from),
            1 => ("to", &mut p.to),
            2 => ("as_of", &mut p.as_of),
            3 => ("kind", &mut p.kind),
            4 => ("severity", &mut p.severity),
            5 => ("plan", &mut p.plan),
            _ => ("incident", &mut p.incident),
        };
        *slot = Some(s);
        if let Err(e) = p.parse(now) {
            let dates = ["from", "to", "as_of"];
            let ok = e.field == name || (dates.contains(&name) && dates.contains(&e.field));
            prop_assert!(ok, "{name} was bad but {} was refused: {}", e.field, e.message);
            prop_assert!(!e.message.is_empty());
        }
        // Every parameter hostile at once: still a named refusal.
        let all = AnalyticsParams {
            from: others[0].clone(),
            to: others[1].clone(),
            as_of: others[2].clone(),
            kind: others[3].clone(),
            severity: others[4].clone(),
            plan: others[5].clone(),
            incident: others[6].clone(),
        };
        if let Err(e) = all.parse(now) {
            let names = ["from", "to", "as_of", "kind", "severity", "plan", "incident"];
            prop_assert!(names.contains(&e.field), "{}", e.field);
        }
    }

    /// Query strings of the reply and incident lists: a single bad value is refused with a
    /// message that names that parameter.
    #[test]
    fn list_filters_name_the_bad_parameter(which in 0usize..11, s in hostile_or_long()) {
        let message = |r: Result<(), AppError>| match r {
            Ok(()) => None,
            Err(AppError::Invalid(m)) => Some(m.to_lowercase()),
            Err(other) => panic!("{other:?}"),
        };
        let (name, got) = if which < 5 {
            let mut q = ReplyQuery::default();
            let name = match which {
                0 => { q.sentiment = Some(s); "sentiment" }
                1 => { q.incident = Some(s); "incident" }
                2 => { q.action = Some(s); "action" }
                3 => { q.from = Some(s); "from" }
                _ => { q.to = Some(s); "to" }
            };
            (name, message(q.parse().map(|_| ())))
        } else {
            let mut q = IncidentQuery::default();
            let name = match which {
                5 => { q.status = Some(s); "status" }
                6 => { q.severity = Some(s); "severity" }
                7 => { q.kind = Some(s); "kind" }
                8 => { q.from = Some(s); "from" }
                9 => { q.to = Some(s); "to" }
                _ => { q.q = Some(s); "search" }
            };
            (name, message(q.parse().map(|_| ())))
        };
        if let Some(m) = got {
            prop_assert!(m.contains(name), "{name}: {m}");
        }
    }
}

proptest! {
    #![proptest_config(config(2_000))]

    /// Analytics round trip: a question parsed from valid dates and filters, written out as
    /// the parameters or the query string of a link, reads back as the same question.
    #[test]
    fn analytics_questions_round_trip(
        from in 0i64..(200 * 365),
        span in 1i64..(9 * 366),
        as_of in 0i64..(9 * 366),
        kind in proptest::option::of(select(super::IncidentKind::ALL)),
        severity in proptest::option::of(select(super::Severity::ALL)),
        plan in proptest::option::of("[^\\s]([^\\x00-\\x1f]{0,58}[^\\s])?"),
        incident in proptest::option::of(1i64..i64::MAX),
    ) {
        let date = |d: i64| super::analytics::date_of(d * DAY_MS);
        let p = AnalyticsParams {
            from: Some(date(from)),
            to: Some(date(from + span)),
            as_of: Some(date(from + as_of)),
            kind: kind.map(|k| k.code().to_uppercase()),
            severity: severity.map(|s| format!(" {} ", s.code())),
            plan,
            incident: incident.map(|i| i.to_string()),
        };
        let q: AnalyticsQuery = match p.parse(0) {
            Ok(q) => q,
            Err(e) => {
                // Only the calendar's edge may refuse: a year past the range.
                prop_assert!(matches!(e.field, "to" | "as_of"), "{e:?}");
                return Ok(());
            }
        };
        prop_assert_eq!(q.params().parse(0), Ok(q.clone()));
        let read: std::collections::HashMap<String, String> = q
            .query_string()
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), decode(v)))
            .collect();
        let get = |k: &str| read.get(k).cloned();
        let back = AnalyticsParams {
            from: get("from"),
            to: get("to"),
            as_of: get("as_of"),
            kind: get("kind"),
            severity: get("severity"),
            plan: get("plan"),
            incident: get("incident"),
        };
        prop_assert_eq!(back.parse(0), Ok(q));
    }
}

#[cfg(feature = "ssr")]
mod paste {
    use super::*;

    /// A ref as people have them: letters of any script, digits and a little punctuation.
    fn a_ref() -> impl Strategy<Value = String> {
        "[A-Za-z0-9_.#/ÄéßİΩж中-]{1,24}"
    }

    fn an_email() -> impl Strategy<Value = String> {
        "[a-z0-9._+-]{1,12}@[a-z0-9-]{1,12}\\.[a-z]{2,6}"
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            a_ref(),
            an_email(),
            select(vec![
                "bad ref".to_string(),
                "x@".to_string(),
                "a\"b".to_string()
            ])
        ]
    }

    proptest! {
        #![proptest_config(config(3_000))]

        /// Pasted lists: any text parses or is refused naming a line (or the header row);
        /// every entry, duplicate and malformed token names a line that exists.
        #[test]
        fn pasted_lists_never_panic_and_name_their_lines(text in hostile_or_long()) {
            let lines = text.trim_start_matches('\u{feff}').lines().count();
            match parse_list(&text) {
                Ok(p) => {
                    for e in &p.entries {
                        prop_assert!(e.line >= 1 && e.line <= lines, "entry on line {} of {lines}", e.line);
                        // No control character (NUL above all) gets past as a ref or e-mail.
                        prop_assert!(!e.key.text().chars().any(char::is_control), "{:?}", e.key);
                    }
                    for m in &p.malformed {
                        prop_assert!(m.line >= 1 && m.line <= lines, "malformed on line {} of {lines}", m.line);
                        prop_assert!(!m.reason.is_empty());
                    }
                    for (line, _, first) in &p.duplicates {
                        prop_assert!(first <= line && *line <= lines);
                    }
                }
                Err(m) => {
                    let m = m.to_lowercase();
                    prop_assert!(m.contains("line") || m.contains("header row"), "{m}");
                }
            }
        }

        /// Pasted lists round trip: refs and e-mails joined by any separators read back in
        /// order, each on the line it was written on, repeats reported against their first
        /// line, bad tokens reported on theirs.
        #[test]
        fn pasted_lists_keep_every_key_on_its_line(
            rows in proptest::collection::vec(proptest::collection::vec(key(), 0..6), 1..40),
            sep in select(vec![",", ";", ", ", " ; "]),
            crlf in any::<bool>(),
        ) {
            let eol = if crlf { "\r\n" } else { "\n" };
            let text = rows.iter().map(|r| r.join(sep)).collect::<Vec<_>>().join(eol);
            // Not a header row by accident: the first line of keys is never all words.
            prop_assume!(!rows[0].iter().any(|k| ["ref", "email", "id", "customer"].contains(&k.to_lowercase().as_str())));
            let p = parse_list(&text).map_err(TestCaseError::fail)?;
            prop_assume!(!p.csv);
            let text_lines: Vec<&str> = text.lines().collect();
            let mut seen = std::collections::HashMap::new();
            let mut expect = Vec::new();
            for (i, row) in rows.iter().enumerate() {
                for k in row {
                    let norm = if k.contains('@') { k.to_lowercase() } else { k.clone() };
                    seen.entry(norm.clone()).or_insert_with(|| { expect.push((i + 1, norm)); });
                }
            }
            let good: Vec<(usize, String)> = p.entries.iter().map(|e| (e.line, e.key.text().to_string())).collect();
            let bad: Vec<&(usize, String)> = expect.iter().filter(|(_, k)| !good.iter().any(|(_, g)| g == k)).collect();
            for (line, k) in &good {
                prop_assert!(text_lines[line - 1].to_lowercase().contains(&k.to_lowercase()), "{k} is not on line {line}");
            }
            for (line, k) in bad {
                prop_assert!(p.malformed.iter().any(|m| m.line == *line && &m.text == k), "{k} from line {line} vanished");
            }
            for m in &p.malformed {
                prop_assert!(text_lines[m.line - 1].contains(&m.text), "{} is not on line {}", m.text, m.line);
            }
        }

        /// Pasted CSV: every row's entry or refusal names the line it is on in the text,
        /// blank lines and all.
        #[test]
        fn pasted_csv_rows_name_the_line_they_are_on(
            rows in proptest::collection::vec((proptest::option::of(key()), proptest::option::of(an_email())), 1..30),
            blanks in proptest::collection::vec(0usize..3, 30),
        ) {
            let mut text = String::from("ref,email,name\n");
            for (i, (r, e)) in rows.iter().enumerate() {
                for _ in 0..blanks[i] {
                    text.push('\n');
                }
                text.push_str(&format!("{},{},Someone {i}\n", r.as_deref().unwrap_or(""), e.as_deref().unwrap_or("")));
            }
            let p = parse_list(&text).map_err(TestCaseError::fail)?;
            prop_assert!(p.csv);
            let lines: Vec<&str> = text.lines().collect();
            for e in &p.entries {
                prop_assert!(lines[e.line - 1].contains(e.key.text()), "{} is not on line {}", e.key.text(), e.line);
            }
            for m in &p.malformed {
                prop_assert!(lines[m.line - 1].contains("Someone"), "line {} holds no row", m.line);
                prop_assert!(m.text.is_empty() || lines[m.line - 1] == m.text, "{} is not line {}", m.text, m.line);
            }
        }
    }

    proptest! {
        #![proptest_config(config(48))]

        /// Volume: a list is refused exactly when one line holds more than the per-line cap
        /// or the whole list more than the entry cap, and the refusal names the line.
        #[test]
        fn pasted_volume_is_capped_naming_the_line(
            per_line in proptest::collection::vec(0usize..(MAX_PER_LINE + 50), 1..12),
        ) {
            let text = per_line
                .iter()
                .enumerate()
                .map(|(l, n)| (0..*n).map(|i| format!("c{l}-{i}")).collect::<Vec<_>>().join(","))
                .collect::<Vec<_>>()
                .join("\n");
            let mut total = 0;
            let mut culprit = None;
            for (l, n) in per_line.iter().enumerate() {
                total += n;
                if *n > MAX_PER_LINE || total > MAX_ENTRIES {
                    culprit = Some(l + 1);
                    break;
                }
            }
            match (parse_list(&text), culprit) {
                (Ok(p), None) => prop_assert_eq!(p.entries.len(), total),
                (Err(m), Some(line)) => prop_assert!(m.to_lowercase().contains(&format!("line {line} ")), "{m}"),
                (got, want) => prop_assert!(false, "{got:?} but expected refusal at {want:?}"),
            }
        }
    }
}
