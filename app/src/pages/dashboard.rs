//! The dashboard: headline numbers and the latest incidents. The charts of the analytics
//! work build on this page.

use crate::api::dashboard::get_overview;
use crate::components::badges::{SeverityBadge, StatusBadge};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::Overview;
use crate::format;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_overview());
    view! {
        <Title text="Dashboard"/>
        <header class="page-head">
            <h1>"Dashboard"</h1>
            <p class="lede">"How we are doing at making things right."</p>
        </header>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(o) if o.incidents == 0 && o.customers == 0 => view! {
                        <Empty title="Nothing recorded yet">
                            <p>"Record your first incident, or load a realistic sample with "
                            <code>"amends demo"</code> " to see what Amends shows."</p>
                        </Empty>
                    }.into_any(),
                    Ok(o) => view! { <Headlines o/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Headlines(o: Overview) -> impl IntoView {
    let share = |part: i64, whole: i64| {
        if whole == 0 {
            "—".to_string()
        } else {
            format!("{:.0} %", 100.0 * part as f64 / whole as f64)
        }
    };
    let cards = vec![
        (
            "Incidents",
            format::count(o.incidents),
            format!("{} open", format::count(o.open_incidents)),
        ),
        (
            "Cases",
            format::count(o.cases),
            "customer × incident".to_string(),
        ),
        (
            "Recovery actions",
            format::count(o.actions),
            format::money_list(&o.cost),
        ),
        (
            "Replies",
            format::count(o.replies),
            match o.mean_sentiment {
                Some(m) => format!("mean sentiment {}", format::score(m)),
                None => "no sentiment yet".into(),
            },
        ),
        (
            "Customers",
            format::count(o.customers),
            format!("{} churned", share(o.churned_customers, o.customers)),
        ),
    ];
    view! {
        <section class="cards" aria-label="Headline numbers">
            {cards.into_iter().map(|(label, value, sub)| view! {
                <div class="card">
                    <p class="card-label">{label}</p>
                    <p class="card-value">{value}</p>
                    <p class="card-sub">{sub}</p>
                </div>
            }).collect_view()}
        </section>
        <section class="panel" aria-labelledby="latest-h">
            <h2 id="latest-h">"Latest incidents"</h2>
            <ul class="latest">
                {o.latest.into_iter().map(|i| view! {
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
}
