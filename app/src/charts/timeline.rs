//! One customer's reply sentiment over time: a point per reply, joined in order.

use super::{finish, FONT, WIDTH};
use crate::domain::analytics::DAY_MS;
use plotters::prelude::*;

/// `points` are (received at, epoch ms; effective score). `None` with fewer than two.
pub fn sentiment_over_time(points: &[(i64, f64)]) -> Option<String> {
    if points.len() < 2 {
        return None;
    }
    let mut pts = points.to_vec();
    pts.sort_by_key(|p| p.0);
    let t0 = pts[0].0;
    let days: Vec<(f64, f64)> = pts
        .iter()
        .map(|(t, s)| ((t - t0) as f64 / DAY_MS as f64, *s))
        .collect();
    let span = days.last().map_or(1.0, |d| d.0).max(1.0);
    let mut svg = String::new();
    let ok = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 240)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .margin_right(24)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(-span * 0.02..span * 1.02, -1.0..1.0)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(220, 220, 220))
            .x_labels(6)
            .x_label_formatter(&|d| crate::format::date(t0 + (d * DAY_MS as f64) as i64))
            .y_label_formatter(&|v| format!("{v:+.1}"))
            .y_desc("Sentiment")
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 14))
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(-span, 0.0), (span * 2.0, 0.0)],
            RGBColor(120, 120, 120).stroke_width(1),
        )))?;
        let ink = RGBColor(0x00, 0x72, 0xb2);
        chart.draw_series(LineSeries::new(days.clone(), ink.stroke_width(2)))?;
        chart.draw_series(days.iter().map(|p| {
            let colour = if p.1 >= 0.05 {
                RGBColor(0x00, 0x9e, 0x73)
            } else if p.1 <= -0.05 {
                RGBColor(0xd5, 0x5e, 0x00)
            } else {
                RGBColor(110, 110, 110)
            };
            Circle::new(*p, 4, colour.filled())
        }))?;
        root.present()?;
        Ok(())
    })()
    .is_ok();
    finish(svg, ok)
}
