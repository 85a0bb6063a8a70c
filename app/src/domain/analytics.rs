//! What the analytics answer and how they are asked. The figures follow DESIGN.md
//! ("Analytics — exact definitions"); the server computes them (`server/src/analytics`), and
//! the dashboard, the JSON API and the command line all show these same types.

use super::enums::{ActionKind, IncidentKind, Severity};
use super::when::{parse_bounded_date, parse_date};
use super::Money;
use serde::{Deserialize, Serialize};

pub const DAY_MS: i64 = 86_400_000;
/// Days of the default period, ending with today.
pub const DEFAULT_DAYS: i64 = 365;

/// A validated analytics question: the period `[from, to)` of incident starts, the as-of
/// date (retention is censored at its midnight) and optional filters. Dates are
/// `YYYY-MM-DD`, midnight UTC.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AnalyticsQuery {
    pub from: String,
    pub to: String,
    pub as_of: String,
    pub kind: Option<IncidentKind>,
    pub severity: Option<Severity>,
    pub plan: Option<String>,
    /// Only this incident's cases (the incident page's own figures).
    #[serde(default)]
    pub incident: Option<i64>,
}

/// The analytics question as typed (URL query, CLI flags): every field optional text.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AnalyticsParams {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub as_of: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub plan: Option<String>,
    #[serde(default)]
    pub incident: Option<String>,
}

/// Which field of an analytics question is wrong, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct QueryError {
    pub field: &'static str,
    pub message: String,
}

fn err(field: &'static str, message: impl Into<String>) -> QueryError {
    QueryError {
        field,
        message: message.into(),
    }
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// `YYYY-MM-DD` of the UTC day holding `ms`.
pub fn date_of(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let d = t.date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

impl AnalyticsParams {
    /// Validate, filling the defaults: `to` = tomorrow (so today is in), `from` = a year
    /// before `to`, `as_of` = `to`. `now` is epoch milliseconds.
    pub fn parse(&self, now: i64) -> Result<AnalyticsQuery, QueryError> {
        let date = |field: &'static str, v: &Option<String>| -> Result<Option<i64>, QueryError> {
            let what = match field {
                "from" => "The start date",
                "to" => "The end date",
                _ => "The as-of date",
            };
            blank(v)
                .map(|s| parse_bounded_date(s, what).map_err(|m| err(field, m)))
                .transpose()
        };
        let tomorrow = now.div_euclid(DAY_MS) * DAY_MS + DAY_MS;
        let to = date("to", &self.to)?.unwrap_or(tomorrow);
        let from = date("from", &self.from)?.unwrap_or(to - DEFAULT_DAYS * DAY_MS);
        if from >= to {
            return Err(err("to", "The end of the period must be after its start."));
        }
        if to - from > 10 * 366 * DAY_MS {
            return Err(err("from", "A period can span at most ten years."));
        }
        let as_of = date("as_of", &self.as_of)?.unwrap_or(to);
        if as_of < from {
            return Err(err(
                "as_of",
                "The as-of date cannot be before the start of the period.",
            ));
        }
        let kind = blank(&self.kind)
            .map(|s| IncidentKind::parse(s).map_err(|e| err("kind", e.to_string())))
            .transpose()?;
        let severity = blank(&self.severity)
            .map(|s| Severity::parse(s).map_err(|e| err("severity", e.to_string())))
            .transpose()?;
        let plan = blank(&self.plan).map(str::to_string);
        if plan.as_ref().is_some_and(|p| p.chars().count() > 60) {
            return Err(err("plan", "A plan name has at most 60 characters."));
        }
        let incident = blank(&self.incident)
            .map(|s| {
                s.parse::<i64>()
                    .ok()
                    .filter(|i| *i > 0)
                    .ok_or_else(|| err("incident", "An incident is given by its number, like 42."))
            })
            .transpose()?;
        Ok(AnalyticsQuery {
            from: date_of(from),
            to: date_of(to),
            as_of: date_of(as_of),
            kind,
            severity,
            plan,
            incident,
        })
    }
}

impl AnalyticsQuery {
    pub fn from_ms(&self) -> i64 {
        parse_date(&self.from).unwrap_or(0)
    }
    pub fn to_ms(&self) -> i64 {
        parse_date(&self.to).unwrap_or(0)
    }
    pub fn as_of_ms(&self) -> i64 {
        parse_date(&self.as_of).unwrap_or(0)
    }

    /// The question as URL query pairs (for links, downloads and the API).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut v = vec![
            ("from", self.from.clone()),
            ("to", self.to.clone()),
            ("as_of", self.as_of.clone()),
        ];
        if let Some(k) = self.kind {
            v.push(("kind", k.code().into()));
        }
        if let Some(s) = self.severity {
            v.push(("severity", s.code().into()));
        }
        if let Some(p) = &self.plan {
            v.push(("plan", p.clone()));
        }
        if let Some(i) = self.incident {
            v.push(("incident", i.to_string()));
        }
        v
    }

    pub fn query_string(&self) -> String {
        self.pairs()
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode(&v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    pub fn params(&self) -> AnalyticsParams {
        AnalyticsParams {
            from: Some(self.from.clone()),
            to: Some(self.to.clone()),
            as_of: Some(self.as_of.clone()),
            kind: self.kind.map(|k| k.code().into()),
            severity: self.severity.map(|s| s.code().into()),
            plan: self.plan.clone(),
            incident: self.incident.map(|i| i.to_string()),
        }
    }
}

/// Percent-encode a query value (unreserved characters stay).
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A group of cases compared in the analytics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Group {
    /// Cases given at least one action of this kind.
    Action(ActionKind),
    /// Affected, given nothing.
    NoAction,
    /// Customers in no incident of the period.
    Unaffected,
    /// Cases given any action at all.
    AnyAction,
    /// Customers hit again within 90 days (repeat pain).
    Repeat,
    /// Customers hit once in the period.
    Once,
}

impl Group {
    pub fn code(self) -> &'static str {
        match self {
            Group::Action(k) => k.code(),
            Group::NoAction => "no_action",
            Group::Unaffected => "unaffected",
            Group::AnyAction => "any_action",
            Group::Repeat => "repeat",
            Group::Once => "once",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Group::Action(k) => k.label(),
            Group::NoAction => "No action",
            Group::Unaffected => "Unaffected",
            Group::AnyAction => "Any action",
            Group::Repeat => "Hit again within 90 days",
            Group::Once => "Hit once",
        }
    }
    pub fn parse(s: &str) -> Option<Group> {
        match s {
            "no_action" => Some(Group::NoAction),
            "unaffected" => Some(Group::Unaffected),
            "any_action" => Some(Group::AnyAction),
            "repeat" => Some(Group::Repeat),
            "once" => Some(Group::Once),
            k => ActionKind::parse(k).ok().map(Group::Action),
        }
    }
    /// Every action kind, then no action.
    pub fn by_action() -> Vec<Group> {
        ActionKind::ALL
            .iter()
            .map(|k| Group::Action(*k))
            .chain([Group::NoAction])
            .collect()
    }
}

impl From<Group> for String {
    fn from(g: Group) -> String {
        g.code().to_string()
    }
}

impl TryFrom<String> for Group {
    type Error = String;
    fn try_from(s: String) -> Result<Group, String> {
        Group::parse(&s).ok_or_else(|| format!("unknown group “{s}”"))
    }
}

/// A share with its 95 % Wilson interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShareCi {
    pub share: f64,
    pub lower: f64,
    pub upper: f64,
    pub n: u64,
}

/// A mean with its 95 % t-interval (none for a single value).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeanCi {
    pub mean: f64,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub n: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SentimentGroup {
    pub group: Group,
    pub label: String,
    pub cases: u64,
    /// Replies counted (n of the mean).
    pub replies: u64,
    pub mean: Option<MeanCi>,
    /// Share of replies with a positive effective score (≥ 0.05).
    pub positive: Option<ShareCi>,
    /// Share of CSAT ratings that are 4 or 5, over the replies that carry one.
    pub csat_satisfied: Option<ShareCi>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SentimentReport {
    pub query: AnalyticsQuery,
    pub groups: Vec<SentimentGroup>,
}

/// One step of a Kaplan–Meier curve: survival just after `t` days.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    pub t: f64,
    pub survival: f64,
    pub lower: f64,
    pub upper: f64,
    pub at_risk: u64,
    pub events: u64,
    pub censored: u64,
}

/// S(t) with its 95 % interval and how many were still at risk then.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SurvivalAt {
    pub days: u32,
    pub survival: f64,
    pub lower: f64,
    pub upper: f64,
    pub at_risk: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetentionGroup {
    pub group: Group,
    pub label: String,
    pub cases: u64,
    pub churned: u64,
    /// Starts at t = 0, S = 1; one point per time with an event or a censoring.
    pub curve: Vec<CurvePoint>,
    /// S(30), S(90), S(180); none when follow-up ends before that day.
    pub s30: Option<SurvivalAt>,
    pub s90: Option<SurvivalAt>,
    pub s180: Option<SurvivalAt>,
    /// Log-rank test against *no action* (none for *no action* itself or empty groups).
    pub logrank_p: Option<f64>,
    /// S(90) − S_no_action(90).
    pub lift: Option<f64>,
    /// Total cost of this kind of action, per currency.
    pub cost: Vec<Money>,
    /// Cost ÷ (lift × cases), per currency; see `cost_note` when absent.
    pub cost_per_retained: Option<Vec<Money>>,
    pub cost_note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetentionReport {
    pub query: AnalyticsQuery,
    pub groups: Vec<RetentionGroup>,
}

impl RetentionReport {
    pub fn group(&self, g: Group) -> Option<&RetentionGroup> {
        self.groups.iter().find(|r| r.group == g)
    }
}

/// Time from detection to first action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SpeedBucket {
    #[serde(rename = "under_1h")]
    UnderHour,
    #[serde(rename = "1h_4h")]
    OneToFourHours,
    #[serde(rename = "4h_24h")]
    FourToTwentyFourHours,
    #[serde(rename = "1d_3d")]
    OneToThreeDays,
    #[serde(rename = "over_3d")]
    OverThreeDays,
}

impl SpeedBucket {
    pub const ALL: [SpeedBucket; 5] = [
        SpeedBucket::UnderHour,
        SpeedBucket::OneToFourHours,
        SpeedBucket::FourToTwentyFourHours,
        SpeedBucket::OneToThreeDays,
        SpeedBucket::OverThreeDays,
    ];

    /// The bucket of a delay in milliseconds (negative: contacted before detection).
    pub fn of(delay_ms: i64) -> SpeedBucket {
        const H: i64 = 3_600_000;
        match delay_ms {
            d if d < H => SpeedBucket::UnderHour,
            d if d < 4 * H => SpeedBucket::OneToFourHours,
            d if d < 24 * H => SpeedBucket::FourToTwentyFourHours,
            d if d < 72 * H => SpeedBucket::OneToThreeDays,
            _ => SpeedBucket::OverThreeDays,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            SpeedBucket::UnderHour => "under_1h",
            SpeedBucket::OneToFourHours => "1h_4h",
            SpeedBucket::FourToTwentyFourHours => "4h_24h",
            SpeedBucket::OneToThreeDays => "1d_3d",
            SpeedBucket::OverThreeDays => "over_3d",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SpeedBucket::UnderHour => "< 1 h",
            SpeedBucket::OneToFourHours => "1–4 h",
            SpeedBucket::FourToTwentyFourHours => "4–24 h",
            SpeedBucket::OneToThreeDays => "1–3 d",
            SpeedBucket::OverThreeDays => "> 3 d",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpeedRow {
    pub bucket: SpeedBucket,
    pub label: String,
    pub cases: u64,
    pub replies: u64,
    pub sentiment: Option<MeanCi>,
    pub s90: Option<SurvivalAt>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpeedReport {
    pub query: AnalyticsQuery,
    pub buckets: Vec<SpeedRow>,
    /// Cases never given any action (not in a bucket).
    pub never_contacted: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepeatCustomer {
    pub customer_id: i64,
    pub name: String,
    pub external_ref: String,
    /// Incidents of the period that hit this customer.
    pub incidents: u64,
    pub churned: bool,
}

/// Customers hit by two or more incidents starting within 90 days of each other, against
/// customers hit once in the period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RepeatReport {
    pub query: AnalyticsQuery,
    pub customers_hit: u64,
    pub repeat_customers: u64,
    /// Time 0: the start of the incident that made them a repeat case.
    pub repeat: RetentionGroup,
    /// Time 0: the start of their one incident.
    pub once: RetentionGroup,
    /// Log-rank, repeat against once.
    pub logrank_p: Option<f64>,
    /// The most-hit customers, most first (at most 20).
    pub top: Vec<RepeatCustomer>,
}

/// Count and cost of one kind of action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KindCost {
    pub kind: ActionKind,
    pub count: u64,
    pub cost: Vec<Money>,
}

/// The figures of one ISO week (Monday start, UTC).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeekFigures {
    /// `2026-W47`.
    pub week: String,
    /// The Monday that starts it, `YYYY-MM-DD`.
    pub starts: String,
    pub incidents_opened: u64,
    pub incidents_resolved: u64,
    pub customers_affected: u64,
    pub actions: u64,
    pub actions_by_kind: Vec<KindCost>,
    pub cost: Vec<Money>,
    pub replies: u64,
    pub mean_sentiment: Option<f64>,
    pub share_positive: Option<f64>,
    pub churned: u64,
}

/// A week and its change against the week before (none for the first week).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeekRow {
    #[serde(flatten)]
    pub figures: WeekFigures,
    pub change: Option<WeekChange>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeekChange {
    pub incidents_opened: i64,
    pub incidents_resolved: i64,
    pub customers_affected: i64,
    pub actions: i64,
    pub replies: i64,
    pub mean_sentiment: Option<f64>,
    pub share_positive: Option<f64>,
    pub churned: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeeklyReport {
    pub query: AnalyticsQuery,
    pub weeks: Vec<WeekRow>,
}

/// The dashboard's headline numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    pub cases: u64,
    pub cases_with_action: u64,
    pub share_with_action: Option<f64>,
    pub mean_sentiment: Option<MeanCi>,
    pub s90_with_action: Option<SurvivalAt>,
    pub s90_without_action: Option<SurvivalAt>,
    pub total_cost: Vec<Money>,
    pub cost_per_retained: Option<Vec<Money>>,
    pub cost_note: Option<String>,
}

/// Everything the analytics compute for one question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Analytics {
    pub query: AnalyticsQuery,
    pub headline: Headline,
    pub sentiment: SentimentReport,
    pub retention: RetentionReport,
    pub speed: SpeedReport,
    pub repeat: RepeatReport,
    pub weekly: WeeklyReport,
    pub dose: super::dose::DoseReport,
}

/// ISO week label (`2026-W47`) of a date given as days since the epoch.
pub fn iso_week_label(days: i64) -> String {
    let d = time::Date::from_julian_day((days + 2_440_588) as i32).unwrap_or(time::Date::MIN);
    super::week::IsoWeek::of(d).label()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_183_500_000; // 2026-11-20 14:05 UTC

    fn p(pairs: &[(&str, &str)]) -> AnalyticsParams {
        let mut a = AnalyticsParams::default();
        for (k, v) in pairs {
            let v = Some(v.to_string());
            match *k {
                "from" => a.from = v,
                "to" => a.to = v,
                "as_of" => a.as_of = v,
                "kind" => a.kind = v,
                "severity" => a.severity = v,
                "plan" => a.plan = v,
                "incident" => a.incident = v,
                _ => unreachable!(),
            }
        }
        a
    }

    #[test]
    fn defaults_are_the_year_up_to_today() {
        let q = p(&[]).parse(NOW).unwrap();
        assert_eq!(q.to, "2026-11-21");
        assert_eq!(q.from, "2025-11-21");
        assert_eq!(q.as_of, "2026-11-21");
        assert_eq!(q.to_ms() - q.from_ms(), 365 * DAY_MS);
        let q = p(&[("from", "2026-01-01"), ("to", "2026-04-01")])
            .parse(NOW)
            .unwrap();
        assert_eq!(
            (q.from.as_str(), q.as_of.as_str()),
            ("2026-01-01", "2026-04-01")
        );
    }

    #[test]
    fn far_dates_are_refused_by_name() {
        for (field, far) in [
            ("to", "9999-12-31"),
            ("to", "0001-01-01"),
            ("from", "0001-01-01"),
            ("from", "9999-12-30"),
            ("as_of", "9999-12-31"),
        ] {
            let e = p(&[(field, far)]).parse(NOW).unwrap_err();
            assert_eq!(e.field, field, "{field}={far}");
            assert!(
                e.message.contains("between 1970-01-01 and 2200-12-31"),
                "{e:?}"
            );
        }
    }

    #[test]
    fn each_bad_field_is_named() {
        let e = |pairs: &[(&str, &str)]| p(pairs).parse(NOW).unwrap_err().field;
        assert_eq!(e(&[("from", "last week")]), "from");
        assert_eq!(e(&[("to", "2026-13-01")]), "to");
        assert_eq!(e(&[("from", "2026-05-01"), ("to", "2026-05-01")]), "to");
        assert_eq!(
            e(&[("from", "2026-05-01"), ("as_of", "2026-04-30")]),
            "as_of"
        );
        assert_eq!(e(&[("kind", "meteor")]), "kind");
        assert_eq!(e(&[("severity", "sev9")]), "severity");
        assert_eq!(e(&[("plan", &"x".repeat(61))]), "plan");
        assert_eq!(e(&[("from", "2000-01-01"), ("to", "2026-01-01")]), "from");
        assert_eq!(e(&[("incident", "0")]), "incident");
        assert_eq!(e(&[("incident", "x1")]), "incident");
    }

    #[test]
    fn query_string_round_trips() {
        let q = p(&[
            ("kind", "Outage"),
            ("plan", "pro & co"),
            ("severity", "sev1"),
        ])
        .parse(NOW)
        .unwrap();
        assert_eq!(q.kind, Some(IncidentKind::Outage));
        assert!(q.query_string().contains("plan=pro%20%26%20co"));
        assert_eq!(q.params().parse(NOW).unwrap(), q);
    }

    #[test]
    fn speed_buckets_have_closed_lower_edges() {
        const H: i64 = 3_600_000;
        assert_eq!(SpeedBucket::of(-5 * H), SpeedBucket::UnderHour);
        assert_eq!(SpeedBucket::of(H - 1), SpeedBucket::UnderHour);
        assert_eq!(SpeedBucket::of(H), SpeedBucket::OneToFourHours);
        assert_eq!(SpeedBucket::of(4 * H), SpeedBucket::FourToTwentyFourHours);
        assert_eq!(SpeedBucket::of(24 * H), SpeedBucket::OneToThreeDays);
        assert_eq!(SpeedBucket::of(72 * H - 1), SpeedBucket::OneToThreeDays);
        assert_eq!(SpeedBucket::of(72 * H), SpeedBucket::OverThreeDays);
    }

    #[test]
    fn iso_weeks_cross_years() {
        let day = |s: &str| parse_date(s).unwrap() / DAY_MS;
        assert_eq!(iso_week_label(day("2026-11-16")), "2026-W47");
        assert_eq!(iso_week_label(day("2027-01-01")), "2026-W53");
        assert_eq!(iso_week_label(day("2024-12-30")), "2025-W01");
        assert_eq!(iso_week_label(day("2021-01-03")), "2020-W53");
    }
}
