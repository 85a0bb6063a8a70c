//! The database layer: one `Db` over sqlx's `Any` driver serves SQLite and PostgreSQL with
//! the same SQL (see docs/ARCHITECTURE.md for why). Instants are epoch milliseconds, flags
//! are integers, sums are cast to BIGINT — the types `Any` decodes on both engines.

mod actions;
mod affected;
mod analytics;
pub mod backup;
mod bulk_load;
mod case_lines;
pub mod case_lists;
pub mod commit;
mod connect;
mod cox_cases;
mod customer_changes;
pub mod customer_sync;
pub mod customers;
mod error;
mod experiments;
pub mod facts;
pub mod idempotency;
pub mod imports;
mod incident_changes;
mod incidents;
pub mod login_attempts;
mod overview;
mod replies;
pub mod report_schedule;
mod reports;
pub mod retry;
mod rows;
pub mod seed;
mod team;
pub mod tokens;
mod unicode_lower;
mod users;
mod version;
pub mod webhooks;

pub use analytics::ATTRIBUTION_MS;
pub use connect::{redact_url, sqlite_url_in, Engine};
pub use error::map_err;
pub use users::{audit, LoginCandidate, NewUser, SessionUser, AUDIT_VIA};

use app::domain::action::{ActionDraft, ActionTarget};
use app::domain::affected::{AffectedAdded, AffectedPreview, ParsedList};
use app::domain::customer::CustomerDraft;
use app::domain::incident::{IncidentDraft, IncidentFilter, StatusChange};
use app::domain::reply::{ReplyDraft, ReplyFilter};
use app::domain::when::now_ms;
use app::domain::{
    AffectedSource, AuditRow, CustomerDetail, CustomerRow, IncidentDetail, IncidentRow, Overview,
    Page, PageRequest, Person, ReplyRow, Role, UserRow,
};
use app::error::StoreError;
use sqlx::AnyPool;

/// The database handle. Cheap to clone (the pool is reference-counted).
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    engine: Engine,
    /// The team's time zone: where weeks start (the weekly figures and report).
    zone: crate::zone::Zone,
}

impl Db {
    /// The same database, with weeks counted in `zone`.
    pub fn with_zone(mut self, zone: crate::zone::Zone) -> Db {
        self.zone = zone;
        self
    }

    pub fn zone(&self) -> &crate::zone::Zone {
        &self.zone
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Close the pool, waiting for connections to be returned (used on shutdown so SQLite
    /// checkpoints its WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// True when any domain table holds a row (the demo refuses to write into such a database).
    pub async fn has_domain_data(&self) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM customers LIMIT 1) c)
                  + (SELECT COUNT(*) FROM (SELECT 1 FROM incidents LIMIT 1) i)",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(n > 0)
    }
}

#[async_trait::async_trait]
impl app::store::Store for Db {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn overview(&self) -> Result<Overview, StoreError> {
        overview::overview(self).await
    }

    async fn list_incidents(
        &self,
        filter: &IncidentFilter,
        page: PageRequest,
    ) -> Result<Page<IncidentRow>, StoreError> {
        incidents::list(self, filter, page).await
    }

    async fn incident(&self, id: i64) -> Result<Option<IncidentDetail>, StoreError> {
        incidents::detail(self, id).await
    }

    async fn people(&self) -> Result<Vec<Person>, StoreError> {
        incident_changes::people(self).await
    }

    async fn create_incident(&self, draft: &IncidentDraft, actor: i64) -> Result<i64, StoreError> {
        incident_changes::create(self, draft, actor, now_ms()).await
    }

    async fn update_incident(
        &self,
        id: i64,
        version: i64,
        draft: &IncidentDraft,
        actor: i64,
    ) -> Result<(), StoreError> {
        incident_changes::update(self, id, version, draft, actor, now_ms()).await
    }

    async fn change_status(
        &self,
        id: i64,
        version: i64,
        change: &StatusChange,
        actor: i64,
    ) -> Result<(), StoreError> {
        incident_changes::change_status(self, id, version, change, actor, now_ms()).await
    }

    async fn add_incident_note(&self, id: i64, note: &str, actor: i64) -> Result<(), StoreError> {
        incident_changes::add_note(self, id, note, actor, now_ms()).await
    }

    async fn preview_affected(
        &self,
        incident: i64,
        list: &ParsedList,
    ) -> Result<AffectedPreview, StoreError> {
        affected::preview(self, incident, list).await
    }

    async fn confirm_affected(
        &self,
        incident: i64,
        list: &ParsedList,
        source: AffectedSource,
        actor: i64,
    ) -> Result<AffectedAdded, StoreError> {
        affected::confirm(self, incident, list, source, actor, now_ms()).await
    }

    async fn remove_affected(
        &self,
        incident: i64,
        customer: i64,
        actor: i64,
    ) -> Result<(), StoreError> {
        affected::remove(self, incident, customer, actor, now_ms()).await
    }

    async fn give_actions(
        &self,
        incident: i64,
        target: &ActionTarget,
        draft: &ActionDraft,
        actor: i64,
    ) -> Result<usize, StoreError> {
        actions::give(self, incident, target, draft, actor, now_ms()).await
    }

    async fn save_report_schedule(
        &self,
        draft: &app::domain::schedule::ScheduleDraft,
        actor: i64,
    ) -> Result<(), StoreError> {
        Db::save_report_schedule(self, draft, actor, now_ms()).await
    }

    async fn preview_holdout(
        &self,
        incident: i64,
        target: &ActionTarget,
        kind: app::domain::ActionKind,
        holdout: &app::domain::experiment::Holdout,
    ) -> Result<app::domain::experiment::HoldoutPreview, StoreError> {
        actions::preview_holdout(self, incident, target, kind, holdout).await
    }

    async fn give_with_holdout(
        &self,
        incident: i64,
        target: &ActionTarget,
        draft: &ActionDraft,
        holdout: &app::domain::experiment::Holdout,
        seed: Option<u64>,
        actor: i64,
    ) -> Result<app::domain::experiment::ExperimentStarted, StoreError> {
        let seed = seed.unwrap_or_else(rand::random);
        actions::give_with_holdout(
            self,
            incident,
            target,
            draft,
            (holdout, seed),
            actor,
            now_ms(),
        )
        .await
    }

    async fn mail_merge(
        &self,
        incident: i64,
        template: &str,
    ) -> Result<Vec<(String, Option<String>, String)>, StoreError> {
        actions::mail_merge(self, incident, template).await
    }

    async fn create_reply(
        &self,
        draft: &ReplyDraft,
        sentiment: f64,
        actor: i64,
    ) -> Result<i64, StoreError> {
        replies::create(self, draft, sentiment, actor, now_ms()).await
    }

    async fn override_sentiment(
        &self,
        reply: i64,
        score: f64,
        reason: &str,
        actor: i64,
    ) -> Result<(), StoreError> {
        replies::override_sentiment(self, reply, score, reason, actor, now_ms()).await
    }

    async fn list_customers(
        &self,
        search: Option<String>,
        by_email: bool,
        page: PageRequest,
    ) -> Result<Page<CustomerRow>, StoreError> {
        let filter = customers::CustomerFilter {
            search,
            search_email: by_email,
            by_name: true,
            ..Default::default()
        };
        customers::list(self, &filter, page).await
    }

    async fn customer(&self, id: i64) -> Result<Option<CustomerDetail>, StoreError> {
        customer_changes::detail(self, id).await
    }

    async fn create_customer(&self, draft: &CustomerDraft, actor: i64) -> Result<i64, StoreError> {
        customer_changes::create(self, draft, actor, now_ms()).await
    }

    async fn update_customer(
        &self,
        id: i64,
        version: i64,
        draft: &CustomerDraft,
        actor: i64,
    ) -> Result<(), StoreError> {
        customer_changes::update(self, id, version, draft, actor, now_ms()).await
    }

    async fn set_churn(
        &self,
        id: i64,
        version: i64,
        at: Option<i64>,
        actor: i64,
    ) -> Result<(), StoreError> {
        customer_changes::set_churn(self, id, version, at, actor, now_ms()).await
    }

    async fn list_replies(
        &self,
        filter: &ReplyFilter,
        page: PageRequest,
    ) -> Result<Page<ReplyRow>, StoreError> {
        replies::list(self, filter, page).await
    }

    async fn list_users(&self) -> Result<Vec<UserRow>, StoreError> {
        team::list_users(self).await
    }

    async fn add_user(
        &self,
        email: &str,
        name: &str,
        role: Role,
        password_hash: &str,
        actor: i64,
    ) -> Result<i64, StoreError> {
        let user = NewUser {
            email,
            name,
            role,
            password_hash,
        };
        team::add_user(self, user, actor, now_ms()).await
    }

    async fn update_user(
        &self,
        id: i64,
        role: Role,
        active: bool,
        actor: i64,
    ) -> Result<(), StoreError> {
        team::update_user(self, id, role, active, actor, now_ms()).await
    }

    async fn list_audit(
        &self,
        entity: Option<String>,
        action: Option<String>,
        page: PageRequest,
    ) -> Result<Page<AuditRow>, StoreError> {
        team::list_audit(self, entity, action, page).await
    }

    async fn list_tokens(
        &self,
        owner: Option<i64>,
    ) -> Result<Vec<app::domain::token::TokenRow>, StoreError> {
        tokens::list(self, owner, now_ms()).await
    }

    async fn create_token(
        &self,
        owner: i64,
        draft: &app::domain::token::TokenDraft,
        secret_hash: &str,
        hint: &str,
        actor: i64,
    ) -> Result<app::domain::token::TokenRow, StoreError> {
        tokens::create(self, owner, draft, secret_hash, hint, actor, now_ms()).await
    }

    async fn revoke_token(
        &self,
        id: i64,
        owner: Option<i64>,
        actor: i64,
    ) -> Result<(), StoreError> {
        tokens::revoke(self, id, owner, actor, now_ms()).await
    }

    async fn webhook_sources(
        &self,
    ) -> Result<Vec<app::domain::integration::SourceRow>, StoreError> {
        self.webhook_source_rows().await
    }

    async fn create_webhook_source(
        &self,
        draft: &app::domain::integration::SourceDraft,
        actor: i64,
    ) -> Result<(app::domain::integration::SourceRow, Option<String>), StoreError> {
        use crate::webhooks::signature::{check_secret, new_standard_secret, SourceKind};
        let kind = SourceKind::parse(&draft.kind)
            .ok_or_else(|| StoreError::field("kind", "Choose where the webhooks come from."))?;
        let (secret, shown) = match &draft.secret {
            Some(pasted) => {
                check_secret(kind, pasted).map_err(|m| StoreError::field("secret", m))?;
                (pasted.clone(), None)
            }
            None => {
                let s = new_standard_secret();
                (s.clone(), Some(s))
            }
        };
        let slug = webhooks_slug();
        let id = self
            .insert_webhook_source(kind.code(), &draft.name, &slug, &secret, actor, now_ms())
            .await?;
        let row = self
            .webhook_source_row(id)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((row, shown))
    }

    async fn rotate_webhook_secret(
        &self,
        id: i64,
        pasted: Option<String>,
        actor: i64,
    ) -> Result<Option<String>, StoreError> {
        use crate::webhooks::signature::{check_secret, new_standard_secret, SourceKind};
        let row = self
            .webhook_source_row(id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let kind = SourceKind::parse(&row.kind).ok_or(StoreError::Internal)?;
        let (secret, shown) = match (kind, pasted.filter(|p| !p.trim().is_empty())) {
            (SourceKind::Standard, _) => {
                let s = new_standard_secret();
                (s.clone(), Some(s))
            }
            (_, Some(p)) => {
                let p = p.trim().to_string();
                check_secret(kind, &p).map_err(|m| StoreError::field("secret", m))?;
                (p, None)
            }
            (_, None) => {
                return Err(StoreError::field(
                    "secret",
                    "Paste the new signing secret the sender shows.",
                ))
            }
        };
        let now = now_ms();
        self.replace_webhook_secret(
            id,
            &secret,
            now + app::domain::integration::ROTATION_GRACE_MS,
            actor,
            now,
        )
        .await?;
        Ok(shown)
    }

    async fn set_webhook_source_active(
        &self,
        id: i64,
        active: bool,
        actor: i64,
    ) -> Result<(), StoreError> {
        self.set_webhook_active(id, active, actor, now_ms()).await
    }

    async fn webhook_deliveries(
        &self,
        source: Option<i64>,
        status: Option<String>,
        page: PageRequest,
    ) -> Result<Page<app::domain::integration::DeliveryRow>, StoreError> {
        self.delivery_page(source, status.as_deref(), page).await
    }

    async fn retry_delivery(
        &self,
        id: i64,
        actor: i64,
    ) -> Result<app::domain::integration::DeliveryRow, StoreError> {
        let d = self.inboxed(id).await?.ok_or(StoreError::NotFound)?;
        if !d.row.retryable() {
            return Err(StoreError::Conflict(format!(
                "This delivery is {}; only held or failed ones are processed again.",
                d.row.status
            )));
        }
        tracing::info!(delivery = id, by = actor, "retrying a webhook delivery");
        crate::webhooks::inbox::process(self, id, now_ms()).await
    }

    async fn password_hash(&self, user_id: i64) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1 AND active = 1")
            .bind(user_id)
            .fetch_optional(self.pool())
            .await
            .map_err(map_err)
    }

    async fn change_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(password_hash)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(user_id)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        // Never the hash itself: only that it changed.
        let after = serde_json::json!({ "password": "changed" });
        let id = user_id.to_string();
        audit(
            &mut tx,
            now,
            Some(user_id),
            "update",
            "user",
            Some(&id),
            None,
            Some(after),
            None,
        )
        .await?;
        self.commit(tx).await
    }
}

/// A source's URL part: 128 random bits, so an endpoint cannot be guessed.
fn webhooks_slug() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
