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

/// A failed load, in words a person can act on. An outage or a server error takes the
/// whole page (with its HTTP status); anything else is a notice in place.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    match error {
        AppError::Unavailable => view! {
            <OopsPage status=503 stamp="SEV2" code="503" label="Status" value="back shortly"
                eyebrow="Incident · database unreachable"
                title="Amends can’t reach its database right now."
                body="Nothing you entered is lost: saved work is in the database, and a form that failed saved nothing. Wait a moment and reload. If it lasts, whoever runs Amends should check that the database is up (amends serve logs the cause)."/>
        }
        .into_any(),
        AppError::Internal => view! {
            <OopsPage status=500 stamp="SEV3" code="500" label="Logged" value="and on our list"
                eyebrow="Incident · something broke on our side"
                title="That one is on us."
                body="Something went wrong while building this page. It has been logged with its request id. Reload to try again; if it keeps happening, tell whoever runs Amends."/>
        }
        .into_any(),
        other => {
            let hint = match other {
                AppError::NotFound => "It may have been removed, or the link is mistyped.",
                AppError::Invalid(_) => "Check the filters or the link and try again.",
                _ => "Reload the page; if it happens again, tell whoever runs Amends.",
            };
            view! {
                <div class="notice notice-error" role="alert">
                    <p><strong>{other.to_string()}</strong></p>
                    <p>{hint}</p>
                </div>
            }
            .into_any()
        }
    }
}

/// The friendly full-page card of the error pages.
#[component]
fn OopsPage(
    status: u16,
    stamp: &'static str,
    code: &'static str,
    label: &'static str,
    value: &'static str,
    eyebrow: &'static str,
    title: &'static str,
    body: &'static str,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(s) = http::StatusCode::from_u16(status) {
            resp.set_status(s);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
    view! {
        <section class="oops" aria-labelledby="oops-title">
            <div class="oops-card" aria-hidden="true">
                <div class="oops-stamp">{stamp}</div>
                <div class="oops-code">{code}</div>
                <div class="oops-coupon">
                    <span class="oops-coupon-label">{label}</span>
                    <span class="oops-coupon-value">{value}</span>
                </div>
            </div>
            <div class="oops-text">
                <p class="eyebrow">{eyebrow}</p>
                <h1 id="oops-title">{title}</h1>
                <p>{body}</p>
                <ul class="oops-links">
                    <li><a class="button primary" href="">"Try again"</a></li>
                    <li><a class="button" href="/">"Back to the dashboard"</a></li>
                </ul>
            </div>
        </section>
    }
}
