//! Kaplan–Meier retention curves as steps, each with its 95 % interval as a light band.

use super::{finish, palette::Rgb, FONT, HEIGHT, WIDTH};
use crate::domain::analytics::CurvePoint;
use plotters::prelude::*;

/// Keep at most one point per `step` days (the last of each slot), plus the first and last:
/// a curve of thousands of churns draws the same at chart size.
pub fn thin(curve: &[CurvePoint], step: f64) -> Vec<CurvePoint> {
    let mut out: Vec<CurvePoint> = Vec::new();
    for p in curve {
        let slot = (p.t / step).floor();
        let same_slot = out.len() > 1 && out.last().is_some_and(|l| (l.t / step).floor() == slot);
        if same_slot {
            if let Some(last) = out.last_mut() {
                *last = *p;
            }
        } else {
            out.push(*p);
        }
    }
    out
}

/// The step path of a curve (or of one of its bounds), cut at `max_t` days.
fn steps(curve: &[CurvePoint], max_t: f64, pick: impl Fn(&CurvePoint) -> f64) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut prev: Option<f64> = None;
    for p in curve.iter().filter(|p| p.t <= max_t) {
        if let Some(v) = prev {
            out.push((p.t, v));
        }
        out.push((p.t, pick(p)));
        prev = Some(pick(p));
    }
    if let (Some(v), Some(last)) = (prev, curve.iter().rfind(|p| p.t <= max_t)) {
        let end = curve.last().map_or(last.t, |p| p.t.min(max_t));
        out.push((end, v));
    }
    out
}

/// One line per series `(label, colour, curve)`; `None` when no series has a point past
/// t = 0.
pub fn retention_curves(series: &[(String, Rgb, Vec<CurvePoint>)], max_t: f64) -> Option<String> {
    if series.iter().all(|(_, _, c)| c.len() < 2) {
        return None;
    }
    let low = series
        .iter()
        .flat_map(|(_, _, c)| c.iter().filter(|p| p.t <= max_t).map(|p| p.lower))
        .fold(1.0_f64, f64::min);
    // Zoom in on the part of the axis the curves use, in 10 % steps.
    let y0 = ((low * 10.0).floor() / 10.0).clamp(0.0, 0.9);
    let mut svg = String::new();
    let ok = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(62)
            .build_cartesian_2d(0.0..max_t, y0..1.0)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(220, 220, 220))
            .x_desc("Days since the incident started")
            .y_desc("Still a customer")
            .y_label_formatter(&|v| format!("{:.0} %", v * 100.0))
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 14))
            .draw()?;
        for (label, colour, curve) in series {
            if curve.len() < 2 {
                continue;
            }
            let c: RGBColor = (*colour).into();
            let upper = steps(curve, max_t, |p| p.upper);
            let mut band = upper.clone();
            band.extend(steps(curve, max_t, |p| p.lower).into_iter().rev());
            chart.draw_series(std::iter::once(Polygon::new(band, c.mix(0.12).filled())))?;
            chart
                .draw_series(LineSeries::new(
                    steps(curve, max_t, |p| p.survival),
                    c.stroke_width(2),
                ))?
                .label(label.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(3))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .label_font((FONT, 13))
            .draw()?;
        root.present()?;
        Ok(())
    })()
    .is_ok();
    finish(svg, ok)
}
