//! `amends serve`.

use crate::http::client_addr::TrustedProxies;
use crate::store::Db;
use clap::Args;
use std::net::SocketAddr;

#[derive(Args, Debug, Default)]
pub struct ServeArgs {
    /// Address and port to listen on. Falls back to LEPTOS_SITE_ADDR, then 127.0.0.1:3000.
    #[arg(long, env = "AMENDS_BIND")]
    pub bind: Option<SocketAddr>,
}

pub async fn run(db: Db, args: ServeArgs) -> anyhow::Result<()> {
    let bind = match args.bind {
        Some(b) => b,
        None => std::env::var("LEPTOS_SITE_ADDR")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 3000))),
    };
    // Read here, for `amends` alone as for `amends serve`; a bad entry stops the start.
    let proxies = TrustedProxies::from_env()?;
    crate::http::serve(db, bind, proxies).await
}
