//! The write path in `amends bench --import N`: on the scratch database the import filled,
//! a reply saved as the form saves it, one action given to 5,000 affected customers, and a
//! 1,000-row import. Whatever the read path keeps current at write time is paid here, so
//! these figures show what it costs.

use super::bench_import::import_file;
use crate::import::columns::ImportKind;
use crate::store::Db;
use app::domain::action::{ActionDraft, ActionTarget};
use app::domain::affected::CustomerKey;
use app::domain::incident::IncidentDraft;
use app::domain::reply::ReplyDraft;
use app::domain::{ActionKind, Channel, IncidentKind, Money, Severity};
use app::store::Store;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

/// Customers the bulk action goes to.
const AFFECTED: usize = 5_000;
/// Replies saved one by one (the median is shown).
const REPLIES: usize = 51;
/// Rows of the small import.
const SMALL_IMPORT: usize = 1_000;

/// Time the writes on `db` (a scratch database) as `actor`; prints one line each.
pub async fn run(db: &Db, dir: &Path, actor: i64) -> anyhow::Result<()> {
    let now = app::domain::when::now_ms();
    let customers = dir.join("writes_customers.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&customers)?);
    writeln!(f, "ref,name,signed_up_at")?;
    for c in 0..AFFECTED {
        writeln!(f, "w-{c},Write bench {c},2025-01-01")?;
    }
    f.flush()?;
    drop(f);
    import_file(db, ImportKind::Customers, &customers, actor).await?;

    let incident = db
        .create_incident(
            &IncidentDraft {
                title: "Bench outage".into(),
                description: String::new(),
                kind: IncidentKind::Outage,
                severity: Severity::Sev2,
                started_at: now - 3_600_000,
                detected_at: now - 3_600_000,
                resolved_at: None,
                owner_id: None,
            },
            actor,
        )
        .await?;
    let affected = dir.join("writes_affected.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&affected)?);
    writeln!(f, "incident,customer")?;
    for c in 0..AFFECTED {
        writeln!(f, "{incident},w-{c}")?;
    }
    f.flush()?;
    drop(f);
    import_file(db, ImportKind::Affected, &affected, actor).await?;

    let mut saves = Vec::with_capacity(REPLIES);
    for i in 0..REPLIES {
        let draft = ReplyDraft {
            customer: CustomerKey::Ref(format!("w-{i}")),
            incident_id: Some(incident),
            channel: Channel::Email,
            received_at: now - 60_000,
            csat: Some(4),
            body: format!("Thanks for sorting it out so quickly ({i})."),
        };
        let t = Instant::now();
        db.create_reply(&draft, app::sentiment::compound(&draft.body), actor)
            .await?;
        saves.push(t.elapsed());
    }
    saves.sort();

    let t = Instant::now();
    let given = db
        .give_actions(
            incident,
            &ActionTarget::All,
            &ActionDraft {
                kind: ActionKind::Credit,
                value: Money::new(1_000, "USD"),
                cost: Money::new(1_000, "USD"),
                channel: Channel::Email,
                note: String::new(),
                given_at: now - 30_000,
            },
            actor,
        )
        .await?;
    let bulk = t.elapsed();
    anyhow::ensure!(given == AFFECTED, "the bench's action reached {given}");

    let small = dir.join("writes_replies.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&small)?);
    writeln!(f, "customer,received_at,body,incident")?;
    for i in 0..SMALL_IMPORT {
        writeln!(
            f,
            "w-{},2026-01-01 10:{:02},Second reply {i},{incident}",
            i % AFFECTED,
            i % 60
        )?;
    }
    f.flush()?;
    drop(f);
    let (_, small_import) = import_file(db, ImportKind::Replies, &small, actor).await?;

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("\nWrites on the same scratch database:");
    println!(
        "  a reply saved (median of {REPLIES})                  {:>8.2} ms",
        ms(saves[REPLIES / 2])
    );
    println!(
        "  one action given to {AFFECTED} customers            {:>8.2} ms",
        ms(bulk)
    );
    println!(
        "  import of {SMALL_IMPORT} replies                         {:>8.2} ms",
        ms(small_import)
    );
    Ok(())
}
