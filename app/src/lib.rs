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

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
