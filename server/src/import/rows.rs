//! Records as they arrive from outside — a CSV row or a webhook event — parsed and checked,
//! before the store matches their customers and incidents. `line` is the CSV line a row
//! started on (1 for a webhook), so a refusal can name it.

use app::domain::affected::CustomerKey;
use app::domain::{ActionKind, Channel, Money};

/// A customer's reply. `external_id` is its id where it came from; without one, the import
/// derives a key from customer, received at and body so the same row is never added twice.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplyIn {
    pub line: u64,
    pub external_id: Option<String>,
    pub customer: CustomerKey,
    pub incident: Option<i64>,
    pub channel: Channel,
    pub received_at: i64,
    pub body: String,
    pub csat: Option<i64>,
    /// VADER's compound score of `body`.
    pub score: f64,
}

/// A customer, by ref. A field that is `None` was not given and is left as it is (a new
/// customer needs `signed_up_at`); `Some(None)` clears an optional one (e-mail, churn).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CustomerIn {
    pub line: u64,
    pub external_ref: String,
    pub name: Option<String>,
    pub email: Option<Option<String>>,
    pub plan: Option<String>,
    pub monthly_revenue: Option<Money>,
    pub signed_up_at: Option<i64>,
    pub churned_at: Option<Option<i64>>,
}

/// A recovery action given for an incident. The customer is marked affected by it if they
/// were not yet.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionIn {
    pub line: u64,
    pub external_id: Option<String>,
    pub incident: i64,
    pub customer: CustomerKey,
    pub kind: ActionKind,
    pub value: Money,
    pub cost_minor: i64,
    pub channel: Channel,
    pub given_at: i64,
    pub note: String,
}

/// A customer an incident hit.
#[derive(Clone, Debug, PartialEq)]
pub struct AffectedIn {
    pub line: u64,
    pub incident: i64,
    pub customer: CustomerKey,
}

/// One record from a webhook event.
#[derive(Clone, Debug, PartialEq)]
pub enum Inbound {
    Reply(ReplyIn),
    Customer(CustomerIn),
    Action(ActionIn),
}
