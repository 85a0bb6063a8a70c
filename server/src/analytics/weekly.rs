//! Weekly trends over ISO weeks (Monday start, in the team's time zone), each with its
//! change against the week before (DESIGN: "Weekly"). Figures are of the period's incidents
//! and their cases: incidents opened and resolved, customers affected, actions and their
//! cost by kind, replies, mean sentiment, share positive, affected customers who churned.
//!
//! A customer counts as churned in a week when they churned then within
//! [`CHURN_AFTER_INCIDENT_DAYS`] of the start of an incident that hit them. The window is
//! the churn's own, not the period's, so a week's figure is the same whichever report or
//! dashboard period it is read in (as long as the period starts that many days earlier).

use super::facts::{ActionFact, Facts};
use super::money_sum;
use crate::zone::Zone;
use app::domain::analytics::{KindCost, WeekChange, WeekFigures, WeekRow, DAY_MS};
use app::domain::week::IsoWeek;
use app::domain::{ActionKind, SentimentLabel};
use std::collections::BTreeSet;

/// How long after an incident starts a customer's churn is still counted as the churn of
/// an affected customer (five weeks).
pub const CHURN_AFTER_INCIDENT_DAYS: i64 = 35;

/// One week as instants: `[start, end)`, epoch milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub week: IsoWeek,
    pub start: i64,
    pub end: i64,
}

impl Span {
    pub fn of(zone: &Zone, week: IsoWeek) -> Span {
        let (start, end) = zone.week_bounds(week);
        Span { week, start, end }
    }

    fn holds(&self, t: i64) -> bool {
        t >= self.start && t < self.end
    }
}

/// The weeks overlapping `[from, to)` in `zone`.
pub fn spans(zone: &Zone, from: i64, to: i64) -> Vec<Span> {
    zone.weeks(from, to)
        .into_iter()
        .map(|(week, start, end)| Span { week, start, end })
        .collect()
}

/// What one week gathers in the pass over the facts; items keep the facts' order, so each
/// week's sums add the same numbers in the same order as a filter over that week would.
#[derive(Default)]
struct Week<'a> {
    opened: u64,
    resolved: u64,
    affected: BTreeSet<i64>,
    actions: Vec<&'a ActionFact>,
    scores: Vec<f64>,
    churned: BTreeSet<i64>,
}

/// The figures of each of `spans` (in order, not overlapping), from one pass over the facts:
/// each instant finds its week by binary search instead of every week scanning everything.
pub fn figures_of(facts: &Facts, spans: &[Span], zone: &Zone) -> Vec<WeekFigures> {
    let mut weeks: Vec<Week> = spans.iter().map(|_| Week::default()).collect();
    let week_of = |t: i64| -> Option<usize> {
        let i = spans.partition_point(|s| s.start <= t).checked_sub(1)?;
        spans[i].holds(t).then_some(i)
    };
    for i in &facts.incidents {
        if let Some(w) = week_of(i.started_at) {
            weeks[w].opened += 1;
        }
        if let Some(w) = i.resolved_at.and_then(week_of) {
            weeks[w].resolved += 1;
        }
    }
    for c in &facts.cases {
        if let Some(w) = week_of(c.started_at) {
            weeks[w].affected.insert(c.customer_id);
        }
        let recent = |t: &i64| *t - c.started_at < CHURN_AFTER_INCIDENT_DAYS * DAY_MS;
        if let Some(w) = c.churned_at.filter(recent).and_then(week_of) {
            weeks[w].churned.insert(c.customer_id);
        }
    }
    for a in &facts.actions {
        if let Some(w) = week_of(a.given_at) {
            weeks[w].actions.push(a);
        }
    }
    for r in &facts.replies {
        if let Some(w) = week_of(r.received_at) {
            weeks[w].scores.push(r.score);
        }
    }
    spans
        .iter()
        .zip(&weeks)
        .map(|(span, week)| tally(span, week, zone))
        .collect()
}

fn tally(span: &Span, w: &Week, zone: &Zone) -> WeekFigures {
    let n = w.scores.len();
    WeekFigures {
        week: span.week.label(),
        starts: zone.format(span.start, "%Y-%m-%d"),
        incidents_opened: w.opened,
        incidents_resolved: w.resolved,
        customers_affected: w.affected.len() as u64,
        actions: w.actions.len() as u64,
        actions_by_kind: kind_costs(&w.actions),
        cost: money_sum(w.actions.iter().map(|a| (&*a.currency, a.cost_minor))),
        replies: n as u64,
        mean_sentiment: (n > 0).then(|| w.scores.iter().sum::<f64>() / n as f64),
        share_positive: (n > 0).then(|| {
            w.scores
                .iter()
                .filter(|s| **s >= SentimentLabel::POSITIVE_AT)
                .count() as f64
                / n as f64
        }),
        churned: w.churned.len() as u64,
    }
}

/// Count and cost of each kind among `actions`, in kind order; kinds not given are left out.
pub fn kind_costs(actions: &[&ActionFact]) -> Vec<KindCost> {
    ActionKind::ALL
        .iter()
        .filter_map(|&kind| {
            let of: Vec<_> = actions.iter().filter(|a| a.kind == kind).collect();
            (!of.is_empty()).then(|| KindCost {
                kind,
                count: of.len() as u64,
                cost: money_sum(of.iter().map(|a| (&*a.currency, a.cost_minor))),
            })
        })
        .collect()
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

/// Every week overlapping `[from, to)`, each with its change against the one before.
pub fn rows(facts: &Facts, from: i64, to: i64, zone: &Zone) -> Vec<WeekRow> {
    let figures = figures_of(facts, &spans(zone, from, to), zone);
    figures
        .iter()
        .enumerate()
        .map(|(i, f)| WeekRow {
            figures: f.clone(),
            change: i.checked_sub(1).map(|j| change(f, &figures[j])),
        })
        .collect()
}
