//! Logging a customer's reply, correcting its sentiment, and the reply list's filter.

use super::affected::CustomerKey;
use super::{when, ActionKind, Channel, SentimentLabel};
use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// A valid reply, before it is scored and stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplyDraft {
    pub customer: CustomerKey,
    pub incident_id: Option<i64>,
    pub channel: Channel,
    pub received_at: i64,
    pub csat: Option<i64>,
    pub body: String,
}

/// The reply form as typed. `customer` is a ref or an email (the picker fills in the ref).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyForm {
    pub customer: String,
    #[serde(default)]
    pub incident_id: String,
    pub channel: String,
    #[serde(default)]
    pub received_at: String,
    #[serde(default)]
    pub csat: String,
    pub body: String,
}

impl ReplyForm {
    /// Every field with what was typed, to show the form again.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("customer", self.customer.clone()),
            ("incident_id", self.incident_id.clone()),
            ("channel", self.channel.clone()),
            ("received_at", self.received_at.clone()),
            ("csat", self.csat.clone()),
            ("body", self.body.clone()),
        ]
    }

    pub fn parse(&self, now: i64) -> Result<ReplyDraft, AppError> {
        let who = self.customer.trim();
        if who.is_empty() {
            return Err(AppError::field(
                "customer",
                "Choose the customer who replied.",
            ));
        }
        // The picker may send "REF — Name"; the ref is the part before the dash.
        let who = who.split(" — ").next().unwrap_or(who).trim();
        let customer = if who.contains('@') {
            CustomerKey::Email(who.to_lowercase())
        } else {
            CustomerKey::Ref(who.to_string())
        };
        let incident_id = match self.incident_id.trim() {
            "" => None,
            s => Some(
                s.trim_start_matches('#')
                    .parse::<i64>()
                    .ok()
                    .filter(|i| *i > 0)
                    .ok_or_else(|| {
                        AppError::field("incident_id", "Choose an incident from the list, or none.")
                    })?,
            ),
        };
        let channel = Channel::parse(&self.channel)
            .map_err(|_| AppError::field("channel", "Choose how the reply reached you."))?;
        let received_at = when::parse_optional(&self.received_at)
            .map_err(|m| AppError::field("received_at", m))?
            .unwrap_or(now);
        if received_at > now + 60_000 {
            return Err(AppError::field(
                "received_at",
                "A reply cannot arrive in the future.",
            ));
        }
        let csat = match self.csat.trim() {
            "" => None,
            s => Some(
                s.parse::<i64>()
                    .ok()
                    .filter(|v| (1..=5).contains(v))
                    .ok_or_else(|| {
                        AppError::field("csat", "CSAT is a whole number from 1 to 5, or empty.")
                    })?,
            ),
        };
        let body = self.body.trim().to_string();
        if body.is_empty() {
            return Err(AppError::field("body", "Paste what the customer wrote."));
        }
        if body.chars().count() > 10_000 {
            return Err(AppError::field(
                "body",
                "A reply is limited to 10,000 characters.",
            ));
        }
        super::text::check(&body).map_err(|m| AppError::field("body", m))?;
        Ok(ReplyDraft {
            customer,
            incident_id,
            channel,
            received_at,
            csat,
            body,
        })
    }
}

/// A person's correction of an automatic score, with why.
pub fn parse_override(score: &str, reason: &str) -> Result<(f64, String), AppError> {
    let s: f64 = score
        .trim()
        .replace('−', "-")
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite() && (-1.0..=1.0).contains(v))
        .ok_or_else(|| {
            AppError::field(
                "score",
                "The score is a number from −1 (very negative) to +1 (very positive).",
            )
        })?;
    let reason = reason.trim().to_string();
    if reason.is_empty() {
        return Err(AppError::field(
            "reason",
            "Say why the automatic score is wrong; it helps the team trust the numbers.",
        ));
    }
    if reason.chars().count() > 1000 {
        return Err(AppError::field(
            "reason",
            "The reason is limited to 1,000 characters.",
        ));
    }
    super::text::check(&reason).map_err(|m| AppError::field("reason", m))?;
    Ok(((s * 10_000.0).round() / 10_000.0, reason))
}

/// The reply list's filter.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplyFilter {
    pub sentiment: Option<SentimentLabel>,
    pub incident_id: Option<i64>,
    pub action: Option<ActionKind>,
    pub customer_id: Option<i64>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// The reply list's query string.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyQuery {
    pub sentiment: Option<String>,
    pub incident: Option<String>,
    pub action: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl ReplyQuery {
    pub fn parse(&self) -> Result<ReplyFilter, AppError> {
        fn given(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        let bad = |m: &str| AppError::Invalid(m.to_string());
        let sentiment = match given(&self.sentiment) {
            None => None,
            Some("positive") => Some(SentimentLabel::Positive),
            Some("neutral") => Some(SentimentLabel::Neutral),
            Some("negative") => Some(SentimentLabel::Negative),
            Some(_) => return Err(bad("Sentiment must be positive, neutral or negative.")),
        };
        let incident_id = given(&self.incident)
            .map(|s| {
                s.parse::<i64>()
                    .map_err(|_| bad("Incident must be an incident number."))
            })
            .transpose()?;
        let action = given(&self.action)
            .map(|s| ActionKind::parse(s).map_err(|e| AppError::Invalid(e.to_string())))
            .transpose()?;
        let from = given(&self.from)
            .map(|s| when::parse_date(s).map_err(|_| bad("“From” must be a date like 2026-11-20.")))
            .transpose()?;
        let to = given(&self.to)
            .map(|s| {
                when::parse_date(s)
                    .map(|d| d + 86_400_000)
                    .map_err(|_| bad("“To” must be a date like 2026-11-20."))
            })
            .transpose()?;
        Ok(ReplyFilter {
            sentiment,
            incident_id,
            action,
            customer_id: None,
            from,
            to,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ReplyForm {
        ReplyForm {
            customer: "C-1042 — Ada Lovelace".into(),
            channel: "email".into(),
            body: " Thanks! ".into(),
            ..Default::default()
        }
    }

    #[test]
    fn picker_value_resolves_to_the_ref_and_now_is_the_default() {
        let d = form().parse(5_000_000).unwrap();
        assert_eq!(d.customer, CustomerKey::Ref("C-1042".into()));
        assert_eq!(
            (d.received_at, d.body.as_str(), d.csat, d.incident_id),
            (5_000_000, "Thanks!", None, None)
        );
        let by_email = ReplyForm {
            customer: "Ada@X.io".into(),
            incident_id: "#7".into(),
            csat: "5".into(),
            ..form()
        };
        let d = by_email.parse(0).unwrap();
        assert_eq!(
            (d.customer, d.incident_id, d.csat),
            (CustomerKey::Email("ada@x.io".into()), Some(7), Some(5))
        );
    }

    #[test]
    fn bad_fields_are_named() {
        let field = |f: ReplyForm| match f.parse(1_795_183_500_000) {
            Err(AppError::Field { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(ReplyForm {
                customer: " ".into(),
                ..form()
            }),
            "customer"
        );
        assert_eq!(
            field(ReplyForm {
                incident_id: "x".into(),
                ..form()
            }),
            "incident_id"
        );
        assert_eq!(
            field(ReplyForm {
                channel: "fax".into(),
                ..form()
            }),
            "channel"
        );
        assert_eq!(
            field(ReplyForm {
                csat: "6".into(),
                ..form()
            }),
            "csat"
        );
        assert_eq!(
            field(ReplyForm {
                body: "  ".into(),
                ..form()
            }),
            "body"
        );
        assert_eq!(
            field(ReplyForm {
                received_at: "2027-01-01T00:00".into(),
                ..form()
            }),
            "received_at"
        );
    }

    #[test]
    fn overrides_need_a_score_in_range_and_a_reason() {
        assert_eq!(
            parse_override("−0.5", " sarcasm "),
            Ok((-0.5, "sarcasm".into()))
        );
        assert!(parse_override("1.5", "x").is_err());
        assert!(parse_override("NaN", "x").is_err());
        assert!(
            matches!(parse_override("0.2", " "), Err(AppError::Field { field, .. }) if field == "reason")
        );
    }

    #[test]
    fn list_query_parses() {
        let q = ReplyQuery {
            sentiment: Some("negative".into()),
            action: Some("gift".into()),
            ..Default::default()
        };
        let f = q.parse().unwrap();
        assert_eq!(
            (f.sentiment, f.action),
            (Some(SentimentLabel::Negative), Some(ActionKind::Gift))
        );
        assert!(ReplyQuery {
            sentiment: Some("meh".into()),
            ..Default::default()
        }
        .parse()
        .is_err());
    }
}
