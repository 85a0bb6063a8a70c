//! The incident's editable fields, shared by "New incident" and the edit panel.

use crate::components::forms::{options, FieldError};
use crate::domain::incident::IncidentForm;
use crate::domain::{IncidentKind, Person, Severity};
use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn IncidentFields(
    initial: IncidentForm,
    people: Vec<Person>,
    /// The last save's error, if any; its field message is shown next to the field.
    #[prop(into)]
    error: Signal<Option<AppError>>,
    /// Show the resolved time (only a resolved incident has one).
    #[prop(optional)]
    resolved: bool,
    /// Prefix for element ids, so two forms can share a page.
    #[prop(into)]
    prefix: String,
) -> impl IntoView {
    let msg = move |field: &'static str| {
        Signal::derive(move || error.get().and_then(|e| e.for_field(field)))
    };
    let id = |f: &str| format!("{prefix}-{f}");
    let err = |f: &str| format!("{prefix}-{f}-error");
    view! {
        <label for=id("title")>"Title"</label>
        <input id=id("title") name="title" required maxlength="200" value=initial.title.clone()
            placeholder="Checkout fails for EU cards" aria-describedby=err("title")/>
        <FieldError message=msg("title") id=err("title")/>

        <div class="field-row">
            <div>
                <label for=id("kind")>"Kind"</label>
                <select id=id("kind") name="kind" aria-describedby=err("kind")>
                    {options(IncidentKind::ALL.iter().map(|k| (k.code(), k.label())).collect(), initial.kind.clone())}
                </select>
                <FieldError message=msg("kind") id=err("kind")/>
            </div>
            <div>
                <label for=id("severity")>"Severity"</label>
                <select id=id("severity") name="severity" aria-describedby=err("severity")>
                    {options(
                        Severity::ALL.iter().map(|s| (s.code(), match s {
                            Severity::Sev1 => "SEV1 — critical, many customers",
                            Severity::Sev2 => "SEV2 — major",
                            Severity::Sev3 => "SEV3 — minor",
                            Severity::Sev4 => "SEV4 — cosmetic",
                        })).collect(),
                        initial.severity.clone(),
                    )}
                </select>
                <FieldError message=msg("severity") id=err("severity")/>
            </div>
            <div>
                <label for=id("owner")>"Owner"</label>
                <select id=id("owner") name="owner_id" aria-describedby=err("owner_id")>
                    <option value="" selected=initial.owner_id.is_empty()>"Unassigned"</option>
                    {people.into_iter().map(|p| {
                        let v = p.id.to_string();
                        let selected = v == initial.owner_id;
                        view! { <option value=v selected=selected>{p.name}</option> }
                    }).collect_view()}
                </select>
                <FieldError message=msg("owner_id") id=err("owner_id")/>
            </div>
        </div>

        <div class="field-row">
            <div>
                <label for=id("started")>"Started (UTC)"</label>
                <input id=id("started") name="started_at" type="datetime-local" required value=initial.started_at.clone()
                    aria-describedby=err("started_at")/>
                <FieldError message=msg("started_at") id=err("started_at")/>
            </div>
            <div>
                <label for=id("detected")>"Detected (UTC)"</label>
                <input id=id("detected") name="detected_at" type="datetime-local" value=initial.detected_at.clone()
                    aria-describedby=err("detected_at")/>
                <p class="hint">"Empty means when it started."</p>
                <FieldError message=msg("detected_at") id=err("detected_at")/>
            </div>
            {resolved.then(|| view! {
                <div>
                    <label for=id("resolved")>"Resolved (UTC)"</label>
                    <input id=id("resolved") name="resolved_at" type="datetime-local" required value=initial.resolved_at.clone()
                        aria-describedby=err("resolved_at")/>
                    <FieldError message=msg("resolved_at") id=err("resolved_at")/>
                </div>
            })}
        </div>

        <label for=id("description")>"What happened"</label>
        <textarea id=id("description") name="description" rows="4" maxlength="20000"
            placeholder="Who noticed, what customers saw, what we know so far."
            aria-describedby=err("description")>{initial.description.clone()}</textarea>
        <FieldError message=msg("description") id=err("description")/>
    }
}
