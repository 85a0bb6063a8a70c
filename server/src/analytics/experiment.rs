//! Holdout experiments (DESIGN: "Holdout experiment"): per arm the customers, mean reply
//! sentiment with its t-interval, S(30/90/180) with Greenwood intervals; the effect
//! treated − held out (Welch for sentiment, the normal approximation with both Greenwood
//! variances for S(90)); the log-rank p between the arms; a verdict that claims no more
//! than the intervals allow; and experiments of one action kind pooled.
//!
//! The unit is the customer, as the draw assigned them: a customer's sentiment is the mean
//! of the replies that count for their case (every reply linked to it, or unlinked and
//! received within 30 days of the incident's start, as everywhere in Amends), so a
//! customer who writes five times weighs as much as one who writes once. Retention runs
//! from the moment the action was given (time 0) to churn, censored at the as-of date;
//! customers who churned before it are not followed.

use super::facts::{ArmCase, ExperimentFacts};
use super::sentiment::mean_ci;
use super::survival::{survival_at, Subjects};
use crate::stats::difference::{pooled, survival_difference, welch, Difference};
use app::domain::experiment::{
    ArmFigures, Effect, ExperimentReport, ExperimentsView, PooledEffect,
};
use app::domain::ActionKind;

/// The smallest difference in 90-day retention a verdict asks the data to tell apart, in
/// points of survival (5 points).
pub const RETENTION_DIFFERENCE: f64 = 0.05;
/// Standard errors between 0 and a difference found 80 % of the time at the 5 % level
/// (z₀.₉₇₅ + z₀.₈₀).
const DETECTABLE: f64 = 1.959_963_984_540_054 + 0.841_621_233_572_914_3;

struct Arm {
    figures: ArmFigures,
    subjects: Subjects,
    means: Vec<f64>,
}

fn arm(cases: impl Iterator<Item = ArmCase>, started_at: i64, as_of: i64) -> Arm {
    let (mut subjects, mut means, mut customers) = (Subjects::default(), Vec::new(), 0);
    for c in cases {
        customers += 1;
        subjects.push(started_at, c.churned_at, as_of);
        if c.replies > 0 {
            means.push(c.score_sum / c.replies as f64);
        }
    }
    let curve = subjects.curve();
    Arm {
        figures: ArmFigures {
            customers,
            followed: subjects.len() as u64,
            churned: subjects.events.iter().filter(|e| **e).count() as u64,
            sentiment: mean_ci(&means),
            s30: survival_at(&curve, 30),
            s90: survival_at(&curve, 90),
            s180: survival_at(&curve, 180),
        },
        subjects,
        means,
    }
}

fn effect(d: Difference) -> Effect {
    Effect {
        estimate: d.estimate,
        lower: d.lower,
        upper: d.upper,
        se: d.se,
    }
}

fn difference(e: &Effect) -> Difference {
    Difference {
        estimate: e.estimate,
        lower: e.lower,
        upper: e.upper,
        se: e.se,
    }
}

fn points(x: f64) -> String {
    format!("{:+.1}", x * 100.0).replace('-', "−")
}

fn score(x: f64) -> String {
    format!("{x:+.2}").replace('-', "−")
}

fn count(n: u64) -> String {
    app::domain::group_thousands(n)
}

/// What the retention figures can say. `days` is how long the experiment has run.
fn retention_sentence(
    kind: ActionKind,
    s90: Option<&Effect>,
    arms: (u64, u64),
    days: f64,
    churned: u64,
) -> String {
    let given = kind.label().to_lowercase();
    let Some(e) = s90 else {
        return if days < 90.0 {
            format!(
                "Too early to judge retention: the experiment has run {} of the 90 days it needs.",
                days.floor().max(0.0) as i64
            )
        } else if churned == 0 {
            "Nobody in either arm has churned, so retention cannot tell the arms apart yet.".into()
        } else {
            "Too few customers were followed for 90 days to compare retention.".into()
        };
    };
    let range = format!(
        "95 % interval {} to {} points",
        points(e.lower),
        points(e.upper)
    );
    if e.is_clear() {
        let (more, fewer) = if e.estimate > 0.0 {
            ("higher", "Fewer")
        } else {
            ("lower", "More")
        };
        return format!(
            "{fewer} customers churned with {given}: 90-day retention was {} points {more} than held out ({range}).",
            points(e.estimate.abs()).trim_start_matches('+'),
        );
    }
    let needed = DETECTABLE * e.se;
    if needed <= RETENTION_DIFFERENCE {
        return format!("No difference in 90-day retention as large as 5 points ({range}).");
    }
    // Both arms grown by the same factor k shrink the standard error by √k.
    let k = (needed / RETENTION_DIFFERENCE).powi(2);
    let (treated, held) = arms;
    let more_treated = ((k - 1.0) * treated as f64).ceil() as u64;
    let more_held = ((k - 1.0) * held as f64).ceil() as u64;
    let more = if more_treated.abs_diff(more_held) * 10 <= more_treated.max(more_held) {
        format!(
            "about {} more per arm would",
            count(more_treated.max(more_held))
        )
    } else {
        format!(
            "about {} more held out and {} more treated would",
            count(more_held),
            count(more_treated)
        )
    };
    format!(
        "Not enough customers yet to tell a 5-point difference in 90-day retention ({range}); {more}."
    )
}

fn sentiment_sentence(kind: ActionKind, e: Option<&Effect>) -> String {
    let given = kind.label().to_lowercase();
    let Some(e) = e else {
        return "Too few replies in an arm to compare sentiment.".into();
    };
    let range = format!("95 % interval {} to {}", score(e.lower), score(e.upper));
    if e.is_clear() {
        let way = if e.estimate > 0.0 { "warmer" } else { "colder" };
        format!(
            "Replies were {way} with {given}: {} in mean sentiment ({range}).",
            score(e.estimate)
        )
    } else {
        format!("No clear difference in reply sentiment ({range}).")
    }
}

/// One experiment's figures, censored at `as_of` (epoch ms; `as_of_date` is its date).
pub fn report(f: &ExperimentFacts, as_of: i64, as_of_date: &str) -> ExperimentReport {
    let treated = arm(
        f.arms.iter().filter(|a| !a.held_out).copied(),
        f.started_at,
        as_of,
    );
    let held = arm(
        f.arms.iter().filter(|a| a.held_out).copied(),
        f.started_at,
        as_of,
    );
    let sentiment_effect = welch(&treated.means, &held.means).map(effect);
    let s90_effect =
        survival_difference(&treated.subjects.curve(), &held.subjects.curve(), 90.0).map(effect);
    let logrank_p = treated.subjects.logrank_p(&held.subjects);
    let days = (as_of - f.started_at) as f64 / app::domain::analytics::DAY_MS as f64;
    let verdict = if treated.figures.customers == 0 || held.figures.customers == 0 {
        "An arm has no customers left (they were removed from the incident), so there is nothing to compare."
            .to_string()
    } else {
        format!(
            "{} {}",
            retention_sentence(
                f.kind,
                s90_effect.as_ref(),
                (treated.figures.followed, held.figures.followed),
                days,
                treated.figures.churned + held.figures.churned,
            ),
            sentiment_sentence(f.kind, sentiment_effect.as_ref())
        )
    };
    ExperimentReport {
        id: f.id,
        incident_id: f.incident_id,
        incident_title: f.incident_title.clone(),
        kind: f.kind,
        control: f.control,
        share_pct: f.share_pct,
        seed: f.seed.clone(),
        started_at: f.started_at,
        as_of: as_of_date.to_string(),
        treated: treated.figures,
        held_out: held.figures,
        sentiment_effect,
        s90_effect,
        logrank_p,
        verdict,
    }
}

/// The experiments of each action kind pooled, in the order the kinds are listed.
pub fn pool(reports: &[ExperimentReport]) -> Vec<PooledEffect> {
    ActionKind::ALL
        .iter()
        .filter_map(|&kind| {
            let of: Vec<&ExperimentReport> = reports.iter().filter(|r| r.kind == kind).collect();
            if of.is_empty() {
                return None;
            }
            let sentiments: Vec<Difference> = of
                .iter()
                .filter_map(|r| r.sentiment_effect.as_ref().map(difference))
                .collect();
            let s90s: Vec<Difference> = of
                .iter()
                .filter_map(|r| r.s90_effect.as_ref().map(difference))
                .collect();
            let sentiment_effect = pooled(&sentiments).map(effect);
            let s90_effect = pooled(&s90s).map(effect);
            let treated: u64 = of.iter().map(|r| r.treated.customers).sum();
            let held_out: u64 = of.iter().map(|r| r.held_out.customers).sum();
            let followed = (
                of.iter().map(|r| r.treated.followed).sum(),
                of.iter().map(|r| r.held_out.followed).sum(),
            );
            let retention = match &s90_effect {
                Some(_) => retention_sentence(kind, s90_effect.as_ref(), followed, f64::MAX, 1),
                None => "No experiment of this kind can compare 90-day retention yet.".into(),
            };
            let verdict = format!(
                "{retention} {}",
                sentiment_sentence(kind, sentiment_effect.as_ref())
            );
            Some(PooledEffect {
                kind,
                experiments: of.len() as u64,
                treated,
                held_out,
                sentiment_effect,
                sentiment_experiments: sentiments.len() as u64,
                s90_effect,
                s90_experiments: s90s.len() as u64,
                verdict,
            })
        })
        .collect()
}

/// Every experiment read, with the pooled effects.
pub fn compute(facts: &[ExperimentFacts], as_of: i64, as_of_date: &str) -> ExperimentsView {
    let experiments: Vec<ExperimentReport> =
        facts.iter().map(|f| report(f, as_of, as_of_date)).collect();
    let pooled = pool(&experiments);
    ExperimentsView {
        as_of: as_of_date.to_string(),
        experiments,
        pooled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::analytics::DAY_MS;

    fn facts(arms: Vec<ArmCase>) -> ExperimentFacts {
        ExperimentFacts {
            id: 1,
            incident_id: 2,
            incident_title: "Checkout down".into(),
            kind: ActionKind::Credit,
            control: None,
            share_pct: 50,
            seed: "7".into(),
            started_at: 0,
            arms,
        }
    }

    fn case(held_out: bool, churn_day: Option<i64>, replies: u64, score_sum: f64) -> ArmCase {
        ArmCase {
            held_out,
            churned_at: churn_day.map(|d| d * DAY_MS),
            replies,
            score_sum,
        }
    }

    #[test]
    fn too_early_says_how_long_it_has_run() {
        let f = facts(vec![case(false, None, 1, 0.5), case(true, None, 2, -0.4)]);
        let r = report(&f, 40 * DAY_MS + 1, "1970-02-10");
        assert!(r.s90_effect.is_none());
        assert!(
            r.verdict.starts_with(
                "Too early to judge retention: the experiment has run 40 of the 90 days"
            ),
            "{}",
            r.verdict
        );
        assert!(r
            .verdict
            .ends_with("Too few replies in an arm to compare sentiment."));
        // Each customer's replies are averaged first: −0.4 over two replies is −0.2.
        assert!((r.held_out.sentiment.unwrap().mean + 0.2).abs() < 1e-12);
    }

    #[test]
    fn a_clear_difference_is_named_with_its_interval() {
        // 40 treated, nobody churns; 40 held out, half churn by day 10.
        let mut arms = Vec::new();
        for i in 0..40 {
            arms.push(case(false, None, 1, 0.5 + f64::from(i % 3) * 0.1));
            arms.push(case(
                true,
                (i % 2 == 0).then_some(10),
                1,
                -0.2 + f64::from(i % 3) * 0.1,
            ));
        }
        let r = report(&facts(arms), 200 * DAY_MS, "1970-07-20");
        let e = r.s90_effect.unwrap();
        assert!((e.estimate - 0.5).abs() < 1e-12);
        // Only the held-out arm varies: se = √(S² V) with S = ½, V = 20 / (40 · 20).
        assert!((e.se - (0.25f64 * 20.0 / 800.0).sqrt()).abs() < 1e-12);
        assert!(r.verdict.starts_with("Fewer customers churned with credit: 90-day retention was 50.0 points higher than held out"), "{}", r.verdict);
        assert!(
            r.verdict
                .contains("Replies were warmer with credit: +0.70 in mean sentiment"),
            "{}",
            r.verdict
        );
        assert!(r.logrank_p.unwrap() < 1e-6);
    }

    #[test]
    fn an_unclear_difference_says_how_many_more_would_tell() {
        let mut arms = Vec::new();
        for i in 0..30 {
            arms.push(case(false, (i % 5 == 0).then_some(20), 0, 0.0));
            arms.push(case(true, (i % 4 == 0).then_some(20), 0, 0.0));
        }
        let r = report(&facts(arms), 100 * DAY_MS, "1970-04-11");
        let e = r.s90_effect.unwrap();
        assert!(!e.is_clear());
        assert!(
            r.verdict.starts_with(
                "Not enough customers yet to tell a 5-point difference in 90-day retention"
            ),
            "{}",
            r.verdict
        );
        assert!(r.verdict.contains("more per arm would"), "{}", r.verdict);
        // With k = (2.8 se / 0.05)², the larger arms would show a 5-point difference.
        let k = (DETECTABLE * e.se / RETENTION_DIFFERENCE).powi(2);
        let more = ((k - 1.0) * 30.0).ceil() as i64;
        assert!(
            r.verdict.contains(&format!(
                "about {} more per arm",
                app::domain::group_thousands(more as u64)
            )),
            "{}",
            r.verdict
        );
    }

    #[test]
    fn pooling_keeps_kinds_apart() {
        let mut arms = Vec::new();
        for i in 0..20 {
            arms.push(case(
                false,
                (i % 4 == 0).then_some(5),
                1,
                0.3 + f64::from(i % 2) * 0.2,
            ));
            arms.push(case(
                true,
                (i % 3 == 0).then_some(5),
                1,
                0.1 + f64::from(i % 2) * 0.2,
            ));
        }
        let mut a = facts(arms.clone());
        let mut b = facts(arms);
        b.id = 2;
        a.kind = ActionKind::Gift;
        let view = compute(&[a, b], 120 * DAY_MS, "1970-05-01");
        assert_eq!(view.pooled.len(), 2);
        assert_eq!(view.pooled[0].kind, ActionKind::Credit);
        assert_eq!(view.pooled[0].experiments, 1);
        // One experiment pooled is itself (to rounding): its S(90) effect already has a
        // normal interval.
        let (p, one) = (
            view.pooled[0].s90_effect.unwrap(),
            view.experiments[1].s90_effect.unwrap(),
        );
        for (a, b) in [
            (p.estimate, one.estimate),
            (p.lower, one.lower),
            (p.upper, one.upper),
            (p.se, one.se),
        ] {
            assert!((a - b).abs() < 1e-12, "{a} ≠ {b}");
        }
    }
}
