//! `amends rebuild-facts`: make the case facts behind every figure again from the raw rows,
//! or (`--check`) only say whether they differ.

use crate::store::Db;
use app::domain::group_thousands;
use clap::Args;

pub const LONG_ABOUT: &str = "Make the case facts again from the recorded incidents, \
    affected customers, recovery actions and replies.\n\n\
    Amends keeps one row of facts per case (incident × affected customer) for the \
    analytics, and every change made through the app, the API, an import, a webhook or the \
    demo updates them in its own transaction. Rows changed around the app (plain SQL) are \
    caught up on the next read. This command makes all of them again in one transaction and \
    says how many had differed, which should be none; readers keep the old facts until it \
    commits.\n\nWith --check it changes nothing and exits with status 1 when any differ.";

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  amends rebuild-facts\n  amends rebuild-facts --check")]
pub struct FactsArgs {
    /// Only compare the stored facts with the raw rows; exit with status 1 if they differ.
    #[arg(long)]
    pub check: bool,
}

pub async fn run(db: Db, args: FactsArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    if args.check {
        let drifted = db.facts_drift().await?;
        db.close().await;
        if drifted > 0 {
            anyhow::bail!(
                "the case facts of {} cases differ from the raw rows; `amends rebuild-facts` \
                 makes them again.",
                group_thousands(drifted)
            );
        }
        println!(
            "The case facts equal the raw rows (checked in {:.1} s).",
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    let done = db.rebuild_facts().await?;
    db.close().await;
    println!(
        "Made the facts of {} cases again in {:.1} s; those of {} cases had differed.",
        group_thousands(done.cases),
        started.elapsed().as_secs_f64(),
        group_thousands(done.drifted)
    );
    Ok(())
}
