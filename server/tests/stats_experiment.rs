//! Holdout experiments (`server::analytics::experiment`) against scipy 1.17 (t and Welch
//! intervals), lifelines 0.30.3 (Kaplan–Meier, log-rank) and statsmodels 0.15 (the pooled
//! fixed effect), computed by `server/stats/experiment_reference.py` into
//! `experiment_reference.json` from the experiments of `experiment_cases.json`. The S(90)
//! difference's Greenwood variances are summed by hand there from the event table.
//!
//! Then the first experiment is run the way a team runs it, through the REST API on
//! SQLite and PostgreSQL: a preview, the giving with a 30 % holdout drawn from a given
//! seed, the arms and actions it stored, and — once the churn dates and replies of the
//! reference data are in — the figures the API serves, which must be the reference's.

mod common;

use app::domain::analytics::{date_of, DAY_MS};
use app::domain::experiment::{assign, Effect, ExperimentReport};
use app::domain::{ActionKind, Role, TokenScope};
use common::api::{token, Api, Caller};
use common::rows::{self, Incident};
use common::TestDb;
use serde_json::{json, Value};
use server::analytics::facts::{ArmCase, ExperimentFacts};

#[path = "stats/check.rs"]
#[allow(dead_code)]
mod check;
use check::{f, Check};

fn data() -> Value {
    serde_json::from_str(include_str!("../stats/experiment_cases.json"))
        .expect("experiment_cases.json")
}

fn reference() -> Value {
    serde_json::from_str(include_str!("../stats/experiment_reference.json"))
        .expect("experiment_reference.json")
}

/// The experiments start at midnight 300 days ago and are followed for `as_of_day` days.
fn start() -> i64 {
    let now = app::domain::when::now_ms();
    now.div_euclid(DAY_MS) * DAY_MS - 300 * DAY_MS
}

fn as_of() -> i64 {
    start() + data()["as_of_day"].as_i64().unwrap() * DAY_MS
}

fn churned_at(case: &Value) -> Option<i64> {
    case["churn_day"].as_i64().map(|d| start() + d * DAY_MS)
}

fn facts() -> Vec<ExperimentFacts> {
    data()["experiments"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(k, e)| ExperimentFacts {
            id: k as i64 + 1,
            incident_id: 1,
            incident_title: "Checkout down".into(),
            kind: ActionKind::parse(e["kind"].as_str().unwrap()).unwrap(),
            control: None,
            share_pct: 30,
            seed: "1".into(),
            started_at: start(),
            arms: e["cases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| ArmCase {
                    held_out: c["held_out"].as_bool().unwrap(),
                    churned_at: churned_at(c),
                    replies: c["replies"].as_u64().unwrap(),
                    score_sum: f(&c["score_sum"]),
                })
                .collect(),
        })
        .collect()
}

struct Checks {
    mean: Check,
    survival: Check,
    effect: Check,
    p: Check,
}

impl Checks {
    fn new(tol: f64) -> Self {
        Checks {
            mean: Check::absolute("mean sentiment", tol),
            survival: Check::absolute("survival", tol),
            effect: Check::absolute("effect", tol),
            p: Check::relative("log-rank p", tol.max(1e-9)),
        }
    }

    fn effect(&mut self, got: &Option<Effect>, want: &Value, what: &str) {
        let got = got.unwrap_or_else(|| panic!("{what}: no effect"));
        for (g, k) in [
            (got.estimate, "estimate"),
            (got.lower, "lower"),
            (got.upper, "upper"),
            (got.se, "se"),
        ] {
            self.effect.close(g, f(&want[k]), &format!("{what} {k}"));
        }
    }

    fn report(&mut self, got: &ExperimentReport, want: &Value, what: &str) {
        for (arm, w) in [
            (&got.treated, &want["treated"]),
            (&got.held_out, &want["held_out"]),
        ] {
            assert_eq!(arm.customers, w["customers"].as_u64().unwrap(), "{what}");
            assert_eq!(arm.followed, w["followed"].as_u64().unwrap(), "{what}");
            assert_eq!(arm.churned, w["churned"].as_u64().unwrap(), "{what}");
            let m = arm.sentiment.expect("a mean");
            assert_eq!(m.n, w["sentiment"]["n"].as_u64().unwrap(), "{what}");
            self.mean.close(m.mean, f(&w["sentiment"]["mean"]), what);
            self.mean
                .close(m.lower.unwrap(), f(&w["sentiment"]["lower"]), what);
            self.mean
                .close(m.upper.unwrap(), f(&w["sentiment"]["upper"]), what);
            for (s, k) in [(&arm.s30, "s30"), (&arm.s90, "s90"), (&arm.s180, "s180")] {
                let s = s.unwrap_or_else(|| panic!("{what}: no {k}"));
                self.survival.close(s.survival, f(&w[k]["survival"]), what);
                self.survival.close(s.lower, f(&w[k]["lower"]), what);
                self.survival.close(s.upper, f(&w[k]["upper"]), what);
            }
        }
        self.effect(&got.sentiment_effect, &want["sentiment_effect"], what);
        self.effect(&got.s90_effect, &want["s90_effect"], what);
        self.p
            .close(got.logrank_p.unwrap(), f(&want["logrank_p"]), what);
    }
}

#[test]
fn experiments_match_scipy_lifelines_and_statsmodels() {
    let r = reference();
    let view = server::analytics::experiment::compute(&facts(), as_of(), &date_of(as_of()));
    let mut c = Checks::new(1e-9);
    let want = r["experiments"].as_array().unwrap();
    assert_eq!(view.experiments.len(), want.len());
    for (k, (got, w)) in view.experiments.iter().zip(want).enumerate() {
        c.report(got, w, &format!("experiment {k}"));
    }
    // The first experiment's credit moved both sentiment and retention; the verdict names
    // both with their intervals.
    let first = &view.experiments[0];
    assert!(first.s90_effect.unwrap().is_clear());
    assert!(
        first.verdict.starts_with("Fewer customers churned with credit: 90-day retention was 22.3 points higher than held out (95 % interval +0.6 to +44.1 points)."),
        "{}",
        first.verdict
    );
    let pooled = r["pooled"].as_array().unwrap();
    assert_eq!(view.pooled.len(), 2);
    for (got, w) in view.pooled.iter().zip(pooled) {
        assert_eq!(got.kind.code(), w["kind"].as_str().unwrap());
        assert_eq!(got.experiments, w["experiments"].as_u64().unwrap());
        c.effect(
            &got.sentiment_effect,
            &w["sentiment_effect"],
            "pooled sentiment",
        );
        c.effect(&got.s90_effect, &w["s90_effect"], "pooled S(90)");
    }
}

#[tokio::test]
async fn a_holdout_given_through_the_api_is_drawn_stored_and_measured_on_both_engines() {
    let reference = reference();
    let want = &reference["experiments"][0];
    let cases = data()["experiments"][0]["cases"]
        .as_array()
        .unwrap()
        .clone();
    for t in [TestDb::sqlite().await, TestDb::postgres().await] {
        let (db, e) = (t.db.clone(), t.engine);
        let base = common::spawn(db.clone()).await;
        common::add_user(&db, "ada@team.example", "Ada", Role::Editor).await;
        let me = db
            .user_id_by_email("ada@team.example")
            .await
            .unwrap()
            .unwrap();
        let api = Api::new(&base);
        let w = Caller::Token(token(&db, me, TokenScope::Write, "experiments").await);

        let t0 = start();
        let incident = rows::incident(
            &db,
            Incident {
                title: "Checkout down",
                kind: "outage",
                severity: "sev2",
                status: "resolved",
                started: t0 - 2 * 3_600_000,
                detected: t0 - 3_600_000,
                resolved: Some(t0),
            },
        )
        .await;
        let mut customers = Vec::new();
        for k in 0..cases.len() {
            let id =
                rows::customer(&db, &format!("EXP-{k:03}"), "team", t0 - 400 * DAY_MS, None).await;
            rows::affected(&db, incident, id).await;
            customers.push(id);
        }
        let path = format!("/api/v1/incidents/{incident}/actions");
        let given_at = time::OffsetDateTime::from_unix_timestamp(t0 / 1000)
            .unwrap()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let giving = |holdout: Value| {
            json!({"to": "all", "kind": "credit", "value": {"amount": "20", "currency": "USD"},
                   "cost": {"amount": "20", "currency": "USD"}, "channel": "in_app",
                   "given_at": given_at, "holdout": holdout})
        };

        // Shown first: how many get it and how many are held out; nothing is written.
        let mut ask = giving(json!({"share_percent": 30, "seed": "42"}));
        ask["preview"] = json!(true);
        let p = api.post(&w, &path, ask).await;
        assert_eq!(p.status, 200, "{e}: {}", p.text);
        assert_eq!(
            p.json,
            json!({"selected": 90, "given": 63, "held_out": 27,
                   "summary": "63 will get credit, 27 are held out and get nothing from it."})
        );
        assert_eq!(
            api.get(&w, &path).await.json["total"],
            0,
            "{e}: a preview gives nothing"
        );

        // Bad holdouts are refused by field, and give nothing.
        for (holdout, field) in [
            (json!({"share_percent": 51}), "holdout.share_percent"),
            (json!({"share_percent": 0}), "holdout.share_percent"),
            (
                json!({"share_percent": 10, "control": "credit"}),
                "holdout.control",
            ),
            (
                json!({"share_percent": 10, "control": "cake"}),
                "holdout.control",
            ),
            (json!({"share_percent": 10, "seed": "-1"}), "holdout.seed"),
        ] {
            let a = api.post(&w, &path, giving(holdout.clone())).await;
            assert_eq!(
                (a.status, a.json["field"].as_str()),
                (422, Some(field)),
                "{e} {holdout}: {}",
                a.text
            );
        }
        let mut one = giving(json!({"share_percent": 10}));
        one["to"] = Value::Null;
        one["customer_ids"] = json!([customers[0]]);
        let a = api.post(&w, &path, one).await;
        assert_eq!(
            (a.status, a.json["field"].as_str()),
            (422, Some("holdout.share_percent")),
            "{e}: {}",
            a.text
        );
        assert_eq!(api.get(&w, &path).await.json["total"], 0, "{e}");

        // Given: the draw is the documented one for seed 42.
        let g = api
            .post(
                &w,
                &path,
                giving(json!({"share_percent": 30, "seed": "42"})),
            )
            .await;
        assert_eq!(g.status, 201, "{e}: {}", g.text);
        assert_eq!(
            (g.json["given"].as_u64(), g.json["held_out"].as_u64()),
            (Some(63), Some(27))
        );
        assert_eq!(g.json["seed"], "42");
        let experiment = g.json["experiment_id"].as_i64().unwrap();
        let arms: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT customer_id, held_out FROM experiment_arms WHERE experiment_id = $1 ORDER BY customer_id",
        )
        .bind(experiment)
        .fetch_all(db.pool())
        .await
        .unwrap();
        let drawn = assign(90, 27, 42);
        assert_eq!(
            arms,
            customers
                .iter()
                .zip(&drawn)
                .map(|(c, h)| (*c, i64::from(*h)))
                .collect::<Vec<_>>(),
            "{e}"
        );
        let credited: Vec<i64> = sqlx::query_scalar(
            "SELECT customer_id FROM recovery_actions WHERE incident_id = $1 AND kind = 'credit' ORDER BY customer_id",
        )
        .bind(incident)
        .fetch_all(db.pool())
        .await
        .unwrap();
        let treated: Vec<i64> = customers
            .iter()
            .zip(&drawn)
            .filter(|(_, h)| !**h)
            .map(|(c, _)| *c)
            .collect();
        assert_eq!(
            credited, treated,
            "{e}: only the treated arm gets the credit"
        );

        // The reference data's churn dates and replies, arm by arm.
        let mut mine = (
            treated.iter(),
            customers
                .iter()
                .zip(&drawn)
                .filter(|(_, h)| **h)
                .map(|(c, _)| *c)
                .collect::<Vec<_>>(),
        );
        let mut held = mine.1.iter();
        for case in &cases {
            let id = if case["held_out"].as_bool().unwrap() {
                *held.next().unwrap()
            } else {
                *mine.0.next().unwrap()
            };
            if let Some(at) = churned_at(case) {
                rows::churn(&db, id, at).await;
            }
            let n = case["replies"].as_i64().unwrap();
            for k in 0..n {
                rows::reply(
                    &db,
                    rows::Reply {
                        customer: id,
                        incident: Some(incident),
                        at: t0 + (k + 1) * 3_600_000,
                        auto: f(&case["score_sum"]) / n as f64,
                        manual: None,
                        csat: None,
                        body: "Thanks for letting us know.",
                    },
                )
                .await;
            }
        }

        let day = date_of(as_of());
        let list = api
            .get(&w, &format!("/api/v1/experiments?as_of={day}"))
            .await;
        assert_eq!(list.status, 200, "{e}: {}", list.text);
        let got: ExperimentReport =
            serde_json::from_value(list.json["experiments"][0].clone()).unwrap();
        assert_eq!(
            (got.id, got.incident_id, got.share_pct),
            (experiment, incident, 30)
        );
        assert_eq!(
            (got.seed.as_str(), got.kind, got.control),
            ("42", ActionKind::Credit, None)
        );
        Checks::new(1e-9).report(&got, want, e);
        assert_eq!(list.json["pooled"][0]["kind"], "credit");
        let one = api
            .get(&w, &format!("/api/v1/experiments/{experiment}?as_of={day}"))
            .await;
        assert_eq!(one.json, list.json["experiments"][0], "{e}");
        assert_eq!(api.get(&w, "/api/v1/experiments/999999").await.status, 404);
        assert_eq!(
            api.get(&w, "/api/v1/experiments?as_of=yesterday")
                .await
                .json["field"],
            "as_of"
        );
        api.check_contract().await;
        t.drop_async().await;
    }
}
