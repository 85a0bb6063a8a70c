//! An incident's own recovery figures and a customer's sentiment over time, each loaded on
//! its own so the rest of the page never waits for a chart.

use super::chart_panel::ChartPanel;
use super::states::Loading;
use crate::api::dashboard::{get_customer_sentiment_chart, get_incident_analytics};
use crate::domain::dashboard::pct;
use crate::format;
use leptos::prelude::*;

#[component]
pub fn IncidentRecovery(id: i64) -> impl IntoView {
    let data = Resource::new(move || id, get_incident_analytics);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                // The incident itself loads above; a failure here only hides the figures.
                let Ok(v) = data.await else { return ().into_any() };
                if v.headline.cases == 0 {
                    return view! {
                        <section class="panel" aria-labelledby="recovery-h">
                            <h2 id="recovery-h">"How the recovery went"</h2>
                            <p class="muted">"No affected customers yet, so nothing to measure."</p>
                        </section>
                    }.into_any();
                }
                let h = v.headline.clone();
                let link = v.query.query_string();
                let summary = format!(
                    "{} cases, {} given a recovery action; mean reply sentiment {}; retained at 90 days: {} with action, {} without.",
                    format::count(h.cases as i64),
                    h.share_with_action.map_or("—".into(), pct),
                    h.mean_sentiment.map_or("—".into(), |m| format::score(m.mean)),
                    h.s90_with_action.map_or("not yet known".into(), |s| pct(s.survival)),
                    h.s90_without_action.map_or("not yet known".into(), |s| pct(s.survival)),
                );
                view! {
                    <section class="panel" aria-labelledby="recovery-h">
                        <h2 id="recovery-h">"How the recovery went"</h2>
                        <p>{summary}</p>
                    </section>
                    <div class="charts">
                        <ChartPanel chart=v.sentiment.clone() qs=link.clone()/>
                        <ChartPanel chart=v.retention.clone() qs=link/>
                    </div>
                }.into_any()
            })}
        </Suspense>
    }
}

/// `shown` says which replies the chart covers (all, or only the latest), as
/// `CustomerDetail::replies_shown` words it.
#[component]
pub fn CustomerSentiment(id: i64, shown: String) -> impl IntoView {
    let data = Resource::new(move || id, get_customer_sentiment_chart);
    let caption = format!(
        "Each reply's sentiment (−1 to +1; a person's correction wins), oldest first: {shown}."
    );
    view! {
        <Suspense fallback=Loading>
            {move || {
                let caption = caption.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(Some(svg)) => view! {
                            <section class="panel" aria-labelledby="cust-sentiment-h">
                                <h2 id="cust-sentiment-h">"Sentiment over time"</h2>
                                <p class="muted small">{caption}</p>
                                <figure class="chart" inner_html=svg></figure>
                            </section>
                        }.into_any(),
                        _ => ().into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
