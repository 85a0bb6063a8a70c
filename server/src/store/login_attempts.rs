//! Sign-in attempts in the audit log, for throttling. An attempt is written down as a
//! failure *before* its password is checked, in a transaction no other sign-in runs beside,
//! so a burst of parallel attempts cannot all pass the "fewer than N" check; an attempt
//! that turns out to succeed takes its row back.

use super::rows::get;
use super::{map_err, Db, Engine};
use app::error::StoreError;

/// One sign-in attempt, as the audit log keeps it.
pub struct LoginAttempt<'a> {
    /// What failures are counted under (`auth::throttle::address_key`): the address, or an
    /// IPv6 client's /64 network.
    pub ip: &'a str,
    /// The client's own address when `ip` is its network, kept in the audit row.
    pub address: Option<&'a str>,
    /// The account tried; `None` when what was typed is not an e-mail address (it may be a
    /// password typed into the wrong field, so it is not stored).
    pub email: Option<&'a str>,
    pub now: i64,
    /// Failures count from these instants on: from this address, for this account from
    /// this address, and for this account from anywhere.
    pub ip_since: i64,
    pub pair_since: i64,
    pub account_since: i64,
}

/// Recent failures: how many, and when the earliest was.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Failures {
    pub ip: (i64, Option<i64>),
    pub pair: (i64, Option<i64>),
    pub account: (i64, Option<i64>),
}

/// What became of a reservation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reservation {
    /// The attempt may check its password; the id is its audit row, counted as a failure
    /// until `release_login_attempt` takes it back.
    Granted(i64),
    /// Too many failures: try again in this many milliseconds. Nothing was written.
    Wait(i64),
}

/// Any number: it only has to be the same in every `amends` process.
const LOCK_KEY: i64 = 0x616d_656e_6473;

impl Db {
    /// Count the recent failures and, unless `wait` (the throttle's rule) says to wait,
    /// record this attempt as a failure, all in one transaction that sign-ins take in turn
    /// (SQLite's write lock; a transaction-scoped advisory lock on PostgreSQL).
    pub async fn reserve_login_attempt(
        &self,
        attempt: &LoginAttempt<'_>,
        wait: impl FnOnce(&Failures) -> Option<i64>,
    ) -> Result<Reservation, StoreError> {
        let mut tx = self.begin().await?;
        if self.engine() == Engine::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(LOCK_KEY)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        let r = sqlx::query(
            "SELECT
                (SELECT COUNT(*) FROM audit_log WHERE ip = $1 AND at > $2 AND action = 'login_failure') AS ip_n,
                (SELECT MIN(at) FROM audit_log WHERE ip = $1 AND at > $2 AND action = 'login_failure') AS ip_first,
                (SELECT COUNT(*) FROM audit_log WHERE action = 'login_failure' AND entity = 'session'
                    AND entity_id = $3 AND ip = $1 AND at > $5) AS pair_n,
                (SELECT MIN(at) FROM audit_log WHERE action = 'login_failure' AND entity = 'session'
                    AND entity_id = $3 AND ip = $1 AND at > $5) AS pair_first,
                (SELECT COUNT(*) FROM audit_log WHERE action = 'login_failure' AND entity = 'session'
                    AND entity_id = $3 AND at > $4) AS account_n,
                (SELECT MIN(at) FROM audit_log WHERE action = 'login_failure' AND entity = 'session'
                    AND entity_id = $3 AND at > $4) AS account_first",
        )
        .bind(attempt.ip)
        .bind(attempt.ip_since)
        .bind(attempt.email.map(str::to_string))
        .bind(attempt.account_since)
        .bind(attempt.pair_since)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        let failures = Failures {
            ip: (get(&r, "ip_n")?, get(&r, "ip_first")?),
            pair: (get(&r, "pair_n")?, get(&r, "pair_first")?),
            account: (get(&r, "account_n")?, get(&r, "account_first")?),
        };
        if let Some(ms) = wait(&failures) {
            tx.rollback().await.map_err(map_err)?;
            return Ok(Reservation::Wait(ms));
        }
        // Who was tried, never the password; the e-mail is the entity id so failures count
        // per account whether or not the account exists.
        let mut after = match attempt.email {
            Some(email) => serde_json::json!({ "email": email }),
            None => serde_json::json!({ "email": null, "not_an_email": true }),
        };
        if let Some(address) = attempt.address {
            after["address"] = serde_json::json!(address);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO audit_log (at, user_id, action, entity, entity_id, before, after, ip)
             VALUES ($1, NULL, 'login_failure', 'session', $2, NULL, $3, $4) RETURNING id",
        )
        .bind(attempt.now)
        .bind(attempt.email.map(str::to_string))
        .bind(after.to_string())
        .bind(attempt.ip)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        self.commit(tx).await?;
        Ok(Reservation::Granted(id))
    }

    /// Take back a reserved attempt whose password was right: it was no failure.
    pub async fn release_login_attempt(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM audit_log WHERE id = $1 AND action = 'login_failure'")
            .bind(id)
            .execute(self.pool())
            .await
            .map_err(map_err)?;
        Ok(())
    }
}
