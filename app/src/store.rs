//! The storage interface the app is written against. The server implements it once for
//! SQLite and PostgreSQL (see `server/src/store`) and hands it to server functions through
//! the Leptos context as `Arc<dyn Store>`.

use crate::domain::{
    AuditRow, CustomerRow, IncidentDetail, IncidentRow, Overview, Page, PageRequest, ReplyRow,
    Role, UserRow,
};
use crate::error::StoreError;
use std::sync::Arc;

pub type SharedStore = Arc<dyn Store>;

#[async_trait::async_trait]
pub trait Store: Send + Sync + 'static {
    /// Cheap round trip for health checks.
    async fn ping(&self) -> Result<(), StoreError>;
    async fn overview(&self) -> Result<Overview, StoreError>;
    /// Incidents, newest start first.
    async fn list_incidents(&self, page: PageRequest) -> Result<Page<IncidentRow>, StoreError>;
    async fn incident(&self, id: i64) -> Result<Option<IncidentDetail>, StoreError>;
    /// Customers by name; `search` matches ref, name or email (case-insensitive).
    async fn list_customers(
        &self,
        search: Option<String>,
        page: PageRequest,
    ) -> Result<Page<CustomerRow>, StoreError>;
    /// Replies, newest first.
    async fn list_replies(&self, page: PageRequest) -> Result<Page<ReplyRow>, StoreError>;

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
