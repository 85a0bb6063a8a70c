//! The weekly trend: customers affected per week (bars) over mean sentiment (line).

use super::{finish, segments, FONT, HEIGHT, WIDTH};
use crate::domain::analytics::WeekRow;
use plotters::prelude::*;

/// `None` with fewer than two weeks or nobody affected at all.
pub fn weekly_trend(weeks: &[WeekRow]) -> Option<String> {
    if weeks.len() < 2 || weeks.iter().all(|w| w.figures.customers_affected == 0) {
        return None;
    }
    let n = weeks.len();
    let max = weeks
        .iter()
        .map(|w| w.figures.customers_affected)
        .max()
        .unwrap_or(1)
        .max(1);
    // Customers are counted: a whole-number axis with headroom above the tallest bar.
    let ceiling = max + max.div_ceil(10);
    let every = n.div_ceil(12).max(1);
    let label = |i: usize| -> String {
        if i.is_multiple_of(every) {
            weeks
                .get(i)
                .map(|w| w.figures.week.clone())
                .unwrap_or_default()
        } else {
            String::new()
        }
    };
    let mut svg = String::new();
    let ok = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT + 60)).into_drawing_area();
        root.fill(&WHITE)?;
        let (top, bottom) = root.split_vertically(HEIGHT / 2 + 20);
        let mut bars = ChartBuilder::on(&top)
            .margin(12)
            .x_label_area_size(10)
            .y_label_area_size(62)
            .build_cartesian_2d(segments(n), 0..ceiling)?;
        bars.configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(220, 220, 220))
            .x_label_formatter(&|_| String::new())
            .y_desc("Customers affected")
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 14))
            .draw()?;
        // One series per week: a histogram of several values sums them in a hash map, so
        // its bars would come out in a different order each time the chart is drawn.
        for (i, w) in weeks.iter().enumerate() {
            bars.draw_series(
                Histogram::vertical(&bars)
                    .margin(2)
                    .style(RGBColor(0x56, 0xb4, 0xe9).filled())
                    .data(std::iter::once((i, w.figures.customers_affected))),
            )?;
        }
        let mut line = ChartBuilder::on(&bottom)
            .margin(12)
            .x_label_area_size(46)
            .y_label_area_size(62)
            .build_cartesian_2d(segments(n), -1.0..1.0)?;
        line.configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(220, 220, 220))
            .y_desc("Mean sentiment")
            .y_label_formatter(&|v| format!("{v:+.1}"))
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => label(*i),
                _ => String::new(),
            })
            .label_style((FONT, 11))
            .axis_desc_style((FONT, 14))
            .draw()?;
        line.draw_series(std::iter::once(PathElement::new(
            vec![(SegmentValue::Exact(0), 0.0), (SegmentValue::Last, 0.0)],
            RGBColor(120, 120, 120).stroke_width(1),
        )))?;
        let points: Vec<(SegmentValue<usize>, f64)> = weeks
            .iter()
            .enumerate()
            .filter_map(|(i, w)| {
                w.figures
                    .mean_sentiment
                    .map(|m| (SegmentValue::CenterOf(i), m))
            })
            .collect();
        let ink = RGBColor(0x00, 0x72, 0xb2);
        line.draw_series(LineSeries::new(points.clone(), ink.stroke_width(2)))?;
        line.draw_series(points.into_iter().map(|p| Circle::new(p, 3, ink.filled())))?;
        root.present()?;
        Ok(())
    })()
    .is_ok();
    finish(svg, ok)
}
