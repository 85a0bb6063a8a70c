//! What a person may write about an incident: the edit form, status changes and the list's
//! filter. Everything is checked here, so the store only ever sees valid values.

use super::{when, IncidentKind, IncidentStatus, Severity};
use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// A valid incident, as created or edited.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentDraft {
    pub title: String,
    pub description: String,
    pub kind: IncidentKind,
    pub severity: Severity,
    pub started_at: i64,
    pub detected_at: i64,
    /// Only for a resolved incident (edited on its page); `None` otherwise.
    pub resolved_at: Option<i64>,
    pub owner_id: Option<i64>,
}

/// The incident form as typed: every field a string, as a browser sends it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IncidentForm {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub kind: String,
    pub severity: String,
    pub started_at: String,
    #[serde(default)]
    pub detected_at: String,
    #[serde(default)]
    pub resolved_at: String,
    #[serde(default)]
    pub owner_id: String,
}

impl IncidentForm {
    /// Check every field; the first problem comes back as a field error. `status` is the
    /// incident's current status (open for a new one): only a resolved incident has a
    /// resolved time. An empty detected time means "when it started".
    pub fn parse(&self, status: IncidentStatus) -> Result<IncidentDraft, AppError> {
        let title = self.title.trim().to_string();
        if title.is_empty() {
            return Err(AppError::field("title", "Give the incident a short title."));
        }
        if title.chars().count() > 200 {
            return Err(AppError::field(
                "title",
                "Keep the title under 200 characters.",
            ));
        }
        super::text::check(&title).map_err(|m| AppError::field("title", m))?;
        let description = self.description.trim().to_string();
        super::text::check(&description).map_err(|m| AppError::field("description", m))?;
        if description.chars().count() > 20_000 {
            return Err(AppError::field(
                "description",
                "The description is limited to 20,000 characters.",
            ));
        }
        let kind = IncidentKind::parse(&self.kind)
            .map_err(|_| AppError::field("kind", "Choose what kind of incident this was."))?;
        let severity = Severity::parse(&self.severity)
            .map_err(|_| AppError::field("severity", "Choose a severity from SEV1 to SEV4."))?;
        let started_at =
            when::parse_input(&self.started_at).map_err(|m| AppError::field("started_at", m))?;
        let detected_at = when::parse_optional(&self.detected_at)
            .map_err(|m| AppError::field("detected_at", m))?
            .unwrap_or(started_at);
        if detected_at < started_at {
            return Err(AppError::field(
                "detected_at",
                "It cannot have been detected before it started.",
            ));
        }
        let resolved_at = match status {
            IncidentStatus::Resolved => {
                let at = when::parse_input(&self.resolved_at)
                    .map_err(|m| AppError::field("resolved_at", m))?;
                if at < started_at {
                    return Err(AppError::field(
                        "resolved_at",
                        "It cannot have been resolved before it started.",
                    ));
                }
                Some(at)
            }
            _ => None,
        };
        let owner_id =
            match self.owner_id.trim() {
                "" => None,
                s => Some(s.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| {
                    AppError::field("owner_id", "Choose an owner from the list.")
                })?),
            };
        Ok(IncidentDraft {
            title,
            description,
            kind,
            severity,
            started_at,
            detected_at,
            resolved_at,
            owner_id,
        })
    }

    /// Every field with what was typed, to show the form again.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("title", self.title.clone()),
            ("description", self.description.clone()),
            ("kind", self.kind.clone()),
            ("severity", self.severity.clone()),
            ("started_at", self.started_at.clone()),
            ("detected_at", self.detected_at.clone()),
            ("owner_id", self.owner_id.clone()),
        ]
    }

    /// The form pre-filled with an incident's current values.
    pub fn from_draft(d: &IncidentDraft) -> Self {
        Self {
            title: d.title.clone(),
            description: d.description.clone(),
            kind: d.kind.code().into(),
            severity: d.severity.code().into(),
            started_at: when::to_input(d.started_at),
            detected_at: when::to_input(d.detected_at),
            resolved_at: d.resolved_at.map(when::to_input).unwrap_or_default(),
            owner_id: d.owner_id.map(|i| i.to_string()).unwrap_or_default(),
        }
    }
}

/// A move along open → mitigated → resolved (or back to open, to reopen).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    pub to: IncidentStatus,
    pub at: i64,
    pub note: String,
}

impl StatusChange {
    pub fn parse(from: IncidentStatus, to: &str, at: &str, note: &str) -> Result<Self, AppError> {
        let to = IncidentStatus::parse(to)
            .map_err(|_| AppError::field("status", "Choose open, mitigated or resolved."))?;
        if to == from {
            return Err(AppError::field(
                "status",
                format!("The incident is already {}.", to.label().to_lowercase()),
            ));
        }
        let at = when::parse_input(at).map_err(|m| AppError::field("at", m))?;
        let note = check_note(note)?;
        Ok(Self { to, at, note })
    }
}

/// A timeline note: trimmed, at most 5,000 characters. Empty is allowed for status changes.
pub fn check_note(note: &str) -> Result<String, AppError> {
    let note = note.trim().to_string();
    if note.chars().count() > 5000 {
        return Err(AppError::field(
            "note",
            "Notes are limited to 5,000 characters.",
        ));
    }
    super::text::check(&note).map_err(|m| AppError::field("note", m))?;
    Ok(note)
}

/// How the incident list is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentSort {
    #[default]
    Newest,
    Oldest,
    Severity,
    MostAffected,
    MostReplies,
}

impl IncidentSort {
    pub const ALL: &'static [(IncidentSort, &'static str, &'static str)] = &[
        (IncidentSort::Newest, "newest", "Newest first"),
        (IncidentSort::Oldest, "oldest", "Oldest first"),
        (IncidentSort::Severity, "severity", "Most severe first"),
        (
            IncidentSort::MostAffected,
            "affected",
            "Most customers affected",
        ),
        (IncidentSort::MostReplies, "replies", "Most replies"),
    ];

    pub fn code(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(s, _, _)| *s == self)
            .map(|x| x.1)
            .unwrap_or("newest")
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(_, c, _)| *c == s.trim())
            .map(|x| x.0)
    }
}

/// The incident list's filter, from the URL. Dates bound the start time: [from, to).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IncidentFilter {
    pub status: Option<IncidentStatus>,
    pub severity: Option<Severity>,
    pub kind: Option<IncidentKind>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub search: Option<String>,
    pub sort: IncidentSort,
}

/// The list's query string, as typed or linked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentQuery {
    pub status: Option<String>,
    pub severity: Option<String>,
    pub kind: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
}

impl IncidentQuery {
    /// Empty values mean "any"; anything else must parse, or the page says which.
    pub fn parse(&self) -> Result<IncidentFilter, AppError> {
        fn given(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        let bad = |m: String| AppError::Invalid(m);
        let date = |v: &Option<String>, name: &str| {
            given(v)
                .map(|s| {
                    when::parse_date(s)
                        .map_err(|_| bad(format!("“{name}” must be a date like 2026-11-20.")))
                })
                .transpose()
        };
        let search = given(&self.q)
            .map(super::text::without_controls)
            .filter(|s| !s.trim().is_empty());
        if search.as_ref().is_some_and(|s| s.chars().count() > 200) {
            return Err(bad("Search is limited to 200 characters.".into()));
        }
        let from = date(&self.from, "From")?;
        // "To" is inclusive for a person: incidents started on that day are in.
        let to = date(&self.to, "To")?.map(|d| d + 86_400_000);
        if let (Some(f), Some(t)) = (from, to) {
            if t <= f {
                return Err(bad("“To” must not be before “From”.".into()));
            }
        }
        Ok(IncidentFilter {
            status: given(&self.status)
                .map(IncidentStatus::parse)
                .transpose()
                .map_err(|e| bad(e.to_string()))?,
            severity: given(&self.severity)
                .map(Severity::parse)
                .transpose()
                .map_err(|e| bad(e.to_string()))?,
            kind: given(&self.kind)
                .map(IncidentKind::parse)
                .transpose()
                .map_err(|e| bad(e.to_string()))?,
            from,
            to,
            search,
            sort: given(&self.sort)
                .and_then(IncidentSort::parse)
                .unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> IncidentForm {
        IncidentForm {
            title: "  Checkout down  ".into(),
            kind: "outage".into(),
            severity: "sev1".into(),
            started_at: "2026-11-20T14:05".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_minimal_form_is_valid_and_detected_defaults_to_start() {
        let d = form().parse(IncidentStatus::Open).unwrap();
        assert_eq!(d.title, "Checkout down");
        assert_eq!(d.detected_at, d.started_at);
        assert_eq!((d.resolved_at, d.owner_id), (None, None));
        assert_eq!(
            IncidentForm::from_draft(&d).parse(IncidentStatus::Open),
            Ok(d)
        );
    }

    #[test]
    fn each_bad_field_is_named() {
        let field = |f: IncidentForm, status| match f.parse(status) {
            Err(AppError::Field { field, .. }) => field,
            other => panic!("expected a field error, got {other:?}"),
        };
        let with = |edit: fn(&mut IncidentForm)| {
            let mut f = form();
            edit(&mut f);
            f
        };
        assert_eq!(
            field(with(|f| f.title = " ".into()), IncidentStatus::Open),
            "title"
        );
        assert_eq!(
            field(with(|f| f.title = "x".repeat(201)), IncidentStatus::Open),
            "title"
        );
        assert_eq!(
            field(with(|f| f.kind = "meteor".into()), IncidentStatus::Open),
            "kind"
        );
        assert_eq!(
            field(with(|f| f.severity = "sev9".into()), IncidentStatus::Open),
            "severity"
        );
        assert_eq!(
            field(
                with(|f| f.started_at = "yesterday".into()),
                IncidentStatus::Open
            ),
            "started_at"
        );
        assert_eq!(
            field(
                with(|f| f.detected_at = "2026-11-20T14:04".into()),
                IncidentStatus::Open
            ),
            "detected_at"
        );
        assert_eq!(field(form(), IncidentStatus::Resolved), "resolved_at");
        assert_eq!(
            field(
                with(|f| f.resolved_at = "2026-11-19T00:00".into()),
                IncidentStatus::Resolved
            ),
            "resolved_at"
        );
        assert_eq!(
            field(with(|f| f.owner_id = "abc".into()), IncidentStatus::Open),
            "owner_id"
        );
    }

    #[test]
    fn status_changes_must_move() {
        let ok = StatusChange::parse(
            IncidentStatus::Open,
            "resolved",
            "2026-11-21T08:00",
            " fixed ",
        )
        .unwrap();
        assert_eq!(
            (ok.to, ok.note.as_str()),
            (IncidentStatus::Resolved, "fixed")
        );
        assert!(StatusChange::parse(IncidentStatus::Open, "open", "2026-11-21T08:00", "").is_err());
        assert!(
            StatusChange::parse(IncidentStatus::Open, "closed", "2026-11-21T08:00", "").is_err()
        );
    }

    #[test]
    fn list_query_parses_and_to_is_inclusive() {
        let q = IncidentQuery {
            status: Some("open".into()),
            from: Some("2026-11-01".into()),
            to: Some("2026-11-01".into()),
            sort: Some("severity".into()),
            q: Some("  ".into()),
            ..Default::default()
        };
        let f = q.parse().unwrap();
        assert_eq!(f.status, Some(IncidentStatus::Open));
        assert_eq!(f.to.unwrap() - f.from.unwrap(), 86_400_000);
        assert_eq!((f.sort, f.search), (IncidentSort::Severity, None));
        let bad = IncidentQuery {
            from: Some("1st Nov".into()),
            ..Default::default()
        };
        assert!(matches!(bad.parse(), Err(AppError::Invalid(m)) if m.contains("From")));
        let backwards = IncidentQuery {
            from: Some("2026-11-02".into()),
            to: Some("2026-11-01".into()),
            ..Default::default()
        };
        assert!(backwards.parse().is_err());
    }
}
