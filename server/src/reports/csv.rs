//! The weekly report's tables as one CSV file: blocks separated by a blank line, each with
//! its own header whose first column, `table`, names the block (report, figures, actions,
//! incidents, highlights, replies, trend). Numbers are plain: no thousands separators,
//! money as `120.50 USD`, durations in hours.

use crate::analytics::report::{plain_money, to_csv, weekly_rows};
use app::domain::report::WeekReport;
use app::domain::Money;

fn money(list: &[Money]) -> String {
    list.iter().map(plain_money).collect::<Vec<_>>().join(" + ")
}

fn hours(ms: i64) -> String {
    format!("{:.2}", ms as f64 / 3_600_000.0)
}

fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.4}")).unwrap_or_default()
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

pub fn render(r: &WeekReport) -> String {
    let blocks = [
        report(r),
        figures(r),
        actions(r),
        incidents(r),
        highlights(r),
        replies(r),
        trend(r),
    ];
    blocks
        .into_iter()
        .map(to_csv)
        .collect::<Vec<_>>()
        .join("\n")
}

fn report(r: &WeekReport) -> Vec<Vec<String>> {
    vec![
        row(&[
            "table",
            "week",
            "first_day",
            "last_day",
            "time_zone",
            "complete",
            "generated",
            "period_from",
            "period_to",
        ]),
        row(&[
            "report",
            &r.week,
            &r.first_day,
            &r.last_day,
            &r.zone,
            if r.complete { "yes" } else { "no" },
            &r.generated,
            &r.period_from,
            &r.period_to,
        ]),
    ]
}

fn figures(r: &WeekReport) -> Vec<Vec<String>> {
    let mut rows = vec![row(&[
        "table",
        "figure",
        "label",
        "this_week",
        "previous_week",
        "change",
        "average_8_weeks",
    ])];
    for f in &r.figures {
        rows.push(vec![
            "figures".into(),
            f.key.clone(),
            f.label.clone(),
            f.plain(f.value),
            f.plain(f.previous),
            f.plain(f.change()),
            f.plain(f.average),
        ]);
    }
    rows
}

fn actions(r: &WeekReport) -> Vec<Vec<String>> {
    let mut rows = vec![row(&[
        "table",
        "kind",
        "label",
        "count",
        "cost",
        "previous_week_count",
    ])];
    for k in &r.actions_by_kind {
        rows.push(vec![
            "actions".into(),
            k.kind.code().into(),
            k.kind.label().into(),
            k.count.to_string(),
            money(&k.cost),
            k.previous_count.to_string(),
        ]);
    }
    rows
}

fn incidents(r: &WeekReport) -> Vec<Vec<String>> {
    let mut rows = vec![row(&[
        "table",
        "incident",
        "title",
        "kind",
        "severity",
        "status",
        "started",
        "opened_this_week",
        "resolved_this_week",
        "duration_hours",
        "ongoing",
        "first_contact_hours",
        "affected",
        "not_contacted",
        "actions",
        "cost",
        "replies",
        "mean_sentiment",
        "churned",
    ])];
    let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
    for i in &r.incidents {
        rows.push(vec![
            "incidents".into(),
            i.id.to_string(),
            i.title.clone(),
            i.kind.code().into(),
            i.severity.code().into(),
            i.status.code().into(),
            i.started.clone(),
            yes(i.opened_this_week),
            yes(i.resolved_this_week),
            hours(i.duration_ms),
            yes(i.ongoing),
            i.first_contact_ms.map(hours).unwrap_or_default(),
            i.affected.to_string(),
            i.not_contacted.to_string(),
            i.actions
                .iter()
                .map(|k| format!("{} {}", k.count, k.kind.code()))
                .collect::<Vec<_>>()
                .join("; "),
            money(&i.cost),
            i.replies.to_string(),
            opt(i.mean_sentiment),
            i.churned.to_string(),
        ]);
    }
    rows
}

fn highlights(r: &WeekReport) -> Vec<Vec<String>> {
    let h = &r.highlights;
    let mut rows = vec![row(&[
        "table",
        "highlight",
        "incident",
        "customer",
        "name",
        "value",
        "detail",
    ])];
    for (label, rec) in [("best_recovered", &h.best), ("worst_recovered", &h.worst)] {
        if let Some(x) = rec {
            rows.push(vec![
                "highlights".into(),
                label.into(),
                x.id.to_string(),
                String::new(),
                x.title.clone(),
                format!("{:.4}", x.mean_sentiment),
                format!("mean sentiment over {} replies", x.replies),
            ]);
        }
    }
    if let Some(s) = &h.slowest {
        rows.push(vec![
            "highlights".into(),
            "slowest_first_contact".into(),
            s.id.to_string(),
            String::new(),
            s.title.clone(),
            hours(s.first_contact_ms),
            "hours from detection to first recovery action".into(),
        ]);
    }
    for c in &h.repeat {
        rows.push(vec![
            "highlights".into(),
            "hit_again_within_90_days".into(),
            String::new(),
            c.customer_id.to_string(),
            c.name.clone(),
            c.incidents.to_string(),
            format!("incidents in 90 days; ref {}", c.external_ref),
        ]);
    }
    for u in &h.uncontacted {
        rows.push(vec![
            "highlights".into(),
            "open_not_contacted".into(),
            u.id.to_string(),
            String::new(),
            u.title.clone(),
            u.not_contacted.to_string(),
            format!(
                "of {} affected not contacted; {}",
                u.affected,
                u.status.code()
            ),
        ]);
    }
    rows
}

fn replies(r: &WeekReport) -> Vec<Vec<String>> {
    let mut rows = vec![row(&[
        "table",
        "which",
        "customer",
        "customer_name",
        "incident",
        "received",
        "score",
        "excerpt",
    ])];
    for (which, list) in [
        ("most_positive", &r.most_positive),
        ("most_negative", &r.most_negative),
    ] {
        for n in list {
            rows.push(vec![
                "replies".into(),
                which.into(),
                n.customer_id.to_string(),
                n.customer.clone(),
                n.incident_id.map(|i| i.to_string()).unwrap_or_default(),
                n.received.clone(),
                format!("{:.4}", n.score),
                n.excerpt.clone(),
            ]);
        }
    }
    rows
}

/// The week and the eight before it, with the columns of `amends analytics weekly`.
fn trend(r: &WeekReport) -> Vec<Vec<String>> {
    weekly_rows(&r.trend)
        .into_iter()
        .enumerate()
        .map(|(i, mut row)| {
            row.insert(0, if i == 0 { "table" } else { "trend" }.into());
            row
        })
        .collect()
}
