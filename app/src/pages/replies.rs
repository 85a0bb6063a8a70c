//! Replies, newest first, with their sentiment.

use crate::api::replies::list_replies;
use crate::components::badges::SentimentBadge;
use crate::components::pager::{page_param, Pager};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::format;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn RepliesPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(move || page_param(query.read().get("page")), list_replies);
    view! {
        <Title text="Replies"/>
        <header class="page-head">
            <h1>"Replies"</h1>
            <p class="lede">"What customers said back, scored for sentiment."</p>
        </header>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
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
                                            {r.incident_id.zip(r.incident_title).map(|(id, t)| view! {
                                                <p class="small">"About " <a href=format!("/incidents/{id}")>{t}</a></p>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <Pager page page_count=count total noun="replies" href=|n| format!("/replies?page={n}")/>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
