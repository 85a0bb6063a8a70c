//! The storage interface the app is written against. The server implements it once for
//! SQLite and PostgreSQL (see `server/src/store`) and hands it to server functions through
//! the Leptos context as `Arc<dyn Store>`. Analytics and reports are read through
//! `crate::reads`, which keeps their answers.

use crate::domain::action::{ActionDraft, ActionTarget};
use crate::domain::affected::{AffectedAdded, AffectedPreview, ParsedList};
use crate::domain::customer::CustomerDraft;
use crate::domain::experiment::{ExperimentStarted, Holdout, HoldoutPreview};
use crate::domain::incident::{IncidentDraft, IncidentFilter, StatusChange};
use crate::domain::reply::{ReplyDraft, ReplyFilter};
use crate::domain::{
    AffectedSource, AuditRow, CustomerDetail, CustomerRow, IncidentDetail, IncidentRow, Overview,
    Page, PageRequest, Person, ReplyRow, Role, UserRow,
};
use crate::error::StoreError;
use std::sync::Arc;

pub type SharedStore = Arc<dyn Store>;

#[async_trait::async_trait]
pub trait Store: Send + Sync + 'static {
    /// Cheap round trip for health checks.
    async fn ping(&self) -> Result<(), StoreError>;
    async fn overview(&self) -> Result<Overview, StoreError>;
    /// Incidents matching `filter`, in its order.
    async fn list_incidents(
        &self,
        filter: &IncidentFilter,
        page: PageRequest,
    ) -> Result<Page<IncidentRow>, StoreError>;
    async fn incident(&self, id: i64) -> Result<Option<IncidentDetail>, StoreError>;
    /// Active team members, who may own incidents.
    async fn people(&self) -> Result<Vec<Person>, StoreError>;

    // Every change below is one transaction, written to the audit log as `actor`.

    async fn create_incident(&self, draft: &IncidentDraft, actor: i64) -> Result<i64, StoreError>;
    /// Refused with `Conflict` when the incident changed since `version` was read.
    async fn update_incident(
        &self,
        id: i64,
        version: i64,
        draft: &IncidentDraft,
        actor: i64,
    ) -> Result<(), StoreError>;
    async fn change_status(
        &self,
        id: i64,
        version: i64,
        change: &StatusChange,
        actor: i64,
    ) -> Result<(), StoreError>;
    async fn add_incident_note(&self, id: i64, note: &str, actor: i64) -> Result<(), StoreError>;
    /// What confirming `list` would do, changing nothing.
    async fn preview_affected(
        &self,
        incident: i64,
        list: &ParsedList,
    ) -> Result<AffectedPreview, StoreError>;
    async fn confirm_affected(
        &self,
        incident: i64,
        list: &ParsedList,
        source: AffectedSource,
        actor: i64,
    ) -> Result<AffectedAdded, StoreError>;
    async fn remove_affected(
        &self,
        incident: i64,
        customer: i64,
        actor: i64,
    ) -> Result<(), StoreError>;
    /// Give one action to each selected affected customer; all or nothing.
    async fn give_actions(
        &self,
        incident: i64,
        target: &ActionTarget,
        draft: &ActionDraft,
        actor: i64,
    ) -> Result<usize, StoreError>;
    /// Save the weekly report's schedule.
    async fn save_report_schedule(
        &self,
        draft: &crate::domain::schedule::ScheduleDraft,
        actor: i64,
    ) -> Result<(), StoreError>;
    /// What giving `kind` to `target` while holding out `holdout` would do; changes nothing.
    async fn preview_holdout(
        &self,
        incident: i64,
        target: &ActionTarget,
        kind: crate::domain::ActionKind,
        holdout: &Holdout,
    ) -> Result<HoldoutPreview, StoreError>;
    /// Give the action to the selection with a random share held out, drawn from `seed`
    /// (a fresh random one when `None`); the experiment, the arms and the actions are one
    /// transaction.
    async fn give_with_holdout(
        &self,
        incident: i64,
        target: &ActionTarget,
        draft: &ActionDraft,
        holdout: &Holdout,
        seed: Option<u64>,
        actor: i64,
    ) -> Result<ExperimentStarted, StoreError>;
    /// (name, email, rendered note) for every affected customer.
    async fn mail_merge(
        &self,
        incident: i64,
        template: &str,
    ) -> Result<Vec<(String, Option<String>, String)>, StoreError>;
    async fn create_reply(
        &self,
        draft: &ReplyDraft,
        sentiment: f64,
        actor: i64,
    ) -> Result<i64, StoreError>;
    async fn override_sentiment(
        &self,
        reply: i64,
        score: f64,
        reason: &str,
        actor: i64,
    ) -> Result<(), StoreError>;
    /// Customers by name; `search` matches ref, name and, when `by_email`, email
    /// (case-insensitive).
    async fn list_customers(
        &self,
        search: Option<String>,
        by_email: bool,
        page: PageRequest,
    ) -> Result<Page<CustomerRow>, StoreError>;
    async fn customer(&self, id: i64) -> Result<Option<CustomerDetail>, StoreError>;
    async fn create_customer(&self, draft: &CustomerDraft, actor: i64) -> Result<i64, StoreError>;
    /// Refused with `Conflict` when the customer changed since `version` was read.
    async fn update_customer(
        &self,
        id: i64,
        version: i64,
        draft: &CustomerDraft,
        actor: i64,
    ) -> Result<(), StoreError>;
    /// Churned at `at`, or reactivated with `None`.
    async fn set_churn(
        &self,
        id: i64,
        version: i64,
        at: Option<i64>,
        actor: i64,
    ) -> Result<(), StoreError>;
    /// Replies matching `filter`, newest first.
    async fn list_replies(
        &self,
        filter: &ReplyFilter,
        page: PageRequest,
    ) -> Result<Page<ReplyRow>, StoreError>;

    /// Every team member, admins first.
    async fn list_users(&self) -> Result<Vec<UserRow>, StoreError>;
    /// Create an active user (the password already hashed); audited as `actor`.
    async fn add_user(
        &self,
        email: &str,
        name: &str,
        role: Role,
        password_hash: &str,
        actor: i64,
    ) -> Result<i64, StoreError>;
    /// Change a user's role and whether they may sign in. Refuses to leave Amends without
    /// an active admin; deactivating ends the user's sessions at once.
    async fn update_user(
        &self,
        id: i64,
        role: Role,
        active: bool,
        actor: i64,
    ) -> Result<(), StoreError>;
    /// The audit log, newest first, optionally only one entity type or action.
    async fn list_audit(
        &self,
        entity: Option<String>,
        action: Option<String>,
        page: PageRequest,
    ) -> Result<Page<AuditRow>, StoreError>;
    /// API tokens, newest first: one person's (`owner`), or everyone's with `None`.
    async fn list_tokens(
        &self,
        owner: Option<i64>,
    ) -> Result<Vec<crate::domain::token::TokenRow>, StoreError>;
    /// Store a new token for `owner` (its secret already hashed); audited as `actor`.
    /// Refused when the owner already has `MAX_PER_PERSON` live tokens.
    async fn create_token(
        &self,
        owner: i64,
        draft: &crate::domain::token::TokenDraft,
        secret_hash: &str,
        hint: &str,
        actor: i64,
    ) -> Result<crate::domain::token::TokenRow, StoreError>;
    /// Revoke a token; with `owner`, only when it is theirs (`NotFound` otherwise).
    async fn revoke_token(&self, id: i64, owner: Option<i64>, actor: i64)
        -> Result<(), StoreError>;
    /// Webhook sources, oldest first, with their delivery counts.
    async fn webhook_sources(
        &self,
    ) -> Result<Vec<crate::domain::integration::SourceRow>, StoreError>;
    /// Add a source that acts as `actor`. Returns it and, for a Standard Webhooks source,
    /// the secret Amends made (shown once).
    async fn create_webhook_source(
        &self,
        draft: &crate::domain::integration::SourceDraft,
        actor: i64,
    ) -> Result<(crate::domain::integration::SourceRow, Option<String>), StoreError>;
    /// Replace a source's secret (`pasted`, or a new one Amends makes and returns); the old
    /// one keeps working for `ROTATION_GRACE_MS`.
    async fn rotate_webhook_secret(
        &self,
        id: i64,
        pasted: Option<String>,
        actor: i64,
    ) -> Result<Option<String>, StoreError>;
    /// Pause (refuse its deliveries) or resume a source.
    async fn set_webhook_source_active(
        &self,
        id: i64,
        active: bool,
        actor: i64,
    ) -> Result<(), StoreError>;
    /// The inbox, newest first: one source's or all, optionally only one status.
    async fn webhook_deliveries(
        &self,
        source: Option<i64>,
        status: Option<String>,
        page: PageRequest,
    ) -> Result<Page<crate::domain::integration::DeliveryRow>, StoreError>;
    /// Process a held or failed delivery again (after the cause was fixed).
    async fn retry_delivery(
        &self,
        id: i64,
        actor: i64,
    ) -> Result<crate::domain::integration::DeliveryRow, StoreError>;
    /// The stored password hash of an active user.
    async fn password_hash(&self, user_id: i64) -> Result<Option<String>, StoreError>;
    /// Replace a user's password; ends their other sessions (all but `keep_session`).
    async fn change_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_session: Option<&str>,
    ) -> Result<(), StoreError>;
}
