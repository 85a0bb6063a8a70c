//! Previous / next pagination with "page X of Y". Plain links, so it works without JS.

use leptos::prelude::*;

#[component]
pub fn Pager(
    page: u32,
    page_count: u32,
    total: u64,
    /// Builds the link for a page number, keeping the list's other query parameters.
    href: impl Fn(u32) -> String + 'static,
    #[prop(into)] noun: String,
) -> impl IntoView {
    let prev = (page > 1).then(|| href(page - 1));
    let next = (page < page_count).then(|| href(page + 1));
    view! {
        <nav class="pager" aria-label="Pagination">
            {match prev {
                Some(h) => view! { <a href=h rel="prev" class="button">"← Newer"</a> }.into_any(),
                None => view! { <span class="button disabled" aria-disabled="true">"← Newer"</span> }.into_any(),
            }}
            <span class="pager-status">
                {format!("Page {page} of {page_count} · {} {noun}", crate::format::count(total as i64))}
            </span>
            {match next {
                Some(h) => view! { <a href=h rel="next" class="button">"Older →"</a> }.into_any(),
                None => view! { <span class="button disabled" aria-disabled="true">"Older →"</span> }.into_any(),
            }}
        </nav>
    }
}

/// Reads `?page=N` leniently: anything unparsable is page 1.
pub fn page_param(raw: Option<String>) -> Option<u32> {
    raw.and_then(|s| s.trim().parse().ok())
}
