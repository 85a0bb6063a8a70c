//! One week of the demo data through every output a person uses: the report page, its
//! CSV, Markdown and printable HTML downloads, and the dashboard's weekly figures from the
//! API. They must all say the same numbers.

mod common;

use app::domain::report::{Figure, Unit, WeekReport};
use common::{on_both, spawn, UNTIL};
use reqwest::StatusCode;
use server::demo::{simulate, write, Scale};
use std::collections::BTreeMap;

const WEEK: &str = "2026-W44";

async fn sign_in(base: &str) -> reqwest::Client {
    let c = common::client();
    let res = c
        .post(format!("{base}/login"))
        .header("origin", base)
        .form(&[
            ("email", "viewer@team.example"),
            ("password", common::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    c
}

async fn get(c: &reqwest::Client, url: &str) -> (StatusCode, String, String) {
    let res = c.get(url).send().await.unwrap();
    let status = res.status();
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, kind, res.text().await.unwrap())
}

/// The text of each `<td>` of the page's figure row `key`, tags stripped.
fn html_row(html: &str, key: &str) -> Vec<String> {
    let start = html
        .find(&format!("data-figure=\"{key}\""))
        .unwrap_or_else(|| panic!("no figure row {key} in the page"));
    let row = &html[start..start + html[start..].find("</tr>").unwrap()];
    row.split("<td")
        .skip(1)
        .map(|cell| {
            let inner = &cell[cell.find('>').unwrap() + 1..cell.find("</td>").unwrap()];
            strip_tags(inner)
        })
        .collect()
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in s.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").trim().to_string()
}

/// The Markdown headline table: label → cells.
fn md_rows(md: &str) -> BTreeMap<String, Vec<String>> {
    let section = &md[md.find("## Headline").unwrap()..md.find("## Recovery actions").unwrap()];
    section
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Figure"))
        .map(|l| {
            let cells: Vec<String> = l
                .trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect();
            (cells[0].replace('\\', ""), cells[1..].to_vec())
        })
        .collect()
}

/// The CSV's block `table` as rows of named cells.
fn csv_block(csv: &str, table: &str) -> Vec<BTreeMap<String, String>> {
    let block = csv
        .split("\n\n")
        .find(|b| {
            b.lines()
                .nth(1)
                .is_some_and(|l| l.starts_with(&format!("{table},")))
        })
        .unwrap_or_else(|| panic!("no {table} block in the CSV"));
    let mut r = csv::Reader::from_reader(block.as_bytes());
    let header = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .map(str::to_string)
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// The dashboard's weekly value of a figure of the report.
fn dashboard_value(week: &serde_json::Value, f: &Figure) -> Option<f64> {
    match f.unit {
        Unit::Money => Some(
            week["cost"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|m| m["currency"].as_str() == f.currency.as_deref())
                .map(|m| m["minor"].as_i64().unwrap() as f64)
                .sum(),
        ),
        _ => week[f.key.as_str()].as_f64(),
    }
}

#[tokio::test]
async fn page_csv_markdown_html_and_dashboard_agree_on_a_demo_week() {
    on_both(|db, engine| async move {
        write(&db, &simulate(9, Scale::Small, UNTIL), false)
            .await
            .unwrap();
        common::add_user(&db, "viewer@team.example", "Vi", app::domain::Role::Viewer).await;
        let base = spawn(db.clone()).await;
        let c = sign_in(&base).await;
        let file = |ext: &str| format!("{base}/reports/weekly/{WEEK}/report.{ext}");

        let (status, _, json) = get(&c, &file("json")).await;
        assert_eq!(status, StatusCode::OK, "{engine}");
        let report: WeekReport = serde_json::from_str(&json).unwrap();
        assert!(
            !report.incidents.is_empty(),
            "{engine}: the demo has incidents in {WEEK}"
        );

        let (status, _, page) = get(&c, &format!("{base}/reports/weekly/{WEEK}")).await;
        assert_eq!(status, StatusCode::OK);
        let (_, csv_kind, csv) = get(&c, &file("csv")).await;
        assert!(csv_kind.starts_with("text/csv"));
        let (_, md_kind, md) = get(&c, &file("md")).await;
        assert!(md_kind.starts_with("text/markdown"));
        let (_, html_kind, html) = get(&c, &file("html")).await;
        assert!(html_kind.starts_with("text/html"));
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<style>"));

        // The dashboard's weekly figures for the period the report covers.
        let api = format!(
            "{base}/api/v1/analytics/weekly?from={}&to={}",
            report.period_from, report.period_to
        );
        let (_, _, weekly) = get(&c, &api).await;
        let weekly: serde_json::Value = serde_json::from_str(&weekly).unwrap();
        let weeks = weekly["weeks"].as_array().unwrap();
        let find = |w: &str| weeks.iter().find(|x| x["week"] == w).unwrap().clone();
        let (this, before) = (find(WEEK), find(&report.prev));

        let csv_figures = csv_block(&csv, "figures");
        let md_figures = md_rows(&md);
        assert_eq!(csv_figures.len(), report.figures.len(), "{engine}");
        for f in &report.figures {
            // The dashboard: this week and the week before.
            let want = dashboard_value(&this, f);
            match (f.value, want) {
                (Some(a), Some(b)) => {
                    assert!((a - b).abs() < 1e-9, "{engine} {}: {a} ≠ {b}", f.key)
                }
                (a, b) => assert_eq!(a, b, "{engine} {}", f.key),
            }
            let prev = dashboard_value(&before, f);
            assert_eq!(
                f.previous.map(|v| (v * 1e9).round()),
                prev.map(|v| (v * 1e9).round()),
                "{}",
                f.key
            );
            // The CSV, in plain numbers.
            let row = csv_figures.iter().find(|r| r["figure"] == f.key).unwrap();
            assert_eq!(row["this_week"], f.plain(want), "{engine} CSV {}", f.key);
            assert_eq!(row["previous_week"], f.plain(prev), "CSV {}", f.key);
            // The page, the printable HTML and the Markdown, as a person reads them.
            let shown = [
                f.show(want),
                f.show(prev),
                f.show_change(),
                f.show(f.average),
            ];
            assert_eq!(html_row(&page, &f.key), shown, "{engine} page {}", f.key);
            assert_eq!(html_row(&html, &f.key), shown, "HTML {}", f.key);
            assert_eq!(
                md_figures.get(&f.label),
                Some(&shown.to_vec()),
                "Markdown {}",
                f.label
            );
        }

        // Every incident of the week is in every output.
        let csv_incidents = csv_block(&csv, "incidents");
        assert_eq!(csv_incidents.len(), report.incidents.len());
        for i in &report.incidents {
            let row = csv_incidents
                .iter()
                .find(|r| r["incident"] == i.id.to_string())
                .unwrap();
            assert_eq!(row["affected"], i.affected.to_string());
            assert_eq!(row["replies"], i.replies.to_string());
            assert!(
                page.contains(&format!("data-incident=\"{}\"", i.id)),
                "{engine}"
            );
            assert!(
                md.contains(&format!("| #{} ", i.id)),
                "Markdown lacks #{}",
                i.id
            );
        }
        // The week's actions by kind agree with the dashboard's.
        let kinds = this["actions_by_kind"].as_array().unwrap();
        let csv_kinds = csv_block(&csv, "actions");
        assert_eq!(csv_kinds.len(), kinds.len());
        for k in kinds {
            let row = csv_kinds
                .iter()
                .find(|r| r["kind"] == k["kind"].as_str().unwrap())
                .unwrap();
            assert_eq!(row["count"], k["count"].as_u64().unwrap().to_string());
        }
    })
    .await;
}

#[tokio::test]
async fn weeks_that_are_not_weeks_or_have_not_started_are_refused_clearly() {
    let t = common::TestDb::sqlite().await;
    common::add_user(
        &t.db,
        "viewer@team.example",
        "Vi",
        app::domain::Role::Viewer,
    )
    .await;
    let base = spawn(t.db.clone()).await;
    let c = sign_in(&base).await;

    let (status, _, body) = get(&c, &format!("{base}/reports/weekly/2025-W53/report.csv")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("2025 has weeks 01 to 52"), "{body}");
    let (status, _, body) = get(&c, &format!("{base}/reports/weekly/2199-W01/report.md")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("has not started yet"), "{body}");
    let (status, _, body) = get(&c, &format!("{base}/reports/weekly/0001-W01/report.md")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("years 1970 to 2200"), "{body}");
    let (status, _, _) = get(&c, &format!("{base}/reports/weekly/2026-W01/report.pdf")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The page names the problem at the week field instead of failing.
    let (status, _, page) = get(&c, &format!("{base}/reports/weekly/2026-W99")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("2026 has weeks 01 to 53, not 99."), "{page}");
    assert!(page.contains("No report for this week"));

    // The picker's form lands on the week it names; without one, on the last full week.
    let res = c
        .get(format!("{base}/reports/weekly?week=2026-W47"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["location"], "/reports/weekly/2026-W47");
    let res = c
        .get(format!("{base}/reports/weekly"))
        .send()
        .await
        .unwrap();
    let last_full = server::zone::Zone::utc()
        .week_of(app::domain::when::now_ms())
        .prev()
        .label();
    assert_eq!(
        res.headers()["location"],
        format!("/reports/weekly/{last_full}").as_str()
    );

    // An empty database still has a report: a quiet week, not an error.
    let (status, _, page) = get(&c, &format!("{base}/reports/weekly/{last_full}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("A quiet week"), "{page}");
    t.drop_async().await;
}
