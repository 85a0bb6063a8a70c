//! The incident list: newest first, paginated, with each incident's counts and cost.

use crate::api::incidents::list_incidents;
use crate::components::badges::{SeverityBadge, StatusBadge};
use crate::components::pager::{page_param, Pager};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::IncidentRow;
use crate::format;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn IncidentsPage() -> impl IntoView {
    let query = use_query_map();
    let page = move || page_param(query.read().get("page"));
    let data = Resource::new(page, list_incidents);

    view! {
        <Title text="Incidents"/>
        <header class="page-head">
            <h1>"Incidents"</h1>
            <p class="lede">"Everything that went wrong, newest first, with who it hit and what we did."</p>
        </header>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(p) if p.items.is_empty() && p.total == 0 => view! {
                        <Empty title="No incidents yet">
                            <p>"When something goes wrong, it is recorded here. To explore with sample data, run "
                            <code>"amends demo"</code> "."</p>
                        </Empty>
                    }.into_any(),
                    Ok(p) => {
                        let (page, count, total) = (p.page, p.page_count(), p.total);
                        view! {
                            <div class="table-wrap">
                                <table class="data incidents">
                                    <caption class="visually-hidden">"Incidents, newest first"</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">"Incident"</th>
                                            <th scope="col">"Severity"</th>
                                            <th scope="col">"Status"</th>
                                            <th scope="col">"Started"</th>
                                            <th scope="col" class="num">"Affected"</th>
                                            <th scope="col" class="num">"Actions"</th>
                                            <th scope="col" class="num">"Cost"</th>
                                            <th scope="col" class="num">"Replies"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {p.items.into_iter().map(|i| view! { <IncidentLine row=i/> }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <Pager page page_count=count total noun="incidents"
                                href=|n| format!("/incidents?page={n}")/>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn IncidentLine(row: IncidentRow) -> impl IntoView {
    let href = format!("/incidents/{}", row.id);
    view! {
        <tr>
            <th scope="row" class="title-cell">
                <a href=href>{row.title}</a>
                <span class="muted small">{row.kind.label()}</span>
            </th>
            <td data-label="Severity"><SeverityBadge severity=row.severity/></td>
            <td data-label="Status"><StatusBadge status=row.status/></td>
            <td data-label="Started"><time>{format::date_time(row.started_at)}</time></td>
            <td data-label="Affected" class="num">{format::count(row.affected)}</td>
            <td data-label="Actions" class="num">{format::count(row.actions)}</td>
            <td data-label="Cost" class="num">{format::money_list(&row.cost)}</td>
            <td data-label="Replies" class="num">{format::count(row.replies)}</td>
        </tr>
    }
}
