//! The REST API (`/api/v1`): JSON in and out, one module per noun, the same validation,
//! roles, transactions and audit as the forms. Each handler is described with
//! `#[utoipa::path]` and registered through `utoipa_axum::routes!`, so the OpenAPI document
//! at `/api/v1/openapi.json` is generated from the very routes that serve.

pub mod actions;
pub mod affected;
pub mod analytics;
pub mod body;
pub mod caller;
pub mod concurrency;
pub mod customers;
pub mod docs_page;
pub mod experiments;
pub mod extract;
pub mod idempotency;
pub mod imports;
pub mod incidents;
pub mod paging;
pub mod problem;
pub mod replies;
pub mod values;

use crate::service::ReadService;
use crate::store::Db;
use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use axum::routing::get;
use problem::Problem;
use std::sync::Arc;
use utoipa::openapi::path::{HttpMethod, Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, ResponseBuilder};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Amends API",
        description = "Record incidents, the customers they hit, the recovery actions given and the customers' replies, from your own scripts. Authenticate with a personal API token (`Authorization: Bearer amends_…`, made on your account page); a token never does more than its owner's role allows. Errors are `application/problem+json` (RFC 9457).",
        license(name = "MIT")
    ),
    components(schemas(Problem)),
    tags(
        (name = "customers", description = "The people incidents hit, kept in sync with your CRM or billing system"),
        (name = "incidents", description = "What went wrong, its status and timeline"),
        (name = "affected customers", description = "Which customers an incident hit"),
        (name = "recovery actions", description = "Credits, refunds, gifts, apologies, proactive contact and discounts given"),
        (name = "replies", description = "What customers answered, scored with VADER as it is saved"),
        (name = "imports", description = "CSV files of customers, replies, actions or affected customers, loaded all or nothing"),
        (name = "analytics", description = "The dashboard's figures: sentiment, retention, speed, repeat pain and weekly"),
        (name = "experiments", description = "Holdout experiments: actions given with a random share held out, each arm's figures and the effect between them"),
    )
)]
struct ApiDoc;

/// What the API's handlers can extract: the store, and the read service for analytics.
#[derive(Clone, axum::extract::FromRef)]
pub struct RestState {
    pub db: Db,
    pub reads: ReadService,
}

/// The API's routes and its OpenAPI document, generated from the same registrations.
pub fn router<S: Clone + Send + Sync + 'static>(
    reads: ReadService,
) -> (axum::Router<S>, Arc<Document>) {
    let db = reads.db().clone();
    let (routes, mut doc) = OpenApiRouter::<RestState>::with_openapi(ApiDoc::openapi())
        .routes(routes!(customers::list, customers::create))
        .routes(routes!(customers::get, customers::patch))
        .routes(routes!(customers::get_by_ref, customers::upsert))
        .routes(routes!(replies::list, replies::create))
        .routes(routes!(replies::get))
        .routes(routes!(replies::set_sentiment, replies::clear_sentiment))
        .routes(routes!(actions::of_customer))
        .routes(routes!(incidents::list, incidents::create))
        .routes(routes!(incidents::get, incidents::patch))
        .routes(routes!(incidents::change_status))
        .routes(routes!(incidents::timeline, incidents::add_note))
        .routes(routes!(affected::list, affected::add))
        .routes(routes!(affected::remove))
        .routes(routes!(actions::of_incident, actions::give))
        .routes(routes!(analytics::report))
        .routes(routes!(experiments::list))
        .routes(routes!(experiments::get))
        .routes(routes!(imports::run))
        .split_for_parts();
    finish(&mut doc);
    let doc = Arc::new(doc);
    let json = Arc::new(doc.to_pretty_json().unwrap_or_default());
    let page = Arc::new(docs_page::render(&doc));
    let routes = routes
        .layer(axum::middleware::from_fn_with_state(
            db.clone(),
            idempotency::middleware,
        ))
        .layer(DefaultBodyLimit::max(body::MAX_BODY))
        .with_state(RestState { db, reads })
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let json = json.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        json.as_str().to_owned(),
                    )
                }
            }),
        )
        .route(
            "/api/docs",
            get(move || {
                let page = page.clone();
                async move { axum::response::Html(page.as_str().to_owned()) }
            }),
        );
    (routes, doc)
}

/// The answer for a path under `/api/v1` that does not exist.
pub async fn no_such_route() -> axum::response::Response {
    Problem::new(
        axum::http::StatusCode::NOT_FOUND,
        "There is no such API route; see /api/docs.",
    )
    .into_response()
}

/// What every operation shares, added to each so the document is complete: the sign-in
/// schemes, the error answers each kind of request can get, and `Idempotency-Key` on POST.
fn finish(doc: &mut Document) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "token",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("amends_<64 hex digits>")
                .description(Some("A personal API token, made on your account page."))
                .build(),
        ),
    );
    components.add_security_scheme(
        "session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            "amends_session",
            "The browser's session cookie (unsafe requests must also send a same-site Origin).",
        ))),
    );
    doc.security = Some(vec![
        utoipa::openapi::security::SecurityRequirement::new("token", Vec::<String>::new()),
        utoipa::openapi::security::SecurityRequirement::new("session", Vec::<String>::new()),
    ]);
    for item in doc.paths.paths.values_mut() {
        let ops = [
            (HttpMethod::Get, item.get.as_mut()),
            (HttpMethod::Post, item.post.as_mut()),
            (HttpMethod::Put, item.put.as_mut()),
            (HttpMethod::Patch, item.patch.as_mut()),
            (HttpMethod::Delete, item.delete.as_mut()),
        ];
        for (method, op) in ops {
            if let Some(op) = op {
                complete(method, op);
            }
        }
    }
}

fn complete(method: HttpMethod, op: &mut Operation) {
    let writes = !matches!(method, HttpMethod::Get);
    let has_body = op.request_body.is_some();
    let mut errors: Vec<(u16, &str)> = vec![
        (401, "No valid token or session (missing, malformed, unknown, expired or revoked: the answer does not say which)"),
        (422, "A parameter or member is not valid; `field` names it"),
        (429, "This token sent too many requests; see Retry-After"),
        (500, "Something went wrong on our side (logged)"),
        (503, "The database is not answering; see Retry-After"),
    ];
    if writes {
        errors.push((
            403,
            "A read token, or a viewer: changes need a write token of an editor or admin",
        ));
        errors.push((404, "No such record"));
    }
    // An import's body is a CSV file (its own 413/415 answers are declared with it), and
    // it is idempotent by its rows' keys instead of by Idempotency-Key.
    let csv = op.operation_id.as_deref() == Some("importCsv");
    if has_body && !csv {
        errors.push((400, "The body is not valid JSON"));
        errors.push((413, "The body is larger than 1 MiB"));
        errors.push((415, "The body is not `application/json`"));
    }
    if matches!(method, HttpMethod::Post) && !csv {
        errors.push((
            409,
            "A request with this Idempotency-Key is still being processed",
        ));
        let params = op.parameters.get_or_insert_with(Vec::new);
        params.push(
            ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .description(Some(
                    "Makes a retry safe: the same key with the same body replays the first answer; with another body it is refused (422). Kept for 24 hours.",
                ))
                .schema(Some(
                    utoipa::openapi::ObjectBuilder::new()
                        .schema_type(utoipa::openapi::Type::String)
                        .min_length(Some(1))
                        .max_length(Some(255)),
                ))
                .build(),
        );
    }
    // Answers described only by their body get their status's name.
    for (status, response) in op.responses.responses.iter_mut() {
        if let utoipa::openapi::RefOr::T(r) = response {
            if r.description.is_empty() {
                r.description = status
                    .parse::<u16>()
                    .ok()
                    .and_then(|s| axum::http::StatusCode::from_u16(s).ok())
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("Done")
                    .to_string();
            }
        }
    }
    for (status, description) in errors {
        let key = status.to_string();
        if op.responses.responses.contains_key(&key) {
            continue;
        }
        let response = ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build();
        op.responses.responses.insert(key, response.into());
    }
}
