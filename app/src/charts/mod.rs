//! Charts drawn on the server with plotters, as SVG text to inline in a page (fast first
//! paint, printable, no JS). Each chart says "not enough data" (returns `None`) rather than
//! draw noise. Colours are the Okabe–Ito palette, which colour-blind readers can tell apart.

pub mod adjusted;
mod bars;
mod curves;
pub mod dashboard;
mod dose;
mod forest;
mod palette;
pub mod report;
mod timeline;
mod weekly;

pub use bars::{dots_with_whiskers, Bar};
pub use curves::{retention_curves, thin};
pub use palette::{colour_of, Rgb};
pub use timeline::sentiment_over_time;
pub use weekly::weekly_trend;

/// Chart width and height in SVG pixels (the page scales them to fit).
pub const WIDTH: u32 = 640;
pub const HEIGHT: u32 = 330;

/// Font family plotters writes into the SVG (the page's CSS may override it).
pub const FONT: &str = "sans-serif";

/// A category axis with one segment for each of `n` bars or weeks, indexed 0 to n − 1.
/// (Plotters' integer ranges hold both ends, so `0..n` would add an empty slot.)
pub(crate) fn segments(
    n: usize,
) -> plotters::coord::ranged1d::SegmentedCoord<plotters::coord::types::RangedCoordusize> {
    use plotters::coord::ranged1d::IntoSegmentedCoord;
    (0..n.saturating_sub(1)).into_segmented()
}

/// Draw a chart, turning a panic inside the drawing library into "no chart" (logged), so
/// one odd data set can never take a page down.
pub fn guarded(draw: impl FnOnce() -> Option<String>) -> Option<String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(draw)) {
        Ok(svg) => svg,
        Err(_) => {
            tracing::error!("a chart could not be drawn");
            None
        }
    }
}

/// Plotters reports drawing errors; on a String backend there are none to act on.
pub(crate) fn finish(svg: String, ok: bool) -> Option<String> {
    ok.then(|| accessible(svg))
}

/// Mark the SVG as one image whose numbers are in the table beside it.
fn accessible(svg: String) -> String {
    svg.replacen(
        "<svg ",
        "<svg role=\"img\" aria-hidden=\"true\" focusable=\"false\" ",
        1,
    )
}
