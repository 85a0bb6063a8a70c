//! The server-drawn charts: an SVG that scales (viewBox), every label in it, and "not
//! enough data" instead of a chart of nothing.

use app::charts::{colour_of, dots_with_whiskers, retention_curves, weekly_trend, Bar};
use app::domain::analytics::{CurvePoint, Group};
use app::domain::ActionKind;

fn bar(label: &str, value: Option<f64>, n: u64) -> Bar {
    Bar {
        label: label.into(),
        value,
        lower: value.map(|v| v - 0.1),
        upper: value.map(|v| v + 0.1),
        n,
        colour: colour_of(Group::Action(ActionKind::Credit)),
    }
}

#[test]
fn bars_name_every_group_with_its_n() {
    let svg = dots_with_whiskers(
        &[
            bar("Credit", Some(0.2), 556),
            bar("Proactive contact", Some(-0.1), 12),
            bar("Other", None, 0),
        ],
        (-0.5, 0.5),
        0.0,
        "Mean reply sentiment",
        false,
    )
    .expect("a chart");
    assert!(svg.contains("viewBox"), "scales to its panel");
    assert!(svg.contains("Credit (n = 556)"));
    assert!(svg.contains("Proactive contact (n = 12)"));
    assert!(svg.contains("no data"), "a group without replies says so");
    assert!(svg.contains("Mean reply sentiment"));
    // Nothing at all: no chart.
    assert_eq!(
        dots_with_whiskers(&[bar("Credit", None, 0)], (0.0, 1.0), 0.0, "x", true),
        None
    );
}

fn point(t: f64, s: f64) -> CurvePoint {
    CurvePoint {
        t,
        survival: s,
        lower: s - 0.05,
        upper: (s + 0.05).min(1.0),
        at_risk: 10,
        events: 1,
        censored: 0,
    }
}

#[test]
fn curves_have_a_legend_and_need_a_step() {
    let series = vec![(
        "Any action (n = 10)".to_string(),
        colour_of(Group::AnyAction),
        vec![point(0.0, 1.0), point(12.5, 0.9), point(80.0, 0.8)],
    )];
    let svg = retention_curves(&series, 90.0).expect("a chart");
    assert!(svg.contains("Any action (n = 10)"));
    assert!(svg.contains("Days since the incident started"));
    let flat = vec![(
        "x".to_string(),
        colour_of(Group::NoAction),
        vec![point(0.0, 1.0)],
    )];
    assert_eq!(retention_curves(&flat, 90.0), None);
    assert_eq!(weekly_trend(&[]), None);
}
