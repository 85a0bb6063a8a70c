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

/// Where to listen: `--bind`, else `AMENDS_BIND` (read here too, because plain `amends`
/// serves without clap having parsed `serve`'s arguments), else `LEPTOS_SITE_ADDR`, else
/// 127.0.0.1:3000. A bad `AMENDS_BIND` stops the start instead of being ignored.
pub fn bind_addr(args: &ServeArgs) -> anyhow::Result<SocketAddr> {
    if let Some(b) = args.bind {
        return Ok(b);
    }
    if let Some(v) = std::env::var("AMENDS_BIND").ok().filter(|v| !v.is_empty()) {
        return v.trim().parse().map_err(|_| {
            anyhow::anyhow!("AMENDS_BIND: {v:?} is not an address and port, e.g. 0.0.0.0:3000")
        });
    }
    Ok(std::env::var("LEPTOS_SITE_ADDR")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 3000))))
}

pub async fn run(db: Db, args: ServeArgs) -> anyhow::Result<()> {
    let bind = bind_addr(&args)?;
    // Read here, for `amends` alone as for `amends serve`; a bad entry stops the start.
    let proxies = TrustedProxies::from_env()?;
    crate::http::serve(db, bind, proxies).await
}
