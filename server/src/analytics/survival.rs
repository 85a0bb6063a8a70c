//! Cases as survival subjects: time 0, churn as the event, censoring at the as-of instant;
//! and a fitted curve as the report shows it.

use crate::stats::{logrank, Group as LrGroup, KmCurve};
use app::domain::analytics::{CurvePoint, Group, RetentionGroup, SurvivalAt, DAY_MS};

/// Durations in days and churn flags of one group.
#[derive(Clone, Debug, Default)]
pub struct Subjects {
    pub durations: Vec<f64>,
    pub events: Vec<bool>,
}

impl Subjects {
    /// Follow a subject from `start` until it churned or until `as_of`, whichever is first.
    /// Subjects that churned before `start`, or start at or after `as_of`, are not followed.
    pub fn push(&mut self, start: i64, churned_at: Option<i64>, as_of: i64) {
        if start >= as_of || churned_at.is_some_and(|c| c < start) {
            return;
        }
        let (end, event) = match churned_at {
            Some(c) if c < as_of => (c, true),
            _ => (as_of, false),
        };
        self.durations.push((end - start) as f64 / DAY_MS as f64);
        self.events.push(event);
    }

    pub fn len(&self) -> usize {
        self.durations.len()
    }

    pub fn is_empty(&self) -> bool {
        self.durations.is_empty()
    }

    pub fn curve(&self) -> KmCurve {
        // Durations are finite and ≥ 0 by construction, and the lengths agree.
        KmCurve::fit(&self.durations, &self.events).unwrap_or(KmCurve {
            n: 0,
            events: 0,
            steps: vec![],
        })
    }

    /// Log-rank p-value of this group against `other`; none when either is empty.
    pub fn logrank_p(&self, other: &Subjects) -> Option<f64> {
        if self.is_empty() || other.is_empty() {
            return None;
        }
        logrank(
            LrGroup::new(&self.durations, &self.events),
            LrGroup::new(&other.durations, &other.events),
        )
        .ok()
        .flatten()
        .map(|r| r.p_value)
    }
}

/// S(days) with its interval and the number still at risk then; none when nobody was
/// followed that long (unless the curve already reached 0).
pub fn survival_at(curve: &KmCurve, days: u32) -> Option<SurvivalAt> {
    let t = f64::from(days);
    let last = curve.steps.last()?;
    if last.time < t && last.survival > 0.0 {
        return None;
    }
    let s = curve.survival_at(t)?;
    let at_risk = curve
        .steps
        .iter()
        .find(|step| step.time > t)
        .map_or(0, |step| step.at_risk) as u64;
    Some(SurvivalAt {
        days,
        survival: s.estimate,
        lower: s.lower,
        upper: s.upper,
        at_risk,
    })
}

/// The curve as the report shows it: a point at t = 0, S = 1, then one per step.
pub fn points(curve: &KmCurve) -> Vec<CurvePoint> {
    let start = CurvePoint {
        t: 0.0,
        survival: 1.0,
        lower: 1.0,
        upper: 1.0,
        at_risk: curve.n as u64,
        events: 0,
        censored: 0,
    };
    std::iter::once(start)
        .chain(curve.steps.iter().map(|s| CurvePoint {
            t: s.time,
            survival: s.survival,
            lower: s.lower,
            upper: s.upper,
            at_risk: s.at_risk as u64,
            events: s.events as u64,
            censored: s.censored as u64,
        }))
        .collect()
}

/// A retention group with its curve and S(30/90/180); comparison fields left empty.
pub fn retention_group(group: Group, subjects: &Subjects) -> RetentionGroup {
    let curve = subjects.curve();
    RetentionGroup {
        group,
        label: group.label().to_string(),
        cases: subjects.len() as u64,
        churned: curve.events as u64,
        s30: survival_at(&curve, 30),
        s90: survival_at(&curve, 90),
        s180: survival_at(&curve, 180),
        curve: points(&curve),
        logrank_p: None,
        lift: None,
        cost: vec![],
        cost_per_retained: None,
        cost_note: None,
    }
}
