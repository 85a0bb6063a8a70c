//! The seven analytics reports as the API and the command line give them: JSON (the report
//! types as they are) or CSV (one row per group, bucket, week or model term; curves in long
//! form).
//! One function per report, so `amends analytics X` prints exactly what
//! `GET /api/v1/analytics/X` returns.

use app::domain::adjusted::AdjustedReport;
use app::domain::analytics::{Analytics, CurvePoint, RetentionGroup, SurvivalAt};
use app::domain::Money;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Report {
    /// Sentiment and CSAT by action kind.
    Sentiment,
    /// Kaplan–Meier retention by action kind, against no action and unaffected.
    Retention,
    /// Time to first contact, in buckets.
    Speed,
    /// Customers hit again within 90 days.
    Repeat,
    /// Week by week.
    Weekly,
    /// Credits and refunds by their share of monthly revenue.
    Dose,
    /// Cox model of churn: hazard ratios of each action kind, adjusted for severity, plan
    /// and monthly revenue.
    Adjusted,
}

/// What a report is made from: every figure of a question, or its adjusted model (read and
/// fitted on its own).
#[derive(Clone, Debug)]
pub enum Answer {
    Figures(Arc<Analytics>),
    Adjusted(Arc<AdjustedReport>),
}

impl Report {
    pub fn parse(s: &str) -> Option<Report> {
        match s {
            "sentiment" => Some(Report::Sentiment),
            "retention" => Some(Report::Retention),
            "speed" => Some(Report::Speed),
            "repeat" => Some(Report::Repeat),
            "weekly" => Some(Report::Weekly),
            "dose" => Some(Report::Dose),
            "adjusted" => Some(Report::Adjusted),
            _ => None,
        }
    }

    /// Pretty JSON (fields in the order of the report types) with a final newline; empty
    /// when `answer` is not what this report is made from.
    pub fn json_text(self, answer: &Answer) -> String {
        let s = match (self, answer) {
            (Report::Adjusted, Answer::Adjusted(r)) => serde_json::to_string_pretty(&**r),
            (Report::Adjusted, Answer::Figures(_)) | (_, Answer::Adjusted(_)) => {
                return String::new()
            }
            (Report::Sentiment, Answer::Figures(a)) => serde_json::to_string_pretty(&a.sentiment),
            (Report::Retention, Answer::Figures(a)) => serde_json::to_string_pretty(&a.retention),
            (Report::Speed, Answer::Figures(a)) => serde_json::to_string_pretty(&a.speed),
            (Report::Repeat, Answer::Figures(a)) => serde_json::to_string_pretty(&a.repeat),
            (Report::Weekly, Answer::Figures(a)) => serde_json::to_string_pretty(&a.weekly),
            (Report::Dose, Answer::Figures(a)) => serde_json::to_string_pretty(&a.dose),
        };
        let mut s = s.unwrap_or_default();
        s.push('\n');
        s
    }

    /// CSV text; empty when `answer` is not what this report is made from.
    pub fn csv(self, answer: &Answer) -> String {
        let rows = match (self, answer) {
            (Report::Adjusted, Answer::Adjusted(r)) => adjusted(r),
            (Report::Adjusted, Answer::Figures(_)) | (_, Answer::Adjusted(_)) => vec![],
            (Report::Sentiment, Answer::Figures(a)) => sentiment(a),
            (Report::Retention, Answer::Figures(a)) => retention(a),
            (Report::Speed, Answer::Figures(a)) => speed(a),
            (Report::Repeat, Answer::Figures(a)) => repeat(a),
            (Report::Weekly, Answer::Figures(a)) => weekly(a),
            (Report::Dose, Answer::Figures(a)) => dose(a),
        };
        to_csv(rows)
    }
}

/// One row per share of revenue, then the cases in no bucket.
fn dose(a: &Analytics) -> Vec<Vec<String>> {
    let mut rows = vec![header(&[
        "bucket",
        "label",
        "cases",
        "replies",
        "mean_sentiment",
        "mean_lower",
        "mean_upper",
        "s90",
        "s90_lower",
        "s90_upper",
        "logrank_p_vs_no_action",
        "lift_90",
        "cost",
        "cost_per_retained",
        "cost_note",
    ])];
    for b in &a.dose.buckets {
        let mut row = vec![
            b.bucket.code().into(),
            b.label.clone(),
            b.cases.to_string(),
            b.replies.to_string(),
            num(b.sentiment.map(|m| m.mean)),
            num(b.sentiment.and_then(|m| m.lower)),
            num(b.sentiment.and_then(|m| m.upper)),
        ];
        row.extend(at(b.s90));
        row.extend([
            num(b.logrank_p),
            num(b.lift),
            money(&b.cost),
            b.cost_per_retained
                .as_deref()
                .map(money)
                .unwrap_or_default(),
            b.cost_note.clone().unwrap_or_default(),
        ]);
        rows.push(row);
    }
    let d = &a.dose;
    rows.push(vec![
        "no_revenue".into(),
        "No monthly revenue".into(),
        d.without_revenue.to_string(),
    ]);
    rows.push(vec![
        "other_currency".into(),
        "Given in another currency than the revenue".into(),
        d.other_currency.to_string(),
    ]);
    rows
}

/// One row per term of the model, then one per covariate left out (with its reason).
fn adjusted(r: &AdjustedReport) -> Vec<Vec<String>> {
    let mut rows = vec![header(&[
        "term",
        "label",
        "cases_with",
        "hazard_ratio",
        "hr_lower",
        "hr_upper",
        "coef",
        "se",
        "p_value",
        "left_out_because",
    ])];
    for t in &r.terms {
        rows.push(vec![
            t.name.clone(),
            t.label.clone(),
            t.cases.to_string(),
            num(Some(t.hazard_ratio)),
            num(Some(t.lower)),
            num(Some(t.upper)),
            num(Some(t.coef)),
            num(Some(t.se)),
            p_value(t.p_value),
        ]);
    }
    for l in &r.left_out {
        let mut row = vec![l.name.clone(), l.label.clone()];
        row.resize(9, String::new());
        row.push(l.reason.clone());
        rows.push(row);
    }
    rows
}

/// Rows to CSV text; short rows are padded to the header's width.
pub fn to_csv(rows: Vec<Vec<String>>) -> String {
    let width = rows.first().map_or(0, Vec::len);
    let mut w = csv::Writer::from_writer(Vec::new());
    for mut r in rows {
        r.resize(width.max(r.len()), String::new());
        // Writing to memory cannot fail.
        let _ = w.write_record(r.iter().map(|c| crate::spreadsheet::safe_cell(c)));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn num(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.6}")).unwrap_or_default()
}

/// A p-value: six decimals, or three significant digits when smaller than 0.0001.
fn p_value(p: f64) -> String {
    if p < 1e-4 {
        format!("{p:.2e}")
    } else {
        format!("{p:.6}")
    }
}

/// `1234.50 USD`: no symbols or thousands separators, for spreadsheets.
pub fn plain_money(m: &Money) -> String {
    let scale = Money::scale(&m.currency);
    let sign = if m.minor < 0 { "-" } else { "" };
    let abs = m.minor.unsigned_abs();
    let digits = match scale {
        1 => abs.to_string(),
        1000 => format!("{}.{:03}", abs / 1000, abs % 1000),
        s => format!("{}.{:02}", abs / s as u64, abs % s as u64),
    };
    format!("{sign}{digits} {}", m.currency)
}

fn money(list: &[Money]) -> String {
    list.iter().map(plain_money).collect::<Vec<_>>().join(" + ")
}

fn header(cols: &[&str]) -> Vec<String> {
    cols.iter().map(|c| c.to_string()).collect()
}

fn sentiment(a: &Analytics) -> Vec<Vec<String>> {
    let mut rows = vec![header(&[
        "group",
        "label",
        "cases",
        "replies",
        "mean_sentiment",
        "mean_lower",
        "mean_upper",
        "share_positive",
        "positive_lower",
        "positive_upper",
        "csat_ratings",
        "share_csat_4_5",
        "csat_lower",
        "csat_upper",
    ])];
    for g in &a.sentiment.groups {
        rows.push(vec![
            g.group.code().into(),
            g.label.clone(),
            g.cases.to_string(),
            g.replies.to_string(),
            num(g.mean.map(|m| m.mean)),
            num(g.mean.and_then(|m| m.lower)),
            num(g.mean.and_then(|m| m.upper)),
            num(g.positive.map(|s| s.share)),
            num(g.positive.map(|s| s.lower)),
            num(g.positive.map(|s| s.upper)),
            g.csat_satisfied.map_or(0, |s| s.n).to_string(),
            num(g.csat_satisfied.map(|s| s.share)),
            num(g.csat_satisfied.map(|s| s.lower)),
            num(g.csat_satisfied.map(|s| s.upper)),
        ]);
    }
    rows
}

fn at(s: Option<SurvivalAt>) -> [String; 3] {
    [
        num(s.map(|s| s.survival)),
        num(s.map(|s| s.lower)),
        num(s.map(|s| s.upper)),
    ]
}

/// One row per group: S(30/90/180) with intervals, log-rank p, lift, cost.
pub fn retention_summary(groups: &[&RetentionGroup]) -> Vec<Vec<String>> {
    let mut rows = vec![header(&[
        "group",
        "label",
        "cases",
        "churned",
        "s30",
        "s30_lower",
        "s30_upper",
        "s90",
        "s90_lower",
        "s90_upper",
        "s180",
        "s180_lower",
        "s180_upper",
        "logrank_p_vs_no_action",
        "lift_90",
        "cost",
        "cost_per_retained",
        "cost_note",
    ])];
    for g in groups {
        let mut r = vec![
            g.group.code().into(),
            g.label.clone(),
            g.cases.to_string(),
            g.churned.to_string(),
        ];
        r.extend(at(g.s30));
        r.extend(at(g.s90));
        r.extend(at(g.s180));
        r.push(num(g.logrank_p));
        r.push(num(g.lift));
        r.push(money(&g.cost));
        r.push(
            g.cost_per_retained
                .as_deref()
                .map(money)
                .unwrap_or_default(),
        );
        r.push(g.cost_note.clone().unwrap_or_default());
        rows.push(r);
    }
    rows
}

fn retention(a: &Analytics) -> Vec<Vec<String>> {
    retention_summary(&a.retention.groups.iter().collect::<Vec<_>>())
}

/// Every curve in long form: one row per group and step.
pub fn curves(groups: &[&RetentionGroup]) -> Vec<Vec<String>> {
    let mut rows = vec![header(&[
        "group", "label", "t_days", "survival", "lower", "upper", "at_risk", "events", "censored",
    ])];
    for g in groups {
        for p in &g.curve {
            let CurvePoint {
                t,
                survival,
                lower,
                upper,
                at_risk,
                events,
                censored,
            } = *p;
            rows.push(vec![
                g.group.code().into(),
                g.label.clone(),
                format!("{t:.6}"),
                format!("{survival:.6}"),
                format!("{lower:.6}"),
                format!("{upper:.6}"),
                at_risk.to_string(),
                events.to_string(),
                censored.to_string(),
            ]);
        }
    }
    rows
}

fn speed(a: &Analytics) -> Vec<Vec<String>> {
    let mut rows = vec![header(&[
        "bucket",
        "label",
        "cases",
        "replies",
        "mean_sentiment",
        "mean_lower",
        "mean_upper",
        "s90",
        "s90_lower",
        "s90_upper",
    ])];
    for b in &a.speed.buckets {
        let mut r = vec![
            b.bucket.code().into(),
            b.label.clone(),
            b.cases.to_string(),
            b.replies.to_string(),
            num(b.sentiment.map(|m| m.mean)),
            num(b.sentiment.and_then(|m| m.lower)),
            num(b.sentiment.and_then(|m| m.upper)),
        ];
        r.extend(at(b.s90));
        rows.push(r);
    }
    rows.push(vec![
        "never".into(),
        "Never contacted".into(),
        a.speed.never_contacted.to_string(),
    ]);
    rows
}

fn repeat(a: &Analytics) -> Vec<Vec<String>> {
    let mut rows = retention_summary(&[&a.repeat.repeat, &a.repeat.once]);
    // The log-rank column compares against no action elsewhere; here it is repeat vs once.
    rows[0][13] = "logrank_p_repeat_vs_once".into();
    if rows.len() > 1 {
        rows[1][13] = num(a.repeat.logrank_p);
    }
    rows
}

fn weekly(a: &Analytics) -> Vec<Vec<String>> {
    weekly_rows(&a.weekly.weeks)
}

/// One row per week with its change against the week before.
pub fn weekly_rows(weeks: &[app::domain::analytics::WeekRow]) -> Vec<Vec<String>> {
    let mut rows = vec![header(&[
        "week",
        "starts",
        "incidents_opened",
        "incidents_resolved",
        "customers_affected",
        "actions",
        "cost",
        "replies",
        "mean_sentiment",
        "share_positive",
        "churned",
        "change_incidents_opened",
        "change_customers_affected",
        "change_actions",
        "change_replies",
        "change_mean_sentiment",
        "change_churned",
    ])];
    for w in weeks {
        let f = &w.figures;
        let c = w.change.as_ref();
        let int = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
        rows.push(vec![
            f.week.clone(),
            f.starts.clone(),
            f.incidents_opened.to_string(),
            f.incidents_resolved.to_string(),
            f.customers_affected.to_string(),
            f.actions.to_string(),
            money(&f.cost),
            f.replies.to_string(),
            num(f.mean_sentiment),
            num(f.share_positive),
            f.churned.to_string(),
            int(c.map(|c| c.incidents_opened)),
            int(c.map(|c| c.customers_affected)),
            int(c.map(|c| c.actions)),
            int(c.map(|c| c.replies)),
            num(c.and_then(|c| c.mean_sentiment)),
            int(c.map(|c| c.churned)),
        ]);
    }
    rows
}
