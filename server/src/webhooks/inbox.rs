//! Receiving a delivery and processing it. A delivery is verified, stored in the inbox as
//! received, then processed in its own transaction with the import's store code (the same
//! checks, matching and natural keys), acting as the admin who set the source up and
//! audited as the source. Its id makes a retried delivery change nothing.

use super::events::{self, Parsed};
use super::signature::{self, SourceKind};
use crate::import::rows::Inbound;
use crate::store::webhooks::Stored;
use crate::store::{Db, AUDIT_VIA};
use app::domain::integration::DeliveryRow;
use app::error::StoreError;

/// The largest delivery accepted (Stripe's events are a few KiB).
pub const MAX_BODY: usize = 512 * 1024;

/// Why a delivery was refused before anything was stored (answered 401).
#[derive(Debug, PartialEq, Eq)]
pub struct Refused(pub &'static str);

/// What became of a stored delivery.
#[derive(Debug, PartialEq, Eq)]
pub struct Received {
    pub id: i64,
    pub status: String,
    /// True when the delivery id was already in the inbox.
    pub duplicate: bool,
}

/// Verify and store a delivery to `/hooks/{slug}`, then process it.
pub async fn receive(
    db: &Db,
    slug: &str,
    headers: &http::HeaderMap,
    body: &[u8],
    now: i64,
) -> Result<Result<Received, Refused>, StoreError> {
    let source = match db.source_by_slug(slug, now).await? {
        Some(s) if s.active => s,
        found => {
            let (id, reason) = match found {
                Some(s) => (Some(s.id), "paused_source"),
                None => (None, "unknown_source"),
            };
            db.count_webhook_rejection(id, reason, now).await?;
            return Ok(Err(Refused(reason)));
        }
    };
    let Some(kind) = SourceKind::parse(&source.kind) else {
        return Err(StoreError::Internal);
    };
    let secrets: Vec<&str> = source.secrets.iter().map(String::as_str).collect();
    let delivery_id = match signature::verify(kind, headers, body, &secrets, now.div_euclid(1000)) {
        Ok(id) => id,
        Err(why) => {
            db.count_webhook_rejection(Some(source.id), why.reason(), now)
                .await?;
            return Ok(Err(Refused(why.reason())));
        }
    };
    // Signed by the sender: keep it as it came, even when Amends cannot read it.
    let text = String::from_utf8_lossy(body);
    let event_type = events::parse(kind, body)
        .map(|p| p.event_type)
        .unwrap_or_default()
        .chars()
        .take(100)
        .collect::<String>();
    match db
        .store_delivery(source.id, &delivery_id, &event_type, &text, now)
        .await?
    {
        Stored::Again(id, status) => Ok(Ok(Received {
            id,
            status,
            duplicate: true,
        })),
        Stored::New(id) => {
            let row = process(db, id, now).await?;
            Ok(Ok(Received {
                id,
                status: row.status,
                duplicate: false,
            }))
        }
    }
}

/// Process (or process again) an inboxed delivery and record the outcome.
pub async fn process(db: &Db, id: i64, now: i64) -> Result<DeliveryRow, StoreError> {
    let inboxed = db.inboxed(id).await?.ok_or(StoreError::NotFound)?;
    let (status, outcome) = match apply(
        db,
        &inboxed.kind,
        &inboxed.body,
        inboxed.acts_as,
        &inboxed.row.source_name,
        now,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(delivery = id, error = %e, "processing a webhook delivery failed");
            (
                "failed",
                "The database refused the change; it has been logged. Retry later.".to_string(),
            )
        }
    };
    db.finish_delivery(id, status, &outcome, now).await?;
    let mut row = inboxed.row;
    row.status = status.to_string();
    row.outcome = outcome;
    row.attempts += 1;
    row.processed_at = Some(now);
    Ok(row)
}

/// Turn a body into records and write them, all or nothing: `(status, outcome)`.
async fn apply(
    db: &Db,
    kind: &str,
    body: &str,
    acts_as: Option<i64>,
    source_name: &str,
    now: i64,
) -> Result<(&'static str, String), StoreError> {
    let Some(kind) = SourceKind::parse(kind) else {
        return Ok(("failed", "Unknown source kind.".into()));
    };
    let Parsed {
        event_type,
        records,
    } = match events::parse(kind, body.as_bytes()) {
        Ok(p) => p,
        Err(why) => return Ok(("failed", format!("The payload cannot be read: {why}"))),
    };
    if records.is_empty() {
        return Ok((
            "ignored",
            format!("“{event_type}” is not an event Amends uses."),
        ));
    }
    let Some(actor) = acts_as else {
        return Ok((
            "failed",
            "The admin who set this source up is gone; add the source again.".into(),
        ));
    };
    let via = format!("webhook “{source_name}”");
    AUDIT_VIA.scope(via, write(db, &records, actor, now)).await
}

async fn write(
    db: &Db,
    records: &[Inbound],
    actor: i64,
    now: i64,
) -> Result<(&'static str, String), StoreError> {
    let mut tx = db.begin_import(actor, now).await?;
    let mut done = Vec::new();
    for record in records {
        let (noun, tally) = match record {
            Inbound::Reply(r) => ("reply", tx.replies(std::slice::from_ref(r)).await?),
            Inbound::Customer(c) => ("customer", tx.customers_in(std::slice::from_ref(c)).await?),
            Inbound::Action(a) => (
                "recovery action",
                tx.actions(std::slice::from_ref(a)).await?,
            ),
        };
        if let Some(refusal) = tally.refused.first() {
            tx.finish(false, serde_json::Value::Null).await?;
            // A customer Amends does not know yet is held for a person, not invented.
            let status = if refusal.column == "customer"
                || (refusal.column == "signed_up_at" && matches!(record, Inbound::Customer(_)))
            {
                "held"
            } else {
                "failed"
            };
            return Ok((status, refusal.reason.clone()));
        }
        done.push(if tally.new > 0 {
            format!("{noun} added")
        } else if tally.updated > 0 {
            format!("{noun} updated")
        } else {
            format!("{noun} already there")
        });
    }
    tx.finish(true, serde_json::json!({ "webhook": done }))
        .await?;
    Ok(("processed", capitalised(&done.join("; "))))
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}
