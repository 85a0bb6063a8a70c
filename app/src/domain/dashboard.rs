//! What the dashboard page receives: headline figures, and each chart as ready SVG with the
//! numbers behind it. Built on the server (`crate::charts::dashboard`).

use super::analytics::{AnalyticsQuery, Headline, RepeatCustomer};
use serde::{Deserialize, Serialize};

/// One chart: its SVG (none when there is not enough data, with the reason) and its table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChartView {
    /// Stable id, used in download URLs: `/dashboard/{id}.svg`.
    pub id: String,
    pub title: String,
    /// How to read it: units, intervals, what n counts.
    pub caption: String,
    pub svg: Option<String>,
    pub empty: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    pub query: AnalyticsQuery,
    pub headline: Headline,
    pub charts: Vec<ChartView>,
    pub repeat_customers: u64,
    pub customers_hit: u64,
    pub repeat_top: Vec<RepeatCustomer>,
    /// False while a chart that takes longer (the adjusted model) is still being computed
    /// and shows a note in its place.
    pub complete: bool,
}

impl DashboardView {
    pub fn chart(&self, id: &str) -> Option<&ChartView> {
        self.charts.iter().find(|c| c.id == id)
    }
}

/// An incident's own recovery figures: its cases only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentAnalyticsView {
    pub query: AnalyticsQuery,
    pub headline: Headline,
    pub sentiment: ChartView,
    pub retention: ChartView,
}

/// `93.8 %`
pub fn pct(v: f64) -> String {
    format!("{:.1} %", v * 100.0)
}

/// `93.8 % (91.2–95.6)`
pub fn pct_ci(v: f64, lo: f64, hi: f64) -> String {
    format!("{:.1} % ({:.1}–{:.1})", v * 100.0, lo * 100.0, hi * 100.0)
}

/// `+0.19 (+0.15 to +0.22)`; without an interval just the value.
pub fn score_ci(v: f64, lo: Option<f64>, hi: Option<f64>) -> String {
    match (lo, hi) {
        (Some(l), Some(h)) => format!(
            "{} ({} to {})",
            crate::format::score(v),
            crate::format::score(l),
            crate::format::score(h)
        ),
        _ => crate::format::score(v),
    }
}

/// A p-value as people read it: `< 0.001`, `0.04`, `0.61`.
pub fn p_value(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".into()
    } else if p < 0.01 {
        format!("{p:.3}")
    } else {
        format!("{p:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_say_them() {
        assert_eq!(pct(0.9375), "93.8 %");
        assert_eq!(pct_ci(0.5, 0.25, 0.75), "50.0 % (25.0–75.0)");
        assert_eq!(
            score_ci(0.2, Some(-0.1), Some(0.5)),
            "+0.20 (−0.10 to +0.50)"
        );
        assert_eq!(score_ci(-0.6, None, None), "−0.60");
        assert_eq!(p_value(0.0004), "< 0.001");
        assert_eq!(p_value(0.0042), "0.004");
        assert_eq!(p_value(0.61), "0.61");
    }
}
