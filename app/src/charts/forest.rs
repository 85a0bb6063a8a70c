//! A forest plot: one row per term of a model, its hazard ratio as a dot with the 95 %
//! interval as a whisker, on a logarithmic axis with a line at 1 (no effect). Left of the
//! line the hazard of churn is lower: those customers stayed longer.

use super::{finish, palette::Rgb, segments, FONT, WIDTH};
use plotters::prelude::*;

/// One row: a ratio with its interval.
#[derive(Clone, Debug, PartialEq)]
pub struct Ratio {
    pub label: String,
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
    pub n: u64,
    pub colour: Rgb,
}

/// The axis, in log₂ units: whole doublings that hold every estimate and as much of each
/// interval as fits within 1/64 … 64 (longer whiskers end in an arrow at the edge).
fn axis(rows: &[Ratio]) -> (f64, f64) {
    let (lo, hi) = rows
        .iter()
        .flat_map(|r| [r.estimate, r.lower, r.upper])
        .filter(|v| v.is_finite() && *v > 0.0)
        .map(f64::log2)
        .fold((0.0_f64, 0.0_f64), |(a, b), v| (a.min(v), b.max(v)));
    let lo = lo.floor().clamp(-6.0, -1.0);
    let hi = hi.ceil().clamp(1.0, 6.0);
    (lo, hi)
}

/// How many ticks: one per doubling, or per second doubling when that would crowd the axis.
fn ticks(lo: f64, hi: f64) -> usize {
    let doublings = (hi - lo) as usize;
    if doublings > 6 {
        doublings / 2 + 1
    } else {
        doublings + 1
    }
}

/// `×0.5`, `×1`, `×4`: a hazard ratio tick.
fn tick(v: f64) -> String {
    let r = v.exp2();
    if r >= 1.0 {
        format!("×{r:.0}")
    } else {
        let s = format!("{r:.3}");
        format!("×{}", s.trim_end_matches('0'))
    }
}

/// The plot, or `None` when there is no row.
pub fn forest(rows: &[Ratio], x_desc: &str) -> Option<String> {
    if rows.is_empty() {
        return None;
    }
    let n = rows.len();
    let (lo, hi) = axis(rows);
    let height = 70 + 34 * n as u32;
    let mut svg = String::new();
    let ok = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .margin_right(24)
            .x_label_area_size(44)
            .y_label_area_size(230)
            .build_cartesian_2d(lo..hi, segments(n))?;
        let row = |i: usize| n - 1 - i;
        let labels: Vec<String> = rows
            .iter()
            .map(|r| format!("{} (n = {})", r.label, r.n))
            .collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(220, 220, 220))
            .x_labels(ticks(lo, hi))
            .y_labels(n)
            .x_desc(x_desc)
            .x_label_formatter(&|v| tick(*v))
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
            vec![(0.0, SegmentValue::Exact(0)), (0.0, SegmentValue::Last)],
            RGBColor(90, 90, 90).stroke_width(1),
        )))?;
        let ink = RGBColor(30, 30, 30);
        for (i, r) in rows.iter().enumerate() {
            let y = || SegmentValue::CenterOf(row(i));
            let at = |v: f64| v.max(f64::MIN_POSITIVE).log2().clamp(lo, hi);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(at(r.lower), y()), (at(r.upper), y())],
                ink.stroke_width(2),
            )))?;
            let colour: RGBColor = r.colour.into();
            chart.draw_series(std::iter::once(Circle::new(
                (at(r.estimate), y()),
                6,
                colour.filled(),
            )))?;
        }
        root.present()?;
        Ok(())
    })()
    .is_ok();
    finish(svg, ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio(estimate: f64, lower: f64, upper: f64) -> Ratio {
        Ratio {
            label: "Credit".into(),
            estimate,
            lower,
            upper,
            n: 12,
            colour: Rgb(0, 0, 0),
        }
    }

    #[test]
    fn the_axis_holds_every_interval_in_whole_doublings_within_limits() {
        assert_eq!(axis(&[ratio(0.7, 0.55, 0.9)]), (-1.0, 1.0));
        assert_eq!(axis(&[ratio(0.3, 0.2, 3.1)]), (-3.0, 2.0));
        assert_eq!(axis(&[ratio(0.5, 1e-9, 1e9)]), (-6.0, 6.0));
        assert_eq!((ticks(-1.0, 1.0), ticks(-6.0, 6.0)), (3, 7));
        assert_eq!(tick(-2.0), "×0.25");
        assert_eq!(tick(0.0), "×1");
        assert_eq!(tick(3.0), "×8");
    }

    #[test]
    fn draws_a_row_per_ratio_and_nothing_without_rows() {
        assert_eq!(forest(&[], "x"), None);
        let svg = forest(&[ratio(0.7, 0.55, 0.9), ratio(1.4, 1.1, 1.8)], "ratio").unwrap();
        assert_eq!(
            svg.matches("Credit (n = 12)").count(),
            2,
            "every row is labelled"
        );
        assert_eq!(svg.matches("<circle").count(), 2);
    }
}
