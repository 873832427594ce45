//! Who is at the other end of a request: the address the sign-in throttle
//! counts and the log names, and whether the request came over HTTPS (which
//! marks the session cookie `Secure`).
//!
//! Behind a reverse proxy every request comes from the proxy's address, so
//! `--trust-proxy CIDR` names the proxies whose `X-Forwarded-For` and
//! `X-Forwarded-Proto` are believed. From anyone else those headers are
//! ignored: a client that sends `X-Forwarded-For: 1.2.3.4` itself gets no
//! fresh throttle budget for it.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::error::ApiError;
use crate::state::AppState;

/// A network: an address and how many of its leading bits are fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// `10.0.0.0/8`, `::1/128`, or a bare address (all its bits).
    pub fn parse(s: &str) -> Result<Self, String> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let net: IpAddr = addr.trim().parse().map_err(|_| format!("{s:?} is not an address or a network like 10.0.0.0/8"))?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p.trim().parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(|| format!("{s:?}: the prefix must be 0 to {max}"))?,
        };
        Ok(Self { net, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        // An IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d).
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => masked(u128::from(u32::from(n)), u128::from(u32::from(a)), 32, self.prefix),
            (IpAddr::V6(n), IpAddr::V6(a)) => masked(u128::from(n), u128::from(a), 128, self.prefix),
            _ => false,
        }
    }
}

fn masked(net: u128, addr: u128, bits: u32, prefix: u8) -> bool {
    let shift = bits - u32::from(prefix);
    shift >= bits || (net >> shift) == (addr >> shift)
}

/// Set on a request that arrived over the server's own TLS.
#[derive(Debug, Clone, Copy)]
pub struct OverTls;

/// The client of a request.
#[derive(Debug, Clone, Copy)]
pub struct Client {
    pub ip: IpAddr,
    /// Over HTTPS: this server's TLS, or a trusted proxy's
    /// `X-Forwarded-Proto: https`.
    pub https: bool,
}

impl Client {
    /// Whether a cookie set for this request is marked `Secure`.
    pub fn secure(&self, state: &AppState) -> bool {
        self.https || state.secure
    }
}

impl FromRequestParts<AppState> for Client {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()).ok_or_else(|| ApiError::Internal("no peer address".into()))?;
        let tls = parts.extensions.get::<OverTls>().is_some();
        Ok(resolve(peer, tls, &parts.headers, &state.proxies))
    }
}

/// The client's address and scheme, believing forwarded headers only from
/// a trusted proxy: the address is the last hop in `X-Forwarded-For` that
/// is not itself a trusted proxy.
pub fn resolve(peer: IpAddr, tls: bool, headers: &axum::http::HeaderMap, proxies: &[Cidr]) -> Client {
    let trusted = |ip: IpAddr| proxies.iter().any(|c| c.contains(ip));
    if !trusted(peer) {
        return Client { ip: peer, https: tls };
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|h| h.trim().parse().ok())
        .collect();
    let ip = hops.iter().rev().copied().find(|ip| !trusted(*ip)).or_else(|| hops.first().copied()).unwrap_or(peer);
    let proto = headers.get_all("x-forwarded-proto").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).last();
    Client { ip, https: tls || proto.is_some_and(|p| p.trim().eq_ignore_ascii_case("https")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue};

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_hold_their_addresses() {
        let lan = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(lan.contains(ip("10.1.2.3")) && !lan.contains(ip("11.0.0.1")));
        assert!(lan.contains(ip("::ffff:10.9.9.9")), "an IPv4 client through an IPv6 socket");
        assert!(Cidr::parse("127.0.0.1").unwrap().contains(ip("127.0.0.1")));
        assert!(!Cidr::parse("127.0.0.1").unwrap().contains(ip("127.0.0.2")));
        assert!(Cidr::parse("::/0").unwrap().contains(ip("2001:db8::1")));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        for bad in ["10.0.0.0/33", "nope", "10.0.0.0/x", "::1/129"] {
            assert!(Cidr::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_headers_count_only_from_a_trusted_proxy() {
        let proxies = [Cidr::parse("127.0.0.1/32").unwrap()];
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.7, 198.51.100.2"));
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        let via_proxy = resolve(ip("127.0.0.1"), false, &h, &proxies);
        assert_eq!((via_proxy.ip, via_proxy.https), (ip("198.51.100.2"), true), "the hop the proxy saw");
        let direct = resolve(ip("192.0.2.9"), false, &h, &proxies);
        assert_eq!((direct.ip, direct.https), (ip("192.0.2.9"), false), "a client's own headers are ignored");
        let untrusting = resolve(ip("127.0.0.1"), false, &h, &[]);
        assert_eq!(untrusting.ip, ip("127.0.0.1"));
    }
}
