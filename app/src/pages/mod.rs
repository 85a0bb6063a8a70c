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
