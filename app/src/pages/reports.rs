//! Reports: the list of recent weeks, and the weekly report of one ISO week with a week
//! picker, previous / next links, downloads (CSV, Markdown, printable HTML) and print.

use crate::api::reports::{get_report_calendar, get_week_report};
use crate::components::report_schedule::ReportSchedulePanel;
use crate::components::states::{Empty, ErrorNotice, Loading};
use crate::components::week_report::WeekReportBody;
use crate::domain::week::IsoWeek;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// How many past weeks the reports page lists.
const RECENT: i64 = 12;

#[component]
pub fn ReportsPage() -> impl IntoView {
    let calendar = Resource::new(|| (), |_| get_report_calendar());
    let me = Resource::new(|| (), |_| crate::api::session::whoami());
    view! {
        <Title text="Reports"/>
        <header class="page-head">
            <h1>"Reports"</h1>
            <p class="lede">"The Monday read: what went wrong last week, what we did, and whether it worked."</p>
        </header>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let admin = me
                    .await
                    .ok()
                    .flatten()
                    .is_some_and(|u| u.role == crate::domain::Role::Admin);
                match calendar.await {
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(c) => {
                        let latest = c.last_full();
                        view! {
                            <section class="panel" aria-labelledby="weeks-h">
                                <div class="panel-head">
                                    <h2 id="weeks-h">"Weekly reports"</h2>
                                    <a class="button primary" href=format!("/reports/weekly/{latest}")>
                                        {format!("Last week ({latest})")}
                                    </a>
                                </div>
                                <p class="muted small">{format!(
                                    "ISO weeks, Monday to Sunday in {} (set AMENDS_TIME_ZONE to change it). \
                                     Each report prints on A4 and downloads as CSV or Markdown.", c.zone)}</p>
                                <WeekPicker week=Some(latest) error=None/>
                                <ul class="week-list">
                                    <li>
                                        <a href=format!("/reports/weekly/{}", c.this_week)>{c.this_week.label()}</a>
                                        <span class="muted small">{format!(" {} · this week, so far", days(c.this_week))}</span>
                                    </li>
                                    {(1..=RECENT).map(|n| {
                                        let w = c.this_week.back(n);
                                        view! {
                                            <li>
                                                <a href=format!("/reports/weekly/{w}")>{w.label()}</a>
                                                <span class="muted small">{format!(" {}", days(w))}</span>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            </section>
                            {admin.then(|| view! { <ReportSchedulePanel/> })}
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// `16 Nov – 22 Nov 2026`
fn days(w: IsoWeek) -> String {
    let first = w.monday();
    let last = first + time::Duration::days(6);
    let month = |d: time::Date| {
        let m = format!("{:?}", d.month());
        m.chars().take(3).collect::<String>()
    };
    format!(
        "{} {} – {} {} {}",
        first.day(),
        month(first),
        last.day(),
        month(last),
        last.year()
    )
}

#[component]
pub fn WeeklyReportPage() -> impl IntoView {
    let params = use_params_map();
    let week = move || params.read().get("week").unwrap_or_default();
    let data = Resource::new(week, get_week_report);
    view! {
        <Title text=move || format!("Weekly report {}", week())/>
        // The island below swaps this element for the next one's when a week link is followed.
        <div id="report-root">
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let asked = week();
                match data.await {
                    Err(AppError::Field { message, .. }) => view! {
                        <header class="page-head">
                            <p class="crumbs"><a href="/reports">"Reports"</a></p>
                            <h1>"Weekly report"</h1>
                        </header>
                        <WeekPicker week=IsoWeek::parse(&asked).ok() error=Some(message.clone())/>
                        <Empty title="No report for this week">
                            <p>{message}" Pick another week above, or go to "<a href="/reports">"the list of weeks"</a>"."</p>
                        </Empty>
                    }
                    .into_any(),
                    Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    Ok(r) => {
                        let this = IsoWeek::parse(&r.week).ok();
                        let files = format!("/reports/weekly/{}/report", r.week);
                        view! {
                            <nav class="report-nav" aria-label="Weeks and downloads">
                                <p class="crumbs"><a href="/reports">"Reports"</a></p>
                                <div class="report-nav-row">
                                    <a href=format!("/reports/weekly/{}", r.prev) class="button" rel="prev" data-swap="">
                                        {format!("← {}", r.prev)}
                                    </a>
                                    {if r.next_exists {
                                        view! {
                                            <a href=format!("/reports/weekly/{}", r.next) class="button" rel="next" data-swap="">
                                                {format!("{} →", r.next)}
                                            </a>
                                        }.into_any()
                                    } else {
                                        view! { <span class="button disabled" aria-disabled="true">{format!("{} →", r.next)}</span> }.into_any()
                                    }}
                                    <WeekPicker week=this error=None/>
                                    <span class="report-downloads">
                                        <a href=format!("{files}.csv") download="">"Download CSV"</a>
                                        <a href=format!("{files}.md") download="">"Markdown"</a>
                                        <a href=format!("{files}.html") target="_blank" rel="noopener">"Printable page"</a>
                                        <PrintButton/>
                                    </span>
                                </div>
                            </nav>
                            <WeekReportBody report=r/>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
        </div>
        <WeekLinks/>
    }
}

/// A plain GET form: `/reports/weekly?week=2026-W47` redirects to that week's report.
/// Browsers with a week input show a calendar; others take the text.
#[component]
fn WeekPicker(week: Option<IsoWeek>, error: Option<String>) -> impl IntoView {
    let has_error = error.is_some();
    view! {
        <form class="week-picker" method="get" action="/reports/weekly" aria-label="Go to a week">
            <label for="week-input">"Week"</label>
            <input id="week-input" name="week" type="week" value=week.map(IsoWeek::label).unwrap_or_default()
                pattern="[0-9]{4}-W[0-9]{2}" placeholder="2026-W47" required autocomplete="off"
                aria-invalid=has_error.then_some("true") aria-describedby="week-msg"/>
            <button type="submit" class="button">"Go"</button>
            <p id="week-msg" class="field-error" role="alert">{error}</p>
        </form>
    }
}

/// Prints the page (with the print stylesheet); `WeekLinks` does it, so it needs the script.
#[component]
fn PrintButton() -> impl IntoView {
    view! { <button type="button" class="button" data-print="">"Print"</button> }
}

/// An island with nothing to show: with the script, the previous / next week links
/// (`data-swap`) show their week in this page — the report is fetched from the server and
/// put in place of this one, and the address changes, so Back and Forward move between
/// weeks the same way — and the Print button (`data-print`) prints.
#[island]
fn WeekLinks() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    week_links::listen();
}

#[cfg(feature = "hydrate")]
mod week_links {
    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    /// The element whose content is a week's report (and its navigation).
    const ROOT: &str = "report-root";

    pub fn listen() {
        // Listeners on the window, so the links of a report put in place work too.
        window_event_listener(leptos::ev::click, |ev| {
            if ev.default_prevented()
                || ev.button() != 0
                || ev.meta_key()
                || ev.ctrl_key()
                || ev.shift_key()
                || ev.alt_key()
            {
                return;
            }
            let Some(target) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            else {
                return;
            };
            if target.closest("[data-print]").ok().flatten().is_some() {
                let _ = window().print();
                return;
            }
            let Some(href) = target
                .closest("a[data-swap]")
                .ok()
                .flatten()
                .and_then(|a| a.get_attribute("href"))
            else {
                return;
            };
            ev.prevent_default();
            leptos::task::spawn_local(show(href, true));
        });
        window_event_listener(leptos::ev::popstate, |_| {
            let href = window().location().href().unwrap_or_default();
            leptos::task::spawn_local(show(href, false));
        });
    }

    /// Shows the report at `href` in this page, else loads it as a page of its own.
    async fn show(href: String, push: bool) {
        match fetch(&href).await {
            Some((html, title)) => {
                if let Some(root) = document().get_element_by_id(ROOT) {
                    root.set_inner_html(&html);
                }
                document().set_title(&title);
                if push {
                    if let Ok(history) = window().history() {
                        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&href));
                    }
                    window().scroll_to_with_x_and_y(0.0, 0.0);
                }
            }
            None => {
                let _ = window().location().set_href(&href);
            }
        }
    }

    /// The page at `href`: its report's HTML and its title.
    async fn fetch(href: &str) -> Option<(String, String)> {
        let response: web_sys::Response = JsFuture::from(window().fetch_with_str(href))
            .await
            .ok()?
            .dyn_into()
            .ok()?;
        let text = JsFuture::from(response.text().ok()?)
            .await
            .ok()?
            .as_string()?;
        let page = web_sys::DomParser::new()
            .ok()?
            .parse_from_string(&text, web_sys::SupportedType::TextHtml)
            .ok()?;
        let root = page.get_element_by_id(ROOT)?;
        Some((root.inner_html(), page.title()))
    }
}
