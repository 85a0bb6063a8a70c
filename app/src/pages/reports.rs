//! Reports landing page. The weekly report itself is its own piece of work; until it lands
//! this page says so plainly and points to what already exists.

use crate::components::states::Empty;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ReportsPage() -> impl IntoView {
    view! {
        <Title text="Reports"/>
        <header class="page-head">
            <h1>"Reports"</h1>
            <p class="lede">"The Monday read: what went wrong last week, what we did, and whether it worked."</p>
        </header>
        <Empty title="The weekly report is not built yet">
            <p>
                "It will live at " <code>"/reports/weekly/2026-W47"</code>
                ", printable and exportable. Meanwhile the "
                <a href="/incidents">"incident list"</a> " and "
                <a href="/replies">"replies"</a> " hold the raw material."
            </p>
        </Empty>
    }
}
