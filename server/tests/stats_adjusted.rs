//! The adjusted effect (`server::analytics::adjusted`) against lifelines 0.30.3's
//! `CoxPHFitter` (Efron ties), computed by `server/stats/adjusted_reference.py` into
//! `adjusted_reference.json` from the cases of `adjusted_cases.json`: 184 cases of 24
//! incidents, four action kinds, four severities, four plans (one pooled into “other
//! plans”) and monthly revenue. The script builds the design matrix on its own from the
//! module docs of `adjusted.rs`, so the names, order and values of the covariates are
//! checked along with the fit. Run with `-- --nocapture` to see the largest deviations.
//!
//! Then the same cases go into SQLite and PostgreSQL through the app's writes, and the
//! read service's model must be the one computed from the JSON.

mod common;

use app::domain::action::{ActionDraft, ActionTarget};
use app::domain::adjusted::{AdjustedReport, TermKind};
use app::domain::affected::parse_list;
use app::domain::analytics::{AnalyticsParams, AnalyticsQuery};
use app::domain::customer::CustomerDraft;
use app::domain::incident::IncidentDraft;
use app::domain::when::parse_date;
use app::domain::{ActionKind, AffectedSource, Channel, IncidentKind, Money, Role, Severity};
use app::store::Store;
use serde_json::Value;
use server::analytics::facts::{kind_bit, CoxCase};
use server::store::{Db, NewUser};

#[path = "stats/check.rs"]
#[allow(dead_code)]
mod check;
use check::{f, Check};

const HOUR: i64 = 3_600_000;

fn data() -> Value {
    serde_json::from_str(include_str!("../stats/adjusted_cases.json")).expect("adjusted_cases.json")
}

fn reference() -> Value {
    serde_json::from_str(include_str!("../stats/adjusted_reference.json"))
        .expect("adjusted_reference.json")
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn index(v: &Value) -> usize {
    v.as_u64().unwrap_or_else(|| panic!("not an index: {v}")) as usize
}

fn date(v: &Value) -> i64 {
    parse_date(text(v)).unwrap_or_else(|e| panic!("{v}: {e}"))
}

fn kinds(case: &Value) -> Vec<ActionKind> {
    case["kinds"]
        .as_array()
        .expect("kinds")
        .iter()
        .map(|k| ActionKind::parse(text(k)).unwrap())
        .collect()
}

/// The period of the data set (every incident starts in it), as of 2026-12-01.
fn query() -> AnalyticsQuery {
    AnalyticsParams {
        from: Some("2026-01-01".into()),
        to: Some("2026-09-01".into()),
        as_of: Some("2026-12-01".into()),
        ..Default::default()
    }
    .parse(parse_date("2026-12-04").unwrap())
    .unwrap()
}

/// The cases of `adjusted_cases.json` as the store reads them.
fn cox_cases() -> Vec<CoxCase> {
    let d = data();
    let (incidents, customers) = (&d["incidents"], &d["customers"]);
    d["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| {
            let i = &incidents[index(&c["incident"])];
            let cu = &customers[index(&c["customer"])];
            CoxCase {
                started_at: date(&i["started"]),
                churned_at: (!cu["churned"].is_null()).then(|| date(&cu["churned"])),
                kinds: kinds(c).into_iter().map(kind_bit).fold(0, |a, b| a | b),
                severity: Severity::parse(text(&i["severity"])).unwrap(),
                plan: text(&cu["plan"]).to_string(),
                monthly_revenue_minor: cu["monthly_revenue_minor"].as_i64().unwrap(),
                currency: text(&cu["currency"]).to_string(),
            }
        })
        .collect()
}

fn report() -> AdjustedReport {
    server::analytics::adjusted::compute(&query(), &cox_cases())
}

#[test]
fn adjusted_model_matches_lifelines() {
    let r = reference();
    let a = report();
    assert_eq!(a.refusal, None);
    assert!(a.left_out.is_empty(), "left out: {:?}", a.left_out);
    assert_eq!(a.query, query());
    assert_eq!(a.cases, r["n"].as_u64().unwrap());
    assert_eq!(a.churned, r["events"].as_u64().unwrap());
    assert_eq!((a.cases, a.churned), (184, 100));

    // The baselines, as the reference found them and as a reader sees them.
    let severity = Severity::parse(text(&r["baselines"]["severity"])).unwrap();
    let plan = text(&r["baselines"]["plan"]);
    assert_eq!(
        a.baselines,
        [
            format!("severity {}", severity.label()),
            format!("plan {plan}")
        ]
    );
    assert_eq!(a.baselines, ["severity SEV2", "plan starter"]);

    let want = r["terms"].as_array().expect("terms");
    let got: Vec<&str> = a.terms.iter().map(|t| t.name.as_str()).collect();
    let names: Vec<&str> = want.iter().map(|t| text(&t["name"])).collect();
    assert_eq!(got, names, "the design matrix's columns");
    assert_eq!(
        got,
        [
            "action:credit",
            "action:apology",
            "action:proactive_contact",
            "action:discount",
            "severity:sev1",
            "severity:sev3",
            "severity:sev4",
            "plan:business",
            "plan:growth",
            "plan:other plans",
            "revenue",
        ]
    );

    let (mut coef, mut se, mut z) = (
        Check::absolute("coef", 1e-6),
        Check::absolute("se", 1e-6),
        Check::absolute("z", 1e-6),
    );
    let (mut hr, mut lower, mut upper, mut p) = (
        Check::relative("hazard ratio", 1e-6),
        Check::relative("HR lower", 1e-6),
        Check::relative("HR upper", 1e-6),
        Check::relative("p", 1e-6),
    );
    for (t, w) in a.terms.iter().zip(want) {
        let what = t.name.as_str();
        assert_eq!(t.cases, w["cases"].as_u64().unwrap(), "{what}: cases");
        let kind = match what.split(':').next().unwrap() {
            "action" => TermKind::Action,
            "severity" => TermKind::Severity,
            "plan" => TermKind::Plan,
            _ => TermKind::Revenue,
        };
        assert_eq!(t.kind, kind, "{what}");
        coef.close(t.coef, f(&w["coef"]), what);
        se.close(t.se, f(&w["se"]), what);
        z.close(t.coef / t.se, f(&w["z"]), what);
        hr.close(t.hazard_ratio, f(&w["hazard_ratio"]), what);
        lower.close(t.lower, f(&w["hr_lower"]), what);
        upper.close(t.upper, f(&w["hr_upper"]), what);
        p.close(t.p_value, f(&w["p"]), what);
    }
    let label = |name: &str| a.term(name).map(|t| t.label.as_str());
    assert_eq!(label("action:proactive_contact"), Some("Proactive contact"));
    assert_eq!(label("severity:sev1"), Some("SEV1 (vs SEV2)"));
    assert_eq!(label("plan:growth"), Some("Plan growth (vs starter)"));
    assert_eq!(label("plan:other plans"), Some("Other plans (vs starter)"));
    assert_eq!(label("revenue"), Some("Monthly revenue, per doubling"));
    // Four starter customers on a free month have no revenue.
    assert_eq!(a.term("revenue").unwrap().cases, 180);

    let lr = a.likelihood_ratio.expect("a likelihood-ratio test");
    Check::absolute("LR statistic", 1e-6).close(lr.statistic, f(&r["lr_statistic"]), "LR");
    Check::relative("LR p", 1e-6).close(lr.p_value, f(&r["lr_p"]), "LR");
    assert_eq!(lr.df, r["lr_df"].as_u64().unwrap());
    assert_eq!(lr.df, a.terms.len() as u64);
}

async fn editor(db: &Db) -> i64 {
    let new = NewUser {
        email: "editor@example.com",
        name: "Editor",
        role: Role::Editor,
        password_hash: "not-a-real-hash",
    };
    db.create_user(new, None, false, 0).await.unwrap()
}

/// The cases of `adjusted_cases.json` written through the app: customers, incidents, the
/// customers each hit (one list per incident), the actions (one giving per incident and
/// kind, the day after the incident started) and the churn dates.
async fn build(db: &Db) {
    let me = editor(db).await;
    let d = data();
    let mut customers = Vec::new();
    for (k, c) in d["customers"].as_array().unwrap().iter().enumerate() {
        let draft = CustomerDraft {
            external_ref: format!("ADJ-{k:03}"),
            name: format!("Customer {k}"),
            email: None,
            plan: text(&c["plan"]).into(),
            monthly_revenue: Money::new(
                c["monthly_revenue_minor"].as_i64().unwrap(),
                text(&c["currency"]),
            ),
            signed_up_at: date(&c["signed_up"]),
        };
        customers.push((
            draft.external_ref.clone(),
            db.create_customer(&draft, me).await.unwrap(),
        ));
    }
    let mut incidents = Vec::new();
    for (n, i) in d["incidents"].as_array().unwrap().iter().enumerate() {
        let started_at = date(&i["started"]);
        let draft = IncidentDraft {
            title: format!("Incident {n}"),
            description: String::new(),
            kind: IncidentKind::Outage,
            severity: Severity::parse(text(&i["severity"])).unwrap(),
            started_at,
            detected_at: started_at + HOUR,
            resolved_at: None,
            owner_id: None,
        };
        incidents.push((started_at, db.create_incident(&draft, me).await.unwrap()));
    }
    let cases = d["cases"].as_array().unwrap();
    for (n, (started_at, id)) in incidents.iter().enumerate() {
        let hit: Vec<&Value> = cases
            .iter()
            .filter(|c| index(&c["incident"]) == n)
            .collect();
        let refs: Vec<&str> = hit
            .iter()
            .map(|c| customers[index(&c["customer"])].0.as_str())
            .collect();
        let list = parse_list(&refs.join("\n")).unwrap();
        let added = db
            .confirm_affected(*id, &list, AffectedSource::Manual, me)
            .await
            .unwrap();
        assert_eq!((added.linked, added.created), (hit.len(), 0));
        for kind in ActionKind::ALL {
            let given: Vec<i64> = hit
                .iter()
                .filter(|c| kinds(c).contains(kind))
                .map(|c| customers[index(&c["customer"])].1)
                .collect();
            if given.is_empty() {
                continue;
            }
            let cost = match kind {
                ActionKind::Credit => 2_000,
                ActionKind::Discount => 1_000,
                _ => 0,
            };
            let draft = ActionDraft {
                kind: *kind,
                value: Money::new(cost, "USD"),
                cost: Money::new(cost, "USD"),
                channel: Channel::Email,
                note: String::new(),
                given_at: started_at + 24 * HOUR,
            };
            let n = db
                .give_actions(*id, &ActionTarget::Customers(given.clone()), &draft, me)
                .await
                .unwrap();
            assert_eq!(n, given.len());
        }
    }
    for (c, (_, id)) in d["customers"].as_array().unwrap().iter().zip(&customers) {
        if c["churned"].is_null() {
            continue;
        }
        let version: i64 = sqlx::query_scalar("SELECT version FROM customers WHERE id = $1")
            .bind(*id)
            .fetch_one(db.pool())
            .await
            .unwrap();
        db.set_churn(*id, version, Some(date(&c["churned"])), me)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn the_read_service_fits_the_same_model_on_both_engines() {
    common::on_both(|db, engine| async move {
        build(&db).await;
        let want = report();
        let reads = server::service::ReadService::new(db.clone());
        let got = reads.adjusted(&query()).await.unwrap();
        assert_eq!(got.query, want.query, "{engine}");
        assert_eq!(
            (got.cases, got.churned),
            (want.cases, want.churned),
            "{engine}"
        );
        assert_eq!(got.baselines, want.baselines, "{engine}");
        assert_eq!(got.left_out, want.left_out, "{engine}");
        assert_eq!(got.refusal, want.refusal, "{engine}");
        let names = |r: &AdjustedReport| -> Vec<(String, String, TermKind, u64)> {
            r.terms
                .iter()
                .map(|t| (t.name.clone(), t.label.clone(), t.kind, t.cases))
                .collect()
        };
        assert_eq!(names(&got), names(&want), "{engine}");
        let close = |a: f64, b: f64, what: &str| {
            assert!(
                (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                "{engine} {what}: {a:e} ≠ {b:e}"
            );
        };
        for (g, w) in got.terms.iter().zip(&want.terms) {
            let what = |q: &str| format!("{} {q}", w.name);
            close(g.coef, w.coef, &what("coef"));
            close(g.se, w.se, &what("se"));
            close(g.hazard_ratio, w.hazard_ratio, &what("hazard ratio"));
            close(g.lower, w.lower, &what("lower"));
            close(g.upper, w.upper, &what("upper"));
            close(g.p_value, w.p_value, &what("p"));
        }
        let (g, w) = (
            got.likelihood_ratio.unwrap(),
            want.likelihood_ratio.unwrap(),
        );
        close(g.statistic, w.statistic, "LR statistic");
        close(g.p_value, w.p_value, "LR p");
        assert_eq!(g.df, w.df, "{engine}");
    })
    .await;
}
