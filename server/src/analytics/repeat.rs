//! Repeat pain: customers hit by two or more incidents starting within 90 days of each
//! other, and their retention against customers hit once (DESIGN: "Repeat pain").

use super::facts::Facts;
use super::survival::{retention_group, Subjects};
use app::domain::analytics::{AnalyticsQuery, Group, RepeatCustomer, RepeatReport, DAY_MS};
use std::collections::BTreeMap;

pub const WINDOW_DAYS: i64 = 90;
pub const TOP: usize = 20;

/// Per customer: the sorted incident starts and the churn instant.
fn hits(facts: &Facts) -> BTreeMap<i64, (Vec<i64>, Option<i64>)> {
    let mut by: BTreeMap<i64, (Vec<i64>, Option<i64>)> = BTreeMap::new();
    for c in &facts.cases {
        let e = by.entry(c.customer_id).or_insert((vec![], c.churned_at));
        e.0.push(c.started_at);
    }
    for (starts, _) in by.values_mut() {
        starts.sort_unstable();
    }
    by
}

/// The start of the incident that made this a repeat customer: the first start that
/// follows another within the window.
pub fn repeat_start(starts: &[i64]) -> Option<i64> {
    starts
        .windows(2)
        .find(|w| w[1] - w[0] <= WINDOW_DAYS * DAY_MS)
        .map(|w| w[1])
}

pub fn compute(facts: &Facts, query: &AnalyticsQuery) -> RepeatReport {
    let as_of = query.as_of_ms();
    let by = hits(facts);
    let (mut repeat, mut once) = (Subjects::default(), Subjects::default());
    let mut top = Vec::new();
    for (customer, (starts, churned)) in &by {
        if starts.len() == 1 {
            once.push(starts[0], *churned, as_of);
        } else if let Some(start) = repeat_start(starts) {
            repeat.push(start, *churned, as_of);
            top.push((
                starts.len() as u64,
                *customer,
                churned.is_some_and(|c| c < as_of),
            ));
        }
    }
    let repeat_customers = top.len() as u64;
    top.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let names: BTreeMap<i64, &super::facts::CustomerName> =
        facts.names.iter().map(|n| (n.id, n)).collect();
    let top = top
        .into_iter()
        .take(TOP)
        .map(|(incidents, id, churned)| RepeatCustomer {
            customer_id: id,
            name: names.get(&id).map(|n| n.name.clone()).unwrap_or_default(),
            external_ref: names
                .get(&id)
                .map(|n| n.external_ref.clone())
                .unwrap_or_default(),
            incidents,
            churned,
        })
        .collect();
    RepeatReport {
        query: query.clone(),
        customers_hit: by.len() as u64,
        repeat_customers,
        logrank_p: repeat.logrank_p(&once),
        repeat: retention_group(Group::Repeat, &repeat),
        once: retention_group(Group::Once, &once),
        top,
    }
}
