//! Concurrent writers against one server (`amends bench --load SECONDS`, and the test that
//! proves no acknowledged write is lost): half the clients use the forms' server functions
//! with a session cookie, half the REST API with a token, all at once on one database.
//! Each makes customers and replies to them, the API clients send every POST twice with
//! one `Idempotency-Key` (a retry after a lost answer), and every client now and then edits
//! one shared incident with `If-Match`. Afterwards every acknowledged write must be there
//! exactly once, the shared incident's version must count every acknowledged edit, and no
//! answer may be a 5xx.
//!
//! With faults (PostgreSQL only), every session of the database is ended again and again
//! through the middle third of the run, as a database restart does: requests meanwhile may
//! answer 503, the acknowledged ones must still all be there, and the bench reports how
//! soon after the last ended session the answers are all good again.
//!
//! Requests go through the whole router (middleware, authentication, CSRF check, handlers)
//! in this process, without a socket, so the figures are the server's own work.

use crate::store::Db;
use anyhow::Context;
use app::domain::Role;
use app::store::Store;
use axum::body::Body;
use axum::extract::ConnectInfo;
use http::{header, Request, StatusCode};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// What a load run found.
#[derive(Clone, Debug, Default)]
pub struct LoadOutcome {
    pub clients: usize,
    pub seconds: f64,
    /// Requests sent, by the status they got.
    pub statuses: BTreeMap<u16, u64>,
    /// Writes the server acknowledged (2xx): customers, replies, incident edits.
    pub acknowledged: u64,
    /// Retries answered from the idempotency store, and how many of those answered
    /// differently from the first time.
    pub replays: u64,
    pub replay_mismatches: u64,
    /// Edits of the shared incident acknowledged, and refused because another client had
    /// changed it first (412 / 409).
    pub edits: u64,
    pub conflicts: u64,
    /// Writes refused for any other reason (a 4xx the run did not provoke).
    pub refused: u64,
    /// Acknowledged writes missing afterwards, and writes found more than once.
    pub lost: u64,
    pub doubled: u64,
    /// Case facts that differ afterwards from a rebuild from the raw rows.
    pub facts_drift: u64,
    /// Latency of every request, sorted.
    pub latencies: Vec<Duration>,
    /// With faults: sessions ended, 503s answered while they were (and shortly after), and
    /// how long after the last one the last 503 came.
    pub sessions_ended: u64,
    pub excused: u64,
    pub recovered_after: Option<Duration>,
}

impl LoadOutcome {
    /// 5xx answers, but for the 503s of a fault window.
    pub fn server_errors(&self) -> u64 {
        self.statuses
            .iter()
            .filter(|(s, _)| **s >= 500)
            .map(|(_, n)| n)
            .sum::<u64>()
            - self.excused
    }

    pub fn requests(&self) -> u64 {
        self.statuses.values().sum()
    }

    /// The latency at quantile `q` (0–1).
    pub fn latency(&self, q: f64) -> Duration {
        quantile(&self.latencies, q)
    }
}

/// The value at quantile `q` (0–1) of `sorted` (the nearest rank), zero when empty.
pub(super) fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// One client's view of the run.
#[derive(Default)]
struct Tally {
    statuses: BTreeMap<u16, u64>,
    /// When each 503 came.
    unavailable: Vec<Instant>,
    latencies: Vec<Duration>,
    customers: Vec<String>,
    replies: Vec<String>,
    edits: u64,
    conflicts: u64,
    /// Writes refused for any reason but a stale version: none are expected.
    refused: u64,
    replays: u64,
    replay_mismatches: u64,
}

#[derive(Clone)]
enum Caller {
    Form { cookie: String },
    Api { bearer: String },
}

struct Client {
    router: axum::Router,
    caller: Caller,
    tally: Tally,
}

const ORIGIN: &str = "http://127.0.0.1:3000";

impl Client {
    async fn send(&mut self, req: Request<Body>) -> anyhow::Result<(StatusCode, String)> {
        let started = Instant::now();
        let mut req = req;
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40_000))));
        let res = self.router.clone().oneshot(req).await?;
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await?;
        self.tally.latencies.push(started.elapsed());
        *self.tally.statuses.entry(status.as_u16()).or_default() += 1;
        if status == StatusCode::SERVICE_UNAVAILABLE {
            self.tally.unavailable.push(Instant::now());
        }
        Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
    }

    fn request(&self, method: &str, path: &str) -> http::request::Builder {
        let b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ORIGIN, ORIGIN);
        match &self.caller {
            Caller::Form { cookie } => b.header(header::COOKIE, cookie),
            Caller::Api { bearer } => b.header(header::AUTHORIZATION, format!("Bearer {bearer}")),
        }
    }

    async fn form(&mut self, path: &str, fields: &[(&str, &str)]) -> anyhow::Result<StatusCode> {
        Ok(self.form_answer(path, fields).await?.0)
    }

    async fn form_answer(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> anyhow::Result<(StatusCode, String)> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let req = self
            .request("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))?;
        self.send(req).await
    }

    /// POST `body` as JSON twice with one idempotency key; the first answer's status.
    async fn post_twice(
        &mut self,
        path: &str,
        key: &str,
        body: serde_json::Value,
    ) -> anyhow::Result<StatusCode> {
        let mut answers = Vec::with_capacity(2);
        for attempt in 0..2 {
            // A retry that meets the database restarting is tried again, as a client would
            // on 503, for up to five seconds.
            for wait in 0..=50 {
                let req = self
                    .request("POST", path)
                    .header(header::CONTENT_TYPE, "application/json")
                    .header("idempotency-key", key)
                    .body(Body::from(body.to_string()))?;
                let answer = self.send(req).await?;
                if attempt == 0 || answer.0 != StatusCode::SERVICE_UNAVAILABLE || wait == 50 {
                    answers.push(answer);
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        if answers[0].0.is_success() {
            self.tally.replays += 1;
            if answers[0] != answers[1] {
                self.tally.replay_mismatches += 1;
            }
        }
        Ok(answers[0].0)
    }

    /// Change the shared incident's title with `If-Match` on the version just read.
    async fn edit(&mut self, incident: i64, version: i64, title: &str) -> anyhow::Result<()> {
        let status = match &self.caller {
            Caller::Api { .. } => {
                let req = self
                    .request("PATCH", &format!("/api/v1/incidents/{incident}"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .header(header::IF_MATCH, format!("\"{version}\""))
                    .body(Body::from(
                        serde_json::json!({ "title": title }).to_string(),
                    ))?;
                self.send(req).await?
            }
            Caller::Form { .. } => {
                let fields = [
                    ("id", incident.to_string()),
                    ("version", version.to_string()),
                    ("title", title.to_string()),
                    ("kind", "outage".to_string()),
                    ("severity", "sev3".to_string()),
                    // Alternate the start, so an edit remakes the facts of every case.
                    (
                        "started_at",
                        if version % 2 == 0 {
                            "2026-01-05T10:00"
                        } else {
                            "2026-01-05T09:00"
                        }
                        .to_string(),
                    ),
                ];
                let fields: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                self.form_answer("/api/fn/incidents/update", &fields)
                    .await?
            }
        };
        // The API answers a stale version 412; the form, 422 with the reason.
        match status {
            (s, _) if s.is_success() => self.tally.edits += 1,
            (StatusCode::PRECONDITION_FAILED, _) => self.tally.conflicts += 1,
            (StatusCode::UNPROCESSABLE_ENTITY, text) if text.contains("Someone else changed") => {
                self.tally.conflicts += 1
            }
            _ => self.tally.refused += 1,
        }
        Ok(())
    }

    async fn work(mut self, who: usize, until: Instant, db: Db, incident: i64) -> Tally {
        let mut n = 0u64;
        while Instant::now() < until {
            n += 1;
            let reference = format!("load-{who}-{n}");
            let body = format!("Thanks for the quick fix, load {who}-{n}.");
            let made = match self.caller.clone() {
                Caller::Form { .. } => {
                    let customer = self
                        .form(
                            "/api/fn/customers/create",
                            &[("external_ref", &reference), ("signed_up_at", "2026-01-05")],
                        )
                        .await;
                    let customer = matches!(customer, Ok(s) if s.is_success());
                    let reply = if customer {
                        self.form(
                            "/api/fn/replies/create",
                            &[
                                ("customer", &reference),
                                ("channel", "email"),
                                ("body", &body),
                            ],
                        )
                        .await
                        .is_ok_and(|s| s.is_success())
                    } else {
                        false
                    };
                    (customer, reply)
                }
                Caller::Api { .. } => {
                    let customer = self
                        .post_twice(
                            "/api/v1/customers",
                            &format!("c-{reference}"),
                            serde_json::json!({ "external_ref": reference, "signed_up_at": "2026-01-05" }),
                        )
                        .await
                        .is_ok_and(|s| s.is_success());
                    let reply = customer
                        && self
                            .post_twice(
                                "/api/v1/replies",
                                &format!("r-{reference}"),
                                serde_json::json!({
                                    "customer_ref": reference, "channel": "chat", "body": body
                                }),
                            )
                            .await
                            .is_ok_and(|s| s.is_success());
                    (customer, reply)
                }
            };
            if !(made.0 && made.1) {
                self.tally.refused += 1;
            }
            if made.0 {
                self.tally.customers.push(reference);
            }
            if made.1 {
                self.tally.replies.push(body);
            }
            // Now and then a reply from one of the incident's own customers, whom other
            // writers answer for too: their case facts are remade under contention.
            if n.is_multiple_of(3) {
                let shared = format!("shared-{}", (who as u64 + n) % SHARED_CUSTOMERS);
                let _ = match &self.caller {
                    Caller::Form { .. } => {
                        let fields = [
                            ("customer", shared.as_str()),
                            ("channel", "email"),
                            ("body", "Still down for us."),
                        ];
                        self.form("/api/fn/replies/create", &fields).await
                    }
                    Caller::Api { .. } => {
                        let json = serde_json::json!({
                            "customer_ref": shared, "channel": "chat", "body": "Still down for us."
                        });
                        self.post_twice("/api/v1/replies", &format!("s-{who}-{n}"), json)
                            .await
                    }
                };
            }
            if n.is_multiple_of(4) {
                if let Ok(v) = incident_version(&db, incident).await {
                    let _ = self
                        .edit(incident, v, &format!("Shared outage {who}-{n}"))
                        .await;
                }
            }
        }
        self.tally
    }
}

/// Customers affected by the shared incident, whose replies every writer sends now and then.
const SHARED_CUSTOMERS: u64 = 40;

/// The shared incident's version now.
async fn incident_version(db: &Db, incident: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT version FROM incidents WHERE id = $1")
        .bind(incident)
        .fetch_one(db.pool())
        .await
}

/// How many rows each key of `sql` (`SELECT key, COUNT(*) … GROUP BY key`) has.
async fn counts(db: &Db, sql: &str) -> Result<BTreeMap<String, i64>, sqlx::Error> {
    let rows: Vec<(String, i64)> = sqlx::query_as(sql).fetch_all(db.pool()).await?;
    Ok(rows.into_iter().collect())
}

/// How long after the last ended session a 503 is still excused: each pooled connection the
/// fault broke fails once when next used.
const GRACE: Duration = Duration::from_secs(5);

/// End every other session of `db`'s PostgreSQL database every 250 ms from `from` to `to`;
/// how many were ended and when the last round was.
async fn end_sessions(db: Db, from: Instant, to: Instant) -> (u64, Instant) {
    tokio::time::sleep_until(from.into()).await;
    let (mut ended, mut last) = (0, from);
    while Instant::now() < to {
        ended += sqlx::query_scalar::<_, bool>(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .fetch_all(db.pool())
        .await
        .map_or(0, |v| v.len() as u64);
        last = Instant::now();
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    (ended, last)
}

/// Run `clients` writers (at least two: forms and API) for `duration` on `db`, then check
/// what they were told against what the database holds. With `faults` on PostgreSQL, its
/// sessions are ended through the middle third of the run.
pub async fn run(
    db: &Db,
    clients: usize,
    duration: Duration,
    faults: bool,
) -> anyhow::Result<LoadOutcome> {
    let clients = clients.max(2);
    let now = app::domain::when::now_ms();
    let email = format!("load-{now}@bench.invalid");
    let user = db
        .create_user(
            crate::store::NewUser {
                email: &email,
                name: "Load writer",
                role: Role::Editor,
                // Signs in only through the session made below.
                password_hash: "!",
            },
            None,
            false,
            now,
        )
        .await
        .context("the writers' account")?;
    let incident = db
        .create_incident(
            &app::domain::incident::IncidentDraft {
                title: "Shared outage".into(),
                description: String::new(),
                kind: app::domain::IncidentKind::Outage,
                severity: app::domain::Severity::Sev3,
                started_at: app::domain::when::parse_input("2026-01-05T10:00")
                    .map_err(anyhow::Error::msg)?,
                detected_at: app::domain::when::parse_input("2026-01-05T10:00")
                    .map_err(anyhow::Error::msg)?,
                resolved_at: None,
                owner_id: None,
            },
            user,
        )
        .await?;
    let list = (0..SHARED_CUSTOMERS)
        .map(|i| format!("shared-{i}"))
        .collect::<Vec<_>>()
        .join("\n");
    for i in 0..SHARED_CUSTOMERS {
        let draft = app::domain::customer::CustomerDraft {
            external_ref: format!("shared-{i}"),
            name: format!("Shared customer {i}"),
            email: None,
            plan: "pro".into(),
            monthly_revenue: app::domain::Money::new(0, "USD"),
            signed_up_at: 0,
        };
        db.create_customer(&draft, user).await?;
    }
    let parsed = app::domain::affected::parse_list(&list).map_err(anyhow::Error::msg)?;
    db.confirm_affected(incident, &parsed, app::domain::AffectedSource::Manual, user)
        .await?;
    let start_version = incident_version(db, incident).await?;
    let settings = crate::auth::session::SessionSettings::from_env();
    let router = crate::http::router_with(
        db.clone(),
        crate::http::leptos_options(SocketAddr::from(([127, 0, 0, 1], 3000))),
        crate::auth::bearer::TokenLimits::per_minute(u32::MAX),
        Default::default(),
    );
    let until = Instant::now() + duration;
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for who in 0..clients {
        let caller = if who % 2 == 0 {
            let token = crate::auth::session::new_token();
            db.start_session(
                &crate::auth::session::token_hash(&token),
                user,
                now,
                now + 86_400_000,
                Some("127.0.0.1"),
            )
            .await?;
            Caller::Form {
                cookie: format!("{}={token}", settings.cookie_name()),
            }
        } else {
            let secret = app::auth::token::new_secret();
            let draft = app::domain::token::TokenDraft {
                name: format!("load {who}"),
                scope: app::domain::TokenScope::Write,
                expires_at: None,
            };
            db.create_token(user, &draft, &secret.hash, &secret.hint, user)
                .await?;
            Caller::Api {
                bearer: secret.secret,
            }
        };
        let client = Client {
            router: router.clone(),
            caller,
            tally: Tally::default(),
        };
        tasks.push(tokio::spawn(client.work(who, until, db.clone(), incident)));
    }
    let fault = (faults && db.engine() == crate::store::Engine::Postgres).then(|| {
        let (from, to) = (started + duration / 3, started + duration * 2 / 3);
        (from, tokio::spawn(end_sessions(db.clone(), from, to)))
    });
    let mut out = LoadOutcome {
        clients,
        ..Default::default()
    };
    let (mut customers, mut replies, mut edits) = (Vec::new(), Vec::new(), 0);
    let mut unavailable = Vec::new();
    for t in tasks {
        let tally = t.await?;
        for (s, n) in tally.statuses {
            *out.statuses.entry(s).or_default() += n;
        }
        out.latencies.extend(tally.latencies);
        unavailable.extend(tally.unavailable);
        out.replays += tally.replays;
        out.replay_mismatches += tally.replay_mismatches;
        out.conflicts += tally.conflicts;
        out.refused += tally.refused;
        customers.extend(tally.customers);
        replies.extend(tally.replies);
        edits += tally.edits;
    }
    out.seconds = started.elapsed().as_secs_f64();
    if let Some((from, task)) = fault {
        let (ended, last) = task.await?;
        out.sessions_ended = ended;
        let excused: Vec<&Instant> = unavailable
            .iter()
            .filter(|t| **t >= from && **t <= last + GRACE)
            .collect();
        out.excused = excused.len() as u64;
        out.recovered_after = Some(
            excused
                .iter()
                .map(|t| t.saturating_duration_since(last))
                .max()
                .unwrap_or_default(),
        );
    }
    out.latencies.sort();
    out.acknowledged = (customers.len() + replies.len()) as u64 + edits;
    out.edits = edits;

    // What the database holds of each acknowledged write.
    let stored = counts(
        db,
        "SELECT external_ref, COUNT(*) FROM customers WHERE external_ref LIKE 'load-%'
         GROUP BY external_ref",
    )
    .await?;
    let bodies = counts(
        db,
        "SELECT body, COUNT(*) FROM replies WHERE body LIKE 'Thanks for the quick fix, load %'
         GROUP BY body",
    )
    .await?;
    for (acked, found) in [(&customers, &stored), (&replies, &bodies)] {
        for key in acked {
            match found.get(key).copied().unwrap_or(0) {
                0 => out.lost += 1,
                1 => {}
                _ => out.doubled += 1,
            }
        }
        out.doubled += found.values().filter(|n| **n > 1).count() as u64;
    }
    let version = incident_version(db, incident).await?;
    // Every acknowledged edit moved the version once; a lost one would leave it short, a
    // doubled one past.
    match (version - start_version).cmp(&(edits as i64)) {
        std::cmp::Ordering::Less => out.lost += (edits as i64 - (version - start_version)) as u64,
        std::cmp::Ordering::Greater => {
            out.doubled += ((version - start_version) - edits as i64) as u64
        }
        std::cmp::Ordering::Equal => {}
    }
    out.facts_drift = db.facts_drift().await?;
    Ok(out)
}

/// `amends bench --load`: the run on a scratch database of `db`'s engine, printed; an
/// error when a write was lost or doubled or an answer was a 5xx.
pub async fn bench(
    db: &Db,
    clients: usize,
    duration: Duration,
    faults: bool,
) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("amends_bench_load_{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (scratch, _url, pg_name) = super::bench_import::scratch(db, &dir).await?;
    let outcome = run(&scratch, clients, duration, faults).await;
    super::bench_import::drop_scratch(db, scratch, pg_name, &dir).await;
    let o = outcome?;
    print(&o);
    anyhow::ensure!(
        o.lost + o.doubled + o.server_errors() + o.replay_mismatches + o.facts_drift == 0,
        "concurrent writers: {} lost, {} doubled, {} answers 5xx, {} replays differed, \
         the facts of {} cases differ from a rebuild",
        o.lost,
        o.doubled,
        o.server_errors(),
        o.replay_mismatches,
        o.facts_drift
    );
    Ok(())
}

/// The outcome as the bench prints it.
pub fn print(o: &LoadOutcome) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "\nConcurrent writers: {} clients (forms and API) for {:.1} s on one database:",
        o.clients, o.seconds
    );
    println!(
        "  requests {:>8}   {:>8.0} /s   p50 {:.2} ms   p99 {:.2} ms   slowest {:.2} ms",
        o.requests(),
        o.requests() as f64 / o.seconds.max(0.001),
        ms(o.latency(0.5)),
        ms(o.latency(0.99)),
        ms(o.latency(1.0)),
    );
    let statuses: Vec<String> = o.statuses.iter().map(|(s, n)| format!("{s}×{n}")).collect();
    println!("  answers  {}", statuses.join("  "));
    println!(
        "  acknowledged writes {}   not acknowledged {}   retries replayed {} ({} differed)   \
         shared edits {} ({} refused as stale)",
        o.acknowledged, o.refused, o.replays, o.replay_mismatches, o.edits, o.conflicts
    );
    if let Some(r) = o.recovered_after {
        println!(
            "  PostgreSQL sessions ended {} times in the middle third: {} answers 503 meanwhile; \
             the last came {:.0} ms after the last ended session",
            o.sessions_ended,
            o.excused,
            ms(r)
        );
    }
    println!(
        "  afterwards: lost {}   doubled {}   5xx {}   case facts unlike a rebuild {}   {}",
        o.lost,
        o.doubled,
        o.server_errors(),
        o.facts_drift,
        if o.lost + o.doubled + o.server_errors() + o.replay_mismatches + o.facts_drift == 0 {
            "— every acknowledged write is there exactly once"
        } else {
            "— FAILED"
        }
    );
}
