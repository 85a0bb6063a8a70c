//! A verified delivery's body turned into records. Which records depends on the kind of
//! source and the event type; an event type Amends does not use gives no records (the inbox
//! stores it as "ignored"). A body that is wrong is refused with a message naming the JSON
//! member, e.g. `data.customer: missing`. Times are epoch milliseconds.
//!
//! # Standard Webhooks events
//!
//! Any system that signs with Standard Webhooks can send these. The payload is
//! `{"type": "...", "timestamp": "<RFC 3339>", "data": {...}}`; members marked `?` may be
//! left out, times are RFC 3339 (`2026-11-20T14:05:00Z`), money is
//! `{"amount": "12.50" or 12.5, "currency": "EUR"}` in major units, and a customer is named
//! by their ref or, when the text contains `@`, their e-mail address.
//!
//! - `reply.created` — a customer's reply.
//!   `data`: `id?` (its id in your system; a repeat with the same id is not added twice),
//!   `customer`, `incident?` (number), `channel?` (`email` (default), `phone`, `chat`,
//!   `in_app`, `mail`), `received_at`, `body` (1 to 10,000 characters), `csat?` (1 to 5).
//! - `customer.upserted` — a customer added or changed; members left out are left as they
//!   are. `data`: `ref`, `name?`, `email?` (null clears it), `plan?`, `monthly_revenue?`
//!   (money), `signed_up_at?` (needed for a new customer), `churned_at?` (null clears it).
//! - `customer.churned` — `data`: `ref`, `churned_at`.
//! - `action.given` — a recovery action given for an incident (the customer is marked
//!   affected if they were not). `data`: `id?`, `incident` (number), `customer`, `kind`
//!   (`credit`, `refund`, `gift`, `apology`, `proactive_contact`, `discount`, `other`),
//!   `value?` (money, default 0 USD), `cost?` (money in the value's currency, default 0),
//!   `channel?` (default `email`), `given_at`, `note?` (up to 5,000 characters).
//!
//! # Stripe events
//!
//! Stripe's event objects, `{"id": "evt_…", "type": …, "created": <unix>, "data": {"object":
//! {...}}}`. Customers are matched by ref: `metadata.amends_customer` on the object if set,
//! otherwise Stripe's customer id (`cus_…`), so either keep refs equal to Stripe ids or set the
//! metadata. Credits are recorded only when they say which incident they are for
//! (`metadata.amends_incident`, `12` or `#12`); anything else gives no records.
//!
//! - `customer.subscription.deleted` — the customer churned, at `ended_at` (else
//!   `canceled_at`, else the event's time). A customer with a second subscription still
//!   counts as churned: send `customer.upserted` with `churned_at: null` to undo it.
//! - `credit_note.created` with `metadata.amends_incident` — a credit of the note's `total`
//!   (value and cost), given at the note's `created`, with the external id
//!   `stripe:<credit note id>`.
//! - `customer.updated` that lowers the customer's `balance` (a customer balance credit) —
//!   see below.
//!
//! **Customer balance credits.** Stripe has no event that carries a Customer Balance
//! Transaction (`cbtxn_…`, the object whose negative `amount` is a credit and which has its
//! own metadata): its event list (the `enabled_events` of webhook endpoints) has no
//! `customer_balance_transaction.*` type, and creating one is seen only as `customer.updated`
//! with `data.previous_attributes.balance`. `customer_cash_balance_transaction.created` is a
//! different thing — money the customer sent (bank transfers) moving through their cash
//! balance — and that object has no metadata. So Amends reads `customer.updated`: when the
//! balance went down (more negative is more credit) *and* the same update set or changed the
//! customer's `metadata.amends_incident` (it appears in `previous_attributes.metadata`), the
//! difference is a credit for that incident, in the customer's `currency`, with the external
//! id `stripe:<event id>`. To credit a customer for incident 12, update the customer with
//! `balance` and `metadata[amends_incident]=12` in one call, and clear the key afterwards
//! (`metadata[amends_incident]=`) so a later, unrelated balance change — or the next credit
//! for the same incident — is not taken for this one. Credits made through Customer Balance
//! Transactions alone, or by credit notes without the metadata, are not recorded.
//!
//! # Intercom notifications
//!
//! `{"type": "notification_event", "topic": …, "id": "notif_…", "created_at": <unix>,
//! "data": {"item": <conversation>}}`.
//!
//! - `conversation.user.replied` — the newest conversation part written by the customer (a
//!   `user` or `lead`) becomes a reply: its `body` as text, from `author.email`, received at its
//!   `created_at`, external id `intercom:<part id>`.
//! - `conversation.user.created` — the conversation's first message (`source`; API 1.x's
//!   `conversation_message`) becomes a reply, external id `intercom:<conversation id>`.
//!
//! Both are channel `chat`, for the incident in the conversation's custom attribute
//! `amends_incident` if it has one. HTML is reduced to text; a message that is empty as text
//! (an image alone) gives no records, and one over 10,000 characters is cut there.

use super::signature::SourceKind;
use crate::import::rows::{ActionIn, CustomerIn, Inbound, ReplyIn};
use app::domain::affected::CustomerKey;
use app::domain::{parse_amount, parse_currency, valid_email, ActionKind, Channel, Money};
use serde_json::{Map, Value};
use std::fmt::Display;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// What a delivery's body holds. No records means an event type Amends does not use.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    pub event_type: String,
    pub records: Vec<Inbound>,
}

/// The line a webhook record is said to come from.
const LINE: u64 = 1;
const MAX_BODY_CHARS: usize = 10_000;
const MAX_NOTE_CHARS: usize = 5_000;

type R<T> = Result<T, String>;

/// Remove from every string of `v` the control characters no stored text holds
/// (`app::domain::text`): a sender cannot be asked to retype, and one stray NUL must not
/// fail a delivery PostgreSQL could otherwise store.
fn without_controls(v: &mut Value) {
    match v {
        Value::String(s) if !s.chars().all(app::domain::text::allowed) => {
            *s = app::domain::text::without_controls(s);
        }
        Value::Array(items) => items.iter_mut().for_each(without_controls),
        Value::Object(members) => members.values_mut().for_each(without_controls),
        _ => {}
    }
}

/// Turn a verified body into records; `Err` names the member that is wrong.
pub fn parse(kind: SourceKind, body: &[u8]) -> Result<Parsed, String> {
    let mut value: Value =
        serde_json::from_slice(body).map_err(|e| format!("body: not JSON ({e})"))?;
    without_controls(&mut value);
    let root = Node::root(&value);
    root.object()?;
    match kind {
        SourceKind::Standard => standard(&root),
        SourceKind::Stripe => stripe(&root),
        SourceKind::Intercom => intercom(&root),
    }
}

// ---- Standard Webhooks -----------------------------------------------------------------

fn standard(root: &Node) -> R<Parsed> {
    let event_type = event_type(&root.req("type")?)?;
    let records = match event_type.as_str() {
        "reply.created" => vec![Inbound::Reply(standard_reply(&root.req("data")?)?)],
        "customer.upserted" => vec![Inbound::Customer(standard_customer(&root.req("data")?)?)],
        "customer.churned" => {
            let data = root.req("data")?;
            vec![Inbound::Customer(CustomerIn {
                line: LINE,
                external_ref: customer_ref(&data.req("ref")?)?,
                churned_at: Some(Some(rfc3339(&data.req("churned_at")?)?)),
                ..Default::default()
            })]
        }
        "action.given" => vec![Inbound::Action(standard_action(&root.req("data")?)?)],
        _ => vec![],
    };
    Ok(Parsed {
        event_type,
        records,
    })
}

fn standard_reply(data: &Node) -> R<ReplyIn> {
    let body = text(&data.req("body")?, MAX_BODY_CHARS)?;
    let csat = match data.get("csat")? {
        None => None,
        Some(n) => Some(
            n.int()
                .ok()
                .filter(|v| (1..=5).contains(v))
                .ok_or_else(|| n.problem("must be a whole number from 1 to 5"))?,
        ),
    };
    Ok(ReplyIn {
        line: LINE,
        external_id: data.get("id")?.map(|n| external_id(&n)).transpose()?,
        customer: customer_key(&data.req("customer")?)?,
        incident: data.get("incident")?.map(|n| incident(&n)).transpose()?,
        channel: channel(data.get("channel")?)?,
        received_at: rfc3339(&data.req("received_at")?)?,
        score: app::sentiment::compound(&body),
        body,
        csat,
    })
}

fn standard_customer(data: &Node) -> R<CustomerIn> {
    let name = data
        .get("name")?
        .map(|n| {
            let s = n.str()?.trim();
            if s.chars().count() > 200 {
                return Err(n.problem("must be at most 200 characters"));
            }
            Ok(s.to_string())
        })
        .transpose()?;
    let email = if data.present("email")? {
        Some(match data.get("email")? {
            None => None,
            Some(n) => match n.str()?.trim().to_lowercase() {
                e if e.is_empty() => None,
                e if valid_email(&e) => Some(e),
                _ => return Err(n.problem("must be an e-mail address like ada@example.com")),
            },
        })
    } else {
        None
    };
    let plan = data
        .get("plan")?
        .map(|n| match n.str()?.trim() {
            "" => Ok("unknown".to_string()),
            p if p.chars().count() > 60 => Err(n.problem("must be at most 60 characters")),
            p => Ok(p.to_string()),
        })
        .transpose()?;
    let churned_at = if data.present("churned_at")? {
        Some(data.get("churned_at")?.map(|n| rfc3339(&n)).transpose()?)
    } else {
        None
    };
    Ok(CustomerIn {
        line: LINE,
        external_ref: customer_ref(&data.req("ref")?)?,
        name,
        email,
        plan,
        monthly_revenue: data
            .get("monthly_revenue")?
            .map(|n| money(&n))
            .transpose()?,
        signed_up_at: data.get("signed_up_at")?.map(|n| rfc3339(&n)).transpose()?,
        churned_at,
    })
}

fn standard_action(data: &Node) -> R<ActionIn> {
    let kind_node = data.req("kind")?;
    let kind = ActionKind::parse(kind_node.str()?)
        .map_err(|e| kind_node.problem(format!("must be one of {}", e.allowed)))?;
    let cost = data
        .get("cost")?
        .map(|n| money(&n).map(|m| (n, m)))
        .transpose()?;
    let value = match data.get("value")? {
        Some(n) => money(&n)?,
        None => Money::new(0, cost.as_ref().map_or("USD", |(_, m)| m.currency.as_str())),
    };
    let cost_minor = match cost {
        None => 0,
        Some((n, m)) if m.currency != value.currency => {
            return Err(n.problem(format!(
                "currency must be the value's currency ({})",
                value.currency
            )))
        }
        Some((_, m)) => m.minor,
    };
    let note = match data.get("note")? {
        None => String::new(),
        Some(n) => {
            let s = n.str()?.trim();
            if s.chars().count() > MAX_NOTE_CHARS {
                return Err(n.problem("must be at most 5,000 characters"));
            }
            s.to_string()
        }
    };
    Ok(ActionIn {
        line: LINE,
        external_id: data.get("id")?.map(|n| external_id(&n)).transpose()?,
        incident: incident(&data.req("incident")?)?,
        customer: customer_key(&data.req("customer")?)?,
        kind,
        value,
        cost_minor,
        channel: channel(data.get("channel")?)?,
        given_at: rfc3339(&data.req("given_at")?)?,
        note,
    })
}

// ---- Stripe ------------------------------------------------------------------------------

fn stripe(root: &Node) -> R<Parsed> {
    let event_type = event_type(&root.req("type")?)?;
    let records = match event_type.as_str() {
        "customer.subscription.deleted" => stripe_churn(root)?,
        "credit_note.created" => stripe_credit_note(root)?,
        "customer.updated" => stripe_balance_credit(root)?,
        _ => vec![],
    };
    Ok(Parsed {
        event_type,
        records,
    })
}

/// A metadata value of a Stripe object, if set (Stripe drops a key set to "").
fn metadata<'a>(object: &Node<'a>, key: &str) -> R<Option<Node<'a>>> {
    let Some(meta) = object.get("metadata")? else {
        return Ok(None);
    };
    Ok(meta
        .get(key)?
        .filter(|n| n.v.as_str().is_none_or(|s| !s.trim().is_empty())))
}

/// `metadata.amends_customer`, else the Stripe customer (`member`, an id or an expanded object).
fn stripe_customer(object: &Node, member: &str) -> R<String> {
    if let Some(n) = metadata(object, "amends_customer")? {
        return customer_ref(&n);
    }
    let n = object.req(member)?;
    match n.v {
        Value::Object(_) => customer_ref(&n.req("id")?),
        _ => customer_ref(&n),
    }
}

fn stripe_churn(root: &Node) -> R<Vec<Inbound>> {
    let object = root.req("data")?.req("object")?;
    let at = match (object.get("ended_at")?, object.get("canceled_at")?) {
        (Some(n), _) | (None, Some(n)) => n,
        (None, None) => root.req("created")?,
    };
    Ok(vec![Inbound::Customer(CustomerIn {
        line: LINE,
        external_ref: stripe_customer(&object, "customer")?,
        churned_at: Some(Some(unix_ms(&at)?)),
        ..Default::default()
    })])
}

fn stripe_credit_note(root: &Node) -> R<Vec<Inbound>> {
    let object = root.req("data")?.req("object")?;
    let Some(incident_node) = metadata(&object, "amends_incident")? else {
        return Ok(vec![]);
    };
    let amount = match object.get("total")? {
        Some(n) => n,
        None => object.req("amount")?,
    };
    let minor = amount
        .int()
        .ok()
        .filter(|v| *v >= 0)
        .ok_or_else(|| amount.problem("must be a whole number of minor units, not negative"))?;
    let id = object.req("id")?;
    let id = id.str()?;
    let number = match object.get("number")? {
        Some(n) => n.str()?.to_string(),
        None => id.to_string(),
    };
    Ok(vec![Inbound::Action(ActionIn {
        line: LINE,
        external_id: Some(format!("stripe:{id}")),
        incident: incident(&incident_node)?,
        customer: CustomerKey::Ref(stripe_customer(&object, "customer")?),
        kind: ActionKind::Credit,
        value: Money::new(minor, stripe_currency(&object)?),
        cost_minor: minor,
        channel: Channel::Email,
        given_at: unix_ms(&object.req("created")?)?,
        note: format!("Stripe credit note {number}"),
    })])
}

/// See the module's notes: a balance that went down in the same update that tagged the
/// customer with an incident.
fn stripe_balance_credit(root: &Node) -> R<Vec<Inbound>> {
    let data = root.req("data")?;
    let Some(previous) = data.get("previous_attributes")? else {
        return Ok(vec![]);
    };
    let Some(before) = previous.get("balance")? else {
        return Ok(vec![]);
    };
    let tagged_now = match previous.get("metadata")? {
        Some(m) => m.present("amends_incident")?,
        None => false,
    };
    let object = data.req("object")?;
    let Some(incident_node) = metadata(&object, "amends_incident")? else {
        return Ok(vec![]);
    };
    if !tagged_now {
        return Ok(vec![]);
    }
    let after = object.req("balance")?.int()?;
    let before = before.int()?;
    if after >= before {
        return Ok(vec![]);
    }
    let credit = before - after;
    let event_id = root.req("id")?;
    Ok(vec![Inbound::Action(ActionIn {
        line: LINE,
        external_id: Some(format!("stripe:{}", event_id.str()?)),
        incident: incident(&incident_node)?,
        customer: CustomerKey::Ref(stripe_customer(&object, "id")?),
        kind: ActionKind::Credit,
        value: Money::new(credit, stripe_currency(&object)?),
        cost_minor: credit,
        channel: Channel::Email,
        given_at: unix_ms(&root.req("created")?)?,
        note: "Stripe customer balance credit".to_string(),
    })])
}

/// Stripe's lower-case currency, as Amends writes it.
fn stripe_currency(object: &Node) -> R<String> {
    let n = object.req("currency")?;
    parse_currency(n.str()?).map_err(|_| n.problem("must be a three-letter currency code"))
}

// ---- Intercom ----------------------------------------------------------------------------

fn intercom(root: &Node) -> R<Parsed> {
    let topic = event_type(&root.req("topic")?)?;
    let records = match topic.as_str() {
        "conversation.user.replied" => intercom_reply(root)?,
        "conversation.user.created" => intercom_created(root)?,
        _ => vec![],
    };
    Ok(Parsed {
        event_type: topic,
        records,
    })
}

/// Authors that are the customer (users, leads; `contact` in newer payloads).
fn by_customer(part: &Node) -> R<bool> {
    Ok(match part.get("author")? {
        Some(a) => match a.get("type")? {
            Some(t) => matches!(t.v.as_str(), Some("user" | "lead" | "contact")),
            None => false,
        },
        None => false,
    })
}

fn intercom_reply(root: &Node) -> R<Vec<Inbound>> {
    let item = root.req("data")?.req("item")?;
    let list = item.req("conversation_parts")?;
    let parts = list.req("conversation_parts")?;
    let parts = parts.array()?;
    let mut newest = None;
    for part in parts.into_iter().rev() {
        if by_customer(&part)? {
            newest = Some(part);
            break;
        }
    }
    let Some(part) = newest else {
        return Err(list.problem("no part written by the customer"));
    };
    intercom_message(&item, &part, &part.req("id")?, &part.req("created_at")?)
}

fn intercom_created(root: &Node) -> R<Vec<Inbound>> {
    let item = root.req("data")?.req("item")?;
    let source = match item.get("source")? {
        Some(s) => s,
        None => match item.get("conversation_message")? {
            Some(m) => m,
            None => return Err(item.member("source").problem("missing")),
        },
    };
    intercom_message(&item, &source, &item.req("id")?, &item.req("created_at")?)
}

/// A message (`body` and `author`) of conversation `item` as a reply.
fn intercom_message(item: &Node, message: &Node, id: &Node, created_at: &Node) -> R<Vec<Inbound>> {
    let raw = match message.get("body")? {
        Some(b) => b.str()?,
        None => "",
    };
    let mut body = html_to_text(raw);
    if body.is_empty() {
        return Ok(vec![]);
    }
    if let Some((cut, _)) = body.char_indices().nth(MAX_BODY_CHARS) {
        body.truncate(cut);
        body = body.trim_end().to_string();
    }
    let author = message.req("author")?;
    let email_node = author.member("email");
    let email = match author.get("email")? {
        Some(n) => n.str()?.trim().to_lowercase(),
        None => String::new(),
    };
    if email.is_empty() {
        return Err(email_node.problem("missing (Amends finds Intercom customers by e-mail)"));
    }
    if !valid_email(&email) {
        return Err(email_node.problem("must be an e-mail address"));
    }
    let incident = match item.get("custom_attributes")? {
        Some(attrs) => match attrs.get("amends_incident")? {
            Some(n) if n.v.as_str().is_some_and(|s| s.trim().is_empty()) => None,
            Some(n) => Some(incident(&n)?),
            None => None,
        },
        None => None,
    };
    Ok(vec![Inbound::Reply(ReplyIn {
        line: LINE,
        external_id: Some(format!("intercom:{}", id_text(id)?)),
        customer: CustomerKey::Email(email),
        incident,
        channel: Channel::Chat,
        received_at: unix_ms(created_at)?,
        score: app::sentiment::compound(&body),
        body,
        csat: None,
    })])
}

/// Intercom's HTML bodies as plain text: tags removed (block tags become spaces), the common
/// entities decoded, whitespace collapsed.
pub fn html_to_text(html: &str) -> String {
    let mut stripped = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        stripped.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        // As in a browser, a tag starts with a letter, `/` or `!`; any other '<' is text.
        let starts_tag = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!');
        let close = after.find('>').filter(|_| starts_tag);
        let Some(close) = close else {
            stripped.push('<');
            rest = after;
            continue;
        };
        let name: String = after[..close]
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        const BLOCK: &[&str] = &[
            "p",
            "br",
            "div",
            "li",
            "ul",
            "ol",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "tr",
            "td",
            "th",
            "table",
            "blockquote",
            "pre",
            "hr",
        ];
        if BLOCK.contains(&name.as_str()) {
            stripped.push(' ');
        }
        rest = &after[close + 1..];
    }
    stripped.push_str(rest);
    decode_entities(&stripped)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let entity = after
            .find(';')
            .filter(|end| *end <= 10)
            .and_then(|end| entity(&after[..end]).map(|c| (c, end)));
        match entity {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code).filter(|c| !c.is_control() || c.is_whitespace())
        }
    }
}

// ---- Reading members -------------------------------------------------------------------

/// A JSON value and where it is in the body, so a refusal can name it.
#[derive(Clone)]
struct Node<'a> {
    v: &'a Value,
    path: String,
}

impl<'a> Node<'a> {
    fn root(v: &'a Value) -> Self {
        Node {
            v,
            path: String::new(),
        }
    }

    /// A member's node, for naming it (whether or not it is there).
    fn member(&self, key: &str) -> Node<'a> {
        static NULL: Value = Value::Null;
        let path = if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        };
        let v = self.v.get(key).unwrap_or(&NULL);
        Node { v, path }
    }

    fn problem(&self, what: impl Display) -> String {
        let name = if self.path.is_empty() {
            "body"
        } else {
            &self.path
        };
        format!("{name}: {what}")
    }

    fn object(&self) -> R<&'a Map<String, Value>> {
        self.v
            .as_object()
            .ok_or_else(|| self.problem("must be an object"))
    }

    /// The member, or `None` if it is absent or null.
    fn get(&self, key: &str) -> R<Option<Node<'a>>> {
        Ok(match self.object()?.get(key) {
            None | Some(Value::Null) => None,
            Some(_) => Some(self.member(key)),
        })
    }

    /// Whether the member is there, even as null.
    fn present(&self, key: &str) -> R<bool> {
        Ok(self.object()?.contains_key(key))
    }

    fn req(&self, key: &str) -> R<Node<'a>> {
        self.get(key)?
            .ok_or_else(|| self.member(key).problem("missing"))
    }

    fn str(&self) -> R<&'a str> {
        self.v
            .as_str()
            .ok_or_else(|| self.problem("must be a string"))
    }

    fn int(&self) -> R<i64> {
        self.v
            .as_i64()
            .ok_or_else(|| self.problem("must be a whole number"))
    }

    fn array(&self) -> R<Vec<Node<'a>>> {
        let items = self
            .v
            .as_array()
            .ok_or_else(|| self.problem("must be a list"))?;
        Ok(items
            .iter()
            .enumerate()
            .map(|(i, v)| Node {
                v,
                path: format!("{}[{i}]", self.path),
            })
            .collect())
    }
}

fn event_type(n: &Node) -> R<String> {
    let s = n.str()?.trim();
    if s.is_empty() || s.chars().count() > 100 {
        return Err(n.problem("must be 1 to 100 characters"));
    }
    Ok(s.to_string())
}

/// A trimmed, non-empty string of at most `max` characters.
fn text(n: &Node, max: usize) -> R<String> {
    let s = n.str()?.trim();
    if s.is_empty() {
        return Err(n.problem("must not be empty"));
    }
    if s.chars().count() > max {
        return Err(n.problem(format!(
            "must be at most {} characters",
            app::domain::group_thousands(max as u64)
        )));
    }
    Ok(s.to_string())
}

/// An id in the sender's system: 1 to 200 characters without spaces.
fn external_id(n: &Node) -> R<String> {
    let s = n.str()?.trim();
    if s.is_empty()
        || s.chars().count() > 200
        || s.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(n.problem("must be 1 to 200 characters without spaces"));
    }
    Ok(s.to_string())
}

/// An id written as a string or a number.
fn id_text(n: &Node) -> R<String> {
    match n.v {
        Value::Number(num) if num.is_u64() => Ok(num.to_string()),
        _ => external_id(n),
    }
}

/// A customer's ref, as the customer form accepts it.
fn customer_ref(n: &Node) -> R<String> {
    let s = n.str()?.trim();
    if s.is_empty()
        || s.chars().count() > 200
        || s.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(n.problem("must be a ref: one word, up to 200 characters"));
    }
    Ok(s.to_string())
}

/// A ref, or an e-mail address when it has an `@`.
fn customer_key(n: &Node) -> R<CustomerKey> {
    let s = n.str()?.trim();
    if s.contains('@') {
        let e = s.to_lowercase();
        if !valid_email(&e) {
            return Err(n.problem("must be a customer ref or an e-mail address"));
        }
        Ok(CustomerKey::Email(e))
    } else {
        customer_ref(n).map(CustomerKey::Ref)
    }
}

/// An incident number: `12`, `"12"` or `"#12"`.
fn incident(n: &Node) -> R<i64> {
    let num = match n.v {
        Value::Number(num) => num.as_i64(),
        Value::String(s) => s.trim().trim_start_matches('#').parse().ok(),
        _ => None,
    };
    num.filter(|i| *i > 0)
        .ok_or_else(|| n.problem("must be an incident number like 12"))
}

fn channel(n: Option<Node>) -> R<Channel> {
    match n {
        None => Ok(Channel::Email),
        Some(n) => {
            Channel::parse(n.str()?).map_err(|e| n.problem(format!("must be one of {}", e.allowed)))
        }
    }
}

/// An RFC 3339 time as epoch milliseconds.
fn rfc3339(n: &Node) -> R<i64> {
    OffsetDateTime::parse(n.str()?.trim(), &Rfc3339)
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .map_err(|_| n.problem("must be an RFC 3339 time like 2026-11-20T14:05:00Z"))
}

/// Unix seconds as epoch milliseconds.
fn unix_ms(n: &Node) -> R<i64> {
    n.int()
        .ok()
        .filter(|s| (0..=253_402_300_799).contains(s))
        .map(|s| s * 1000)
        .ok_or_else(|| n.problem("must be a unix time in seconds"))
}

/// `{"amount": "12.50" or 12.5, "currency": "EUR"}`.
fn money(n: &Node) -> R<Money> {
    let cur = n.req("currency")?;
    let currency = parse_currency(cur.str()?).map_err(|m| cur.problem(m))?;
    let amount = n.req("amount")?;
    let typed = match amount.v {
        Value::String(s) => s.clone(),
        Value::Number(num) => num.to_string(),
        _ => return Err(amount.problem("must be an amount like \"12.50\"")),
    };
    let minor = parse_amount(&typed, &currency).map_err(|m| amount.problem(m))?;
    Ok(Money::new(minor, currency))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(kind: SourceKind, body: &str) -> Result<Parsed, String> {
        parse(kind, body.as_bytes())
    }

    fn one(kind: SourceKind, body: &str) -> Inbound {
        let p = parse_str(kind, body).unwrap();
        assert_eq!(p.records.len(), 1, "{p:?}");
        p.records.into_iter().next().unwrap()
    }

    fn err(kind: SourceKind, body: &str) -> String {
        parse_str(kind, body).unwrap_err()
    }

    // 2026-11-20T14:05:00Z
    const T: i64 = 1_795_183_500_000;

    // ---- Standard --------------------------------------------------------------------

    #[test]
    fn standard_reply_created() {
        let body = r#"{
          "type": "reply.created",
          "timestamp": "2026-11-20T14:05:02Z",
          "data": {
            "id": "rep_881",
            "customer": "Ada@Example.com",
            "incident": 12,
            "channel": "chat",
            "received_at": "2026-11-20T14:05:00Z",
            "body": "  Thanks, the credit made up for it.  ",
            "csat": 5
          }
        }"#;
        let text = "Thanks, the credit made up for it.";
        assert_eq!(
            one(SourceKind::Standard, body),
            Inbound::Reply(ReplyIn {
                line: 1,
                external_id: Some("rep_881".into()),
                customer: CustomerKey::Email("ada@example.com".into()),
                incident: Some(12),
                channel: Channel::Chat,
                received_at: T,
                body: text.into(),
                csat: Some(5),
                score: app::sentiment::compound(text),
            })
        );
        // The smallest reply: a ref, the default channel, no incident, id or CSAT.
        let min = r#"{"type":"reply.created","data":{"customer":"C-1042",
            "received_at":"2026-11-20T15:05:00+01:00","body":"Still broken.","csat":null}}"#;
        match one(SourceKind::Standard, min) {
            Inbound::Reply(r) => {
                assert_eq!(r.customer, CustomerKey::Ref("C-1042".into()));
                assert_eq!(
                    (r.channel, r.received_at, r.external_id, r.incident, r.csat),
                    (Channel::Email, T, None, None, None)
                );
                assert!(r.score < 0.0, "{}", r.score);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn control_characters_are_removed_from_every_string() {
        let body = "{\"type\":\"reply.created\",\"data\":{\"customer\":\"C-10\\u000042\",
            \"received_at\":\"2026-11-20T14:05:00Z\",\"body\":\"Still\\u0000 broken\\u001b.\\nAgain.\"}}";
        match one(SourceKind::Standard, body) {
            Inbound::Reply(r) => {
                assert_eq!(r.customer, CustomerKey::Ref("C-1042".into()));
                assert_eq!(r.body, "Still broken.\nAgain.");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn standard_customer_upserted_and_churned() {
        let body = r#"{"type":"customer.upserted","timestamp":"2026-11-20T14:05:00Z","data":{
            "ref":"C-1042","name":" Ada Lovelace ","email":"ADA@example.com","plan":"Pro",
            "monthly_revenue":{"amount":"49.50","currency":"eur"},
            "signed_up_at":"2025-01-31T00:00:00Z","churned_at":null}}"#;
        assert_eq!(
            one(SourceKind::Standard, body),
            Inbound::Customer(CustomerIn {
                line: 1,
                external_ref: "C-1042".into(),
                name: Some("Ada Lovelace".into()),
                email: Some(Some("ada@example.com".into())),
                plan: Some("Pro".into()),
                monthly_revenue: Some(Money::new(4950, "EUR")),
                signed_up_at: Some(1_738_281_600_000),
                churned_at: Some(None),
            })
        );
        // Only what is given; a number amount; null e-mail clears it.
        let partial = r#"{"type":"customer.upserted","data":{"ref":"C-7","email":null,
            "monthly_revenue":{"amount":12.5,"currency":"USD"}}}"#;
        assert_eq!(
            one(SourceKind::Standard, partial),
            Inbound::Customer(CustomerIn {
                line: 1,
                external_ref: "C-7".into(),
                email: Some(None),
                monthly_revenue: Some(Money::new(1250, "USD")),
                ..Default::default()
            })
        );
        let churn = r#"{"type":"customer.churned","data":{"ref":"C-7","churned_at":"2026-11-20T14:05:00Z"}}"#;
        assert_eq!(
            one(SourceKind::Standard, churn),
            Inbound::Customer(CustomerIn {
                line: 1,
                external_ref: "C-7".into(),
                churned_at: Some(Some(T)),
                ..Default::default()
            })
        );
    }

    #[test]
    fn standard_action_given() {
        let body = r##"{"type":"action.given","timestamp":"2026-11-20T14:05:00Z","data":{
            "id":"cr_553","incident":"#12","customer":"C-1042","kind":"credit",
            "value":{"amount":"25.00","currency":"EUR"},"cost":{"amount":"20","currency":"EUR"},
            "channel":"in_app","given_at":"2026-11-20T14:05:00Z","note":" Sorry about Tuesday. "}}"##;
        assert_eq!(
            one(SourceKind::Standard, body),
            Inbound::Action(ActionIn {
                line: 1,
                external_id: Some("cr_553".into()),
                incident: 12,
                customer: CustomerKey::Ref("C-1042".into()),
                kind: ActionKind::Credit,
                value: Money::new(2500, "EUR"),
                cost_minor: 2000,
                channel: Channel::InApp,
                given_at: T,
                note: "Sorry about Tuesday.".into(),
            })
        );
        let apology = r#"{"type":"action.given","data":{"incident":3,"customer":"ada@example.com",
            "kind":"apology","given_at":"2026-11-20T14:05:00Z"}}"#;
        assert_eq!(
            one(SourceKind::Standard, apology),
            Inbound::Action(ActionIn {
                line: 1,
                external_id: None,
                incident: 3,
                customer: CustomerKey::Email("ada@example.com".into()),
                kind: ActionKind::Apology,
                value: Money::new(0, "USD"),
                cost_minor: 0,
                channel: Channel::Email,
                given_at: T,
                note: String::new(),
            })
        );
    }

    #[test]
    fn other_standard_types_give_no_records() {
        let p = parse_str(
            SourceKind::Standard,
            r#"{"type":"invoice.paid","timestamp":"2026-11-20T14:05:00Z","data":{"x":1}}"#,
        )
        .unwrap();
        assert_eq!(
            p,
            Parsed {
                event_type: "invoice.paid".into(),
                records: vec![]
            }
        );
    }

    #[test]
    fn bad_standard_payloads_name_the_member() {
        let reply = |data: &str| format!(r#"{{"type":"reply.created","data":{data}}}"#);
        let ok = r#""customer":"C-1","received_at":"2026-11-20T14:05:00Z","body":"hi""#;
        let cases: Vec<(String, &str)> = vec![
            (reply(r#"{"received_at":"2026-11-20T14:05:00Z","body":"hi"}"#), "data.customer: missing"),
            (reply(&format!(r#"{{{ok},"csat":6}}"#)), "data.csat: must be a whole number from 1 to 5"),
            (reply(&format!(r#"{{{ok},"csat":"5"}}"#)), "data.csat: must be a whole number from 1 to 5"),
            (reply(&format!(r#"{{{ok},"channel":"fax"}}"#)), "data.channel: must be one of email, phone, chat, in_app, mail"),
            (reply(&format!(r#"{{{ok},"incident":0}}"#)), "data.incident: must be an incident number like 12"),
            (reply(&format!(r#"{{{ok},"id":""}}"#)), "data.id: must be 1 to 200 characters without spaces"),
            (reply(r#"{"customer":"C-1","received_at":"2026-11-20 14:05","body":"hi"}"#), "data.received_at: must be an RFC 3339 time like 2026-11-20T14:05:00Z"),
            (reply(r#"{"customer":"C-1","received_at":"2026-11-20T14:05:00Z","body":"   "}"#), "data.body: must not be empty"),
            (reply(&format!(r#"{{"customer":"C-1","received_at":"2026-11-20T14:05:00Z","body":"{}"}}"#, "a".repeat(10_001))), "data.body: must be at most 10,000 characters"),
            (reply(r#"{"customer":"a b","received_at":"2026-11-20T14:05:00Z","body":"hi"}"#), "data.customer: must be a ref: one word, up to 200 characters"),
            (reply(r#"{"customer":"ada@","received_at":"2026-11-20T14:05:00Z","body":"hi"}"#), "data.customer: must be a customer ref or an e-mail address"),
            (reply(r#"[1]"#), "data: must be an object"),
            (r#"{"type":"reply.created"}"#.into(), "data: missing"),
            (r#"{"data":{}}"#.into(), "type: missing"),
            (r#"{"type":7}"#.into(), "type: must be a string"),
            (r#"{"type":"customer.churned","data":{"ref":"C-1"}}"#.into(), "data.churned_at: missing"),
            (r#"{"type":"customer.upserted","data":{"ref":"C-1","email":"nope"}}"#.into(), "data.email: must be an e-mail address like ada@example.com"),
            (r#"{"type":"customer.upserted","data":{"ref":"C-1","monthly_revenue":{"amount":"-1","currency":"USD"}}}"#.into(), "data.monthly_revenue.amount: Enter an amount like 25 or 25.00 (at most 2 decimals, not negative)."),
            (r#"{"type":"customer.upserted","data":{"ref":"C-1","monthly_revenue":{"amount":"1"}}}"#.into(), "data.monthly_revenue.currency: missing"),
            (r#"{"type":"customer.upserted","data":{"ref":"C-1","plan":"x"}}"#.replace("\"x\"", &format!("\"{}\"", "p".repeat(61))), "data.plan: must be at most 60 characters"),
            (r#"{"type":"action.given","data":{"incident":1,"customer":"C-1","kind":"hug","given_at":"2026-11-20T14:05:00Z"}}"#.into(), "data.kind: must be one of credit, refund, gift, apology, proactive_contact, discount, other"),
            (r#"{"type":"action.given","data":{"customer":"C-1","kind":"gift","given_at":"2026-11-20T14:05:00Z"}}"#.into(), "data.incident: missing"),
            (r#"{"type":"action.given","data":{"incident":1,"customer":"C-1","kind":"credit","value":{"amount":"5","currency":"EUR"},"cost":{"amount":"5","currency":"USD"},"given_at":"2026-11-20T14:05:00Z"}}"#.into(), "data.cost: currency must be the value's currency (EUR)"),
            (format!(r#"{{"type":"action.given","data":{{"incident":1,"customer":"C-1","kind":"gift","given_at":"2026-11-20T14:05:00Z","note":"{}"}}}}"#, "n".repeat(5001)), "data.note: must be at most 5,000 characters"),
        ];
        for (body, want) in cases {
            assert_eq!(err(SourceKind::Standard, &body), want, "{body}");
        }
        assert!(err(SourceKind::Standard, "{not json").starts_with("body: not JSON"));
        assert_eq!(err(SourceKind::Standard, "[]"), "body: must be an object");
    }

    // ---- Stripe ----------------------------------------------------------------------

    /// A `customer.subscription.deleted` event as Stripe sends it (trimmed of members Amends
    /// does not read, shaped as in Stripe's API reference).
    const SUBSCRIPTION_DELETED: &str = r#"{
      "id": "evt_1QbX2rLkdIwHu7ixXk3Yt9aB",
      "object": "event",
      "api_version": "2024-06-20",
      "created": 1795183500,
      "data": {
        "object": {
          "id": "sub_1MowQVLkdIwHu7ixeRlqHVzs",
          "object": "subscription",
          "billing_cycle_anchor": 1779542400,
          "cancel_at": null,
          "cancel_at_period_end": false,
          "canceled_at": 1795183400,
          "cancellation_details": {"comment": null, "feedback": "too_expensive", "reason": "cancellation_requested"},
          "collection_method": "charge_automatically",
          "created": 1779542400,
          "currency": "usd",
          "customer": "cus_NffrFeUfNV2Hib",
          "ended_at": 1795183450,
          "items": {"object": "list", "data": [], "has_more": false, "url": "/v1/subscription_items?subscription=sub_1MowQVLkdIwHu7ixeRlqHVzs"},
          "livemode": false,
          "metadata": {},
          "status": "canceled"
        }
      },
      "livemode": false,
      "pending_webhooks": 1,
      "request": {"id": null, "idempotency_key": null},
      "type": "customer.subscription.deleted"
    }"#;

    #[test]
    fn stripe_subscription_deleted_is_churn() {
        let p = parse_str(SourceKind::Stripe, SUBSCRIPTION_DELETED).unwrap();
        assert_eq!(p.event_type, "customer.subscription.deleted");
        assert_eq!(
            p.records,
            vec![Inbound::Customer(CustomerIn {
                line: 1,
                external_ref: "cus_NffrFeUfNV2Hib".into(),
                churned_at: Some(Some(1_795_183_450_000)),
                ..Default::default()
            })]
        );
        // The metadata names the Amends customer; without ended_at, canceled_at counts.
        let tagged = SUBSCRIPTION_DELETED
            .replace(
                r#""metadata": {}"#,
                r#""metadata": {"amends_customer": "C-1042"}"#,
            )
            .replace(r#""ended_at": 1795183450"#, r#""ended_at": null"#);
        assert_eq!(
            one(SourceKind::Stripe, &tagged),
            Inbound::Customer(CustomerIn {
                line: 1,
                external_ref: "C-1042".into(),
                churned_at: Some(Some(1_795_183_400_000)),
                ..Default::default()
            })
        );
        let neither = tagged.replace(r#""canceled_at": 1795183400"#, r#""canceled_at": null"#);
        match one(SourceKind::Stripe, &neither) {
            Inbound::Customer(c) => assert_eq!(c.churned_at, Some(Some(T))),
            other => panic!("{other:?}"),
        }
    }

    /// A `credit_note.created` event, the object as Stripe's API reference shows it.
    const CREDIT_NOTE_CREATED: &str = r##"{
      "id": "evt_1QbY7nLkdIwHu7ixq0GmC5rT",
      "object": "event",
      "api_version": "2024-06-20",
      "created": 1795183510,
      "data": {
        "object": {
          "id": "cn_1MxvRqLkdIwHu7ixY0xbUcxk",
          "object": "credit_note",
          "amount": 1099,
          "amount_shipping": 0,
          "created": 1795183500,
          "currency": "usd",
          "customer": "cus_NffrFeUfNV2Hib",
          "customer_balance_transaction": null,
          "discount_amount": 0,
          "discount_amounts": [],
          "invoice": "in_1MxvRkLkdIwHu7ixABNtI99m",
          "lines": {"object": "list", "data": [], "has_more": false, "url": "/v1/credit_notes/cn_1MxvRqLkdIwHu7ixY0xbUcxk/lines"},
          "livemode": false,
          "memo": null,
          "metadata": {"amends_incident": "#12"},
          "number": "C9E0C52C-0036-CN-01",
          "out_of_band_amount": null,
          "pdf": "https://pay.stripe.com/credit_notes/acct_1M2JTkLkdIwHu7ix/test_YWNjdF8xTTJKVGtMa2RJd0h1N2l4/pdf",
          "reason": null,
          "refund": null,
          "status": "issued",
          "subtotal": 1099,
          "total": 1099,
          "type": "pre_payment",
          "voided_at": null
        }
      },
      "livemode": false,
      "pending_webhooks": 1,
      "request": {"id": "req_8yPn0VgL2lSxGs", "idempotency_key": "f2d5a1c4-6b2e-4a0f-9d1e-8c3b7a5e2f10"},
      "type": "credit_note.created"
    }"##;

    #[test]
    fn stripe_credit_note_with_an_incident_is_a_credit() {
        assert_eq!(
            one(SourceKind::Stripe, CREDIT_NOTE_CREATED),
            Inbound::Action(ActionIn {
                line: 1,
                external_id: Some("stripe:cn_1MxvRqLkdIwHu7ixY0xbUcxk".into()),
                incident: 12,
                customer: CustomerKey::Ref("cus_NffrFeUfNV2Hib".into()),
                kind: ActionKind::Credit,
                value: Money::new(1099, "USD"),
                cost_minor: 1099,
                channel: Channel::Email,
                given_at: T,
                note: "Stripe credit note C9E0C52C-0036-CN-01".into(),
            })
        );
        let untagged =
            CREDIT_NOTE_CREATED.replace(r##""amends_incident": "#12""##, r#""other": "x""#);
        let p = parse_str(SourceKind::Stripe, &untagged).unwrap();
        assert_eq!(
            (p.event_type.as_str(), p.records.len()),
            ("credit_note.created", 0)
        );

        let bad = CREDIT_NOTE_CREATED.replace(r##""#12""##, r#""twelve""#);
        assert_eq!(
            err(SourceKind::Stripe, &bad),
            "data.object.metadata.amends_incident: must be an incident number like 12"
        );
        let no_currency = CREDIT_NOTE_CREATED.replace(r#""currency": "usd","#, "");
        assert_eq!(
            err(SourceKind::Stripe, &no_currency),
            "data.object.currency: missing"
        );
        let negative = CREDIT_NOTE_CREATED.replace(r#""total": 1099"#, r#""total": -5"#);
        assert_eq!(
            err(SourceKind::Stripe, &negative),
            "data.object.total: must be a whole number of minor units, not negative"
        );
    }

    /// A `customer.updated` event for a customer whose balance was credited 5.00 in the same
    /// update that tagged it with an incident.
    const CUSTOMER_UPDATED: &str = r#"{
      "id": "evt_1QbZ0aLkdIwHu7ixR3mW8kQe",
      "object": "event",
      "api_version": "2024-06-20",
      "created": 1795183500,
      "data": {
        "object": {
          "id": "cus_NffrFeUfNV2Hib",
          "object": "customer",
          "address": null,
          "balance": -500,
          "created": 1680893993,
          "currency": "eur",
          "default_source": null,
          "delinquent": false,
          "description": null,
          "email": "jennyrosen@example.com",
          "invoice_prefix": "0759376C",
          "invoice_settings": {"custom_fields": null, "default_payment_method": null, "footer": null, "rendering_options": null},
          "livemode": false,
          "metadata": {"amends_incident": "12"},
          "name": "Jenny Rosen",
          "next_invoice_sequence": 1,
          "phone": null,
          "preferred_locales": [],
          "shipping": null,
          "tax_exempt": "none",
          "test_clock": null
        },
        "previous_attributes": {"balance": 0, "metadata": {"amends_incident": null}}
      },
      "livemode": false,
      "pending_webhooks": 1,
      "request": {"id": "req_Qm2xkT8aFv0pLw", "idempotency_key": null},
      "type": "customer.updated"
    }"#;

    #[test]
    fn stripe_balance_credit_tagged_in_the_same_update() {
        assert_eq!(
            one(SourceKind::Stripe, CUSTOMER_UPDATED),
            Inbound::Action(ActionIn {
                line: 1,
                external_id: Some("stripe:evt_1QbZ0aLkdIwHu7ixR3mW8kQe".into()),
                incident: 12,
                customer: CustomerKey::Ref("cus_NffrFeUfNV2Hib".into()),
                kind: ActionKind::Credit,
                value: Money::new(500, "EUR"),
                cost_minor: 500,
                channel: Channel::Email,
                given_at: T,
                note: "Stripe customer balance credit".into(),
            })
        );
        let none = |body: &str| {
            let p = parse_str(SourceKind::Stripe, body).unwrap();
            assert_eq!(p.event_type, "customer.updated");
            assert!(p.records.is_empty(), "{body}");
        };
        // The tag was already there: a later balance change is not this incident's.
        none(&CUSTOMER_UPDATED.replace(
            r#""previous_attributes": {"balance": 0, "metadata": {"amends_incident": null}}"#,
            r#""previous_attributes": {"balance": 0}"#,
        ));
        // The balance went up (credit used on an invoice) or did not change.
        none(
            &CUSTOMER_UPDATED
                .replace(r#""balance": -500"#, r#""balance": 0"#)
                .replace(
                    r#""balance": 0, "metadata""#,
                    r#""balance": -500, "metadata""#,
                ),
        );
        none(&CUSTOMER_UPDATED.replace(
            r#""previous_attributes": {"balance": 0, "metadata": {"amends_incident": null}}"#,
            r#""previous_attributes": {"metadata": {"amends_incident": null}}"#,
        ));
        // No tag at all.
        none(&CUSTOMER_UPDATED.replace(
            r#""metadata": {"amends_incident": "12"}"#,
            r#""metadata": {}"#,
        ));
        // Changing the tag from one incident to another counts.
        let retagged =
            CUSTOMER_UPDATED.replace(r#""amends_incident": null"#, r#""amends_incident": "9""#);
        assert_eq!(
            parse_str(SourceKind::Stripe, &retagged)
                .unwrap()
                .records
                .len(),
            1
        );
        let no_currency = CUSTOMER_UPDATED.replace(r#""currency": "eur""#, r#""currency": null"#);
        assert_eq!(
            err(SourceKind::Stripe, &no_currency),
            "data.object.currency: missing"
        );
    }

    #[test]
    fn other_stripe_events_give_no_records() {
        for t in [
            "customer_cash_balance_transaction.created",
            "invoice.paid",
            "charge.refunded",
        ] {
            let body = format!(
                r#"{{"id":"evt_1","object":"event","type":"{t}","created":1795183500,"data":{{"object":{{"id":"x","metadata":{{"amends_incident":"12"}}}}}}}}"#
            );
            let p = parse_str(SourceKind::Stripe, &body).unwrap();
            assert_eq!((p.event_type.as_str(), p.records.len()), (t, 0));
        }
        assert_eq!(
            err(SourceKind::Stripe, r#"{"id":"evt_1"}"#),
            "type: missing"
        );
        assert_eq!(
            err(
                SourceKind::Stripe,
                r#"{"id":"evt_1","type":"customer.subscription.deleted","created":1}"#
            ),
            "data: missing"
        );
        assert_eq!(
            err(
                SourceKind::Stripe,
                r#"{"id":"evt_1","type":"customer.subscription.deleted","created":1,"data":{"object":{"id":"sub_1"}}}"#
            ),
            "data.object.customer: missing"
        );
    }

    // ---- Intercom --------------------------------------------------------------------

    /// A `conversation.user.replied` notification as Intercom's webhook docs show it
    /// (conversation model of API 2.x, trimmed of members Amends does not read).
    const USER_REPLIED: &str = r##"{
      "type": "notification_event",
      "app_id": "a86dr8yl",
      "data": {
        "type": "notification_event_data",
        "item": {
          "type": "conversation",
          "id": "147",
          "created_at": 1795180000,
          "updated_at": 1795183500,
          "source": {
            "type": "conversation",
            "id": "403918330",
            "delivered_as": "customer_initiated",
            "subject": "",
            "body": "<p>My invoices page has been down all morning.</p>",
            "author": {"type": "user", "id": "5f2a4b6c8d0e1f2a3b4c5d6e", "name": "Ada Lovelace", "email": "ada@example.com"},
            "attachments": [],
            "url": null,
            "redacted": false
          },
          "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": "5f2a4b6c8d0e1f2a3b4c5d6e", "external_id": "C-1042"}]},
          "open": true,
          "state": "open",
          "custom_attributes": {"amends_incident": "#12"},
          "conversation_parts": {
            "type": "conversation_part.list",
            "conversation_parts": [
              {
                "type": "conversation_part",
                "id": "2317187401",
                "part_type": "comment",
                "body": "<p>Sorry about that! We credited your account.</p>",
                "created_at": 1795183000,
                "updated_at": 1795183000,
                "notified_at": 1795183000,
                "assigned_to": null,
                "author": {"type": "admin", "id": "991267", "name": "Grace Hopper", "email": "grace@amends.example"},
                "attachments": [],
                "external_id": null,
                "redacted": false
              },
              {
                "type": "conversation_part",
                "id": "2317187425",
                "part_type": "comment",
                "body": "<p>Thanks &amp; <b>well</b> handled &mdash; it&#39;s working again.</p><p>Ada&nbsp;&lt;3</p>",
                "created_at": 1795183500,
                "updated_at": 1795183500,
                "notified_at": 1795183500,
                "assigned_to": null,
                "author": {"type": "user", "id": "5f2a4b6c8d0e1f2a3b4c5d6e", "name": "Ada Lovelace", "email": "Ada@Example.com"},
                "attachments": [],
                "external_id": null,
                "redacted": false
              }
            ],
            "total_count": 2
          }
        }
      },
      "links": {},
      "id": "notif_ccd8a4d2-c7d4-4d1e-8f2b-3a1c0e9b7f65",
      "topic": "conversation.user.replied",
      "delivery_status": "pending",
      "delivery_attempts": 1,
      "delivered_at": 0,
      "first_sent_at": 1795183501,
      "created_at": 1795183501,
      "self": null
    }"##;

    #[test]
    fn intercom_user_replied_is_the_newest_customer_part() {
        let text = "Thanks & well handled &mdash; it's working again. Ada <3";
        let p = parse_str(SourceKind::Intercom, USER_REPLIED).unwrap();
        assert_eq!(p.event_type, "conversation.user.replied");
        assert_eq!(
            p.records,
            vec![Inbound::Reply(ReplyIn {
                line: 1,
                external_id: Some("intercom:2317187425".into()),
                customer: CustomerKey::Email("ada@example.com".into()),
                incident: Some(12),
                channel: Channel::Chat,
                received_at: T,
                body: text.into(),
                csat: None,
                score: app::sentiment::compound(text),
            })]
        );
        let no_email = USER_REPLIED.replace(
            r#""name": "Ada Lovelace", "email": "Ada@Example.com""#,
            r#""name": "Ada Lovelace""#,
        );
        assert_eq!(
            err(SourceKind::Intercom, &no_email),
            "data.item.conversation_parts.conversation_parts[1].author.email: missing (Amends finds Intercom customers by e-mail)"
        );
        let admin_only = USER_REPLIED.replace(r#""type": "user", "id": "5f2a4b6c8d0e1f2a3b4c5d6e", "name": "Ada Lovelace", "email": "Ada@Example.com""#, r#""type": "bot", "id": "1""#);
        assert_eq!(
            err(SourceKind::Intercom, &admin_only),
            "data.item.conversation_parts: no part written by the customer"
        );
        let no_attr = USER_REPLIED.replace(
            r##""custom_attributes": {"amends_incident": "#12"}"##,
            r#""custom_attributes": {}"#,
        );
        match one(SourceKind::Intercom, &no_attr) {
            Inbound::Reply(r) => assert_eq!(r.incident, None),
            other => panic!("{other:?}"),
        }
        let bad_attr = USER_REPLIED.replace(r##""#12""##, r#""soon""#);
        assert_eq!(
            err(SourceKind::Intercom, &bad_attr),
            "data.item.custom_attributes.amends_incident: must be an incident number like 12"
        );
        // An image alone: nothing to record.
        let image = USER_REPLIED.replace(
            r#""<p>Thanks &amp; <b>well</b> handled &mdash; it&#39;s working again.</p><p>Ada&nbsp;&lt;3</p>""#,
            r#""<p><img src=\"https://downloads.intercomcdn.com/i/o/1/x.png\"></p>""#,
        );
        assert!(parse_str(SourceKind::Intercom, &image)
            .unwrap()
            .records
            .is_empty());
    }

    #[test]
    fn intercom_user_created_is_the_first_message() {
        let created =
            USER_REPLIED.replace("conversation.user.replied", "conversation.user.created");
        let text = "My invoices page has been down all morning.";
        assert_eq!(
            one(SourceKind::Intercom, &created),
            Inbound::Reply(ReplyIn {
                line: 1,
                external_id: Some("intercom:147".into()),
                customer: CustomerKey::Email("ada@example.com".into()),
                incident: Some(12),
                channel: Channel::Chat,
                received_at: 1_795_180_000_000,
                body: text.into(),
                csat: None,
                score: app::sentiment::compound(text),
            })
        );
        let no_source = r#"{"type":"notification_event","id":"notif_1","topic":"conversation.user.created",
            "created_at":1,"data":{"item":{"type":"conversation","id":"9","created_at":1}}}"#;
        assert_eq!(
            err(SourceKind::Intercom, no_source),
            "data.item.source: missing"
        );
    }

    #[test]
    fn other_intercom_topics_give_no_records() {
        for topic in ["ping", "conversation.admin.replied", "contact.user.created"] {
            let body = USER_REPLIED.replace("conversation.user.replied", topic);
            let p = parse_str(SourceKind::Intercom, &body).unwrap();
            assert_eq!((p.event_type.as_str(), p.records.len()), (topic, 0));
        }
        assert_eq!(
            err(SourceKind::Intercom, r#"{"type":"notification_event"}"#),
            "topic: missing"
        );
    }

    #[test]
    fn html_becomes_text() {
        assert_eq!(html_to_text("<p>a</p><p>b</p>"), "a b");
        assert_eq!(html_to_text("he<b>ll</b>o<br/>there"), "hello there");
        assert_eq!(
            html_to_text("&lt;b&gt; &amp;amp; &quot;q&quot; &#39;s&#39; &#x263A; a&nbsp;b"),
            "<b> &amp; \"q\" 's' ☺ a b"
        );
        assert_eq!(html_to_text("1 < 2 & 3 > 2"), "1 < 2 & 3 > 2");
        assert_eq!(html_to_text("a<!-- note -->b <3 <"), "ab <3 <");
        assert_eq!(html_to_text("  \n\t "), "");
        assert_eq!(html_to_text("&bogus; &#xZZ; &#0;"), "&bogus; &#xZZ; &#0;");
    }

    #[test]
    fn long_intercom_messages_are_cut() {
        let long = "é".repeat(10_050);
        let body = USER_REPLIED.replace(
            r#""<p>Thanks &amp; <b>well</b> handled &mdash; it&#39;s working again.</p><p>Ada&nbsp;&lt;3</p>""#,
            &format!("\"{long}\""),
        );
        match one(SourceKind::Intercom, &body) {
            Inbound::Reply(r) => assert_eq!(r.body.chars().count(), 10_000),
            other => panic!("{other:?}"),
        }
    }
}
