//! `/api/v1/incidents/{id}/affected`: mark customers affected by ref or email (with the same
//! outcome report as the page's preview), list them, remove one.

use super::body::Body;
use super::caller::{Reader, Writer};
use super::extract::{Path, Query};
use super::paging::{respond, Listed, Paging};
use super::problem::Problem;
use super::values::{instant, instant_opt};
use crate::store::Db;
use app::domain::affected::{parse_list, AffectedPreview, PreviewLine, MAX_LINES};
use app::domain::{AffectedRow, AffectedSource};
use app::store::Store;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A customer an incident hit.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Affected {
    pub customer_id: i64,
    pub external_ref: String,
    pub name: String,
    pub plan: String,
    /// How they were marked: `manual`, `import` or `api`.
    #[schema(schema_with = super::values::codes::source)]
    pub source: String,
    pub added_at: String,
    pub churned_at: Option<String>,
}

impl From<AffectedRow> for Affected {
    fn from(a: AffectedRow) -> Self {
        Affected {
            customer_id: a.customer_id,
            external_ref: a.external_ref,
            name: a.name,
            plan: a.plan,
            source: a.source.code().into(),
            added_at: instant(a.added_at),
            churned_at: instant_opt(a.churned_at),
        }
    }
}

/// Customers to mark affected.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AffectedList {
    /// Refs or email addresses (an entry with `@` is an email), up to 5,000. Unknown refs
    /// become new customers.
    pub customers: Vec<String>,
    /// Report what would happen and change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// One entry of the report.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AffectedLine {
    /// The entry's position in `customers`, from 1.
    pub entry: usize,
    pub text: String,
    /// The matched customer's name, or what a new customer will be called.
    pub customer: String,
    pub note: String,
}

impl From<PreviewLine> for AffectedLine {
    fn from(p: PreviewLine) -> Self {
        AffectedLine {
            entry: p.line,
            text: p.text,
            customer: p.customer,
            note: p.note,
        }
    }
}

/// What marking the list did (or, on a dry run, would do).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AffectedReport {
    pub dry_run: bool,
    /// Existing customers now marked.
    pub matched: Vec<AffectedLine>,
    /// Refs and addresses no customer has: new customers, created and marked (an address
    /// becomes both the new customer's ref and e-mail).
    pub created: Vec<AffectedLine>,
    /// Already marked for this incident; left as they were.
    pub already: Vec<AffectedLine>,
    /// The same customer named again later in the list.
    pub duplicate: Vec<AffectedLine>,
    /// Entries that cannot name a customer (not a ref or an address), left out.
    pub malformed: Vec<AffectedLine>,
    /// How many customers were linked (0 on a dry run).
    pub linked: usize,
}

fn lines(v: Vec<PreviewLine>) -> Vec<AffectedLine> {
    v.into_iter()
        .map(|mut p| {
            // The page speaks of lines; here they are entries of `customers`.
            p.note = p.note.replace("line ", "entry ");
            AffectedLine::from(p)
        })
        .collect()
}

/// The incident's affected customers, by customer id.
#[utoipa::path(get, operation_id = "listAffected", path = "/api/v1/incidents/{id}/affected", tag = "affected customers",
    params(("id" = i64, Path, description = "The incident's number"), Paging),
    responses((status = 200, body = Listed<Affected>, description = "One page of affected customers",
        headers(("Link" = String, description = "`<…>; rel=\"next\"` while there is a next page"))),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such incident")))]
pub async fn list(
    _reader: Reader,
    State(db): State<Db>,
    uri: Uri,
    Path(id): Path<i64>,
    Query(paging): Query<Paging>,
) -> Result<Response, Problem> {
    let page = db.affected_page(id, paging.request()?).await?;
    Ok(respond(&uri, page, Affected::from))
}

/// Mark customers affected, all in one transaction. The report sorts every entry as the
/// page's preview does.
#[utoipa::path(post, operation_id = "addAffected", path = "/api/v1/incidents/{id}/affected", tag = "affected customers",
    params(("id" = i64, Path, description = "The incident's number")),
    request_body = AffectedList,
    responses((status = 200, body = AffectedReport)))]
pub async fn add(
    Writer(me): Writer,
    State(db): State<Db>,
    Path(id): Path<i64>,
    Body(list): Body<AffectedList>,
) -> Result<Response, Problem> {
    if list.customers.is_empty() {
        return Err(Problem::invalid("customers", "Name at least one customer."));
    }
    if list.customers.len() > MAX_LINES {
        return Err(Problem::invalid(
            "customers",
            format!("At most {MAX_LINES} customers at once; send the rest in another request."),
        ));
    }
    if let Some(i) = list
        .customers
        .iter()
        .position(|c| c.chars().count() > 254 || c.contains([',', ';', '\n', '\r']))
    {
        return Err(Problem::invalid(
            &format!("customers[{i}]"),
            "Each entry is one ref or email address (no commas, semicolons or line breaks), up to 254 characters.",
        ));
    }
    let parsed =
        parse_list(&list.customers.join("\n")).map_err(|m| Problem::invalid("customers", m))?;
    let preview: AffectedPreview = db.preview_affected(id, &parsed).await?;
    let linked = if list.dry_run {
        0
    } else {
        db.confirm_affected(id, &parsed, AffectedSource::Api, me.id)
            .await?
            .linked
    };
    let report = AffectedReport {
        dry_run: list.dry_run,
        matched: lines(preview.matched),
        created: lines(preview.unknown)
            .into_iter()
            .map(|mut l| {
                l.note = if list.dry_run {
                    "new customer, created when sent without dry_run".into()
                } else {
                    "new customer, created".into()
                };
                l
            })
            .collect(),
        already: lines(preview.already),
        duplicate: lines(preview.duplicates),
        malformed: lines(preview.malformed),
        linked,
    };
    Ok(Json(report).into_response())
}

/// Unmark a customer (their recovery actions for this incident go with the link).
#[utoipa::path(delete, operation_id = "removeAffected", path = "/api/v1/incidents/{id}/affected/{customer_id}", tag = "affected customers",
    params(("id" = i64, Path, description = "The incident's number"),
        ("customer_id" = i64, Path, description = "The customer's id")),
    responses((status = 204, description = "Removed")))]
pub async fn remove(
    Writer(me): Writer,
    State(db): State<Db>,
    Path((id, customer)): Path<(i64, i64)>,
) -> Result<StatusCode, Problem> {
    db.remove_affected(id, customer, me.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
