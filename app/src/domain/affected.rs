//! Marking customers affected: the pasted list (refs or emails, one per line or separated by
//! commas) or an uploaded CSV with a header row, parsed into entries; the store then sorts
//! them into matched, unknown (created on confirm), already linked, duplicates and malformed.

use serde::{Deserialize, Serialize};

/// How an entry names its customer.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CustomerKey {
    Ref(String),
    Email(String),
}

impl CustomerKey {
    pub fn text(&self) -> &str {
        match self {
            CustomerKey::Ref(s) | CustomerKey::Email(s) => s,
        }
    }
}

/// One usable line of the list. `name`, `email` and `plan` come from CSV columns and are
/// used only when the customer is new.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedEntry {
    pub line: usize,
    pub key: CustomerKey,
    pub name: Option<String>,
    pub email: Option<String>,
    pub plan: Option<String>,
}

/// A line that cannot be used, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Malformed {
    pub line: usize,
    pub text: String,
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedList {
    pub entries: Vec<AffectedEntry>,
    pub malformed: Vec<Malformed>,
    /// Entries naming the same customer key as an earlier line: (line, text, first line).
    pub duplicates: Vec<(usize, String, usize)>,
    /// Read as a CSV with a header row (an import) rather than a pasted list.
    pub csv: bool,
}

/// One line of the preview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewLine {
    pub line: usize,
    pub text: String,
    /// The matched customer's name, or what a new customer will be called.
    pub customer: String,
    pub note: String,
}

/// What confirming the list would do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedPreview {
    pub matched: Vec<PreviewLine>,
    pub unknown: Vec<PreviewLine>,
    pub already: Vec<PreviewLine>,
    pub duplicates: Vec<PreviewLine>,
    pub malformed: Vec<PreviewLine>,
}

impl AffectedPreview {
    /// How many customers confirming links to the incident.
    pub fn to_add(&self) -> usize {
        self.matched.len() + self.unknown.len()
    }
}

/// What confirming did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedAdded {
    pub linked: usize,
    pub created: usize,
}

/// At most this many lines per list (a larger import belongs in the CLI).
pub const MAX_LINES: usize = 5000;
/// At most this many entries (refs or e-mails) in a whole list, however they are spread
/// over its lines: each becomes a row of the preview and of the write.
pub const MAX_ENTRIES: usize = 5000;
/// At most this many entries on one line.
pub const MAX_PER_LINE: usize = 1000;

#[cfg(feature = "ssr")]
const REF_HEADERS: &[&str] = &[
    "ref",
    "external_ref",
    "customer_ref",
    "customer",
    "customer_id",
    "id",
];

/// Parse a pasted list or CSV text. A first line whose cells are all header words and one of
/// them names a ref or email column makes it a CSV; otherwise every comma-, semicolon- or
/// line-separated token is a ref, or an email when it contains `@`.
#[cfg(feature = "ssr")]
pub fn parse_list(text: &str) -> Result<ParsedList, String> {
    let text = text.trim_start_matches('\u{feff}');
    if text.lines().filter(|l| !l.trim().is_empty()).count() > MAX_LINES {
        return Err(format!(
            "That list has more than {MAX_LINES} lines; split it into smaller lists."
        ));
    }
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut parsed = if is_header(first) {
        ParsedList {
            csv: true,
            ..parse_csv(text)?
        }
    } else {
        parse_tokens(text)?
    };
    mark_duplicates(&mut parsed);
    Ok(parsed)
}

#[cfg(feature = "ssr")]
fn header_cells(line: &str) -> Vec<String> {
    line.split([',', ';', '\t'])
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect()
}

#[cfg(feature = "ssr")]
fn is_header(line: &str) -> bool {
    let cells = header_cells(line);
    cells.iter().all(|c| {
        !c.is_empty()
            && c.chars()
                .all(|ch| ch.is_ascii_alphabetic() || ch == '_' || ch == ' ')
    }) && cells
        .iter()
        .any(|c| c == "email" || REF_HEADERS.contains(&c.as_str()))
}

#[cfg(feature = "ssr")]
fn parse_csv(text: &str) -> Result<ParsedList, String> {
    let delimiter = text
        .lines()
        .next()
        .map(|l| {
            [b',', b';', b'\t']
                .into_iter()
                .max_by_key(|d| l.matches(*d as char).count())
                .unwrap_or(b',')
        })
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| "The CSV's header row cannot be read.".to_string())?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let col = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let (ref_col, email_col) = (col(REF_HEADERS), col(&["email", "e-mail", "email_address"]));
    let (name_col, plan_col) = (
        col(&["name", "customer_name", "full_name"]),
        col(&["plan", "segment"]),
    );
    let mut out = ParsedList::default();
    let mut lines = LineOf {
        text: text.as_bytes(),
        at: 0,
        line: 1,
    };
    for record in reader.records() {
        let position = match &record {
            Ok(r) => r.position(),
            Err(e) => e.position(),
        };
        let line = lines.of(position.map_or(lines.at, |p| p.byte() as usize));
        let record = match record {
            Ok(r) => r,
            Err(_) => {
                out.malformed.push(Malformed {
                    line,
                    text: String::new(),
                    reason: "This row is not valid CSV (check its quotes).".into(),
                });
                continue;
            }
        };
        let cell = |c: Option<usize>| {
            c.and_then(|c| record.get(c))
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let raw = record.iter().collect::<Vec<_>>().join(",");
        if raw.replace(',', "").trim().is_empty() {
            continue;
        }
        let email = match cell(email_col) {
            Some(e) => match check_email(e) {
                Ok(e) => Some(e),
                Err(reason) => {
                    out.malformed.push(Malformed {
                        line,
                        text: raw,
                        reason,
                    });
                    continue;
                }
            },
            None => None,
        };
        let key = match (cell(ref_col), &email) {
            (Some(r), _) => match check_ref(r) {
                Ok(r) => CustomerKey::Ref(r),
                Err(reason) => {
                    out.malformed.push(Malformed {
                        line,
                        text: raw,
                        reason,
                    });
                    continue;
                }
            },
            (None, Some(e)) => CustomerKey::Email(e.clone()),
            (None, None) => {
                out.malformed.push(Malformed {
                    line,
                    text: raw,
                    reason: "This row has neither a ref nor an email.".into(),
                });
                continue;
            }
        };
        let name = cell(name_col).map(|n| n.chars().take(200).collect());
        let plan = cell(plan_col).map(|p| p.chars().take(60).collect());
        out.entries.push(AffectedEntry {
            line,
            key,
            name,
            email,
            plan,
        });
    }
    Ok(out)
}

/// The line of the text a CSV row starts on, counted forward from the previous row. The
/// reader places a row where the one before it ended, so blank lines it skipped come first;
/// a quoted cell can span several lines.
#[cfg(feature = "ssr")]
struct LineOf<'a> {
    text: &'a [u8],
    at: usize,
    line: usize,
}

#[cfg(feature = "ssr")]
impl LineOf<'_> {
    fn of(&mut self, byte: usize) -> usize {
        let mut start = byte.clamp(self.at, self.text.len());
        while start < self.text.len() && matches!(self.text[start], b'\n' | b'\r') {
            start += 1;
        }
        self.line += self.text[self.at..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.at = start;
        self.line
    }
}

#[cfg(feature = "ssr")]
fn parse_tokens(text: &str) -> Result<ParsedList, String> {
    let mut out = ParsedList::default();
    let mut total = 0;
    for (i, l) in text.lines().enumerate() {
        // Counted before anything is kept, so one huge line costs no more than a scan.
        let on_line = l.split([',', ';']).filter(|t| !t.trim().is_empty()).count();
        if on_line > MAX_PER_LINE {
            return Err(format!(
                "Line {} has {on_line} entries; put at most {MAX_PER_LINE} on one line.",
                i + 1
            ));
        }
        total += on_line;
        if total > MAX_ENTRIES {
            return Err(format!(
                "The list has more than {MAX_ENTRIES} entries (line {} goes past it); split it into smaller lists.",
                i + 1
            ));
        }
        for token in l.split([',', ';']).map(str::trim).filter(|t| !t.is_empty()) {
            let key = if token.contains('@') {
                check_email(token).map(CustomerKey::Email)
            } else {
                check_ref(token).map(CustomerKey::Ref)
            };
            match key {
                Ok(key) => out.entries.push(AffectedEntry {
                    line: i + 1,
                    email: match &key {
                        CustomerKey::Email(e) => Some(e.clone()),
                        CustomerKey::Ref(_) => None,
                    },
                    key,
                    name: None,
                    plan: None,
                }),
                Err(reason) => out.malformed.push(Malformed {
                    line: i + 1,
                    text: token.into(),
                    reason,
                }),
            }
        }
    }
    Ok(out)
}

#[cfg(feature = "ssr")]
fn check_email(s: &str) -> Result<String, String> {
    let e = s.trim().to_lowercase();
    if super::valid_email(&e) {
        Ok(e)
    } else {
        Err("Not an email address (expected something like ada@example.com).".into())
    }
}

/// A ref is one word of printable characters, at most 200 of them.
#[cfg(feature = "ssr")]
fn check_ref(s: &str) -> Result<String, String> {
    let r = s.trim();
    if r.chars().count() > 200 {
        Err("A ref is at most 200 characters.".into())
    } else if r
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>')
    {
        Err("A ref is one word: no spaces, quotes or angle brackets.".into())
    } else {
        Ok(r.to_string())
    }
}

#[cfg(feature = "ssr")]
fn mark_duplicates(list: &mut ParsedList) {
    let mut first: std::collections::HashMap<CustomerKey, usize> = std::collections::HashMap::new();
    let mut kept = Vec::with_capacity(list.entries.len());
    for e in std::mem::take(&mut list.entries) {
        let key = match &e.key {
            CustomerKey::Ref(r) => CustomerKey::Ref(r.clone()),
            CustomerKey::Email(m) => CustomerKey::Email(m.to_lowercase()),
        };
        match first.get(&key) {
            Some(line) => list
                .duplicates
                .push((e.line, e.key.text().to_string(), *line)),
            None => {
                first.insert(key, e.line);
                kept.push(e);
            }
        }
    }
    list.entries = kept;
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn pasted_refs_and_emails_split_on_lines_and_commas() {
        let p = parse_list("C-1, C-2\nada@Example.com;C-3\n\n  C-1  \nnot a ref\nbad@\n").unwrap();
        let keys: Vec<_> = p.entries.iter().map(|e| (e.line, e.key.clone())).collect();
        assert_eq!(
            keys,
            vec![
                (1, CustomerKey::Ref("C-1".into())),
                (1, CustomerKey::Ref("C-2".into())),
                (2, CustomerKey::Email("ada@example.com".into())),
                (2, CustomerKey::Ref("C-3".into())),
            ]
        );
        assert_eq!(p.duplicates, vec![(4, "C-1".to_string(), 1)]);
        let bad: Vec<_> = p
            .malformed
            .iter()
            .map(|m| (m.line, m.text.as_str()))
            .collect();
        assert_eq!(bad, vec![(5, "not a ref"), (6, "bad@")]);
    }

    #[test]
    fn a_csv_with_a_header_brings_names_and_plans() {
        let csv = "\u{feff}Ref,Name,Email,Plan\nC-9,\"Lovelace, Ada\",ADA@x.io,pro\n,Grace,grace@x.io,\nC-10,Bob,nope,\n,,,\n";
        let p = parse_list(csv).unwrap();
        assert!(p.csv);
        assert_eq!(p.entries.len(), 2);
        assert_eq!(p.entries[0].key, CustomerKey::Ref("C-9".into()));
        assert_eq!(p.entries[0].name.as_deref(), Some("Lovelace, Ada"));
        assert_eq!(p.entries[0].email.as_deref(), Some("ada@x.io"));
        assert_eq!(p.entries[0].plan.as_deref(), Some("pro"));
        assert_eq!(
            (p.entries[1].line, &p.entries[1].key),
            (3, &CustomerKey::Email("grace@x.io".into()))
        );
        assert_eq!(p.malformed.len(), 1);
        assert_eq!(p.malformed[0].line, 4);
    }

    #[test]
    fn semicolon_csv_and_limits() {
        let p = parse_list("email;name\nx@y.io;X\n").unwrap();
        assert_eq!(p.entries[0].name.as_deref(), Some("X"));
        let huge = "C-1\n".repeat(MAX_LINES + 1);
        assert!(parse_list(&huge).is_err());
    }

    #[test]
    fn entries_are_capped_per_line_and_in_total_naming_the_line() {
        // One 2 MB line would otherwise be a million entries.
        let wide = format!("C-1\n{}\n", "x,".repeat(1_000_000));
        let e = parse_list(&wide).unwrap_err();
        assert!(e.starts_with("Line 2 has 1000000 entries"), "{e}");
        assert!(e.contains("at most 1000 on one line"), "{e}");
        let line = |n: usize| {
            (0..n)
                .map(|i| format!("C-{i}"))
                .collect::<Vec<_>>()
                .join(",")
        };
        assert_eq!(
            parse_list(&line(MAX_PER_LINE)).unwrap().entries.len(),
            MAX_PER_LINE
        );
        let many = vec![line(MAX_PER_LINE); 6].join("\n");
        let e = parse_list(&many).unwrap_err();
        assert!(
            e.contains("more than 5000 entries (line 6 goes past it)"),
            "{e}"
        );
        // Malformed entries count too: they are kept for the preview.
        let junk = format!("{}\n", vec!["bad@"; MAX_PER_LINE + 1].join(";"));
        assert!(parse_list(&junk)
            .unwrap_err()
            .starts_with("Line 1 has 1001 entries"));
        assert_eq!(parse_list("").unwrap(), ParsedList::default());
    }
}
