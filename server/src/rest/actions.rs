//! Recovery actions: give one to a selection of an incident's affected customers (the page's
//! choices) or to named customers, all or nothing; list them per incident and per customer.

use super::body::Body;
use super::caller::{Reader, Writer};
use super::extract::{Path, Query};
use super::paging::{respond, Listed, Paging};
use super::problem::Problem;
use super::values::{form_time, instant, parse_instant, Amount};
use crate::store::case_lists::Record;
use crate::store::Db;
use app::domain::action::{ActionForm, ActionTarget, MAX_NAMED};
use app::domain::experiment::Holdout;
use app::domain::when::now_ms;
use app::domain::ActionRow;
use app::store::Store;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A recovery action given to one customer for one incident.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Action {
    pub id: i64,
    pub incident_id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    /// `credit`, `refund`, `gift`, `apology`, `proactive_contact`, `discount` or `other`.
    #[schema(schema_with = super::values::codes::action_kind)]
    pub kind: String,
    /// What it is worth to the customer.
    pub value: Amount,
    /// What it cost the company.
    pub cost: Amount,
    /// `email`, `phone`, `chat`, `in_app` or `mail`.
    #[schema(schema_with = super::values::codes::channel)]
    pub channel: String,
    pub note: String,
    pub given_at: String,
}

impl From<ActionRow> for Action {
    fn from(a: ActionRow) -> Self {
        Action {
            id: a.id,
            incident_id: a.incident_id,
            customer_id: a.customer_id,
            customer_name: a.customer_name,
            kind: a.kind.code().into(),
            value: Amount::from(&a.value),
            cost: Amount::from(&a.cost),
            channel: a.channel.code().into(),
            note: a.note,
            given_at: instant(a.given_at),
        }
    }
}

/// An action to give. Choose who gets it with `to`, or name them with `customer_ids`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Giving {
    /// `all`, `uncontacted` (given nothing yet), `without_kind` (not given this kind yet) or
    /// `active` (not churned). Leave it out when naming customers.
    #[serde(default)]
    #[schema(schema_with = super::values::codes::target)]
    pub to: Option<String>,
    /// These affected customers (up to 5,000); each must be affected by the incident.
    #[serde(default)]
    pub customer_ids: Option<Vec<i64>>,
    #[schema(schema_with = super::values::codes::action_kind)]
    pub kind: String,
    /// Default zero. Value and cost must share a currency.
    #[serde(default)]
    pub value: Option<Amount>,
    #[serde(default)]
    pub cost: Option<Amount>,
    #[schema(schema_with = super::values::codes::channel)]
    pub channel: String,
    /// A note; may use `{name}`, `{first_name}`, `{incident}` and `{credit}`.
    #[serde(default)]
    pub note: Option<String>,
    /// RFC 3339; default now.
    #[serde(default)]
    pub given_at: Option<String>,
    /// Hold out a share of the selected customers at random: a holdout experiment.
    #[serde(default)]
    pub holdout: Option<HoldoutSpec>,
    /// With a `holdout`: only say how many would get it and how many would be held out
    /// (200), changing nothing.
    #[serde(default)]
    pub preview: Option<bool>,
}

/// A random holdout: the held-out customers get nothing from this action, or only the
/// `control` action (with no value and no cost).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldoutSpec {
    /// Whole per cent of the selected customers held out, 1 to 50 (rounded half up; both
    /// arms must have someone).
    pub share_percent: u32,
    /// What the held-out customers get instead; default nothing.
    #[serde(default)]
    #[schema(schema_with = super::values::codes::action_kind)]
    pub control: Option<String>,
    /// The draw's seed as decimal text (0 to 18446744073709551615), to redraw an
    /// experiment exactly; default a fresh random one.
    #[serde(default)]
    pub seed: Option<String>,
}

/// How many customers received it; with a holdout, how many were held out and the
/// experiment it started.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Given {
    pub given: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_out: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub experiment_id: Option<i64>,
    /// The draw's seed as decimal text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<String>,
}

/// What giving with a holdout would do.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct HoldoutPreviewBody {
    pub selected: u64,
    /// Would get the action.
    pub given: u64,
    pub held_out: u64,
    /// "412 will get credit, 46 are held out and get nothing from it."
    pub summary: String,
}

/// Give one recovery action to each selected affected customer, all or nothing.
#[utoipa::path(post, operation_id = "giveActions", path = "/api/v1/incidents/{id}/actions", tag = "recovery actions",
    params(("id" = i64, Path, description = "The incident's number")),
    request_body = Giving,
    responses((status = 201, body = Given),
        (status = 200, body = HoldoutPreviewBody, description = "With `preview`: what it would do")))]
pub async fn give(
    Writer(me): Writer,
    State(db): State<Db>,
    Path(id): Path<i64>,
    Body(g): Body<Giving>,
) -> Result<Response, Problem> {
    let target =
        match (&g.to, g.customer_ids) {
            (Some(_), Some(_)) | (None, None) => return Err(Problem::invalid(
                "to",
                "Choose who receives it with `to`, or name them with `customer_ids` (not both).",
            )),
            (Some(to), None) if to.starts_with("customer:") => {
                return Err(Problem::invalid(
                    "to",
                    "Name customers with `customer_ids`.",
                ))
            }
            (Some(to), None) => ActionTarget::parse(to).map_err(|_| {
                Problem::invalid("to", "to must be all, uncontacted, without_kind or active.")
            })?,
            (None, Some(ids)) => {
                if ids.is_empty() || ids.len() > MAX_NAMED {
                    return Err(Problem::invalid(
                        "customer_ids",
                        format!("Name between 1 and {MAX_NAMED} customers."),
                    ));
                }
                let mut ids = ids;
                ids.sort_unstable();
                ids.dedup();
                ActionTarget::Customers(ids)
            }
        };
    let given_at = g.given_at.clone();
    let currency = match (&g.value, &g.cost) {
        (Some(v), Some(c)) if !v.currency.eq_ignore_ascii_case(&c.currency) => {
            return Err(Problem::invalid(
                "cost",
                "value and cost must be in the same currency.",
            ))
        }
        (Some(a), _) | (None, Some(a)) => a.currency.clone(),
        (None, None) => "USD".into(),
    };
    let form = ActionForm {
        kind: g.kind,
        value: g.value.map(|a| a.amount).unwrap_or_default(),
        cost: g.cost.map(|a| a.amount).unwrap_or_default(),
        currency,
        channel: g.channel,
        note: g.note.unwrap_or_default(),
        given_at: match &given_at {
            Some(s) => form_time(parse_instant("given_at", s)?),
            None => String::new(),
        },
    };
    let mut draft = form.parse(now_ms())?;
    if let Some(s) = &given_at {
        draft.given_at = parse_instant("given_at", s)?;
    }
    let named = matches!(target, ActionTarget::Customers(_));
    // The form's fields are `target` and `holdout`; here they are `to` or `customer_ids`,
    // and `holdout.share_percent`.
    let rename = |mut p: Problem| {
        match p.field.as_deref() {
            Some("target") => p.field = Some(if named { "customer_ids" } else { "to" }.into()),
            Some("holdout") => p.field = Some("holdout.share_percent".into()),
            Some("control") => p.field = Some("holdout.control".into()),
            _ => {}
        }
        p
    };
    let Some(spec) = g.holdout else {
        if g.preview == Some(true) {
            return Err(Problem::invalid("preview", "A preview needs a holdout."));
        }
        let given = db
            .give_actions(id, &target, &draft, me.id)
            .await
            .map_err(|e| rename(e.into()))?;
        return Ok((
            StatusCode::CREATED,
            Json(Given {
                given,
                held_out: None,
                experiment_id: None,
                seed: None,
            }),
        )
            .into_response());
    };
    if spec.share_percent == 0 {
        return Err(Problem::invalid(
            "holdout.share_percent",
            "Hold out a whole per cent from 1 to 50, or leave `holdout` out.",
        ));
    }
    let holdout = Holdout::parse(
        &spec.share_percent.to_string(),
        spec.control.as_deref().unwrap_or(""),
        draft.kind,
    )
    .map_err(|e| rename(e.into()))?
    .ok_or_else(|| Problem::invalid("holdout.share_percent", "Hold out at least 1 %."))?;
    let seed = match spec.seed.as_deref() {
        None => None,
        Some(s) => Some(s.parse::<u64>().map_err(|_| {
            Problem::invalid(
                "holdout.seed",
                "The seed is a whole number from 0 to 18446744073709551615, as text.",
            )
        })?),
    };
    if g.preview == Some(true) {
        let p = db
            .preview_holdout(id, &target, draft.kind, &holdout)
            .await
            .map_err(|e| rename(e.into()))?;
        return Ok((
            StatusCode::OK,
            Json(HoldoutPreviewBody {
                selected: p.selected,
                given: p.treated,
                held_out: p.held_out,
                summary: p.sentence(),
            }),
        )
            .into_response());
    }
    let started = db
        .give_with_holdout(id, &target, &draft, &holdout, seed, me.id)
        .await
        .map_err(|e| rename(e.into()))?;
    Ok((
        StatusCode::CREATED,
        Json(Given {
            given: started.treated as usize,
            held_out: Some(started.held_out),
            experiment_id: Some(started.experiment_id),
            seed: Some(started.seed.to_string()),
        }),
    )
        .into_response())
}

/// The recovery actions given for an incident, in the order they were given.
#[utoipa::path(get, operation_id = "listIncidentActions", path = "/api/v1/incidents/{id}/actions", tag = "recovery actions",
    params(("id" = i64, Path, description = "The incident's number"), Paging),
    responses((status = 200, body = Listed<Action>, description = "One page of actions",
        headers(("Link" = String, description = "`<…>; rel=\"next\"` while there is a next page"))),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such incident")))]
pub async fn of_incident(
    _reader: Reader,
    State(db): State<Db>,
    uri: Uri,
    Path(id): Path<i64>,
    Query(paging): Query<Paging>,
) -> Result<Response, Problem> {
    listed(&db, &uri, &paging, Record::Incident, id).await
}

/// The recovery actions a customer was given, across incidents.
#[utoipa::path(get, operation_id = "listCustomerActions", path = "/api/v1/customers/{id}/actions", tag = "recovery actions",
    params(("id" = i64, Path, description = "The customer's id"), Paging),
    responses((status = 200, body = Listed<Action>, description = "One page of actions",
        headers(("Link" = String, description = "`<…>; rel=\"next\"` while there is a next page"))),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such customer")))]
pub async fn of_customer(
    _reader: Reader,
    State(db): State<Db>,
    uri: Uri,
    Path(id): Path<i64>,
    Query(paging): Query<Paging>,
) -> Result<Response, Problem> {
    listed(&db, &uri, &paging, Record::Customer, id).await
}

/// One page of the actions of an incident or a customer (404 when there is no such one).
async fn listed(
    db: &Db,
    uri: &Uri,
    paging: &Paging,
    of: Record,
    id: i64,
) -> Result<Response, Problem> {
    let page = paging.request()?;
    if !db.exists(of, id).await? {
        return Err(Problem::not_found(of.noun()));
    }
    let (incident, customer) = match of {
        Record::Incident => (Some(id), None),
        Record::Customer => (None, Some(id)),
    };
    let page = db.actions_page(incident, customer, page).await?;
    Ok(respond(uri, page, Action::from))
}
