//! `/api/v1/customers`: list, get (by id or ref), create, patch, and the upsert by ref that a
//! CRM or billing sync runs nightly. Input goes through the customer form's own validation.

use super::body::Body;
use super::caller::{Reader, Writer};
use super::concurrency::{claimed, if_match, version_to_claim, with_etag};
use super::extract::{Path, Query};
use super::paging::{respond, Listed, Paging};
use super::problem::Problem;
use super::values::{instant, instant_opt, parse_instant, Amount};
use crate::store::customer_sync::{CustomerFilter, Upserted};
use crate::store::Db;
use app::domain::customer::{sees_emails, CustomerDraft, CustomerForm};
use app::domain::when::now_ms;
use app::domain::{CustomerRow, Role};
use app::store::Store;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A customer.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Customer {
    pub id: i64,
    /// Their id in your own systems (unique).
    pub external_ref: String,
    pub name: String,
    /// Viewers see it masked (`a…@example.com`).
    pub email: Option<String>,
    pub plan: String,
    pub monthly_revenue: Amount,
    /// When they signed up.
    pub signed_up_at: String,
    /// When they churned; `null` while they are a customer.
    pub churned_at: Option<String>,
    /// How many incidents hit them.
    pub incidents: i64,
    /// Bumped by every change; the `ETag` of a single customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

impl Customer {
    fn of(row: CustomerRow, version: Option<i64>, role: Role) -> Self {
        let row = row.for_role(role);
        Customer {
            id: row.id,
            external_ref: row.external_ref,
            name: row.name,
            email: row.email,
            plan: row.plan,
            monthly_revenue: Amount::from(&row.monthly_revenue),
            signed_up_at: instant(row.signed_up_at),
            churned_at: instant_opt(row.churned_at),
            incidents: row.incidents,
            version,
        }
    }
}

/// The customer list's filters.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerQuery {
    /// Part of a ref, name or email (case-insensitive), up to 200 characters. Callers who
    /// see addresses masked (viewers, read tokens) search refs and names only.
    pub search: Option<String>,
    /// Exactly this plan.
    pub plan: Option<String>,
    /// `true`: only churned customers; `false`: only current ones.
    #[param(value_type = Option<bool>)]
    pub churned: Option<String>,
}

/// A new customer.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCustomer {
    /// Their id in your own systems: one word, up to 200 characters, unique.
    pub external_ref: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// Default `unknown`.
    #[serde(default)]
    pub plan: Option<String>,
    /// Default zero in USD.
    #[serde(default)]
    pub monthly_revenue: Option<Amount>,
    /// An RFC 3339 instant, or a date (`2026-01-31`, its UTC midnight).
    pub signed_up_at: String,
    /// When they churned, if they have.
    #[serde(default)]
    pub churned_at: Option<String>,
}

/// A customer's fields, as a sync sends them (the ref is in the path).
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerFields {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// Default `unknown`.
    #[serde(default)]
    pub plan: Option<String>,
    /// Default zero in USD.
    #[serde(default)]
    pub monthly_revenue: Option<Amount>,
    /// An RFC 3339 instant, or a date (`2026-01-31`, its UTC midnight).
    pub signed_up_at: String,
    /// When they churned; `null` or absent: they are a customer. On upsert, absent leaves
    /// churn as it is and `null` reactivates.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub churned_at: Option<Option<String>>,
}

/// A change to some of a customer's fields; what is absent stays. `email: null` removes the
/// address, `churned_at: null` reactivates.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerPatch {
    pub external_ref: Option<String>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    pub plan: Option<String>,
    pub monthly_revenue: Option<Amount>,
    pub signed_up_at: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub churned_at: Option<Option<String>>,
}

/// What an upsert did, and the customer now.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CustomerUpserted {
    /// `created`, `updated` or `unchanged`.
    pub outcome: String,
    pub customer: Customer,
}

/// Absent → `None`; `null` → `Some(None)`; a value → `Some(Some(v))`.
pub fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

fn date_of(field: &str, s: &str) -> Result<String, Problem> {
    let ms = parse_instant(field, s)?;
    Ok(instant(ms)[..10].to_string())
}

fn churn_of(v: &Option<String>) -> Result<Option<i64>, Problem> {
    let Some(s) = v else { return Ok(None) };
    let at = parse_instant("churned_at", s)?;
    if at > now_ms() {
        return Err(Problem::invalid(
            "churned_at",
            "A churn date cannot be in the future.",
        ));
    }
    Ok(Some(at))
}

fn draft(external_ref: String, f: &CustomerFields) -> Result<CustomerDraft, Problem> {
    let revenue = f.monthly_revenue.clone();
    // The form takes a day; an instant sent here is kept to the millisecond.
    let signed_up_at = parse_instant("signed_up_at", &f.signed_up_at)?;
    let mut d = CustomerForm {
        external_ref,
        name: f.name.clone().unwrap_or_default(),
        email: f.email.clone().unwrap_or_default(),
        plan: f.plan.clone().unwrap_or_default(),
        monthly_revenue: revenue
            .as_ref()
            .map(|a| a.amount.clone())
            .unwrap_or_default(),
        currency: revenue.map(|a| a.currency).unwrap_or_default(),
        signed_up_at: date_of("signed_up_at", &f.signed_up_at)?,
    }
    .parse()?;
    d.signed_up_at = signed_up_at;
    Ok(d)
}

/// One customer as the API answers it. Also the answer to a change already made, so it is
/// read through a restarting database rather than answered 503 (and retried into a double).
async fn load(db: &Db, id: i64, role: Role) -> Result<Response, Problem> {
    let d = crate::store::retry::when_unavailable(|| db.customer(id))
        .await?
        .ok_or_else(|| Problem::not_found("customer"))?;
    let version = d.version;
    Ok(with_etag(
        Json(Customer::of(d.customer, Some(version), role)).into_response(),
        version,
    ))
}

async fn id_of_ref(db: &Db, external_ref: &str) -> Result<i64, Problem> {
    db.customer_id_by_ref(external_ref)
        .await?
        .ok_or_else(|| Problem::not_found("customer"))
}

/// List customers, by id.
#[utoipa::path(get, operation_id = "listCustomers", path = "/api/v1/customers", tag = "customers",
    params(CustomerQuery, Paging),
    responses((status = 200, body = Listed<Customer>, description = "One page of customers",
        headers(("Link" = String, description = "`<…>; rel=\"next\"` while there is a next page")))))]
pub async fn list(
    Reader(me): Reader,
    State(db): State<Db>,
    uri: Uri,
    Query(q): Query<CustomerQuery>,
    Query(paging): Query<Paging>,
) -> Result<Response, Problem> {
    let search = q
        .search
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if search.as_ref().is_some_and(|s| s.chars().count() > 200) {
        return Err(Problem::invalid(
            "search",
            "search is limited to 200 characters.",
        ));
    }
    let filter = CustomerFilter {
        search,
        plan: q
            .plan
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty()),
        churned: match q.churned.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(_) => {
                return Err(Problem::invalid(
                    "churned",
                    "churned must be true or false.",
                ))
            }
        },
        search_email: sees_emails(me.role),
        by_name: false,
    };
    let page = db.customers_page(&filter, paging.request()?).await?;
    Ok(respond(&uri, page, |c| Customer::of(c, None, me.role)))
}

/// One customer.
#[utoipa::path(get, operation_id = "getCustomer", path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = i64, Path, description = "The customer's id")),
    responses((status = 200, body = Customer, headers(("ETag" = String, description = "The version, for If-Match"))),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such customer")))]
pub async fn get(
    Reader(me): Reader,
    State(db): State<Db>,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    load(&db, id, me.role).await
}

/// One customer, by their ref in your systems.
#[utoipa::path(get, operation_id = "getCustomerByRef", path = "/api/v1/customers/by-ref/{ref}", tag = "customers",
    params(("ref" = String, Path, description = "The customer's external ref")),
    responses((status = 200, body = Customer, headers(("ETag" = String, description = "The version, for If-Match"))),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such customer")))]
pub async fn get_by_ref(
    Reader(me): Reader,
    State(db): State<Db>,
    Path(external_ref): Path<String>,
) -> Result<Response, Problem> {
    let id = id_of_ref(&db, &external_ref).await?;
    load(&db, id, me.role).await
}

/// Create a customer.
#[utoipa::path(post, operation_id = "createCustomer", path = "/api/v1/customers", tag = "customers",
    request_body = NewCustomer,
    responses((status = 201, body = Customer, headers(("Location" = String), ("ETag" = String))),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "A customer already has this ref")))]
pub async fn create(
    Writer(me): Writer,
    State(db): State<Db>,
    Body(input): Body<NewCustomer>,
) -> Result<Response, Problem> {
    let fields = CustomerFields {
        name: input.name,
        email: input.email,
        plan: input.plan,
        monthly_revenue: input.monthly_revenue,
        signed_up_at: input.signed_up_at,
        churned_at: None,
    };
    let d = draft(input.external_ref, &fields)?;
    let churn = churn_of(&input.churned_at)?;
    if db.customer_id_by_ref(&d.external_ref).await?.is_some() {
        return Err(Problem::field(
            StatusCode::CONFLICT,
            "external_ref",
            "A customer already has this ref: change them with PUT /api/v1/customers/by-ref/{ref}.",
        ));
    }
    let (id, _) = db
        .upsert_customer(&d, Some(churn), me.id, now_ms())
        .await
        .map_err(|e| churn_field(e.into()))?;
    let mut res = load(&db, id, me.role).await?;
    *res.status_mut() = StatusCode::CREATED;
    if let Ok(v) = format!("/api/v1/customers/{id}").parse() {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// Create or update the customer with this ref (the nightly sync). Fields that are absent
/// get their defaults, as on create; `churned_at` absent leaves churn as it is.
#[utoipa::path(put, operation_id = "upsertCustomerByRef", path = "/api/v1/customers/by-ref/{ref}", tag = "customers",
    params(("ref" = String, Path, description = "The customer's external ref")),
    request_body = CustomerFields,
    responses((status = 200, body = CustomerUpserted, description = "Updated, or already as sent"),
        (status = 201, body = CustomerUpserted, description = "Created")))]
pub async fn upsert(
    Writer(me): Writer,
    State(db): State<Db>,
    Path(external_ref): Path<String>,
    Body(fields): Body<CustomerFields>,
) -> Result<Response, Problem> {
    let d = draft(external_ref, &fields)?;
    let churn = match &fields.churned_at {
        None => None,
        Some(v) => Some(churn_of(v)?),
    };
    let (id, outcome) = db
        .upsert_customer(&d, churn, me.id, now_ms())
        .await
        .map_err(|e| churn_field(e.into()))?;
    let detail = db
        .customer(id)
        .await?
        .ok_or_else(|| Problem::not_found("customer"))?;
    let version = detail.version;
    let body = CustomerUpserted {
        outcome: match outcome {
            Upserted::Created => "created",
            Upserted::Updated => "updated",
            Upserted::Unchanged => "unchanged",
        }
        .into(),
        customer: Customer::of(detail.customer, Some(version), me.role),
    };
    let status = if outcome == Upserted::Created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(with_etag((status, Json(body)).into_response(), version))
}

/// Change some of a customer's fields, churn included, as one change.
#[utoipa::path(patch, operation_id = "patchCustomer", path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = i64, Path, description = "The customer's id"),
        ("If-Match" = String, Header, description = "The ETag of the version you changed")),
    request_body = CustomerPatch,
    responses((status = 200, body = Customer, headers(("ETag" = String))),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such customer"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "The customer changed since that ETag"),
        (status = 428, body = Problem, content_type = "application/problem+json", description = "If-Match is missing")))]
pub async fn patch(
    Writer(me): Writer,
    State(db): State<Db>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Body(p): Body<CustomerPatch>,
) -> Result<Response, Problem> {
    let pre = if_match(&headers, true)?;
    let current = db
        .customer(id)
        .await?
        .ok_or_else(|| Problem::not_found("customer"))?;
    let version = version_to_claim(pre, current.version)?;
    let c = &current.customer;
    let changes_fields = p.external_ref.is_some()
        || p.name.is_some()
        || p.email.is_some()
        || p.plan.is_some()
        || p.monthly_revenue.is_some()
        || p.signed_up_at.is_some();
    let fields = if changes_fields {
        let revenue = p
            .monthly_revenue
            .clone()
            .unwrap_or(Amount::from(&c.monthly_revenue));
        let form = CustomerForm {
            external_ref: p.external_ref.clone().unwrap_or(c.external_ref.clone()),
            name: p.name.clone().unwrap_or(c.name.clone()),
            email: match &p.email {
                None => c.email.clone().unwrap_or_default(),
                Some(e) => e.clone().unwrap_or_default(),
            },
            plan: p.plan.clone().unwrap_or(c.plan.clone()),
            monthly_revenue: revenue.amount,
            currency: revenue.currency,
            signed_up_at: match &p.signed_up_at {
                Some(s) => date_of("signed_up_at", s)?,
                None => instant(c.signed_up_at)[..10].to_string(),
            },
        };
        let mut d = form.parse()?;
        d.signed_up_at = match &p.signed_up_at {
            Some(s) => parse_instant("signed_up_at", s)?,
            None => c.signed_up_at,
        };
        Some(d)
    } else {
        None
    };
    let churn = match &p.churned_at {
        None => None,
        Some(v) => Some(churn_of(v)?),
    };
    // A patch that changes nothing writes nothing (and keeps the version).
    let current_draft = CustomerDraft {
        external_ref: c.external_ref.clone(),
        name: c.name.clone(),
        email: c.email.clone(),
        plan: c.plan.clone(),
        monthly_revenue: c.monthly_revenue.clone(),
        signed_up_at: c.signed_up_at,
    };
    let fields = fields.filter(|d| *d != current_draft);
    let churn = churn.filter(|at| *at != c.churned_at);
    if fields.is_none() && churn.is_none() {
        return load(&db, id, me.role).await;
    }
    let written = db
        .patch_customer(id, version, fields.as_ref(), churn, me.id, now_ms())
        .await;
    claimed(written).map_err(churn_field)?;
    load(&db, id, me.role).await
}

/// The churn rule's field is `at` on the page; here it is `churned_at`.
fn churn_field(mut p: Problem) -> Problem {
    if p.field.as_deref() == Some("at") {
        p.field = Some("churned_at".into());
    }
    p
}
