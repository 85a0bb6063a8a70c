//! One incident, read-only: what happened, who it hit, what we gave them, what they said.

use crate::api::incidents::get_incident;
use crate::components::badges::{ChurnBadge, SentimentBadge, SeverityBadge, StatusBadge};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::IncidentDetail;
use crate::error::AppError;
use crate::format;
use crate::pages::not_found::NotFoundPage;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn IncidentPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok());
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) if id > 0 => get_incident(id).await,
            _ => Err(AppError::NotFound),
        }
    });

    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <IncidentView d/> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFoundPage/> }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn IncidentView(d: IncidentDetail) -> impl IntoView {
    let time_to_detect = d.detected_at - d.started_at;
    let duration = d.resolved_at.map(|r| r - d.started_at);
    let more_affected = d.affected_total - d.affected.len() as i64;
    let more_actions = d.actions_total - d.actions.len() as i64;
    let more_replies = d.replies_total - d.replies.len() as i64;
    view! {
        <Title text=d.title.clone()/>
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/incidents">"← All incidents"</a></nav>
        <header class="page-head incident-head">
            <div class="badges">
                <SeverityBadge severity=d.severity/>
                <StatusBadge status=d.status/>
                <span class="badge kind">{d.kind.label()}</span>
            </div>
            <h1>{d.title.clone()}</h1>
            {(!d.description.is_empty()).then(|| view! { <p class="lede">{d.description.clone()}</p> })}
        </header>

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

        <section class="panel" aria-labelledby="affected-h">
            <h2 id="affected-h">"Affected customers " <span class="count">{format::count(d.affected_total)}</span></h2>
            {if d.affected.is_empty() {
                view! { <Empty title="No customers marked affected"><p>"Nobody has been linked to this incident yet."</p></Empty> }.into_any()
            } else {
                view! {
                    <div class="table-wrap"><table class="data">
                        <thead><tr>
                            <th scope="col">"Customer"</th><th scope="col">"Ref"</th><th scope="col">"Plan"</th>
                            <th scope="col">"Found by"</th><th scope="col">"Status"</th>
                        </tr></thead>
                        <tbody>
                            {d.affected.iter().map(|a| view! {
                                <tr>
                                    <th scope="row">{a.name.clone()}</th>
                                    <td data-label="Ref"><code>{a.external_ref.clone()}</code></td>
                                    <td data-label="Plan">{a.plan.clone()}</td>
                                    <td data-label="Found by">{a.source.label()}</td>
                                    <td data-label="Status"><ChurnBadge churned_at=a.churned_at/></td>
                                </tr>
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
        </section>

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
                            </li>
                        }).collect_view()}
                    </ul>
                    {(more_replies > 0).then(|| view! { <p class="muted small">{format!("and {} more", format::count(more_replies))}</p> })}
                }.into_any()
            }}
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
                        {(!e.note.is_empty()).then(|| view! { <p class="muted">{e.note.clone()}</p> })}
                        {e.by.clone().map(|b| view! { <span class="muted small">{format!(" by {b}")}</span> })}
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}
