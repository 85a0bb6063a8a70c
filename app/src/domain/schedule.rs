//! The weekly report sent by itself: when (a weekday and hour in the team's time zone), to
//! whom (e-mail recipients, a Slack-compatible incoming webhook), and what each delivery
//! did.

use super::week::IsoWeek;
use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// At most this many e-mail recipients.
pub const MAX_RECIPIENTS: usize = 20;
/// Retried this many times in all before a scheduled delivery is left failed.
pub const MAX_ATTEMPTS: i64 = 5;

pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The schedule as kept. The Slack address is a secret: only its end is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSchedule {
    pub enabled: bool,
    /// ISO weekday, Monday = 1.
    pub weekday: u8,
    pub hour: u8,
    pub recipients: Vec<String>,
    /// `…/abcd`: the last characters of the webhook address, when one is set.
    pub slack_hint: Option<String>,
    /// The team's time zone the weekday and hour are in.
    pub zone: String,
    /// Whether this server can send e-mail (an SMTP server and a sender are set).
    pub email_ready: bool,
}

impl ReportSchedule {
    /// "Mondays at 09:00 (Europe/Berlin)"
    pub fn when(&self) -> String {
        format!(
            "{}s at {:02}:00 ({})",
            WEEKDAYS[usize::from(self.weekday.clamp(1, 7)) - 1],
            self.hour,
            self.zone
        )
    }
}

/// What an admin saves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleDraft {
    pub enabled: bool,
    pub weekday: u8,
    pub hour: u8,
    pub recipients: Vec<String>,
    /// `Keep` leaves the webhook as it is; `Set` replaces it; `Remove` clears it.
    pub slack: SlackChange,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SlackChange {
    Keep,
    Set(String),
    Remove,
}

/// The last characters of a webhook address, to recognise it by.
pub fn slack_hint(url: &str) -> String {
    let tail: String = url
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("…{tail}")
}

impl ScheduleDraft {
    /// The form as posted: `slack` empty keeps the address, `remove_slack` clears it.
    pub fn parse(
        enabled: bool,
        weekday: &str,
        hour: &str,
        recipients: &str,
        slack: &str,
        remove_slack: bool,
    ) -> Result<ScheduleDraft, AppError> {
        let weekday = weekday
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|d| (1..=7).contains(d))
            .ok_or_else(|| AppError::field("weekday", "Choose a day of the week."))?;
        let hour = hour
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|h| *h < 24)
            .ok_or_else(|| AppError::field("hour", "Choose an hour from 00 to 23."))?;
        let mut list: Vec<String> = Vec::new();
        for r in recipients
            .split([',', '\n', ';'])
            .map(|r| r.trim().to_lowercase())
            .filter(|r| !r.is_empty())
        {
            if !super::valid_email(&r) {
                return Err(AppError::field(
                    "recipients",
                    format!("“{r}” is not an e-mail address like lead@example.com."),
                ));
            }
            if !list.contains(&r) {
                list.push(r);
            }
        }
        if list.len() > MAX_RECIPIENTS {
            return Err(AppError::field(
                "recipients",
                format!("At most {MAX_RECIPIENTS} recipients; use a team list for more."),
            ));
        }
        let slack = match (slack.trim(), remove_slack) {
            (_, true) => SlackChange::Remove,
            ("", false) => SlackChange::Keep,
            (url, false) => {
                let scheme = url.starts_with("https://") || url.starts_with("http://");
                if !scheme || url.len() > 500 || url.len() < 12 {
                    return Err(AppError::field(
                        "slack",
                        "Paste the incoming webhook's https:// address (at most 500 characters).",
                    ));
                }
                if url.chars().any(char::is_whitespace) {
                    return Err(AppError::field(
                        "slack",
                        "The address cannot contain spaces.",
                    ));
                }
                SlackChange::Set(url.to_string())
            }
        };
        Ok(ScheduleDraft {
            enabled,
            weekday,
            hour,
            recipients: list,
            slack,
        })
    }
}

/// One delivery as the admin page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub id: i64,
    pub week: IsoWeek,
    /// `email` or `slack`.
    pub channel: String,
    pub scheduled: bool,
    /// `sending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub claimed_at: i64,
    pub next_attempt_at: Option<i64>,
    pub sent_at: Option<i64>,
    pub last_error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_is_checked_field_by_field() {
        let d = ScheduleDraft::parse(
            true,
            "1",
            "9",
            "Lead@Example.com, team@example.com\nlead@example.com",
            "",
            false,
        )
        .unwrap();
        assert_eq!(d.recipients, ["lead@example.com", "team@example.com"]);
        assert_eq!(
            (d.weekday, d.hour, d.slack.clone()),
            (1, 9, SlackChange::Keep)
        );
        let field = |r: Result<ScheduleDraft, AppError>| match r {
            Err(AppError::Field { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(ScheduleDraft::parse(true, "8", "9", "", "", false)),
            "weekday"
        );
        assert_eq!(
            field(ScheduleDraft::parse(true, "1", "24", "", "", false)),
            "hour"
        );
        assert_eq!(
            field(ScheduleDraft::parse(true, "1", "9", "nobody", "", false)),
            "recipients"
        );
        assert_eq!(
            field(ScheduleDraft::parse(
                true,
                "1",
                "9",
                "",
                "ftp://hooks.example/x",
                false
            )),
            "slack"
        );
        assert_eq!(
            field(ScheduleDraft::parse(
                true,
                "1",
                "9",
                "",
                "https://hooks.example/a b",
                false
            )),
            "slack"
        );
        assert_eq!(
            ScheduleDraft::parse(true, "1", "9", "", "https://hooks.example/T0/B0/xyz", false)
                .unwrap()
                .slack,
            SlackChange::Set("https://hooks.example/T0/B0/xyz".into())
        );
        assert_eq!(
            ScheduleDraft::parse(true, "1", "9", "", "https://x", true)
                .unwrap()
                .slack,
            SlackChange::Remove
        );
        assert_eq!(slack_hint("https://hooks.example/T0/B0/wxyz"), "…wxyz");
    }
}
