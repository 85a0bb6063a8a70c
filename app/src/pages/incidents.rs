//! The incident list: filters (status, severity, kind, dates, text) and sorting in the URL,
//! paginated, with each incident's counts and cost.

use crate::api::incidents::list_incidents;
use crate::api::session::{can_edit, whoami};
use crate::components::badges::{SeverityBadge, StatusBadge};
use crate::components::forms::options;
use crate::components::pager::{page_param, Pager};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::incident::{IncidentQuery, IncidentSort};
use crate::domain::{IncidentKind, IncidentRow, IncidentStatus, Severity};
use crate::format;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

fn query_string(q: &IncidentQuery) -> String {
    format::query_string(&[
        ("status", &q.status),
        ("severity", &q.severity),
        ("kind", &q.kind),
        ("from", &q.from),
        ("to", &q.to),
        ("q", &q.q),
        ("sort", &q.sort),
    ])
}

#[component]
pub fn IncidentsPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let m = query.read();
        let q = IncidentQuery {
            status: m.get("status"),
            severity: m.get("severity"),
            kind: m.get("kind"),
            from: m.get("from"),
            to: m.get("to"),
            q: m.get("q"),
            sort: m.get("sort"),
        };
        (q, page_param(m.get("page")))
    };
    let data = Resource::new(args, |(q, page)| list_incidents(q, page));
    let me = Resource::new(|| (), |_| whoami());
    let current = move |k: &str| query.read().get(k).unwrap_or_default();

    view! {
        <Title text="Incidents"/>
        <header class="page-head with-actions">
            <div>
                <h1>"Incidents"</h1>
                <p class="lede">"Everything that went wrong, with who it hit and what we did."</p>
            </div>
            // Only editors and admins may open incidents; viewers get no button to a
            // page that would refuse them.
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    can_edit(me.await).then(|| view! {
                        <A href="/incidents/new" attr:class="button primary">"New incident"</A>
                    })
                })}
            </Suspense>
        </header>
                            <Form method="GET" action="/incidents" attr:class="filters" attr:aria-label="Filter incidents" attr:autocomplete="off">
                <div class="field">
                    <label for="f-q">"Search"</label>
                    <input id="f-q" name="q" prop:value=move || current("q") type="search" placeholder="Title or description" value=current("q") maxlength="200"/>
                </div>
                <div class="field">
                    <label for="f-status">"Status"</label>
                    <select id="f-status" name="status" prop:value=move || current("status")>
                        <option value="">"Any"</option>
                        {options(IncidentStatus::ALL.iter().map(|s| (s.code(), s.label())).collect(), current("status"))}
                    </select>
                </div>
                <div class="field">
                    <label for="f-severity">"Severity"</label>
                    <select id="f-severity" name="severity" prop:value=move || current("severity")>
                        <option value="">"Any"</option>
                        {options(Severity::ALL.iter().map(|s| (s.code(), s.label())).collect(), current("severity"))}
                    </select>
                </div>
                <div class="field">
                    <label for="f-kind">"Kind"</label>
                    <select id="f-kind" name="kind" prop:value=move || current("kind")>
                        <option value="">"Any"</option>
                        {options(IncidentKind::ALL.iter().map(|s| (s.code(), s.label())).collect(), current("kind"))}
                    </select>
                </div>
                <div class="field">
                    <label for="f-from">"Started from"</label>
                    <input id="f-from" name="from" prop:value=move || current("from") type="date" value=current("from")/>
                </div>
                <div class="field">
                    <label for="f-to">"to"</label>
                    <input id="f-to" name="to" prop:value=move || current("to") type="date" value=current("to")/>
                </div>
                <div class="field">
                    <label for="f-sort">"Sort"</label>
                    <select id="f-sort" name="sort" prop:value=move || Some(current("sort")).filter(|s| !s.is_empty()).unwrap_or_else(|| "newest".into())>
                        {options(IncidentSort::ALL.iter().map(|(_, c, l)| (*c, *l)).collect(), current("sort"))}
                    </select>
                </div>
                <div class="filter-buttons">
                    <button type="submit" class="button">"Apply"</button>
                    <A href="/incidents" attr:class="button subtle">"Clear"</A>
                </div>
            </Form>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let filtered = !query_string(&args().0).is_empty();
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(p) if p.total == 0 && filtered => view! {
                        <Empty title="No incidents match">
                            <p>"Nothing fits these filters. " <a href="/incidents">"Clear them"</a> " to see every incident."</p>
                        </Empty>
                    }.into_any(),
                    Ok(p) if p.total == 0 => view! {
                        <Empty title="No incidents yet">
                            <p>"When something goes wrong, " <a href="/incidents/new">"record it here"</a>
                            ". To explore with sample data, run " <code>"amends demo"</code> "."</p>
                        </Empty>
                    }.into_any(),
                    Ok(p) => {
                        let (page, count, total) = (p.page, p.page_count(), p.total);
                        let qs = query_string(&args().0);
                        view! {
                            <div class="table-wrap">
                                <table class="data incidents">
                                    <caption class="visually-hidden">"Incidents"</caption>
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
                                href=move |n| if qs.is_empty() { format!("/incidents?page={n}") } else { format!("/incidents?{qs}&page={n}") }/>
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
