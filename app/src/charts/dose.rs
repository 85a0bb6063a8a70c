//! How much to give: 90-day retention and reply sentiment by the credit or refund given, as
//! a share of the customer's monthly revenue.

use super::dashboard::{bucket_cells, cost_cell, lift_cell, range, s_at, strings, NOT_ENOUGH};
use super::{dots_with_whiskers, Bar, Rgb};
use crate::domain::analytics::Analytics;
use crate::domain::dashboard::{p_value, ChartView};
use crate::format;

/// What every caption says of where the amounts came from.
fn provenance(observational: bool) -> &'static str {
    if observational {
        " Observational: people chose the amounts, so a bucket can differ in more than the \
         amount (larger credits often go to angrier or more valuable customers)."
    } else {
        " The amounts were assigned at random."
    }
}

pub(crate) fn dose(a: &Analytics) -> (ChartView, ChartView) {
    let d = &a.dose;
    let outside = match (d.without_revenue, d.other_currency) {
        (0, 0) => String::new(),
        (n, 0) => format!(
            " {} cases without monthly revenue are in no bucket.",
            format::count(n as i64)
        ),
        (n, m) => format!(
            " {} cases without monthly revenue and {} given in another currency are in no bucket.",
            format::count(n as i64),
            format::count(m as i64)
        ),
    };
    let columns = strings(&[
        "Share of monthly revenue",
        "Cases",
        "Replies",
        "Mean sentiment (95 % CI)",
        "Retained at 90 days (95 % CI)",
        "Log-rank p vs no action",
        "Lift vs no action",
        "Cost per retained customer",
    ]);
    let mut rows: Vec<Vec<String>> = d
        .buckets
        .iter()
        .map(|b| {
            let mut cells = bucket_cells(&b.label, b.cases, b.replies, b.sentiment, b.s90);
            cells.extend([
                b.logrank_p.map_or("—".into(), p_value),
                lift_cell(b.lift),
                if b.cases == 0 {
                    "—".into()
                } else {
                    cost_cell(&b.cost_per_retained, &b.cost_note)
                },
            ]);
            cells
        })
        .collect();
    rows.push(vec![
        "No action".into(),
        format::count(d.no_action_cases as i64),
        "—".into(),
        "—".into(),
        s_at(d.no_action_s90),
        "—".into(),
        "—".into(),
        "—".into(),
    ]);
    let bar = |label: &str, n: u64, colour, v: Option<(f64, Option<f64>, Option<f64>)>| Bar {
        label: label.to_string(),
        value: v.map(|v| v.0),
        lower: v.and_then(|v| v.1),
        upper: v.and_then(|v| v.2),
        n,
        colour,
    };
    let kept: Vec<Bar> = d
        .buckets
        .iter()
        .map(|b| {
            let s = b.s90.map(|s| (s.survival, Some(s.lower), Some(s.upper)));
            bar(&b.label, b.cases, Rgb(0x00, 0x9e, 0x73), s)
        })
        .collect();
    let mood: Vec<Bar> = d
        .buckets
        .iter()
        .map(|b| {
            let m = b.sentiment.map(|m| (m.mean, m.lower, m.upper));
            bar(&b.label, b.replies, Rgb(0x00, 0x72, 0xb2), m)
        })
        .collect();
    let baseline = d.no_action_s90.map_or(0.0, |s| s.survival);
    let y_kept = range(
        kept.iter()
            .flat_map(|b| [b.value, b.lower, b.upper, Some(baseline)])
            .flatten(),
        0.1,
        (0.0, 1.0),
    );
    let y_mood = range(
        mood.iter()
            .flat_map(|b| [b.value, b.lower, b.upper, Some(0.0)])
            .flatten(),
        0.1,
        (-1.0, 1.0),
    );
    let why = provenance(d.observational);
    (
        ChartView {
            id: "dose_retention".into(),
            title: "How much to give: 90-day retention".into(),
            caption: format!(
                "Kaplan–Meier retention 90 days after the incident for cases given a credit or \
                 refund, by the amount (summed) as a share of the customer's monthly revenue, \
                 with 95 % intervals; bars start at the no-action level, so their length is the \
                 lift. n counts cases.{why}{outside}"
            ),
            svg: super::guarded(|| {
                dots_with_whiskers(&kept, y_kept, baseline, "Retained at 90 days", true)
            }),
            empty: NOT_ENOUGH.into(),
            columns: columns.clone(),
            rows: rows.clone(),
        },
        ChartView {
            id: "dose_sentiment".into(),
            title: "How much to give: sentiment".into(),
            caption: format!(
                "Mean reply sentiment (−1 to +1) of cases given a credit or refund, by the \
                 amount as a share of the customer's monthly revenue, with 95 % t-intervals; n \
                 counts replies.{why}"
            ),
            svg: super::guarded(|| {
                dots_with_whiskers(&mood, y_mood, 0.0, "Mean reply sentiment", false)
            }),
            empty: NOT_ENOUGH.into(),
            columns,
            rows,
        },
    )
}
