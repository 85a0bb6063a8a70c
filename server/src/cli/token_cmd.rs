//! `amends token add|list|revoke`: API tokens for scripts and set-up, without a browser.

use crate::store::{Db, AUDIT_VIA};
use app::domain::token::TokenForm;
use app::store::Store;
use clap::{Args, Subcommand};

pub const LONG_ABOUT: &str = "Manage personal API tokens for the REST API (/api/v1).\n\n\
A token acts as its owner, never with more than the owner's role allows: a read token only \
reads; a write token of an editor or admin also creates and changes records. The secret is \
printed once by `add` (on standard output, alone, so a script can capture it) and stored only \
as a hash. Each change is written to the audit log as done from the command line.";

#[derive(Args, Debug)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub command: TokenCommand,
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Make a token for a team member and print its secret (once).
    Add {
        /// The owner's sign-in email.
        #[arg(long)]
        email: String,
        /// read, or write (read and write).
        #[arg(long)]
        scope: String,
        /// What uses it, e.g. "nightly CRM sync".
        #[arg(long)]
        name: String,
        /// Last day it works (YYYY-MM-DD, UTC); default: it does not expire.
        #[arg(long)]
        expires: Option<String>,
    },
    /// List tokens (everyone's, or one person's with --email), newest first.
    List {
        #[arg(long)]
        email: Option<String>,
    },
    /// Revoke a token by its id (from `list`).
    Revoke { id: i64 },
}

async fn owner(db: &Db, email: &str) -> anyhow::Result<i64> {
    let email = email.trim().to_lowercase();
    db.user_id_by_email(&email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("nobody on the team has the email {email}"))
}

pub async fn run(db: Db, args: TokenArgs) -> anyhow::Result<()> {
    let via = "command line".to_string();
    match args.command {
        TokenCommand::Add {
            email,
            scope,
            name,
            expires,
        } => {
            let form = TokenForm {
                name,
                scope,
                expires: expires.unwrap_or_default(),
            };
            let draft = form
                .parse(app::domain::when::now_ms())
                .map_err(|e| match e {
                    app::error::AppError::Field { field, message } => {
                        anyhow::anyhow!("--{field}: {message} Nothing was created.")
                    }
                    other => anyhow::anyhow!("{other}"),
                })?;
            let id = owner(&db, &email).await?;
            let secret = app::auth::token::new_secret();
            let row = AUDIT_VIA
                .scope(
                    via,
                    db.create_token(id, &draft, &secret.hash, &secret.hint, id),
                )
                .await
                .map_err(|e| anyhow::anyhow!("{}", app::error::AppError::from(e)))?;
            eprintln!(
                "Token {} “{}” ({}) for {email}. Keep the secret below safe; it is not shown again.",
                row.id,
                row.name,
                row.scope.code()
            );
            println!("{}", secret.secret);
        }
        TokenCommand::List { email } => {
            let who = match email {
                Some(e) => Some(owner(&db, &e).await?),
                None => None,
            };
            let list = db.list_tokens(who).await?;
            if list.is_empty() {
                println!("No tokens.");
            }
            for t in list {
                println!(
                    "{}\t{}\t{}\t…{}\t{}\t{}\tlast used {}",
                    t.id,
                    t.owner,
                    t.name,
                    t.hint,
                    t.scope.code(),
                    t.status(),
                    t.last_used_at
                        .map(app::format::date_time)
                        .unwrap_or_else(|| "never".into())
                );
            }
        }
        TokenCommand::Revoke { id } => {
            let Some(owner) = db.token_owner(id).await? else {
                anyhow::bail!("there is no token {id}");
            };
            AUDIT_VIA
                .scope(via, db.revoke_token(id, None, owner))
                .await
                .map_err(|e| anyhow::anyhow!("{}", app::error::AppError::from(e)))?;
            println!("Token {id} is revoked.");
        }
    }
    db.close().await;
    Ok(())
}
