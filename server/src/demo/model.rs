//! The simulation behind the demo data. Effects are built in so the charts have something
//! true to show: fast proactive contact and credits help sentiment and retention, repeat
//! incidents hurt, small gifts lift sentiment more than retention.

use super::text::{self, ScoredReply};
use app::domain::{ActionKind, Channel, IncidentKind, IncidentStatus, Severity};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub const HOUR: i64 = 3_600_000;
pub const DAY: i64 = 24 * HOUR;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// ~500 customers, ~60 incidents: a quick look.
    Small,
    /// ~10k customers, ~300 incidents, ~100k replies.
    Medium,
    /// 100k customers, ~900 incidents, ~1M replies: for benchmarks.
    Large,
}

impl Scale {
    /// Customers, incidents, reach (multiplier on the share of customers an incident hits)
    /// and everyday support replies per customer and year (not about any incident).
    fn params(self) -> (usize, usize, f64, f64) {
        match self {
            Scale::Small => (500, 60, 5.0, 1.0),
            Scale::Medium => (10_000, 300, 1.5, 6.0),
            Scale::Large => (100_000, 900, 0.45, 6.7),
        }
    }
}

pub struct Customer {
    pub external_ref: String,
    pub name: String,
    pub email: String,
    pub plan: &'static str,
    pub revenue_minor: i64,
    pub currency: &'static str,
    pub signed_up_at: i64,
    pub churned_at: Option<i64>,
}

pub struct Incident {
    pub title: String,
    pub description: String,
    pub kind: IncidentKind,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub started_at: i64,
    pub detected_at: i64,
    pub mitigated_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub owner: usize,
    pub cases: Vec<Case>,
}

pub struct Case {
    pub customer: usize,
    pub added_at: i64,
    pub actions: Vec<Action>,
    pub replies: Vec<Reply>,
}

pub struct Action {
    pub kind: ActionKind,
    pub value_minor: i64,
    pub cost_minor: i64,
    pub channel: Channel,
    pub note: &'static str,
    pub given_at: i64,
}

pub struct Reply {
    pub text: &'static str,
    pub compound: f64,
    pub channel: Channel,
    pub received_at: i64,
    pub csat: Option<i64>,
    /// Linked to the incident (and to this action index of the case) when an agent did so.
    pub linked: bool,
    pub action: Option<usize>,
}

/// Replies not about any incident (questions, praise), by customer.
pub struct LooseReply {
    pub customer: usize,
    pub reply: Reply,
}

pub struct World {
    pub customers: Vec<Customer>,
    pub incidents: Vec<Incident>,
    pub loose_replies: Vec<LooseReply>,
    pub experiments: Vec<super::experiments::DemoExperiment>,
}

const PLANS: &[(&str, i64, f64, f64)] = &[
    // plan, monthly revenue (minor units), share of customers, yearly churn hazard
    ("Free", 0, 0.30, 0.30),
    ("Starter", 2_900, 0.30, 0.20),
    ("Team", 9_900, 0.25, 0.12),
    ("Business", 49_900, 0.12, 0.08),
    ("Enterprise", 250_000, 0.03, 0.04),
];

/// How an incident's team responded: what every case got, and how fast.
#[derive(Clone, Copy)]
enum Playbook {
    Nothing,
    ProactiveCredit,
    ProactiveOnly,
    ReactiveApology,
    Gift,
    Refund,
    Discount,
}

pub(super) struct Sim {
    pub(super) rng: ChaCha8Rng,
    pub(super) corpus: &'static [ScoredReply],
}

/// The scored corpus, parsed once per process.
fn corpus() -> &'static [ScoredReply] {
    static CORPUS: std::sync::OnceLock<Vec<ScoredReply>> = std::sync::OnceLock::new();
    CORPUS.get_or_init(text::corpus)
}

impl Sim {
    pub(super) fn exp(&mut self, mean: f64) -> f64 {
        let u: f64 = self.rng.gen_range(f64::EPSILON..1.0);
        -mean * u.ln()
    }
    pub(super) fn normal(&mut self) -> f64 {
        // Box–Muller; enough for noise.
        let u1: f64 = self.rng.gen_range(f64::EPSILON..1.0);
        let u2: f64 = self.rng.gen();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p.clamp(0.0, 1.0))
    }
    /// A corpus text whose score is near `target` and whose topics all fit `allowed` (the
    /// incident's kind and the actions the customer got); one of the few closest, at random.
    pub(super) fn reply_near(&mut self, target: f64, allowed: &[&str]) -> &'static ScoredReply {
        let fits = |r: &ScoredReply| r.topics.iter().all(|t| allowed.contains(t));
        let idx = self.corpus.partition_point(|r| r.compound < target);
        let mut near: Vec<usize> = Vec::with_capacity(8);
        // Walk outwards from the target score until a handful of fitting texts is found.
        let (mut lo, mut hi) = (idx, idx);
        while near.len() < 6 && (lo > 0 || hi < self.corpus.len()) {
            if hi < self.corpus.len() {
                if fits(&self.corpus[hi]) {
                    near.push(hi);
                }
                hi += 1;
            }
            if lo > 0 {
                lo -= 1;
                if fits(&self.corpus[lo]) {
                    near.push(lo);
                }
            }
        }
        let i = near
            .choose(&mut self.rng)
            .copied()
            .unwrap_or_else(|| idx.min(self.corpus.len() - 1));
        &self.corpus[i]
    }
}

/// Build the whole world for a seed and scale, with a year of incidents ending at `until`.
pub fn simulate(seed: u64, scale: Scale, until: i64) -> World {
    let mut sim = Sim {
        rng: ChaCha8Rng::seed_from_u64(seed),
        corpus: corpus(),
    };
    let (n_customers, n_incidents, reach, everyday) = scale.params();
    let year_start = until - 365 * DAY;

    // Customers, signed up over the three years before the end date.
    let mut customers = Vec::with_capacity(n_customers);
    let mut hazard = Vec::with_capacity(n_customers); // the plan's, per day
    let mut churn_at = Vec::with_capacity(n_customers);
    let mut heavy = Vec::with_capacity(n_customers);
    for i in 0..n_customers {
        let (customer, h, first_churn) = new_customer(&mut sim, i, until);
        customers.push(customer);
        hazard.push(h);
        churn_at.push(first_churn);
        heavy.push(sim.chance(0.2));
    }

    // Incident start times over the year, in order.
    let mut starts: Vec<i64> = (0..n_incidents)
        .map(|_| sim.rng.gen_range(year_start..until - 2 * HOUR))
        .collect();
    starts.sort_unstable();
    // The last two are very recent, so there is always something open to look at.
    let n = starts.len();
    for (k, back) in [(2usize, 30 * HOUR), (1, 3 * HOUR)] {
        if n >= k {
            starts[n - k] = until - back - sim.rng.gen_range(0..HOUR);
        }
    }
    starts.sort_unstable();
    let mut last_hit: Vec<Vec<i64>> = vec![Vec::new(); n_customers];
    let mut incidents = Vec::with_capacity(n_incidents);

    for (n, &started_at) in starts.iter().enumerate() {
        let kind = *[
            (IncidentKind::Outage, 0.22),
            (IncidentKind::Degradation, 0.28),
            (IncidentKind::Bug, 0.22),
            (IncidentKind::DataLoss, 0.06),
            (IncidentKind::BillingError, 0.10),
            (IncidentKind::Security, 0.04),
            (IncidentKind::Other, 0.08),
        ]
        .choose_weighted(&mut sim.rng, |k| k.1)
        .map(|k| &k.0)
        .unwrap_or(&IncidentKind::Other);
        let severity = *[
            (Severity::Sev1, 0.05),
            (Severity::Sev2, 0.20),
            (Severity::Sev3, 0.40),
            (Severity::Sev4, 0.35),
        ]
        .choose_weighted(&mut sim.rng, |k| k.1)
        .map(|k| &k.0)
        .unwrap_or(&Severity::Sev3);
        let (title, description) = text::incident_text(kind, |len| sim.rng.gen_range(0..len));
        let detect_mean = match severity {
            Severity::Sev1 => 0.2,
            Severity::Sev2 => 0.6,
            _ => 3.0,
        };
        let detected_at = started_at + (sim.exp(detect_mean) * HOUR as f64) as i64;
        let length = (sim.exp(match severity {
            Severity::Sev1 => 3.0,
            Severity::Sev2 => 6.0,
            _ => 20.0,
        }) * HOUR as f64) as i64
            + HOUR / 4;
        let mut resolved_at = Some(detected_at + length);
        let mut mitigated_at = Some(detected_at + length / 2);
        // The most recent incidents may still be open.
        let status = if resolved_at.is_some_and(|r| r < until) {
            IncidentStatus::Resolved
        } else if mitigated_at.is_some_and(|m| m < until) {
            resolved_at = None;
            IncidentStatus::Mitigated
        } else {
            resolved_at = None;
            mitigated_at = None;
            IncidentStatus::Open
        };
        let fraction = match severity {
            Severity::Sev1 => sim.rng.gen_range(0.03..0.08),
            Severity::Sev2 => sim.rng.gen_range(0.01..0.03),
            Severity::Sev3 => sim.rng.gen_range(0.002..0.01),
            Severity::Sev4 => sim.rng.gen_range(0.0005..0.003),
        } * reach;
        let target = ((n_customers as f64 * fraction).round() as usize).clamp(1, n_customers / 3);

        let playbook = pick_playbook(&mut sim, kind, severity);
        // How fast this team reached out: log-uniform from 10 minutes to 5 days.
        let contact_delay = |sim: &mut Sim| -> i64 {
            let lo = (10.0 * 60_000.0f64).ln();
            let hi = (5.0 * DAY as f64).ln();
            sim.rng.gen_range(lo..hi).exp() as i64
        };
        let team_delay = contact_delay(&mut sim);
        let severity_pain = match severity {
            Severity::Sev1 => -0.55,
            Severity::Sev2 => -0.35,
            Severity::Sev3 => -0.2,
            Severity::Sev4 => -0.1,
        };

        // Pick affected customers: signed up and not churned before the start; heavy users
        // are hit three times as often.
        let mut chosen = std::collections::HashSet::with_capacity(target);
        let mut tries = 0;
        while chosen.len() < target && tries < target * 30 {
            tries += 1;
            let c = sim.rng.gen_range(0..n_customers);
            if customers[c].signed_up_at > started_at || churn_at[c] <= started_at {
                continue;
            }
            if !heavy[c] && !sim.chance(1.0 / 3.0) {
                continue;
            }
            chosen.insert(c);
        }
        let mut chosen: Vec<usize> = chosen.into_iter().collect();
        chosen.sort_unstable();

        let mut cases = Vec::with_capacity(chosen.len());
        for c in chosen {
            let recent = last_hit[c]
                .iter()
                .filter(|&&t| started_at - t <= 90 * DAY)
                .count() as f64;
            last_hit[c].push(started_at);
            let paying = customers[c].revenue_minor > 0;
            let rev = customers[c].revenue_minor.max(1_000);
            let mut actions = Vec::new();
            let first_at = detected_at + team_delay + (sim.exp(0.15) * team_delay as f64) as i64;
            let (mut sent, mut ret) = (
                severity_pain + 0.3 - 0.2 * recent,
                -2.0 * severity_pain + 0.35 * recent,
            );
            let mut push = |kind, value: i64, cost: i64, channel, note, at: i64| {
                actions.push(Action {
                    kind,
                    value_minor: value,
                    cost_minor: cost,
                    channel,
                    note,
                    given_at: at,
                })
            };
            let fast = team_delay < 4 * HOUR;
            match playbook {
                Playbook::Nothing => {}
                Playbook::ProactiveCredit | Playbook::ProactiveOnly => {
                    let ch = if severity == Severity::Sev1 && customers[c].plan == "Enterprise" {
                        Channel::Phone
                    } else {
                        Channel::Email
                    };
                    push(
                        ActionKind::ProactiveContact,
                        0,
                        if ch == Channel::Phone { 800 } else { 150 },
                        ch,
                        "We noticed before you did — here is what happened.",
                        first_at,
                    );
                    sent += if fast { 0.3 } else { 0.12 };
                    ret -= if fast { 0.6 } else { 0.2 };
                    if matches!(playbook, Playbook::ProactiveCredit) && paying {
                        let credit = (rev / 5 / 100).max(5) * 100;
                        push(
                            ActionKind::Credit,
                            credit,
                            credit,
                            Channel::InApp,
                            "Account credit for the disruption.",
                            first_at + 10 * 60_000,
                        );
                        sent += 0.25;
                        ret -= 0.5;
                    }
                }
                Playbook::ReactiveApology => {
                    if sim.chance(0.6) {
                        push(
                            ActionKind::Apology,
                            0,
                            300,
                            Channel::Email,
                            "Personal apology from support.",
                            first_at + DAY,
                        );
                        sent += 0.08;
                        ret -= 0.1;
                    }
                }
                Playbook::Gift => {
                    let value = *[2_500i64, 4_000, 5_000]
                        .choose(&mut sim.rng)
                        .unwrap_or(&2_500);
                    push(
                        ActionKind::Gift,
                        value,
                        value * 6 / 10 + 500,
                        Channel::Mail,
                        "A small thank-you for your patience.",
                        first_at,
                    );
                    sent += 0.4;
                    ret -= 0.1;
                }
                Playbook::Refund => {
                    let refund = rev;
                    push(
                        ActionKind::Refund,
                        refund,
                        refund,
                        Channel::Email,
                        "Refund of the duplicate charge.",
                        first_at,
                    );
                    push(
                        ActionKind::Apology,
                        0,
                        300,
                        Channel::Email,
                        "Apology for the billing mistake.",
                        first_at + 5 * 60_000,
                    );
                    sent += 0.3;
                    ret -= 0.4;
                }
                Playbook::Discount => {
                    let value = (rev / 5 / 100).max(5) * 100;
                    push(
                        ActionKind::Discount,
                        value,
                        value,
                        Channel::Email,
                        "20% off next month.",
                        first_at,
                    );
                    sent += 0.15;
                    ret -= 0.25;
                }
            }
            if !fast && !actions.is_empty() && team_delay > DAY {
                sent -= 0.1;
                ret += 0.1;
            }

            // Retention: from here on the plan's churn hazard is scaled by how this incident
            // went (not compounded over incidents; repeats count through `recent`).
            let multiplier = ret.clamp(-1.2, 1.8).exp();
            let h = (hazard[c] * multiplier).clamp(0.02 / 365.0, 3.0 / 365.0);
            churn_at[c] = started_at + (sim.exp(1.0 / h) * DAY as f64) as i64;

            // Replies: about half the customers answer, some several times.
            let mut replies = Vec::new();
            let anchor = actions.first().map(|a| a.given_at).unwrap_or(detected_at);
            if sim.chance(0.52 + 0.1 * (sent.abs().min(1.0))) {
                let count = 1 + (sim.exp(1.3) as usize).min(5);
                let mut at = anchor;
                for k in 0..count {
                    at +=
                        (sim.exp(if k == 0 { 0.8 } else { 1.5 }) * DAY as f64) as i64 + 5 * 60_000;
                    if at >= until || at > churn_at[c] + 7 * DAY {
                        break;
                    }
                    let target = (1.6 * sent + 0.45 * sim.normal()).tanh();
                    let mut allowed: Vec<&str> = vec!["call"];
                    allowed.extend(text::incident_topic(kind));
                    for a in &actions {
                        allowed.push(match a.kind {
                            ActionKind::Credit => "credit",
                            ActionKind::Refund => "refund",
                            ActionKind::Gift => "gift",
                            ActionKind::Discount => "discount",
                            ActionKind::Apology | ActionKind::ProactiveContact => "apology",
                            ActionKind::Other => "call",
                        });
                    }
                    let r = sim.reply_near(target, &allowed);
                    let csat = sim.chance(0.35).then(|| {
                        (3.0 + 2.2 * sent + 0.8 * sim.normal())
                            .round()
                            .clamp(1.0, 5.0) as i64
                    });
                    let linked = sim.chance(0.88);
                    let action = (linked && !actions.is_empty() && sim.chance(0.6)).then_some(0);
                    let channel = *[
                        Channel::Email,
                        Channel::Email,
                        Channel::Chat,
                        Channel::Phone,
                        Channel::InApp,
                    ]
                    .choose(&mut sim.rng)
                    .unwrap_or(&Channel::Email);
                    replies.push(Reply {
                        text: r.text,
                        compound: r.compound,
                        channel,
                        received_at: at,
                        csat,
                        linked,
                        action,
                    });
                }
            }
            cases.push(Case {
                customer: c,
                added_at: detected_at + 20 * 60_000,
                actions,
                replies,
            });
        }
        incidents.push(Incident {
            title,
            description,
            kind,
            severity,
            status,
            started_at,
            detected_at,
            mitigated_at,
            resolved_at,
            owner: n % text::TEAM.len(),
            cases,
        });
    }

    // The holdout experiments, from a stream of their own.
    let mut own = Sim {
        rng: ChaCha8Rng::seed_from_u64(seed ^ 0x0E4E_1000_5EED_0001),
        corpus: corpus(),
    };
    let mut people = super::experiments::Population {
        customers: &mut customers,
        hazard: &mut hazard,
        churn_at: &mut churn_at,
    };
    let experiments = super::experiments::run(&mut own, &mut people, &mut incidents, until);

    // Everyday support replies about nothing in particular: questions and thanks, while
    // the customer is a customer.
    let mut loose_replies = Vec::new();
    for _ in 0..(n_customers as f64 * everyday) as usize {
        let c = sim.rng.gen_range(0..n_customers);
        let from = year_start.max(customers[c].signed_up_at);
        let to = until.min(churn_at[c]);
        if from >= to {
            continue;
        }
        let at = sim.rng.gen_range(from..to);
        let target = 0.15 + 0.35 * sim.normal();
        let r = sim.reply_near(target.clamp(-1.0, 1.0), &["call"]);
        loose_replies.push(LooseReply {
            customer: c,
            reply: Reply {
                text: r.text,
                compound: r.compound,
                channel: Channel::Email,
                received_at: at,
                csat: None,
                linked: false,
                action: None,
            },
        });
    }

    for (c, customer) in customers.iter_mut().enumerate() {
        customer.churned_at =
            (churn_at[c] < until).then_some(churn_at[c].max(customer.signed_up_at));
    }
    World {
        customers,
        incidents,
        loose_replies,
        experiments,
    }
}

/// Customer number `i` (from 0), signed up in the three years before `until`: the record,
/// their plan's churn hazard per day, and when they would churn if nothing happened.
pub(super) fn new_customer(sim: &mut Sim, i: usize, until: i64) -> (Customer, f64, i64) {
    let mut roll: f64 = sim.rng.gen();
    let plan = PLANS
        .iter()
        .find(|p| {
            roll -= p.2;
            roll < 0.0
        })
        .unwrap_or(&PLANS[0]);
    let first = text::FIRST[sim.rng.gen_range(0..text::FIRST.len())];
    let last = text::LAST[sim.rng.gen_range(0..text::LAST.len())];
    let company = text::COMPANY[sim.rng.gen_range(0..text::COMPANY.len())];
    let signed_up_at = until - sim.rng.gen_range(30 * DAY..3 * 365 * DAY);
    let h = plan.3 / 365.0;
    let first_churn = signed_up_at + (sim.exp(1.0 / h) * DAY as f64) as i64;
    let revenue = if plan.1 == 0 {
        0
    } else {
        plan.1 + sim.rng.gen_range(0..plan.1 / 2) / 100 * 100
    };
    let currency = if sim.chance(0.15) { "EUR" } else { "USD" };
    let ascii_last: String = last
        .chars()
        .filter_map(|c| match c {
            'ü' => Some('u'),
            'á' => Some('a'),
            c if c.is_ascii_alphabetic() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect();
    let ascii_first: String = first.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    let customer = Customer {
        external_ref: format!("CUS-{:06}", i + 1),
        name: format!("{first} {last}"),
        email: format!(
            "{}.{}{}@{}.example",
            ascii_first.to_lowercase(),
            ascii_last,
            i + 1,
            company.to_lowercase()
        ),
        plan: plan.0,
        revenue_minor: revenue,
        currency,
        signed_up_at,
        churned_at: None,
    };
    (customer, h, first_churn)
}

fn pick_playbook(sim: &mut Sim, kind: IncidentKind, severity: Severity) -> Playbook {
    use Playbook::*;
    if kind == IncidentKind::BillingError && sim.chance(0.8) {
        return Refund;
    }
    let options: &[(Playbook, f64)] = match severity {
        Severity::Sev1 | Severity::Sev2 => &[
            (ProactiveCredit, 0.35),
            (ProactiveOnly, 0.2),
            (ReactiveApology, 0.15),
            (Gift, 0.1),
            (Discount, 0.1),
            (Nothing, 0.1),
        ],
        _ => &[
            (ProactiveCredit, 0.12),
            (ProactiveOnly, 0.18),
            (ReactiveApology, 0.2),
            (Gift, 0.15),
            (Discount, 0.05),
            (Nothing, 0.3),
        ],
    };
    options
        .choose_weighted(&mut sim.rng, |o| o.1)
        .map(|o| o.0)
        .unwrap_or(Nothing)
}
