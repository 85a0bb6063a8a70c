//! "New incident": the form that opens one. Works without JS (a plain POST that redirects
//! to the new incident, or back here with the field's message); with JS the form is an
//! island that stays on the page, as typed, when refused.

use crate::api::incidents::{list_people, CreateIncident};
use crate::api::session::{can_edit, whoami};
use crate::components::forms::{form_msg, typed, FormError};
use crate::components::incident_fields::IncidentFields;
use crate::components::states::{ErrorNotice, Loading};
use crate::domain::incident::IncidentForm;
use crate::domain::when;
use crate::domain::Person;
use crate::pages::forbidden::ForbiddenPage;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NewIncidentPage() -> impl IntoView {
    let people = Resource::new(|| (), |_| list_people());
    let me = Resource::new(|| (), |_| whoami());
    let now = (now_ms() / 60_000) * 60_000;
    view! {
        <Title text="New incident"/>
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/incidents">"← All incidents"</a></nav>
        <header class="page-head">
            <h1>"New incident"</h1>
            <p class="lede">"Record it now, refine it later: a title, what kind, how bad and when it started is enough."</p>
        </header>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                if !can_edit(me.await) {
                    return view! { <ForbiddenPage needed=crate::domain::Role::Editor/> }.into_any();
                }
                match people.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(people) => view! {
                        <section class="panel narrow">
                            <NewIncidentForm initial=typed_incident(now) people/>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The form: on success the server function sends the browser to the new incident.
#[island]
fn NewIncidentForm(initial: IncidentForm, people: Vec<Person>) -> impl IntoView {
    let create = ServerAction::<CreateIncident>::new();
    let error = Signal::derive(move || create.value().get().and_then(|r| r.err()));
    view! {
        <ActionForm action=create attr:class="form">
            <FormError message=form_msg(create.value())/>
            <IncidentFields initial people error prefix="new"/>
            <div class="form-actions">
                <button type="submit" class="button primary">"Open incident"</button>
                <a href="/incidents" class="button subtle">"Cancel"</a>
            </div>
        </ActionForm>
    }
}

/// The form as it was typed before a refused no-JavaScript post, else sensible defaults.
fn typed_incident(now: i64) -> IncidentForm {
    let or = |f: &str, d: String| typed(f).unwrap_or(d);
    IncidentForm {
        title: or("title", String::new()),
        description: or("description", String::new()),
        kind: or("kind", "outage".into()),
        severity: or("severity", "sev2".into()),
        started_at: or("started_at", when::to_input(now)),
        detected_at: or("detected_at", String::new()),
        resolved_at: String::new(),
        owner_id: or("owner_id", String::new()),
    }
}

/// Now, in epoch ms (the page is drawn on the server; the wasm build reads the browser's clock).
fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        when::now_ms()
    }
}
