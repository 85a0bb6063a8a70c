//! The adjusted model as a dashboard chart: a forest plot of hazard ratios, with the table
//! of every term and of what had to be left out.

use super::forest::{forest, Ratio};
use super::{colour_of, palette::Rgb};
use crate::domain::adjusted::{AdjustedReport, TermKind};
use crate::domain::analytics::Group;
use crate::domain::dashboard::{p_value, ChartView};
use crate::domain::ActionKind;
use crate::format;

/// The chart's id, in download URLs.
pub const ID: &str = "adjusted";

const COVARIATE: Rgb = Rgb(0x99, 0x99, 0x99);

/// `0.72 (0.58–0.89)`
fn ratio_ci(hr: f64, lo: f64, hi: f64) -> String {
    let f = |v: f64| {
        if v >= 100.0 {
            format!("{v:.0}")
        } else if v < 0.005 {
            "<0.01".to_string()
        } else {
            format!("{v:.2}")
        }
    };
    format!("{} ({}–{})", f(hr), f(lo), f(hi))
}

fn colour(name: &str, kind: TermKind) -> Rgb {
    let action = name
        .strip_prefix("action:")
        .and_then(|c| ActionKind::parse(c).ok());
    match (kind, action) {
        (TermKind::Action, Some(k)) => colour_of(Group::Action(k)),
        _ => COVARIATE,
    }
}

const TITLE: &str = "Adjusted effect on churn";

/// The panel while the model is still being fitted for this question.
pub fn pending() -> ChartView {
    ChartView {
        id: ID.into(),
        title: TITLE.into(),
        caption: "Hazard ratios of churn by action kind from a Cox model that holds severity, \
                  plan and monthly revenue equal."
            .into(),
        svg: None,
        empty: "The model is still being fitted for this question; reload the page in a few \
                seconds to see it."
            .into(),
        columns: vec![],
        rows: vec![],
    }
}

pub fn adjusted(r: &AdjustedReport) -> ChartView {
    let rows: Vec<Ratio> = r
        .terms
        .iter()
        .map(|t| Ratio {
            label: t.label.clone(),
            estimate: t.hazard_ratio,
            lower: t.lower,
            upper: t.upper,
            n: t.cases,
            colour: colour(&t.name, t.kind),
        })
        .collect();
    let baselines = if r.baselines.is_empty() {
        String::new()
    } else {
        format!(" Compared with {}.", r.baselines.join(" and "))
    };
    let mut table: Vec<Vec<String>> = r
        .terms
        .iter()
        .map(|t| {
            vec![
                t.label.clone(),
                format::count(t.cases as i64),
                ratio_ci(t.hazard_ratio, t.lower, t.upper),
                p_value(t.p_value),
            ]
        })
        .collect();
    for l in &r.left_out {
        table.push(vec![
            l.label.clone(),
            "—".into(),
            "left out".into(),
            l.reason.clone(),
        ]);
    }
    ChartView {
        id: ID.into(),
        title: TITLE.into(),
        caption: format!(
            "Hazard ratio of churning after the incident for cases given each kind of action, \
             from a Cox model that holds severity, plan and monthly revenue equal \
             ({} cases, {} churned), with 95 % intervals on a log scale. Below 1: customers \
             churned more slowly. Still observational: teams choose whom to give what.{baselines}",
            format::count(r.cases as i64),
            format::count(r.churned as i64),
        ),
        svg: super::guarded(|| forest(&rows, "Hazard ratio of churn (log scale)")),
        empty: r.refusal.clone().unwrap_or_else(|| {
            "Not enough data yet for this chart: no covariate could be estimated.".into()
        }),
        columns: ["Term", "Cases with it", "Hazard ratio (95 % CI)", "p"]
            .iter()
            .map(|c| c.to_string())
            .collect(),
        rows: table,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_read_with_two_decimals() {
        assert_eq!(ratio_ci(0.7234, 0.581, 0.8949), "0.72 (0.58–0.89)");
        assert_eq!(ratio_ci(2.0, 1.0, 250.0), "2.00 (1.00–250)");
        assert_eq!(ratio_ci(0.01, 0.00002, 17.27), "0.01 (<0.01–17.27)");
        assert_eq!(
            colour("action:credit", TermKind::Action),
            Rgb(0x00, 0x72, 0xb2)
        );
        assert_eq!(colour("plan:pro", TermKind::Plan), COVARIATE);
    }
}
