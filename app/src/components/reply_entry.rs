//! The reply entry form: customer picker with search-as-you-type, incident (preselected from
//! context), channel, time, optional CSAT and the text. Scored with VADER when saved.

use crate::api::customers::list_customers;
use crate::api::replies::CreateReply;
use crate::components::forms::{field_msg, form_msg, reload, typed, FieldError, FormError};
use crate::domain::Channel;
use leptos::form::ActionForm;
use leptos::prelude::*;

/// The form, with what was typed before a refused no-JavaScript post.
#[component]
pub fn ReplyEntry(
    /// The incident the reply is about, when the form sits on an incident's page.
    #[prop(optional)]
    incident: Option<i64>,
) -> impl IntoView {
    let was = |f: &str| typed(f).unwrap_or_default();
    view! {
        <ReplyForm incident customer=was("customer") channel=was("channel") csat=was("csat")
            received_at=was("received_at") body=was("body")/>
    }
}

/// An island: the customer field searches as you type, and a saved reply shows the page
/// afresh (the reply in its list, the form empty for the next one).
#[island]
fn ReplyForm(
    incident: Option<i64>,
    customer: String,
    channel: String,
    csat: String,
    received_at: String,
    body: String,
) -> impl IntoView {
    let action = ServerAction::<CreateReply>::new();
    let (matches, set_matches) = signal(Vec::<(String, String)>::new());
    // Search as you type: ask for matching customers once two characters are typed.
    let search = move |q: String| {
        if q.trim().chars().count() < 2 || q.contains(" — ") {
            return;
        }
        leptos::task::spawn_local(async move {
            if let Ok(p) = list_customers(Some(q), None).await {
                set_matches.set(
                    p.items
                        .into_iter()
                        .map(|c| {
                            let label = match c.email {
                                Some(e) => format!("{} · {e}", c.name),
                                None => c.name,
                            };
                            (format!("{} — {label}", c.external_ref), label)
                        })
                        .collect(),
                );
            }
        });
    };
    let value = action.value();
    // After a save the form empties for the next reply, and the page shows it in its list.
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if matches!(value.get(), Some(Ok(_))) {
            if let Some(f) = form.get_untracked() {
                f.reset();
            }
            reload(None);
        }
    });
    let (channel_was, csat_was) = (channel, csat);
    let list_id = if incident.is_some() {
        "reply-customers-incident"
    } else {
        "reply-customers"
    };
    view! {
        <ActionForm action node_ref=form attr:class="form reply-entry" attr:autocomplete="off">
            <FormError message=form_msg(value)/>
            <div class="field-row">
                <div class="grow">
                    <label for="reply-customer">"Customer"</label>
                    <input id="reply-customer" name="customer" required autocomplete="off" list=list_id value=customer
                        placeholder="Type a name, ref or email" aria-describedby="reply-customer-error"
                        on:input=move |ev| search(event_target_value(&ev))/>
                    <datalist id=list_id>
                        {move || matches.get().into_iter().map(|(v, _)| view! { <option value=v/> }).collect_view()}
                    </datalist>
                    <FieldError message=field_msg(value, "customer") id="reply-customer-error"/>
                </div>
                <div>
                    <label for="reply-channel">"Channel"</label>
                    <select id="reply-channel" name="channel">
                        {Channel::ALL.iter().map(|c| view! { <option value=c.code() selected=channel_was == c.code()>{c.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="reply-csat">"CSAT"</label>
                    <select id="reply-csat" name="csat" aria-describedby="reply-csat-error">
                        <option value="">"—"</option>
                        {(1..=5).rev().map(|n| view! { <option value=n.to_string() selected=csat_was == n.to_string()>{format!("{n}")}</option> }).collect_view()}
                    </select>
                    <FieldError message=field_msg(value, "csat") id="reply-csat-error"/>
                </div>
                <div>
                    <label for="reply-received">"Received (UTC)"</label>
                    <input id="reply-received" name="received_at" type="datetime-local" value=received_at aria-describedby="reply-received-error"/>
                    <FieldError message=field_msg(value, "received_at") id="reply-received-error"/>
                </div>
            </div>
            {match incident {
                Some(id) => view! { <input type="hidden" name="incident_id" value=id.to_string()/> }.into_any(),
                None => view! {
                    <label for="reply-incident">"About incident # " <span class="muted small">"(optional)"</span></label>
                    <input id="reply-incident" name="incident_id" inputmode="numeric" placeholder="e.g. 42"
                        aria-describedby="reply-incident-error"/>
                    <FieldError message=field_msg(value, "incident_id") id="reply-incident-error"/>
                }.into_any(),
            }}
            <label for="reply-body">"What they wrote"</label>
            <textarea id="reply-body" name="body" rows="3" required maxlength="10000"
                placeholder="Paste the reply from email or chat" aria-describedby="reply-body-error">{body}</textarea>
            <FieldError message=field_msg(value, "body") id="reply-body-error"/>
            <div class="form-actions">
                <button type="submit" class="button primary">"Save reply"</button>
            </div>
        </ActionForm>
    }
}

/// A reply's "correct the sentiment" control: a score and a reason, behind a disclosure
/// so it stays out of the way. A plain form: the server takes it and shows the page again.
#[component]
pub fn OverrideForm(reply: i64, current: f64) -> impl IntoView {
    let action = ServerAction::<crate::api::replies::OverrideSentiment>::new();
    let value = action.value();
    let score_id = format!("override-score-{reply}");
    let reason_id = format!("override-reason-{reply}");
    view! {
        <details class="override">
            <summary>"Correct sentiment"</summary>
            <ActionForm action attr:class="form inline-fields">
                <input type="hidden" name="id" value=reply.to_string()/>
                <label for=score_id.clone()>"Score (−1 to +1)"</label>
                <input id=score_id name="score" type="number" min="-1" max="1" step="0.05" required value=format!("{current:.2}")/>
                <label for=reason_id.clone()>"Why"</label>
                <input id=reason_id name="reason" required maxlength="1000" placeholder="e.g. sarcasm: “great, another outage”"/>
                <button type="submit" class="button small">"Save correction"</button>
                <FormError message=form_msg(value)/>
                <FieldError message=field_msg(value, "score") id=format!("override-score-error-{reply}")/>
                <FieldError message=field_msg(value, "reason") id=format!("override-reason-error-{reply}")/>
            </ActionForm>
        </details>
    }
}
