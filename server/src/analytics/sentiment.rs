//! Sentiment and CSAT by action kind (DESIGN: "Sentiment by action").

use super::facts::Facts;
use crate::stats::{mean_t_interval, wilson};
use app::domain::analytics::{Group, MeanCi, SentimentGroup, ShareCi};
use app::domain::SentimentLabel;

/// Mean with t-interval of `values`; none when empty.
pub fn mean_ci(values: &[f64]) -> Option<MeanCi> {
    mean_t_interval(values).map(|m| MeanCi {
        mean: m.mean,
        lower: m.lower,
        upper: m.upper,
        n: m.n as u64,
    })
}

/// Share `k` of `n` with its Wilson interval; none when n = 0.
pub fn share_ci(k: u64, n: u64) -> Option<ShareCi> {
    wilson(k, n).map(|i| ShareCi {
        share: i.estimate,
        lower: i.lower,
        upper: i.upper,
        n,
    })
}

/// Figures of the replies to the cases for which `member` is true.
pub fn group_figures(
    facts: &Facts,
    group: Group,
    member: impl Fn(usize) -> bool,
) -> SentimentGroup {
    let cases = (0..facts.cases.len()).filter(|i| member(*i)).count() as u64;
    let scores: Vec<f64> = facts
        .replies
        .iter()
        .filter(|r| member(r.case))
        .map(|r| r.score)
        .collect();
    let positive = scores
        .iter()
        .filter(|s| **s >= SentimentLabel::POSITIVE_AT)
        .count() as u64;
    let csat: Vec<i64> = facts
        .replies
        .iter()
        .filter(|r| member(r.case))
        .filter_map(|r| r.csat)
        .collect();
    let satisfied = csat
        .iter()
        .filter(|c| **c >= super::facts::CSAT_SATISFIED_AT)
        .count() as u64;
    SentimentGroup {
        group,
        label: group.label().to_string(),
        cases,
        replies: scores.len() as u64,
        mean: mean_ci(&scores),
        positive: share_ci(positive, scores.len() as u64),
        csat_satisfied: share_ci(satisfied, csat.len() as u64),
    }
}

/// One row per action kind, then *no action*.
pub fn by_action(facts: &Facts) -> Vec<SentimentGroup> {
    // Each reply looks its case up once per group: a byte per case stays in cache where the
    // cases themselves would not.
    let kinds: Vec<u8> = facts.cases.iter().map(|c| c.kinds).collect();
    Group::by_action()
        .into_iter()
        .map(|g| group_figures(facts, g, |i| super::kinds_in_group(kinds[i], g)))
        .collect()
}
