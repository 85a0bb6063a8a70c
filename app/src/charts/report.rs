//! The weekly report's charts: the trend of the week and the eight before it, and how the
//! recovery of the week's own incidents is going (sentiment by action, by time to first
//! contact). The same drawings as the dashboard's, on the report's cases.

use super::dashboard::{sentiment_used, speed, weekly_of};
use crate::domain::analytics::{Analytics, WeekRow};
use crate::domain::dashboard::ChartView;

/// `week` holds the analytics of the cases of incidents that started in the week; `trend`
/// the weekly rows of the week and the ones before it, oldest first.
pub fn charts(week: &Analytics, trend: &[WeekRow]) -> Vec<ChartView> {
    let mut trend = weekly_of(trend);
    trend.id = "trend".into();
    trend.title = "This week against the eight before".into();
    trend.caption = "Customers hit by incidents that started each week (top) and the mean \
        sentiment of the replies received that week (bottom)."
        .into();
    let mut sentiment = sentiment_used(week);
    sentiment.title = "How this week's customers answered, by recovery action".into();
    sentiment.caption = "Mean sentiment of the replies so far from customers hit by this \
        week's incidents, by the kind of action they were given, with 95 % t-intervals; \
        n counts replies. Small groups have wide intervals."
        .into();
    let (mut contact, _) = speed(week);
    contact.title = "This week's replies by time to first contact".into();
    contact.caption = "Mean reply sentiment of this week's cases by how long after detection \
        each customer got a first recovery action, with 95 % t-intervals; n counts replies."
        .into();
    vec![trend, sentiment, contact]
}
