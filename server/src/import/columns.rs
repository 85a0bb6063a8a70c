//! The CSV columns of each import and how one row becomes a record: the header names the
//! columns (any order, any case), each cell is checked as the forms check it, and a refusal
//! names the line and the column.

use super::rows::{ActionIn, AffectedIn, CustomerIn, ReplyIn};
use crate::zone::Zone;
use app::domain::affected::CustomerKey;
use app::domain::{parse_amount, parse_currency, valid_email, ActionKind, Channel, Money};
use serde::Serialize;

/// What a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Customers,
    Replies,
    Actions,
    Affected,
}

impl ImportKind {
    pub const ALL: [ImportKind; 4] = [
        ImportKind::Customers,
        ImportKind::Replies,
        ImportKind::Actions,
        ImportKind::Affected,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Customers => "customers",
            ImportKind::Replies => "replies",
            ImportKind::Actions => "actions",
            ImportKind::Affected => "affected",
        }
    }

    pub fn parse(s: &str) -> Option<ImportKind> {
        ImportKind::ALL.into_iter().find(|k| k.code() == s.trim())
    }

    /// Every column the file may have, the required ones first.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            ImportKind::Customers => &[
                "external_ref",
                "name",
                "email",
                "plan",
                "monthly_revenue",
                "currency",
                "signed_up_at",
                "churned_at",
            ],
            ImportKind::Replies => &[
                "customer",
                "received_at",
                "body",
                "external_id",
                "incident",
                "channel",
                "csat",
            ],
            ImportKind::Actions => &[
                "incident",
                "customer",
                "kind",
                "given_at",
                "external_id",
                "value",
                "cost",
                "currency",
                "channel",
                "note",
            ],
            ImportKind::Affected => &["incident", "customer"],
        }
    }

    pub fn required(self) -> &'static [&'static str] {
        match self {
            ImportKind::Customers => &["external_ref"],
            ImportKind::Replies => &["customer", "received_at", "body"],
            ImportKind::Actions => &["incident", "customer", "kind", "given_at"],
            ImportKind::Affected => &["incident", "customer"],
        }
    }
}

/// A row that cannot be imported, and why. `column` is empty when the row as a whole is
/// the problem (a duplicate, a malformed line).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Refusal {
    pub line: u64,
    pub column: String,
    pub reason: String,
}

impl Refusal {
    pub fn new(line: u64, column: &str, reason: impl Into<String>) -> Refusal {
        Refusal {
            line,
            column: column.to_string(),
            reason: reason.into(),
        }
    }
}

/// The longest a cell may be: a reply body is at most 10,000 characters (40,000 bytes).
pub const MAX_CELL_BYTES: usize = 64 * 1024;

/// Where each known column sits in the file.
#[derive(Clone, Debug)]
pub struct Header {
    kind: ImportKind,
    at: Vec<(&'static str, usize)>,
}

impl Header {
    /// Read the header row: every name must be a column of `kind`, once; the required
    /// ones must be there.
    pub fn parse(kind: ImportKind, names: &csv::StringRecord) -> Result<Header, String> {
        let mut at = Vec::new();
        for (i, raw) in names.iter().enumerate() {
            let name = raw
                .trim()
                .trim_start_matches('\u{feff}')
                .trim()
                .to_ascii_lowercase();
            let name = if name == "ref" && kind == ImportKind::Customers {
                "external_ref".to_string()
            } else {
                name
            };
            let Some(known) = kind.columns().iter().find(|c| **c == name) else {
                return Err(format!(
                    "The header names a column “{}” that {} files do not have. Their columns are: {}.",
                    raw.trim(),
                    kind.code(),
                    kind.columns().join(", ")
                ));
            };
            if at.iter().any(|(c, _)| c == known) {
                return Err(format!("The header names the column “{known}” twice."));
            }
            at.push((*known, i));
        }
        let missing: Vec<&str> = kind
            .required()
            .iter()
            .copied()
            .filter(|c| !at.iter().any(|(have, _)| have == c))
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "The header row must name the column{} {} (the first line of the file names the columns).",
                if missing.len() > 1 { "s" } else { "" },
                missing.join(", ")
            ));
        }
        Ok(Header { kind, at })
    }

    pub fn has(&self, column: &str) -> bool {
        self.at.iter().any(|(c, _)| *c == column)
    }

    /// The trimmed cell of `column`, or `None` when the file has no such column.
    fn cell<'r>(&self, rec: &'r csv::StringRecord, column: &str) -> Option<&'r str> {
        self.at
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, i)| rec.get(*i).unwrap_or("").trim())
    }
}

/// One checked row of any kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    Customer(CustomerIn),
    Reply(ReplyIn),
    Action(ActionIn),
    Affected(AffectedIn),
}

/// What every row is read with: the team's zone for local times, and now (no reply or
/// action from the future).
pub struct Context<'a> {
    pub zone: &'a Zone,
    pub now: i64,
}

struct Row<'a> {
    header: &'a Header,
    rec: &'a csv::StringRecord,
    line: u64,
    cx: &'a Context<'a>,
}

impl Row<'_> {
    fn refuse(&self, column: &str, reason: impl Into<String>) -> Refusal {
        Refusal::new(self.line, column, reason)
    }

    fn opt(&self, column: &str) -> Option<&str> {
        self.header.cell(self.rec, column).filter(|s| !s.is_empty())
    }

    fn need(&self, column: &str) -> Result<&str, Refusal> {
        self.opt(column)
            .ok_or_else(|| self.refuse(column, format!("{column} is empty.")))
    }

    fn customer(&self) -> Result<CustomerKey, Refusal> {
        let who = self.need("customer")?;
        if who.chars().count() > 254 || who.chars().any(char::is_control) {
            return Err(self.refuse("customer", "Name the customer by their ref or e-mail."));
        }
        Ok(if who.contains('@') {
            CustomerKey::Email(who.to_lowercase())
        } else {
            CustomerKey::Ref(who.to_string())
        })
    }

    fn incident(&self) -> Result<Option<i64>, Refusal> {
        self.opt("incident")
            .map(|s| {
                s.trim_start_matches('#')
                    .parse::<i64>()
                    .ok()
                    .filter(|i| *i > 0)
                    .ok_or_else(|| {
                        self.refuse(
                            "incident",
                            format!("“{s}” is not an incident number like 12 or #12."),
                        )
                    })
            })
            .transpose()
    }

    fn instant(&self, column: &str, date_alone: bool) -> Result<Option<i64>, Refusal> {
        self.opt(column)
            .map(|s| {
                self.cx
                    .zone
                    .parse_instant(s, date_alone)
                    .map_err(|m| self.refuse(column, m))
            })
            .transpose()
    }

    fn not_future(&self, column: &str, at: i64) -> Result<i64, Refusal> {
        if at > self.cx.now + 60_000 {
            Err(self.refuse(column, "That time is in the future."))
        } else {
            Ok(at)
        }
    }

    fn external_id(&self) -> Result<Option<String>, Refusal> {
        self.opt("external_id")
            .map(|s| {
                if s.chars().count() > 200 || s.chars().any(char::is_control) {
                    Err(self.refuse(
                        "external_id",
                        "An external id is at most 200 characters on one line.",
                    ))
                } else {
                    Ok(s.to_string())
                }
            })
            .transpose()
    }

    fn channel(&self) -> Result<Channel, Refusal> {
        match self.opt("channel") {
            None => Ok(Channel::Email),
            Some(s) => Channel::parse(&s.to_ascii_lowercase()).map_err(|_| {
                self.refuse(
                    "channel",
                    format!(
                        "“{s}” is not a channel: use {}.",
                        Channel::ALL
                            .iter()
                            .map(|c| c.code())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            }),
        }
    }

    fn currency(&self) -> Result<String, Refusal> {
        parse_currency(self.opt("currency").unwrap_or("USD"))
            .map_err(|m| self.refuse("currency", m))
    }

    fn amount(&self, column: &str, currency: &str) -> Result<i64, Refusal> {
        parse_amount(self.opt(column).unwrap_or(""), currency).map_err(|m| self.refuse(column, m))
    }
}

/// Check one data row (`line` is where it starts in the file).
pub fn parse_row(
    header: &Header,
    rec: &csv::StringRecord,
    line: u64,
    cx: &Context,
) -> Result<Record, Refusal> {
    let row = Row {
        header,
        rec,
        line,
        cx,
    };
    if let Some(i) = rec.iter().position(|c| c.len() > MAX_CELL_BYTES) {
        let column = header
            .at
            .iter()
            .find(|(_, at)| *at == i)
            .map(|(c, _)| *c)
            .unwrap_or("");
        return Err(row.refuse(column, "This cell is longer than 64 KiB."));
    }
    // Free text follows the forms' one rule (`app::domain::text`), in every column read.
    for (column, i) in &header.at {
        if let Err(m) = app::domain::text::check(rec.get(*i).unwrap_or("")) {
            return Err(row.refuse(column, m));
        }
    }
    match header.kind {
        ImportKind::Customers => customer(&row).map(Record::Customer),
        ImportKind::Replies => reply(&row).map(Record::Reply),
        ImportKind::Actions => action(&row).map(Record::Action),
        ImportKind::Affected => Ok(Record::Affected(AffectedIn {
            line,
            incident: row
                .incident()?
                .ok_or_else(|| row.refuse("incident", "incident is empty."))?,
            customer: row.customer()?,
        })),
    }
}

fn customer(row: &Row) -> Result<CustomerIn, Refusal> {
    let external_ref = row.need("external_ref")?;
    if external_ref.chars().count() > 200
        || external_ref
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(row.refuse(
            "external_ref",
            "The ref is their id in your own systems: one word, up to 200 characters.",
        ));
    }
    let has = |c: &str| row.header.has(c);
    let name = has("name").then(|| row.opt("name").unwrap_or("").to_string());
    if name.as_ref().is_some_and(|n| n.chars().count() > 200) {
        return Err(row.refuse("name", "Keep the name under 200 characters."));
    }
    let email = if has("email") {
        Some(match row.opt("email").map(str::to_lowercase) {
            None => None,
            Some(e) if valid_email(&e) => Some(e),
            Some(e) => {
                return Err(row.refuse(
                    "email",
                    format!("“{e}” is not an e-mail address like ada@example.com."),
                ))
            }
        })
    } else {
        None
    };
    let plan = match row.opt("plan") {
        Some(p) if p.chars().count() > 60 => {
            return Err(row.refuse("plan", "Keep the plan under 60 characters."))
        }
        Some(p) => Some(p.to_string()),
        None if has("plan") => Some("unknown".to_string()),
        None => None,
    };
    let monthly_revenue = if has("monthly_revenue") || has("currency") {
        let currency = row.currency()?;
        Some(Money::new(
            row.amount("monthly_revenue", &currency)?,
            currency,
        ))
    } else {
        None
    };
    let signed_up_at = row.instant("signed_up_at", true)?;
    let churned_at = if has("churned_at") {
        Some(row.instant("churned_at", true)?)
    } else {
        None
    };
    if let (Some(s), Some(Some(c))) = (signed_up_at, churned_at) {
        if c < s {
            return Err(row.refuse(
                "churned_at",
                "A customer cannot churn before they signed up.",
            ));
        }
    }
    Ok(CustomerIn {
        line: row.line,
        external_ref: external_ref.to_string(),
        name,
        email,
        plan,
        monthly_revenue,
        signed_up_at,
        churned_at,
    })
}

fn reply(row: &Row) -> Result<ReplyIn, Refusal> {
    let customer = row.customer()?;
    let received_at = row
        .instant("received_at", false)?
        .ok_or_else(|| row.refuse("received_at", "received_at is empty."))?;
    let received_at = row.not_future("received_at", received_at)?;
    let body = row.need("body")?;
    if body.chars().count() > 10_000 {
        return Err(row.refuse("body", "A reply is limited to 10,000 characters."));
    }
    let csat = row
        .opt("csat")
        .map(|s| {
            s.parse::<i64>()
                .ok()
                .filter(|v| (1..=5).contains(v))
                .ok_or_else(|| row.refuse("csat", "CSAT is a whole number from 1 to 5, or empty."))
        })
        .transpose()?;
    Ok(ReplyIn {
        line: row.line,
        external_id: row.external_id()?,
        customer,
        incident: row.incident()?,
        channel: row.channel()?,
        received_at,
        score: app::sentiment::compound(body),
        body: body.to_string(),
        csat,
    })
}

fn action(row: &Row) -> Result<ActionIn, Refusal> {
    let incident = row
        .incident()?
        .ok_or_else(|| row.refuse("incident", "incident is empty."))?;
    let customer = row.customer()?;
    let kind_text = row.need("kind")?;
    let kind = ActionKind::parse(&kind_text.to_ascii_lowercase()).map_err(|_| {
        row.refuse(
            "kind",
            format!(
                "“{kind_text}” is not a kind of recovery: use {}.",
                ActionKind::ALL
                    .iter()
                    .map(|k| k.code())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })?;
    let given_at = row
        .instant("given_at", false)?
        .ok_or_else(|| row.refuse("given_at", "given_at is empty."))?;
    let given_at = row.not_future("given_at", given_at)?;
    let currency = row.currency()?;
    let value = row.amount("value", &currency)?;
    // What it cost the team; when not given, what the customer got.
    let cost_minor = match row.opt("cost") {
        Some(_) => row.amount("cost", &currency)?,
        None => value,
    };
    let note = row.opt("note").unwrap_or("").to_string();
    if note.chars().count() > 5_000 {
        return Err(row.refuse("note", "A note is limited to 5,000 characters."));
    }
    Ok(ActionIn {
        line: row.line,
        external_id: row.external_id()?,
        incident,
        customer,
        kind,
        value: Money::new(value, currency),
        cost_minor,
        channel: row.channel()?,
        given_at,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(cells: &[&str]) -> csv::StringRecord {
        csv::StringRecord::from(cells.to_vec())
    }

    fn cx(zone: &Zone) -> Context<'_> {
        // 2026-12-01 00:00 UTC
        Context {
            zone,
            now: 1_796_083_200_000,
        }
    }

    #[test]
    fn the_header_names_known_columns_once_and_the_required_ones() {
        let h = Header::parse(
            ImportKind::Replies,
            &rec(&["\u{feff}Customer", "BODY", "received_at"]),
        );
        assert!(h.is_ok());
        let e = Header::parse(
            ImportKind::Replies,
            &rec(&["customer", "body", "recieved_at"]),
        )
        .unwrap_err();
        assert!(e.contains("“recieved_at”"), "{e}");
        let e = Header::parse(ImportKind::Replies, &rec(&["customer", "body"])).unwrap_err();
        assert!(e.contains("received_at"), "{e}");
        let e = Header::parse(
            ImportKind::Affected,
            &rec(&["incident", "customer", "customer"]),
        )
        .unwrap_err();
        assert!(e.contains("twice"), "{e}");
        assert!(Header::parse(ImportKind::Customers, &rec(&["ref"])).is_ok());
    }

    #[test]
    fn a_reply_row_is_checked_like_the_form_and_local_times_use_the_team_zone() {
        let zone = Zone::parse("Europe/Berlin").unwrap();
        let h = Header::parse(
            ImportKind::Replies,
            &rec(&[
                "customer",
                "received_at",
                "body",
                "csat",
                "incident",
                "channel",
            ]),
        )
        .unwrap();
        let r = parse_row(
            &h,
            &rec(&[
                "Ada@Example.com",
                "2026-11-20 14:05",
                "Thanks, that was great",
                "5",
                "#3",
                "Chat",
            ]),
            2,
            &cx(&zone),
        )
        .unwrap();
        let Record::Reply(r) = r else { panic!() };
        // 14:05 in Berlin (UTC+1 in November) is 13:05 UTC.
        assert_eq!(r.received_at, 1_795_179_900_000);
        assert_eq!(r.customer, CustomerKey::Email("ada@example.com".into()));
        assert_eq!(
            (r.csat, r.incident, r.channel),
            (Some(5), Some(3), Channel::Chat)
        );
        assert!(r.score > 0.5);

        let bad = |cells: &[&str]| parse_row(&h, &rec(cells), 7, &cx(&zone)).unwrap_err();
        assert_eq!(
            bad(&["c1", "2026-11-20 14:05", "ok", "6", "", ""]).column,
            "csat"
        );
        assert_eq!(
            bad(&["c1", "yesterday", "ok", "", "", ""]).column,
            "received_at"
        );
        assert_eq!(
            bad(&["c1", "2027-01-01T00:00:00Z", "ok", "", "", ""]).reason,
            "That time is in the future."
        );
        assert_eq!(
            bad(&["c1", "2026-11-20 14:05", "", "", "", ""]).column,
            "body"
        );
        assert_eq!(
            bad(&["c1", "2026-11-20 14:05", "ok", "", "x", ""]).column,
            "incident"
        );
        let e = bad(&["c1", "2026-11-20 14:05", "ok", "", "", "fax"]);
        assert_eq!((e.line, e.column.as_str()), (7, "channel"));
    }

    #[test]
    fn customers_carry_only_the_columns_the_file_has() {
        let zone = Zone::utc();
        let h = Header::parse(ImportKind::Customers, &rec(&["ref", "churned_at"])).unwrap();
        let Record::Customer(c) =
            parse_row(&h, &rec(&["c-9", "2026-03-01"]), 2, &cx(&zone)).unwrap()
        else {
            panic!()
        };
        assert_eq!(c.churned_at, Some(Some(1_772_323_200_000)));
        assert_eq!(
            (c.name, c.email, c.plan, c.monthly_revenue),
            (None, None, None, None)
        );
        let Record::Customer(c) = parse_row(&h, &rec(&["c-9", ""]), 3, &cx(&zone)).unwrap() else {
            panic!()
        };
        assert_eq!(c.churned_at, Some(None), "an empty churned_at reactivates");

        let h = Header::parse(
            ImportKind::Customers,
            &rec(&[
                "external_ref",
                "monthly_revenue",
                "currency",
                "signed_up_at",
                "churned_at",
            ]),
        )
        .unwrap();
        let Record::Customer(c) = parse_row(
            &h,
            &rec(&["c-1", "1,200.50", "eur", "2025-01-01", ""]),
            2,
            &cx(&zone),
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(c.monthly_revenue, Some(Money::new(120_050, "EUR")));
        let e = parse_row(
            &h,
            &rec(&["c-1", "1", "EUR", "2025-01-02", "2025-01-01"]),
            4,
            &cx(&zone),
        )
        .unwrap_err();
        assert_eq!(e.column, "churned_at");
        let e = parse_row(
            &h,
            &rec(&["has space", "1", "EUR", "2025-01-02", ""]),
            5,
            &cx(&zone),
        )
        .unwrap_err();
        assert_eq!(e.column, "external_ref");
    }

    #[test]
    fn actions_default_their_cost_to_their_value() {
        let zone = Zone::utc();
        let h = Header::parse(
            ImportKind::Actions,
            &rec(&[
                "incident", "customer", "kind", "given_at", "value", "currency",
            ]),
        )
        .unwrap();
        let Record::Action(a) = parse_row(
            &h,
            &rec(&[
                "12",
                "c-1",
                "Credit",
                "2026-11-20T10:00:00+02:00",
                "25",
                "USD",
            ]),
            2,
            &cx(&zone),
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(
            (a.kind, a.value.minor, a.cost_minor),
            (ActionKind::Credit, 2_500, 2_500)
        );
        assert_eq!(a.given_at, 1_795_161_600_000);
        let e = parse_row(
            &h,
            &rec(&["12", "c-1", "hug", "2026-11-20 10:00", "", ""]),
            3,
            &cx(&zone),
        )
        .unwrap_err();
        assert_eq!(e.column, "kind");
    }
}
