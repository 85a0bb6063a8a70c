//! Small coloured labels: severity, status, sentiment.

use crate::domain::{IncidentStatus, SentimentLabel, Severity};
use crate::format;
use leptos::prelude::*;

#[component]
pub fn SeverityBadge(severity: Severity) -> impl IntoView {
    view! { <span class=format!("badge sev sev-{}", severity.code())>{severity.label()}</span> }
}

#[component]
pub fn StatusBadge(status: IncidentStatus) -> impl IntoView {
    view! { <span class=format!("badge status status-{}", status.code())>{status.label()}</span> }
}

/// The effective score with its label; marks a manual override.
#[component]
pub fn SentimentBadge(score: f64, #[prop(optional)] overridden: bool) -> impl IntoView {
    let label = SentimentLabel::of(score);
    let title = if overridden {
        "Set by a person (the automatic score is kept)"
    } else {
        "Scored automatically (VADER compound)"
    };
    view! {
        <span class=format!("badge sentiment sentiment-{}", label.code()) title=title>
            {label.label()}
            " "
            <span class="score">{format::score(score)}</span>
            {overridden.then_some(" ✎")}
        </span>
    }
}

/// "Active", or "Churned <date>".
#[component]
pub fn ChurnBadge(churned_at: Option<i64>) -> impl IntoView {
    match churned_at {
        Some(t) => {
            view! { <span class="badge churned">{format!("Churned {}", format::date(t))}</span> }
                .into_any()
        }
        None => view! { <span class="badge active">"Active"</span> }.into_any(),
    }
}
