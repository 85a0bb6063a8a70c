//! Structured logging with `tracing`.

use crate::config::{Global, LogFormat};
use tracing_subscriber::EnvFilter;

pub fn init(global: &Global) {
    let filter = EnvFilter::try_new(&global.log).unwrap_or_else(|_| {
        eprintln!(
            "warning: log filter “{}” is not valid; using “info”",
            global.log
        );
        EnvFilter::new("info")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match global.log_format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => builder.init(),
    }
}
