//! The demo's holdout experiments: three incidents whose team gave an action with a share
//! held out, drawn exactly as the product draws it (`app::domain::experiment::assign`).
//! Two have a real effect built in (a credit after a checkout outage moves both sentiment
//! and retention; proactive contact after a slowdown warms replies), one has none (a credit
//! after a minor bug), so the Experiments page shows both kinds of verdict and a credit
//! pooled over two experiments.
//!
//! They hit customers of their own (added after the others) and draw from their own random
//! stream, so the rest of the demo is the same rows as before they were added.

use super::model::{new_customer, Action, Case, Customer, Incident, Reply, Sim, DAY, HOUR};
use app::domain::experiment::{assign, Holdout};
use app::domain::{ActionKind, Channel, IncidentKind, IncidentStatus, Severity};
use rand::Rng;

/// One experiment of the demo: its incident (an index into the world's incidents), what
/// was tested and each case's arm, in the order of the incident's cases.
pub struct DemoExperiment {
    pub incident: usize,
    pub kind: ActionKind,
    pub control: Option<ActionKind>,
    pub share_pct: u32,
    pub seed: u64,
    pub given_at: i64,
    pub held_out: Vec<bool>,
}

struct Plan {
    title: &'static str,
    description: &'static str,
    kind: IncidentKind,
    severity: Severity,
    days_ago: i64,
    action: ActionKind,
    control: Option<ActionKind>,
    share_pct: u32,
    /// Added to the log churn hazard of every case, and taken off again for the treated.
    pain: f64,
    retention_effect: f64,
    /// Mean reply sentiment (before noise) of the held out, and what the action adds.
    mood: f64,
    sentiment_effect: f64,
    value_minor: i64,
    cost_minor: i64,
    channel: Channel,
    note: &'static str,
}

const PLANS: &[Plan] = &[
    Plan {
        title: "Checkout down for EU customers",
        description: "Card payments failed at checkout for customers in the EU for two hours after a certificate expired.",
        kind: IncidentKind::Outage,
        severity: Severity::Sev2,
        days_ago: 150,
        action: ActionKind::Credit,
        control: None,
        share_pct: 30,
        pain: 3.0,
        retention_effect: 2.5,
        mood: -0.35,
        sentiment_effect: 0.45,
        value_minor: 2_000,
        cost_minor: 2_000,
        channel: Channel::InApp,
        note: "A credit for the failed checkout, with our apologies.",
    },
    Plan {
        title: "Slow dashboards during the database move",
        description: "Dashboards took up to ten seconds to load for a week while data moved to new storage.",
        kind: IncidentKind::Degradation,
        severity: Severity::Sev3,
        days_ago: 125,
        action: ActionKind::ProactiveContact,
        control: Some(ActionKind::Apology),
        share_pct: 50,
        pain: 0.6,
        retention_effect: 0.2,
        mood: -0.15,
        sentiment_effect: 0.35,
        value_minor: 0,
        cost_minor: 150,
        channel: Channel::Email,
        note: "We saw the slowdown before you did; here is what happened and when it ends.",
    },
    Plan {
        title: "Report totals off by a cent",
        description: "A rounding change showed some report totals one cent off; invoices were not affected.",
        kind: IncidentKind::Bug,
        severity: Severity::Sev4,
        days_ago: 110,
        action: ActionKind::Credit,
        control: None,
        share_pct: 25,
        pain: 0.3,
        retention_effect: 0.0,
        mood: 0.05,
        sentiment_effect: 0.0,
        value_minor: 500,
        cost_minor: 500,
        channel: Channel::InApp,
        note: "A small credit for the confusion.",
    },
];

/// Customers per experiment, by the number of customers of the rest of the demo.
fn cases_for(customers: usize) -> usize {
    (customers / 4).clamp(120, 2_000)
}

/// The customers of the simulation, which the experiments add to.
pub struct Population<'a> {
    pub customers: &'a mut Vec<Customer>,
    /// Each customer's plan's churn hazard, per day.
    pub hazard: &'a mut Vec<f64>,
    pub churn_at: &'a mut Vec<i64>,
}

/// Add the experiments' incidents to `incidents` and return the experiments.
pub fn run(
    sim: &mut Sim,
    people: &mut Population<'_>,
    incidents: &mut Vec<Incident>,
    until: i64,
) -> Vec<DemoExperiment> {
    let n_customers = people.customers.len();
    let mut out = Vec::new();
    for plan in PLANS {
        let started_at = until - plan.days_ago * DAY - sim.rng.gen_range(0..12 * HOUR);
        let detected_at = started_at + 20 * 60_000;
        let resolved_at = detected_at + 3 * HOUR;
        let given_at = detected_at + 2 * HOUR;
        // Customers of its own, signed up at least a month before it.
        let mut chosen = Vec::new();
        for _ in 0..cases_for(n_customers) {
            let i = people.customers.len();
            let (mut customer, h, _) = new_customer(sim, i, until);
            customer.signed_up_at = customer.signed_up_at.min(started_at - 30 * DAY);
            people.customers.push(customer);
            people.hazard.push(h);
            people.churn_at.push(i64::MAX);
            chosen.push(i);
        }
        let holdout = Holdout {
            share_pct: plan.share_pct,
            control: plan.control,
        };
        let Ok(held) = holdout.held_out_of(chosen.len() as u64) else {
            continue;
        };
        let seed: u64 = sim.rng.gen();
        let held_out = assign(chosen.len(), held as usize, seed);
        let mut cases = Vec::with_capacity(chosen.len());
        for (&c, &held) in chosen.iter().zip(&held_out) {
            let mut actions = Vec::new();
            if !held {
                actions.push(Action {
                    kind: plan.action,
                    value_minor: plan.value_minor,
                    cost_minor: plan.cost_minor,
                    channel: plan.channel,
                    note: plan.note,
                    given_at,
                });
            } else if let Some(control) = plan.control {
                actions.push(Action {
                    kind: control,
                    value_minor: 0,
                    cost_minor: 0,
                    channel: plan.channel,
                    note: "",
                    given_at,
                });
            }
            let ret = plan.pain - if held { 0.0 } else { plan.retention_effect };
            let h = (people.hazard[c] * ret.exp()).clamp(0.02 / 365.0, 3.0 / 365.0);
            people.churn_at[c] = started_at + (sim.exp(1.0 / h) * DAY as f64) as i64;
            let mood = plan.mood + if held { 0.0 } else { plan.sentiment_effect };
            let mut replies = Vec::new();
            if sim.chance(0.65) {
                let mut at = given_at;
                for k in 0..1 + (sim.exp(0.8) as usize).min(3) {
                    at +=
                        (sim.exp(if k == 0 { 0.7 } else { 2.0 }) * DAY as f64) as i64 + 5 * 60_000;
                    if at >= until || at > people.churn_at[c] + 7 * DAY {
                        break;
                    }
                    let target = (1.6 * mood + 0.45 * sim.normal()).tanh();
                    let mut allowed = vec!["call"];
                    allowed.extend(match (held, plan.action) {
                        (false, ActionKind::Credit) => Some("credit"),
                        (false, _) => Some("apology"),
                        (true, _) => plan.control.map(|_| "apology"),
                    });
                    allowed.extend(super::text::incident_topic(plan.kind));
                    let r = sim.reply_near(target, &allowed);
                    replies.push(Reply {
                        text: r.text,
                        compound: r.compound,
                        channel: Channel::Email,
                        received_at: at,
                        csat: None,
                        linked: true,
                        action: (!actions.is_empty()).then_some(0),
                    });
                }
            }
            cases.push(Case {
                customer: c,
                added_at: detected_at + 10 * 60_000,
                actions,
                replies,
            });
        }
        out.push(DemoExperiment {
            incident: incidents.len(),
            kind: plan.action,
            control: plan.control,
            share_pct: plan.share_pct,
            seed,
            given_at,
            held_out,
        });
        incidents.push(Incident {
            title: plan.title.to_string(),
            description: plan.description.to_string(),
            kind: plan.kind,
            severity: plan.severity,
            status: IncidentStatus::Resolved,
            started_at,
            detected_at,
            mitigated_at: Some(detected_at + HOUR),
            resolved_at: Some(resolved_at),
            owner: out.len() % super::text::TEAM.len(),
            cases,
        });
    }
    out
}
