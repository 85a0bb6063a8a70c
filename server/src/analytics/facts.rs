//! The inputs of every figure, as the store reads them: one row per case, per unaffected
//! customer, per action and per attributed reply. Plain data, so the computations that
//! follow are pure and testable without a database.

use app::domain::{ActionKind, IncidentKind, IncidentStatus, Severity};

/// One (incident, affected customer) pair of the period. Instants are epoch milliseconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub incident_id: i64,
    pub customer_id: i64,
    pub started_at: i64,
    pub detected_at: i64,
    pub signed_up_at: i64,
    pub churned_at: Option<i64>,
    /// Action kinds given, as a bit set over `ActionKind::ALL` (bit i = ALL[i]).
    pub kinds: u8,
    pub first_action_at: Option<i64>,
}

impl Case {
    pub fn received(&self, kind: ActionKind) -> bool {
        self.kinds & kind_bit(kind) != 0
    }
    pub fn untreated(&self) -> bool {
        self.kinds == 0
    }
}

/// A CSAT answer at or above this counts as satisfied.
pub const CSAT_SATISFIED_AT: i64 = 4;

/// The bit of `kind` in a case's action kinds (bit i = `ActionKind::ALL[i]`), here and in
/// `case_facts.kinds`.
pub fn kind_bit(kind: ActionKind) -> u8 {
    let i = ActionKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or_default();
    1 << i
}

/// A customer in no incident of the period: followed from the later of the period start and
/// their sign-up.
#[derive(Clone, Debug, PartialEq)]
pub struct Unaffected {
    pub start: i64,
    pub churned_at: Option<i64>,
}

/// An action given to a case (index into `Facts::cases`).
#[derive(Clone, Debug, PartialEq)]
pub struct ActionFact {
    pub case: usize,
    pub kind: ActionKind,
    pub cost_minor: i64,
    /// Shared among the actions of one read: a period holds a handful of currencies.
    pub currency: std::sync::Arc<str>,
    pub given_at: i64,
}

/// A reply attributed to a case: linked to it, or unlinked and received within 30 days
/// after its incident started (the latest such incident, if several).
#[derive(Clone, Debug, PartialEq)]
pub struct ReplyFact {
    pub case: usize,
    pub received_at: i64,
    /// Effective sentiment: the manual override when there is one, else the automatic.
    pub score: f64,
    pub csat: Option<i64>,
}

/// An incident of the period that matches the filters.
#[derive(Clone, Debug, PartialEq)]
pub struct IncidentFact {
    pub id: i64,
    pub kind: IncidentKind,
    pub severity: Severity,
    pub started_at: i64,
    pub resolved_at: Option<i64>,
}

/// Who a customer is, for the repeat-pain list.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerName {
    pub id: i64,
    pub name: String,
    pub external_ref: String,
}

/// An incident that started or was resolved in the week, as stored (for the
/// weekly report).
#[derive(Clone, Debug, PartialEq)]
pub struct IncidentHead {
    pub id: i64,
    pub title: String,
    pub kind: IncidentKind,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub started_at: i64,
    pub detected_at: i64,
    pub resolved_at: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    pub incidents: Vec<IncidentFact>,
    pub cases: Vec<Case>,
    pub unaffected: Vec<Unaffected>,
    pub actions: Vec<ActionFact>,
    pub replies: Vec<ReplyFact>,
    /// Names of customers hit two or more times (for the repeat list).
    pub names: Vec<CustomerName>,
    /// Monthly revenue of the customers whose cases were given a credit or a refund (for
    /// how much to give).
    pub revenues: Vec<CustomerRevenue>,
}

/// A customer's monthly revenue, in minor units of its currency.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerRevenue {
    pub id: i64,
    pub monthly_revenue_minor: i64,
    pub currency: String,
}

impl Facts {
    /// The facts of the given incidents only (their cases, actions and replies), with the
    /// case indices renumbered; no unaffected baseline.
    pub fn of_incidents(&self, ids: &std::collections::BTreeSet<i64>) -> Facts {
        let mut renumber = vec![None; self.cases.len()];
        let mut cases = Vec::new();
        for (i, c) in self.cases.iter().enumerate() {
            if ids.contains(&c.incident_id) {
                renumber[i] = Some(cases.len());
                cases.push(c.clone());
            }
        }
        let moved = |case: usize| renumber.get(case).copied().flatten();
        Facts {
            incidents: self
                .incidents
                .iter()
                .filter(|i| ids.contains(&i.id))
                .cloned()
                .collect(),
            cases,
            unaffected: vec![],
            actions: self
                .actions
                .iter()
                .filter_map(|a| moved(a.case).map(|case| ActionFact { case, ..a.clone() }))
                .collect(),
            replies: self
                .replies
                .iter()
                .filter_map(|r| moved(r.case).map(|case| ReplyFact { case, ..r.clone() }))
                .collect(),
            names: self.names.clone(),
            revenues: self.revenues.clone(),
        }
    }
}

/// One case as the adjusted model reads it: when it started and churned, what it was given,
/// and the covariates the model holds equal.
#[derive(Clone, Debug, PartialEq)]
pub struct CoxCase {
    pub started_at: i64,
    pub churned_at: Option<i64>,
    /// Action kinds given (see [`kind_bit`]).
    pub kinds: u8,
    pub severity: Severity,
    pub plan: String,
    pub monthly_revenue_minor: i64,
    pub currency: String,
}

/// A holdout experiment as its figures read it: what was tested, when, and every assigned
/// customer's arm, churn date and the replies that count for their case.
#[derive(Clone, Debug, PartialEq)]
pub struct ExperimentFacts {
    pub id: i64,
    pub incident_id: i64,
    pub incident_title: String,
    pub kind: ActionKind,
    pub control: Option<ActionKind>,
    pub share_pct: u32,
    pub seed: String,
    pub started_at: i64,
    pub arms: Vec<ArmCase>,
}

/// One assigned customer of an experiment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArmCase {
    pub held_out: bool,
    pub churned_at: Option<i64>,
    /// Replies counted for the case and the sum of their effective scores.
    pub replies: u64,
    pub score_sum: f64,
}
