//! The weekly report: what went wrong in one ISO week, what was done, and whether it
//! worked. The server builds it (`server/src/reports`); the page, the printable HTML, the
//! CSV and the Markdown all render this one value, with the same wording of every number
//! (the `show` functions here), so the outputs cannot disagree.

use super::analytics::{KindCost, WeekRow};
use super::dashboard::ChartView;
use super::{ActionKind, IncidentKind, IncidentStatus, Money, Severity};
use crate::format;
use serde::{Deserialize, Serialize};

/// An incident needs this many replies before it can be called best or worst recovered.
pub const MIN_REPLIES: u64 = 3;
/// How many weeks before this one the average covers.
pub const AVERAGE_WEEKS: usize = 8;

/// What a figure counts, which decides how it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Count,
    /// A mean compound sentiment score in [−1, 1].
    Score,
    /// A share in [0, 1].
    Share,
    /// Money in minor units of `Figure::currency`.
    Money,
}

/// One headline figure: this week, the week before, and the mean of the eight weeks before.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// Field name as in the weekly analytics (`incidents_opened`, …); `cost_USD` for money.
    pub key: String,
    pub label: String,
    pub unit: Unit,
    pub currency: Option<String>,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    /// Mean of the weeks before (those with a value), none when no week had one.
    pub average: Option<f64>,
}

impl Figure {
    pub fn change(&self) -> Option<f64> {
        Some(self.value? - self.previous?)
    }

    /// A value of this figure as a person reads it; averages of counts keep one decimal.
    pub fn show(&self, v: Option<f64>) -> String {
        let Some(v) = v else { return "—".into() };
        match self.unit {
            Unit::Count if v.fract() == 0.0 => format::count(v as i64),
            Unit::Count => format!("{v:.1}"),
            Unit::Score => format::score(v),
            Unit::Share => format!("{:.1} %", v * 100.0),
            Unit::Money => {
                Money::new(v.round() as i64, self.currency.clone().unwrap_or_default()).display()
            }
        }
    }

    /// The change against last week with its sign: `+3`, `−0.12`, `+4.1 pts`, `+$120.00`;
    /// `no change` when there is none.
    pub fn show_change(&self) -> String {
        let Some(d) = self.change() else {
            return "—".into();
        };
        if d == 0.0 {
            return "no change".into();
        }
        let sign = if d < 0.0 { "−" } else { "+" };
        let a = d.abs();
        match self.unit {
            Unit::Count => format!("{sign}{}", format::count(a as i64)),
            Unit::Score => format!("{sign}{a:.2}"),
            Unit::Share => format!("{sign}{:.1} pts", a * 100.0),
            Unit::Money => format!(
                "{sign}{}",
                Money::new(a.round() as i64, self.currency.clone().unwrap_or_default()).display()
            ),
        }
    }

    /// The value with fixed decimals for a spreadsheet: counts whole, money in major units.
    pub fn plain(&self, v: Option<f64>) -> String {
        let Some(v) = v else { return String::new() };
        // Adding zero turns −0 into 0, so an empty sum never prints as "-0.00".
        let v = v + 0.0;
        match self.unit {
            Unit::Count if v.fract() == 0.0 => format!("{v:.0}"),
            Unit::Count => format!("{v:.3}"),
            Unit::Score | Unit::Share => format!("{v:.4}"),
            Unit::Money => {
                let scale = Money::scale(self.currency.as_deref().unwrap_or_default()) as f64;
                let decimals = match scale as i64 {
                    1 => 0,
                    1000 => 3,
                    _ => 2,
                };
                format!("{:.*}", decimals, v / scale)
            }
        }
    }
}

/// One kind of action given this week.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KindRow {
    pub kind: ActionKind,
    pub count: u64,
    pub cost: Vec<Money>,
    pub previous_count: u64,
}

/// An incident that started or was resolved this week, with how its recovery went so far.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportIncident {
    pub id: i64,
    pub title: String,
    pub kind: IncidentKind,
    pub severity: Severity,
    pub status: IncidentStatus,
    /// Local date and time it started.
    pub started: String,
    pub opened_this_week: bool,
    pub resolved_this_week: bool,
    /// Started → resolved; while open, started → when the report was made.
    pub duration_ms: i64,
    pub ongoing: bool,
    /// Detected → its first recovery action to anyone; none while nobody was contacted.
    pub first_contact_ms: Option<i64>,
    pub affected: u64,
    /// Affected customers given no action yet.
    pub not_contacted: u64,
    pub actions: Vec<KindCost>,
    pub cost: Vec<Money>,
    pub replies: u64,
    pub mean_sentiment: Option<f64>,
    /// Affected customers who have churned since it started.
    pub churned: u64,
}

impl ReportIncident {
    pub fn show_duration(&self) -> String {
        let d = format::duration(self.duration_ms);
        if self.ongoing {
            format!("{d} so far")
        } else {
            d
        }
    }
    pub fn show_first_contact(&self) -> String {
        match self.first_contact_ms {
            Some(ms) if ms < 0 => "before detection".into(),
            Some(ms) => format::duration(ms),
            None if self.affected == 0 => "—".into(),
            None => "not yet".into(),
        }
    }
    /// `2 × credit`, one per kind given.
    pub fn action_lines(&self) -> Vec<String> {
        self.actions
            .iter()
            .map(|k| format!("{} × {}", k.count, k.kind.label().to_lowercase()))
            .collect()
    }
    pub fn show_actions(&self) -> String {
        if self.actions.is_empty() {
            return "none".into();
        }
        self.action_lines().join(", ")
    }
    pub fn show_sentiment(&self) -> String {
        self.mean_sentiment.map_or("—".into(), format::score)
    }
}

/// An incident singled out for how its recovery went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recovered {
    pub id: i64,
    pub title: String,
    pub mean_sentiment: f64,
    pub replies: u64,
    pub affected: u64,
    pub churned: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Slowest {
    pub id: i64,
    pub title: String,
    pub first_contact_ms: i64,
    pub affected: u64,
}

/// A customer hit this week who had been hit in the 90 days before.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepeatHit {
    pub customer_id: i64,
    pub name: String,
    pub external_ref: String,
    /// Incidents that hit them in the 90 days up to and including this week's.
    pub incidents: u64,
}

/// An incident still open whose affected customers have not all been contacted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Uncontacted {
    pub id: i64,
    pub title: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub started: String,
    pub affected: u64,
    pub not_contacted: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Highlights {
    /// How many incidents of the week had enough replies to be compared.
    pub rated: u64,
    pub best: Option<Recovered>,
    pub worst: Option<Recovered>,
    pub slowest: Option<Slowest>,
    /// Most-hit first, at most 10; `repeat_total` says how many there were.
    pub repeat: Vec<RepeatHit>,
    pub repeat_total: u64,
    pub uncontacted: Vec<Uncontacted>,
}

impl Highlights {
    /// What the best-recovered line is called: with one rated incident there is nothing to
    /// compare it with.
    pub fn best_label(&self) -> &'static str {
        match self.rated {
            0 => "Best and worst recovered",
            1 => "Recovery of the one incident with enough replies",
            _ => "Best recovered",
        }
    }
}

/// A reply received this week, for the most positive and most negative.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotableReply {
    pub customer_id: i64,
    pub customer: String,
    pub incident_id: Option<i64>,
    pub incident: Option<String>,
    pub received: String,
    pub score: f64,
    /// The reply's text, cut at a word near 280 characters.
    pub excerpt: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeekReport {
    /// `2026-W47`, and its neighbours.
    pub week: String,
    pub prev: String,
    pub next: String,
    /// False while the next week has not started: there is no next report to link.
    pub next_exists: bool,
    /// The team's time zone, which the week's days follow.
    pub zone: String,
    /// First and last local day of the week, `YYYY-MM-DD`.
    pub first_day: String,
    pub last_day: String,
    /// False while the week is still running.
    pub complete: bool,
    /// When these figures were computed, local time.
    pub generated: String,
    /// The dashboard period whose weekly figures these are (`from`, `to`, UTC dates).
    pub period_from: String,
    pub period_to: String,
    pub figures: Vec<Figure>,
    pub actions_by_kind: Vec<KindRow>,
    pub incidents: Vec<ReportIncident>,
    pub highlights: Highlights,
    pub most_positive: Vec<NotableReply>,
    pub most_negative: Vec<NotableReply>,
    pub charts: Vec<ChartView>,
    /// The week and the eight before it, oldest first.
    pub trend: Vec<WeekRow>,
}

impl WeekReport {
    /// Nothing happened: no incident, no action, no reply this week.
    pub fn is_quiet(&self) -> bool {
        self.incidents.is_empty()
            && self.actions_by_kind.is_empty()
            && self
                .figure("replies")
                .and_then(|f| f.value)
                .is_none_or(|v| v == 0.0)
    }

    pub fn figure(&self, key: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.key == key)
    }

    /// `Weekly report 2026-W47`
    pub fn title(&self) -> String {
        format!("Weekly report {}", self.week)
    }

    /// `16–22 November 2026` style range, from the first and last day.
    pub fn range(&self) -> String {
        format!("{} to {}", self.first_day, self.last_day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig(unit: Unit, value: Option<f64>, previous: Option<f64>) -> Figure {
        Figure {
            key: "k".into(),
            label: "K".into(),
            unit,
            currency: (unit == Unit::Money).then(|| "USD".into()),
            value,
            previous,
            average: None,
        }
    }

    #[test]
    fn figures_read_by_their_unit() {
        let f = fig(Unit::Count, Some(1234.0), Some(1300.0));
        assert_eq!(f.show(f.value), "1,234");
        assert_eq!(f.show(Some(2.125)), "2.1");
        assert_eq!(f.show_change(), "−66");
        assert_eq!(f.plain(Some(2.125)), "2.125");
        let f = fig(Unit::Score, Some(0.25), Some(-0.125));
        assert_eq!(
            (f.show(f.value), f.show_change()),
            ("+0.25".into(), "+0.38".into())
        );
        let f = fig(Unit::Share, Some(0.5), Some(0.625));
        assert_eq!(f.show(f.value), "50.0 %");
        assert_eq!(f.show_change(), "−12.5 pts");
        assert_eq!(f.plain(f.value), "0.5000");
        let f = fig(Unit::Money, Some(12_050.0), Some(2_000.0));
        assert_eq!(f.show_change(), "+$100.50");
        assert_eq!(f.plain(f.value), "120.50");
        assert_eq!(f.plain(Some(-0.0)), "0.00");
        assert_eq!(
            fig(Unit::Count, Some(4.0), Some(4.0)).show_change(),
            "no change"
        );
        let f = fig(Unit::Score, None, Some(0.1));
        assert_eq!(
            (f.show(f.value), f.show_change(), f.plain(None)),
            ("—".into(), "—".into(), String::new())
        );
    }
}
