//! The weekly report as Markdown, for pasting into chat: the same figures, tables and
//! highlights as the page, worded by the same `show` functions. Charts are left out (the
//! page and the HTML have them); their numbers are in the tables.

use app::domain::report::{NotableReply, WeekReport, AVERAGE_WEEKS, MIN_REPLIES};
use app::format;
use std::fmt::Write;

/// Backslash-escape what Markdown would read as markup inside text and table cells.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn table(out: &mut String, header: &[&str], right_from: usize, rows: Vec<Vec<String>>) {
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let rule: Vec<&str> = (0..header.len())
        .map(|i| if i >= right_from { "--:" } else { "---" })
        .collect();
    let _ = writeln!(out, "|{}|", rule.join("|"));
    for r in rows {
        let _ = writeln!(out, "| {} |", r.join(" | "));
    }
    out.push('\n');
}

fn incident_ref(id: i64, title: &str) -> String {
    format!("#{id} {}", escape(title))
}

pub fn render(r: &WeekReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", r.title());
    let _ = writeln!(
        out,
        "{} ({}, Monday to Sunday) · figures as of {}\n",
        r.range(),
        escape(&r.zone),
        r.generated
    );
    if !r.complete {
        out.push_str("*This week is still running: its figures will grow until it ends.*\n\n");
    }
    if r.is_quiet() {
        out.push_str(
            "A quiet week: no incident started or was resolved, no recovery action was given \
             and no reply came in.\n\n",
        );
    }

    out.push_str("## Headline\n\n");
    let avg = format!("{AVERAGE_WEEKS}-week average");
    table(
        &mut out,
        &["Figure", "This week", "Last week", "Change", &avg],
        1,
        r.figures
            .iter()
            .map(|f| {
                vec![
                    escape(&f.label),
                    f.show(f.value),
                    f.show(f.previous),
                    f.show_change(),
                    f.show(f.average),
                ]
            })
            .collect(),
    );

    out.push_str("## Recovery actions given\n\n");
    if r.actions_by_kind.is_empty() {
        out.push_str("No recovery action was given this week.\n\n");
    } else {
        table(
            &mut out,
            &["Kind", "Given", "Cost", "Last week"],
            1,
            r.actions_by_kind
                .iter()
                .map(|k| {
                    vec![
                        k.kind.label().to_string(),
                        format::count(k.count as i64),
                        format::money_list(&k.cost),
                        format::count(k.previous_count as i64),
                    ]
                })
                .collect(),
        );
    }

    out.push_str("## Incidents\n\n");
    if r.incidents.is_empty() {
        out.push_str("No incident started or was resolved this week.\n\n");
    } else {
        table(
            &mut out,
            &[
                "Incident",
                "Severity",
                "Status",
                "Started",
                "Duration",
                "First contact",
                "Affected",
                "Not contacted",
                "Actions",
                "Cost",
                "Replies",
                "Sentiment",
                "Churned",
            ],
            6,
            r.incidents
                .iter()
                .map(|i| {
                    vec![
                        incident_ref(i.id, &i.title),
                        i.severity.label().into(),
                        i.status.label().into(),
                        i.started.clone(),
                        i.show_duration(),
                        i.show_first_contact(),
                        format::count(i.affected as i64),
                        format::count(i.not_contacted as i64),
                        i.show_actions(),
                        format::money_list(&i.cost),
                        format::count(i.replies as i64),
                        i.show_sentiment(),
                        format::count(i.churned as i64),
                    ]
                })
                .collect(),
        );
    }

    out.push_str("## Highlights\n\n");
    for line in highlight_lines(r) {
        let _ = writeln!(out, "- {line}");
    }
    out.push('\n');

    out.push_str("## Notable replies\n\n");
    notable(&mut out, "Most positive", &r.most_positive);
    notable(&mut out, "Most negative", &r.most_negative);
    out
}

fn highlight_lines(r: &WeekReport) -> Vec<String> {
    let h = &r.highlights;
    let mut lines = Vec::new();
    match &h.best {
        Some(b) => lines.push(format!(
            "**{}:** {} — mean reply sentiment {} over {} replies",
            h.best_label(),
            incident_ref(b.id, &b.title),
            format::score(b.mean_sentiment),
            b.replies
        )),
        None => lines.push(format!(
            "**{}:** no incident of this week has {MIN_REPLIES} or more replies yet",
            h.best_label()
        )),
    }
    if let Some(w) = &h.worst {
        lines.push(format!(
            "**Worst recovered:** {} — mean reply sentiment {} over {} replies",
            incident_ref(w.id, &w.title),
            format::score(w.mean_sentiment),
            w.replies
        ));
    }
    match &h.slowest {
        Some(s) => lines.push(format!(
            "**Slowest first contact:** {} — {} after detection",
            incident_ref(s.id, &s.title),
            format::duration(s.first_contact_ms.max(0))
        )),
        None => lines.push("**Slowest first contact:** nobody hit this week was contacted".into()),
    }
    if h.repeat.is_empty() {
        lines.push("**Hit again within 90 days:** nobody".into());
    } else {
        let names: Vec<String> = h
            .repeat
            .iter()
            .map(|c| {
                format!(
                    "{} ({}, {} incidents)",
                    escape(&c.name),
                    escape(&c.external_ref),
                    c.incidents
                )
            })
            .collect();
        let more = h.repeat_total.saturating_sub(h.repeat.len() as u64);
        lines.push(format!(
            "**Hit again within 90 days:** {} customers — {}{}",
            h.repeat_total,
            names.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    if h.uncontacted.is_empty() {
        lines.push("**Open incidents with customers not contacted:** none".into());
    } else {
        for u in &h.uncontacted {
            lines.push(format!(
                "**Open, customers not contacted:** {} ({}, {}) — {} of {} affected not contacted",
                incident_ref(u.id, &u.title),
                u.severity.label(),
                u.status.label().to_lowercase(),
                format::count(u.not_contacted as i64),
                format::count(u.affected as i64)
            ));
        }
    }
    lines
}

fn notable(out: &mut String, heading: &str, list: &[NotableReply]) {
    let _ = writeln!(out, "### {heading}\n");
    if list.is_empty() {
        out.push_str("None this week.\n\n");
        return;
    }
    for n in list {
        let about = match (&n.incident_id, &n.incident) {
            (Some(id), Some(t)) => format!(", about {}", incident_ref(*id, t)),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "> {}\n>\n> — {}{}, {} · sentiment {}\n",
            escape(&n.excerpt),
            escape(&n.customer),
            about,
            n.received,
            format::score(n.score)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_in_text_is_escaped() {
        assert_eq!(escape("a|b *c* <d> #1_x"), "a\\|b \\*c\\* \\<d\\> \\#1\\_x");
        assert_eq!(escape("plain text, 50%"), "plain text, 50%");
    }
}
