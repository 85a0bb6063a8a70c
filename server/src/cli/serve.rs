//! `amends serve`.

use crate::http::client_addr::TrustedProxies;
use crate::store::Db;
use clap::Args;
use std::net::SocketAddr;

#[derive(Args, Debug, Default)]
pub struct ServeArgs {
    /// Address and port to listen on. Falls back to LEPTOS_SITE_ADDR, then 127.0.0.1:3000.
    #[arg(long, env = "AMENDS_BIND")]
    pub bind: Option<SocketAddr>,
}

pub async fn run(db: Db, args: ServeArgs) -> anyhow::Result<()> {
    let bind = match args.bind {
        Some(b) => b,
        None => std::env::var("LEPTOS_SITE_ADDR")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 3000))),
    };
    // Read here, for `amends` alone as for `amends serve`; a bad entry stops the start.
    let proxies = TrustedProxies::from_env()?;
    tokio::spawn(keep_dashboard_warm(db.clone()));
    crate::http::serve(db, bind, proxies).await
}

/// How often the default dashboard is checked for changed data.
const WARM_EVERY: std::time::Duration = std::time::Duration::from_secs(20);

/// Keep the default dashboard (the last 12 months) computed: at start, then whenever the
/// data has changed. A cache hit costs one small query, so an idle check is nearly free.
async fn keep_dashboard_warm(db: Db) {
    loop {
        let now = app::domain::when::now_ms();
        if let Ok(q) = app::domain::analytics::AnalyticsParams::default().parse(now) {
            let started = std::time::Instant::now();
            match db.cached_analytics(&q).await {
                Ok(_) if started.elapsed().as_millis() > 100 => tracing::info!(
                    ms = started.elapsed().as_millis() as u64,
                    "dashboard figures recomputed after a change"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not warm the dashboard"),
            }
        }
        tokio::time::sleep(WARM_EVERY).await;
    }
}
