//! Sending the weekly report by e-mail over SMTP (lettre): the HTML report with the
//! Markdown as its plain-text alternative. The SMTP URL may carry a password; it is never
//! logged or printed.

use super::Format;
use app::domain::report::WeekReport;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Where and as whom to send.
#[derive(Clone)]
pub struct Smtp {
    url: String,
    from: Mailbox,
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp")
            .field("url", &crate::store::redact_url(&self.url))
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl Smtp {
    /// `url`: `smtp://host:25` (plain), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host` (TLS); `from`: `Amends <amends@example.com>`.
    pub fn new(url: &str, from: &str) -> Result<Smtp, String> {
        let url = url.trim();
        if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
            return Err(
                "the SMTP URL must start with smtp:// or smtps://, like smtp://mail.example.com:25"
                    .into(),
            );
        }
        let from = from.trim().parse::<Mailbox>().map_err(|_| {
            format!(
                "“{}” is not a sender address like Amends <amends@example.com>",
                from.trim()
            )
        })?;
        Ok(Smtp {
            url: url.to_string(),
            from,
        })
    }
}

/// Parse the recipients, saying which one is not an address.
pub fn recipients(to: &[String]) -> Result<Vec<Mailbox>, String> {
    to.iter()
        .flat_map(|t| t.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<Mailbox>()
                .map_err(|_| format!("“{t}” is not an e-mail address"))
        })
        .collect()
}

/// `Amends weekly report 2026-W47: 3 incidents, 120 customers affected`
pub fn subject(r: &WeekReport) -> String {
    let count = |key: &str| r.figure(key).and_then(|f| f.value).unwrap_or(0.0) as i64;
    let opened = count("incidents_opened");
    let plural = |n: i64, one: &str, many: &str| {
        format!(
            "{} {}",
            app::format::count(n),
            if n == 1 { one } else { many }
        )
    };
    format!(
        "Amends weekly report {}: {}, {} affected",
        r.week,
        plural(opened, "incident", "incidents"),
        plural(count("customers_affected"), "customer", "customers"),
    )
}

/// The message: HTML with the Markdown as its plain-text part.
pub fn message(r: &WeekReport, smtp: &Smtp, to: &[Mailbox], base: &str) -> Result<Message, String> {
    if to.is_empty() {
        return Err("give at least one recipient".into());
    }
    let mut b = Message::builder()
        .from(smtp.from.clone())
        .subject(subject(r));
    for m in to {
        b = b.to(m.clone());
    }
    b.multipart(MultiPart::alternative_plain_html(
        Format::Md.render(r, base),
        Format::Html.render(r, base),
    ))
    .map_err(|e| format!("the message could not be built: {e}"))
}

pub async fn send(smtp: &Smtp, message: Message) -> Result<(), String> {
    let host = crate::store::redact_url(&smtp.url);
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url)
        .map_err(|_| format!("the SMTP URL {host} is not one Amends can use"))?
        .timeout(Some(std::time::Duration::from_secs(30)))
        .build();
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| format!("the SMTP server at {host} did not take the report: {e}"))
}
