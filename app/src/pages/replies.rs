//! Replies: log one (scored on the spot), filter the list (sentiment, incident, action kind,
//! dates), and correct a score with a reason.

use crate::api::replies::list_replies;
use crate::api::session::{can_edit, whoami};
use crate::components::badges::SentimentBadge;
use crate::components::forms::options;
use crate::components::pager::{page_param, Pager};
use crate::components::reply_entry::{OverrideForm, ReplyEntry};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::reply::ReplyQuery;
use crate::domain::ActionKind;
use crate::format;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

fn query_string(q: &ReplyQuery) -> String {
    format::query_string(&[
        ("sentiment", &q.sentiment),
        ("incident", &q.incident),
        ("action", &q.action),
        ("from", &q.from),
        ("to", &q.to),
    ])
}

#[component]
pub fn RepliesPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let m = query.read();
        let q = ReplyQuery {
            sentiment: m.get("sentiment"),
            incident: m.get("incident"),
            action: m.get("action"),
            from: m.get("from"),
            to: m.get("to"),
        };
        (q, page_param(m.get("page")))
    };
    let data = Resource::new(args, |(q, page)| list_replies(q, page));
    let me = Resource::new(|| (), |_| whoami());
    let current = move |k: &str| query.read().get(k).unwrap_or_default();
    view! {
        <Title text="Replies"/>
        <header class="page-head">
            <h1>"Replies"</h1>
            <p class="lede">"What customers said back, scored for sentiment as it is logged."</p>
        </header>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                can_edit(me.await).then(|| view! {
                    <details class="panel entry" open=true>
                        <summary><h2>"Log a reply"</h2></summary>
                        <ReplyEntry/>
                    </details>
                })
            })}
        </Suspense>
                            <Form method="GET" action="/replies" attr:class="filters" attr:aria-label="Filter replies" attr:autocomplete="off">
                <div class="field">
                    <label for="r-sentiment">"Sentiment"</label>
                    <select id="r-sentiment" name="sentiment" prop:value=move || current("sentiment")>
                        <option value="">"Any"</option>
                        {options(vec![("positive", "Positive"), ("neutral", "Neutral"), ("negative", "Negative")], current("sentiment"))}
                    </select>
                </div>
                <div class="field">
                    <label for="r-action">"After action"</label>
                    <select id="r-action" name="action" prop:value=move || current("action")>
                        <option value="">"Any"</option>
                        {options(ActionKind::ALL.iter().map(|k| (k.code(), k.label())).collect(), current("action"))}
                    </select>
                </div>
                <div class="field">
                    <label for="r-incident">"Incident #"</label>
                    <input id="r-incident" name="incident" prop:value=move || current("incident") inputmode="numeric" size="6" value=current("incident")/>
                </div>
                <div class="field">
                    <label for="r-from">"Received from"</label>
                    <input id="r-from" name="from" prop:value=move || current("from") type="date" value=current("from")/>
                </div>
                <div class="field">
                    <label for="r-to">"to"</label>
                    <input id="r-to" name="to" prop:value=move || current("to") type="date" value=current("to")/>
                </div>
                <div class="filter-buttons">
                    <button type="submit" class="button">"Apply"</button>
                    <A href="/replies" attr:class="button subtle">"Clear"</A>
                </div>
            </Form>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let can_edit = can_edit(me.await);
                let qs = query_string(&args().0);
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(p) if p.total == 0 && !qs.is_empty() => view! {
                        <Empty title="No replies match"><p>"Nothing fits these filters. " <a href="/replies">"Clear them"</a> "."</p></Empty>
                    }.into_any(),
                    Ok(p) if p.total == 0 => view! {
                        <Empty title="No replies yet"><p>"Customers’ answers appear here as they are logged."</p></Empty>
                    }.into_any(),
                    Ok(p) => {
                        let (page, count, total) = (p.page, p.page_count(), p.total);
                        view! {
                            <ul class="replies">
                                {p.items.into_iter().map(|r| {
                                    let score = r.effective_sentiment();
                                    view! {
                                        <li class="reply">
                                            <div class="reply-meta">
                                                <strong>{r.customer_name}</strong>
                                                <span class="muted small">{format!("{} · {}", r.channel.label(), format::date_time(r.received_at))}</span>
                                                <SentimentBadge score overridden=r.sentiment_manual.is_some()/>
                                                {r.csat.map(|c| view! { <span class="badge csat" title="Customer satisfaction, 1–5">{format!("CSAT {c}")}</span> })}
                                            </div>
                                            <blockquote>{r.body}</blockquote>
                                            {r.override_reason.map(|why| view! {
                                                <p class="muted small">{format!("Automatic score {} — corrected: {why}", format::score(r.sentiment_auto))}</p>
                                            })}
                                            {r.incident_id.zip(r.incident_title).map(|(id, t)| view! {
                                                <p class="small">"About " <a href=format!("/incidents/{id}")>{t}</a></p>
                                            })}
                                            {can_edit.then(|| view! { <OverrideForm reply=r.id current=score/> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <Pager page page_count=count total noun="replies"
                                href=move |n| if qs.is_empty() { format!("/replies?page={n}") } else { format!("/replies?{qs}&page={n}") }/>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
