//! One module per page.

pub mod account;
pub mod admin;
pub mod customer;
pub mod customers;
pub mod dashboard;
pub mod experiments;
pub mod forbidden;
pub mod holdout;
pub mod import;
pub mod incident;
pub mod incident_affected;
pub mod incident_new;
pub mod incidents;
pub mod integrations;
pub mod my_account;
pub mod not_found;
pub mod replies;
pub mod reports;

/// The route's `:id` as a positive whole number, re-read when the route changes; `None`
/// (shown as "not found") for anything else.
pub fn positive_id() -> impl Fn() -> Option<i64> + Copy + Send + Sync + 'static {
    use leptos::prelude::Read;
    let params = leptos_router::hooks::use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .filter(|i| *i > 0)
    }
}
