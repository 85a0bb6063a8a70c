//! Time to first contact (first action − incident detected), bucketed, with each bucket's
//! mean sentiment and 90-day retention (DESIGN: "Speed").

use super::facts::Facts;
use super::retention::subjects;
use super::sentiment::mean_ci;
use super::survival::survival_at;
use app::domain::analytics::{SpeedBucket, SpeedRow};

/// The bucket of each case; none for cases never contacted.
pub fn buckets(facts: &Facts) -> Vec<Option<SpeedBucket>> {
    facts
        .cases
        .iter()
        .map(|c| {
            c.first_action_at
                .map(|f| SpeedBucket::of(f - c.detected_at))
        })
        .collect()
}

pub fn rows(facts: &Facts, as_of: i64) -> (Vec<SpeedRow>, u64) {
    let of = buckets(facts);
    let never = of.iter().filter(|b| b.is_none()).count() as u64;
    let rows = SpeedBucket::ALL
        .iter()
        .map(|&bucket| {
            let scores: Vec<f64> = facts
                .replies
                .iter()
                .filter(|r| of[r.case] == Some(bucket))
                .map(|r| r.score)
                .collect();
            let s = subjects(facts, as_of, |i| of[i] == Some(bucket));
            SpeedRow {
                bucket,
                label: bucket.label().to_string(),
                cases: of.iter().filter(|b| **b == Some(bucket)).count() as u64,
                replies: scores.len() as u64,
                sentiment: mean_ci(&scores),
                s90: survival_at(&s.curve(), 90),
            }
        })
        .collect();
    (rows, never)
}
