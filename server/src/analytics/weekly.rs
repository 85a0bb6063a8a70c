//! Weekly trends over ISO weeks (Monday start, UTC), each with its change against the week
//! before (DESIGN: "Weekly"). Figures are of the period's incidents and their cases:
//! incidents opened and resolved, customers affected, actions and their cost by kind,
//! replies, mean sentiment, share positive, affected customers who churned.

use super::facts::Facts;
use super::money_sum;
use app::domain::analytics::{
    date_of, iso_week_label, KindCost, WeekChange, WeekFigures, WeekRow, DAY_MS,
};
use app::domain::{ActionKind, SentimentLabel};
use std::collections::BTreeSet;

pub const WEEK_MS: i64 = 7 * DAY_MS;

/// The Monday 00:00 UTC that starts the ISO week holding `ms`.
pub fn week_start(ms: i64) -> i64 {
    let day = ms.div_euclid(DAY_MS);
    // 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays.
    (day - (day + 3).rem_euclid(7)) * DAY_MS
}

/// The week starts covering `[from, to)`.
pub fn weeks(from: i64, to: i64) -> Vec<i64> {
    let mut out = Vec::new();
    let mut w = week_start(from);
    while w < to {
        out.push(w);
        w += WEEK_MS;
    }
    out
}

fn within(t: i64, start: i64) -> bool {
    t >= start && t < start + WEEK_MS
}

pub fn figures(facts: &Facts, start: i64) -> WeekFigures {
    let incidents_opened = facts
        .incidents
        .iter()
        .filter(|i| within(i.started_at, start))
        .count() as u64;
    let incidents_resolved = facts
        .incidents
        .iter()
        .filter(|i| i.resolved_at.is_some_and(|r| within(r, start)))
        .count() as u64;
    let customers_affected = facts
        .cases
        .iter()
        .filter(|c| within(c.started_at, start))
        .map(|c| c.customer_id)
        .collect::<BTreeSet<_>>()
        .len() as u64;
    let week_actions: Vec<_> = facts
        .actions
        .iter()
        .filter(|a| within(a.given_at, start))
        .collect();
    let actions_by_kind = ActionKind::ALL
        .iter()
        .filter_map(|&kind| {
            let of: Vec<_> = week_actions.iter().filter(|a| a.kind == kind).collect();
            (!of.is_empty()).then(|| KindCost {
                kind,
                count: of.len() as u64,
                cost: money_sum(of.iter().map(|a| (a.currency.as_str(), a.cost_minor))),
            })
        })
        .collect();
    let scores: Vec<f64> = facts
        .replies
        .iter()
        .filter(|r| within(r.received_at, start))
        .map(|r| r.score)
        .collect();
    let n = scores.len();
    let churned = facts
        .cases
        .iter()
        .filter(|c| c.churned_at.is_some_and(|t| within(t, start)))
        .map(|c| c.customer_id)
        .collect::<BTreeSet<_>>()
        .len() as u64;
    WeekFigures {
        week: iso_week_label(start / DAY_MS),
        starts: date_of(start),
        incidents_opened,
        incidents_resolved,
        customers_affected,
        actions: week_actions.len() as u64,
        actions_by_kind,
        cost: money_sum(
            week_actions
                .iter()
                .map(|a| (a.currency.as_str(), a.cost_minor)),
        ),
        replies: n as u64,
        mean_sentiment: (n > 0).then(|| scores.iter().sum::<f64>() / n as f64),
        share_positive: (n > 0).then(|| {
            scores
                .iter()
                .filter(|s| **s >= SentimentLabel::POSITIVE_AT)
                .count() as f64
                / n as f64
        }),
        churned,
    }
}

pub fn change(now: &WeekFigures, before: &WeekFigures) -> WeekChange {
    let d = |a: u64, b: u64| a as i64 - b as i64;
    let o = |a: Option<f64>, b: Option<f64>| Some(a? - b?);
    WeekChange {
        incidents_opened: d(now.incidents_opened, before.incidents_opened),
        incidents_resolved: d(now.incidents_resolved, before.incidents_resolved),
        customers_affected: d(now.customers_affected, before.customers_affected),
        actions: d(now.actions, before.actions),
        replies: d(now.replies, before.replies),
        mean_sentiment: o(now.mean_sentiment, before.mean_sentiment),
        share_positive: o(now.share_positive, before.share_positive),
        churned: d(now.churned, before.churned),
    }
}

pub fn rows(facts: &Facts, from: i64, to: i64) -> Vec<WeekRow> {
    let figures: Vec<WeekFigures> = weeks(from, to)
        .into_iter()
        .map(|w| figures(facts, w))
        .collect();
    figures
        .iter()
        .enumerate()
        .map(|(i, f)| WeekRow {
            figures: f.clone(),
            change: i.checked_sub(1).map(|j| change(f, &figures[j])),
        })
        .collect()
}
