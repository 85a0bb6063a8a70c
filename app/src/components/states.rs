//! Loading, empty and error states, so no page is ever a blank rectangle.

use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" role="status">"Loading…"</p> }
}

#[component]
pub fn Empty(#[prop(into)] title: String, children: Children) -> impl IntoView {
    view! {
        <div class="empty">
            <p class="empty-title">{title}</p>
            <div class="empty-body">{children()}</div>
        </div>
    }
}

/// A failed load, in words a person can act on.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    let hint = match error {
        AppError::Unavailable => {
            "Amends cannot reach its database. If this lasts, check that the database is running."
        }
        AppError::NotFound => "It may have been removed, or the link is mistyped.",
        _ => "Reload the page; if it happens again, tell whoever runs Amends.",
    };
    view! {
        <div class="notice notice-error" role="alert">
            <p><strong>{error.to_string()}</strong></p>
            <p>{hint}</p>
        </div>
    }
}
