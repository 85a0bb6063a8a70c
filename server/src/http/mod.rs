//! The HTTP server: Leptos pages and server functions, health check, static files,
//! request logging and graceful shutdown.

pub mod account;
mod caller;
mod chart_files;
mod exports;
mod fn_errors;
mod health;
mod hooks;
mod report_files;
mod request_id;
pub mod security;

// Where the client's address comes from is the sign-in throttle's concern; re-exported for
// the router's callers, which pass the trusted proxies in.
pub use crate::auth::client_addr;

use crate::service::ReadService;
use crate::store::Db;
use app::app::{shell, App};
use app::reads::SharedReads;
use app::store::SharedStore;
use axum::extract::FromRef;
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;

/// What handlers can extract.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: SharedStore,
    pub reads: ReadService,
}

/// Leptos settings: from cargo-leptos' environment when run by it, with defaults that let
/// the released binary run on its own (`LEPTOS_SITE_ROOT`, default `target/site`).
pub fn leptos_options(bind: SocketAddr) -> LeptosOptions {
    let mut options = get_configuration(None)
        .map(|c| c.leptos_options)
        .unwrap_or_else(|_| LeptosOptions::builder().output_name("amends").build());
    if options.output_name.is_empty() {
        options.output_name = Arc::from("amends");
    }
    if let Ok(root) = std::env::var("LEPTOS_SITE_ROOT") {
        options.site_root = Arc::from(root);
    } else if options.site_root.as_ref() == "/" || options.site_root.is_empty() {
        options.site_root = Arc::from("target/site");
    }
    options.site_addr = bind;
    options
}

/// The app's page routes, generated once per process. Generating them switches resource
/// loading off process-wide for a moment (leptos issue 4773), so a generation that overlaps
/// a page render elsewhere in the process (several routers in one test run) can leave that
/// render waiting forever.
pub fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole application router, ready to serve (also used by the HTTP tests).
pub fn router(db: Db, options: LeptosOptions, proxies: client_addr::TrustedProxies) -> Router {
    router_with(
        db,
        options,
        crate::auth::bearer::TokenLimits::from_env(),
        proxies,
    )
}

/// The router with the API's per-token rate limits and the trusted proxies given (the
/// tests use small limits).
pub fn router_with(
    db: Db,
    options: LeptosOptions,
    token_limits: crate::auth::bearer::TokenLimits,
    proxies: client_addr::TrustedProxies,
) -> Router {
    router_for(ReadService::new(db), options, token_limits, proxies)
}

/// The router over a read service (whose caches it shares with whoever else holds it).
pub fn router_for(
    reads: ReadService,
    options: LeptosOptions,
    token_limits: crate::auth::bearer::TokenLimits,
    proxies: client_addr::TrustedProxies,
) -> Router {
    let db = reads.db().clone();
    let auth = crate::auth::session::AuthState {
        db: db.clone(),
        settings: crate::auth::session::SessionSettings::from_env(),
        token_limits,
        proxies,
    };
    let (rest, _) = crate::rest::router(reads.clone());
    let hooks_db = db.clone();
    let store: SharedStore = Arc::new(db);
    let shared_reads: SharedReads = Arc::new(reads.clone());
    let state = AppState {
        leptos_options: options.clone(),
        store: store.clone(),
        reads,
    };
    let routes = route_list();
    let context = move || {
        provide_context(store.clone());
        provide_context(shared_reads.clone());
    };

    Router::new()
        .route("/healthz", get(health::healthz))
        .route(
            "/login",
            axum::routing::post(account::login).with_state(auth.clone()),
        )
        .route(
            "/setup",
            axum::routing::post(account::setup).with_state(auth.clone()),
        )
        .route(
            "/logout",
            axum::routing::post(account::logout).with_state(auth.clone()),
        )
        .route("/incidents/{id}/apology.csv", get(exports::mail_merge))
        .route(
            "/hooks/{slug}",
            axum::routing::post(hooks::deliver)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::webhooks::inbox::MAX_BODY,
                ))
                .with_state(hooks_db),
        )
        .route(
            "/api/v1/{*rest}",
            axum::routing::any(crate::rest::no_such_route),
        )
        .route("/dashboard/{file}", get(chart_files::chart_file))
        .route("/reports/weekly", get(report_files::pick_week))
        .route(
            "/reports/weekly/{week}/{file}",
            get(report_files::report_file),
        )
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .merge(rest)
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        // Layers run outermost last-added: request id, then the log span, then headers,
        // then the cross-site check, so refusals are logged with their request id too.
        .layer(axum::middleware::from_fn_with_state(
            security::OriginPolicy::from_env(),
            security::check_origin,
        ))
        .layer(axum::middleware::from_fn_with_state(
            auth,
            crate::auth::session::authenticate,
        ))
        .layer(axum::middleware::from_fn(fn_errors::status))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_id::make_span)
                .on_request(())
                .on_response(
                    DefaultOnResponse::new()
                        .level(tracing::Level::INFO)
                        .latency_unit(LatencyUnit::Millis),
                ),
        )
        // Pages, the wasm, CSS and downloads go out gzipped to clients that accept it: the
        // dashboard's HTML is about a seventh of its size on the wire. Pages carry no secret
        // beside attacker-chosen text (CSRF is an Origin check, not a token), so compressing
        // them leaks nothing. The fastest level keeps most of the gain (HTML is repetitive)
        // for less work per page: the large demo's dashboard is 35 KB instead of 25 KB.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::CompressionLevel::Fastest),
        )
        .layer(request_id::layer())
        // A panic anywhere below answers 500 (logged) instead of leaving the request hanging.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .with_state(state)
}

/// A short plain-text answer, for the file routes' refusals.
pub(crate) fn plain_text(
    status: axum::http::StatusCode,
    message: &str,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        status,
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; charset=utf-8",
        )],
        message.to_string(),
    )
        .into_response()
}

/// The plain-text answer of a file route whose store read failed: 503 while the database is
/// unreachable, else 500 (the detail is logged where it happened).
pub(crate) fn store_failure(e: &app::error::StoreError) -> axum::response::Response {
    use axum::http::StatusCode;
    match e {
        app::error::StoreError::Unavailable => plain_text(
            StatusCode::SERVICE_UNAVAILABLE,
            "The database cannot be reached right now. Try again in a minute.",
        ),
        _ => plain_text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong on our side; it has been logged.",
        ),
    }
}

/// The answer to a request whose handler panicked: a plain 500, no internals.
fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    use axum::response::IntoResponse;
    tracing::error!("a request handler panicked");
    (
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; charset=utf-8",
        )],
        "Something went wrong on our side; it has been logged. Please try again.",
    )
        .into_response()
}

pub async fn serve(
    db: Db,
    bind: SocketAddr,
    proxies: client_addr::TrustedProxies,
) -> anyhow::Result<()> {
    let options = leptos_options(bind);
    let outbox = crate::reports::deliver::Outbox::from_env();
    let reads = ReadService::new(db.clone()).with_outbox(outbox);
    tokio::spawn(reads.clone().keep_dashboard_warm());
    tokio::spawn(crate::reports::deliver::keep_sending(reads.clone()));
    let app = router_for(
        reads,
        options,
        crate::auth::bearer::TokenLimits::from_env(),
        proxies,
    );
    let listener = listen(bind).await?;
    tracing::info!("Amends is listening on http://{bind}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("in-flight requests finished; closing the database");
    tokio::time::timeout(Duration::from_secs(10), db.close())
        .await
        .ok();
    tracing::info!("stopped");
    Ok(())
}

/// A listener on `bind` whose connections send each write at once. Responses go out in
/// several writes; without TCP_NODELAY the second one waits for the browser's delayed ACK
/// (up to 40 ms) on every keep-alive request after the first.
pub async fn listen(bind: SocketAddr) -> anyhow::Result<Listening> {
    Ok(tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {bind}: {e}"))?
        .tap_io(no_delay as fn(&mut tokio::net::TcpStream)))
}

/// What [`listen`] gives `axum::serve`.
pub type Listening = axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)>;

fn no_delay(tcp: &mut tokio::net::TcpStream) {
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::debug!(error = %e, "could not set TCP_NODELAY");
    }
}

/// Resolves on Ctrl-C or SIGTERM; axum then stops accepting and drains in-flight requests.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}
