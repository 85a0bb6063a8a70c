//! Building the weekly report from the facts of its period (pure): the week's figures
//! with their change and 8-week average (the same `analytics::weekly::figures_of` the
//! dashboard's weekly trend uses), each incident of the week, the highlights and the charts.

use crate::analytics::facts::{Case, Facts};
use crate::analytics::money_sum;
use crate::analytics::weekly::{self, Span};
use crate::zone::Zone;
use app::domain::analytics::{AnalyticsQuery, WeekFigures, WeekRow, DAY_MS};
use app::domain::report::{
    Figure, Highlights, KindRow, NotableReply, Recovered, RepeatHit, ReportIncident, Slowest,
    Uncontacted, Unit, WeekReport, AVERAGE_WEEKS, MIN_REPLIES,
};
use app::domain::week::IsoWeek;
use app::domain::ActionKind;
use std::collections::{BTreeMap, BTreeSet};

/// How far back a customer's earlier incidents make this week's a repeat.
pub const REPEAT_WINDOW_MS: i64 = 90 * DAY_MS;
/// How many weeks before the report's the facts cover (the average, and 90 days of
/// repeat history).
pub const LOOKBACK_WEEKS: i64 = 13;
const TOP_REPEAT: usize = 10;

pub use crate::analytics::facts::IncidentHead;

/// Everything the report is made of, as the store reads it.
pub struct Inputs {
    pub week: IsoWeek,
    pub zone: Zone,
    /// When the report is made (epoch ms).
    pub now: i64,
    /// The period whose facts these are.
    pub query: AnalyticsQuery,
    pub facts: Facts,
    pub heads: Vec<IncidentHead>,
    pub uncontacted: Vec<Uncontacted>,
    pub most_positive: Vec<NotableReply>,
    pub most_negative: Vec<NotableReply>,
}

pub fn build(input: Inputs) -> WeekReport {
    let zone = &input.zone;
    let span = Span::of(zone, input.week);
    // The week and the eight before it, oldest first.
    let spans: Vec<Span> = (0..=AVERAGE_WEEKS as i64)
        .rev()
        .map(|n| Span::of(zone, input.week.back(n)))
        .collect();
    let weeks: Vec<WeekFigures> = weekly::figures_of(&input.facts, &spans, zone);
    let rows: Vec<WeekRow> = weeks
        .iter()
        .enumerate()
        .map(|(i, f)| WeekRow {
            figures: f.clone(),
            change: i.checked_sub(1).map(|j| weekly::change(f, &weeks[j])),
        })
        .collect();
    let incidents = incidents(&input, &span);
    let week_ids: BTreeSet<i64> = input
        .heads
        .iter()
        .filter(|h| h.started_at >= span.start && h.started_at < span.end)
        .map(|h| h.id)
        .collect();
    let mut notes = highlights(&incidents);
    notes.uncontacted = input.uncontacted.clone();
    (notes.repeat, notes.repeat_total) = repeats(&input.facts, &week_ids, &span);
    let week_facts = input.facts.of_incidents(&week_ids);
    let week_analytics = crate::analytics::compute(&input.query, &week_facts, zone);
    let next = input.week.next();
    WeekReport {
        week: input.week.label(),
        prev: input.week.prev().label(),
        next: next.label(),
        next_exists: Span::of(zone, next).start <= input.now,
        zone: zone.name().to_string(),
        first_day: zone.format(span.start, "%Y-%m-%d"),
        last_day: zone.format(span.end - 1, "%Y-%m-%d"),
        complete: input.now >= span.end,
        generated: zone.date_time(input.now),
        period_from: input.query.from.clone(),
        period_to: input.query.to.clone(),
        figures: figures(&weeks),
        actions_by_kind: kinds(&weeks),
        incidents,
        highlights: notes,
        most_positive: input.most_positive,
        most_negative: input.most_negative,
        charts: app::charts::report::charts(&week_analytics, &rows),
        trend: rows,
    }
}

/// The headline figures: the last of `weeks` against the one before and the mean of the
/// others.
fn figures(weeks: &[WeekFigures]) -> Vec<Figure> {
    let Some((this, before)) = weeks.split_last() else {
        return vec![];
    };
    let previous = before.last();
    let count = |key: &str, label: &str, get: &dyn Fn(&WeekFigures) -> u64| Figure {
        key: key.into(),
        label: label.into(),
        unit: Unit::Count,
        currency: None,
        value: Some(get(this) as f64),
        previous: previous.map(|p| get(p) as f64),
        average: mean(before.iter().map(|w| Some(get(w) as f64))),
    };
    let maybe =
        |key: &str, label: &str, unit: Unit, get: &dyn Fn(&WeekFigures) -> Option<f64>| Figure {
            key: key.into(),
            label: label.into(),
            unit,
            currency: None,
            value: get(this),
            previous: previous.and_then(get),
            average: mean(before.iter().map(get)),
        };
    let mut out = vec![
        count("incidents_opened", "Incidents opened", &|w| {
            w.incidents_opened
        }),
        count("incidents_resolved", "Incidents resolved", &|w| {
            w.incidents_resolved
        }),
        count("customers_affected", "Customers affected", &|w| {
            w.customers_affected
        }),
        count("actions", "Recovery actions given", &|w| w.actions),
    ];
    let currencies: BTreeSet<String> = weeks
        .iter()
        .flat_map(|w| w.cost.iter().map(|m| m.currency.clone()))
        .collect();
    for currency in currencies {
        let cost = |w: &WeekFigures| {
            Some(
                w.cost
                    .iter()
                    .filter(|m| m.currency == currency)
                    .map(|m| m.minor)
                    .sum::<i64>() as f64,
            )
        };
        out.push(Figure {
            key: format!("cost_{currency}"),
            label: format!("Recovery cost ({currency})"),
            unit: Unit::Money,
            currency: Some(currency.clone()),
            ..maybe("", "", Unit::Money, &cost)
        });
    }
    out.extend([
        count("replies", "Replies received", &|w| w.replies),
        maybe(
            "mean_sentiment",
            "Mean reply sentiment",
            Unit::Score,
            &|w| w.mean_sentiment,
        ),
        maybe("share_positive", "Positive replies", Unit::Share, &|w| {
            w.share_positive
        }),
        count("churned", "Affected customers who churned", &|w| w.churned),
    ]);
    out
}

/// Mean of the values present; none when there are none.
fn mean(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let v: Vec<f64> = values.flatten().collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

fn kinds(weeks: &[WeekFigures]) -> Vec<KindRow> {
    let Some((this, before)) = weeks.split_last() else {
        return vec![];
    };
    let previous = |kind: ActionKind| {
        before
            .last()
            .and_then(|p| p.actions_by_kind.iter().find(|k| k.kind == kind))
            .map_or(0, |k| k.count)
    };
    this.actions_by_kind
        .iter()
        .map(|k| KindRow {
            kind: k.kind,
            count: k.count,
            cost: k.cost.clone(),
            previous_count: previous(k.kind),
        })
        .collect()
}

/// Each incident of the week with its recovery so far, in the order they started.
fn incidents(input: &Inputs, span: &Span) -> Vec<ReportIncident> {
    let facts = &input.facts;
    let mut heads = input.heads.clone();
    heads.sort_by_key(|h| (h.started_at, h.id));
    heads
        .iter()
        .map(|h| {
            let cases: Vec<(usize, &Case)> = facts
                .cases
                .iter()
                .enumerate()
                .filter(|(_, c)| c.incident_id == h.id)
                .collect();
            let members: BTreeSet<usize> = cases.iter().map(|(i, _)| *i).collect();
            let actions: Vec<_> = facts
                .actions
                .iter()
                .filter(|a| members.contains(&a.case))
                .collect();
            let by_kind = weekly::kind_costs(&actions);
            let scores: Vec<f64> = facts
                .replies
                .iter()
                .filter(|r| members.contains(&r.case))
                .map(|r| r.score)
                .collect();
            let first = cases.iter().filter_map(|(_, c)| c.first_action_at).min();
            let end = h.resolved_at.unwrap_or(input.now);
            ReportIncident {
                id: h.id,
                title: h.title.clone(),
                kind: h.kind,
                severity: h.severity,
                status: h.status,
                started: input.zone.format(h.started_at, "%a %Y-%m-%d %H:%M"),
                opened_this_week: h.started_at >= span.start && h.started_at < span.end,
                resolved_this_week: h
                    .resolved_at
                    .is_some_and(|r| r >= span.start && r < span.end),
                duration_ms: (end - h.started_at).max(0),
                ongoing: h.resolved_at.is_none(),
                first_contact_ms: first.map(|f| f - h.detected_at),
                affected: cases.len() as u64,
                not_contacted: cases.iter().filter(|(_, c)| c.untreated()).count() as u64,
                actions: by_kind,
                cost: money_sum(actions.iter().map(|a| (&*a.currency, a.cost_minor))),
                replies: scores.len() as u64,
                mean_sentiment: (!scores.is_empty())
                    .then(|| scores.iter().sum::<f64>() / scores.len() as f64),
                churned: cases
                    .iter()
                    .filter(|(_, c)| c.churned_at.is_some_and(|t| t <= input.now))
                    .count() as u64,
            }
        })
        .collect()
}

/// Best and worst recovered (by mean reply sentiment, among incidents with enough replies)
/// and the slowest first contact.
fn highlights(incidents: &[ReportIncident]) -> Highlights {
    let recovered = |i: &ReportIncident| {
        i.mean_sentiment.map(|m| Recovered {
            id: i.id,
            title: i.title.clone(),
            mean_sentiment: m,
            replies: i.replies,
            affected: i.affected,
            churned: i.churned,
        })
    };
    let mut rated: Vec<Recovered> = incidents
        .iter()
        .filter(|i| i.replies >= MIN_REPLIES)
        .filter_map(recovered)
        .collect();
    // Highest first; ties go to the earlier incident.
    rated.sort_by(|a, b| {
        b.mean_sentiment
            .total_cmp(&a.mean_sentiment)
            .then(a.id.cmp(&b.id))
    });
    let slowest = incidents
        .iter()
        .filter_map(|i| {
            i.first_contact_ms.map(|ms| Slowest {
                id: i.id,
                title: i.title.clone(),
                first_contact_ms: ms,
                affected: i.affected,
            })
        })
        .max_by(|a, b| {
            a.first_contact_ms
                .cmp(&b.first_contact_ms)
                .then(b.id.cmp(&a.id))
        });
    Highlights {
        rated: rated.len() as u64,
        best: rated.first().cloned(),
        worst: (rated.len() >= 2).then(|| rated.last().cloned()).flatten(),
        slowest,
        repeat: vec![],
        repeat_total: 0,
        uncontacted: vec![],
    }
}

/// Customers hit by an incident that started this week who had been hit by another in the
/// 90 days before it: most-hit first, then by name.
fn repeats(facts: &Facts, week_ids: &BTreeSet<i64>, span: &Span) -> (Vec<RepeatHit>, u64) {
    let mut starts: BTreeMap<i64, Vec<(i64, bool)>> = BTreeMap::new();
    for c in &facts.cases {
        starts
            .entry(c.customer_id)
            .or_default()
            .push((c.started_at, week_ids.contains(&c.incident_id)));
    }
    let names: BTreeMap<i64, &crate::analytics::facts::CustomerName> =
        facts.names.iter().map(|n| (n.id, n)).collect();
    let mut hits: Vec<RepeatHit> = starts
        .into_iter()
        .filter_map(|(customer, list)| {
            let first_this_week = list.iter().filter(|(_, w)| *w).map(|(s, _)| *s).min()?;
            let from = first_this_week - REPEAT_WINDOW_MS;
            let n = list
                .iter()
                .filter(|(s, _)| *s >= from && *s < span.end)
                .count() as u64;
            (n >= 2).then(|| RepeatHit {
                customer_id: customer,
                name: names
                    .get(&customer)
                    .map(|n| n.name.clone())
                    .unwrap_or_default(),
                external_ref: names
                    .get(&customer)
                    .map(|n| n.external_ref.clone())
                    .unwrap_or_default(),
                incidents: n,
            })
        })
        .collect();
    let total = hits.len() as u64;
    hits.sort_by(|a, b| {
        b.incidents
            .cmp(&a.incidents)
            .then_with(|| a.name.cmp(&b.name))
            .then(a.customer_id.cmp(&b.customer_id))
    });
    hits.truncate(TOP_REPEAT);
    (hits, total)
}
