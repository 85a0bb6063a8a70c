//! Refresh-ahead: `amends serve` keeps the default dashboard (the last 12 months) computed
//! and drawn, so its first reader after a change rarely waits for it.

use super::ReadService;
use std::time::{Duration, Instant};

/// How often the default dashboard is checked for changed data.
const EVERY: Duration = Duration::from_secs(20);

impl ReadService {
    /// At start, then whenever the data has changed: compute and draw the default
    /// dashboard. A kept answer costs one small query, so an idle check is nearly free.
    pub async fn keep_dashboard_warm(self) {
        loop {
            let now = app::domain::when::now_ms();
            if let Ok(q) = app::domain::analytics::AnalyticsParams::default().parse(now) {
                let started = Instant::now();
                let mut drawn = self.dashboard(&q).await;
                if drawn.as_ref().is_ok_and(|v| !v.complete) {
                    // Wait for the adjusted model too, and draw the whole dashboard.
                    drawn = match self.adjusted(&q).await {
                        Ok(_) => self.dashboard(&q).await,
                        Err(e) => Err(e),
                    };
                }
                match drawn {
                    Ok(_) if started.elapsed().as_millis() > 100 => tracing::info!(
                        ms = started.elapsed().as_millis() as u64,
                        kept_bytes = self.cached_bytes(),
                        "dashboard recomputed after a change"
                    ),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "could not warm the dashboard"),
                }
            }
            tokio::time::sleep(EVERY).await;
        }
    }
}
