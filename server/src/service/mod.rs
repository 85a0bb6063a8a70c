//! The read service: the one place answers are computed and kept. It asks the store for
//! facts (SQL → typed rows), hands them to the pure analytics and report code, keeps the
//! answers and the drawn charts per (question, data version), computes each question once
//! however many ask at the same time, and keeps the default dashboard computed ahead of its
//! readers. Pages, server functions, the REST API and the CLI all read through it; the
//! incident list's pages are kept the same way.
//!
//! ```text
//! store (SQL → facts) → analytics / reports (pure) → ReadService (cache) → HTTP, pages, CLI
//! ```

pub mod cache;
mod refresh;
mod weekly;
mod weigh;

use crate::analytics::report::{Answer, Report};
use crate::store::Db;
use app::charts::dashboard as draw;
use app::domain::adjusted::AdjustedReport;
use app::domain::analytics::{Analytics, AnalyticsQuery};
use app::domain::dashboard::{ChartView, DashboardView};
use app::domain::experiment::ExperimentsView;
use app::domain::incident::IncidentFilter;
use app::domain::report::WeekReport;
use app::domain::week::IsoWeek;
use app::domain::{IncidentRow, Page, PageRequest};
use app::error::StoreError;
use cache::VersionedCache;
use std::sync::Arc;

/// Bytes of answers kept. An answer at the large demo scale holds about ten megabytes of
/// survival-curve steps; its drawn charts are far smaller (a dashboard is about 120 KB), and
/// pages are served from the drawn ones.
const ANALYTICS_BUDGET: usize = 24 << 20;
const DASHBOARD_BUDGET: usize = 8 << 20;
const CHART_BUDGET: usize = 8 << 20;
const REPORT_BUDGET: usize = 8 << 20;
const ADJUSTED_BUDGET: usize = 1 << 20;
const EXPERIMENTS_BUDGET: usize = 1 << 20;
const INCIDENTS_BUDGET: usize = 1 << 20;

/// How long a dashboard waits for its adjusted model once its figures are ready. Fitting
/// it takes about as long as all the other figures at a few hundred thousand cases; past
/// this the page is drawn without it (saying so) and the fit goes on, for the next load.
const ADJUSTED_WAIT: std::time::Duration = std::time::Duration::from_millis(200);

struct Caches {
    analytics: VersionedCache<AnalyticsQuery, Analytics>,
    dashboards: VersionedCache<AnalyticsQuery, DashboardView>,
    charts: VersionedCache<(AnalyticsQuery, String), ChartView>,
    reports: VersionedCache<IsoWeek, WeekReport>,
    adjusted: VersionedCache<AnalyticsQuery, AdjustedReport>,
    /// Keyed by the as-of date.
    experiments: VersionedCache<String, ExperimentsView>,
    incidents: VersionedCache<(IncidentFilter, PageRequest), Page<IncidentRow>>,
}

/// The read side of the app over one database. Cheap to clone: clones share the caches.
#[derive(Clone)]
pub struct ReadService {
    db: Db,
    caches: Arc<Caches>,
    /// Where the weekly report is sent (none set: e-mail is not available).
    outbox: Arc<crate::reports::deliver::Outbox>,
    http: reqwest::Client,
}

impl std::fmt::Debug for ReadService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadService").finish_non_exhaustive()
    }
}

/// Keep glibc's allocator to two arenas. By default it opens up to eight per core, one per
/// thread that meets contention, and each keeps the pages a cold read freed in it: resident
/// memory then grows with the number of worker threads that ever computed an answer.
pub fn limit_allocator_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning parameter of the allocator, before it matters.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Hand the memory a big computation freed back to the system. glibc keeps freed blocks
/// in its arenas (one per thread that allocated), so without this the facts of one cold
/// read stay resident long after they are dropped.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory of the allocator's own arenas.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A computation that panicked or was cancelled on the blocking pool.
fn lost(what: &'static str) -> impl Fn(tokio::task::JoinError) -> StoreError {
    move |e| {
        tracing::error!(error = %e, "{what} failed");
        StoreError::Internal
    }
}

impl ReadService {
    pub fn new(db: Db) -> ReadService {
        ReadService {
            db,
            caches: Arc::new(Caches {
                analytics: VersionedCache::new(ANALYTICS_BUDGET),
                dashboards: VersionedCache::new(DASHBOARD_BUDGET),
                charts: VersionedCache::new(CHART_BUDGET),
                reports: VersionedCache::new(REPORT_BUDGET),
                adjusted: VersionedCache::new(ADJUSTED_BUDGET),
                experiments: VersionedCache::new(EXPERIMENTS_BUDGET),
                incidents: VersionedCache::new(INCIDENTS_BUDGET),
            }),
            outbox: Arc::default(),
            http: reqwest::Client::new(),
        }
    }

    /// The service, sending reports through `outbox`.
    pub fn with_outbox(mut self, outbox: crate::reports::deliver::Outbox) -> ReadService {
        self.outbox = Arc::new(outbox);
        self
    }

    pub fn outbox(&self) -> &crate::reports::deliver::Outbox {
        &self.outbox
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn zone(&self) -> &crate::zone::Zone {
        self.db.zone()
    }

    /// Every figure for `q`, with the data version it was computed at.
    async fn analytics_at(&self, q: &AnalyticsQuery) -> Result<(i64, Arc<Analytics>), StoreError> {
        self.caches
            .analytics
            .get_or_compute(
                q,
                || self.db.current_data_version(),
                |_| true,
                || async {
                    let (version, facts) = self.db.analytics_facts(q).await?;
                    let (query, zone) = (q.clone(), self.zone().clone());
                    let computed = tokio::task::spawn_blocking(move || {
                        let a = crate::analytics::compute(&query, &facts, &zone);
                        drop(facts);
                        release_freed_memory();
                        a
                    })
                    .await
                    .map_err(lost("analytics computation"))?;
                    Ok((version, computed))
                },
            )
            .await
    }

    /// Every figure for `q`: kept while the data has not changed, else read and computed
    /// afresh (off the async threads).
    pub async fn analytics(&self, q: &AnalyticsQuery) -> Result<Arc<Analytics>, StoreError> {
        Ok(self.analytics_at(q).await?.1)
    }

    /// The adjusted (Cox) model for `q`: read on its own (it needs each case's plan and
    /// revenue, which the other figures do not) and kept like them.
    pub async fn adjusted(&self, q: &AnalyticsQuery) -> Result<Arc<AdjustedReport>, StoreError> {
        let (_, report) = self
            .caches
            .adjusted
            .get_or_compute(
                q,
                || self.db.current_data_version(),
                |_| true,
                || async {
                    let (version, cases) = self.db.cox_cases(q).await?;
                    let query = q.clone();
                    let report = tokio::task::spawn_blocking(move || {
                        let r = crate::analytics::adjusted::compute(&query, &cases);
                        drop(cases);
                        release_freed_memory();
                        r
                    })
                    .await
                    .map_err(lost("the adjusted model"))?;
                    Ok((version, report))
                },
            )
            .await?;
        Ok(report)
    }

    /// Every holdout experiment's figures and the pooled effects, retention censored at
    /// the midnight that starts `as_of` (`YYYY-MM-DD`, already validated).
    pub async fn experiments(&self, as_of: &str) -> Result<Arc<ExperimentsView>, StoreError> {
        let key = as_of.to_string();
        let (_, view) = self
            .caches
            .experiments
            .get_or_compute(
                &key,
                || self.db.current_data_version(),
                |_| true,
                || async {
                    let (version, facts) = self.db.experiment_facts().await?;
                    let date = key.clone();
                    let at = app::domain::when::parse_date(&date).unwrap_or(0);
                    let view = tokio::task::spawn_blocking(move || {
                        crate::analytics::experiment::compute(&facts, at, &date)
                    })
                    .await
                    .map_err(lost("the experiments"))?;
                    Ok((version, view))
                },
            )
            .await?;
        Ok(view)
    }

    /// One page of the incident list. The data version is read before the list, so a page
    /// is never kept under a version newer than what it shows.
    pub async fn incidents(
        &self,
        filter: &IncidentFilter,
        page: PageRequest,
    ) -> Result<Arc<Page<IncidentRow>>, StoreError> {
        let key = (filter.clone(), page);
        let (_, rows) = self
            .caches
            .incidents
            .get_or_compute(
                &key,
                || self.db.current_data_version(),
                |_| true,
                || async {
                    let version = self.db.current_data_version().await?;
                    let rows = app::store::Store::list_incidents(&self.db, filter, page).await?;
                    Ok((version, rows))
                },
            )
            .await?;
        Ok(rows)
    }

    /// What `report` is made from, for `q`.
    pub async fn answer(&self, report: Report, q: &AnalyticsQuery) -> Result<Answer, StoreError> {
        Ok(match report {
            Report::Adjusted => Answer::Adjusted(self.adjusted(q).await?),
            _ => Answer::Figures(self.analytics(q).await?),
        })
    }

    /// The dashboard for `q`, every chart drawn; kept like the figures it draws.
    pub async fn dashboard(&self, q: &AnalyticsQuery) -> Result<Arc<DashboardView>, StoreError> {
        let (_, view) = self
            .caches
            .dashboards
            .get_or_compute(
                q,
                || self.db.current_data_version(),
                // One drawn while the adjusted model was still being fitted is drawn again.
                |view| view.complete,
                || async {
                    let (version, a) = self.analytics_at(q).await?;
                    // Then the model, in a task of its own (so the figures keep both cores
                    // to themselves), which goes on if the page stops waiting for it.
                    let fitting = {
                        let (me, q) = (self.clone(), q.clone());
                        tokio::spawn(async move { me.adjusted(&q).await })
                    };
                    let adjusted = match tokio::time::timeout(ADJUSTED_WAIT, fitting).await {
                        Ok(joined) => Some(joined.map_err(lost("the adjusted model"))??),
                        Err(_) => None,
                    };
                    let view = tokio::task::spawn_blocking(move || {
                        let mut view = draw::dashboard(&a);
                        drop(a);
                        release_freed_memory();
                        // Beside the retention by action it adjusts.
                        let at = view
                            .charts
                            .iter()
                            .position(|c| c.id == "retention_by_action")
                            .map_or(view.charts.len(), |i| i + 1);
                        let chart = match &adjusted {
                            Some(r) => app::charts::adjusted::adjusted(r),
                            None => {
                                view.complete = false;
                                app::charts::adjusted::pending()
                            }
                        };
                        view.charts.insert(at, chart);
                        view
                    })
                    .await
                    .map_err(lost("drawing the dashboard"))?;
                    Ok((version, view))
                },
            )
            .await?;
        Ok(view)
    }

    /// One dashboard chart for `q` (`None` for an id that is no chart): taken from the
    /// dashboard when it is drawn, else drawn alone and kept.
    pub async fn chart(
        &self,
        q: &AnalyticsQuery,
        id: &str,
    ) -> Result<Option<Arc<ChartView>>, StoreError> {
        // Drawn from the model itself: a dashboard may hold a note in its place.
        if id == app::charts::adjusted::ID {
            let r = self.adjusted(q).await?;
            let chart = tokio::task::spawn_blocking(move || app::charts::adjusted::adjusted(&r))
                .await
                .map_err(lost("drawing a chart"))?;
            return Ok(Some(Arc::new(chart)));
        }
        if !draw::CHARTS.contains(&id) {
            return Ok(None);
        }
        let version = self.db.current_data_version().await?;
        if let Some(view) = self.caches.dashboards.get(q, version) {
            return Ok(view.chart(id).cloned().map(Arc::new));
        }
        let key = (q.clone(), id.to_string());
        let (_, chart) = self
            .caches
            .charts
            .get_or_compute(
                &key,
                || self.db.current_data_version(),
                |_| true,
                || async {
                    let (version, a) = self.analytics_at(q).await?;
                    let id = id.to_string();
                    let chart = tokio::task::spawn_blocking(move || draw::chart(&a, &id))
                        .await
                        .map_err(lost("drawing a chart"))?
                        .ok_or(StoreError::NotFound)?;
                    Ok((version, chart))
                },
            )
            .await?;
        Ok(Some(chart))
    }

    /// The weekly report of `week` in the team's time zone, as of `now`.
    pub async fn week_report(
        &self,
        week: IsoWeek,
        now: i64,
    ) -> Result<Arc<WeekReport>, StoreError> {
        let week_end = crate::analytics::weekly::Span::of(self.zone(), week).end;
        let (_, report) = self
            .caches
            .reports
            .get_or_compute(
                &week,
                || self.db.current_data_version(),
                // A report made while its week was running goes stale as the week goes on.
                |r| r.complete || week_end > now,
                || self.build_week_report(week, now),
            )
            .await?;
        Ok(report)
    }

    /// The weekly report made afresh, with the data version it was read at (no cache).
    pub async fn build_week_report(
        &self,
        week: IsoWeek,
        now: i64,
    ) -> Result<(i64, WeekReport), StoreError> {
        weekly::build(&self.db, week, now).await
    }

    /// How many analytics answers this process keeps (for tests and the bench).
    pub fn analytics_cached(&self) -> usize {
        self.caches.analytics.len()
    }

    /// About how many bytes of answers and charts this process keeps.
    pub fn cached_bytes(&self) -> usize {
        let c = &self.caches;
        c.analytics.weight()
            + c.dashboards.weight()
            + c.charts.weight()
            + c.reports.weight()
            + c.adjusted.weight()
            + c.experiments.weight()
            + c.incidents.weight()
    }
}

#[async_trait::async_trait]
impl app::reads::Reads for ReadService {
    async fn analytics(&self, q: &AnalyticsQuery) -> Result<Arc<Analytics>, StoreError> {
        ReadService::analytics(self, q).await
    }

    async fn dashboard(&self, q: &AnalyticsQuery) -> Result<Arc<DashboardView>, StoreError> {
        ReadService::dashboard(self, q).await
    }

    fn this_week(&self) -> (IsoWeek, String) {
        let zone = self.zone();
        (
            zone.week_of(app::domain::when::now_ms()),
            zone.name().to_string(),
        )
    }

    async fn incidents(
        &self,
        filter: &IncidentFilter,
        page: PageRequest,
    ) -> Result<Arc<Page<IncidentRow>>, StoreError> {
        ReadService::incidents(self, filter, page).await
    }

    async fn week_report(&self, week: IsoWeek) -> Result<Arc<WeekReport>, StoreError> {
        ReadService::week_report(self, week, app::domain::when::now_ms()).await
    }

    async fn experiments(&self, as_of: &str) -> Result<Arc<ExperimentsView>, StoreError> {
        ReadService::experiments(self, as_of).await
    }

    async fn report_schedule(
        &self,
    ) -> Result<
        (
            app::domain::schedule::ReportSchedule,
            Vec<app::domain::schedule::DeliveryRow>,
        ),
        StoreError,
    > {
        let stored = self.db.report_schedule().await?;
        let shown = crate::reports::deliver::shown(&stored, self.zone().name(), &self.outbox);
        Ok((shown, self.db.report_deliveries(20).await?))
    }

    async fn send_report_now(&self, actor: i64) -> Result<usize, StoreError> {
        crate::reports::deliver::send_now(self, actor, app::domain::when::now_ms()).await
    }
}
