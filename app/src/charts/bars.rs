//! Horizontal bars with 95 % interval whiskers and each bar's n: sentiment by action,
//! retention by action, and the time-to-contact buckets. Horizontal, so every label reads
//! in full.

use super::{finish, palette::Rgb, segments, FONT, WIDTH};
use plotters::prelude::*;

/// One bar: a value with its interval (none when there is no data for it).
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub n: u64,
    pub colour: Rgb,
}

/// Bars from `baseline`, whiskers for the intervals, "label (n = …)" beside each; `x` is the
/// value axis range, `percent` formats it as percentages. `None` when no bar has a value.
pub fn dots_with_whiskers(
    bars: &[Bar],
    x: (f64, f64),
    baseline: f64,
    x_desc: &str,
    percent: bool,
) -> Option<String> {
    if bars.iter().all(|b| b.value.is_none()) {
        return None;
    }
    let n = bars.len();
    let height = 70 + 34 * n as u32;
    let mut svg = String::new();
    let ok = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .margin_right(24)
            .x_label_area_size(44)
            .y_label_area_size(190)
            .build_cartesian_2d(x.0..x.1, segments(n))?;
        // Top to bottom in the given order: segment i is drawn at n − 1 − i.
        let row = |i: usize| n - 1 - i;
        let labels: Vec<String> = bars
            .iter()
            .map(|b| format!("{} (n = {})", b.label, b.n))
            .collect();
        let fmt_x = move |v: &f64| {
            if percent {
                format!("{:.0} %", v * 100.0)
            } else {
                format!("{v:+.2}")
            }
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(220, 220, 220))
            .x_labels(6)
            .x_desc(x_desc)
            .x_label_formatter(&fmt_x)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => (n - 1)
                    .checked_sub(*i)
                    .and_then(|j| labels.get(j).cloned())
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 14))
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![
                (baseline, SegmentValue::Exact(0)),
                (baseline, SegmentValue::Last),
            ],
            RGBColor(90, 90, 90).stroke_width(1),
        )))?;
        for (i, b) in bars.iter().enumerate() {
            let y = || SegmentValue::CenterOf(row(i));
            let Some(v) = b.value else {
                chart.draw_series(std::iter::once(Text::new(
                    "no data",
                    (baseline, y()),
                    TextStyle::from((FONT, 12).into_font()).color(&RGBColor(110, 110, 110)),
                )))?;
                continue;
            };
            let colour: RGBColor = b.colour.into();
            chart.draw_series(
                Histogram::horizontal(&chart)
                    .margin(7)
                    .baseline(baseline)
                    .style(colour.mix(0.85).filled())
                    .data(std::iter::once((row(i), v))),
            )?;
            if let (Some(lo), Some(hi)) = (b.lower, b.upper) {
                let ink = RGBColor(30, 30, 30);
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(lo.max(x.0), y()), (hi.min(x.1), y())],
                    ink.stroke_width(2),
                )))?;
                for end in [lo, hi] {
                    if end >= x.0 && end <= x.1 {
                        chart.draw_series(std::iter::once(Circle::new(
                            (end, y()),
                            2,
                            ink.filled(),
                        )))?;
                    }
                }
            }
        }
        root.present()?;
        Ok(())
    })()
    .is_ok();
    finish(svg, ok)
}
