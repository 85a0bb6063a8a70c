//! How much to give: credits and refunds by their amount as a share of the customer's
//! monthly revenue, each share's mean reply sentiment and 90-day retention, and what a
//! retained customer cost at that share. Observational: people chose the amounts.

use super::analytics::{AnalyticsQuery, MeanCi, SurvivalAt};
use super::Money;
use serde::{Deserialize, Serialize};

/// A case's credits and refunds, summed, as a share of the customer's monthly revenue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DoseBucket {
    #[serde(rename = "under_10")]
    UnderTen,
    #[serde(rename = "10_25")]
    TenToTwentyFive,
    #[serde(rename = "25_50")]
    TwentyFiveToFifty,
    #[serde(rename = "50_100")]
    FiftyToHundred,
    #[serde(rename = "100_plus")]
    HundredPlus,
}

impl DoseBucket {
    pub const ALL: [DoseBucket; 5] = [
        DoseBucket::UnderTen,
        DoseBucket::TenToTwentyFive,
        DoseBucket::TwentyFiveToFifty,
        DoseBucket::FiftyToHundred,
        DoseBucket::HundredPlus,
    ];

    /// The bucket of `amount` given against a monthly revenue of `revenue` (both in minor
    /// units of one currency; `revenue` > 0). Each bucket holds its lower bound.
    pub fn of(amount: i64, revenue: i64) -> DoseBucket {
        // Exact in integers: amount / revenue < p / 100 ⇔ 100 · amount < p · revenue.
        let (a, r) = (i128::from(amount) * 100, i128::from(revenue));
        match a {
            a if a < 10 * r => DoseBucket::UnderTen,
            a if a < 25 * r => DoseBucket::TenToTwentyFive,
            a if a < 50 * r => DoseBucket::TwentyFiveToFifty,
            a if a < 100 * r => DoseBucket::FiftyToHundred,
            _ => DoseBucket::HundredPlus,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            DoseBucket::UnderTen => "under_10",
            DoseBucket::TenToTwentyFive => "10_25",
            DoseBucket::TwentyFiveToFifty => "25_50",
            DoseBucket::FiftyToHundred => "50_100",
            DoseBucket::HundredPlus => "100_plus",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DoseBucket::UnderTen => "< 10 %",
            DoseBucket::TenToTwentyFive => "10–25 %",
            DoseBucket::TwentyFiveToFifty => "25–50 %",
            DoseBucket::FiftyToHundred => "50–100 %",
            DoseBucket::HundredPlus => "≥ 100 %",
        }
    }
}

/// One share of revenue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DoseRow {
    pub bucket: DoseBucket,
    pub label: String,
    pub cases: u64,
    /// Replies counted in the mean.
    pub replies: u64,
    pub sentiment: Option<MeanCi>,
    pub s90: Option<SurvivalAt>,
    /// Log-rank test against *no action*.
    pub logrank_p: Option<f64>,
    /// S(90) − S_no_action(90).
    pub lift: Option<f64>,
    /// Credits and refunds given to these cases.
    pub cost: Vec<Money>,
    /// Cost ÷ (lift × cases); see `cost_note` when absent.
    pub cost_per_retained: Option<Vec<Money>>,
    pub cost_note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DoseReport {
    pub query: AnalyticsQuery,
    pub buckets: Vec<DoseRow>,
    /// The comparison: cases given nothing.
    pub no_action_cases: u64,
    pub no_action_s90: Option<SurvivalAt>,
    /// Cases given a credit or refund that are in no bucket: the customer has no monthly
    /// revenue, or was given an amount in another currency than the revenue's.
    pub without_revenue: u64,
    pub other_currency: u64,
    /// True while the amounts were chosen by people rather than assigned at random.
    pub observational: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bucket_holds_its_lower_bound_exactly() {
        assert_eq!(DoseBucket::of(0, 10_000), DoseBucket::UnderTen);
        assert_eq!(DoseBucket::of(999, 10_000), DoseBucket::UnderTen);
        assert_eq!(DoseBucket::of(1_000, 10_000), DoseBucket::TenToTwentyFive);
        assert_eq!(DoseBucket::of(2_500, 10_000), DoseBucket::TwentyFiveToFifty);
        assert_eq!(DoseBucket::of(4_999, 10_000), DoseBucket::TwentyFiveToFifty);
        assert_eq!(DoseBucket::of(5_000, 10_000), DoseBucket::FiftyToHundred);
        assert_eq!(DoseBucket::of(9_999, 10_000), DoseBucket::FiftyToHundred);
        assert_eq!(DoseBucket::of(10_000, 10_000), DoseBucket::HundredPlus);
        assert_eq!(DoseBucket::of(i64::MAX, 1), DoseBucket::HundredPlus);
        // One third is 33.3 %: exact arithmetic, no rounding at the bounds.
        assert_eq!(DoseBucket::of(1, 3), DoseBucket::TwentyFiveToFifty);
        assert_eq!(DoseBucket::of(1, 10), DoseBucket::TenToTwentyFive);
    }
}
