//! The `amends` server: HTTP, configuration, command line, demo data and the database layer
//! for SQLite and PostgreSQL. `main.rs` is a thin wrapper so tests can use all of this.

pub mod analytics;
pub mod auth;
pub mod cli;
pub mod config;
pub mod demo;
pub mod http;
pub mod import;
pub mod reports;
pub mod rest;
pub mod service;
pub mod spreadsheet;
pub mod stats;
pub mod store;
pub mod telemetry;
pub mod webhooks;
pub mod zone;
