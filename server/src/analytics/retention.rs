//! Retention by action kind, against *no action* and the *unaffected* baseline; lift and
//! cost per retained customer (DESIGN: "Retention by action", "Retention lift").

use super::facts::Facts;
use super::survival::{retention_group, Subjects};
use super::{in_group, money_sum};
use app::domain::analytics::{Group, RetentionGroup};
use app::domain::Money;

/// Both groups need this many cases before a cost per retained customer is shown.
pub const MIN_CASES_FOR_COST: u64 = 10;

pub fn subjects(facts: &Facts, as_of: i64, member: impl Fn(usize) -> bool) -> Subjects {
    let mut s = Subjects::default();
    for (i, c) in facts.cases.iter().enumerate() {
        if member(i) {
            s.push(c.started_at, c.churned_at, as_of);
        }
    }
    s
}

pub fn unaffected_subjects(facts: &Facts, as_of: i64) -> Subjects {
    let mut s = Subjects::default();
    for u in &facts.unaffected {
        s.push(u.start, u.churned_at, as_of);
    }
    s
}

/// Cost ÷ (lift × cases), or why it is not shown.
pub fn cost_per_retained(
    cost: &[Money],
    treated: &RetentionGroup,
    untreated: &RetentionGroup,
) -> (Option<Vec<Money>>, Option<String>) {
    if treated.cases < MIN_CASES_FOR_COST || untreated.cases < MIN_CASES_FOR_COST {
        return (
            None,
            Some(format!(
                "Not enough cases: {} has {} and no action {}; both need at least {MIN_CASES_FOR_COST}.",
                treated.label, treated.cases, untreated.cases
            )),
        );
    }
    let (Some(a), Some(b)) = (treated.s90, untreated.s90) else {
        return (
            None,
            Some("90-day retention is not known yet: nobody has been followed that long.".into()),
        );
    };
    let lift = a.survival - b.survival;
    if lift <= 0.0 {
        return (
            None,
            Some("No retention lift: 90-day retention is not higher than with no action.".into()),
        );
    }
    if cost.is_empty() {
        return (None, Some("Nothing was spent.".into()));
    }
    let retained = lift * treated.cases as f64;
    let per = cost
        .iter()
        .map(|m| {
            Money::new(
                (m.minor as f64 / retained).round() as i64,
                m.currency.clone(),
            )
        })
        .collect();
    (Some(per), None)
}

/// One group per action kind, then *any action*, *no action* and *unaffected*.
pub fn by_action(facts: &Facts, as_of: i64) -> Vec<RetentionGroup> {
    let none_subjects = subjects(facts, as_of, |i| facts.cases[i].untreated());
    let none = retention_group(Group::NoAction, &none_subjects);
    let mut out = Vec::new();
    for g in Group::by_action() {
        let Group::Action(kind) = g else { continue };
        let s = subjects(facts, as_of, |i| in_group(&facts.cases[i], g));
        let mut r = retention_group(g, &s);
        r.logrank_p = s.logrank_p(&none_subjects);
        r.lift = match (r.s90, none.s90) {
            (Some(a), Some(b)) => Some(a.survival - b.survival),
            _ => None,
        };
        r.cost = money_sum(
            facts
                .actions
                .iter()
                .filter(|a| a.kind == kind)
                .map(|a| (&*a.currency, a.cost_minor)),
        );
        (r.cost_per_retained, r.cost_note) = cost_per_retained(&r.cost, &r, &none);
        out.push(r);
    }
    let any_subjects = subjects(facts, as_of, |i| !facts.cases[i].untreated());
    let mut any = retention_group(Group::AnyAction, &any_subjects);
    any.logrank_p = any_subjects.logrank_p(&none_subjects);
    any.lift = match (any.s90, none.s90) {
        (Some(a), Some(b)) => Some(a.survival - b.survival),
        _ => None,
    };
    any.cost = money_sum(facts.actions.iter().map(|a| (&*a.currency, a.cost_minor)));
    (any.cost_per_retained, any.cost_note) = cost_per_retained(&any.cost, &any, &none);
    out.push(any);
    let unaffected_subjects = unaffected_subjects(facts, as_of);
    let mut unaffected = retention_group(Group::Unaffected, &unaffected_subjects);
    unaffected.logrank_p = unaffected_subjects.logrank_p(&none_subjects);
    unaffected.lift = match (unaffected.s90, none.s90) {
        (Some(a), Some(b)) => Some(a.survival - b.survival),
        _ => None,
    };
    out.push(none);
    out.push(unaffected);
    out
}
