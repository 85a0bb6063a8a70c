//! Is a delivery really from its sender? Each kind of source signs its deliveries its own way:
//!
//! - **Standard Webhooks 1.0** (standardwebhooks.com): headers `webhook-id`,
//!   `webhook-timestamp` (unix seconds) and `webhook-signature`, a space-separated list of
//!   `v1,<base64>` entries (others are ignored; any one matching passes). The secret is
//!   `whsec_` + base64 of the key; the signed content is `{id}.{timestamp}.{body}`,
//!   HMAC-SHA256. The delivery id is `webhook-id`.
//! - **Stripe**: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]` (`v0` entries are test-mode
//!   leftovers and ignored); HMAC-SHA256 over `{t}.{body}` keyed with the endpoint secret
//!   string as it is (`whsec_…` included), hex. While a secret is being rolled Stripe sends one
//!   `v1` per secret. The delivery id is the event's `id` (`evt_…`) in the body.
//! - **Intercom**: `X-Hub-Signature: sha1=<hex>`, HMAC-SHA1 of the raw body keyed with the
//!   app's client secret. No timestamp, so no replay window; the delivery id (the
//!   notification's `id`, `notif_…`) lets the inbox drop repeats.
//!
//! Timestamps more than five minutes from now, either way, are refused (Stripe's own library
//! checks only the past; a timestamp from the future means a sender's clock is wrong or the
//! delivery was made up). Every comparison is constant-time (`Mac::verify_slice`). Sizes are
//! bounded: a header over 4 KiB is malformed and at most 10 signature entries are looked at.

use base64::alphabet;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use http::HeaderMap;
use rand::RngCore;
use sha1::Sha1;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;
type HmacSha1 = Hmac<Sha1>;

/// How far a signed timestamp may be from now, either way.
pub const TOLERANCE_S: i64 = 5 * 60;
/// Longer header values are refused as malformed.
pub const MAX_HEADER_BYTES: usize = 4096;
/// Signature entries beyond this many are not looked at.
pub const MAX_SIGNATURES: usize = 10;
/// Longest delivery id (characters).
pub const MAX_ID_CHARS: usize = 200;

/// Base64 as senders write it: padded or not (the reference libraries accept both in secrets).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

const SECRET_PREFIX: &str = "whsec_";

/// How a source signs its deliveries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    Standard,
    Stripe,
    Intercom,
}

impl SourceKind {
    pub const ALL: &'static [SourceKind] = &[
        SourceKind::Standard,
        SourceKind::Stripe,
        SourceKind::Intercom,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            SourceKind::Standard => "standard",
            SourceKind::Stripe => "stripe",
            SourceKind::Intercom => "intercom",
        }
    }

    /// A stored code back (exactly as `code` writes it).
    pub fn parse(s: &str) -> Option<SourceKind> {
        Self::ALL.iter().copied().find(|k| k.code() == s)
    }

    /// What a person reads.
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Standard => "Standard Webhooks",
            SourceKind::Stripe => "Stripe",
            SourceKind::Intercom => "Intercom",
        }
    }
}

/// Why a delivery was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejected {
    /// The named header is absent (or empty).
    MissingHeader(&'static str),
    /// The named header (or body member, for ids read from the body) cannot be read.
    Malformed(&'static str),
    /// The signed timestamp is more than five minutes from now.
    Stale,
    /// No signature matches any accepted secret.
    BadSignature,
}

impl Rejected {
    /// A short snake_case reason, for logs and the inbox.
    pub fn reason(&self) -> &'static str {
        match self {
            Rejected::MissingHeader(_) => "missing_header",
            Rejected::Malformed(_) => "malformed",
            Rejected::Stale => "stale_timestamp",
            Rejected::BadSignature => "bad_signature",
        }
    }
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejected::MissingHeader(h) => write!(f, "missing header {h}"),
            Rejected::Malformed(h) => write!(f, "malformed {h}"),
            Rejected::Stale => f.write_str("timestamp more than five minutes from now"),
            Rejected::BadSignature => f.write_str("no signature matches"),
        }
    }
}

/// Check a delivery's signature and return its delivery id.
///
/// `secrets`: every secret currently accepted (the current one, and the previous one during
/// a rotation); a secret that is not usable for `kind` matches nothing. `now_s`: unix seconds.
pub fn verify(
    kind: SourceKind,
    headers: &HeaderMap,
    body: &[u8],
    secrets: &[&str],
    now_s: i64,
) -> Result<String, Rejected> {
    match kind {
        SourceKind::Standard => verify_standard(headers, body, secrets, now_s),
        SourceKind::Stripe => {
            verify_stripe(headers, body, secrets, now_s)?;
            id_in_body(body)
        }
        SourceKind::Intercom => {
            verify_intercom(headers, body, secrets)?;
            id_in_body(body)
        }
    }
}

/// A new random secret for a Standard Webhooks source: `whsec_` + base64 of 24 random bytes.
pub fn new_standard_secret() -> String {
    let mut key = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// Whether a pasted secret is usable for `kind`; the error says what is wrong with it.
pub fn check_secret(kind: SourceKind, secret: &str) -> Result<(), String> {
    if secret.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(
            "The secret has spaces or line breaks in it; copy it again without them.".into(),
        );
    }
    match kind {
        SourceKind::Standard => {
            let Some(b64) = secret.strip_prefix(SECRET_PREFIX) else {
                return Err("A Standard Webhooks secret starts with whsec_.".into());
            };
            let key = LENIENT
                .decode(b64)
                .map_err(|_| "The part after whsec_ is not valid base64.".to_string())?;
            if !(16..=64).contains(&key.len()) {
                return Err(format!(
                    "The key after whsec_ is {} bytes; a Standard Webhooks key is 16 to 64 bytes.",
                    key.len()
                ));
            }
            Ok(())
        }
        SourceKind::Stripe => {
            if !secret.starts_with(SECRET_PREFIX) {
                return Err(
                    "A Stripe signing secret starts with whsec_ (the endpoint's secret, not an API key)."
                        .into(),
                );
            }
            check_length(secret)
        }
        SourceKind::Intercom => {
            if !secret.chars().all(|c| c.is_ascii_graphic()) {
                return Err("An Intercom client secret is plain letters and digits.".into());
            }
            check_length(secret)
        }
    }
}

fn check_length(secret: &str) -> Result<(), String> {
    let n = secret.chars().count();
    if (8..=200).contains(&n) {
        Ok(())
    } else {
        Err(format!(
            "The secret is {n} characters; it should be 8 to 200."
        ))
    }
}

/// A header's value, trimmed; absent or empty is missing, too long or not ASCII malformed.
fn header<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<&'a str, Rejected> {
    let value = headers.get(name).ok_or(Rejected::MissingHeader(name))?;
    if value.len() > MAX_HEADER_BYTES {
        return Err(Rejected::Malformed(name));
    }
    let s = value
        .to_str()
        .map_err(|_| Rejected::Malformed(name))?
        .trim();
    if s.is_empty() {
        return Err(Rejected::MissingHeader(name));
    }
    Ok(s)
}

/// A unix timestamp in seconds: digits only.
fn parse_timestamp(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn check_fresh(ts: i64, now_s: i64) -> Result<(), Rejected> {
    if ts < now_s - TOLERANCE_S || ts > now_s + TOLERANCE_S {
        Err(Rejected::Stale)
    } else {
        Ok(())
    }
}

/// 1 to 200 characters, none of them spaces or control characters.
fn valid_id(id: &str) -> bool {
    let n = id.chars().count();
    (1..=MAX_ID_CHARS).contains(&n) && !id.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn verify_standard(
    headers: &HeaderMap,
    body: &[u8],
    secrets: &[&str],
    now_s: i64,
) -> Result<String, Rejected> {
    const ID: &str = "webhook-id";
    const TIMESTAMP: &str = "webhook-timestamp";
    const SIGNATURE: &str = "webhook-signature";
    let id = header(headers, ID)?;
    let ts = header(headers, TIMESTAMP)?;
    let sigs = header(headers, SIGNATURE)?;
    if !valid_id(id) {
        return Err(Rejected::Malformed(ID));
    }
    let ts = parse_timestamp(ts).ok_or(Rejected::Malformed(TIMESTAMP))?;
    // Entries are `version,signature`; anything without a comma is not an entry at all.
    let entries: Vec<(&str, &str)> = sigs
        .split(' ')
        .filter(|e| !e.is_empty())
        .take(MAX_SIGNATURES)
        .map(|e| e.split_once(',').ok_or(Rejected::Malformed(SIGNATURE)))
        .collect::<Result<_, _>>()?;
    check_fresh(ts, now_s)?;
    let candidates: Vec<Vec<u8>> = entries
        .iter()
        .filter(|(version, _)| *version == "v1")
        .filter_map(|(_, sig)| STANDARD.decode(sig).ok())
        .collect();
    let keys = secrets.iter().filter_map(|s| standard_key(s));
    for key in keys {
        let Ok(mut mac) = HmacSha256::new_from_slice(&key) else {
            continue;
        };
        mac.update(format!("{id}.{ts}.").as_bytes());
        mac.update(body);
        if candidates
            .iter()
            .any(|sig| mac.clone().verify_slice(sig).is_ok())
        {
            return Ok(id.to_string());
        }
    }
    Err(Rejected::BadSignature)
}

/// The key bytes of a Standard Webhooks secret (`whsec_` optional, as in the reference
/// library); `None` for one that is not base64 or is empty.
fn standard_key(secret: &str) -> Option<Vec<u8>> {
    let b64 = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    LENIENT.decode(b64).ok().filter(|k| !k.is_empty())
}

fn verify_stripe(
    headers: &HeaderMap,
    body: &[u8],
    secrets: &[&str],
    now_s: i64,
) -> Result<(), Rejected> {
    const SIGNATURE: &str = "Stripe-Signature";
    let value = header(headers, SIGNATURE)?;
    let mut ts = None;
    let mut candidates = Vec::new();
    for item in value.split(',') {
        let (key, val) = item
            .trim()
            .split_once('=')
            .ok_or(Rejected::Malformed(SIGNATURE))?;
        match key {
            "t" if ts.is_none() => {
                ts = Some(parse_timestamp(val).ok_or(Rejected::Malformed(SIGNATURE))?);
            }
            "v1" if candidates.len() < MAX_SIGNATURES => {
                if let Some(sig) = decode_hex(val) {
                    candidates.push(sig);
                }
            }
            _ => {}
        }
    }
    let ts = ts.ok_or(Rejected::Malformed(SIGNATURE))?;
    check_fresh(ts, now_s)?;
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let Ok(mut mac) = HmacSha256::new_from_slice(secret.as_bytes()) else {
            continue;
        };
        mac.update(format!("{ts}.").as_bytes());
        mac.update(body);
        if candidates
            .iter()
            .any(|sig| mac.clone().verify_slice(sig).is_ok())
        {
            return Ok(());
        }
    }
    Err(Rejected::BadSignature)
}

fn verify_intercom(headers: &HeaderMap, body: &[u8], secrets: &[&str]) -> Result<(), Rejected> {
    const SIGNATURE: &str = "X-Hub-Signature";
    let value = header(headers, SIGNATURE)?;
    let sig = value
        .strip_prefix("sha1=")
        .and_then(decode_hex)
        .filter(|s| s.len() == 20)
        .ok_or(Rejected::Malformed(SIGNATURE))?;
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let Ok(mut mac) = HmacSha1::new_from_slice(secret.as_bytes()) else {
            continue;
        };
        mac.update(body);
        if mac.verify_slice(&sig).is_ok() {
            return Ok(());
        }
    }
    Err(Rejected::BadSignature)
}

/// Lower- or upper-case hex; `None` if it is not.
fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.len() > 256 {
        return None;
    }
    let digit = |b: u8| (b as char).to_digit(16);
    s.as_bytes()
        .chunks(2)
        .map(|p| Some((digit(p[0])? * 16 + digit(p[1])?) as u8))
        .collect()
}

/// The `id` member of a JSON body (Stripe's event id, Intercom's notification id).
fn id_in_body(body: &[u8]) -> Result<String, Rejected> {
    #[derive(serde::Deserialize)]
    struct WithId {
        id: String,
    }
    serde_json::from_slice::<WithId>(body)
        .ok()
        .map(|w| w.id)
        .filter(|id| valid_id(id))
        .ok_or(Rejected::Malformed("id"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    // ---- Standard Webhooks -------------------------------------------------------------

    /// The specification's own vector (the reference libraries' `test_sign_function`).
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TS: i64 = 1_614_265_330;
    const SPEC_BODY: &str = r#"{"test": 2432232314}"#;
    const SPEC_SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    // Signed by tests/webhooks/sign.py with standardwebhooks 1.1.0 (`Webhook.sign`).
    const STD_NEW: &str = "whsec_YW1lbmRzLXJvdGF0aW9uLWtleS1uZXch";
    const STD_OLD: &str = "whsec_YW1lbmRzLXJvdGF0aW9uLWtleS1vbGQh";
    const STD_ID: &str = "msg_2w8Hc0Xq4J9kT7yLm3Rb";
    const STD_TS: i64 = 1_795_183_500;
    const STD_BODY: &str = r#"{"type":"reply.created","timestamp":"2026-11-20T14:05:00Z","data":{"id":"rep_881","customer":"C-1042","incident":12,"received_at":"2026-11-20T14:04:10Z","body":"Thanks for the credit, all good now."}}"#;
    const STD_SIG_NEW: &str = "v1,4K+M+8tAIOUPb2N69EYFmG4SRQoZ3DLrUT195FQD7M8=";
    const STD_SIG_OLD: &str = "v1,ycUvWmYgxq8jW20B4vU6JUAOGP4l2zZ48gtzTtBHSZM=";

    fn std_headers(sig: &str) -> HeaderMap {
        headers(&[
            ("webhook-id", STD_ID),
            ("webhook-timestamp", &STD_TS.to_string()),
            ("webhook-signature", sig),
        ])
    }

    fn std_verify(
        h: &HeaderMap,
        body: &str,
        secrets: &[&str],
        now: i64,
    ) -> Result<String, Rejected> {
        verify(SourceKind::Standard, h, body.as_bytes(), secrets, now)
    }

    #[test]
    fn the_specifications_vector_verifies() {
        let h = headers(&[
            ("webhook-id", SPEC_ID),
            ("webhook-timestamp", &SPEC_TS.to_string()),
            ("webhook-signature", SPEC_SIG),
        ]);
        assert_eq!(
            std_verify(&h, SPEC_BODY, &[SPEC_SECRET], SPEC_TS + 10),
            Ok(SPEC_ID.to_string())
        );
        // The reference library also takes the key without its prefix.
        assert_eq!(
            std_verify(
                &h,
                SPEC_BODY,
                &["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
                SPEC_TS
            ),
            Ok(SPEC_ID.to_string())
        );
        // The reference tests' "invalid signature": one character off.
        let bad = headers(&[
            ("webhook-id", SPEC_ID),
            ("webhook-timestamp", &SPEC_TS.to_string()),
            (
                "webhook-signature",
                "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=",
            ),
        ]);
        assert_eq!(
            std_verify(&bad, SPEC_BODY, &[SPEC_SECRET], SPEC_TS),
            Err(Rejected::BadSignature)
        );
    }

    #[test]
    fn standard_signatures_from_the_reference_library_verify() {
        let ok = Ok(STD_ID.to_string());
        assert_eq!(
            std_verify(&std_headers(STD_SIG_NEW), STD_BODY, &[STD_NEW], STD_TS),
            ok
        );
        assert_eq!(
            std_verify(&std_headers(STD_SIG_OLD), STD_BODY, &[STD_OLD], STD_TS),
            ok
        );
        assert_eq!(
            std_verify(&std_headers(STD_SIG_NEW), STD_BODY, &[STD_OLD], STD_TS),
            Err(Rejected::BadSignature)
        );
        assert_eq!(
            std_verify(&std_headers(STD_SIG_NEW), STD_BODY, &[], STD_TS),
            Err(Rejected::BadSignature)
        );
    }

    #[test]
    fn standard_rotation_accepts_either_secret_and_either_signature() {
        let both = format!("{STD_SIG_OLD} {STD_SIG_NEW}");
        let h = std_headers(&both);
        for secrets in [
            &[STD_NEW][..],
            &[STD_OLD],
            &[STD_NEW, STD_OLD],
            &[STD_OLD, STD_NEW],
        ] {
            assert_eq!(
                std_verify(&h, STD_BODY, secrets, STD_TS),
                Ok(STD_ID.to_string())
            );
        }
        // Only the old signature sent, both secrets accepted (the sender has not switched yet).
        assert_eq!(
            std_verify(
                &std_headers(STD_SIG_OLD),
                STD_BODY,
                &[STD_NEW, STD_OLD],
                STD_TS
            ),
            Ok(STD_ID.to_string())
        );
        // A secret that is not usable matches nothing but does not stop the others.
        assert_eq!(
            std_verify(&h, STD_BODY, &["whsec_!!!", STD_NEW], STD_TS),
            Ok(STD_ID.to_string())
        );
    }

    #[test]
    fn other_versions_are_ignored_and_only_ten_entries_are_read() {
        // As in the reference tests: a v2 entry with the right bytes does not count.
        let v2 = STD_SIG_NEW.replacen("v1,", "v2,", 1);
        assert_eq!(
            std_verify(&std_headers(&v2), STD_BODY, &[STD_NEW], STD_TS),
            Err(Rejected::BadSignature)
        );
        let mixed = format!("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= {v2} {STD_SIG_NEW}");
        assert_eq!(
            std_verify(&std_headers(&mixed), STD_BODY, &[STD_NEW], STD_TS),
            Ok(STD_ID.to_string())
        );
        let padding = ["v1,AAAA"; 10].join(" ");
        let late = format!("{padding} {STD_SIG_NEW}");
        assert_eq!(
            std_verify(&std_headers(&late), STD_BODY, &[STD_NEW], STD_TS),
            Err(Rejected::BadSignature)
        );
        let early = format!("{STD_SIG_NEW} {padding}");
        assert_eq!(
            std_verify(&std_headers(&early), STD_BODY, &[STD_NEW], STD_TS),
            Ok(STD_ID.to_string())
        );
    }

    #[test]
    fn standard_timestamps_within_five_minutes_either_way() {
        let h = std_headers(STD_SIG_NEW);
        let at = |now| std_verify(&h, STD_BODY, &[STD_NEW], now);
        assert!(at(STD_TS + 300).is_ok());
        assert!(at(STD_TS - 300).is_ok());
        assert_eq!(at(STD_TS + 301), Err(Rejected::Stale));
        assert_eq!(at(STD_TS - 301), Err(Rejected::Stale));
        assert_eq!(at(STD_TS + 86_400), Err(Rejected::Stale));
        assert_eq!(Rejected::Stale.reason(), "stale_timestamp");
    }

    #[test]
    fn a_tampered_standard_delivery_fails() {
        let h = std_headers(STD_SIG_NEW);
        let tampered = STD_BODY.replace("\"incident\":12", "\"incident\":13");
        assert_eq!(
            std_verify(&h, &tampered, &[STD_NEW], STD_TS),
            Err(Rejected::BadSignature)
        );
        // The id and timestamp are signed too.
        let other_id = headers(&[
            ("webhook-id", "msg_other"),
            ("webhook-timestamp", &STD_TS.to_string()),
            ("webhook-signature", STD_SIG_NEW),
        ]);
        assert_eq!(
            std_verify(&other_id, STD_BODY, &[STD_NEW], STD_TS),
            Err(Rejected::BadSignature)
        );
        let other_ts = headers(&[
            ("webhook-id", STD_ID),
            ("webhook-timestamp", &(STD_TS + 1).to_string()),
            ("webhook-signature", STD_SIG_NEW),
        ]);
        assert_eq!(
            std_verify(&other_ts, STD_BODY, &[STD_NEW], STD_TS),
            Err(Rejected::BadSignature)
        );
        assert_eq!(Rejected::BadSignature.reason(), "bad_signature");
    }

    #[test]
    fn missing_standard_headers_are_named() {
        let ts = STD_TS.to_string();
        let all = [
            ("webhook-id", STD_ID),
            ("webhook-timestamp", ts.as_str()),
            ("webhook-signature", STD_SIG_NEW),
        ];
        for skip in 0..3 {
            let rest: Vec<_> = all
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, p)| *p)
                .collect();
            assert_eq!(
                std_verify(&headers(&rest), STD_BODY, &[STD_NEW], STD_TS),
                Err(Rejected::MissingHeader(all[skip].0))
            );
        }
        let empty = headers(&[
            ("webhook-id", STD_ID),
            ("webhook-timestamp", &ts),
            ("webhook-signature", "  "),
        ]);
        assert_eq!(
            std_verify(&empty, STD_BODY, &[STD_NEW], STD_TS),
            Err(Rejected::MissingHeader("webhook-signature"))
        );
        assert_eq!(Rejected::MissingHeader("x").reason(), "missing_header");
    }

    #[test]
    fn malformed_standard_headers_are_named() {
        let ts = STD_TS.to_string();
        let with = |id: &str, ts: &str, sig: &str| {
            std_verify(
                &headers(&[
                    ("webhook-id", id),
                    ("webhook-timestamp", ts),
                    ("webhook-signature", sig),
                ]),
                STD_BODY,
                &[STD_NEW],
                STD_TS,
            )
        };
        let m = |h| Err(Rejected::Malformed(h));
        assert_eq!(with(STD_ID, "hello", STD_SIG_NEW), m("webhook-timestamp"));
        assert_eq!(with(STD_ID, "-5", STD_SIG_NEW), m("webhook-timestamp"));
        assert_eq!(
            with(STD_ID, "1795183500.5", STD_SIG_NEW),
            m("webhook-timestamp")
        );
        assert_eq!(
            with(STD_ID, "99999999999999999999", STD_SIG_NEW),
            m("webhook-timestamp")
        );
        assert_eq!(with(STD_ID, &ts, "garbage"), m("webhook-signature"));
        assert_eq!(with(&"x".repeat(201), &ts, STD_SIG_NEW), m("webhook-id"));
        assert_eq!(with("a\tb", &ts, STD_SIG_NEW), m("webhook-id"));
        let huge = format!("{STD_SIG_NEW} {}", "v1,AAAA ".repeat(600));
        assert_eq!(with(STD_ID, &ts, &huge), m("webhook-signature"));
        // Not base64: no match rather than an error, like any other wrong signature.
        assert_eq!(with(STD_ID, &ts, "v1,***"), Err(Rejected::BadSignature));
        // A header that is not ASCII text.
        let mut h = std_headers(STD_SIG_NEW);
        h.insert("webhook-id", HeaderValue::from_bytes(b"msg_\xff").unwrap());
        assert_eq!(
            std_verify(&h, STD_BODY, &[STD_NEW], STD_TS),
            m("webhook-id")
        );
        assert_eq!(Rejected::Malformed("x").reason(), "malformed");
    }

    // ---- Stripe ------------------------------------------------------------------------

    // Signed by tests/webhooks/sign.py with stripe 16.1.0
    // (`WebhookSignature.generate_signature_header`).
    const STRIPE_NEW: &str = "whsec_ZrV3cN8pT1qW6yB0mK4sD9fH2jL7xA5e";
    const STRIPE_OLD: &str = "whsec_Gt4Yh8Kp2Ws6Nq0Vb3Xz7Mc1Rd5Lf9Ja";
    const STRIPE_TS: i64 = 1_795_183_500;
    const STRIPE_BODY: &str = r#"{"id":"evt_1QbX2rLkdIwHu7ixXk3Yt9aB","object":"event","type":"customer.subscription.deleted","created":1795183500,"data":{"object":{"id":"sub_1QbX2qLkdIwHu7ix","object":"subscription","customer":"cus_NffrFeUfNV2Hib","canceled_at":1795183480,"ended_at":1795183480,"metadata":{}}}}"#;
    const STRIPE_SIG_NEW: &str =
        "t=1795183500,v1=e93f0af81f079cf8db23f8572d07965a91251ca53e9da27c415c0dc3a70712a4";
    const STRIPE_V1_OLD: &str = "4cbf157bcd1e123641fdb8dddc5903ba217f9efc51df851e7d10baa107991ab6";
    const STRIPE_EVT: &str = "evt_1QbX2rLkdIwHu7ixXk3Yt9aB";

    fn stripe_verify(
        sig: &str,
        body: &str,
        secrets: &[&str],
        now: i64,
    ) -> Result<String, Rejected> {
        let h = headers(&[("Stripe-Signature", sig)]);
        verify(SourceKind::Stripe, &h, body.as_bytes(), secrets, now)
    }

    #[test]
    fn stripe_signatures_from_stripes_library_verify() {
        assert_eq!(
            stripe_verify(STRIPE_SIG_NEW, STRIPE_BODY, &[STRIPE_NEW], STRIPE_TS + 30),
            Ok(STRIPE_EVT.to_string())
        );
        assert_eq!(
            stripe_verify(STRIPE_SIG_NEW, STRIPE_BODY, &[STRIPE_OLD], STRIPE_TS),
            Err(Rejected::BadSignature)
        );
        // Upper-case hex and spaces after commas are read too; v0 entries are ignored.
        let loose = format!(
            "t=1795183500, v0=00ff, v1={}",
            STRIPE_SIG_NEW.split("v1=").nth(1).unwrap().to_uppercase()
        );
        assert_eq!(
            stripe_verify(&loose, STRIPE_BODY, &[STRIPE_NEW], STRIPE_TS),
            Ok(STRIPE_EVT.to_string())
        );
    }

    #[test]
    fn stripe_rolling_secrets_send_one_v1_each() {
        let both = format!("{STRIPE_SIG_NEW},v1={STRIPE_V1_OLD}");
        for secrets in [&[STRIPE_NEW][..], &[STRIPE_OLD], &[STRIPE_OLD, STRIPE_NEW]] {
            assert_eq!(
                stripe_verify(&both, STRIPE_BODY, secrets, STRIPE_TS),
                Ok(STRIPE_EVT.to_string())
            );
        }
        let only_old = format!("t={STRIPE_TS},v1={STRIPE_V1_OLD}");
        assert_eq!(
            stripe_verify(&only_old, STRIPE_BODY, &[STRIPE_NEW, STRIPE_OLD], STRIPE_TS),
            Ok(STRIPE_EVT.to_string())
        );
        // Past the tenth v1 entry nothing is read.
        let padding = ["v1=00"; 10].join(",");
        let late = format!("t={STRIPE_TS},{padding},v1={STRIPE_V1_OLD}");
        assert_eq!(
            stripe_verify(&late, STRIPE_BODY, &[STRIPE_OLD], STRIPE_TS),
            Err(Rejected::BadSignature)
        );
    }

    #[test]
    fn stripe_timestamps_tampering_and_headers() {
        let at = |now| stripe_verify(STRIPE_SIG_NEW, STRIPE_BODY, &[STRIPE_NEW], now);
        assert!(at(STRIPE_TS + 300).is_ok() && at(STRIPE_TS - 300).is_ok());
        assert_eq!(at(STRIPE_TS + 301), Err(Rejected::Stale));
        assert_eq!(at(STRIPE_TS - 301), Err(Rejected::Stale));

        let tampered = STRIPE_BODY.replace("cus_NffrFeUfNV2Hib", "cus_NffrFeUfNV2Hia");
        assert_eq!(
            stripe_verify(STRIPE_SIG_NEW, &tampered, &[STRIPE_NEW], STRIPE_TS),
            Err(Rejected::BadSignature)
        );
        let moved = STRIPE_SIG_NEW.replace("t=1795183500", "t=1795183501");
        assert_eq!(
            stripe_verify(&moved, STRIPE_BODY, &[STRIPE_NEW], STRIPE_TS),
            Err(Rejected::BadSignature)
        );

        let none = verify(
            SourceKind::Stripe,
            &HeaderMap::new(),
            STRIPE_BODY.as_bytes(),
            &[STRIPE_NEW],
            STRIPE_TS,
        );
        assert_eq!(none, Err(Rejected::MissingHeader("Stripe-Signature")));
        let m = Err(Rejected::Malformed("Stripe-Signature"));
        let v1 = STRIPE_SIG_NEW.split(',').nth(1).unwrap();
        for bad in [v1.to_string(), format!("t=soon,{v1}"), "garbage".into()] {
            assert_eq!(
                stripe_verify(&bad, STRIPE_BODY, &[STRIPE_NEW], STRIPE_TS),
                m
            );
        }
        assert_eq!(
            stripe_verify(
                &format!("t={STRIPE_TS}"),
                STRIPE_BODY,
                &[STRIPE_NEW],
                STRIPE_TS
            ),
            Err(Rejected::BadSignature)
        );
    }

    #[test]
    fn the_stripe_delivery_id_is_the_event_id() {
        // A correctly signed body (same library and secret as above) without an event id.
        let body = r#"{"object":"event","type":"ping"}"#;
        let sig =
            "t=1795183500,v1=5d4d60a95c41af64eea54cd7ab7fa548e225c84ce928fb99bf9ad307578b76fa";
        assert_eq!(
            stripe_verify(sig, body, &[STRIPE_NEW], STRIPE_TS),
            Err(Rejected::Malformed("id"))
        );
        assert_eq!(
            id_in_body(br#"{"object":"event"}"#),
            Err(Rejected::Malformed("id"))
        );
        assert_eq!(id_in_body(br#"{"id":""}"#), Err(Rejected::Malformed("id")));
        assert_eq!(id_in_body(br#"{"id":12}"#), Err(Rejected::Malformed("id")));
        assert_eq!(id_in_body(b"not json"), Err(Rejected::Malformed("id")));
        assert_eq!(id_in_body(br#"{"id":"evt_1","x":[1]}"#), Ok("evt_1".into()));
    }

    // ---- Intercom ----------------------------------------------------------------------

    // Signed by tests/webhooks/sign.py (Python's hmac + hashlib.sha1, as Intercom documents).
    const INTERCOM_SECRET: &str = "7f3c9a1e5b2d4f6a8c0e2b4d6f8a0c1e";
    const INTERCOM_BODY: &str = r#"{"type":"notification_event","app_id":"a86dr8yl","id":"notif_2c6a1f0e-5b9d-4e3a-9c7f-1d2b3a4c5e6f","topic":"ping","created_at":1795183500,"data":{"type":"notification_event_data","item":{"type":"ping","message":"something something interzen"}}}"#;
    const INTERCOM_SIG: &str = "sha1=d8b9d7886669ac600122e9fa449195d817aab7e8";

    fn intercom_verify(
        sig: Option<&str>,
        body: &str,
        secrets: &[&str],
    ) -> Result<String, Rejected> {
        let h = match sig {
            Some(s) => headers(&[("X-Hub-Signature", s)]),
            None => HeaderMap::new(),
        };
        // No timestamp: any "now" is fine.
        verify(SourceKind::Intercom, &h, body.as_bytes(), secrets, 0)
    }

    #[test]
    fn intercom_signatures_verify() {
        assert_eq!(
            intercom_verify(Some(INTERCOM_SIG), INTERCOM_BODY, &[INTERCOM_SECRET]),
            Ok("notif_2c6a1f0e-5b9d-4e3a-9c7f-1d2b3a4c5e6f".to_string())
        );
        assert_eq!(
            intercom_verify(
                Some(INTERCOM_SIG),
                INTERCOM_BODY,
                &["an-old-secret", INTERCOM_SECRET]
            ),
            Ok("notif_2c6a1f0e-5b9d-4e3a-9c7f-1d2b3a4c5e6f".to_string())
        );
        assert_eq!(
            intercom_verify(Some(INTERCOM_SIG), INTERCOM_BODY, &["an-old-secret"]),
            Err(Rejected::BadSignature)
        );
        let tampered = INTERCOM_BODY.replace("interzen", "interzem");
        assert_eq!(
            intercom_verify(Some(INTERCOM_SIG), &tampered, &[INTERCOM_SECRET]),
            Err(Rejected::BadSignature)
        );
        assert_eq!(
            intercom_verify(None, INTERCOM_BODY, &[INTERCOM_SECRET]),
            Err(Rejected::MissingHeader("X-Hub-Signature"))
        );
        let m = Err(Rejected::Malformed("X-Hub-Signature"));
        let hex = INTERCOM_SIG.trim_start_matches("sha1=");
        for bad in [
            hex.to_string(),
            format!("sha256={hex}"),
            "sha1=xyz".into(),
            format!("sha1={hex}00"),
        ] {
            assert_eq!(
                intercom_verify(Some(&bad), INTERCOM_BODY, &[INTERCOM_SECRET]),
                m
            );
        }
    }

    // ---- Secrets and kinds -------------------------------------------------------------

    #[test]
    fn new_standard_secrets_are_usable_and_differ() {
        let a = new_standard_secret();
        let b = new_standard_secret();
        assert_ne!(a, b);
        assert!(a.starts_with("whsec_") && a.len() == 6 + 32, "{a}");
        assert_eq!(check_secret(SourceKind::Standard, &a), Ok(()));
        assert_eq!(standard_key(&a).map(|k| k.len()), Some(24));
    }

    #[test]
    fn pasted_secrets_are_checked_per_kind() {
        use SourceKind::*;
        assert_eq!(check_secret(Standard, SPEC_SECRET), Ok(()));
        assert_eq!(check_secret(Standard, STD_NEW), Ok(()));
        fn err(kind: SourceKind, secret: &str) -> String {
            check_secret(kind, secret).unwrap_err()
        }
        assert!(err(Standard, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").contains("whsec_"));
        assert!(err(Standard, "whsec_not base64").contains("spaces"));
        assert!(err(Standard, "whsec_***").contains("base64"));
        assert!(err(Standard, "whsec_AAAA").contains("3 bytes"));
        let long = format!("whsec_{}", STANDARD.encode([7u8; 65]));
        assert!(err(Standard, &long).contains("65 bytes"));

        assert_eq!(check_secret(Stripe, STRIPE_NEW), Ok(()));
        assert!(err(Stripe, "sk_live_abcdefghijkl").contains("whsec_"));
        assert!(err(Stripe, "whsec_").contains("6 characters"));
        assert!(err(Stripe, &format!("whsec_{}", "a".repeat(200))).contains("206"));
        assert!(err(Stripe, "whsec_abcdefgh\n").contains("line breaks"));

        assert_eq!(check_secret(Intercom, INTERCOM_SECRET), Ok(()));
        assert!(err(Intercom, "short").contains("5 characters"));
        assert!(err(Intercom, "sécret-sécret").contains("letters"));
    }

    #[test]
    fn kinds_round_trip() {
        for k in SourceKind::ALL {
            assert_eq!(SourceKind::parse(k.code()), Some(*k));
        }
        assert_eq!(SourceKind::parse("github"), None);
        assert_eq!(SourceKind::Standard.label(), "Standard Webhooks");
        assert_eq!(
            (SourceKind::Stripe.code(), SourceKind::Intercom.label()),
            ("stripe", "Intercom")
        );
    }
}
