//! How much to give: the cases given a credit or a refund, by the amount given (credits
//! and refunds summed) as a share of the customer's monthly revenue, with each share's mean
//! reply sentiment, 90-day retention against *no action*, and cost per retained customer. A case whose customer has no monthly revenue,
//! or whose amount is in another currency than the revenue, is in no bucket and counted
//! apart.

use super::facts::Facts;
use super::money_sum;
use super::retention::{cost_per_retained, subjects};
use super::sentiment::mean_ci;
use super::survival::retention_group;
use app::domain::analytics::Group;
use app::domain::dose::{DoseBucket, DoseReport, DoseRow};
use app::domain::ActionKind;
use std::collections::HashMap;

/// Why a case given a credit or refund is in no bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outside {
    NoRevenue,
    OtherCurrency,
}

/// The bucket of each case: `None` for cases given neither a credit nor a refund.
fn buckets(facts: &Facts) -> Vec<Option<Result<DoseBucket, Outside>>> {
    let revenue: HashMap<i64, (i64, &str)> = facts
        .revenues
        .iter()
        .map(|r| (r.id, (r.monthly_revenue_minor, r.currency.as_str())))
        .collect();
    // Per case: the amount in the revenue's currency, and whether any was in another.
    let mut given: Vec<Option<(i64, bool)>> = vec![None; facts.cases.len()];
    for a in &facts.actions {
        if !matches!(a.kind, ActionKind::Credit | ActionKind::Refund) {
            continue;
        }
        let Some(slot) = given.get_mut(a.case) else {
            continue;
        };
        let currency = facts
            .cases
            .get(a.case)
            .and_then(|c| revenue.get(&c.customer_id))
            .map(|r| r.1);
        let (sum, other) = slot.get_or_insert((0, false));
        if currency == Some(&*a.currency) {
            *sum += a.cost_minor;
        } else {
            *other = true;
        }
    }
    facts
        .cases
        .iter()
        .zip(given)
        .map(|(c, g)| {
            let (amount, other) = g?;
            let (minor, _) = revenue.get(&c.customer_id).copied().unwrap_or((0, ""));
            Some(if minor <= 0 {
                Err(Outside::NoRevenue)
            } else if other {
                Err(Outside::OtherCurrency)
            } else {
                Ok(DoseBucket::of(amount, minor))
            })
        })
        .collect()
}

pub fn compute(facts: &Facts, query: &app::domain::analytics::AnalyticsQuery) -> DoseReport {
    let as_of = query.as_of_ms();
    let of = buckets(facts);
    let none_subjects = subjects(facts, as_of, |i| facts.cases[i].untreated());
    let none = retention_group(Group::NoAction, &none_subjects);
    let rows = DoseBucket::ALL
        .iter()
        .map(|&bucket| {
            let inside = |case: usize| of.get(case).copied().flatten() == Some(Ok(bucket));
            let scores: Vec<f64> = facts
                .replies
                .iter()
                .filter(|r| inside(r.case))
                .map(|r| r.score)
                .collect();
            let s = subjects(facts, as_of, inside);
            let mut g = retention_group(Group::AnyAction, &s);
            g.label = format!("{} of monthly revenue", bucket.label());
            g.cost = money_sum(
                facts
                    .actions
                    .iter()
                    .filter(|a| matches!(a.kind, ActionKind::Credit | ActionKind::Refund))
                    .filter(|a| inside(a.case))
                    .map(|a| (&*a.currency, a.cost_minor)),
            );
            let (cost_per_retained, cost_note) = cost_per_retained(&g.cost, &g, &none);
            DoseRow {
                bucket,
                label: bucket.label().to_string(),
                cases: of.iter().filter(|b| **b == Some(Ok(bucket))).count() as u64,
                replies: scores.len() as u64,
                sentiment: mean_ci(&scores),
                s90: g.s90,
                logrank_p: s.logrank_p(&none_subjects),
                lift: g.s90.zip(none.s90).map(|(a, b)| a.survival - b.survival),
                cost: g.cost,
                cost_per_retained,
                cost_note,
            }
        })
        .collect();
    DoseReport {
        query: query.clone(),
        buckets: rows,
        no_action_cases: none.cases,
        no_action_s90: none.s90,
        without_revenue: of
            .iter()
            .filter(|b| **b == Some(Err(Outside::NoRevenue)))
            .count() as u64,
        other_currency: of
            .iter()
            .filter(|b| **b == Some(Err(Outside::OtherCurrency)))
            .count() as u64,
        observational: true,
    }
}
