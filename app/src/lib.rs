//! Amends — the Leptos app: pages, components, server functions and the shared domain types.
//! Compiled twice: with `ssr` for the server, with `hydrate` for the browser (wasm).

#![recursion_limit = "256"]

pub mod api;
pub mod app;
#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod charts;
pub mod components;
pub mod domain;
pub mod error;
pub mod format;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod reads;
#[cfg(feature = "ssr")]
pub mod sentiment;
#[cfg(feature = "ssr")]
pub mod store;

/// Pages render on the server only; this wakes the interactive parts (`#[island]`s).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    use leptos::prelude::*;
    console_error_panic_hook::set_once();
    // A server function that answers with a redirect (a new incident, a confirmed list of
    // affected customers…) takes the whole page there: there is no client-side router.
    let _ = leptos::server_fn::redirect::set_redirect_hook(|to: &str| {
        let _ = window().location().set_href(to);
    });
    leptos::mount::hydrate_islands();
    // The islands hydrate right after this returns; mark the document once they have, so
    // progressive enhancements (the collapsible phone menu) switch on only when they can
    // work — and tests can wait for it.
    set_timeout(
        || {
            if let Some(body) = document().body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}
