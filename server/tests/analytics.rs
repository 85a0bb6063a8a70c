//! The analytics service on a small hand-built data set, on SQLite and PostgreSQL alike.
//! Every expected figure below was worked out by hand from the data (the arithmetic is in
//! the comments); interval bounds use the formulas of DESIGN.md with t₀.₉₇₅,₂ = 4.302653,
//! t₀.₉₇₅,₁ = 12.706205 and z = 1.959964, evaluated once with a calculator.
//!
//! Period [2026-01-01, 2026-04-01), as of 2026-07-01 (day 181 after 2026-01-01).
//!
//! Incidents: I1 outage sev1 starts day 10 (Sun 11 Jan), detected 1 h later, resolved day 11;
//! I2 bug sev3 starts day 40 (Tue 10 Feb), detected at once; I3 starts day 100 (outside);
//! I0 starts 2025-12-20 (outside).
//!
//! | customer | cases        | actions (after detection)                         | churned       |
//! |----------|--------------|---------------------------------------------------|---------------|
//! | C1       | I1           | credit 10.00 USD at +30 min                      | never         |
//! | C2       | I1           | credit 10.00 USD and apology at +2 h            | I1 + 20 d     |
//! | C3       | I1           | —                                                 | I1 + 50 d     |
//! | C4       | I1, I2       | I1: refund 25.00 EUR at +30 h; I2: —            | I2 + 100 d    |
//! | C5       | (I2)         | churned 5 days before I2 started: not a case      | I2 − 5 d      |
//! | C6 (pro) | I2           | proactive contact at +5 d                         | never         |
//! | C7       | unaffected   | signed up 2025-06-01                              | day 60        |
//! | C8       | unaffected   | signed up day 30                                  | never         |
//! | C9       | (I0 only)    | churned 2025-12-01: before the period, left out  | 2025-12-01    |
//! | C10      | —            | signed up 2026-05-01, after the period: left out | never         |
//! | C11      | (I3 only)    | unaffected                                        | never         |
//!
//! Replies (effective score): C1 → I1 +0.8 (CSAT 5) and +0.4 (CSAT 4) at I1 + 1 d; C2 → I1
//! −0.6 (CSAT 2) at I1 + 12 h; C3 unlinked −0.5 at I1 + 5 d (→ I1); C4 unlinked +0.3 at
//! I1 + 2 d (→ I1) and unlinked 0.0 at I2 + 3 d (→ I2, the latest incident); C5 → I2 +0.9
//! (no case: ignored); C6 → I2 automatic −0.2, corrected to +0.6; C7 unlinked +0.7 (no case).

mod common;

use app::domain::analytics::{
    AnalyticsParams, AnalyticsQuery, Group, SpeedBucket, SurvivalAt, DAY_MS,
};
use app::domain::{ActionKind, Money};
use common::{on_both, rows};
use server::store::Db;
use std::sync::Arc;

const H: i64 = 3_600_000;

fn day(d: i64) -> i64 {
    app::domain::when::parse_date("2026-01-01").unwrap() + d * DAY_MS
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[track_caller]
fn assert_close(a: f64, b: f64, what: &str) {
    assert!(close(a, b), "{what}: {a} ≠ {b}");
}

#[track_caller]
fn assert_at(s: Option<SurvivalAt>, survival: f64, lower: f64, upper: f64, what: &str) {
    let s = s.unwrap_or_else(|| panic!("{what}: no estimate"));
    assert_close(s.survival, survival, what);
    assert_close(s.lower, lower, what);
    assert_close(s.upper, upper, what);
}

async fn incident(
    db: &Db,
    kind: &str,
    severity: &str,
    started: i64,
    detected: i64,
    resolved: Option<i64>,
) -> i64 {
    let status = if resolved.is_some() {
        "resolved"
    } else {
        "open"
    };
    let i = rows::Incident {
        title: "Hand-built",
        kind,
        severity,
        status,
        started,
        detected,
        resolved,
    };
    rows::incident(db, i).await
}

async fn reply(
    db: &Db,
    customer: i64,
    incident: Option<i64>,
    at: i64,
    auto: f64,
    manual: Option<f64>,
    csat: Option<i64>,
) {
    let r = rows::Reply {
        customer,
        incident,
        at,
        auto,
        manual,
        csat,
        body: "A reply.",
    };
    rows::reply(db, r).await;
}

struct Ids {
    i1: i64,
    i2: i64,
    c4: i64,
    c6: i64,
}

async fn build(db: &Db) -> Ids {
    let signed = app::domain::when::parse_date("2025-01-01").unwrap();
    let (s1, s2) = (day(10), day(40));
    let i0 = incident(db, "outage", "sev2", day(-12), day(-12), Some(day(-11))).await;
    let i1 = incident(db, "outage", "sev1", s1, s1 + H, Some(day(11))).await;
    let i2 = incident(db, "bug", "sev3", s2, s2, None).await;
    let i3 = incident(db, "outage", "sev2", day(100), day(100), None).await;

    let c1 = rows::customer(db, "C1", "basic", signed, None).await;
    let c2 = rows::customer(db, "C2", "basic", signed, Some(s1 + 20 * DAY_MS)).await;
    let c3 = rows::customer(db, "C3", "basic", signed, Some(s1 + 50 * DAY_MS)).await;
    let c4 = rows::customer(db, "C4", "basic", signed, Some(s2 + 100 * DAY_MS)).await;
    let c5 = rows::customer(db, "C5", "basic", signed, Some(s2 - 5 * DAY_MS)).await;
    let c6 = rows::customer(db, "C6", "pro", signed, None).await;
    let june = app::domain::when::parse_date("2025-06-01").unwrap();
    let c7 = rows::customer(db, "C7", "basic", june, Some(day(60))).await;
    rows::customer(db, "C8", "basic", day(30), None).await;
    let c9_churn = app::domain::when::parse_date("2025-12-01").unwrap();
    let c9 = rows::customer(db, "C9", "basic", signed, Some(c9_churn)).await;
    let may = app::domain::when::parse_date("2026-05-01").unwrap();
    rows::customer(db, "C10", "basic", may, None).await;
    let c11 = rows::customer(db, "C11", "basic", signed, None).await;

    for (i, c) in [
        (i1, c1),
        (i1, c2),
        (i1, c3),
        (i1, c4),
        (i2, c4),
        (i2, c5),
        (i2, c6),
    ] {
        rows::affected(db, i, c).await;
    }
    rows::affected(db, i0, c9).await;
    rows::affected(db, i3, c11).await;

    let d1 = s1 + H;
    rows::action(db, i1, c1, "credit", 1000, "USD", d1 + H / 2).await;
    rows::action(db, i1, c2, "credit", 1000, "USD", d1 + 2 * H).await;
    rows::action(db, i1, c2, "apology", 0, "USD", d1 + 2 * H).await;
    rows::action(db, i1, c4, "refund", 2500, "EUR", d1 + 30 * H).await;
    rows::action(db, i2, c6, "proactive_contact", 0, "USD", s2 + 5 * DAY_MS).await;

    reply(db, c1, Some(i1), s1 + DAY_MS, 0.8, None, Some(5)).await;
    reply(db, c1, Some(i1), s1 + DAY_MS, 0.4, None, Some(4)).await;
    reply(db, c2, Some(i1), s1 + 12 * H, -0.6, None, Some(2)).await;
    reply(db, c3, None, s1 + 5 * DAY_MS, -0.5, None, None).await;
    reply(db, c4, None, s1 + 2 * DAY_MS, 0.3, None, None).await;
    reply(db, c4, None, s2 + 3 * DAY_MS, 0.0, None, None).await;
    reply(db, c5, Some(i2), s2 + DAY_MS, 0.9, None, None).await;
    reply(db, c6, Some(i2), s2 + 6 * DAY_MS, -0.2, Some(0.6), None).await;
    reply(db, c7, None, day(20), 0.7, None, None).await;
    Ids { i1, i2, c4, c6 }
}

fn query(extra: &[(&str, &str)]) -> AnalyticsQuery {
    let mut p = AnalyticsParams {
        from: Some("2026-01-01".into()),
        to: Some("2026-04-01".into()),
        as_of: Some("2026-07-01".into()),
        ..Default::default()
    };
    for (k, v) in extra {
        match *k {
            "kind" => p.kind = Some(v.to_string()),
            "severity" => p.severity = Some(v.to_string()),
            "plan" => p.plan = Some(v.to_string()),
            "incident" => p.incident = Some(v.to_string()),
            _ => unreachable!(),
        }
    }
    p.parse(day(0)).unwrap()
}

#[tokio::test]
async fn every_figure_matches_the_hand_worked_data_set() {
    on_both(|db, engine| async move {
        let reads = server::service::ReadService::new(db.clone());
        let ids = build(&db).await;
        let a = reads.analytics(&query(&[])).await.unwrap();

        // Six cases: (I1: C1 C2 C3 C4), (I2: C4 C6); C5 churned before I2.
        assert_eq!(a.headline.cases, 6, "{engine}");
        assert_eq!(a.headline.cases_with_action, 4);
        assert_close(a.headline.share_with_action.unwrap(), 4.0 / 6.0, "share");
        assert_eq!(
            a.headline.total_cost,
            vec![Money::new(2500, "EUR"), Money::new(2000, "USD")]
        );

        // --- Sentiment by action -------------------------------------------------------
        let s = |g: Group| a.sentiment.groups.iter().find(|x| x.group == g).unwrap();
        let credit = s(Group::Action(ActionKind::Credit));
        // Replies +0.8, +0.4, −0.6: mean 0.2; deviations 0.6, 0.2, −0.8 → s² = 1.04 / 2;
        // half-width 4.302653 · 0.721110 / √3 = 1.791337.
        assert_eq!((credit.cases, credit.replies), (2, 3));
        let m = credit.mean.unwrap();
        assert_close(m.mean, 0.2, "credit mean");
        assert_close(m.lower.unwrap(), 0.2 - 1.791_337_179, "credit lower");
        assert_close(m.upper.unwrap(), 0.2 + 1.791_337_179, "credit upper");
        let pos = credit.positive.unwrap();
        assert_eq!(pos.n, 3);
        assert_close(pos.share, 2.0 / 3.0, "credit positive");
        let w = server::stats::wilson(2, 3).unwrap();
        assert_close(pos.lower, w.lower, "wilson lower");
        // CSAT 5, 4, 2 → 2 of 3 satisfied.
        assert_close(credit.csat_satisfied.unwrap().share, 2.0 / 3.0, "csat");
        let apology = s(Group::Action(ActionKind::Apology));
        assert_eq!((apology.cases, apology.replies), (1, 1));
        assert_close(apology.mean.unwrap().mean, -0.6, "apology mean");
        assert_eq!(
            apology.mean.unwrap().lower,
            None,
            "one reply has no interval"
        );
        assert_close(apology.positive.unwrap().share, 0.0, "apology positive");
        // C4's reply at I1 + 2 d counts for I1 (refund); the one at I2 + 3 d for I2.
        let refund = s(Group::Action(ActionKind::Refund));
        assert_eq!(refund.replies, 1);
        assert_close(refund.mean.unwrap().mean, 0.3, "refund mean");
        // C6's reply counts with the person's score, +0.6, not the automatic −0.2.
        let proactive = s(Group::Action(ActionKind::ProactiveContact));
        assert_close(proactive.mean.unwrap().mean, 0.6, "proactive mean");
        let gift = s(Group::Action(ActionKind::Gift));
        assert_eq!((gift.cases, gift.replies, gift.mean), (0, 0, None));
        // No action: C3's −0.5 (→ I1) and C4's 0.0 (→ I2): mean −0.25, s = 0.353553,
        // half-width 12.706205 · 0.353553 / √2 = 3.176551. 0.0 is not positive.
        let none = s(Group::NoAction);
        assert_eq!((none.cases, none.replies), (2, 2));
        let m = none.mean.unwrap();
        assert_close(m.mean, -0.25, "none mean");
        assert_close(m.upper.unwrap(), -0.25 + 3.176_551_184, "none upper");
        assert_close(none.positive.unwrap().share, 0.0, "none positive");
        assert_eq!(none.csat_satisfied, None);
        // Mean of all seven attributed replies: (0.8 + 0.4 − 0.6 − 0.5 + 0.3 + 0.0 + 0.6) / 7.
        let all = a.headline.mean_sentiment.unwrap();
        assert_eq!(all.n, 7);
        assert_close(all.mean, 1.0 / 7.0, "all mean");

        // --- Retention by action (days from the incident start to churn or 2026-07-01) ----
        let r = |g: Group| a.retention.group(g).unwrap().clone();
        // Credit: C2 churns at 20, C1 censored at 171 → S = 1/2 from day 20; V = 1/(2·1).
        let credit = r(Group::Action(ActionKind::Credit));
        assert_eq!((credit.cases, credit.churned), (2, 1));
        assert_eq!(credit.curve.len(), 3, "t = 0, the churn, the censoring");
        assert_close(credit.curve[1].t, 20.0, "credit churn day");
        assert_eq!(credit.curve[1].at_risk, 2);
        assert_close(credit.curve[2].t, 171.0, "credit follow-up");
        assert_at(credit.s30, 0.5, 0.005_983_088, 0.910_410_085, "credit S30");
        assert_at(credit.s90, 0.5, 0.005_983_088, 0.910_410_085, "credit S90");
        assert_eq!(credit.s180, None, "nobody was followed 180 days");
        // No action: C3 churns at 50 (I1), C4 at 100 (I2) → 1/2 from 50, 0 from 100.
        let none = r(Group::NoAction);
        assert_at(none.s30, 1.0, 1.0, 1.0, "none S30");
        assert_at(none.s90, 0.5, 0.005_983_088, 0.910_410_085, "none S90");
        assert_at(none.s180, 0.0, 0.0, 0.0, "none S180");
        // Log-rank credit against none: at 20 (2 v 2 at risk) E = 1/2, V = 1/4; at 50
        // (1 v 2) E = 1/3, V = 2/9; at 100 (1 v 1) E = 1/2, V = 1/4. O − E = 1 − 4/3,
        // χ² = (1/9) / (13/18) = 2/13, p = 0.694887.
        assert_close(credit.logrank_p.unwrap(), 0.694_886_602, "log-rank");
        assert_close(credit.lift.unwrap(), 0.0, "credit lift");
        assert_eq!(credit.cost, vec![Money::new(2000, "USD")]);
        assert_eq!(credit.cost_per_retained, None);
        assert!(credit
            .cost_note
            .as_deref()
            .unwrap()
            .contains("Not enough cases"));
        // Refund: C4 from I1 (day 10) churns day 140 → event at 130: S(90) = 1, S(180) = 0.
        let refund = r(Group::Action(ActionKind::Refund));
        assert_at(refund.s90, 1.0, 1.0, 1.0, "refund S90");
        assert_at(refund.s180, 0.0, 0.0, 0.0, "refund S180");
        assert_close(refund.lift.unwrap(), 0.5, "refund lift");
        assert_eq!(refund.cost, vec![Money::new(2500, "EUR")]);
        // Apology: C2 alone, churned at 20 → 0 from day 20.
        assert_at(
            r(Group::Action(ActionKind::Apology)).s30,
            0.0,
            0.0,
            0.0,
            "apology",
        );
        // Unaffected: C7 from day 0 churns at 60; C8 from its sign-up (day 30) censored at
        // 151; C11 censored at 181. C9 churned before the period, C10 signed up after it.
        let un = r(Group::Unaffected);
        assert_eq!((un.cases, un.churned), (3, 1));
        assert_at(
            un.s90,
            2.0 / 3.0,
            0.054_073_427,
            0.945_206_387,
            "unaffected S90",
        );
        assert_at(
            un.s180,
            2.0 / 3.0,
            0.054_073_427,
            0.945_206_387,
            "unaffected S180",
        );
        assert_close(un.lift.unwrap(), 2.0 / 3.0 - 0.5, "unaffected lift");
        // Headline: with any action (C1 171+, C2 20, C4 130, C6 141+) vs without.
        assert_close(
            a.headline.s90_with_action.unwrap().survival,
            0.75,
            "any S90",
        );
        assert_close(
            a.headline.s90_without_action.unwrap().survival,
            0.5,
            "none S90",
        );

        // --- Speed (first action − detection) --------------------------------------------
        let b = |k: SpeedBucket| a.speed.buckets.iter().find(|x| x.bucket == k).unwrap();
        assert_eq!(a.speed.never_contacted, 2);
        assert_eq!(b(SpeedBucket::UnderHour).cases, 1);
        assert_close(
            b(SpeedBucket::UnderHour).sentiment.unwrap().mean,
            0.6,
            "< 1 h",
        );
        assert_at(b(SpeedBucket::UnderHour).s90, 1.0, 1.0, 1.0, "< 1 h S90");
        assert_eq!(b(SpeedBucket::OneToFourHours).cases, 1);
        assert_at(
            b(SpeedBucket::OneToFourHours).s90,
            0.0,
            0.0,
            0.0,
            "1–4 h S90",
        );
        assert_eq!(b(SpeedBucket::FourToTwentyFourHours).cases, 0);
        assert_eq!(b(SpeedBucket::FourToTwentyFourHours).s90, None);
        assert_eq!(b(SpeedBucket::OneToThreeDays).cases, 1);
        assert_close(
            b(SpeedBucket::OneToThreeDays).sentiment.unwrap().mean,
            0.3,
            "1–3 d",
        );
        assert_eq!(b(SpeedBucket::OverThreeDays).cases, 1);

        // --- Repeat pain -------------------------------------------------------------------
        // C4: I1 (day 10) and I2 (day 40), 30 days apart; followed from I2, churns at 100.
        // Hit once: C1 171+, C2 20, C3 50, C6 141+ → 3/4 from 20, 1/2 from 50.
        assert_eq!(a.repeat.customers_hit, 5);
        assert_eq!(a.repeat.repeat_customers, 1);
        assert_eq!(a.repeat.top.len(), 1);
        assert_eq!(a.repeat.top[0].customer_id, ids.c4);
        assert_eq!(a.repeat.top[0].incidents, 2);
        assert!(a.repeat.top[0].churned);
        assert_eq!(a.repeat.top[0].external_ref, "C4");
        assert_at(a.repeat.repeat.s90, 1.0, 1.0, 1.0, "repeat S90");
        assert_at(
            a.repeat.once.s90,
            0.5,
            0.057_847_083,
            0.844_861_281,
            "once S90",
        );

        // --- Weekly (ISO weeks, Monday 00:00 UTC) ----------------------------------------
        let weeks: Vec<&str> = a
            .weekly
            .weeks
            .iter()
            .map(|w| w.figures.week.as_str())
            .collect();
        assert_eq!(weeks.len(), 14, "2026-W01 (starts 2025-12-29) to W14");
        assert_eq!((weeks[0], weeks[13]), ("2026-W01", "2026-W14"));
        assert_eq!(a.weekly.weeks[0].figures.starts, "2025-12-29");
        let wk = |label: &str| {
            a.weekly
                .weeks
                .iter()
                .find(|w| w.figures.week == label)
                .unwrap()
        };
        // W02 (5–11 Jan): I1 opens Sunday; 4 customers; credit ×2 and apology at 01:30 and
        // 03:00 on the 11th; C2's reply at 12:00.
        let w2 = &wk("2026-W02").figures;
        assert_eq!((w2.incidents_opened, w2.incidents_resolved), (1, 0));
        assert_eq!((w2.customers_affected, w2.actions, w2.replies), (4, 3, 1));
        assert_eq!(w2.cost, vec![Money::new(2000, "USD")]);
        assert_eq!(w2.actions_by_kind.len(), 2);
        assert_close(w2.mean_sentiment.unwrap(), -0.6, "W02 sentiment");
        // W03 (12–18 Jan): I1 resolved; refund; replies +0.8 +0.4 (12th), +0.3 (13th),
        // −0.5 (16th): mean 0.25, 3 of 4 positive.
        let w3 = &wk("2026-W03");
        assert_eq!(w3.figures.incidents_resolved, 1);
        assert_eq!(w3.figures.actions, 1);
        assert_eq!(w3.figures.cost, vec![Money::new(2500, "EUR")]);
        assert_eq!(w3.figures.replies, 4);
        assert_close(w3.figures.mean_sentiment.unwrap(), 0.25, "W03 sentiment");
        assert_close(w3.figures.share_positive.unwrap(), 0.75, "W03 positive");
        let ch = w3.change.as_ref().unwrap();
        assert_eq!((ch.incidents_opened, ch.actions, ch.replies), (-1, -2, 3));
        assert_close(ch.mean_sentiment.unwrap(), 0.85, "W03 change");
        // C2 churns Sat 31 Jan (W05), 20 days after I1: counted. C3 churns Mon 2 Mar (W10),
        // 50 days after I1: beyond the 35 days a churn is counted after an incident.
        assert_eq!(wk("2026-W05").figures.churned, 1);
        assert_eq!(wk("2026-W10").figures.churned, 0);
        // W07: I2 opens Tuesday 10 Feb with C4 and C6; C4's 0.0 on the 13th.
        let w7 = &wk("2026-W07").figures;
        assert_eq!(
            (w7.incidents_opened, w7.customers_affected, w7.replies),
            (1, 2, 1)
        );
        assert_eq!(w7.actions, 1, "proactive contact on Sunday the 15th");
        assert_eq!(wk("2026-W08").figures.replies, 1, "C6 on the 16th");
        let total: u64 = a.weekly.weeks.iter().map(|w| w.figures.replies).sum();
        assert_eq!(total, 7);
        assert!(a.weekly.weeks[0].change.is_none());

        let _ = ids.i1;
        let _ = ids.i2;
        let _ = ids.c6;
    })
    .await;
}

/// How much to give, on the hand-built data with revenues set: C1's credit of 10.00 USD is
/// 20 % of its 50.00 USD a month (10–25 %); C2's credit of 10.00 USD against revenue in EUR
/// is in another currency; C4's refund (I1) meets no revenue. No action: C3 (I1) and C4 (I2).
#[tokio::test]
async fn how_much_to_give_buckets_credits_and_refunds_by_their_share_of_revenue() {
    on_both(|db, engine| async move {
        let reads = server::service::ReadService::new(db.clone());
        build(&db).await;
        for (r, minor, currency) in [("C1", 5000, "USD"), ("C2", 500, "EUR")] {
            sqlx::query(
                "UPDATE customers SET monthly_revenue_minor = $1, currency = $2 WHERE external_ref = $3",
            )
            .bind(minor as i64)
            .bind(currency)
            .bind(r)
            .execute(db.pool())
            .await
            .unwrap();
        }
        let a = reads.analytics(&query(&[])).await.unwrap();
        let d = a.dose.clone();
        assert_eq!((d.without_revenue, d.other_currency), (1, 1), "{engine}");
        assert!(d.observational);
        // No action: C3 churns at I1 + 50 d (2 at risk → S = 1/2); C4 at I2 + 100 d.
        assert_eq!(d.no_action_cases, 2);
        assert_close(d.no_action_s90.unwrap().survival, 0.5, "no action");
        let none = a.retention.group(Group::NoAction).unwrap();
        assert_eq!(d.no_action_s90, none.s90, "the retention report's no-action group");
        let cases: Vec<(&str, u64)> = d
            .buckets
            .iter()
            .map(|b| (b.bucket.code(), b.cases))
            .collect();
        assert_eq!(
            cases,
            [("under_10", 0), ("10_25", 1), ("25_50", 0), ("50_100", 0), ("100_plus", 0)]
        );
        let b = &d.buckets[1];
        assert_eq!(b.label, "10–25 %");
        // C1's replies +0.8 and +0.4: mean 0.6, s = 0.282843, half-width
        // 12.706205 · 0.282843 / √2 = 2.541241.
        assert_eq!(b.replies, 2);
        let m = b.sentiment.unwrap();
        assert_close(m.mean, 0.6, "mean");
        assert_close(m.lower.unwrap(), 0.6 - 2.541_241, "lower");
        // C1 never churned: followed 171 days, S(90) = 1; lift 1 − 1/2.
        assert_at(b.s90, 1.0, 1.0, 1.0, "S(90)");
        assert_close(b.lift.unwrap(), 0.5, "lift");
        assert!(b.logrank_p.is_some_and(|p| p > 0.0 && p < 1.0));
        assert_eq!(b.cost, vec![Money::new(1000, "USD")]);
        assert_eq!(b.cost_per_retained, None);
        assert_eq!(
            b.cost_note.as_deref(),
            Some(
                "Not enough cases: 10–25 % of monthly revenue has 1 and no action 2; both need \
                 at least 10."
            )
        );
        let empty = &d.buckets[0];
        assert_eq!((empty.replies, empty.sentiment, empty.s90, empty.lift), (0, None, None, None));
    })
    .await;
}

#[tokio::test]
async fn filters_narrow_the_cases() {
    on_both(|db, engine| async move {
        let reads = server::service::ReadService::new(db.clone());
        let ids = build(&db).await;
        // Outages: I1's four cases only; I0 and I3 are outside the period.
        let a = reads
            .analytics(&query(&[("kind", "outage")]))
            .await
            .unwrap();
        assert_eq!(a.headline.cases, 4, "{engine}");
        assert_eq!(a.repeat.repeat_customers, 0);
        // SEV3: I2's two cases.
        let a = reads
            .analytics(&query(&[("severity", "sev3")]))
            .await
            .unwrap();
        assert_eq!(a.headline.cases, 2);
        // Plan pro: C6 alone; the unaffected baseline keeps only pro customers (none).
        let a = reads.analytics(&query(&[("plan", "pro")])).await.unwrap();
        assert_eq!(a.headline.cases, 1);
        assert_eq!(a.sentiment.groups.iter().map(|g| g.replies).sum::<u64>(), 1);
        let un = a.retention.group(Group::Unaffected).unwrap();
        assert_eq!(un.cases, 0);
        assert_eq!(un.s90, None);
        // One incident: I2's cases (C4, C6) and no unaffected baseline.
        let a = reads
            .analytics(&query(&[("incident", &ids.i2.to_string())]))
            .await
            .unwrap();
        assert_eq!(a.headline.cases, 2);
        assert_eq!(a.headline.cases_with_action, 1);
        assert_eq!(a.retention.group(Group::Unaffected).unwrap().cases, 0);
        let _ = (ids.i1, ids.c6);
    })
    .await;
}

#[tokio::test]
async fn a_change_by_any_writer_retires_cached_figures() {
    on_both(|db, engine| async move {
        let reads = server::service::ReadService::new(db.clone());
        let ids = build(&db).await;
        let q = query(&[]);
        let first = reads.analytics(&q).await.unwrap();
        let again = reads.analytics(&q).await.unwrap();
        assert!(
            Arc::ptr_eq(&first, &again),
            "{engine}: unchanged data is served from the cache"
        );

        // A second process on the same database writes a reply: this process must see it.
        reply(&db, ids.c6, Some(ids.i2), day(50), 0.5, None, None).await;
        let after = reads.analytics(&q).await.unwrap();
        assert!(!Arc::ptr_eq(&first, &after));
        assert_eq!(after.headline.mean_sentiment.unwrap().n, 8);

        // An override (an UPDATE) and a churn date both count as changes too.
        rows::churn(&db, ids.c6, day(70)).await;
        let churned = reads.analytics(&q).await.unwrap();
        let pc = churned
            .retention
            .group(Group::Action(ActionKind::ProactiveContact))
            .unwrap();
        assert_eq!(pc.churned, 1);
        assert!(reads.analytics_cached() <= server::service::cache::CAPACITY);
    })
    .await;
}

#[tokio::test]
async fn the_incident_list_is_kept_until_any_writer_changes_the_data() {
    on_both(|db, engine| async move {
        let reads = server::service::ReadService::new(db.clone());
        let ids = build(&db).await;
        let filter = app::domain::incident::IncidentFilter::default();
        let page = app::domain::PageRequest::new(None, None);
        let row = |p: &app::domain::Page<app::domain::IncidentRow>, id: i64| {
            p.items.iter().find(|r| r.id == id).cloned().unwrap()
        };
        let first = reads.incidents(&filter, page).await.unwrap();
        let again = reads.incidents(&filter, page).await.unwrap();
        assert!(
            Arc::ptr_eq(&first, &again),
            "{engine}: kept while unchanged"
        );
        let before = row(&first, ids.i2).replies;

        // Another process links a reply to I2: the next read shows it.
        reply(&db, ids.c6, Some(ids.i2), day(50), 0.5, None, None).await;
        let after = reads.incidents(&filter, page).await.unwrap();
        assert!(!Arc::ptr_eq(&first, &after), "{engine}");
        assert_eq!(row(&after, ids.i2).replies, before + 1, "{engine}");

        // So does a plain SQL rename, which touches nothing the figures use.
        sqlx::query("UPDATE incidents SET title = 'Renamed by hand' WHERE id = $1")
            .bind(ids.i1)
            .execute(db.pool())
            .await
            .unwrap();
        let renamed = reads.incidents(&filter, page).await.unwrap();
        assert_eq!(row(&renamed, ids.i1).title, "Renamed by hand", "{engine}");
    })
    .await;
}

#[test]
fn cost_per_retained_divides_by_the_customers_kept() {
    use app::domain::analytics::RetentionGroup;
    let group = |cases: u64, s90: f64| RetentionGroup {
        group: Group::NoAction,
        label: "x".into(),
        cases,
        churned: 0,
        curve: vec![],
        s30: None,
        s90: Some(SurvivalAt {
            days: 90,
            survival: s90,
            lower: 0.0,
            upper: 1.0,
            at_risk: cases,
        }),
        s180: None,
        logrank_p: None,
        lift: None,
        cost: vec![],
        cost_per_retained: None,
        cost_note: None,
    };
    // 12 cases at S(90) = 0.75 against 0.5: lift 0.25 → 3 customers kept; 120.00 ÷ 3.
    let cost = vec![Money::new(12_000, "USD")];
    let (per, note) =
        server::analytics::retention::cost_per_retained(&cost, &group(12, 0.75), &group(20, 0.5));
    assert_eq!(per, Some(vec![Money::new(4_000, "USD")]));
    assert_eq!(note, None);
    // Nine cases: not enough.
    let (per, note) =
        server::analytics::retention::cost_per_retained(&cost, &group(9, 0.75), &group(20, 0.5));
    assert_eq!(per, None);
    assert!(note.unwrap().contains("at least 10"));
    // No lift.
    let (per, note) =
        server::analytics::retention::cost_per_retained(&cost, &group(12, 0.5), &group(20, 0.5));
    assert_eq!(per, None);
    assert!(note.unwrap().contains("No retention lift"));
}

async fn sign_in(base: &str, email: &str) -> reqwest::Client {
    let c = common::client();
    let res = c
        .post(format!("{base}/login"))
        .header("origin", base)
        .form(&[("email", email), ("password", common::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    c
}

const PERIOD: &str = "from=2026-01-01&to=2026-04-01&as_of=2026-07-01";

#[tokio::test]
async fn the_api_serves_the_same_figures_to_signed_in_readers() {
    on_both(|db, engine| async move {
        let reads = server::service::ReadService::new(db.clone());
        build(&db).await;
        common::add_user(&db, "viewer@team.example", "Vi", app::domain::Role::Viewer).await;
        let base = common::spawn(db.clone()).await;
        let url = |path: &str| format!("{base}/api/v1/analytics/{path}");

        let anon = common::client();
        let res = anon
            .get(url(&format!("sentiment?{PERIOD}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{engine}");

        let c = sign_in(&base, "viewer@team.example").await;
        let a = reads.analytics(&query(&[])).await.unwrap();
        let pretty = |v: serde_json::Result<String>| v.unwrap() + "\n";
        for (name, part) in [
            (
                "sentiment",
                pretty(serde_json::to_string_pretty(&a.sentiment)),
            ),
            (
                "retention",
                pretty(serde_json::to_string_pretty(&a.retention)),
            ),
            ("speed", pretty(serde_json::to_string_pretty(&a.speed))),
            ("repeat", pretty(serde_json::to_string_pretty(&a.repeat))),
            ("weekly", pretty(serde_json::to_string_pretty(&a.weekly))),
        ] {
            let res = c
                .get(url(&format!("{name}?{PERIOD}")))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{engine}: {name}");
            assert_eq!(res.text().await.unwrap(), part, "{name}");
        }
        // A filter in the URL reaches the figures.
        let v: serde_json::Value = c
            .get(url(&format!("retention?{PERIOD}&kind=outage")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["query"]["kind"], "outage");
        let credit = v["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["group"] == "credit");
        assert_eq!(credit.unwrap()["cases"], 2);

        // CSV: a header and one row per group.
        let res = c
            .get(url(&format!("sentiment?{PERIOD}&format=csv")))
            .send()
            .await
            .unwrap();
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let text = res.text().await.unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1 + 8);
        assert!(lines[0].starts_with("group,label,cases,replies,mean_sentiment"));
        assert!(lines
            .iter()
            .any(|l| l.starts_with("no_action,No action,2,2,-0.250000,")));

        // Bad input names its field; unknown reports are 404.
        for (q, field) in [
            ("from=2026-02-30", "from"),
            ("from=2026-03-01&to=2026-02-01", "to"),
            ("kind=meteor", "kind"),
            ("format=xml", "format"),
        ] {
            let res = c.get(url(&format!("speed?{q}"))).send().await.unwrap();
            assert_eq!(res.status(), 422, "{q}");
            let v: serde_json::Value = res.json().await.unwrap();
            assert_eq!(v["field"], field, "{q}");
        }
        let res = c.get(url("churn")).send().await.unwrap();
        assert_eq!(res.status(), 404);
    })
    .await;
}

#[tokio::test]
async fn the_command_line_prints_what_the_api_returns() {
    let dir = std::env::temp_dir().join(format!("amends_analytics_cli_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let db = Db::connect(&server::store::sqlite_url_in(&dir).unwrap())
        .await
        .unwrap();
    db.migrate().await.unwrap();
    build(&db).await;
    common::add_user(&db, "viewer@team.example", "Vi", app::domain::Role::Viewer).await;
    let base = common::spawn(db.clone()).await;
    let c = sign_in(&base, "viewer@team.example").await;
    for name in [
        "sentiment",
        "retention",
        "speed",
        "repeat",
        "weekly",
        "adjusted",
    ] {
        for format in ["json", "csv"] {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_amends"))
                .arg("--data-dir")
                .arg(&dir)
                .args([
                    "analytics",
                    name,
                    "--from",
                    "2026-01-01",
                    "--to",
                    "2026-04-01",
                ])
                .args(["--as-of", "2026-07-01", "--format", format])
                .env_remove("DATABASE_URL")
                .env("AMENDS_LOG", "warn")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let api = c
                .get(format!(
                    "{base}/api/v1/analytics/{name}?{PERIOD}&format={format}"
                ))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert_eq!(
                String::from_utf8(out.stdout).unwrap(),
                api,
                "{name} {format}"
            );
        }
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_amends"))
        .arg("--data-dir")
        .arg(&dir)
        .args(["analytics", "speed", "--as-of", "July"])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--as-of: Enter a date like"), "{err}");

    // The raw inputs: one row per case (C5's pair is there, marked as not a case).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_amends"))
        .arg("--data-dir")
        .arg(&dir)
        .args(["export", "cases"])
        .env_remove("DATABASE_URL")
        .env("AMENDS_LOG", "warn")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 1 + 9, "7 pairs of I1/I2, and I0's and I3's");
    assert!(rows[0].starts_with("incident_id,incident_kind,severity,incident_started_at"));
    assert!(rows
        .iter()
        .any(|r| r.contains(",apology;credit,") && r.ends_with(",10.00 USD,true")));
    assert_eq!(
        rows.iter().filter(|r| r.ends_with(",false")).count(),
        2,
        "C5 and C9"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_amends"))
        .arg("--data-dir")
        .arg(&dir)
        .args(["export", "replies"])
        .env_remove("DATABASE_URL")
        .env("AMENDS_LOG", "warn")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    // C4's unlinked replies are attributed to I1 and I2; C7's to nothing.
    let attributed: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(attributed.len(), 9);
    assert_eq!(
        attributed
            .iter()
            .filter(|r| r[2].is_empty() && !r[3].is_empty())
            .count(),
        3
    );
    assert_eq!(attributed.iter().filter(|r| r[3].is_empty()).count(), 1);
    assert!(attributed
        .iter()
        .any(|r| r[8] == "0.6000" && r[7] == "-0.2000" && r[9] == "true"));
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
