//! The client's IP address, a security input (named locations, risk, rate limits).
//!
//! `X-Forwarded-For` is unauthenticated: anyone can send it. It is believed only when
//! the TCP peer is a configured trusted proxy, and then only as far as the chain of
//! trusted proxies goes: the header is walked right to left (the right-most entry was
//! appended by the proxy nearest to us) and the first address that is not itself a
//! trusted proxy is the client.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

/// The CIDR ranges whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<Vec<IpNet>>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(Arc::new(networks))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Parses one `X-Forwarded-For` element: a bare address, or an address with a port
/// (`203.0.113.9:4711`, `[2001:db8::1]:4711`) as some proxies write it.
fn parse_hop(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

/// Decides the client address from the TCP peer and the request's
/// `X-Forwarded-For` headers (several headers count as one list, in order).
pub fn resolve_client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let peer = peer.to_canonical();
    if !trusted.contains(peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    // `nearest` is the closest address known to be genuine so far: first the peer,
    // then each trusted proxy the header says forwarded the request.
    let mut nearest = peer;
    for hop in hops.iter().rev() {
        match parse_hop(hop) {
            Some(ip) if trusted.contains(ip) => nearest = ip,
            Some(ip) => return ip,
            // A trusted proxy never writes garbage, so garbage came from the client
            // side of the chain: stop at the last hop we can vouch for.
            None => return nearest,
        }
    }
    nearest
}

/// Extractor for the resolved client IP.
///
/// Needs the server to be started with `into_make_service_with_connect_info::<SocketAddr>()`;
/// without connect info (e.g. in-process `oneshot` tests) it falls back to the
/// unspecified address rather than believing any header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl<S> FromRequestParts<S> for ClientIp
where
    TrustedProxies: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let trusted = TrustedProxies::from_ref(state);
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        Ok(ClientIp(resolve_client_ip(peer, &parts.headers, &trusted)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn trusted(list: &[&str]) -> TrustedProxies {
        TrustedProxies::new(list.iter().map(|s| s.parse().unwrap()).collect())
    }

    fn xff(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        headers
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn untrusted_peer_header_is_ignored() {
        let got = resolve_client_ip(
            ip("198.51.100.7"),
            &xff(&["1.2.3.4"]),
            &trusted(&["10.0.0.0/8"]),
        );
        assert_eq!(got, ip("198.51.100.7"));
    }

    #[test]
    fn no_trusted_proxies_means_peer_always() {
        let got = resolve_client_ip(
            ip("10.0.0.1"),
            &xff(&["1.2.3.4"]),
            &TrustedProxies::default(),
        );
        assert_eq!(got, ip("10.0.0.1"));
    }

    #[test]
    fn trusted_peer_yields_rightmost_untrusted_hop() {
        // The client forged "6.6.6.6"; the proxy appended the real address.
        let got = resolve_client_ip(
            ip("10.0.0.1"),
            &xff(&["6.6.6.6, 203.0.113.9"]),
            &trusted(&["10.0.0.0/8"]),
        );
        assert_eq!(got, ip("203.0.113.9"));
    }

    #[test]
    fn chain_of_trusted_proxies_is_skipped() {
        let got = resolve_client_ip(
            ip("10.0.0.1"),
            &xff(&["6.6.6.6", "203.0.113.9, 10.1.1.1", "10.2.2.2"]),
            &trusted(&["10.0.0.0/8"]),
        );
        assert_eq!(got, ip("203.0.113.9"));
    }

    #[test]
    fn all_hops_trusted_yields_the_furthest() {
        let got = resolve_client_ip(
            ip("10.0.0.1"),
            &xff(&["10.9.9.9, 10.1.1.1"]),
            &trusted(&["10.0.0.0/8"]),
        );
        assert_eq!(got, ip("10.9.9.9"));
    }

    #[test]
    fn trusted_peer_without_header_is_the_client() {
        let got = resolve_client_ip(ip("10.0.0.1"), &HeaderMap::new(), &trusted(&["10.0.0.0/8"]));
        assert_eq!(got, ip("10.0.0.1"));
    }

    #[test]
    fn garbage_hop_stops_at_last_trusted() {
        let got = resolve_client_ip(
            ip("10.0.0.1"),
            &xff(&["203.0.113.9, not-an-ip, 10.3.3.3"]),
            &trusted(&["10.0.0.0/8"]),
        );
        assert_eq!(got, ip("10.3.3.3"));
    }

    #[test]
    fn ports_and_ipv6_and_mapped_addresses() {
        let t = trusted(&["10.0.0.0/8", "fd00::/8"]);
        assert_eq!(
            resolve_client_ip(ip("fd00::1"), &xff(&["[2001:db8::5]:443"]), &t),
            ip("2001:db8::5")
        );
        assert_eq!(
            resolve_client_ip(ip("::ffff:10.0.0.1"), &xff(&["203.0.113.9:1234"]), &t),
            ip("203.0.113.9")
        );
    }
}
