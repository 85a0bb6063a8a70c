//! Giving recovery actions: the form (one customer, or all / a filtered set of an incident's
//! affected customers at once) and the apology note with merge fields.

use super::{parse_amount, parse_currency, when, ActionKind, Channel, Money};
use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// Which of the incident's affected customers receive the action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionTarget {
    /// Every affected customer.
    All,
    /// Those who have not been given anything for this incident yet.
    Uncontacted,
    /// Those who have not yet been given this kind of action for this incident.
    WithoutThisKind,
    /// Those who have not churned.
    Active,
    /// One customer.
    Customer(i64),
    /// These customers (the REST API names them), each of whom must be affected.
    Customers(Vec<i64>),
}

/// At most this many named customers in one giving.
pub const MAX_NAMED: usize = 5000;

impl ActionTarget {
    pub const CHOICES: &'static [(&'static str, &'static str)] = &[
        ("all", "Every affected customer"),
        ("uncontacted", "Only those given nothing yet"),
        ("without_kind", "Only those not yet given this kind"),
        ("active", "Only those who have not churned"),
    ];

    pub fn parse(s: &str) -> Result<Self, AppError> {
        let bad = || AppError::field("target", "Choose who receives it.");
        match s.trim() {
            "all" => Ok(Self::All),
            "uncontacted" => Ok(Self::Uncontacted),
            "without_kind" => Ok(Self::WithoutThisKind),
            "active" => Ok(Self::Active),
            other => other
                .strip_prefix("customer:")
                .and_then(|id| id.parse::<i64>().ok())
                .filter(|id| *id > 0)
                .map(Self::Customer)
                .ok_or_else(bad),
        }
    }
}

/// A valid action, ready to be given to each target customer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionDraft {
    pub kind: ActionKind,
    pub value: Money,
    pub cost: Money,
    pub channel: Channel,
    /// An apology template; merge fields are filled in per customer when saved.
    pub note: String,
    pub given_at: i64,
}

/// The action form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionForm {
    pub kind: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub cost: String,
    pub currency: String,
    pub channel: String,
    #[serde(default)]
    pub note: String,
    /// Empty means now.
    #[serde(default)]
    pub given_at: String,
}

impl ActionForm {
    pub fn parse(&self, now: i64) -> Result<ActionDraft, AppError> {
        let kind = ActionKind::parse(&self.kind)
            .map_err(|_| AppError::field("kind", "Choose what to give."))?;
        let channel = Channel::parse(&self.channel)
            .map_err(|_| AppError::field("channel", "Choose how it reaches them."))?;
        let currency =
            parse_currency(&self.currency).map_err(|m| AppError::field("currency", m))?;
        let value =
            parse_amount(&self.value, &currency).map_err(|m| AppError::field("value", m))?;
        let cost = parse_amount(&self.cost, &currency).map_err(|m| AppError::field("cost", m))?;
        let note = self.note.trim().to_string();
        if note.chars().count() > 5000 {
            return Err(AppError::field(
                "note",
                "The note is limited to 5,000 characters.",
            ));
        }
        super::text::check(&note).map_err(|m| AppError::field("note", m))?;
        check_template(&note).map_err(|m| AppError::field("note", m))?;
        let given_at = when::parse_optional(&self.given_at)
            .map_err(|m| AppError::field("given_at", m))?
            .unwrap_or(now);
        Ok(ActionDraft {
            kind,
            value: Money::new(value, currency.clone()),
            cost: Money::new(cost, currency),
            channel,
            note,
            given_at,
        })
    }
}

/// The merge fields an apology note may use.
pub const MERGE_FIELDS: &[(&str, &str)] = &[
    ("{name}", "the customer's name"),
    ("{first_name}", "the first word of their name"),
    ("{incident}", "the incident's title"),
    ("{credit}", "the credit (and refund) they were given for it"),
];

/// The note most teams start from.
pub const DEFAULT_APOLOGY: &str = "Hi {first_name},\n\nWe noticed that {incident} affected you, and we are sorry. \
We have added {credit} to your account; there is nothing you need to do.\n\nThank you for bearing with us.";

/// Refuse a template with a `{field}` we do not know, naming it.
pub fn check_template(t: &str) -> Result<(), String> {
    let mut rest = t;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let field = &rest[start..start + len + 1];
        if !MERGE_FIELDS.iter().any(|(f, _)| *f == field) {
            let known: Vec<&str> = MERGE_FIELDS.iter().map(|(f, _)| *f).collect();
            return Err(format!(
                "{field} is not a merge field; use {}.",
                known.join(", ")
            ));
        }
        rest = &rest[start + len + 1..];
    }
    Ok(())
}

/// What a merge field is filled with, for one customer.
pub struct MergeValues<'a> {
    pub name: &'a str,
    pub incident: &'a str,
    /// Credits and refunds already given for this incident, per currency.
    pub credit: &'a [Money],
}

/// At most this much filled-in text in one mail merge, every customer's note together: the
/// merge is built in memory to answer one request.
pub const MAX_MERGE_BYTES: usize = 16 * 1024 * 1024;

/// Why a mail merge is refused as too large, for the template field.
pub fn merge_too_large(customers: usize) -> String {
    format!(
        "Filled in for {customers} customers, the notes come to more than {} MB; shorten the note or use fewer merge fields.",
        MAX_MERGE_BYTES / (1024 * 1024)
    )
}

/// Fill in the merge fields. A customer with no credit reads "a credit" rather than nothing.
pub fn render_note(template: &str, v: &MergeValues) -> String {
    let first = v.name.split_whitespace().next().unwrap_or(v.name);
    let credit = if v.credit.iter().all(|m| m.minor == 0) {
        "a credit".to_string()
    } else {
        v.credit
            .iter()
            .filter(|m| m.minor != 0)
            .map(Money::display)
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let fills = [
        (
            "{first_name}",
            if first.is_empty() { "there" } else { first },
        ),
        ("{name}", if v.name.is_empty() { "there" } else { v.name }),
        ("{incident}", v.incident),
        ("{credit}", credit.as_str()),
    ];
    // One pass over the template, so a value goes in as it is: a name or an incident title
    // that itself reads like a merge field is not filled in again.
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        match fills.iter().find(|(field, _)| tail.starts_with(field)) {
            Some((field, value)) => {
                out.push_str(value);
                rest = &tail[field.len()..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ActionForm {
        ActionForm {
            kind: "credit".into(),
            value: "25".into(),
            cost: "25.00".into(),
            currency: "usd".into(),
            channel: "email".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_credit_parses_with_now_as_default_time() {
        let d = form().parse(1_000).unwrap();
        assert_eq!(
            (d.kind, d.value.minor, d.cost.currency.as_str(), d.given_at),
            (ActionKind::Credit, 2500, "USD", 1_000)
        );
    }

    #[test]
    fn bad_fields_are_named() {
        let field = |f: ActionForm| match f.parse(0) {
            Err(AppError::Field { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(ActionForm {
                kind: "hug".into(),
                ..form()
            }),
            "kind"
        );
        assert_eq!(
            field(ActionForm {
                value: "-3".into(),
                ..form()
            }),
            "value"
        );
        assert_eq!(
            field(ActionForm {
                cost: "2.345".into(),
                ..form()
            }),
            "cost"
        );
        assert_eq!(
            field(ActionForm {
                currency: "dollars".into(),
                ..form()
            }),
            "currency"
        );
        assert_eq!(
            field(ActionForm {
                channel: "pigeon".into(),
                ..form()
            }),
            "channel"
        );
        assert_eq!(
            field(ActionForm {
                note: "Hi {nmae}".into(),
                ..form()
            }),
            "note"
        );
        assert_eq!(
            field(ActionForm {
                given_at: "soon".into(),
                ..form()
            }),
            "given_at"
        );
    }

    #[test]
    fn targets_parse() {
        assert_eq!(
            ActionTarget::parse("uncontacted"),
            Ok(ActionTarget::Uncontacted)
        );
        assert_eq!(
            ActionTarget::parse("customer:42"),
            Ok(ActionTarget::Customer(42))
        );
        assert!(ActionTarget::parse("customer:-1").is_err());
        assert!(ActionTarget::parse("everyone").is_err());
    }

    #[test]
    fn notes_merge_per_customer() {
        let credit = [Money::new(2500, "USD"), Money::new(500, "EUR")];
        let v = MergeValues {
            name: "Ada Lovelace",
            incident: "the checkout outage",
            credit: &credit,
        };
        assert_eq!(
            render_note("Hi {first_name} ({name}): {incident}, {credit}.", &v),
            "Hi Ada (Ada Lovelace): the checkout outage, $25.00 + €5.00."
        );
        let none = MergeValues {
            name: "",
            incident: "x",
            credit: &[],
        };
        assert_eq!(
            render_note("Hi {first_name}, {credit}", &none),
            "Hi there, a credit"
        );
        assert!(check_template(DEFAULT_APOLOGY).is_ok());
        assert!(check_template("{first_name} {oops}")
            .unwrap_err()
            .contains("{oops}"));
        assert!(check_template("an unclosed { brace").is_ok());
    }
}
