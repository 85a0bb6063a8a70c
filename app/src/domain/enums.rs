//! Closed sets of the domain. Each is stored as a lowercase code (the same codes appear in
//! the schema's CHECK constraints) and shown with a human label.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A code that is not one of the allowed values; says which field and what was given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field} must be one of {allowed}, not “{given}”")]
pub struct UnknownCode {
    pub field: &'static str,
    pub allowed: String,
    pub given: String,
}

macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal { $($variant:ident => ($code:literal, $label:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// What a person reads.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Parse a stored code (case-insensitive, surrounding spaces ignored).
            pub fn parse(s: &str) -> Result<Self, UnknownCode> {
                let t = s.trim().to_ascii_lowercase();
                match t.as_str() {
                    $($code => Ok($name::$variant),)+
                    _ => Err(UnknownCode {
                        field: $field,
                        allowed: [$($code),+].join(", "),
                        given: s.to_string(),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

code_enum!(
    /// What kind of failure an incident was.
    IncidentKind, "kind" {
        Outage => ("outage", "Outage"),
        Degradation => ("degradation", "Degradation"),
        Bug => ("bug", "Bug"),
        DataLoss => ("data_loss", "Data loss"),
        BillingError => ("billing_error", "Billing error"),
        Security => ("security", "Security"),
        Other => ("other", "Other"),
    }
);

code_enum!(
    /// SEV1 is the worst.
    Severity, "severity" {
        Sev1 => ("sev1", "SEV1"),
        Sev2 => ("sev2", "SEV2"),
        Sev3 => ("sev3", "SEV3"),
        Sev4 => ("sev4", "SEV4"),
    }
);

code_enum!(
    /// open → mitigated → resolved.
    IncidentStatus, "status" {
        Open => ("open", "Open"),
        Mitigated => ("mitigated", "Mitigated"),
        Resolved => ("resolved", "Resolved"),
    }
);

code_enum!(
    /// What a customer was given to make amends.
    ActionKind, "action kind" {
        Credit => ("credit", "Credit"),
        Refund => ("refund", "Refund"),
        Gift => ("gift", "Gift"),
        Apology => ("apology", "Apology"),
        ProactiveContact => ("proactive_contact", "Proactive contact"),
        Discount => ("discount", "Discount"),
        Other => ("other", "Other"),
    }
);

code_enum!(
    /// How an action reached the customer, or how their reply reached us.
    Channel, "channel" {
        Email => ("email", "Email"),
        Phone => ("phone", "Phone"),
        Chat => ("chat", "Chat"),
        InApp => ("in_app", "In-app"),
        Mail => ("mail", "Mail"),
    }
);

code_enum!(
    /// What a team member may do.
    Role, "role" {
        Admin => ("admin", "Admin"),
        Editor => ("editor", "Editor"),
        Viewer => ("viewer", "Viewer"),
    }
);

code_enum!(
    /// How a customer came to be marked affected.
    AffectedSource, "source" {
        Manual => ("manual", "Manual"),
        Import => ("import", "Import"),
        Api => ("api", "API"),
    }
);

code_enum!(
    /// What an API token may do: read, or read and write. A token never does more than its
    /// owner's role allows.
    TokenScope, "scope" {
        Read => ("read", "Read"),
        Write => ("write", "Read and write"),
    }
);

impl TokenScope {
    /// The role a request made with this token acts with: the lesser of the scope and the
    /// owner's current role.
    pub fn cap(self, owner: Role) -> Role {
        match self {
            TokenScope::Read => Role::Viewer,
            TokenScope::Write => owner,
        }
    }
}

impl Role {
    /// Admin can do what an editor can, an editor what a viewer can.
    pub fn allows(self, needed: Role) -> bool {
        let rank = |r: Role| match r {
            Role::Viewer => 0,
            Role::Editor => 1,
            Role::Admin => 2,
        };
        rank(self) >= rank(needed)
    }
}

/// The VADER label of a compound score, with the standard thresholds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SentimentLabel {
    Positive,
    Neutral,
    Negative,
}

impl SentimentLabel {
    pub const POSITIVE_AT: f64 = 0.05;
    pub const NEGATIVE_AT: f64 = -0.05;

    pub fn of(compound: f64) -> Self {
        if compound >= Self::POSITIVE_AT {
            Self::Positive
        } else if compound <= Self::NEGATIVE_AT {
            Self::Negative
        } else {
            Self::Neutral
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Positive => "positive",
            Self::Neutral => "neutral",
            Self::Negative => "negative",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Positive => "Positive",
            Self::Neutral => "Neutral",
            Self::Negative => "Negative",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_for_every_variant() {
        for k in IncidentKind::ALL {
            assert_eq!(IncidentKind::parse(k.code()), Ok(*k));
        }
        for k in ActionKind::ALL {
            assert_eq!(ActionKind::parse(k.code()), Ok(*k));
        }
        for s in Severity::ALL {
            assert_eq!(Severity::parse(&s.code().to_uppercase()), Ok(*s));
        }
    }

    #[test]
    fn unknown_code_names_field_and_choices() {
        let err = Severity::parse("sev9").unwrap_err();
        assert_eq!(
            err.to_string(),
            "severity must be one of sev1, sev2, sev3, sev4, not “sev9”"
        );
    }

    #[test]
    fn roles_are_ordered() {
        assert!(Role::Admin.allows(Role::Editor) && Role::Editor.allows(Role::Viewer));
        assert!(!Role::Viewer.allows(Role::Editor) && !Role::Editor.allows(Role::Admin));
        assert!(Role::Viewer.allows(Role::Viewer));
    }

    #[test]
    fn a_token_never_does_more_than_its_owner() {
        assert_eq!(TokenScope::Read.cap(Role::Admin), Role::Viewer);
        assert_eq!(TokenScope::Write.cap(Role::Viewer), Role::Viewer);
        assert_eq!(TokenScope::Write.cap(Role::Editor), Role::Editor);
        assert_eq!(TokenScope::Write.cap(Role::Admin), Role::Admin);
    }

    #[test]
    fn sentiment_thresholds_are_inclusive() {
        assert_eq!(SentimentLabel::of(0.05), SentimentLabel::Positive);
        assert_eq!(SentimentLabel::of(0.0499), SentimentLabel::Neutral);
        assert_eq!(SentimentLabel::of(-0.05), SentimentLabel::Negative);
        assert_eq!(SentimentLabel::of(-0.0499), SentimentLabel::Neutral);
    }
}
