//! The client's address, which sign-in throttling and the audit log key on: the TCP peer,
//! or — only when that peer is a trusted reverse proxy (`AMENDS_TRUSTED_PROXIES`) — the
//! address the proxies forwarded. Behind a proxy every visitor is then not one address,
//! and nobody can choose their own address by sending the headers themselves.

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The reverse proxies whose forwarding headers are believed. Empty by default: then the
/// headers are ignored and the TCP peer is the client.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl TrustedProxies {
    /// A comma-separated list of CIDR ranges or single addresses (`10.0.0.0/8, ::1`);
    /// the error names the first entry that is neither.
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| {
                        format!(
                            "{entry:?} is not an IP address or a CIDR range \
                             (such as 10.0.0.0/8 or fd00::/8)"
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|nets| Self(nets.into()))
    }

    /// `AMENDS_TRUSTED_PROXIES`, read at start-up: unset or empty trusts nobody.
    pub fn from_env() -> anyhow::Result<Self> {
        let list = std::env::var("AMENDS_TRUSTED_PROXIES").unwrap_or_default();
        Self::parse(&list).map_err(|e| anyhow::anyhow!("AMENDS_TRUSTED_PROXIES: {e}"))
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// The client's address, given the TCP peer and the request's headers. From a trusted
/// peer: the right-most hop of `X-Forwarded-For` (or, without that header, of `Forwarded:
/// for=`) that is not itself a trusted proxy — hops further left were written by the
/// client and prove nothing. From anyone else the headers are ignored.
pub fn client_addr(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let peer = peer.to_canonical();
    if !trusted.trusts(peer) {
        return peer;
    }
    let hops = match forwarded_for(headers, "x-forwarded-for", xff_hop) {
        hops if !hops.is_empty() => hops,
        _ => forwarded_for(headers, "forwarded", forwarded_hop),
    };
    let mut client = peer;
    for hop in hops.iter().rev() {
        // A hop that is not an address (`unknown`, an obfuscated name, garbage) ends the
        // walk: the last address reached, a trusted one, is then the best we know.
        let Some(ip) = hop else { break };
        client = ip.to_canonical();
        if !trusted.trusts(client) {
            break;
        }
    }
    client
}

/// Every hop of every `name` header, in order (a header may come several times).
fn forwarded_for(
    headers: &HeaderMap,
    name: &str,
    hop: fn(&str) -> Option<Option<IpAddr>>,
) -> Vec<Option<IpAddr>> {
    headers
        .get_all(name)
        .iter()
        .flat_map(|v| v.to_str().unwrap_or_default().split(','))
        .filter_map(hop)
        .collect()
}

/// One `X-Forwarded-For` hop: an address, maybe with a port.
fn xff_hop(hop: &str) -> Option<Option<IpAddr>> {
    let hop = hop.trim();
    (!hop.is_empty()).then(|| node(hop))
}

/// One `Forwarded` element (`for=192.0.2.60;proto=https;by=…`): its `for` node. `None`
/// for an element without one (it adds no hop).
fn forwarded_hop(element: &str) -> Option<Option<IpAddr>> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("for")
            .then(|| node(value.trim().trim_matches('"')))
    })
}

/// An address as proxies write it: `192.0.2.60`, `192.0.2.60:4711`, `2001:db8::1`,
/// `[2001:db8::1]` or `[2001:db8::1]:4711`.
fn node(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    text.parse::<SocketAddr>().ok().map(|s| s.ip())
}

/// The client's address as an extractor, for handlers whose state holds the trusted
/// proxies.
pub struct ClientAddr(pub IpAddr);

impl<S> FromRequestParts<S> for ClientAddr
where
    TrustedProxies: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
            tracing::error!("served without the peer's address (connect info)");
            return Err((
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side; it has been logged.",
            ));
        };
        let trusted = TrustedProxies::from_ref(state);
        Ok(ClientAddr(client_addr(peer.ip(), &parts.headers, &trusted)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test address")
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, value.parse().expect("test header"));
        }
        h
    }

    #[test]
    fn the_setting_names_the_entry_it_cannot_read() {
        let t = TrustedProxies::parse(" 10.0.0.0/8, 192.168.1.7 ,fd00::/8,").expect("valid");
        assert!(t.trusts(ip("10.1.2.3")));
        assert!(t.trusts(ip("192.168.1.7")));
        assert!(!t.trusts(ip("192.168.1.8")));
        assert!(t.trusts(ip("fd00::1")));
        assert!(t.trusts(ip("::ffff:10.9.9.9")), "IPv4-mapped peers match");
        assert_eq!(
            TrustedProxies::parse("").expect("empty"),
            Default::default()
        );
        for bad in ["10.0.0.0/33", "proxy.internal", "10.0.0", "::1/129"] {
            let err = TrustedProxies::parse(&format!("127.0.0.1/32, {bad}")).unwrap_err();
            assert!(err.contains(&format!("{bad:?}")), "{err}");
        }
    }

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let t = TrustedProxies::parse("10.0.0.0/8").expect("valid");
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("forwarded", "for=203.0.113.9"),
        ]);
        assert_eq!(client_addr(ip("198.51.100.1"), &h, &t), ip("198.51.100.1"));
        let nobody = TrustedProxies::default();
        assert_eq!(client_addr(ip("10.0.0.1"), &h, &nobody), ip("10.0.0.1"));
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let t = TrustedProxies::parse("10.0.0.0/8").expect("valid");
        let peer = ip("10.0.0.1");
        let cases = [
            ("203.0.113.9", "203.0.113.9"),
            // The client wrote the left part; the proxy appended what it saw.
            ("1.1.1.1, 203.0.113.9", "203.0.113.9"),
            ("1.1.1.1, 203.0.113.9, 10.0.0.5", "203.0.113.9"),
            ("garbage, 203.0.113.9", "203.0.113.9"),
            ("203.0.113.9:4711", "203.0.113.9"),
            ("[2001:db8::7]:4711", "2001:db8::7"),
            ("2001:db8::7", "2001:db8::7"),
            // Everyone trusted: the left-most is the client.
            ("10.0.0.7, 10.0.0.5", "10.0.0.7"),
            // Not an address: the last address reached stands.
            ("203.0.113.9, unknown", "10.0.0.1"),
            ("", "10.0.0.1"),
        ];
        for (xff, want) in cases {
            let h = headers(&[("x-forwarded-for", xff)]);
            assert_eq!(client_addr(peer, &h, &t), ip(want), "{xff:?}");
        }
        let split = headers(&[
            ("x-forwarded-for", "1.1.1.1"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(client_addr(peer, &split, &t), ip("203.0.113.9"));
    }

    #[test]
    fn forwarded_is_read_when_x_forwarded_for_is_absent() {
        let t = TrustedProxies::parse("10.0.0.0/8").expect("valid");
        let peer = ip("10.0.0.1");
        let cases = [
            ("for=203.0.113.9", "203.0.113.9"),
            ("For=\"[2001:db8:cafe::17]:4711\"", "2001:db8:cafe::17"),
            (
                "for=1.1.1.1, for=203.0.113.9;proto=https;by=10.0.0.1",
                "203.0.113.9",
            ),
            ("proto=https;for=203.0.113.9, for=10.0.0.5", "203.0.113.9"),
            ("for=_hidden", "10.0.0.1"),
        ];
        for (fwd, want) in cases {
            let h = headers(&[("forwarded", fwd)]);
            assert_eq!(client_addr(peer, &h, &t), ip(want), "{fwd:?}");
        }
        let both = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("forwarded", "for=198.51.100.1"),
        ]);
        assert_eq!(client_addr(peer, &both, &t), ip("203.0.113.9"));
    }
}
