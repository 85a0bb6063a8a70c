//! `amends user add`.

use crate::auth::password;
use crate::auth::session::now_ms;
use crate::store::Db;
use app::domain::valid_email;
use app::domain::Role;
use clap::{Args, Subcommand};
use std::io::{BufRead, IsTerminal};

#[derive(Args, Debug)]
pub struct UserArgs {
    #[command(subcommand)]
    pub command: UserCommand,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user. The password is asked for without echo, or read from the first line
    /// of standard input when it is not a terminal (for scripts).
    Add {
        /// Their email; it is how they sign in.
        #[arg(long)]
        email: String,
        /// admin (users, settings, everything), editor (records incidents, actions,
        /// replies) or viewer (reads dashboards and reports).
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Their name as shown in Amends (default: the part of the email before the @).
        #[arg(long)]
        name: Option<String>,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).map_err(|e| e.to_string())
}

pub async fn run(db: Db, args: UserArgs) -> anyhow::Result<()> {
    match args.command {
        UserCommand::Add { email, role, name } => {
            let email = email.trim().to_lowercase();
            if !valid_email(&email) {
                anyhow::bail!(
                    "“{email}” is not an email address like ada@example.com; nothing was created"
                );
            }
            let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or("").to_string());
            let password = read_password()?;
            if let Err(why) = password::check_strength(&password, &email) {
                anyhow::bail!("{why} Nothing was created.");
            }
            let hash = password::hash(password).await?;
            let id = db
                .create_user(
                    crate::store::NewUser {
                        email: &email,
                        name: &name,
                        role,
                        password_hash: &hash,
                    },
                    None,
                    false,
                    now_ms(),
                )
                .await
                .map_err(|e| anyhow::anyhow!("{}", app::error::AppError::from(e)))?;
            db.close().await;
            println!(
                "Created {} ({}) as {} — user #{id}.",
                name,
                email,
                role.label()
            );
            Ok(())
        }
    }
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password (at least 12 characters): ")?;
        let second = rpassword::prompt_password("Same password again: ")?;
        if first != second {
            anyhow::bail!("the two passwords differ; nothing was created");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}
