//! `/api/v1/replies`: log a customer's reply (scored with VADER as it is saved, the score in
//! the answer), list them with the reply page's filters, and set or clear a correction.

use super::body::Body;
use super::caller::{Reader, Writer};
use super::extract::{Path, Query};
use super::paging::{respond, Listed, Paging};
use super::problem::Problem;
use super::values::{form_time, instant, parse_instant};
use crate::store::Db;
use app::domain::reply::{parse_override, ReplyForm, ReplyQuery};
use app::domain::when::now_ms;
use app::domain::{ReplyRow, SentimentLabel};
use app::store::Store;
use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A reply's sentiment: VADER's compound score, a person's correction, and the one that
/// counts.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Sentiment {
    /// VADER compound score in [−1, 1], scored when the reply was saved.
    pub auto: f64,
    /// A person's correction, when there is one.
    pub manual: Option<f64>,
    pub override_reason: Option<String>,
    /// The correction when there is one, else the automatic score.
    pub effective: f64,
    /// `positive` (≥ 0.05), `negative` (≤ −0.05) or `neutral`.
    #[schema(schema_with = super::values::codes::sentiment_label)]
    pub label: String,
}

/// A customer's reply.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Reply {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub incident_id: Option<i64>,
    pub incident_title: Option<String>,
    /// `email`, `phone`, `chat`, `in_app` or `mail`.
    #[schema(schema_with = super::values::codes::channel)]
    pub channel: String,
    pub received_at: String,
    pub body: String,
    /// 1–5, when the customer gave one.
    pub csat: Option<i64>,
    pub sentiment: Sentiment,
}

impl From<ReplyRow> for Reply {
    fn from(r: ReplyRow) -> Self {
        let effective = r.effective_sentiment();
        Reply {
            id: r.id,
            customer_id: r.customer_id,
            customer_name: r.customer_name,
            incident_id: r.incident_id,
            incident_title: r.incident_title,
            channel: r.channel.code().into(),
            received_at: instant(r.received_at),
            body: r.body,
            csat: r.csat,
            sentiment: Sentiment {
                auto: r.sentiment_auto,
                manual: r.sentiment_manual,
                override_reason: r.override_reason,
                effective,
                label: SentimentLabel::of(effective).code().into(),
            },
        }
    }
}

/// A reply to log. Name the customer by exactly one of `customer_id`, `customer_ref` or
/// `customer_email`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReply {
    pub customer_id: Option<i64>,
    pub customer_ref: Option<String>,
    pub customer_email: Option<String>,
    /// The incident it answers, if any.
    pub incident_id: Option<i64>,
    /// `email`, `phone`, `chat`, `in_app` or `mail`.
    #[schema(schema_with = super::values::codes::channel)]
    pub channel: String,
    /// When it arrived (RFC 3339); default now.
    pub received_at: Option<String>,
    /// 1–5.
    pub csat: Option<i64>,
    /// What they wrote, up to 10,000 characters.
    pub body: String,
}

/// A person's correction of a reply's score.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SentimentCorrection {
    /// In [−1, 1].
    pub score: f64,
    /// Why, up to 1,000 characters.
    pub reason: String,
}

/// The reply list's filters.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReplyListQuery {
    /// `positive`, `neutral` or `negative` (the effective score).
    pub sentiment: Option<String>,
    /// Replies linked to this incident.
    #[param(value_type = Option<i64>)]
    pub incident: Option<String>,
    /// Replies from this customer.
    #[param(value_type = Option<i64>)]
    pub customer: Option<String>,
    /// Replies of cases given this kind of action.
    pub action: Option<String>,
    /// Received on or after this date (`2026-11-01`).
    pub from: Option<String>,
    /// Received on or before this date.
    pub to: Option<String>,
}

/// List replies, newest first.
#[utoipa::path(get, operation_id = "listReplies", path = "/api/v1/replies", tag = "replies",
    params(ReplyListQuery, Paging),
    responses((status = 200, body = Listed<Reply>, description = "One page of replies",
        headers(("Link" = String, description = "`<…>; rel=\"next\"` while there is a next page")))))]
pub async fn list(
    _reader: Reader,
    State(db): State<Db>,
    uri: Uri,
    Query(q): Query<ReplyListQuery>,
    Query(paging): Query<Paging>,
) -> Result<Response, Problem> {
    let customer = match q
        .customer
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => None,
        Some(c) => Some(
            c.parse::<i64>()
                .map_err(|_| Problem::invalid("customer", "customer must be a customer's id."))?,
        ),
    };
    let query = ReplyQuery {
        sentiment: q.sentiment,
        incident: q.incident,
        action: q.action,
        from: q.from,
        to: q.to,
    };
    let mut filter = query.parse().map_err(|e| {
        // The page's parser says what is wrong; find which parameter by asking about each.
        let alone = |q: ReplyQuery| q.parse().is_err();
        let d = ReplyQuery::default;
        let field = [
            (
                "sentiment",
                alone(ReplyQuery {
                    sentiment: query.sentiment.clone(),
                    ..d()
                }),
            ),
            (
                "incident",
                alone(ReplyQuery {
                    incident: query.incident.clone(),
                    ..d()
                }),
            ),
            (
                "action",
                alone(ReplyQuery {
                    action: query.action.clone(),
                    ..d()
                }),
            ),
            (
                "from",
                alone(ReplyQuery {
                    from: query.from.clone(),
                    ..d()
                }),
            ),
        ]
        .into_iter()
        .find(|(_, bad)| *bad)
        .map_or("to", |(f, _)| f);
        super::problem::named(e.into(), field)
    })?;
    filter.customer_id = customer;
    let page = db.list_replies(&filter, paging.request()?).await?;
    Ok(respond(&uri, page, Reply::from))
}

/// One reply.
#[utoipa::path(get, operation_id = "getReply", path = "/api/v1/replies/{id}", tag = "replies",
    params(("id" = i64, Path, description = "The reply's id")),
    responses((status = 200, body = Reply),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such reply")))]
pub async fn get(
    _reader: Reader,
    State(db): State<Db>,
    Path(id): Path<i64>,
) -> Result<Json<Reply>, Problem> {
    load(&db, id).await.map(Json)
}

/// One reply as the API answers it. Also the answer to a change already made, so it is read
/// through a restarting database rather than answered 503 (and retried into a double).
async fn load(db: &Db, id: i64) -> Result<Reply, Problem> {
    crate::store::retry::when_unavailable(|| db.reply(id))
        .await?
        .map(Reply::from)
        .ok_or_else(|| Problem::not_found("reply"))
}

/// Log a reply; it is scored with VADER as it is saved and the score is in the answer.
#[utoipa::path(post, operation_id = "createReply", path = "/api/v1/replies", tag = "replies",
    request_body = NewReply,
    responses((status = 201, body = Reply, headers(("Location" = String)))))]
pub async fn create(
    Writer(me): Writer,
    State(db): State<Db>,
    Body(n): Body<NewReply>,
) -> Result<Response, Problem> {
    let named = [
        n.customer_id.is_some(),
        n.customer_ref.is_some(),
        n.customer_email.is_some(),
    ];
    if named.iter().filter(|x| **x).count() != 1 {
        return Err(Problem::invalid(
            "customer_id",
            "Name the customer by exactly one of customer_id, customer_ref or customer_email.",
        ));
    }
    let customer = match (n.customer_id, n.customer_ref, n.customer_email) {
        (Some(id), _, _) => {
            db.customer(id)
                .await?
                .ok_or_else(|| {
                    Problem::invalid("customer_id", "There is no customer with this id.")
                })?
                .customer
                .external_ref
        }
        (_, Some(r), _) => r,
        (_, _, Some(e)) if e.contains('@') => e,
        _ => {
            return Err(Problem::invalid(
                "customer_email",
                "customer_email must be an email address.",
            ))
        }
    };
    let n_received = n.received_at.clone();
    let received_at = match n.received_at {
        Some(s) => form_time(parse_instant("received_at", &s)?),
        None => String::new(),
    };
    let form = ReplyForm {
        customer,
        incident_id: n.incident_id.map(|i| i.to_string()).unwrap_or_default(),
        channel: n.channel,
        received_at,
        csat: n.csat.map(|c| c.to_string()).unwrap_or_default(),
        body: n.body,
    };
    let mut draft = form.parse(now_ms()).map_err(|e| rename(e.into()))?;
    if let Some(s) = &n_received {
        draft.received_at = parse_instant("received_at", s)?;
    }
    let score = app::sentiment::compound(&draft.body);
    let id = db
        .create_reply(&draft, score, me.id)
        .await
        .map_err(|e| rename(e.into()))?;
    let mut res = (StatusCode::CREATED, Json(load(&db, id).await?)).into_response();
    if let Ok(v) = format!("/api/v1/replies/{id}").parse() {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// The form calls the customer field `customer`; the API has three ways to name one.
fn rename(mut p: Problem) -> Problem {
    if p.field.as_deref() == Some("customer") {
        p.field = Some("customer_ref".into());
    }
    p
}

/// Correct a reply's score; both scores are kept and the person's counts.
#[utoipa::path(put, operation_id = "setReplySentiment", path = "/api/v1/replies/{id}/sentiment", tag = "replies",
    params(("id" = i64, Path, description = "The reply's id")),
    request_body = SentimentCorrection,
    responses((status = 200, body = Reply),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such reply")))]
pub async fn set_sentiment(
    Writer(me): Writer,
    State(db): State<Db>,
    Path(id): Path<i64>,
    Body(c): Body<SentimentCorrection>,
) -> Result<Json<Reply>, Problem> {
    if !c.score.is_finite() {
        return Err(Problem::invalid(
            "score",
            "score must be a number in [-1, 1].",
        ));
    }
    let (score, reason) = parse_override(&c.score.to_string(), &c.reason)?;
    db.override_sentiment(id, score, &reason, me.id).await?;
    load(&db, id).await.map(Json)
}

/// Remove a correction: the automatic score counts again.
#[utoipa::path(delete, operation_id = "clearReplySentiment", path = "/api/v1/replies/{id}/sentiment", tag = "replies",
    params(("id" = i64, Path, description = "The reply's id")),
    responses((status = 200, body = Reply),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "No such reply")))]
pub async fn clear_sentiment(
    Writer(me): Writer,
    State(db): State<Db>,
    Path(id): Path<i64>,
) -> Result<Json<Reply>, Problem> {
    db.clear_sentiment_override(id, me.id).await?;
    load(&db, id).await.map(Json)
}
