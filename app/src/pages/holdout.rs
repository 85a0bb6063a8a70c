//! Giving with a holdout, step two: how many get the action and how many are held out,
//! what they get, and the button that does it. The incident's give form leads here (its
//! fields in the query), so it works without JavaScript.

use crate::api::actions::GiveActions;
use crate::api::experiments::preview_holdout;
use crate::api::session::{can_edit, whoami};
use crate::components::forms::{form_msg, FormError};
use crate::components::states::{ErrorNotice, Loading};
use crate::domain::ActionKind;
use crate::domain::Channel;
use crate::error::AppError;
use crate::pages::forbidden::ForbiddenPage;
use crate::pages::not_found::NotFoundPage;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The give form's fields, carried through the confirmation as they were typed.
const FIELDS: &[&str] = &[
    "target", "kind", "value", "cost", "currency", "channel", "note", "given_at", "holdout",
    "control",
];

#[component]
pub fn HoldoutPage() -> impl IntoView {
    let query = use_query_map();
    let id = super::positive_id();
    let field = move |k: &str| query.read().get(k).unwrap_or_default();
    let preview = Resource::new(
        move || {
            (
                id(),
                field("target"),
                field("kind"),
                field("holdout"),
                field("control"),
            )
        },
        |(id, target, kind, holdout, control)| async move {
            match id {
                // Reached without the give form's choices: nothing to show but the way back.
                Some(_) if holdout.trim().is_empty() => Err(AppError::field(
                    "holdout",
                    "Choose a share to hold out in the incident's “Give a recovery action” form first.",
                )),
                Some(id) => preview_holdout(id, target, kind, holdout, Some(control)).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let me = Resource::new(|| (), |_| whoami());
    let action = ServerAction::<GiveActions>::new();
    let value = action.value();

    view! {
        <Title text="Give with a holdout"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                if !can_edit(me.await) {
                    return view! { <ForbiddenPage needed=crate::domain::Role::Editor/> }.into_any();
                }
                let p = match preview.await {
                    Ok(p) => p,
                    Err(AppError::NotFound) => return view! { <NotFoundPage/> }.into_any(),
                    Err(e) => {
                        let back = id().map(|i| format!("/incidents/{i}#actions-h")).unwrap_or_else(|| "/incidents".into());
                        let message = match &e {
                            AppError::Field { message, .. } => message.clone(),
                            _ => String::new(),
                        };
                        return if message.is_empty() {
                            view! { <ErrorNotice error=e/> }.into_any()
                        } else {
                            view! {
                                <header class="page-head"><h1>"Give with a holdout"</h1></header>
                                <p class="notice notice-error" role="alert">{message}</p>
                                <p><a class="button" href=back>"Back to the incident"</a></p>
                            }.into_any()
                        };
                    }
                };
                let incident = p.incident_id;
                let kind = ActionKind::parse(&field("kind")).map(|k| k.label()).unwrap_or("");
                let channel = Channel::parse(&field("channel")).map(|c| c.label()).unwrap_or("");
                let amount = |k: &str| {
                    let v = field(k);
                    if v.trim().is_empty() { "—".to_string() } else { format!("{} {}", v.trim(), field("currency").to_uppercase()) }
                };
                let note = field("note");
                let control = p.control.map_or("Nothing from this action".to_string(), |c| format!("{} only, with no value, cost or note", c.label()));
                view! {
                    <nav class="crumbs" aria-label="Breadcrumb"><a href=format!("/incidents/{incident}")>{format!("← {}", p.incident_title)}</a></nav>
                    <header class="page-head">
                        <h1>"Give with a holdout"</h1>
                        <p class="lede" id="holdout-summary">{p.sentence()}</p>
                    </header>
                    <section class="panel" aria-labelledby="holdout-h">
                        <h2 id="holdout-h">"Check before you give"</h2>
                        <dl class="facts">
                            <div><dt>"Selected"</dt><dd>{crate::format::count(p.selected as i64)}</dd></div>
                            <div><dt>{format!("Get {}", kind.to_lowercase())}</dt><dd>{crate::format::count(p.treated as i64)}</dd></div>
                            <div><dt>{format!("Held out ({} %)", p.share_pct)}</dt><dd>{crate::format::count(p.held_out as i64)}</dd></div>
                            <div><dt>"Held-out customers get"</dt><dd>{control}</dd></div>
                            <div><dt>"Value to them"</dt><dd>{amount("value")}</dd></div>
                            <div><dt>"Cost to us"</dt><dd>{amount("cost")}</dd></div>
                            <div><dt>"Channel"</dt><dd>{channel}</dd></div>
                        </dl>
                        {(!note.trim().is_empty()).then(|| view! { <p class="muted small">"Note: "{note.clone()}</p> })}
                        <p class="muted small">
                            "Who is held out is drawn at random when you confirm; the draw's seed is kept with the experiment, "
                            "so it can be checked. Comparing the two arms tells what the action itself does, which comparing "
                            "customers the team chose to give it to cannot."
                        </p>
                        <ActionForm action attr:class="form">
                            <FormError message=form_msg(value)/>
                            <input type="hidden" name="incident" value=incident.to_string()/>
                            {FIELDS.iter().map(|k| view! { <input type="hidden" name=*k value=field(k)/> }).collect_view()}
                            <input type="hidden" name="confirmed" value="yes"/>
                            <div class="form-actions">
                                <button type="submit" class="button primary">{format!("Give to {} and hold out {}", crate::format::count(p.treated as i64), crate::format::count(p.held_out as i64))}</button>
                                <a class="button" href=format!("/incidents/{incident}#actions-h")>"Cancel"</a>
                            </div>
                        </ActionForm>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}
