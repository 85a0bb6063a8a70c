//! One incident: what happened, who it hit, what we gave them, what they said — and the
//! day's work on it: status, notes, edits, recovery actions, the apology mail merge, replies.

use crate::api::actions::GiveActions;
use crate::api::affected::RemoveAffected;
use crate::api::incidents::{get_incident, list_people, AddNote, ChangeStatus, UpdateIncident};
use crate::api::session::{can_edit, whoami};
use crate::components::badges::{ChurnBadge, SentimentBadge, SeverityBadge, StatusBadge};
use crate::components::forms::{field_msg, form_msg, reload_on_success, FieldError, FormError};
use crate::components::incident_fields::IncidentFields;
use crate::components::reply_entry::{OverrideForm, ReplyEntry};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::action::{ActionTarget, DEFAULT_APOLOGY, MERGE_FIELDS};
use crate::domain::experiment::SHARES;
use crate::domain::incident::IncidentForm;
use crate::domain::{ActionKind, Channel, IncidentDetail, IncidentStatus, Person};
use crate::error::AppError;
use crate::format;
use crate::pages::not_found::NotFoundPage;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The page is drawn on the server. Its forms post to their server functions, which send
/// the browser back to it (or to where the change leads), so it is drawn afresh with the
/// change; the edit form and the reply entry are islands (see `EditDetails`, `ReplyEntry`).
#[component]
pub fn IncidentPage() -> impl IntoView {
    let id = super::positive_id();
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_incident(id).await,
            None => Err(AppError::NotFound),
        }
    });
    let people = Resource::new(|| (), |_| list_people());
    let me = Resource::new(|| (), |_| whoami());

    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let can_edit = can_edit(me.await);
                let people = people.await.unwrap_or_default();
                match data.await {
                    Ok(d) => view! { <IncidentView d people can_edit/> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFoundPage/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn IncidentView(d: IncidentDetail, people: Vec<Person>, can_edit: bool) -> impl IntoView {
    let query = use_query_map();
    let time_to_detect = d.detected_at - d.started_at;
    let duration = d.resolved_at.map(|r| r - d.started_at);
    let more_affected = d.affected_total - d.affected.len() as i64;
    let more_actions = d.actions_total - d.actions.len() as i64;
    let more_replies = d.replies_total - d.replies.len() as i64;
    let flash = move || {
        let q = query.read();
        q.get("added")
            .map(|n| format!("Marked {n} customers affected."))
            .or_else(|| {
                q.get("given")
                    .map(|n| format!("Recovery action given to {n} customers."))
            })
            .or_else(|| (q.get("saved").as_deref() == Some("details")).then(|| "Saved.".into()))
    };
    let remove = ServerAction::<RemoveAffected>::new();
    let id = d.id;
    view! {
        <Title text=d.title.clone()/>
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/incidents">"← All incidents"</a></nav>
        <header class="page-head incident-head">
            <div class="badges">
                <SeverityBadge severity=d.severity/>
                <StatusBadge status=d.status/>
                <span class="badge kind">{d.kind.label()}</span>
                <span class="muted small">{format!("#{}", d.id)}</span>
            </div>
            <h1>{d.title.clone()}</h1>
            {(!d.description.is_empty()).then(|| view! { <p class="lede pre">{d.description.clone()}</p> })}
        </header>
        {move || flash().map(|m| view! { <p class="notice notice-ok" role="status">{m}</p> })}

        <dl class="facts">
            <div><dt>"Started"</dt><dd>{format::date_time(d.started_at)}</dd></div>
            <div><dt>"Detected"</dt><dd>{format::date_time(d.detected_at)}
                <span class="muted small">{format!(" (after {})", format::duration(time_to_detect))}</span></dd></div>
            <div><dt>"Resolved"</dt><dd>{match (d.resolved_at, duration) {
                (Some(r), Some(len)) => format!("{} (lasted {})", format::date_time(r), format::duration(len)),
                _ => "Not yet".to_string(),
            }}</dd></div>
            <div><dt>"Owner"</dt><dd>{d.owner.clone().unwrap_or_else(|| "Unassigned".into())}</dd></div>
            <div><dt>"Customers affected"</dt><dd>{format::count(d.affected_total)}</dd></div>
            <div><dt>"Recovery cost"</dt><dd>{format::money_list(&d.cost)}</dd></div>
        </dl>

        {can_edit.then(|| view! { <WorkPanel d=d.clone() people=people.clone()/> })}
        <crate::components::recovery::IncidentRecovery id=d.id/>

        <section class="panel" aria-labelledby="affected-h">
            <div class="panel-head">
                <h2 id="affected-h">"Affected customers " <span class="count">{format::count(d.affected_total)}</span></h2>
                {can_edit.then(|| view! { <a class="button primary" href=format!("/incidents/{id}/affected")>"Add customers"</a> })}
            </div>
            {if d.affected.is_empty() {
                view! { <Empty title="No customers marked affected"><p>"Paste their refs or emails, or upload a CSV, with “Add customers”."</p></Empty> }.into_any()
            } else {
                view! {
                    <div class="table-wrap"><table class="data">
                        <thead><tr>
                            <th scope="col">"Customer"</th><th scope="col">"Ref"</th><th scope="col">"Plan"</th>
                            <th scope="col">"Found by"</th><th scope="col">"Status"</th>
                            {can_edit.then(|| view! { <th scope="col"><span class="visually-hidden">"Remove"</span></th> })}
                        </tr></thead>
                        <tbody>
                            {d.affected.iter().map(|a| {
                                let customer = a.customer_id;
                                view! {
                                    <tr>
                                        <th scope="row">{a.name.clone()}</th>
                                        <td data-label="Ref"><code>{a.external_ref.clone()}</code></td>
                                        <td data-label="Plan">{a.plan.clone()}</td>
                                        <td data-label="Found by">{a.source.label()}</td>
                                        <td data-label="Status"><ChurnBadge churned_at=a.churned_at/></td>
                                        {can_edit.then(|| view! {
                                            <td data-label="">
                                                <details class="confirm">
                                                    <summary>"Remove…"</summary>
                                                    <ActionForm action=remove attr:class="inline-form">
                                                        <input type="hidden" name="incident" value=id.to_string()/>
                                                        <input type="hidden" name="customer" value=customer.to_string()/>
                                                        <span class="small">"Unmark them? Their actions for this incident are removed too."</span>
                                                        <button type="submit" class="button small danger">"Yes, remove"</button>
                                                    </ActionForm>
                                                </details>
                                            </td>
                                        })}
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table></div>
                    {(more_affected > 0).then(|| view! { <p class="muted small">{format!("and {} more", format::count(more_affected))}</p> })}
                }.into_any()
            }}
        </section>

        <section class="panel" aria-labelledby="actions-h">
            <h2 id="actions-h">"Recovery actions " <span class="count">{format::count(d.actions_total)}</span></h2>
            {if d.actions.is_empty() {
                view! { <Empty title="No recovery actions yet"><p>"Nothing has been given to the affected customers."</p></Empty> }.into_any()
            } else {
                view! {
                    <div class="table-wrap"><table class="data">
                        <thead><tr>
                            <th scope="col">"Customer"</th><th scope="col">"Action"</th><th scope="col">"Channel"</th>
                            <th scope="col" class="num">"Value"</th><th scope="col" class="num">"Cost"</th><th scope="col">"Given"</th>
                        </tr></thead>
                        <tbody>
                            {d.actions.iter().map(|a| view! {
                                <tr>
                                    <th scope="row">{a.customer_name.clone()}</th>
                                    <td data-label="Action">{a.kind.label()}</td>
                                    <td data-label="Channel">{a.channel.label()}</td>
                                    <td data-label="Value" class="num">{a.value.display()}</td>
                                    <td data-label="Cost" class="num">{a.cost.display()}</td>
                                    <td data-label="Given">{format::date_time(a.given_at)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                    {(more_actions > 0).then(|| view! { <p class="muted small">{format!("and {} more", format::count(more_actions))}</p> })}
                }.into_any()
            }}
            {(can_edit && d.affected_total > 0).then(|| view! { <GiveForm d=d.clone()/> })}
        </section>

        {(can_edit && d.affected_total > 0).then(|| view! { <MailMerge id/> })}

        <section class="panel" aria-labelledby="replies-h">
            <h2 id="replies-h">"Replies " <span class="count">{format::count(d.replies_total)}</span></h2>
            {if d.replies.is_empty() {
                view! { <Empty title="No replies yet"><p>"Customers’ answers appear here as they are logged."</p></Empty> }.into_any()
            } else {
                view! {
                    <ul class="replies">
                        {d.replies.iter().map(|r| view! {
                            <li class="reply">
                                <div class="reply-meta">
                                    <strong>{r.customer_name.clone()}</strong>
                                    <span class="muted small">{format!("{} · {}", r.channel.label(), format::date_time(r.received_at))}</span>
                                    <SentimentBadge score=r.effective_sentiment() overridden=r.sentiment_manual.is_some()/>
                                </div>
                                <blockquote>{r.body.clone()}</blockquote>
                                {r.override_reason.clone().map(|why| view! {
                                    <p class="muted small">{format!("Automatic score {} — corrected: {why}", format::score(r.sentiment_auto))}</p>
                                })}
                                {can_edit.then(|| view! { <OverrideForm reply=r.id current=r.effective_sentiment()/> })}
                            </li>
                        }).collect_view()}
                    </ul>
                    {(more_replies > 0).then(|| view! { <p class="muted small">{format!("and {} more", format::count(more_replies))}</p> })}
                }.into_any()
            }}
            {can_edit.then(|| view! {
                <h3>"Log a reply"</h3>
                <ReplyEntry incident=id/>
            })}
        </section>

        <section class="panel" aria-labelledby="timeline-h">
            <h2 id="timeline-h">"Timeline"</h2>
            <ol class="timeline">
                {d.events.iter().map(|e| view! {
                    <li>
                        <time>{format::date_time(e.at)}</time>
                        <span>{match (e.kind.as_str(), e.to_status) {
                            ("status", Some(s)) => format!("Status → {}", s.label()),
                            ("created", _) => "Incident opened".to_string(),
                            ("note", _) => "Note".to_string(),
                            _ => "Edited".to_string(),
                        }}</span>
                        {e.by.clone().map(|b| view! { <span class="muted small">{format!(" by {b}")}</span> })}
                        {(!e.note.is_empty()).then(|| view! { <p class="muted pre">{e.note.clone()}</p> })}
                    </li>
                }).collect_view()}
            </ol>
            {can_edit.then(|| view! { <NoteForm id/> })}
        </section>
    }
}

/// Status change and the edit form, for editors.
#[component]
fn WorkPanel(d: IncidentDetail, people: Vec<Person>) -> impl IntoView {
    let status = ServerAction::<ChangeStatus>::new();
    let status_value = status.value();
    let next: Vec<IncidentStatus> = IncidentStatus::ALL
        .iter()
        .copied()
        .filter(|s| *s != d.status)
        .collect();
    let verb = |s: IncidentStatus| match s {
        IncidentStatus::Open => "Reopen",
        IncidentStatus::Mitigated => "Mitigated",
        IncidentStatus::Resolved => "Resolved",
    };
    let resolved = d.status == IncidentStatus::Resolved;
    view! {
        <section class="panel work" aria-labelledby="status-h">
            <h2 id="status-h">"Status"</h2>
            <ActionForm action=status attr:class="form status-form">
                <FormError message=form_msg(status_value)/>
                <input type="hidden" name="id" value=d.id.to_string()/>
                <input type="hidden" name="version" value=d.version.to_string()/>
                <fieldset class="choice">
                    <legend>{format!("Now {}. Move it to", d.status.label().to_lowercase())}</legend>
                    {next.iter().enumerate().map(|(i, s)| view! {
                        <label class="radio"><input type="radio" name="status" value=s.code() checked=i == next.len() - 1/>{verb(*s)}</label>
                    }).collect_view()}
                </fieldset>
                <FieldError message=field_msg(status_value, "status") id="status-error"/>
                <label for="status-note">"Note " <span class="muted small">"(optional)"</span></label>
                <input id="status-note" name="note" maxlength="5000" placeholder="e.g. Rolled back the deploy; error rate normal"/>
                <label for="status-at">"When (UTC) " <span class="muted small">"(empty: now)"</span></label>
                <input id="status-at" name="at" type="datetime-local" aria-describedby="status-at-error"/>
                <FieldError message=field_msg(status_value, "at") id="status-at-error"/>
                <button type="submit" class="button primary">"Change status"</button>
            </ActionForm>
            <details class="edit">
                <summary>"Edit details"</summary>
                <EditDetails id=d.id version=d.version initial=IncidentForm::from_draft(&d.draft()) people resolved/>
            </details>
        </section>
    }
}

/// The edit form: an island, so a refusal (a stale version, a bad field) is shown in the
/// open form as typed, and a save shows the page afresh with "Saved.".
#[island]
fn EditDetails(
    id: i64,
    version: i64,
    initial: IncidentForm,
    people: Vec<Person>,
    resolved: bool,
) -> impl IntoView {
    let update = ServerAction::<UpdateIncident>::new();
    let update_value = update.value();
    let update_error = Signal::derive(move || update_value.get().and_then(|r| r.err()));
    reload_on_success(update_value, Some("saved=details"));
    view! {
        <ActionForm action=update attr:class="form">
            <FormError message=form_msg(update_value)/>
            <input type="hidden" name="id" value=id.to_string()/>
            <input type="hidden" name="version" value=version.to_string()/>
            <IncidentFields initial people error=update_error resolved prefix="edit"/>
            <button type="submit" class="button primary">"Save changes"</button>
        </ActionForm>
    }
}

#[component]
fn NoteForm(id: i64) -> impl IntoView {
    let action = ServerAction::<AddNote>::new();
    let value = action.value();
    view! {
        <ActionForm action attr:class="form note-form">
            <input type="hidden" name="id" value=id.to_string()/>
            <label for="note-text">"Add a note"</label>
            <textarea id="note-text" name="note" rows="2" maxlength="5000" required aria-describedby="note-error"
                placeholder="What you learned, who you told, what happens next"></textarea>
            <FieldError message=field_msg(value, "note") id="note-error"/>
            <FormError message=form_msg(value)/>
            <button type="submit" class="button">"Add note"</button>
        </ActionForm>
    }
}

/// Give one action to all, or a filtered set, of the affected customers (or to one).
#[component]
fn GiveForm(d: IncidentDetail) -> impl IntoView {
    let action = ServerAction::<GiveActions>::new();
    let value = action.value();
    let currency = d
        .cost
        .first()
        .map(|m| m.currency.clone())
        .unwrap_or_else(|| "USD".into());
    view! {
        <details class="give" open=d.actions_total == 0>
            <summary class="button primary">"Give a recovery action"</summary>
            <ActionForm action attr:class="form">
                <FormError message=form_msg(value)/>
                <input type="hidden" name="incident" value=d.id.to_string()/>
                <div class="field-row">
                    <div class="grow">
                        <label for="give-target">"To"</label>
                        <select id="give-target" name="target" aria-describedby="give-target-error">
                            {ActionTarget::CHOICES.iter().map(|(v, l)| view! {
                                <option value=*v>{format!("{l} ({} affected)", format::count(d.affected_total))}</option>
                            }).collect_view()}
                            <optgroup label="One customer">
                                {d.affected.iter().map(|a| view! {
                                    <option value=format!("customer:{}", a.customer_id)>{format!("{} ({})", a.name, a.external_ref)}</option>
                                }).collect_view()}
                            </optgroup>
                        </select>
                        <FieldError message=field_msg(value, "target") id="give-target-error"/>
                    </div>
                    <div>
                        <label for="give-kind">"Action"</label>
                        <select id="give-kind" name="kind">
                            {ActionKind::ALL.iter().map(|k| view! { <option value=k.code()>{k.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div>
                        <label for="give-channel">"Channel"</label>
                        <select id="give-channel" name="channel">
                            {Channel::ALL.iter().map(|c| view! { <option value=c.code()>{c.label()}</option> }).collect_view()}
                        </select>
                    </div>
                </div>
                <div class="field-row">
                    <div>
                        <label for="give-value">"Value to them"</label>
                        <input id="give-value" name="value" inputmode="decimal" placeholder="25.00" aria-describedby="give-value-error"/>
                        <FieldError message=field_msg(value, "value") id="give-value-error"/>
                    </div>
                    <div>
                        <label for="give-cost">"Cost to us"</label>
                        <input id="give-cost" name="cost" inputmode="decimal" placeholder="25.00" aria-describedby="give-cost-error"/>
                        <FieldError message=field_msg(value, "cost") id="give-cost-error"/>
                    </div>
                    <div>
                        <label for="give-currency">"Currency"</label>
                        <input id="give-currency" name="currency" value=currency maxlength="3" size="4" required aria-describedby="give-currency-error"/>
                        <FieldError message=field_msg(value, "currency") id="give-currency-error"/>
                    </div>
                    <div>
                        <label for="give-at">"Given (UTC)"</label>
                        <input id="give-at" name="given_at" type="datetime-local" aria-describedby="give-at-error"/>
                        <p class="hint">"Empty: now."</p>
                        <FieldError message=field_msg(value, "given_at") id="give-at-error"/>
                    </div>
                </div>
                <label for="give-note">"Note " <span class="muted small">"(merge fields are filled in per customer)"</span></label>
                <textarea id="give-note" name="note" rows="3" maxlength="5000" aria-describedby="give-note-error"></textarea>
                <FieldError message=field_msg(value, "note") id="give-note-error"/>
                <fieldset class="holdout">
                    <legend>"Learn what it does " <span class="muted small">"(optional)"</span></legend>
                    <div class="field-row">
                        <div>
                            <label for="give-holdout">"Hold out at random"</label>
                            <select id="give-holdout" name="holdout" aria-describedby="give-holdout-hint give-holdout-error">
                                <option value="">"Nobody"</option>
                                {SHARES.iter().map(|s| view! { <option value=s.to_string()>{format!("{s} % of them")}</option> }).collect_view()}
                            </select>
                            <FieldError message=field_msg(value, "holdout") id="give-holdout-error"/>
                        </div>
                        <div>
                            <label for="give-control">"Held-out customers get"</label>
                            <select id="give-control" name="control" aria-describedby="give-control-error">
                                <option value="">"Nothing from this"</option>
                                {ActionKind::ALL.iter().map(|k| view! { <option value=k.code()>{format!("{} only", k.label())}</option> }).collect_view()}
                            </select>
                            <FieldError message=field_msg(value, "control") id="give-control-error"/>
                        </div>
                    </div>
                    <p class="hint" id="give-holdout-hint">"A holdout experiment: the held-out customers are drawn at random, so comparing them with the rest shows what the action itself does. You see how many get it before anything is given."</p>
                </fieldset>
                <button type="submit" class="button primary">"Give to every selected customer"</button>
            </ActionForm>
        </details>
    }
}

/// The apology note, rendered per customer and downloaded as a mail-merge CSV.
#[component]
fn MailMerge(id: i64) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="merge-h">
            <h2 id="merge-h">"Apology mail merge"</h2>
            <p class="muted">"Write the note once; each affected customer gets it with their name and credit filled in. "
                "Download a CSV (name, email, note) for your mail tool."</p>
            <form method="get" action=format!("/incidents/{id}/apology.csv") class="form">
                <label for="merge-template">"Note"</label>
                <textarea id="merge-template" name="template" rows="6" maxlength="5000">{DEFAULT_APOLOGY}</textarea>
                <p class="hint">"Merge fields: "
                    {MERGE_FIELDS.iter().map(|(f, what)| view! { <code title=*what>{*f}</code>" " }).collect_view()}
                </p>
                <button type="submit" class="button">"Download mail-merge CSV"</button>
            </form>
        </section>
    }
}
