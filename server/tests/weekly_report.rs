//! The weekly report on a small hand-built data set, on SQLite and PostgreSQL alike. Every
//! expected figure was worked out by hand (below); the report's week figures must also equal
//! the dashboard's weekly row for the same period.
//!
//! Week 2026-W47 = Mon 16 Nov – Sun 22 Nov 2026 (UTC). t(d, h) = 16 Nov + d days + h hours.
//! Customers C1–C6. Incidents:
//! - E  outage sev3, 1 Oct (W40), resolved 2 Oct; hits C2; nothing given.
//! - O  bug sev2, 1 Sep, still *mitigated*; hits C6; nothing given.
//! - P  degradation sev2, Tue 10 Nov 08:00 (W46), resolved Tue 17 Nov 10:00 (in W47);
//!   hits C4, C6; C6 a 5.00 USD gift at 10 Nov 12:00 (4 h after detection); C6 replies
//!   +0.9 on 11 Nov.
//! - A  outage sev1, t(0,10), detected t(0,11), resolved t(0,16); hits C1, C2, C3; C1 a
//!   10.00 USD credit at t(0,11:30) (30 min), C2 an apology at t(0,13); replies C1 +0.8
//!   t(1,0), C2 +0.6 t(1,0), C2 +0.4 t(2,0), C3 unlinked −0.2 t(1,12) (→ A); C3 churns t(3,0).
//! - B  bug sev3, t(2,9), detected at once, open; hits C4, C5, C1; C4 a 25.00 USD refund at
//!   t(4,9) (48 h); replies C4 −0.5 t(5,0), C5 −0.7 t(5,0), C1 −0.3 t(6,0).
//!
//! W47: opened 2 (A, B); resolved 2 (A, P); customers affected 5 (C1–C5); actions 3, cost
//! 35.00 USD; replies 7, mean (0.8+0.6+0.4−0.2−0.5−0.7−0.3)/7 = 0.1/7; positive 3/7;
//! churned 1 (C3). W46: opened 1, resolved 0, affected 2, actions 1 (5.00 USD), replies 1
//! (+0.9, all positive), churned 0. The eight weeks W39–W46 also hold W40 (E: opened 1,
//! resolved 1, affected 1), so the averages are 2/8, 1/8, 3/8, 1/8, 5.00/8 USD, 1/8, and
//! 0.9 and 1.0 for the weeks with replies.
//!
//! Per incident: P 7 d 2 h, first contact 4 h, 2 affected, 1 not contacted, 1 reply (+0.9);
//! A 6 h, 30 min, 3 affected, 1 not contacted, 4 replies mean 0.4, 1 churned;
//! B open (7 d 3 h at the report's now, Wed 25 Nov 12:00), 48 h, 3 affected, 2 not
//! contacted, 3 replies mean −0.5.
//! Best recovered A, worst B (P has too few replies); slowest first contact B. Hit again
//! within 90 days: C1 (A, B), C2 (E, A), C4 (P, B), 2 incidents each; not C6 (not hit this
//! week). Open with customers not contacted: O (sev2, 1 of 1), then B (sev3, 2 of 3).

mod common;

use app::domain::analytics::{AnalyticsParams, DAY_MS};
use app::domain::week::IsoWeek;
use app::domain::Money;
use common::{on_both, rows};
use server::store::Db;
use server::zone::Zone;

const H: i64 = 3_600_000;

fn at(s: &str) -> i64 {
    app::domain::when::parse_input(s).unwrap()
}

fn t(d: i64, h: f64) -> i64 {
    at("2026-11-16T00:00") + d * DAY_MS + (h * H as f64) as i64
}

#[track_caller]
fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() < 1e-9, "{what}: {a} ≠ {b}");
}

async fn customer(db: &Db, r: &str) -> i64 {
    rows::customer(db, r, "basic", at("2025-01-01T00:00"), None).await
}

#[allow(clippy::too_many_arguments)]
async fn incident(
    db: &Db,
    title: &str,
    kind: &str,
    severity: &str,
    status: &str,
    started: i64,
    detected: i64,
    resolved: Option<i64>,
) -> i64 {
    let i = rows::Incident {
        title,
        kind,
        severity,
        status,
        started,
        detected,
        resolved,
    };
    rows::incident(db, i).await
}

async fn give(db: &Db, incident: i64, customer: i64, kind: &str, cost: i64, when: i64) {
    rows::action(db, incident, customer, kind, cost, "USD", when).await;
}

async fn reply(db: &Db, customer: i64, incident: Option<i64>, at: i64, auto: f64, body: &str) {
    let r = rows::Reply {
        customer,
        incident,
        at,
        auto,
        manual: None,
        csat: None,
        body,
    };
    rows::reply(db, r).await;
}

struct Ids {
    a: i64,
    b: i64,
    p: i64,
    o: i64,
    c: [i64; 6],
}

async fn build(db: &Db) -> Ids {
    let mut c = [0; 6];
    for (i, id) in c.iter_mut().enumerate() {
        *id = customer(db, &format!("C{}", i + 1)).await;
    }
    let e = incident(
        db,
        "Early outage",
        "outage",
        "sev3",
        "resolved",
        at("2026-10-01T09:00"),
        at("2026-10-01T09:00"),
        Some(at("2026-10-02T09:00")),
    )
    .await;
    rows::affected(db, e, c[1]).await;
    let o = incident(
        db,
        "Old sync bug",
        "bug",
        "sev2",
        "mitigated",
        at("2026-09-01T09:00"),
        at("2026-09-01T09:00"),
        None,
    )
    .await;
    rows::affected(db, o, c[5]).await;
    let p = incident(
        db,
        "Slow search",
        "degradation",
        "sev2",
        "resolved",
        at("2026-11-10T08:00"),
        at("2026-11-10T08:00"),
        Some(at("2026-11-17T10:00")),
    )
    .await;
    rows::affected(db, p, c[3]).await;
    rows::affected(db, p, c[5]).await;
    give(db, p, c[5], "gift", 500, at("2026-11-10T12:00")).await;
    reply(
        db,
        c[5],
        Some(p),
        at("2026-11-11T09:00"),
        0.9,
        "Lovely gift, thank you",
    )
    .await;

    let a = incident(
        db,
        "Checkout down",
        "outage",
        "sev1",
        "resolved",
        t(0, 10.0),
        t(0, 11.0),
        Some(t(0, 16.0)),
    )
    .await;
    for i in [0, 1, 2] {
        rows::affected(db, a, c[i]).await;
    }
    give(db, a, c[0], "credit", 1000, t(0, 11.5)).await;
    give(db, a, c[1], "apology", 0, t(0, 13.0)).await;
    reply(
        db,
        c[0],
        Some(a),
        t(1, 0.0),
        0.8,
        "Thanks for the quick credit!",
    )
    .await;
    reply(db, c[1], Some(a), t(1, 0.0), 0.6, "Appreciate the apology.").await;
    reply(db, c[1], Some(a), t(2, 0.0), 0.4, "Working again, fine.").await;
    reply(db, c[2], None, t(1, 12.0), -0.2, "Nobody told me anything.").await;
    rows::churn(db, c[2], t(3, 0.0)).await;

    let b = incident(
        db,
        "Export | broken *again*",
        "bug",
        "sev3",
        "open",
        t(2, 9.0),
        t(2, 9.0),
        None,
    )
    .await;
    for i in [3, 4, 0] {
        rows::affected(db, b, c[i]).await;
    }
    give(db, b, c[3], "refund", 2500, t(4, 9.0)).await;
    reply(db, c[3], Some(b), t(5, 0.0), -0.5, "Still broken.").await;
    reply(
        db,
        c[4],
        Some(b),
        t(5, 0.0),
        -0.7,
        "This is the worst week, two outages!",
    )
    .await;
    reply(db, c[0], Some(b), t(6, 0.0), -0.3, "Again?").await;
    Ids { a, b, p, o, c }
}

fn w47() -> IsoWeek {
    IsoWeek::parse("2026-W47").unwrap()
}

#[tokio::test]
async fn the_weekly_report_has_the_hand_worked_figures() {
    on_both(|db, engine| async move {
        let reads = server::service::ReadService::new(db.clone());
        let ids = build(&db).await;
        let now = at("2026-11-25T12:00");
        let r = reads.week_report(w47(), now).await.unwrap();
        assert_eq!(
            (r.first_day.as_str(), r.last_day.as_str()),
            ("2026-11-16", "2026-11-22"),
            "{engine}"
        );
        assert!(r.complete && !r.is_quiet());
        assert_eq!((r.prev.as_str(), r.next.as_str()), ("2026-W46", "2026-W48"));
        assert!(r.next_exists, "W48 started on 23 Nov");

        let f = |key: &str| {
            r.figure(key)
                .unwrap_or_else(|| panic!("{engine}: no {key}"))
        };
        let expect = [
            ("incidents_opened", 2.0, Some(1.0), 2.0 / 8.0),
            ("incidents_resolved", 2.0, Some(0.0), 1.0 / 8.0),
            ("customers_affected", 5.0, Some(2.0), 3.0 / 8.0),
            ("actions", 3.0, Some(1.0), 1.0 / 8.0),
            ("cost_USD", 3500.0, Some(500.0), 500.0 / 8.0),
            ("replies", 7.0, Some(1.0), 1.0 / 8.0),
            ("mean_sentiment", 0.1 / 7.0, Some(0.9), 0.9),
            ("share_positive", 3.0 / 7.0, Some(1.0), 1.0),
            ("churned", 1.0, Some(0.0), 0.0),
        ];
        for (key, value, previous, average) in expect {
            let fig = f(key);
            close(fig.value.unwrap(), value, &format!("{engine} {key}"));
            close(
                fig.previous.unwrap(),
                previous.unwrap(),
                &format!("{engine} {key} before"),
            );
            close(
                fig.average.unwrap(),
                average,
                &format!("{engine} {key} average"),
            );
        }
        assert_eq!(
            r.figures.len(),
            expect.len(),
            "{engine}: one money figure per currency"
        );
        assert_eq!(f("customers_affected").show_change(), "+3");
        assert_eq!(f("cost_USD").show(f("cost_USD").value), "$35.00");

        let kinds: Vec<(&str, u64, u64)> = r
            .actions_by_kind
            .iter()
            .map(|k| (k.kind.code(), k.count, k.previous_count))
            .collect();
        assert_eq!(
            kinds,
            [("credit", 1, 0), ("refund", 1, 0), ("apology", 1, 0)],
            "{engine}"
        );

        let order: Vec<i64> = r.incidents.iter().map(|i| i.id).collect();
        assert_eq!(
            order,
            [ids.p, ids.a, ids.b],
            "{engine}: in the order they started"
        );
        let (p, a, b) = (&r.incidents[0], &r.incidents[1], &r.incidents[2]);
        assert!(!p.opened_this_week && p.resolved_this_week && !p.ongoing);
        assert_eq!(p.duration_ms, 7 * DAY_MS + 2 * H);
        assert_eq!(p.first_contact_ms, Some(4 * H));
        assert_eq!(
            (p.affected, p.not_contacted, p.replies, p.churned),
            (2, 1, 1, 0)
        );
        assert_eq!(p.cost, [Money::new(500, "USD")]);
        assert_eq!(a.duration_ms, 6 * H);
        assert_eq!(a.first_contact_ms, Some(30 * 60_000));
        assert_eq!(
            (a.affected, a.not_contacted, a.replies, a.churned),
            (3, 1, 4, 1),
            "{engine}"
        );
        close(a.mean_sentiment.unwrap(), 0.4, "A's mean");
        assert_eq!(a.show_actions(), "1 × credit, 1 × apology");
        assert!(b.ongoing && b.opened_this_week && !b.resolved_this_week);
        assert_eq!(b.duration_ms, 7 * DAY_MS + 3 * H);
        assert_eq!(b.show_duration(), "7 d 3 h so far");
        assert_eq!(b.first_contact_ms, Some(48 * H));
        assert_eq!((b.affected, b.not_contacted, b.replies), (3, 2, 3));
        close(b.mean_sentiment.unwrap(), -0.5, "B's mean");

        let h = &r.highlights;
        assert_eq!(h.rated, 2, "{engine}: P has one reply");
        assert_eq!(h.best.as_ref().map(|x| x.id), Some(ids.a), "{engine}");
        assert_eq!(h.worst.as_ref().map(|x| x.id), Some(ids.b));
        assert_eq!(
            h.slowest.as_ref().map(|x| (x.id, x.first_contact_ms)),
            Some((ids.b, 48 * H))
        );
        let repeat: Vec<(i64, u64)> = h
            .repeat
            .iter()
            .map(|x| (x.customer_id, x.incidents))
            .collect();
        assert_eq!(
            repeat,
            [(ids.c[0], 2), (ids.c[1], 2), (ids.c[3], 2)],
            "{engine}"
        );
        assert_eq!(h.repeat_total, 3);
        assert_eq!(h.repeat[0].name, "Customer C1");
        let open: Vec<(i64, u64, u64)> = h
            .uncontacted
            .iter()
            .map(|u| (u.id, u.affected, u.not_contacted))
            .collect();
        assert_eq!(open, [(ids.o, 1, 1), (ids.b, 3, 2)], "{engine}");

        let scores =
            |l: &[app::domain::report::NotableReply]| l.iter().map(|n| n.score).collect::<Vec<_>>();
        assert_eq!(scores(&r.most_positive), [0.8, 0.6, 0.4], "{engine}");
        assert_eq!(scores(&r.most_negative), [-0.7, -0.5, -0.3]);
        assert_eq!(
            r.most_negative[0].excerpt,
            "This is the worst week, two outages!"
        );
        assert_eq!(r.most_negative[0].incident_id, Some(ids.b));

        // The same figures as the dashboard's weekly row for the report's period.
        let q = AnalyticsParams {
            from: Some(r.period_from.clone()),
            to: Some(r.period_to.clone()),
            ..Default::default()
        }
        .parse(now)
        .unwrap();
        let analytics = reads.analytics(&q).await.unwrap();
        let row = analytics
            .weekly
            .weeks
            .iter()
            .find(|w| w.figures.week == "2026-W47")
            .unwrap();
        let w = &row.figures;
        assert_eq!(f("incidents_opened").value, Some(w.incidents_opened as f64));
        assert_eq!(
            f("incidents_resolved").value,
            Some(w.incidents_resolved as f64)
        );
        assert_eq!(
            f("customers_affected").value,
            Some(w.customers_affected as f64)
        );
        assert_eq!(f("actions").value, Some(w.actions as f64));
        assert_eq!(f("replies").value, Some(w.replies as f64));
        assert_eq!(f("churned").value, Some(w.churned as f64));
        assert_eq!(f("mean_sentiment").value, w.mean_sentiment);
        assert_eq!(f("share_positive").value, w.share_positive);
        assert_eq!(w.cost, [Money::new(3500, "USD")]);
        assert_eq!(r.trend.len(), 9);
        assert_eq!(
            r.trend.last().map(|t| t.figures.clone()),
            Some(w.clone()),
            "{engine}"
        );
        // Made afresh, the report is the same to the byte, charts included (a chart whose
        // bars came out in hash-map order differed from one drawing to the next).
        for _ in 0..4 {
            let (_, again) = reads.build_week_report(w47(), now).await.unwrap();
            assert_eq!(again.charts, r.charts, "{engine}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_week_with_nothing_in_it_is_a_quiet_report() {
    on_both(|db, engine| async move {
        let reads = server::service::ReadService::new(db.clone());
        build(&db).await;
        let week = IsoWeek::parse("2026-W10").unwrap();
        let r = reads
            .week_report(week, at("2026-11-25T12:00"))
            .await
            .unwrap();
        assert!(r.is_quiet(), "{engine}");
        assert!(r.incidents.is_empty() && r.most_positive.is_empty());
        assert_eq!(
            r.figure("incidents_opened").and_then(|f| f.value),
            Some(0.0)
        );
        assert_eq!(r.figure("mean_sentiment").and_then(|f| f.value), None);
        assert!(r.highlights.best.is_none() && r.highlights.slowest.is_none());
        // Open incidents not yet contacted are listed whatever the week: O started later.
        assert!(r.highlights.uncontacted.is_empty(), "O started after W10");
        // The trend chart says why it is empty rather than drawing nothing.
        let trend = r.charts.iter().find(|c| c.id == "trend").unwrap();
        assert!(trend.svg.is_none() && !trend.empty.is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_week_starts_at_monday_midnight_in_the_team_time_zone() {
    on_both(|db, engine| async move {
        let reads = server::service::ReadService::new(db.clone());
        // Sunday 22 Nov 12:00 UTC is Monday 23 Nov 01:00 in Auckland (UTC+13).
        let c = customer(&db, "Z1").await;
        let late = at("2026-11-22T12:00");
        let z = incident(
            &db,
            "Late Sunday",
            "outage",
            "sev4",
            "resolved",
            late,
            late,
            Some(late + H),
        )
        .await;
        rows::affected(&db, z, c).await;
        let now = at("2026-12-01T12:00");
        let opened = |r: &app::domain::report::WeekReport| {
            r.figure("incidents_opened").and_then(|f| f.value)
        };

        let utc = reads.week_report(w47(), now).await.unwrap();
        assert_eq!(opened(&utc), Some(1.0), "{engine}: UTC puts it in W47");
        let auckland = server::service::ReadService::new(
            db.clone()
                .with_zone(Zone::parse("Pacific/Auckland").unwrap()),
        );
        let r47 = auckland.week_report(w47(), now).await.unwrap();
        assert_eq!(
            opened(&r47),
            Some(0.0),
            "{engine}: Auckland's W47 ended before it"
        );
        assert_eq!(
            (r47.first_day.as_str(), r47.zone.as_str()),
            ("2026-11-16", "Pacific/Auckland")
        );
        let r48 = auckland
            .week_report(IsoWeek::parse("2026-W48").unwrap(), now)
            .await
            .unwrap();
        assert_eq!(opened(&r48), Some(1.0));
        assert_eq!(r48.incidents[0].started, "Mon 2026-11-23 01:00");

        // The dashboard's weekly figures follow the same zone.
        let q = AnalyticsParams {
            from: Some("2026-11-01".into()),
            to: Some("2026-12-01".into()),
            ..Default::default()
        }
        .parse(now)
        .unwrap();
        let weeks = |a: &app::domain::analytics::Analytics| -> Vec<(String, u64)> {
            a.weekly
                .weeks
                .iter()
                .filter(|w| w.figures.incidents_opened > 0)
                .map(|w| (w.figures.week.clone(), w.figures.incidents_opened))
                .collect()
        };
        assert_eq!(
            weeks(&reads.analytics(&q).await.unwrap()),
            [("2026-W47".to_string(), 1)]
        );
        assert_eq!(
            weeks(&auckland.analytics(&q).await.unwrap()),
            [("2026-W48".to_string(), 1)],
            "{engine}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_change_to_the_data_retires_a_kept_report() {
    on_both(|db, engine| async move {
        let reads = server::service::ReadService::new(db.clone());
        let ids = build(&db).await;
        let now = at("2026-11-25T12:00");
        let first = reads.week_report(w47(), now).await.unwrap();
        let again = reads.week_report(w47(), now).await.unwrap();
        assert!(std::sync::Arc::ptr_eq(&first, &again), "{engine}: kept");
        give(&db, ids.b, ids.c[4], "credit", 700, t(5, 1.0)).await;
        let after = reads.week_report(w47(), now).await.unwrap();
        assert_eq!(
            after.figure("actions").and_then(|f| f.value),
            Some(4.0),
            "{engine}"
        );
        let b = after.incidents.iter().find(|i| i.id == ids.b).unwrap();
        assert_eq!(b.not_contacted, 1);
    })
    .await;
}
