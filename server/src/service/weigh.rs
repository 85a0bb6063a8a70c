//! About how many bytes each kind of kept answer holds, for the caches' budgets. The
//! survival curves dominate the figures (one point per distinct time of an event or a
//! censoring: hundreds of thousands at the large scale); the drawn charts are SVG text.

use super::cache::Weigh;
use app::domain::adjusted::AdjustedReport;
use app::domain::analytics::{Analytics, CurvePoint, RetentionGroup};
use app::domain::dashboard::{ChartView, DashboardView};
use app::domain::report::WeekReport;

/// What every answer holds besides its curves and texts: labels, tables, small vectors.
const BASE: usize = 16 << 10;

fn curve(g: &RetentionGroup) -> usize {
    g.curve.capacity() * std::mem::size_of::<CurvePoint>()
}

fn text(s: &str) -> usize {
    s.len()
}

impl Weigh for Analytics {
    fn weight(&self) -> usize {
        BASE + self.retention.groups.iter().map(curve).sum::<usize>()
            + curve(&self.repeat.repeat)
            + curve(&self.repeat.once)
    }
}

impl Weigh for ChartView {
    fn weight(&self) -> usize {
        self.svg.as_deref().map_or(0, text)
            + self
                .rows
                .iter()
                .flatten()
                .map(|c| text(c) + 24)
                .sum::<usize>()
            + BASE
    }
}

impl Weigh for DashboardView {
    fn weight(&self) -> usize {
        BASE + self.charts.iter().map(Weigh::weight).sum::<usize>()
    }
}

impl Weigh for AdjustedReport {
    fn weight(&self) -> usize {
        BASE + self.terms.len() * 256 + self.left_out.len() * 512
    }
}

impl Weigh for WeekReport {
    fn weight(&self) -> usize {
        BASE + self.charts.iter().map(Weigh::weight).sum::<usize>()
    }
}

impl Weigh for app::domain::experiment::ExperimentsView {
    fn weight(&self) -> usize {
        BASE + self
            .experiments
            .iter()
            .map(|e| 1024 + text(&e.incident_title) + text(&e.verdict))
            .sum::<usize>()
            + self
                .pooled
                .iter()
                .map(|p| 512 + text(&p.verdict))
                .sum::<usize>()
    }
}

impl Weigh for app::domain::Page<app::domain::IncidentRow> {
    fn weight(&self) -> usize {
        self.items
            .iter()
            .map(|i| {
                std::mem::size_of::<app::domain::IncidentRow>() + text(&i.title) + i.cost.len() * 32
            })
            .sum::<usize>()
            + 64
    }
}
