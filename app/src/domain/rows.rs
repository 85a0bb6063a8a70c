//! What the pages read: one struct per row shape, instants as epoch milliseconds (UTC).

use super::{
    ActionKind, AffectedSource, Channel, IncidentKind, IncidentStatus, Money, Role, Severity,
};
use serde::{Deserialize, Serialize};

/// One incident in the list, with its counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentRow {
    pub id: i64,
    pub title: String,
    pub kind: IncidentKind,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub started_at: i64,
    pub resolved_at: Option<i64>,
    pub affected: i64,
    pub actions: i64,
    pub replies: i64,
    /// Total cost of the incident's actions, per currency.
    pub cost: Vec<Money>,
}

/// An incident with everything that hangs off it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentDetail {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub kind: IncidentKind,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub started_at: i64,
    pub detected_at: i64,
    pub resolved_at: Option<i64>,
    pub owner: Option<String>,
    pub owner_id: Option<i64>,
    /// Bumped by every change; an edit must name the version it started from.
    pub version: i64,
    pub events: Vec<TimelineEvent>,
    /// The first page of affected customers, with the total count.
    pub affected: Vec<AffectedRow>,
    pub affected_total: i64,
    pub actions: Vec<ActionRow>,
    pub actions_total: i64,
    pub replies: Vec<ReplyRow>,
    pub replies_total: i64,
    pub cost: Vec<Money>,
}

impl IncidentDetail {
    /// The incident's editable fields, as the edit form starts.
    pub fn draft(&self) -> super::incident::IncidentDraft {
        super::incident::IncidentDraft {
            title: self.title.clone(),
            description: self.description.clone(),
            kind: self.kind,
            severity: self.severity,
            started_at: self.started_at,
            detected_at: self.detected_at,
            resolved_at: self.resolved_at,
            owner_id: self.owner_id,
        }
    }
}

/// A team member who can own an incident.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: i64,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub at: i64,
    pub kind: String,
    pub from_status: Option<IncidentStatus>,
    pub to_status: Option<IncidentStatus>,
    pub note: String,
    pub by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AffectedRow {
    pub customer_id: i64,
    pub external_ref: String,
    pub name: String,
    pub plan: String,
    pub source: AffectedSource,
    pub added_at: i64,
    pub churned_at: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionRow {
    pub id: i64,
    pub incident_id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub kind: ActionKind,
    pub value: Money,
    pub cost: Money,
    pub channel: Channel,
    pub note: String,
    pub given_at: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplyRow {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub incident_id: Option<i64>,
    pub incident_title: Option<String>,
    pub channel: Channel,
    pub received_at: i64,
    pub body: String,
    pub csat: Option<i64>,
    pub sentiment_auto: f64,
    pub sentiment_manual: Option<f64>,
    pub override_reason: Option<String>,
}

impl ReplyRow {
    /// The manual override when there is one, else the automatic score.
    pub fn effective_sentiment(&self) -> f64 {
        self.sentiment_manual.unwrap_or(self.sentiment_auto)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerRow {
    pub id: i64,
    pub external_ref: String,
    pub name: String,
    pub email: Option<String>,
    pub plan: String,
    pub monthly_revenue: Money,
    pub signed_up_at: i64,
    pub churned_at: Option<i64>,
    pub incidents: i64,
}

/// One incident that hit a customer, as their page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerIncident {
    pub id: i64,
    pub title: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub started_at: i64,
}

/// A customer with everything that happened to them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerDetail {
    pub customer: CustomerRow,
    pub version: i64,
    pub incidents: Vec<CustomerIncident>,
    pub actions: Vec<ActionRow>,
    /// Their latest replies, newest first (at most `CUSTOMER_REPLIES_SHOWN`).
    pub replies: Vec<ReplyRow>,
    /// What every one of their replies says, not only those in `replies`.
    pub sentiment: ReplySentiment,
}

/// How many replies a customer's page lists and charts.
pub const CUSTOMER_REPLIES_SHOWN: i64 = 100;

/// The sentiment of all of a customer's replies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplySentiment {
    pub replies: i64,
    /// The mean effective sentiment (a person's correction wins); `None` without replies.
    pub mean: Option<f64>,
}

impl CustomerDetail {
    /// Which replies the page's list and chart show: all of them, or only the latest.
    pub fn replies_shown(&self) -> String {
        let total = self.sentiment.replies;
        let shown = self.replies.len() as i64;
        let n = |n: i64| super::group_thousands(n.unsigned_abs());
        if shown < total {
            format!("only the latest {} of their {} replies", n(shown), n(total))
        } else if total == 1 {
            "their one reply".into()
        } else {
            format!("all {} of their replies", n(total))
        }
    }
}

/// Headline counts for the dashboard.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub incidents: i64,
    pub open_incidents: i64,
    pub customers: i64,
    pub churned_customers: i64,
    pub cases: i64,
    pub actions: i64,
    pub replies: i64,
    pub mean_sentiment: Option<f64>,
    pub cost: Vec<Money>,
    pub latest: Vec<IncidentRow>,
}

/// The signed-in person. The server puts it in each authenticated request's extensions;
/// pages read it through the `whoami` server function.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
}

/// A team member, for the admin's user list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub created_at: i64,
    pub last_seen_at: Option<i64>,
}

/// One audit log entry; `before` and `after` are JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub user: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub ip: Option<String>,
    /// The API token a change was made through, when it was.
    pub via: Option<String>,
}

/// A plausible email address: something@something.tld, no spaces, at most 254 characters.
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email.len() <= 254
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == '"')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail(shown: usize, total: i64) -> CustomerDetail {
        let reply = ReplyRow {
            id: 1,
            customer_id: 1,
            customer_name: "Ada".into(),
            incident_id: None,
            incident_title: None,
            channel: Channel::Email,
            received_at: 0,
            body: "Thanks".into(),
            csat: None,
            sentiment_auto: 0.5,
            sentiment_manual: None,
            override_reason: None,
        };
        CustomerDetail {
            customer: CustomerRow {
                id: 1,
                external_ref: "C-1".into(),
                name: "Ada".into(),
                email: None,
                plan: "pro".into(),
                monthly_revenue: Money::new(0, "USD"),
                signed_up_at: 0,
                churned_at: None,
                incidents: 0,
            },
            version: 1,
            incidents: vec![],
            actions: vec![],
            replies: vec![reply; shown],
            sentiment: ReplySentiment {
                replies: total,
                mean: None,
            },
        }
    }

    #[test]
    fn the_page_says_when_it_shows_only_the_latest_replies() {
        assert_eq!(detail(1, 1).replies_shown(), "their one reply");
        assert_eq!(detail(40, 40).replies_shown(), "all 40 of their replies");
        assert_eq!(
            detail(100, 1234).replies_shown(),
            "only the latest 100 of their 1,234 replies"
        );
    }

    #[test]
    fn emails_are_checked_for_shape() {
        use super::valid_email;
        assert!(valid_email("ada@engine.example"));
        for bad in [
            "",
            "ada",
            "ada@",
            "@x.y",
            "ada@localhost",
            "a b@x.y",
            "<a>@x.y",
            "ada@x.",
            "a@b@c.d",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }
}
