//! The weekly report: built from the facts of its period (`weekly`), rendered as a
//! self-contained HTML document (the page's own component), CSV or Markdown, and sent by
//! e-mail. The page, `GET /reports/weekly/{week}/report.{html,csv,md,json}` and
//! `amends report` all render the one report value, so they agree.

pub mod csv;
pub mod deliver;
pub mod email;
pub mod markdown;
pub mod weekly;

use app::domain::report::WeekReport;

/// The forms a report can be had in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One printable HTML page, styles inlined.
    Html,
    /// The report's tables as CSV blocks.
    Csv,
    /// Markdown, for pasting into chat.
    Md,
    /// The report as JSON (the type the page receives).
    Json,
}

impl Format {
    pub fn parse(ext: &str) -> Option<Format> {
        match ext {
            "html" => Some(Format::Html),
            "csv" => Some(Format::Csv),
            "md" => Some(Format::Md),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Csv => "csv",
            Format::Md => "md",
            Format::Json => "json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Md => "text/markdown; charset=utf-8",
            Format::Json => "application/json",
        }
    }

    /// The report in this form; `base` is the address links in HTML lead to.
    pub fn render(self, r: &WeekReport, base: &str) -> String {
        match self {
            Format::Html => app::components::week_report::document(r, base),
            Format::Csv => csv::render(r),
            Format::Md => markdown::render(r),
            Format::Json => {
                let mut s = serde_json::to_string_pretty(r).unwrap_or_default();
                s.push('\n');
                s
            }
        }
    }

    /// `amends-weekly-2026-W47.csv`
    pub fn file_name(self, r: &WeekReport) -> String {
        format!("amends-weekly-{}.{}", r.week, self.extension())
    }
}

/// The public address the HTML's links lead to (`AMENDS_PUBLIC_URL`), without a final slash.
pub fn public_base() -> String {
    std::env::var("AMENDS_PUBLIC_URL")
        .map(|u| u.trim().trim_end_matches('/').to_string())
        .unwrap_or_default()
}
