//! The weekly report's content, as the page shows it and as `amends report --format html`
//! and the e-mail render it: headline figures, the actions given, each incident, the
//! highlights, the charts and the notable replies. Every number is worded by the report's
//! own `show` functions, which the Markdown export uses too.

use crate::components::badges::{SentimentBadge, SeverityBadge, StatusBadge};
use crate::components::chart_panel::ChartPanel;
use crate::domain::report::{NotableReply, WeekReport, AVERAGE_WEEKS, MIN_REPLIES};
use crate::domain::Money;
use crate::format;
use leptos::prelude::*;

/// The whole report. `base` goes before every link (empty on the page; the public address
/// in a file or an e-mail, so its links lead back to Amends).
#[component]
pub fn WeekReportBody(report: WeekReport, #[prop(optional, into)] base: String) -> impl IntoView {
    let r = report;
    let status = if r.complete {
        None
    } else {
        Some(view! {
            <p class="notice report-running" role="status">
                "This week is still running: its figures will grow until Sunday ends."
            </p>
        })
    };
    let quiet = r.is_quiet().then(|| {
        view! {
            <div class="empty report-quiet">
                <p class="empty-title">"A quiet week"</p>
                <div class="empty-body"><p>
                    "No incident started or was resolved, no recovery action was given and no \
                     reply came in. The figures below compare it with the weeks before."
                </p></div>
            </div>
        }
    });
    view! {
        <article class="report" aria-labelledby="report-title">
            <header class="report-head">
                <p class="eyebrow">"Weekly report"</p>
                <h1 id="report-title">{format!("Week {}", r.week)}</h1>
                <p class="lede">
                    {format!("{} to {} ({}, Monday to Sunday) · figures as of ",
                        r.first_day, r.last_day, r.zone)}
                    <span class="nowrap">{r.generated.clone()}</span>
                </p>
            </header>
            {status}
            {quiet}
            <Figures r=r.clone()/>
            <Actions r=r.clone()/>
            <Incidents r=r.clone() base=base.clone()/>
            <Highlights r=r.clone() base=base.clone()/>
            <section class="report-charts" aria-label="Charts">
                {r.charts.iter().cloned().map(|chart| view! { <ChartPanel chart/> }).collect_view()}
            </section>
            <Notable r=r.clone() base=base.clone()/>
        </article>
    }
}

#[component]
fn Figures(r: WeekReport) -> impl IntoView {
    view! {
        <section class="panel report-section" aria-labelledby="r-headline">
            <h2 id="r-headline">"Headline"</h2>
            <div class="table-wrap">
                <table class="data report-figures">
                    <thead><tr>
                        <th scope="col">"Figure"</th>
                        <th scope="col" class="num">"This week"</th>
                        <th scope="col" class="num">"Last week"</th>
                        <th scope="col" class="num">"Change"</th>
                        <th scope="col" class="num">{format!("{AVERAGE_WEEKS}-week average")}</th>
                    </tr></thead>
                    <tbody>
                        {r.figures.into_iter().map(|f| view! {
                            <tr data-figure=f.key.clone()>
                                <th scope="row">{f.label.clone()}</th>
                                <td class="num" data-label="This week">{f.show(f.value)}</td>
                                <td class="num" data-label="Last week">{f.show(f.previous)}</td>
                                <td class="num" data-label="Change">{f.show_change()}</td>
                                <td class="num" data-label=format!("{AVERAGE_WEEKS}-week average")>{f.show(f.average)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn Actions(r: WeekReport) -> impl IntoView {
    let body = if r.actions_by_kind.is_empty() {
        view! { <p class="muted">"No recovery action was given this week."</p> }.into_any()
    } else {
        view! {
            <div class="table-wrap">
                <table class="data">
                    <thead><tr>
                        <th scope="col">"Kind"</th>
                        <th scope="col" class="num">"Given"</th>
                        <th scope="col" class="num">"Cost"</th>
                        <th scope="col" class="num">"Last week"</th>
                    </tr></thead>
                    <tbody>
                        {r.actions_by_kind.into_iter().map(|k| view! {
                            <tr>
                                <th scope="row">{k.kind.label()}</th>
                                <td class="num" data-label="Given">{format::count(k.count as i64)}</td>
                                <td class="num" data-label="Cost">{format::money_list(&k.cost)}</td>
                                <td class="num" data-label="Last week">{format::count(k.previous_count as i64)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="panel report-section" aria-labelledby="r-actions">
            <h2 id="r-actions">"Recovery actions given"</h2>
            {body}
        </section>
    }
}

#[component]
fn Incidents(r: WeekReport, base: String) -> impl IntoView {
    let body = if r.incidents.is_empty() {
        view! { <p class="muted">"No incident started or was resolved this week."</p> }.into_any()
    } else {
        view! {
            <div class="table-wrap">
                <table class="data report-incidents">
                    <thead><tr>
                        <th scope="col">"Incident"</th>
                        <th scope="col">"Started"</th>
                        <th scope="col" class="num">"Duration"</th>
                        <th scope="col" class="num">"First contact"</th>
                        <th scope="col" class="num">"Affected"</th>
                        <th scope="col">"Actions"</th>
                        <th scope="col" class="num">"Cost"</th>
                        <th scope="col" class="num">"Replies"</th>
                        <th scope="col" class="num">"Sentiment"</th>
                        <th scope="col" class="num">"Churned"</th>
                    </tr></thead>
                    <tbody>
                        {r.incidents.into_iter().map(|i| {
                            let note = match (i.opened_this_week, i.resolved_this_week) {
                                (true, true) => "opened and resolved this week",
                                (true, false) => "opened this week",
                                _ => "resolved this week",
                            };
                            view! {
                                <tr data-incident=i.id>
                                    <th scope="row" class="title-cell">
                                        <a href=format!("{base}/incidents/{}", i.id)>{format!("#{} {}", i.id, i.title)}</a>
                                        <span class="report-badges">
                                            <SeverityBadge severity=i.severity/>
                                            <StatusBadge status=i.status/>
                                        </span>
                                        <span class="muted small">{format!("{} · {note}", i.kind.label())}</span>
                                    </th>
                                    <td data-label="Started">{stacked(day_and_time(&i.started), "—")}</td>
                                    <td class="num" data-label="Duration">{i.show_duration()}</td>
                                    <td class="num" data-label="First contact">{i.show_first_contact()}</td>
                                    <td class="num" data-label="Affected">
                                        {format::count(i.affected as i64)}
                                        {(i.not_contacted > 0).then(|| view! {
                                            <span class="muted small block">{format!("{} not contacted", format::count(i.not_contacted as i64))}</span>
                                        })}
                                    </td>
                                    <td data-label="Actions">{stacked(i.action_lines(), "none")}</td>
                                    <td class="num" data-label="Cost">{stacked(i.cost.iter().map(Money::display).collect(), "—")}</td>
                                    <td class="num" data-label="Replies">{format::count(i.replies as i64)}</td>
                                    <td class="num" data-label="Sentiment">{i.show_sentiment()}</td>
                                    <td class="num" data-label="Churned">{format::count(i.churned as i64)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="panel report-section" aria-labelledby="r-incidents">
            <h2 id="r-incidents">"Incidents"</h2>
            <p class="muted small">"Incidents that started or were resolved this week, with their recovery so far: first contact is from detection to the first action given to anyone; sentiment is the mean of the replies linked to them; churned counts affected customers who have left since it started."</p>
            {body}
        </section>
    }
}

/// One line each (a kind's count, a currency's cost), so a narrow column breaks between
/// them rather than inside one.
fn stacked(lines: Vec<String>, empty: &'static str) -> impl IntoView {
    if lines.is_empty() {
        return view! { <span>{empty}</span> }.into_any();
    }
    lines
        .into_iter()
        .map(|l| view! { <span class="line">{l}</span> })
        .collect_view()
        .into_any()
}

/// `Tue 2026-10-27 01:46` as the day, then the time: a date never breaks at its hyphens.
fn day_and_time(when: &str) -> Vec<String> {
    match when.rsplit_once(' ') {
        Some((day, time)) => vec![day.to_string(), time.to_string()],
        None => vec![when.to_string()],
    }
}

#[component]
fn Highlights(r: WeekReport, base: String) -> impl IntoView {
    let h = r.highlights;
    let link = {
        let base = base.clone();
        move |id: i64, title: &str| {
            view! { <a href=format!("{base}/incidents/{id}")>{format!("#{id} {title}")}</a> }
        }
    };
    let best = match &h.best {
        Some(b) => view! {
            <dd>{link(b.id, &b.title)}{format!(" — mean reply sentiment {} over {} replies", format::score(b.mean_sentiment), b.replies)}</dd>
        }
        .into_any(),
        None => view! {
            <dd class="muted">{format!("No incident of this week has {MIN_REPLIES} or more replies yet.")}</dd>
        }
        .into_any(),
    };
    let worst = h.worst.as_ref().map(|w| {
        view! {
            <dt>"Worst recovered"</dt>
            <dd>{link(w.id, &w.title)}{format!(" — mean reply sentiment {} over {} replies", format::score(w.mean_sentiment), w.replies)}</dd>
        }
    });
    let slowest = match &h.slowest {
        Some(s) => view! {
            <dd>{link(s.id, &s.title)}{format!(" — {} after detection", format::duration(s.first_contact_ms.max(0)))}</dd>
        }
        .into_any(),
        None => view! { <dd class="muted">"Nobody hit this week was contacted."</dd> }.into_any(),
    };
    let repeat = if h.repeat.is_empty() {
        view! { <dd class="muted">"Nobody."</dd> }.into_any()
    } else {
        let more = h.repeat_total.saturating_sub(h.repeat.len() as u64);
        view! {
            <dd>
                {format!("{} customers", format::count(h.repeat_total as i64))}
                <ul class="report-list">
                    {h.repeat.iter().map(|c| view! {
                        <li>
                            <a href=format!("{base}/customers/{}", c.customer_id)>{c.name.clone()}</a>
                            <span class="muted small">{format!(" {} · {} incidents in 90 days", c.external_ref, c.incidents)}</span>
                        </li>
                    }).collect_view()}
                </ul>
                {(more > 0).then(|| view! { <p class="muted small">{format!("and {more} more")}</p> })}
            </dd>
        }
        .into_any()
    };
    let uncontacted = if h.uncontacted.is_empty() {
        view! { <dd class="muted">"None: every open incident’s customers have been contacted."</dd> }.into_any()
    } else {
        view! {
            <dd>
                <ul class="report-list">
                    {h.uncontacted.iter().map(|u| view! {
                        <li>
                            <SeverityBadge severity=u.severity/>" "
                            {link(u.id, &u.title)}
                            <span class="muted small">{format!(" {} since {} — {} of {} affected not contacted",
                                u.status.label().to_lowercase(), u.started,
                                format::count(u.not_contacted as i64), format::count(u.affected as i64))}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </dd>
        }
        .into_any()
    };
    view! {
        <section class="panel report-section" aria-labelledby="r-highlights">
            <h2 id="r-highlights">"Highlights"</h2>
            <dl class="highlights">
                <dt>{h.best_label()}</dt>
                {best}
                {worst}
                <dt>"Slowest first contact"</dt>
                {slowest}
                <dt>"Hit again within 90 days"</dt>
                {repeat}
                <dt>"Open incidents with customers not contacted"</dt>
                {uncontacted}
            </dl>
        </section>
    }
}

#[component]
fn Notable(r: WeekReport, base: String) -> impl IntoView {
    let list = |title: &'static str, id: &'static str, replies: Vec<NotableReply>, base: String| {
        view! {
            <div class="report-replies">
                <h3 id=id>{title}</h3>
                {if replies.is_empty() {
                    view! { <p class="muted">"None this week."</p> }.into_any()
                } else {
                    view! {
                        <ul class="replies" aria-labelledby=id>
                            {replies.into_iter().map(|n| view! {
                                <li class="reply">
                                    <div class="reply-meta">
                                        <SentimentBadge score=n.score/>
                                        <a href=format!("{base}/customers/{}", n.customer_id)>{n.customer.clone()}</a>
                                        <span class="muted small">{n.received.clone()}</span>
                                        {n.incident_id.zip(n.incident.clone()).map(|(id, t)| view! {
                                            <span class="muted small">"about "<a href=format!("{base}/incidents/{id}")>{format!("#{id} {t}")}</a></span>
                                        })}
                                    </div>
                                    <blockquote>{n.excerpt.clone()}</blockquote>
                                </li>
                            }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }}
            </div>
        }
    };
    view! {
        <section class="panel report-section" aria-labelledby="r-replies">
            <h2 id="r-replies">"Notable replies"</h2>
            <div class="report-replies-grid">
                {list("Most positive", "r-positive", r.most_positive, base.clone())}
                {list("Most negative", "r-negative", r.most_negative, base)}
            </div>
        </section>
    }
}

/// The report as one self-contained HTML document (the stylesheet inlined), for
/// `amends report --format html`, the download and the e-mail.
#[cfg(feature = "ssr")]
pub fn document(report: &WeekReport, base: &str) -> String {
    const STYLE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../style/main.css"));
    let owner = Owner::new();
    let body = owner.with(|| {
        let report = report.clone();
        let base = base.to_string();
        view! { <WeekReportBody report base/> }.to_html()
    });
    let title = escape_html(&format!("{} · Amends", report.title()));
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>\n{STYLE}\n</style>\n</head>\n\
         <body class=\"report-document\">\n<main class=\"page\">\n{body}\n</main>\n</body>\n</html>\n"
    )
}

#[cfg(feature = "ssr")]
fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
