//! Weekly trends over ISO weeks (Monday start, in the team's time zone), each with its
//! change against the week before (DESIGN: "Weekly"). Figures are of the period's incidents
//! and their cases: incidents opened and resolved, customers affected, actions and their
//! cost by kind, replies, mean sentiment, share positive, affected customers who churned.

use super::facts::{ActionFact, Facts};
use super::money_sum;
use crate::zone::Zone;
use app::domain::analytics::{KindCost, WeekChange, WeekFigures, WeekRow};
use app::domain::week::IsoWeek;
use app::domain::{ActionKind, SentimentLabel};
use std::collections::BTreeSet;

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

pub fn figures(facts: &Facts, span: &Span, zone: &Zone) -> WeekFigures {
    let within = |t: i64| span.holds(t);
    let incidents_opened = facts
        .incidents
        .iter()
        .filter(|i| within(i.started_at))
        .count() as u64;
    let incidents_resolved = facts
        .incidents
        .iter()
        .filter(|i| i.resolved_at.is_some_and(within))
        .count() as u64;
    let customers_affected = facts
        .cases
        .iter()
        .filter(|c| within(c.started_at))
        .map(|c| c.customer_id)
        .collect::<BTreeSet<_>>()
        .len() as u64;
    let week_actions: Vec<_> = facts
        .actions
        .iter()
        .filter(|a| within(a.given_at))
        .collect();
    let actions_by_kind = kind_costs(&week_actions);
    let scores: Vec<f64> = facts
        .replies
        .iter()
        .filter(|r| within(r.received_at))
        .map(|r| r.score)
        .collect();
    let n = scores.len();
    let churned = facts
        .cases
        .iter()
        .filter(|c| c.churned_at.is_some_and(within))
        .map(|c| c.customer_id)
        .collect::<BTreeSet<_>>()
        .len() as u64;
    WeekFigures {
        week: span.week.label(),
        starts: zone.format(span.start, "%Y-%m-%d"),
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

/// Count and cost of each kind among `actions`, in kind order; kinds not given are left out.
pub fn kind_costs(actions: &[&ActionFact]) -> Vec<KindCost> {
    ActionKind::ALL
        .iter()
        .filter_map(|&kind| {
            let of: Vec<_> = actions.iter().filter(|a| a.kind == kind).collect();
            (!of.is_empty()).then(|| KindCost {
                kind,
                count: of.len() as u64,
                cost: money_sum(of.iter().map(|a| (a.currency.as_str(), a.cost_minor))),
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
    let figures: Vec<WeekFigures> = spans(zone, from, to)
        .iter()
        .map(|w| figures(facts, w, zone))
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
