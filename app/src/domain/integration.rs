//! Webhook sources (Integrations): where replies, churn and credits arrive from, and the
//! inbox of their deliveries. Signatures are checked and deliveries processed on the server.

use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// The senders Amends understands: `(code, label)`.
pub const KINDS: &[(&str, &str)] = &[
    ("standard", "Standard Webhooks (any system)"),
    ("stripe", "Stripe"),
    ("intercom", "Intercom"),
];

/// How long the previous secret keeps working after a rotation.
pub const ROTATION_GRACE_MS: i64 = 24 * 60 * 60 * 1000;

/// Where deliveries are posted: `/hooks/{slug}`.
pub fn hook_path(slug: &str) -> String {
    format!("/hooks/{slug}")
}

pub fn kind_label(code: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or("Unknown")
}

/// One source as the Integrations page lists it (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRow {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub slug: String,
    pub active: bool,
    pub created_at: i64,
    /// While set and in the future, the previous secret is still accepted.
    pub previous_until: Option<i64>,
    /// Deliveries refused (bad signature, stale timestamp) and the last reason.
    pub rejected: i64,
    pub last_rejected_at: Option<i64>,
    pub last_rejection: Option<String>,
    pub deliveries: i64,
    pub last_delivery_at: Option<i64>,
    /// Deliveries held for review or failed: they need a person.
    pub needing_attention: i64,
}

/// One delivery in the inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub id: i64,
    pub source_id: i64,
    pub source_name: String,
    /// The sender's id for it (`webhook-id`, the Stripe event id, …).
    pub delivery_id: String,
    pub event_type: String,
    pub received_at: i64,
    /// `pending`, `processed`, `ignored` (an event Amends does not use), `held` (a customer
    /// Amends does not know yet) or `failed`.
    pub status: String,
    /// What processing did, or why it could not.
    pub outcome: String,
    pub attempts: i64,
    pub processed_at: Option<i64>,
}

impl DeliveryRow {
    /// Held and failed deliveries can be processed again once the cause is fixed.
    pub fn retryable(&self) -> bool {
        matches!(self.status.as_str(), "held" | "failed")
    }
}

/// A valid new source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceDraft {
    pub kind: String,
    pub name: String,
    /// The sender's signing secret, pasted (Stripe, Intercom); Amends makes one for a
    /// Standard Webhooks source.
    pub secret: Option<String>,
}

/// The new-source form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceForm {
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub secret: String,
}

impl SourceForm {
    pub fn parse(&self) -> Result<SourceDraft, AppError> {
        let kind = self.kind.trim();
        if !KINDS.iter().any(|(c, _)| *c == kind) {
            return Err(AppError::field(
                "kind",
                "Choose where the webhooks come from.",
            ));
        }
        let name = self.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(AppError::field(
                "name",
                "Name the source (e.g. “Stripe live”), up to 100 characters.",
            ));
        }
        let secret = self.secret.trim();
        let secret = match kind {
            "standard" => None,
            _ if secret.is_empty() => {
                return Err(AppError::field(
                    "secret",
                    "Paste the signing secret the sender shows for this endpoint.",
                ))
            }
            _ => Some(secret.to_string()),
        };
        Ok(SourceDraft {
            kind: kind.to_string(),
            name,
            secret,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_secret_is_needed_for_stripe_and_intercom_only() {
        let form = |kind: &str, secret: &str| SourceForm {
            kind: kind.into(),
            name: " Billing ".into(),
            secret: secret.into(),
        };
        assert_eq!(form("standard", "").parse().unwrap().secret, None);
        assert_eq!(form("standard", "").parse().unwrap().name, "Billing");
        assert!(form("stripe", "").parse().is_err());
        assert_eq!(
            form("stripe", " whsec_abc ")
                .parse()
                .unwrap()
                .secret
                .as_deref(),
            Some("whsec_abc")
        );
        assert!(form("zendesk", "x").parse().is_err());
    }
}
