//! `amends bench --pages SECONDS`: pages served over real keep-alive connections, side by
//! side with a bare Leptos page built in this workspace, in one run. Both servers listen on
//! loopback the way `amends serve` does (TCP_NODELAY on every connection), and the same
//! clients load each in turn, so the ratio is the figure to read: what the app's routing,
//! middleware, sign-in check, queries and rendering cost beyond Leptos itself.
//!
//! Each request asks for gzip as a browser does; the size shown is the body as it
//! crossed the wire.
//!
//! Signed-in pages need a session: the bench starts one for the first active user (viewer
//! first, then editor, then admin) and ends it afterwards, both in the audit log as usual.

use crate::store::Db;
use anyhow::Context;
use app::domain::Role;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// A page that would have waited for a delayed ACK takes at least this long.
const DELAYED_ACK: Duration = Duration::from_millis(40);

/// How long each page is loaded over one connection alone, to see delayed ACKs.
const ALONE: Duration = Duration::from_millis(500);

/// The bare app: one route, one static paragraph, the same shell parts as Amends.
#[component]
fn BareApp() -> impl IntoView {
    view! {
        <Router>
            <Routes fallback=|| "Not found.">
                <Route
                    path=path!("/")
                    view=|| view! { <main><h1>"Hello"</h1><p>"A bare Leptos page."</p></main> }
                />
            </Routes>
        </Router>
    }
}

fn bare_shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <HydrationScripts options islands=true/>
            </head>
            <body>
                <BareApp/>
            </body>
        </html>
    }
}

fn bare_router(options: LeptosOptions) -> axum::Router {
    let routes = generate_route_list(BareApp);
    axum::Router::new()
        .leptos_routes(&options, routes, {
            let options = options.clone();
            move || bare_shell(options.clone())
        })
        .with_state(options)
}

/// Serve `router` on a free loopback port until the task is aborted.
async fn spawn_server(
    router: axum::Router,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    use axum::serve::Listener;
    let listener = crate::http::listen(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    Ok((addr, task))
}

/// What loading one page found.
#[derive(Debug, Default)]
pub struct PageLoad {
    pub requests: u64,
    pub failed: u64,
    pub seconds: f64,
    pub bytes: usize,
    pub latencies: Vec<Duration>,
}

impl PageLoad {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds.max(0.001)
    }

    fn latency(&self, q: f64) -> Duration {
        super::bench_load::quantile(&self.latencies, q)
    }

    /// Loads that took [`DELAYED_ACK`] or more.
    fn slow(&self) -> usize {
        self.latencies.iter().filter(|l| **l >= DELAYED_ACK).count()
    }
}

/// `connections` clients, each on one keep-alive connection, request `url` for `duration`.
/// Each connection's first request opens it and is not counted.
async fn load(
    url: String,
    cookie: Option<String>,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<PageLoad> {
    let mut tasks = Vec::with_capacity(connections);
    let until = Instant::now() + duration;
    let started = Instant::now();
    for _ in 0..connections {
        let (url, cookie) = (url.clone(), cookie.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .redirect(reqwest::redirect::Policy::none())
                .build()?;
            // As a browser asks: the body is read as it came over the wire (compressed).
            let get = || {
                let mut req = client
                    .get(&url)
                    .header(reqwest::header::ACCEPT_ENCODING, "gzip");
                if let Some(c) = &cookie {
                    req = req.header(reqwest::header::COOKIE, c);
                }
                req.send()
            };
            get().await?.bytes().await?;
            let mut out = PageLoad::default();
            while Instant::now() < until {
                let t = Instant::now();
                let res = get().await?;
                let ok = res.status() == reqwest::StatusCode::OK;
                let body = res.bytes().await?;
                out.latencies.push(t.elapsed());
                out.requests += 1;
                out.failed += u64::from(!ok);
                out.bytes = body.len();
            }
            Ok::<_, anyhow::Error>(out)
        }));
    }
    let mut all = PageLoad::default();
    for t in tasks {
        let one = t.await??;
        all.requests += one.requests;
        all.failed += one.failed;
        all.bytes = all.bytes.max(one.bytes);
        all.latencies.extend(one.latencies);
    }
    all.seconds = started.elapsed().as_secs_f64();
    all.latencies.sort();
    Ok(all)
}

/// One page: a first load (the dashboard's fills its cache), the load over `connections`,
/// then one connection alone, request after request: with nothing queued, a load that took
/// 40 ms or more waited for a delayed ACK. The loaded figures count every failed load.
async fn measure(
    url: String,
    cookie: Option<String>,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<(PageLoad, PageLoad)> {
    load(url.clone(), cookie.clone(), 1, Duration::ZERO).await?;
    let mut loaded = load(url.clone(), cookie.clone(), connections, duration).await?;
    let alone = load(url, cookie, 1, ALONE).await?;
    loaded.failed += alone.failed;
    Ok((loaded, alone))
}

/// The session the signed-in pages are loaded with: its cookie, its hash and its user.
async fn bench_session(db: &Db) -> anyhow::Result<(String, String, i64)> {
    let mut user = None;
    for role in [Role::Viewer, Role::Editor, Role::Admin] {
        if let Some(id) = db.first_user_with_role(role).await? {
            user = Some(id);
            break;
        }
    }
    let user = user.context(
        "--pages signs in as an existing user, and this database has none: add one with \
         `amends user add --email you@example.com --role viewer --name You`",
    )?;
    let token = crate::auth::session::new_token();
    let hash = crate::auth::session::token_hash(&token);
    let now = app::domain::when::now_ms();
    db.start_session(&hash, user, now, now + 3_600_000, None)
        .await?;
    let name = crate::auth::session::SessionSettings::from_env().cookie_name();
    Ok((format!("{name}={token}"), hash, user))
}

/// Load each page in turn, the bare Leptos page first, and print them side by side.
pub async fn bench(db: &Db, connections: usize, duration: Duration) -> anyhow::Result<()> {
    let options = crate::http::leptos_options(SocketAddr::from(([127, 0, 0, 1], 3000)));
    let (bare, bare_task) = spawn_server(bare_router(options.clone())).await?;
    let app = crate::http::router_with(
        db.clone(),
        options,
        crate::auth::bearer::TokenLimits::from_env(),
        Default::default(),
    );
    let (amends, app_task) = spawn_server(app).await?;
    let (cookie, hash, user) = bench_session(db).await?;
    let pages: [(&str, String, Option<String>); 4] = [
        ("bare Leptos page", format!("http://{bare}/"), None),
        ("/login", format!("http://{amends}/login"), None),
        (
            "/incidents (signed in)",
            format!("http://{amends}/incidents"),
            Some(cookie.clone()),
        ),
        (
            "/ dashboard, warm (signed in)",
            format!("http://{amends}/"),
            Some(cookie),
        ),
    ];
    println!(
        "\nPages: {connections} keep-alive connections for {:.0} s each, loopback, TCP_NODELAY, \
         gzip accepted; \"1 conn\": loads of 40 ms or more out of all, one connection alone \
         for {:.1} s (a delayed ACK shows as 40 ms):",
        duration.as_secs_f64(),
        ALONE.as_secs_f64()
    );
    println!(
        "  {:<30} {:>9} {:>9} {:>9} {:>9} {:>7} {:>8}",
        "page", "req/s", "p50 ms", "p99 ms", "1 conn", "failed", "wire KB"
    );
    let mut results = Vec::new();
    let mut outcome = Ok(());
    for (label, url, cookie) in pages {
        match measure(url, cookie, connections, duration).await {
            Ok((p, alone)) => {
                let ms = |d: Duration| d.as_secs_f64() * 1000.0;
                println!(
                    "  {label:<30} {:>9.0} {:>9.2} {:>9.2} {:>9} {:>7} {:>8.1}",
                    p.per_second(),
                    ms(p.latency(0.5)),
                    ms(p.latency(0.99)),
                    format!("{}/{}", alone.slow(), alone.requests),
                    p.failed,
                    p.bytes as f64 / 1024.0
                );
                results.push((label, p));
            }
            Err(e) => {
                outcome = Err(e);
                break;
            }
        }
    }
    let _ = db
        .end_session(&hash, user, app::domain::when::now_ms())
        .await;
    bare_task.abort();
    app_task.abort();
    outcome?;
    if let (Some((_, bare)), Some((_, incidents))) = (
        results.first(),
        results.iter().find(|(l, _)| l.starts_with("/incidents")),
    ) {
        println!(
            "  /incidents ÷ bare Leptos page: {:.2}×  (goal: at least 0.5×)",
            incidents.per_second() / bare.per_second().max(0.001)
        );
    }
    let failed: u64 = results.iter().map(|(_, p)| p.failed).sum();
    anyhow::ensure!(failed == 0, "{failed} page loads did not answer 200");
    Ok(())
}
