//! What a person may write about a customer, and which of it each role may read.

use super::{
    parse_amount, parse_currency, valid_email, when, CustomerDetail, CustomerRow, Money, Page, Role,
};
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
        super::text::check(&name).map_err(|m| AppError::field("name", m))?;
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
            p => {
                super::text::check(p).map_err(|m| AppError::field("plan", m))?;
                p.to_string()
            }
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

/// Whether `role` sees customers' e-mail addresses whole. They are for the people who write
/// to customers (editors and admins); viewers, and read-scoped API tokens, see them masked
/// and cannot search by them either, or a search would confirm what the mask hides.
pub fn sees_emails(role: Role) -> bool {
    role.allows(Role::Editor)
}

/// An address with enough left to recognise it: `ada@example.com` → `a…@example.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}…@{domain}")
        }
        None => "…".into(),
    }
}

/// An address as `role` may see it.
pub fn email_for(email: String, role: Role) -> String {
    if sees_emails(role) {
        email
    } else {
        mask_email(&email)
    }
}

impl CustomerRow {
    /// The row as `role` may see it (the one rule of `sees_emails`).
    pub fn for_role(self, role: Role) -> Self {
        CustomerRow {
            email: self.email.map(|e| email_for(e, role)),
            ..self
        }
    }
}

impl Page<CustomerRow> {
    /// A page of the customer list as `role` may see it.
    pub fn for_role(self, role: Role) -> Self {
        Page {
            items: self.items.into_iter().map(|c| c.for_role(role)).collect(),
            ..self
        }
    }
}

impl CustomerDetail {
    /// The customer's page as `role` may see it.
    pub fn for_role(self, role: Role) -> Self {
        CustomerDetail {
            customer: self.customer.for_role(role),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(email: Option<&str>) -> CustomerRow {
        CustomerRow {
            id: 1,
            external_ref: "C-1".into(),
            name: "Ada".into(),
            email: email.map(str::to_string),
            plan: "pro".into(),
            monthly_revenue: Money::new(4900, "EUR"),
            signed_up_at: 0,
            churned_at: None,
            incidents: 0,
        }
    }

    #[test]
    fn viewers_see_addresses_masked_and_editors_whole() {
        let seen = |role| row(Some("ada@engine.example")).for_role(role).email;
        assert_eq!(seen(Role::Viewer).as_deref(), Some("a…@engine.example"));
        assert_eq!(seen(Role::Editor).as_deref(), Some("ada@engine.example"));
        assert_eq!(seen(Role::Admin).as_deref(), Some("ada@engine.example"));
        assert_eq!(row(None).for_role(Role::Viewer).email, None);
        assert!(!sees_emails(Role::Viewer));
        assert!(sees_emails(Role::Editor));
    }

    #[test]
    fn a_mask_keeps_one_character_of_any_alphabet_and_the_domain() {
        assert_eq!(mask_email("émile@x.io"), "é…@x.io");
        assert_eq!(mask_email("@x.io"), "…@x.io");
        assert_eq!(mask_email("not an address"), "…");
    }

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
