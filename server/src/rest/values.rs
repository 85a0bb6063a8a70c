//! How values look on the wire: instants as RFC 3339 in UTC, money as a decimal string with
//! its currency (lossless, and the same shape going in and coming out).

use super::problem::Problem;
use app::domain::Money;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use utoipa::ToSchema;

/// An amount of money: a decimal string in the currency's units, and an ISO 4217 code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"amount": "25.00", "currency": "EUR"}))]
pub struct Amount {
    /// Like `25`, `25.5` or `25.00`; at most as many decimals as the currency has.
    pub amount: String,
    /// Three letters, e.g. `USD`.
    pub currency: String,
}

impl From<&Money> for Amount {
    fn from(m: &Money) -> Self {
        let scale = Money::scale(&m.currency);
        let (abs, sign) = (m.minor.unsigned_abs(), if m.minor < 0 { "-" } else { "" });
        let major = abs / scale as u64;
        let amount = match scale {
            1 => format!("{sign}{major}"),
            1000 => format!("{sign}{major}.{:03}", abs % 1000),
            _ => format!("{sign}{major}.{:02}", abs % scale as u64),
        };
        Amount {
            amount,
            currency: m.currency.clone(),
        }
    }
}

/// `2026-11-20T14:05:00.000Z`: RFC 3339 in UTC, always with milliseconds (as JavaScript's
/// `toISOString` writes it), so every instant has one spelling.
pub fn instant(ms: i64) -> String {
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .filter(|t| (0..=9999).contains(&t.year()))
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_default()
}

pub fn instant_opt(ms: Option<i64>) -> Option<String> {
    ms.map(instant)
}

/// An instant sent by a script: RFC 3339 with any offset (`2026-11-20T15:05:00+01:00`), or a
/// UTC `2026-11-20 14:05`, or a date (its UTC midnight).
pub fn parse_instant(field: &str, s: &str) -> Result<i64, Problem> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        let ms = t.unix_timestamp_nanos() / 1_000_000;
        return i64::try_from(ms).map_err(|_| out_of_range(field));
    }
    app::domain::when::parse_input(s)
        .or_else(|_| app::domain::when::parse_date(s))
        .map_err(|_| {
            Problem::invalid(
                field,
                format!("{field} must be RFC 3339, like 2026-11-20T14:05:00Z, or a date like 2026-11-20."),
            )
        })
        .and_then(|ms| {
            // Years past 9999 cannot be written back out.
            if instant(ms).is_empty() {
                Err(out_of_range(field))
            } else {
                Ok(ms)
            }
        })
}

fn out_of_range(field: &str) -> Problem {
    Problem::invalid(field, format!("{field} is out of range."))
}

/// The same instant as the forms type it (`2026-11-20T14:05:30`, UTC, whole seconds), so API
/// input goes through the forms' own validation; callers put the exact milliseconds back
/// into the parsed draft.
pub fn form_time(ms: i64) -> String {
    let t = instant(ms.div_euclid(1000) * 1000);
    t.trim_end_matches(".000Z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_round_trip_in_utc() {
        // 2026-11-20 14:05 UTC.
        let ms = 1_795_183_500_000;
        assert_eq!(instant(ms), "2026-11-20T14:05:00.000Z");
        assert_eq!(instant(ms + 250), "2026-11-20T14:05:00.250Z");
        assert_eq!(parse_instant("at", "2026-11-20T14:05:00Z"), Ok(ms));
        assert!(parse_instant("at", "9999-12-31T23:59:59Z").is_ok());
        assert!(parse_instant("at", "+10000-01-01").is_err());
        assert_eq!(parse_instant("at", "2026-11-20T15:05:00+01:00"), Ok(ms));
        assert_eq!(parse_instant("at", "2026-11-20 14:05"), Ok(ms));
        assert_eq!(
            parse_instant("at", "2026-11-20"),
            Ok(ms - 14 * 3_600_000 - 5 * 60_000)
        );
        assert_eq!(form_time(ms), "2026-11-20T14:05:00");
        assert_eq!(form_time(ms + 30_123), "2026-11-20T14:05:30");
        assert_eq!(
            app::domain::when::parse_input(&form_time(ms + 30_000)),
            Ok(ms + 30_000)
        );
        assert_eq!(
            parse_instant("at", "soon").unwrap_err().field.as_deref(),
            Some("at")
        );
    }

    #[test]
    fn amounts_keep_the_currency_scale() {
        assert_eq!(Amount::from(&Money::new(2550, "EUR")).amount, "25.50");
        assert_eq!(Amount::from(&Money::new(1200, "JPY")).amount, "1200");
        assert_eq!(Amount::from(&Money::new(1005, "KWD")).amount, "1.005");
        assert_eq!(Amount::from(&Money::new(5, "USD")).amount, "0.05");
    }
}

/// The schemas of the API's code fields: string enums made from the domain's own lists, so
/// the document names every allowed value and cannot drift from them.
pub mod codes {
    use app::domain::{
        ActionKind, AffectedSource, Channel, IncidentKind, IncidentStatus, Severity,
    };
    use utoipa::openapi::{Object, ObjectBuilder, Type};

    fn one_of<'a>(codes: impl IntoIterator<Item = &'a str>) -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(codes.into_iter().collect::<Vec<_>>()))
            .build()
    }

    pub fn incident_kind() -> Object {
        one_of(IncidentKind::ALL.iter().map(|k| k.code()))
    }
    pub fn severity() -> Object {
        one_of(Severity::ALL.iter().map(|k| k.code()))
    }
    pub fn status() -> Object {
        one_of(IncidentStatus::ALL.iter().map(|k| k.code()))
    }
    pub fn action_kind() -> Object {
        one_of(ActionKind::ALL.iter().map(|k| k.code()))
    }
    pub fn channel() -> Object {
        one_of(Channel::ALL.iter().map(|k| k.code()))
    }
    pub fn source() -> Object {
        one_of(AffectedSource::ALL.iter().map(|k| k.code()))
    }
    pub fn sentiment_label() -> Object {
        one_of(["positive", "neutral", "negative"])
    }
    pub fn target() -> Object {
        one_of(["all", "uncontacted", "without_kind", "active"])
    }
}
