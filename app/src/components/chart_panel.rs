//! One server-drawn chart as a page shows it: title, caption, the SVG (or why there is
//! none), "Show numbers" with the table behind it, and CSV / SVG downloads of the dashboard's
//! charts (the weekly report's have their numbers in the report's own CSV).

use crate::domain::dashboard::ChartView;
use leptos::prelude::*;

/// A chart with its title, how to read it and its numbers; with `qs` (the dashboard question
/// it was drawn for), its downloads too.
#[component]
pub fn ChartPanel(chart: ChartView, #[prop(optional, into)] qs: Option<String>) -> impl IntoView {
    let heading = format!("{}-h", chart.id);
    let labelled_by = heading.clone();
    let has_svg = chart.svg.is_some();
    let downloads = qs.map(|qs| {
        let csv = format!("/dashboard/{}.csv?{qs}", chart.id);
        let svg_href = format!("/dashboard/{}.svg?{qs}", chart.id);
        view! {
            <p class="downloads">
                <a href=csv download="">"Download CSV"</a>
                {has_svg.then(|| view! { <a href=svg_href download="">"Download SVG"</a> })}
            </p>
        }
    });
    view! {
        <section class="panel chart-panel" aria-labelledby=labelled_by data-chart=chart.id.clone()>
            <h2 id=heading>{chart.title.clone()}</h2>
            <p class="muted small">{chart.caption.clone()}</p>
            {match chart.svg.clone() {
                Some(svg) => view! { <figure class="chart" inner_html=svg></figure> }.into_any(),
                None => view! { <p class="chart-empty">{chart.empty.clone()}</p> }.into_any(),
            }}
            <details class="numbers">
                <summary>"Show numbers"</summary>
                <div class="table-wrap">
                    <table class="data">
                        <caption class="visually-hidden">{chart.title.clone()}</caption>
                        <thead><tr>{chart.columns.iter().map(|c| view! { <th scope="col">{c.clone()}</th> }).collect_view()}</tr></thead>
                        <tbody>
                            {chart.rows.iter().map(|r| view! {
                                <tr>{r.iter().enumerate().map(|(i, c)| view! {
                                    <td data-label=chart.columns.get(i).cloned().unwrap_or_default()>{c.clone()}</td>
                                }).collect_view()}</tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </details>
            {downloads}
        </section>
    }
}
