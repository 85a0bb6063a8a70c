//! 403: signed in, but this is not for your role.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ForbiddenPage(
    /// The least role the page needs (admins unless told otherwise).
    #[prop(optional)]
    needed: Option<crate::domain::Role>,
) -> impl IntoView {
    let (who, stamp) = match needed {
        Some(crate::domain::Role::Editor) => ("editors and admins", "EDITORS"),
        _ => ("admins", "ADMIN"),
    };
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::FORBIDDEN);
    }
    view! {
        <Title text="Not for your role"/>
        <section class="oops" aria-labelledby="forbidden-title">
            <div class="oops-card" aria-hidden="true">
                <div class="oops-stamp">{stamp}</div>
                <div class="oops-code">"403"</div>
                <div class="oops-coupon">
                    <span class="oops-coupon-label">"Staff only"</span>
                    <span class="oops-coupon-value">"behind this door"</span>
                </div>
            </div>
            <div class="oops-text">
                <p class="eyebrow">{format!("Access · {who} only")}</p>
                <h1 id="forbidden-title">{format!("This part of Amends is for {who}.")}</h1>
                <p>"You are signed in, but your role does not open this page. If you need it, ask an admin of your Amends to change your role."</p>
                <ul class="oops-links">
                    <li><a class="button primary" href="/">"Back to the dashboard"</a></li>
                </ul>
            </div>
        </section>
    }
}
