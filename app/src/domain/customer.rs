//! What a person may write about a customer.

use super::{parse_amount, parse_currency, valid_email, when, Money};
use crate::error::AppError;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerDraft {
    pub external_ref: String,
    pub name: String,
    pub email: Option<String>,
    pub plan: String,
    pub monthly_revenue: Money,
    pub signed_up_at: i64,
}

/// The customer form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerForm {
    pub external_ref: String,
    pub name: String,
    pub email: String,
    pub plan: String,
    pub monthly_revenue: String,
    pub currency: String,
    /// A date, `2026-11-20`.
    pub signed_up_at: String,
}

impl CustomerForm {
    /// Every field with what was typed, to show the form again.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("external_ref", self.external_ref.clone()),
            ("name", self.name.clone()),
            ("email", self.email.clone()),
            ("plan", self.plan.clone()),
            ("monthly_revenue", self.monthly_revenue.clone()),
            ("currency", self.currency.clone()),
            ("signed_up_at", self.signed_up_at.clone()),
        ]
    }

    pub fn parse(&self) -> Result<CustomerDraft, AppError> {
        let external_ref = self.external_ref.trim().to_string();
        if external_ref.is_empty()
            || external_ref.chars().count() > 200
            || external_ref
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(AppError::field(
                "external_ref",
                "The ref is their id in your own systems: one word, up to 200 characters.",
            ));
        }
        let name = self.name.trim().to_string();
        if name.chars().count() > 200 {
            return Err(AppError::field(
                "name",
                "Keep the name under 200 characters.",
            ));
        }
        let email = match self.email.trim().to_lowercase() {
            e if e.is_empty() => None,
            e if valid_email(&e) => Some(e),
            _ => {
                return Err(AppError::field(
                    "email",
                    "Enter an email address like ada@example.com, or leave it empty.",
                ))
            }
        };
        let plan = match self.plan.trim() {
            "" => "unknown".to_string(),
            p if p.chars().count() > 60 => {
                return Err(AppError::field(
                    "plan",
                    "Keep the plan under 60 characters.",
                ))
            }
            p => p.to_string(),
        };
        let currency = parse_currency(if self.currency.trim().is_empty() {
            "USD"
        } else {
            &self.currency
        })
        .map_err(|m| AppError::field("currency", m))?;
        let revenue = parse_amount(&self.monthly_revenue, &currency)
            .map_err(|m| AppError::field("monthly_revenue", m))?;
        let signed_up_at =
            when::parse_date(&self.signed_up_at).map_err(|m| AppError::field("signed_up_at", m))?;
        Ok(CustomerDraft {
            external_ref,
            name,
            email,
            plan,
            monthly_revenue: Money::new(revenue, currency),
            signed_up_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> CustomerForm {
        CustomerForm {
            external_ref: " C-1 ".into(),
            name: "Ada".into(),
            email: "ADA@x.io".into(),
            plan: "".into(),
            monthly_revenue: "49.00".into(),
            currency: "eur".into(),
            signed_up_at: "2025-01-31".into(),
        }
    }

    #[test]
    fn a_customer_parses_with_defaults() {
        let d = form().parse().unwrap();
        assert_eq!(d.external_ref, "C-1");
        assert_eq!(d.email.as_deref(), Some("ada@x.io"));
        assert_eq!(d.plan, "unknown");
        assert_eq!(d.monthly_revenue, Money::new(4900, "EUR"));
    }

    #[test]
    fn bad_fields_are_named() {
        let field = |f: CustomerForm| match f.parse() {
            Err(AppError::Field { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(CustomerForm {
                external_ref: "a b".into(),
                ..form()
            }),
            "external_ref"
        );
        assert_eq!(
            field(CustomerForm {
                email: "nope".into(),
                ..form()
            }),
            "email"
        );
        assert_eq!(
            field(CustomerForm {
                monthly_revenue: "-1".into(),
                ..form()
            }),
            "monthly_revenue"
        );
        assert_eq!(
            field(CustomerForm {
                signed_up_at: "31/01/2025".into(),
                ..form()
            }),
            "signed_up_at"
        );
    }
}
