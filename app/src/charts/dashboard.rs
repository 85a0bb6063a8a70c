//! Every dashboard chart with its table, from one set of analytics.

use super::{colour_of, dots_with_whiskers, retention_curves, thin, weekly_trend, Bar};
use crate::domain::analytics::{Analytics, Group, RetentionGroup, SurvivalAt};
use crate::domain::dashboard::{p_value, pct, pct_ci, score_ci, ChartView, DashboardView};
use crate::format;

pub(crate) const NOT_ENOUGH: &str =
    "Not enough data yet for this chart: nothing in this period has a value.";

pub(crate) fn s_at(s: Option<SurvivalAt>) -> String {
    s.map_or("not followed that long".into(), |s| {
        pct_ci(s.survival, s.lower, s.upper)
    })
}

pub(crate) fn strings(cols: &[&str]) -> Vec<String> {
    cols.iter().map(|c| c.to_string()).collect()
}

/// An axis range that holds every value and interval, in steps of `step`, within `limits`.
pub(crate) fn range(
    values: impl Iterator<Item = f64>,
    step: f64,
    limits: (f64, f64),
) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    if lo > hi {
        return limits;
    }
    let lo = ((lo / step).floor() * step).max(limits.0);
    let hi = ((hi / step).ceil() * step).min(limits.1);
    if hi - lo < step {
        ((lo - step).max(limits.0), (hi + step).min(limits.1))
    } else {
        (lo, hi)
    }
}

fn sentiment(a: &Analytics) -> ChartView {
    sentiment_of(a, |_| true)
}

/// Sentiment by action over the groups `keep` accepts.
pub(crate) fn sentiment_of(
    a: &Analytics,
    keep: impl Fn(&crate::domain::analytics::SentimentGroup) -> bool,
) -> ChartView {
    let groups: Vec<_> = a.sentiment.groups.iter().filter(|g| keep(g)).collect();
    let bars: Vec<Bar> = groups
        .iter()
        .map(|g| Bar {
            label: g.label.clone(),
            value: g.mean.map(|m| m.mean),
            lower: g.mean.and_then(|m| m.lower),
            upper: g.mean.and_then(|m| m.upper),
            n: g.replies,
            colour: colour_of(g.group),
        })
        .collect();
    let y = range(
        bars.iter()
            .flat_map(|b| [b.value, b.lower, b.upper, Some(0.0)])
            .flatten(),
        0.1,
        (-1.0, 1.0),
    );
    ChartView {
        id: "sentiment".into(),
        title: "Sentiment by recovery action".into(),
        caption:
            "Mean sentiment of customers' replies (−1 to +1) for cases given each kind of \
            action, with 95 % t-intervals; n counts replies. A case given two kinds counts in both."
                .into(),
        svg: super::guarded(|| dots_with_whiskers(&bars, y, 0.0, "Mean reply sentiment", false)),
        empty: NOT_ENOUGH.into(),
        columns: strings(&[
            "Group",
            "Cases",
            "Replies",
            "Mean sentiment (95 % CI)",
            "Positive replies (95 % CI)",
            "CSAT 4–5 (95 % CI)",
        ]),
        rows: groups
            .iter()
            .map(|g| {
                vec![
                    g.label.clone(),
                    format::count(g.cases as i64),
                    format::count(g.replies as i64),
                    g.mean
                        .map_or("—".into(), |m| score_ci(m.mean, m.lower, m.upper)),
                    g.positive
                        .map_or("—".into(), |s| pct_ci(s.share, s.lower, s.upper)),
                    g.csat_satisfied.map_or("—".into(), |s| {
                        format!("{} of {}", pct_ci(s.share, s.lower, s.upper), s.n)
                    }),
                ]
            })
            .collect(),
    }
}

/// A bucket's first cells: its label, cases, replies, mean sentiment and S(90), each with
/// its interval.
pub(crate) fn bucket_cells(
    label: &str,
    cases: u64,
    replies: u64,
    sentiment: Option<crate::domain::analytics::MeanCi>,
    s90: Option<SurvivalAt>,
) -> Vec<String> {
    vec![
        label.to_string(),
        format::count(cases as i64),
        format::count(replies as i64),
        sentiment.map_or("—".into(), |m| score_ci(m.mean, m.lower, m.upper)),
        s_at(s90),
    ]
}

/// A lift in percentage points: `+4.2 points`.
pub(crate) fn lift_cell(lift: Option<f64>) -> String {
    lift.map_or("—".into(), |l| format!("{:+.1} points", l * 100.0))
}

/// The cost per retained customer, or why it is not shown.
pub(crate) fn cost_cell(per: &Option<Vec<crate::domain::Money>>, note: &Option<String>) -> String {
    match (per, note) {
        (Some(c), _) => format::money_list(c),
        (None, Some(n)) => n.clone(),
        _ => "—".into(),
    }
}

fn summary_rows(groups: &[&RetentionGroup]) -> Vec<Vec<String>> {
    groups
        .iter()
        .map(|g| {
            vec![
                g.label.clone(),
                format::count(g.cases as i64),
                format::count(g.churned as i64),
                s_at(g.s30),
                s_at(g.s90),
                s_at(g.s180),
                g.logrank_p.map_or("—".into(), p_value),
                lift_cell(g.lift),
                cost_cell(&g.cost_per_retained, &g.cost_note),
            ]
        })
        .collect()
}

const SUMMARY_COLUMNS: &[&str] = &[
    "Group",
    "Cases",
    "Churned",
    "Retained at 30 days (95 % CI)",
    "at 90 days",
    "at 180 days",
    "Log-rank p vs no action",
    "Lift at 90 days",
    "Cost per retained customer",
];

fn series(
    groups: &[&RetentionGroup],
) -> Vec<(
    String,
    super::Rgb,
    Vec<crate::domain::analytics::CurvePoint>,
)> {
    groups
        .iter()
        .map(|g| {
            (
                format!("{} (n = {})", g.label, g.cases),
                colour_of(g.group),
                thin(&g.curve, 0.5),
            )
        })
        .collect()
}

fn horizon(groups: &[&RetentionGroup]) -> f64 {
    let last = groups
        .iter()
        .filter_map(|g| g.curve.last().map(|p| p.t))
        .fold(0.0_f64, f64::max);
    last.clamp(30.0, 180.0)
}

fn retention(a: &Analytics) -> ChartView {
    let groups: Vec<&RetentionGroup> = [Group::AnyAction, Group::NoAction, Group::Unaffected]
        .iter()
        .filter_map(|g| a.retention.group(*g))
        .collect();
    ChartView {
        id: "retention".into(),
        title: "Retention after an incident".into(),
        caption: "Kaplan–Meier share of customers still with us, by days since the incident \
            started, for cases given any action, cases given none, and customers no incident \
            hit (followed from the period start). Bands: 95 % Greenwood log(−log) intervals."
            .into(),
        svg: super::guarded(|| retention_curves(&series(&groups), horizon(&groups))),
        empty: NOT_ENOUGH.into(),
        columns: strings(SUMMARY_COLUMNS),
        rows: summary_rows(&groups),
    }
}

fn retention_by_action(a: &Analytics) -> ChartView {
    let none = a.retention.group(Group::NoAction).and_then(|g| g.s90);
    let groups: Vec<&RetentionGroup> = a
        .retention
        .groups
        .iter()
        .filter(|g| matches!(g.group, Group::Action(_) | Group::NoAction))
        .collect();
    let bars: Vec<Bar> = groups
        .iter()
        .map(|g| Bar {
            label: g.label.clone(),
            value: g.s90.map(|s| s.survival),
            lower: g.s90.map(|s| s.lower),
            upper: g.s90.map(|s| s.upper),
            n: g.cases,
            colour: colour_of(g.group),
        })
        .collect();
    let baseline = none.map_or(0.0, |s| s.survival);
    let y = range(
        bars.iter()
            .flat_map(|b| [b.value, b.lower, b.upper, Some(baseline)])
            .flatten(),
        0.1,
        (0.0, 1.0),
    );
    ChartView {
        id: "retention_by_action".into(),
        title: "90-day retention by recovery action".into(),
        caption: "Kaplan–Meier retention 90 days after the incident for cases given each kind \
            of action, with 95 % intervals; bars start at the no-action level, so their length \
            is the lift. n counts cases."
            .into(),
        svg: super::guarded(|| dots_with_whiskers(&bars, y, baseline, "Retained at 90 days", true)),
        empty: NOT_ENOUGH.into(),
        columns: strings(SUMMARY_COLUMNS),
        rows: summary_rows(&groups),
    }
}

pub(crate) fn speed(a: &Analytics) -> (ChartView, ChartView) {
    let columns = strings(&[
        "First contact",
        "Cases",
        "Replies",
        "Mean sentiment (95 % CI)",
        "Retained at 90 days (95 % CI)",
    ]);
    let mut rows: Vec<Vec<String>> = a
        .speed
        .buckets
        .iter()
        .map(|b| bucket_cells(&b.label, b.cases, b.replies, b.sentiment, b.s90))
        .collect();
    rows.push(vec![
        "Never contacted".into(),
        format::count(a.speed.never_contacted as i64),
        "—".into(),
        "—".into(),
        "—".into(),
    ]);
    let ink = super::Rgb(0x00, 0x72, 0xb2);
    let mood: Vec<Bar> = a
        .speed
        .buckets
        .iter()
        .map(|b| Bar {
            label: b.label.clone(),
            value: b.sentiment.map(|m| m.mean),
            lower: b.sentiment.and_then(|m| m.lower),
            upper: b.sentiment.and_then(|m| m.upper),
            n: b.replies,
            colour: ink,
        })
        .collect();
    let kept: Vec<Bar> = a
        .speed
        .buckets
        .iter()
        .map(|b| Bar {
            label: b.label.clone(),
            value: b.s90.map(|s| s.survival),
            lower: b.s90.map(|s| s.lower),
            upper: b.s90.map(|s| s.upper),
            n: b.cases,
            colour: super::Rgb(0x00, 0x9e, 0x73),
        })
        .collect();
    let y_mood = range(
        mood.iter()
            .flat_map(|b| [b.value, b.lower, b.upper, Some(0.0)])
            .flatten(),
        0.1,
        (-1.0, 1.0),
    );
    let y_kept = range(
        kept.iter()
            .flat_map(|b| [b.value, b.lower, b.upper])
            .flatten(),
        0.1,
        (0.0, 1.0),
    );
    (
        ChartView {
            id: "speed".into(),
            title: "Sentiment by time to first contact".into(),
            caption: "Mean reply sentiment by how long after detection the case got its first \
                action, with 95 % t-intervals; n counts replies."
                .into(),
            svg: super::guarded(|| {
                dots_with_whiskers(&mood, y_mood, 0.0, "Mean reply sentiment", false)
            }),
            empty: NOT_ENOUGH.into(),
            columns: columns.clone(),
            rows: rows.clone(),
        },
        ChartView {
            id: "speed_retention".into(),
            title: "90-day retention by time to first contact".into(),
            caption: "Kaplan–Meier retention 90 days after the incident by time to first \
                contact, with 95 % intervals; n counts cases."
                .into(),
            svg: super::guarded(|| {
                dots_with_whiskers(&kept, y_kept, y_kept.0, "Retained at 90 days", true)
            }),
            empty: NOT_ENOUGH.into(),
            columns,
            rows,
        },
    )
}

fn weekly(a: &Analytics) -> ChartView {
    weekly_of(&a.weekly.weeks)
}

/// The week-by-week chart and table of `weeks`.
pub(crate) fn weekly_of(weeks: &[crate::domain::analytics::WeekRow]) -> ChartView {
    ChartView {
        id: "weekly".into(),
        title: "Week by week".into(),
        caption: "Customers hit by incidents that started each ISO week (top) and the mean \
            sentiment of the replies received that week (bottom)."
            .into(),
        svg: super::guarded(|| weekly_trend(weeks)),
        empty: "Not enough data yet: the trend needs at least two weeks with affected customers."
            .into(),
        columns: strings(&[
            "Week",
            "Incidents opened",
            "Resolved",
            "Customers affected",
            "Actions",
            "Cost",
            "Replies",
            "Mean sentiment",
            "Positive",
            "Churned",
        ]),
        rows: weeks
            .iter()
            .map(|w| {
                let f = &w.figures;
                vec![
                    f.week.clone(),
                    f.incidents_opened.to_string(),
                    f.incidents_resolved.to_string(),
                    format::count(f.customers_affected as i64),
                    format::count(f.actions as i64),
                    format::money_list(&f.cost),
                    format::count(f.replies as i64),
                    f.mean_sentiment.map_or("—".into(), format::score),
                    f.share_positive.map_or("—".into(), pct),
                    f.churned.to_string(),
                ]
            })
            .collect(),
    }
}

fn repeat(a: &Analytics) -> ChartView {
    let groups = [&a.repeat.repeat, &a.repeat.once];
    let mut rows = summary_rows(&groups);
    for r in rows.iter_mut() {
        r.truncate(6);
    }
    if let Some(first) = rows.first_mut() {
        first.push(a.repeat.logrank_p.map_or("—".into(), p_value));
    }
    let mut columns = strings(&SUMMARY_COLUMNS[..6]);
    columns[0] = "Customers".into();
    columns[1] = "Followed".into();
    columns.push("Log-rank p, repeat vs once".into());
    ChartView {
        id: "repeat".into(),
        title: "Repeat pain".into(),
        caption: "Retention of customers hit again within 90 days (followed from the second \
            incident) against customers hit once in the period, with 95 % intervals. Read with \
            care: to be hit twice a customer had to stay until the second incident."
            .into(),
        svg: super::guarded(|| retention_curves(&series(&groups), horizon(&groups))),
        empty: NOT_ENOUGH.into(),
        columns,
        rows,
    }
}

/// Sentiment by the kinds of action these cases were given (and no action) only: one
/// incident, or one week, used a few kinds.
pub(crate) fn sentiment_used(a: &Analytics) -> ChartView {
    sentiment_of(a, |g| g.cases > 0 || g.group == Group::NoAction)
}

/// An incident's own figures: sentiment by action and retention of its cases.
pub fn incident(a: &Analytics) -> crate::domain::dashboard::IncidentAnalyticsView {
    crate::domain::dashboard::IncidentAnalyticsView {
        query: a.query.clone(),
        headline: a.headline.clone(),
        sentiment: sentiment_used(a),
        retention: retention(a),
    }
}

/// The dashboard's charts' ids, in its order.
pub const CHARTS: [&str; 9] = [
    "sentiment",
    "retention",
    "retention_by_action",
    "speed",
    "speed_retention",
    "dose_retention",
    "dose_sentiment",
    "weekly",
    "repeat",
];

/// One chart by id (as the dashboard draws it), for timing and downloads.
pub fn chart(a: &Analytics, id: &str) -> Option<ChartView> {
    match id {
        "sentiment" => Some(sentiment(a)),
        "retention" => Some(retention(a)),
        "retention_by_action" => Some(retention_by_action(a)),
        "speed" => Some(speed(a).0),
        "speed_retention" => Some(speed(a).1),
        "dose_retention" => Some(super::dose::dose(a).0),
        "dose_sentiment" => Some(super::dose::dose(a).1),
        "weekly" => Some(weekly(a)),
        "repeat" => Some(repeat(a)),
        _ => None,
    }
}

pub fn dashboard(a: &Analytics) -> DashboardView {
    let (speed, speed_retention) = speed(a);
    let (dose_retention, dose_sentiment) = super::dose::dose(a);
    DashboardView {
        query: a.query.clone(),
        headline: a.headline.clone(),
        charts: vec![
            sentiment(a),
            retention(a),
            retention_by_action(a),
            speed,
            speed_retention,
            dose_retention,
            dose_sentiment,
            weekly(a),
            repeat(a),
        ],
        repeat_customers: a.repeat.repeat_customers,
        customers_hit: a.repeat.customers_hit,
        repeat_top: a.repeat.top.clone(),
        complete: true,
    }
}
