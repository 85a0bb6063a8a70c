//! The dashboard: which recoveries work. Headline figures, then every chart drawn on the
//! server as SVG with its numbers one click away, for the question in the URL (shareable;
//! Back works). Latest incidents at the end.

use crate::api::dashboard::get_dashboard;
use crate::api::incidents::list_incidents;
use crate::components::badges::{SeverityBadge, StatusBadge};
use crate::components::chart_panel::ChartPanel;
use crate::components::forms::{options, FieldError};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::analytics::{AnalyticsParams, Headline, SurvivalAt};
use crate::domain::dashboard::{pct, score_ci, DashboardView};
use crate::domain::incident::IncidentQuery;
use crate::domain::{IncidentKind, IncidentRow, Page, Severity};
use crate::error::AppError;
use crate::format;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let query = use_query_map();
    let params = move || {
        let m = query.read();
        AnalyticsParams {
            from: m.get("from"),
            to: m.get("to"),
            as_of: m.get("as_of"),
            kind: m.get("kind"),
            severity: m.get("severity"),
            plan: m.get("plan"),
            incident: m.get("incident"),
        }
    };
    let data = Resource::new(params, get_dashboard);
    // The newest incidents, read like the incident list's first page (cheap at any size).
    let latest = Resource::new(|| (), |_| list_incidents(IncidentQuery::default(), None));
    view! {
        <Title text="Dashboard"/>
        <header class="page-head">
            <h1>"Dashboard"</h1>
            <p class="lede">"Which recoveries win customers back, with the uncertainty shown."</p>
        </header>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e @ AppError::Field { .. }) => view! {
                        <Filters shown=None error=Some(e)/>
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(d) => view! {
                        <Filters shown=Some(d.query.params()) error=None/>
                        <Analytics d/>
                    }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match latest.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(p) => view! { <Latest p/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The question as a GET form: the URL is the state.
#[component]
fn Filters(shown: Option<AnalyticsParams>, error: Option<AppError>) -> impl IntoView {
    let query = use_query_map();
    let shown = shown.unwrap_or_default();
    // What the form shows: the URL's value, else the default the figures used.
    let value = move |k: &str, fallback: &Option<String>| {
        query
            .read()
            .get(k)
            .filter(|v| !v.is_empty())
            .or_else(|| fallback.clone())
            .unwrap_or_default()
    };
    let (from, to, as_of) = (shown.from.clone(), shown.to.clone(), shown.as_of.clone());
    let msg = move |f: &str| -> Signal<Option<String>> {
        let m = error.as_ref().and_then(|e| e.for_field(f));
        Signal::derive(move || m.clone())
    };
    view! {
        <Form method="GET" action="/" attr:class="filters" attr:aria-label="Choose the period and filters" attr:autocomplete="off">
            <div class="field">
                <label for="d-from">"Incidents from"</label>
                <input id="d-from" name="from" type="date" value=value("from", &from)
                    prop:value={let from = from.clone(); move || value("from", &from)}
                    aria-describedby="d-from-msg"/>
                <FieldError id="d-from-msg" message=msg("from")/>
            </div>
            <div class="field">
                <label for="d-to">"until (not including)"</label>
                <input id="d-to" name="to" type="date" value=value("to", &to)
                    prop:value={let to = to.clone(); move || value("to", &to)}
                    aria-describedby="d-to-msg"/>
                <FieldError id="d-to-msg" message=msg("to")/>
            </div>
            <div class="field">
                <label for="d-as-of">"Retention as of"</label>
                <input id="d-as-of" name="as_of" type="date" value=value("as_of", &as_of)
                    prop:value={let as_of = as_of.clone(); move || value("as_of", &as_of)}
                    aria-describedby="d-as-of-msg"/>
                <FieldError id="d-as-of-msg" message=msg("as_of")/>
            </div>
            <div class="field">
                <label for="d-kind">"Kind"</label>
                <select id="d-kind" name="kind" prop:value=move || value("kind", &None) aria-describedby="d-kind-msg">
                    <option value="">"Any"</option>
                    {options(IncidentKind::ALL.iter().map(|s| (s.code(), s.label())).collect(), value("kind", &None))}
                </select>
                <FieldError id="d-kind-msg" message=msg("kind")/>
            </div>
            <div class="field">
                <label for="d-severity">"Severity"</label>
                <select id="d-severity" name="severity" prop:value=move || value("severity", &None) aria-describedby="d-severity-msg">
                    <option value="">"Any"</option>
                    {options(Severity::ALL.iter().map(|s| (s.code(), s.label())).collect(), value("severity", &None))}
                </select>
                <FieldError id="d-severity-msg" message=msg("severity")/>
            </div>
            <div class="field">
                <label for="d-plan">"Plan"</label>
                <input id="d-plan" name="plan" type="text" maxlength="60" placeholder="Any"
                    value=value("plan", &None) prop:value=move || value("plan", &None)
                    aria-describedby="d-plan-msg"/>
                <FieldError id="d-plan-msg" message=msg("plan")/>
            </div>
            <div class="filter-buttons">
                <button type="submit" class="button">"Apply"</button>
                <A href="/" attr:class="button subtle">"Last 12 months"</A>
            </div>
            <FieldError id="d-incident-msg" message=msg("incident")/>
        </Form>
    }
}

#[component]
fn Analytics(d: DashboardView) -> impl IntoView {
    if d.headline.cases == 0 {
        return view! {
            <Empty title="No cases in this period">
                <p>"No incident that started in this period hit a customer (with these filters). "
                "Widen the dates, clear the filters, or record an incident and mark who it hit. "
                "To explore with sample data, run " <code>"amends demo"</code> "."</p>
            </Empty>
        }
        .into_any();
    }
    let qs = d.query.query_string();
    let repeat = (d.repeat_customers, d.customers_hit);
    let top = d.repeat_top.clone();
    view! {
        <Headlines h=d.headline.clone()/>
        <div class="charts">
            {d.charts.into_iter().map(|c| view! { <ChartPanel chart=c qs=qs.clone()/> }).collect_view()}
        </div>
        <section class="panel" aria-labelledby="repeat-list-h">
            <h2 id="repeat-list-h">"Customers hit again and again"</h2>
            <p class="muted small">{format!(
                "{} of {} customers hit in this period were hit again within 90 days.",
                format::count(repeat.0 as i64), format::count(repeat.1 as i64)
            )}</p>
            {if top.is_empty() {
                view! { <p>"Nobody was hit twice within 90 days."</p> }.into_any()
            } else {
                view! {
                    <ul class="repeat-list">
                        {top.into_iter().map(|c| view! {
                            <li>
                                <a href=format!("/customers/{}", c.customer_id)>{c.name.clone()}</a>
                                <span class="muted small">{format!(" {} · {} incidents{}", c.external_ref, c.incidents, if c.churned { " · churned" } else { "" })}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
    .into_any()
}

fn s90(s: Option<SurvivalAt>) -> String {
    s.map_or("—".into(), |s| pct(s.survival))
}

#[component]
fn Headlines(h: Headline) -> impl IntoView {
    let cards = vec![
        (
            "Cases",
            format::count(h.cases as i64),
            match h.share_with_action {
                Some(s) => format!("{} given a recovery action", pct(s)),
                None => "customer × incident".into(),
            },
        ),
        (
            "Mean reply sentiment",
            h.mean_sentiment
                .map_or("—".into(), |m| format::score(m.mean)),
            h.mean_sentiment.map_or("no replies yet".into(), |m| {
                format!(
                    "{} · {} replies",
                    score_ci(m.mean, m.lower, m.upper)
                        .split_once(' ')
                        .map_or(String::new(), |(_, ci)| format!("95 % CI {ci}")),
                    format::count(m.n as i64)
                )
            }),
        ),
        (
            "Retained at 90 days, with action",
            s90(h.s90_with_action),
            format!("without action: {}", s90(h.s90_without_action)),
        ),
        (
            "Total recovery cost",
            format::money_list(&h.total_cost),
            "credits, refunds, gifts, discounts…".into(),
        ),
        (
            "Cost per retained customer",
            h.cost_per_retained
                .as_deref()
                .map_or("—".into(), format::money_list),
            h.cost_note
                .clone()
                .unwrap_or_else(|| "total cost ÷ customers kept by the lift at 90 days".into()),
        ),
    ];
    view! {
        <section class="cards" aria-label="Headline numbers">
            {cards.into_iter().map(|(label, value, sub)| view! {
                <div class="card">
                    <p class="card-label">{label}</p>
                    <p class={if value.chars().count() > 12 { "card-value long" } else { "card-value" }}>{value.clone()}</p>
                    <p class="card-sub">{sub}</p>
                </div>
            }).collect_view()}
        </section>
    }
}

#[component]
fn Latest(p: Page<IncidentRow>) -> impl IntoView {
    if p.total == 0 {
        return view! {
            <Empty title="Nothing recorded yet">
                <p>"Record your first incident, or load a realistic sample with "
                <code>"amends demo"</code> " to see what Amends shows."</p>
            </Empty>
        }
        .into_any();
    }
    view! {
        <section class="panel" aria-labelledby="latest-h">
            <h2 id="latest-h">"Latest incidents"</h2>
            <ul class="latest">
                {p.items.into_iter().take(5).map(|i| view! {
                    <li>
                        <SeverityBadge severity=i.severity/>
                        <a href=format!("/incidents/{}", i.id)>{i.title}</a>
                        <StatusBadge status=i.status/>
                        <span class="muted small">{format!("{} · {} affected", format::date(i.started_at), format::count(i.affected))}</span>
                    </li>
                }).collect_view()}
            </ul>
            <p><a href="/incidents">"All incidents →"</a></p>
        </section>
    }
    .into_any()
}
