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

/// The plotting area's height in pixels: the chart less its margins and the x axis labels.
const PLOT_HEIGHT: f64 = (HEIGHT - 2 * MARGIN - X_LABELS) as f64;
const MARGIN: u32 = 12;
const X_LABELS: u32 = 40;
const Y_LABELS: u32 = 62;

/// The curve as the chart can show it: a point is kept only once the curve or one of its
/// bounds has moved at least a pixel (up or down) since the last point kept, so the drawing
/// never strays from the exact steps by more than a pixel while a curve of thousands of
/// churns becomes a few hundred points. The first point, and the last within `max_t`, are
/// always kept. The table and the CSV keep every number.
pub fn at_resolution(curve: &[CurvePoint], max_t: f64, y0: f64) -> Vec<CurvePoint> {
    let per_unit = PLOT_HEIGHT / (1.0 - y0).max(f64::EPSILON);
    let shown: Vec<&CurvePoint> = curve.iter().filter(|p| p.t <= max_t).collect();
    let mut out: Vec<CurvePoint> = Vec::new();
    for (i, p) in shown.iter().enumerate() {
        let keep = match out.last() {
            None => true,
            Some(last) => {
                i + 1 == shown.len()
                    || [
                        p.survival - last.survival,
                        p.upper - last.upper,
                        p.lower - last.lower,
                    ]
                    .iter()
                    .any(|d| d.abs() * per_unit >= 1.0)
            }
        };
        if keep {
            out.push(**p);
        }
    }
    // Past `max_t` the curve still runs to the edge: `steps` ends it there.
    if let Some(after) = curve.iter().find(|p| p.t > max_t) {
        out.push(*after);
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
            .margin(MARGIN)
            .x_label_area_size(X_LABELS)
            .y_label_area_size(Y_LABELS)
            .build_cartesian_2d(0.0..max_t, y0..1.0)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
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
            let curve = &at_resolution(curve, max_t, y0);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn point(t: f64, survival: f64) -> CurvePoint {
        CurvePoint {
            t,
            survival,
            lower: survival - 0.02,
            upper: (survival + 0.02).min(1.0),
            at_risk: 1,
            events: 1,
            censored: 0,
        }
    }

    #[test]
    fn a_long_curve_keeps_a_point_per_pixel_of_travel_and_stays_within_a_pixel() {
        // 10,000 churns of 0.003 % each over 200 days: 0.3 of the axis from 1.0 to 0.7.
        let curve: Vec<CurvePoint> = (0..=10_000)
            .map(|i| point(i as f64 * 0.02, 1.0 - i as f64 * 0.00003))
            .collect();
        let (max_t, y0) = (180.0, 0.6);
        let kept = at_resolution(&curve, max_t, y0);
        assert!(kept.len() < 400, "{} points", kept.len());
        assert_eq!(kept[0].t, 0.0);
        // The last point drawn, then the first past the edge so the line runs to it.
        let last_shown = curve.iter().rfind(|p| p.t <= max_t).unwrap();
        assert_eq!(kept[kept.len() - 2].t, last_shown.t);
        assert!(kept[kept.len() - 1].t > max_t);
        // Between two kept points the drawn step is within a pixel of every exact value.
        let per_unit = PLOT_HEIGHT / (1.0 - y0);
        for pair in kept.windows(2) {
            for p in curve.iter().filter(|p| p.t > pair[0].t && p.t < pair[1].t) {
                assert!((p.survival - pair[0].survival).abs() * per_unit < 1.0);
            }
        }
    }

    #[test]
    fn a_short_curve_is_kept_whole() {
        let curve = vec![point(0.0, 1.0), point(10.0, 0.9), point(40.0, 0.8)];
        assert_eq!(at_resolution(&curve, 180.0, 0.7), curve);
    }
}
