//! The read side the app is written against: analytics answers, the drawn dashboard,
//! weekly reports and the incident list. The server implements it once
//! (`server/src/service`), which keeps each answer until the data behind it changes, and
//! hands it to server functions through the Leptos context as `Arc<dyn Reads>`, beside the
//! store.

use crate::domain::analytics::{Analytics, AnalyticsQuery};
use crate::domain::dashboard::DashboardView;
use crate::domain::experiment::ExperimentsView;
use crate::domain::incident::IncidentFilter;
use crate::domain::report::WeekReport;
use crate::domain::schedule::{DeliveryRow, ReportSchedule};
use crate::domain::week::IsoWeek;
use crate::domain::{IncidentRow, Page, PageRequest};
use crate::error::StoreError;
use std::sync::Arc;

pub type SharedReads = Arc<dyn Reads>;

#[async_trait::async_trait]
pub trait Reads: Send + Sync + 'static {
    /// Every analytics figure for `q`.
    async fn analytics(&self, q: &AnalyticsQuery) -> Result<Arc<Analytics>, StoreError>;
    /// The dashboard for `q`, every chart drawn.
    async fn dashboard(&self, q: &AnalyticsQuery) -> Result<Arc<DashboardView>, StoreError>;
    /// The week running now in the team's time zone, and that zone's name.
    fn this_week(&self) -> (IsoWeek, String);
    /// One page of the incident list, kept until the data changes.
    async fn incidents(
        &self,
        filter: &IncidentFilter,
        page: PageRequest,
    ) -> Result<Arc<Page<IncidentRow>>, StoreError>;
    /// The weekly report of `week`.
    async fn week_report(&self, week: IsoWeek) -> Result<Arc<WeekReport>, StoreError>;
    /// Every holdout experiment with its figures, censored at the start of `as_of`
    /// (`YYYY-MM-DD`), and the pooled effects.
    async fn experiments(&self, as_of: &str) -> Result<Arc<ExperimentsView>, StoreError>;
    /// The weekly report's schedule as an admin sees it, and the latest deliveries.
    async fn report_schedule(&self) -> Result<(ReportSchedule, Vec<DeliveryRow>), StoreError>;
    /// Send the last full week's report to every channel set, now; how many channels.
    async fn send_report_now(&self, actor: i64) -> Result<usize, StoreError>;
}
