//! Holdout experiments: every experiment with its verdict and the pooled effect per action
//! kind, and one experiment's arms side by side.

use crate::api::experiments::{get_experiment, get_experiments};
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::domain::analytics::SurvivalAt;
use crate::domain::dashboard::{p_value, pct_ci, score_ci};
use crate::domain::experiment::{ArmFigures, Effect, ExperimentReport, PooledEffect};
use crate::error::AppError;
use crate::format;
use crate::pages::not_found::NotFoundPage;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `+12.3 points (+4.1 to +20.5)`
fn points(e: &Effect) -> String {
    let p = |x: f64| format!("{:+.1}", x * 100.0).replace('-', "−");
    format!(
        "{} points ({} to {})",
        p(e.estimate),
        p(e.lower),
        p(e.upper)
    )
}

fn sentiment(e: &Effect) -> String {
    score_ci(e.estimate, Some(e.lower), Some(e.upper))
}

fn survival(s: &Option<SurvivalAt>) -> String {
    s.map_or("not yet".into(), |s| pct_ci(s.survival, s.lower, s.upper))
}

fn given(r: &ExperimentReport) -> String {
    let control = r.control.map_or(String::new(), |c| {
        format!("; held out get {}", c.label().to_lowercase())
    });
    format!("{}, {} % held out{control}", r.kind.label(), r.share_pct)
}

#[component]
pub fn ExperimentsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_experiments());
    view! {
        <Title text="Experiments"/>
        <header class="page-head">
            <h1>"Experiments"</h1>
            <p class="lede">"Give an action with a share of customers held out at random, and see what the action itself does — not who the team chose to give it to."</p>
        </header>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let v = match data.await {
                    Ok(v) => v,
                    Err(e) => return view! { <ErrorNotice error=e/> }.into_any(),
                };
                if v.experiments.is_empty() {
                    return view! {
                        <Empty title="No experiments yet">
                            <p>"On an incident, give a recovery action and choose a share to hold out. "
                               "The held-out customers get nothing from it (or only an apology, if you choose), "
                               "and this page compares the two groups as their replies and renewals come in."</p>
                            <p><a class="button" href="/incidents">"Go to incidents"</a></p>
                        </Empty>
                    }.into_any();
                }
                let as_of = v.as_of.clone();
                view! {
                    <PooledTable pooled=v.pooled.clone()/>
                    <section class="panel" aria-labelledby="experiments-h">
                        <h2 id="experiments-h">"Every experiment " <span class="count">{format::count(v.experiments.len() as i64)}</span></h2>
                        <p class="muted small">{format!(
                            "Newest first. Effects are treated − held out with 95 % intervals; retention is followed from when the action was given until {as_of}.")}</p>
                        <div class="table-wrap"><table class="data" id="experiments">
                            <thead><tr>
                                <th scope="col">"Experiment"</th><th scope="col">"Given"</th>
                                <th scope="col" class="num">"Treated"</th><th scope="col" class="num">"Held out"</th>
                                <th scope="col">"Sentiment effect"</th><th scope="col">"90-day retention effect"</th>
                                <th scope="col">"Verdict"</th>
                            </tr></thead>
                            <tbody>
                                {v.experiments.iter().map(|r| view! {
                                    <tr>
                                        <th scope="row" class="title-cell">
                                            <a href=format!("/experiments/{}", r.id)>{format!("#{} {}", r.id, r.incident_title)}</a>
                                            <span class="muted small block">{format!("started {}", format::date(r.started_at))}</span>
                                        </th>
                                        <td data-label="Given">{given(r)}</td>
                                        <td data-label="Treated" class="num">{format::count(r.treated.customers as i64)}</td>
                                        <td data-label="Held out" class="num">{format::count(r.held_out.customers as i64)}</td>
                                        <td data-label="Sentiment effect">{r.sentiment_effect.as_ref().map_or("—".into(), sentiment)}</td>
                                        <td data-label="90-day retention effect">{r.s90_effect.as_ref().map_or("—".into(), points)}</td>
                                        <td data-label="Verdict" class="small verdict">{r.verdict.clone()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table></div>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
fn PooledTable(pooled: Vec<PooledEffect>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="pooled-h">
            <h2 id="pooled-h">"What each kind of action does"</h2>
            <p class="muted small">"Every experiment of a kind pooled (fixed effect, each weighted by its precision): treated − held out, with 95 % intervals."</p>
            <div class="table-wrap"><table class="data" id="pooled">
                <thead><tr>
                    <th scope="col">"Action"</th><th scope="col" class="num">"Experiments"</th>
                    <th scope="col" class="num">"Treated"</th><th scope="col" class="num">"Held out"</th>
                    <th scope="col">"Sentiment effect"</th><th scope="col">"90-day retention effect"</th><th scope="col">"Verdict"</th>
                </tr></thead>
                <tbody>
                    {pooled.iter().map(|p| view! {
                        <tr>
                            <th scope="row">{p.kind.label()}</th>
                            <td data-label="Experiments" class="num">{format::count(p.experiments as i64)}</td>
                            <td data-label="Treated" class="num">{format::count(p.treated as i64)}</td>
                            <td data-label="Held out" class="num">{format::count(p.held_out as i64)}</td>
                            <td data-label="Sentiment effect">{p.sentiment_effect.as_ref().map_or("—".into(), sentiment)}</td>
                            <td data-label="90-day retention effect">{p.s90_effect.as_ref().map_or("—".into(), points)}</td>
                            <td data-label="Verdict" class="small verdict">{p.verdict.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table></div>
        </section>
    }
}

#[component]
pub fn ExperimentPage() -> impl IntoView {
    let query = use_query_map();
    let id = super::positive_id();
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_experiment(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let r = match data.await {
                    Ok(r) => r,
                    Err(AppError::NotFound) => return view! { <NotFoundPage/> }.into_any(),
                    Err(e) => return view! { <ErrorNotice error=e/> }.into_any(),
                };
                let started = query.read().get("started").is_some();
                let title = format!("{} on “{}”", r.kind.label(), r.incident_title);
                view! {
                    <Title text=format!("Experiment #{}", r.id)/>
                    <nav class="crumbs" aria-label="Breadcrumb"><a href="/experiments">"← Experiments"</a></nav>
                    <header class="page-head">
                        <p class="eyebrow">{format!("Experiment #{}", r.id)}</p>
                        <h1>{title}</h1>
                        <p class="lede" id="verdict">{r.verdict.clone()}</p>
                    </header>
                    {started.then(|| view! {
                        <p class="notice" role="status">{format!(
                            "Given to {} customers; {} held out. Their replies and renewals fill this page in as they arrive.",
                            format::count(r.treated.customers as i64), format::count(r.held_out.customers as i64))}</p>
                    })}
                    <dl class="facts">
                        <div><dt>"Incident"</dt><dd><a href=format!("/incidents/{}", r.incident_id)>{r.incident_title.clone()}</a></dd></div>
                        <div><dt>"Given"</dt><dd>{given(&r)}</dd></div>
                        <div><dt>"Started"</dt><dd>{format::date_time(r.started_at)}</dd></div>
                        <div><dt>"Followed until"</dt><dd>{r.as_of.clone()}</dd></div>
                        <div><dt>"Seed of the draw"</dt><dd><code>{r.seed.clone()}</code></dd></div>
                    </dl>
                    <section class="panel" aria-labelledby="arms-h">
                        <h2 id="arms-h">"The two arms"</h2>
                        <p class="muted small">"Sentiment is each replying customer's mean reply score (−1 to +1), averaged over the arm with a 95 % t-interval. "
                            "Retention runs from when the action was given to churn, Kaplan–Meier with 95 % Greenwood intervals."</p>
                        <div class="table-wrap"><table class="data" id="arms">
                            <thead><tr>
                                <th scope="col">"Arm"</th><th scope="col" class="num">"Customers"</th><th scope="col" class="num">"Churned"</th>
                                <th scope="col">"Mean sentiment"</th><th scope="col" class="num">"Replied"</th>
                                <th scope="col">"Retained 30 days"</th><th scope="col">"Retained 90 days"</th><th scope="col">"Retained 180 days"</th>
                            </tr></thead>
                            <tbody>
                                <ArmRow label=format!("Given {}", r.kind.label().to_lowercase()) a=r.treated.clone()/>
                                <ArmRow label="Held out".to_string() a=r.held_out.clone()/>
                            </tbody>
                        </table></div>
                    </section>
                    <section class="panel" aria-labelledby="effect-h">
                        <h2 id="effect-h">"The effect"</h2>
                        <div class="table-wrap"><table class="data" id="effect">
                            <thead><tr><th scope="col">"Measure"</th><th scope="col">"Treated − held out (95 % interval)"</th><th scope="col">"How"</th></tr></thead>
                            <tbody>
                                <tr>
                                    <th scope="row">"Mean sentiment"</th>
                                    <td data-label="Effect">{r.sentiment_effect.as_ref().map_or("too few replies to compare".into(), sentiment)}</td>
                                    <td data-label="How" class="small">"Welch's t-interval"</td>
                                </tr>
                                <tr>
                                    <th scope="row">"Retained 90 days"</th>
                                    <td data-label="Effect">{r.s90_effect.as_ref().map_or("not known yet".into(), points)}</td>
                                    <td data-label="How" class="small">"Normal approximation with both Greenwood variances"</td>
                                </tr>
                                <tr>
                                    <th scope="row">"Churn over time"</th>
                                    <td data-label="Effect">{r.logrank_p.map_or("—".into(), |p| {
                                        let p = p_value(p);
                                        if p.starts_with('<') { format!("log-rank p {p}") } else { format!("log-rank p = {p}") }
                                    })}</td>
                                    <td data-label="How" class="small">"Log-rank test between the arms"</td>
                                </tr>
                            </tbody>
                        </table></div>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
fn ArmRow(label: String, a: ArmFigures) -> impl IntoView {
    view! {
        <tr>
            <th scope="row">{label}</th>
            <td data-label="Customers" class="num">{format::count(a.customers as i64)}</td>
            <td data-label="Churned" class="num">{format::count(a.churned as i64)}</td>
            <td data-label="Mean sentiment">{a.sentiment.map_or("no replies".into(), |m| score_ci(m.mean, m.lower, m.upper))}</td>
            <td data-label="Replied" class="num">{format::count(a.sentiment.map_or(0, |m| m.n as i64))}</td>
            <td data-label="Retained 30 days">{survival(&a.s30)}</td>
            <td data-label="Retained 90 days">{survival(&a.s90)}</td>
            <td data-label="Retained 180 days">{survival(&a.s180)}</td>
        </tr>
    }
}
