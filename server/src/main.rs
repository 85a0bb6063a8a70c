//! `amends` — the Amends server and its command-line tools.

use clap::Parser;
use server::{cli, telemetry};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    server::service::limit_allocator_arenas();
    let args = cli::Cli::parse();
    telemetry::init(&args.global);
    match cli::run(args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
