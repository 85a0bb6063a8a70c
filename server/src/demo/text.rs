//! The words of the demo: names, incident titles and customers' replies. Reply texts come
//! with their reference VADER compound scores (`server/demo/replies.tsv`, produced by
//! `server/demo/score_replies.py` with vaderSentiment 3.3.2), so demo sentiment is exactly
//! what the scorer says about each text.

use app::domain::IncidentKind;

pub const FIRST: &[&str] = &[
    "Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Priya", "Lucas", "Amara", "Mateo", "Hana",
    "Oliver", "Sofia", "Kenji", "Chloe", "Omar", "Isla", "Diego", "Leila", "Jonas", "Nora",
    "Felix", "Aisha", "Theo", "Mei", "Samuel", "Elena", "Arjun", "Freya", "Malik", "Clara", "Ravi",
    "Ingrid", "Tomás", "Yara", "Hugo", "Anika", "Bruno", "Lena", "Kofi", "Julia", "Emil", "Sara",
    "Idris", "Marta", "Oscar", "Nadia", "Pablo",
];

pub const LAST: &[&str] = &[
    "Okafor",
    "Lindqvist",
    "Nakamura",
    "Garcia",
    "Müller",
    "Patel",
    "Rossi",
    "Kowalski",
    "Haddad",
    "Silva",
    "Andersen",
    "Chen",
    "Dubois",
    "Novak",
    "O'Brien",
    "Takahashi",
    "Jensen",
    "Moreau",
    "Ivanova",
    "Costa",
    "Fischer",
    "Ahmed",
    "Larsen",
    "Romero",
    "Schmidt",
    "Kim",
    "Bianchi",
    "Nguyen",
    "Weber",
    "Mensah",
    "Hughes",
    "Sato",
    "Dimitrov",
    "Alvarez",
    "Berg",
    "Khan",
    "Fontaine",
    "Horvat",
    "Quinn",
    "Yilmaz",
];

pub const COMPANY: &[&str] = &[
    "Acme",
    "Northwind",
    "Bluebird",
    "Quarry",
    "Lumen",
    "Fernway",
    "Kestrel",
    "Orbit",
    "Tidal",
    "Maple",
    "Harbor",
    "Copper",
    "Juniper",
    "Atlas",
    "Pioneer",
    "Summit",
    "Willow",
    "Beacon",
    "Cinder",
    "Meridian",
];

pub const TEAM: &[(&str, &str)] = &[
    ("Dana Whitfield", "dana.whitfield@team.example"),
    ("Ravi Menon", "ravi.menon@team.example"),
    ("Grace Adeyemi", "grace.adeyemi@team.example"),
    ("Tom Becker", "tom.becker@team.example"),
    ("Lucía Ortega", "lucia.ortega@team.example"),
];

const COMPONENTS: &[&str] = &[
    "checkout API",
    "dashboard",
    "CSV export",
    "mobile app",
    "webhooks",
    "login",
    "search",
    "notifications",
    "reporting",
    "file uploads",
    "billing portal",
    "public API",
    "sync service",
];
const REGIONS: &[&str] = &["EU", "US-East", "US-West", "APAC", "all regions"];

/// A plausible incident title and description for a kind; `pick` supplies randomness.
pub fn incident_text(kind: IncidentKind, mut pick: impl FnMut(usize) -> usize) -> (String, String) {
    let comp = COMPONENTS[pick(COMPONENTS.len())];
    let region = REGIONS[pick(REGIONS.len())];
    let (title, desc) = match kind {
        IncidentKind::Outage => (
            format!("{} down in {region}", capitalise(comp)),
            format!("Requests to the {comp} failed for customers in {region}; a bad deploy took the service down."),
        ),
        IncidentKind::Degradation => (
            format!("Slow {comp} for {region} customers"),
            format!("Latency on the {comp} rose to several seconds after a database failover."),
        ),
        IncidentKind::Bug => (
            format!("{} shows wrong totals", capitalise(comp)),
            format!("A release changed rounding in the {comp}; some customers saw incorrect figures."),
        ),
        IncidentKind::DataLoss => (
            format!("{} lost recent changes", capitalise(comp)),
            format!("A failed migration dropped changes made in the {comp} during a two-hour window."),
        ),
        IncidentKind::BillingError => (
            "Customers charged twice at renewal".to_string(),
            "A retry in the payment job charged some renewals twice.".to_string(),
        ),
        IncidentKind::Security => (
            format!("Session tokens exposed in {comp} logs"),
            format!("Session tokens were written to {comp} logs readable by support staff; sessions were revoked."),
        ),
        IncidentKind::Other => (
            format!("Confusing email sent about the {comp}"),
            "A maintenance notice went to the wrong audience and alarmed customers.".to_string(),
        ),
    };
    (title, desc)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// One corpus reply, its reference compound score, and what it talks about (so a reply
/// about a refund is only given to a customer who got one).
#[derive(Clone, Debug)]
pub struct ScoredReply {
    pub compound: f64,
    pub text: &'static str,
    pub topics: Vec<&'static str>,
}

/// Topic words: a reply mentioning any of a topic's words is about that topic.
const TOPICS: &[(&str, &[&str])] = &[
    ("outage", &["outage", " down", "offline", "unreachable"]),
    ("slow", &["slow", "latency", "lag", "timeout", "timing out"]),
    (
        "data",
        &["data", "export", "lost", "missing", "deleted", "backup"],
    ),
    (
        "billing",
        &["charge", "charged", "invoice", "billing", "bill", "payment"],
    ),
    (
        "security",
        &["security", "breach", "password", "api key", "token", "leak"],
    ),
    ("credit", &["credit"]),
    ("refund", &["refund"]),
    ("gift", &["gift", "swag", "mug", "t-shirt", "hoodie"]),
    ("discount", &["discount", "% off", "coupon"]),
    ("apology", &["apology", "apologi", "sorry email"]),
    ("call", &["call", "phoned", "phone"]),
];

/// The topics a text mentions.
pub fn topics_of(text: &str) -> Vec<&'static str> {
    let lower = text.to_lowercase();
    TOPICS
        .iter()
        .filter(|(_, words)| words.iter().any(|w| lower.contains(w)))
        .map(|(t, _)| *t)
        .collect()
}

/// The topic an incident of this kind makes natural.
pub fn incident_topic(kind: IncidentKind) -> Option<&'static str> {
    match kind {
        IncidentKind::Outage => Some("outage"),
        IncidentKind::Degradation | IncidentKind::Bug => Some("slow"),
        IncidentKind::DataLoss => Some("data"),
        IncidentKind::BillingError => Some("billing"),
        IncidentKind::Security => Some("security"),
        IncidentKind::Other => None,
    }
}

/// The corpus, sorted by score so a target sentiment can be met by a nearby text.
pub fn corpus() -> Vec<ScoredReply> {
    let mut out: Vec<ScoredReply> = include_str!("../../demo/replies.tsv")
        .lines()
        .skip(1)
        .filter_map(|line| {
            let (score, text) = line.split_once('\t')?;
            Some(ScoredReply {
                compound: score.parse().ok()?,
                text,
                topics: topics_of(text),
            })
        })
        .collect();
    out.sort_by(|a, b| a.compound.total_cmp(&b.compound));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_found_by_their_words() {
        assert_eq!(topics_of("Thanks for the refund!"), vec!["refund"]);
        assert_eq!(
            topics_of("Charged twice, and no credit?"),
            vec!["billing", "credit"]
        );
        assert!(topics_of("Thanks, all good now.").is_empty());
    }

    #[test]
    fn corpus_loads_every_line_sorted_and_in_range() {
        let c = corpus();
        let lines = include_str!("../../demo/replies.tsv").lines().count() - 1;
        assert_eq!(c.len(), lines);
        assert!(c.windows(2).all(|w| w[0].compound <= w[1].compound));
        assert!(c
            .iter()
            .all(|r| (-1.0..=1.0).contains(&r.compound) && !r.text.is_empty()));
        assert!(c.iter().any(|r| r.compound <= -0.5) && c.iter().any(|r| r.compound >= 0.5));
    }
}
