//! The 404 page. Amends makes amends: a missing page is an incident, so the visitor gets a
//! proactive apology and a (non-redeemable, but sincere) credit — and a way back.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    let path = use_location().pathname;

    view! {
        <Title text="Page not found"/>
        <section class="oops" aria-labelledby="oops-title">
            <div class="oops-card" aria-hidden="true">
                <div class="oops-stamp">"SEV4"</div>
                <div class="oops-code">"404"</div>
                <div class="oops-coupon">
                    <span class="oops-coupon-label">"Apology credit"</span>
                    <span class="oops-coupon-value">"1 × way home"</span>
                </div>
            </div>
            <div class="oops-text">
                <p class="eyebrow">"Incident report · status: open"</p>
                <h1 id="oops-title">"We lost this page. We’re sorry."</h1>
                <p>
                    "Nothing lives at "
                    <code class="oops-path">{move || path.get()}</code>
                    ". We noticed before you had to tell us, so here is the proactive part of our recovery: a credit, redeemable right now."
                </p>
                <ul class="oops-links">
                    <li><a class="button primary" href="/">"Redeem: back to the dashboard"</a></li>
                    <li><a class="button" href="/incidents">"See the real incidents"</a></li>
                </ul>
                <p class="muted small">
                    "Followed a link inside Amends to get here? That one’s on us — tell whoever runs it."
                </p>
            </div>
        </section>
    }
}
