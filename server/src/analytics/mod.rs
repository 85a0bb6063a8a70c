//! The analytics: from the facts of a period (read by the store in a few set-based queries)
//! to every figure of DESIGN.md's "Analytics — exact definitions". Everything here is pure;
//! `crate::service` keeps the answers.

pub mod adjusted;
pub mod dose;
pub mod experiment;
pub mod facts;
pub mod repeat;
pub mod report;
pub mod retention;
pub mod sentiment;
pub mod speed;
pub mod survival;
pub mod weekly;

use app::domain::analytics::{
    Analytics, AnalyticsQuery, Group, Headline, RetentionReport, SentimentReport, SpeedReport,
    WeeklyReport,
};
use app::domain::Money;
use facts::{Case, Facts};
use std::collections::BTreeMap;

/// Whether a case belongs to a group of the by-action comparisons.
pub fn in_group(case: &Case, group: Group) -> bool {
    kinds_in_group(case.kinds, group)
}

/// Whether a case given the action kinds `kinds` (a bit set, see `facts::kind_bit`) belongs
/// to a group of the by-action comparisons.
pub fn kinds_in_group(kinds: u8, group: Group) -> bool {
    match group {
        Group::Action(kind) => kinds & facts::kind_bit(kind) != 0,
        Group::NoAction => kinds == 0,
        Group::AnyAction => kinds != 0,
        Group::Unaffected | Group::Repeat | Group::Once => false,
    }
}

/// Sum amounts per currency, in currency order.
pub fn money_sum<'a>(items: impl Iterator<Item = (&'a str, i64)>) -> Vec<Money> {
    let mut by: BTreeMap<&str, i64> = BTreeMap::new();
    for (currency, minor) in items {
        *by.entry(currency).or_default() += minor;
    }
    by.into_iter().map(|(c, m)| Money::new(m, c)).collect()
}

fn headline(facts: &Facts, retention: &RetentionReport) -> Headline {
    let cases = facts.cases.len() as u64;
    let with = facts.cases.iter().filter(|c| !c.untreated()).count() as u64;
    let scores: Vec<f64> = facts.replies.iter().map(|r| r.score).collect();
    let any = retention.group(Group::AnyAction);
    let none = retention.group(Group::NoAction);
    Headline {
        cases,
        cases_with_action: with,
        share_with_action: (cases > 0).then(|| with as f64 / cases as f64),
        mean_sentiment: sentiment::mean_ci(&scores),
        s90_with_action: any.and_then(|g| g.s90),
        s90_without_action: none.and_then(|g| g.s90),
        total_cost: any.map(|g| g.cost.clone()).unwrap_or_default(),
        cost_per_retained: any.and_then(|g| g.cost_per_retained.clone()),
        cost_note: any.and_then(|g| g.cost_note.clone()),
    }
}

/// Every figure for `query` from its facts; weeks are those of `zone`. The survival
/// figures (retention by action, the largest part) are computed on a second thread beside
/// the rest; each part is the same pure function of the facts either way.
pub fn compute(query: &AnalyticsQuery, facts: &Facts, zone: &crate::zone::Zone) -> Analytics {
    let as_of = query.as_of_ms();
    let (groups, (sentiment, (buckets, never_contacted), repeat, dose, weeks)) =
        std::thread::scope(|s| {
            let retention = s.spawn(|| retention::by_action(facts, as_of));
            let rest = (
                sentiment::by_action(facts),
                speed::rows(facts, as_of),
                repeat::compute(facts, query),
                dose::compute(facts, query),
                weekly::rows(facts, query.from_ms(), query.to_ms(), zone),
            );
            let groups = retention
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (groups, rest)
        });
    let retention = RetentionReport {
        query: query.clone(),
        groups,
    };
    Analytics {
        query: query.clone(),
        headline: headline(facts, &retention),
        sentiment: SentimentReport {
            query: query.clone(),
            groups: sentiment,
        },
        speed: SpeedReport {
            query: query.clone(),
            buckets,
            never_contacted,
        },
        repeat,
        dose,
        weekly: WeeklyReport {
            query: query.clone(),
            weeks,
        },
        retention,
    }
}
