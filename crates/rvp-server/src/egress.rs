//! Server-to-server requests and where they may go.
//!
//! A peer of another IM domain chooses, without credentials, the domain our
//! presence NOTIFYs are sent to (its own logical URL as `Call-Back`), and
//! that domain's DNS chooses the addresses. Unchecked, that lets anyone aim
//! the server at loopback, the internal network or a cloud metadata
//! endpoint. So:
//!
//! - a destination the operator configured (`routing.static-routes`, an
//!   address in `routing.trusted-peers`, a home server named in the
//!   directory) is used as given;
//! - any other destination (located through `_rvp._tcp` SRV or the A/AAAA
//!   fallback) must have a publicly routable address ([`is_public`]); the
//!   connection goes to the address that was checked, so a second lookup
//!   cannot swap it (DNS rebinding). `routing.allow-private-destinations`
//!   lifts the address check (closed networks, tests);
//! - a `302` is followed once, and only to a server of the same IM domain
//!   (the domain or a name under it, or the located server itself) whose
//!   address passes the same check, or to a configured destination.
//!
//! Refusals are errors of the delivery, logged by the caller.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, Uri};
use im_url::{AddrAnswer, Address, Domain, NodeUrl};
use presence_model::PrincipalId;

use crate::names::Names;
use crate::state::{Shared, notify_headers, notify_method};

/// Whether `ip` is a publicly routable unicast address: not unspecified,
/// loopback, private (RFC 1918, ULA `fc00::/7`), shared (`100.64/10`),
/// link-local, multicast, broadcast, documentation, benchmarking or
/// otherwise reserved. IPv4 embedded in IPv6 (v4-mapped, NAT64 `64:ff9b::/96`,
/// 6to4 `2002::/16`) is judged by the IPv4 address.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let refused = a == 0 // "this network", 0.0.0.0/8
        || a == 10 // private
        || a == 127 // loopback
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGN)
        || (a == 169 && b == 254) // link-local
        || (a == 172 && (16..32).contains(&b)) // private
        || (a == 192 && b == 168) // private
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // TEST-NET-1
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast (deprecated)
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || (a == 198 && b == 51 && c == 100) // TEST-NET-2
        || (a == 203 && b == 0 && c == 113) // TEST-NET-3
        || a >= 224; // multicast, reserved, broadcast
    !refused
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    // NAT64 well-known prefix: the IPv4 address in the last 32 bits.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_public_v4(embedded_v4(s[6], s[7]));
    }
    // Global unicast is 2000::/3; everything else (unspecified, loopback,
    // IPv4-compatible, discard, ULA, link-local, site-local, multicast,
    // local-use NAT64) is not.
    if s[0] & 0xe000 != 0x2000 {
        return false;
    }
    // 6to4: the IPv4 address in bits 16..48.
    if s[0] == 0x2002 {
        return is_public_v4(embedded_v4(s[1], s[2]));
    }
    let refused = match s[0] {
        // IETF protocol assignments 2001::/23 (Teredo, ORCHID, benchmarking)
        // and documentation 2001:db8::/32.
        0x2001 => s[1] < 0x0200 || s[1] == 0x0db8,
        // Documentation 3fff::/20 (RFC 9637).
        0x3fff => s[1] < 0x1000,
        _ => false,
    };
    !refused
}

fn embedded_v4(hi: u16, lo: u16) -> Ipv4Addr {
    let [a, b] = hi.to_be_bytes();
    let [c, d] = lo.to_be_bytes();
    Ipv4Addr::new(a, b, c, d)
}

/// Where a `302` from a server may send us.
#[derive(Debug)]
struct RedirectScope {
    /// The foreign IM domain being delivered to (`None`: our organisation's
    /// own home server, where only configured destinations are followed).
    domain: Option<Domain>,
    /// The host of the server located for it.
    located_host: Option<String>,
}

/// A request's destination: the URL connected to (an IP literal unless
/// configured) and the `Host` header to send.
#[derive(Debug)]
struct Pinned {
    url: String,
    host: String,
}

impl Shared {
    /// Delivers to a principal of another IM domain through its server
    /// (static route, or `_rvp._tcp` SRV restricted to public addresses),
    /// hop count incremented.
    pub(crate) async fn send_foreign(
        self: &Arc<Self>,
        url: &NodeUrl,
        sender: &PrincipalId,
        extra: HeaderMap,
        body: Bytes,
        hop: u8,
    ) -> Result<StatusCode, String> {
        let domain = Names::foreign_domain(url).ok_or("no domain in URL")?;
        let logical = url.to_logical().ok_or("not a principal URL")?;
        let path = logical.origin_form();
        let host = logical.host_header();
        let (first, located_host) = match self.static_route(&domain) {
            Some(route) => (
                Pinned {
                    url: format!("http://{route}{path}"),
                    host,
                },
                None,
            ),
            None => {
                let (addr, server) = self.locate_foreign(url, &domain).await?;
                (
                    Pinned {
                        url: format!("http://{addr}{path}"),
                        host,
                    },
                    Some(server),
                )
            }
        };
        let scope = RedirectScope {
            domain: Some(domain),
            located_host,
        };
        self.send_pinned(first, &scope, sender, extra, body, hop)
            .await
    }

    /// Sends a NOTIFY to another home server of our organisation (`url` from
    /// the directory), following one redirect only to a configured
    /// destination.
    pub(crate) async fn send_server(
        self: &Arc<Self>,
        url: &str,
        sender: &PrincipalId,
        extra: HeaderMap,
        body: Bytes,
        hop: u8,
    ) -> Result<StatusCode, String> {
        let uri: Uri = url.parse().map_err(|_| format!("bad URL {url}"))?;
        let host = uri
            .authority()
            .map(|a| a.as_str().to_owned())
            .ok_or("no host in URL")?;
        let scope = RedirectScope {
            domain: None,
            located_host: None,
        };
        let first = Pinned {
            url: url.to_owned(),
            host,
        };
        self.send_pinned(first, &scope, sender, extra, body, hop)
            .await
    }

    /// Sends to `first`, following one `302` (a router answers with the
    /// home server's physical URL, white paper scenario 5) when its
    /// `Location` is within `scope`.
    async fn send_pinned(
        self: &Arc<Self>,
        first: Pinned,
        scope: &RedirectScope,
        sender: &PrincipalId,
        extra: HeaderMap,
        body: Bytes,
        hop: u8,
    ) -> Result<StatusCode, String> {
        let mut headers = notify_headers(sender, extra, hop.saturating_add(1));
        let answer = self.send_to(&first, headers.clone(), body.clone()).await?;
        if answer.status != StatusCode::FOUND {
            return Ok(answer.status);
        }
        let location = answer
            .headers
            .get(http::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or("302 without Location")?
            .to_owned();
        let next = self
            .redirect_target(&location, scope)
            .await
            .map_err(|why| format!("302 to {location} not followed: {why}"))?;
        headers.remove(http::header::HOST);
        let answer = self.send_to(&next, headers, body).await?;
        Ok(answer.status)
    }

    async fn send_to(
        &self,
        to: &Pinned,
        mut headers: HeaderMap,
        body: Bytes,
    ) -> Result<crate::outbound::Answer, String> {
        if let Ok(h) = HeaderValue::from_str(&to.host) {
            headers.insert(http::header::HOST, h);
        }
        self.outbound
            .send(notify_method(), &to.url, headers, body)
            .await
            .map_err(|e| e.to_string())
    }

    /// The static route of a domain, if configured.
    fn static_route(&self, domain: &Domain) -> Option<&str> {
        self.config
            .routing
            .static_routes
            .iter()
            .find(|(d, _)| d.eq_ignore_ascii_case(domain.as_str()))
            .map(|(_, route)| route.as_str())
    }

    /// The address (`ip:port`) of the server of a foreign principal, from
    /// `_rvp._tcp` SRV (or the `<domain>:80` fallback): the first candidate
    /// with an allowed address, and the candidate's host name.
    async fn locate_foreign(
        &self,
        url: &NodeUrl,
        domain: &Domain,
    ) -> Result<(SocketAddr, String), String> {
        let resolver = self.dns().await?;
        let alias = url.alias().ok_or("no alias")?;
        let address = Address::new(alias.clone(), domain.clone());
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_os_rng();
        let location = im_url::locate(resolver, &address, &mut rng)
            .await
            .map_err(|e| e.to_string())?;
        let mut refused = Vec::new();
        for candidate in &location.candidates {
            let addrs = if candidate.addrs.is_empty() {
                match resolver.lookup_addrs(&candidate.host).await {
                    Ok(AddrAnswer::Addrs { addrs, .. }) => addrs,
                    _ => continue,
                }
            } else {
                candidate.addrs.clone()
            };
            match addrs.iter().find(|ip| self.destination_allowed(**ip)) {
                Some(ip) => {
                    return Ok((
                        SocketAddr::new(*ip, candidate.port),
                        candidate.host.to_folded(),
                    ));
                }
                None => refused.extend(addrs),
            }
        }
        Err(format!(
            "the server of {domain} has no publicly routable address (refused {refused:?}; \
             see routing.allow-private-destinations)"
        ))
    }

    /// Whether a located (not configured) address may be connected to.
    fn destination_allowed(&self, ip: IpAddr) -> bool {
        self.config.routing.allow_private_destinations || is_public(ip.to_canonical())
    }

    /// The DNS resolver: `routing.name-servers`, else resolv.conf.
    async fn dns(&self) -> Result<&im_url::DnsResolver, String> {
        self.resolver
            .get_or_init(|| async {
                let servers = &self.config.routing.name_servers;
                if servers.is_empty() {
                    im_url::DnsResolver::system()
                        .map_err(|e| tracing::warn!(error = %e, "no DNS resolver"))
                        .ok()
                } else {
                    Some(im_url::DnsResolver::new(im_url::ResolverConfig::new(
                        servers.clone(),
                    )))
                }
            })
            .await
            .as_ref()
            .ok_or_else(|| "no DNS resolver".to_owned())
    }

    /// Where a `302` may be followed: see the module docs.
    async fn redirect_target(
        &self,
        location: &str,
        scope: &RedirectScope,
    ) -> Result<Pinned, String> {
        let uri: Uri = location.parse().map_err(|_| "not a URL".to_owned())?;
        if uri.scheme_str() != Some("http") {
            return Err("not an http URL".into());
        }
        let authority = uri.authority().ok_or("no host")?.as_str().to_owned();
        let host = uri
            .host()
            .ok_or("no host")?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let port = uri.port_u16().unwrap_or(80);
        let path = uri
            .path_and_query()
            .map_or("/", http::uri::PathAndQuery::as_str)
            .to_owned();
        let pinned = |addr: SocketAddr| Pinned {
            url: format!("http://{addr}{path}"),
            host: authority.clone(),
        };
        if self.configured(&authority, &host) {
            return Ok(Pinned {
                url: format!("http://{authority}{path}"),
                host: authority.clone(),
            });
        }
        let Some(domain) = &scope.domain else {
            return Err("not a configured server of the organisation".into());
        };
        if host.parse::<IpAddr>().is_ok() {
            return Err(format!("an address, not a server of {domain}"));
        }
        let folded = domain.to_folded();
        let in_domain = host == folded
            || host.ends_with(&format!(".{folded}"))
            || scope.located_host.as_deref() == Some(host.as_str());
        if !in_domain {
            return Err(format!("not a server of {domain}"));
        }
        let name = Domain::new(&host).map_err(|e| e.to_string())?;
        let addrs = match self.dns().await?.lookup_addrs(&name).await {
            Ok(AddrAnswer::Addrs { addrs, .. }) => addrs,
            Ok(_) => return Err(format!("{host} has no address")),
            Err(e) => return Err(e.to_string()),
        };
        addrs
            .iter()
            .find(|ip| self.destination_allowed(**ip))
            .map(|ip| pinned(SocketAddr::new(*ip, port)))
            .ok_or_else(|| {
                format!(
                    "{host} has no publicly routable address (refused {addrs:?}; \
                     see routing.allow-private-destinations)"
                )
            })
    }

    /// Whether a redirect's authority is a destination the operator
    /// configured: the target of a static route, or an IP address in
    /// `trusted-peers` (the organisation's servers).
    fn configured(&self, authority: &str, host: &str) -> bool {
        let routing = &self.config.routing;
        let static_route = routing
            .static_routes
            .values()
            .any(|r| r.eq_ignore_ascii_case(authority));
        let trusted = host
            .parse::<IpAddr>()
            .is_ok_and(|ip| routing.is_trusted_peer(ip));
        static_route || trusted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn private_and_special_ipv4_is_refused() {
        for s in [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "10.255.255.255",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.1.2.3",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "192.0.0.8",
            "192.0.2.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
        ] {
            assert!(!is_public(ip(s)), "{s} must be refused");
        }
    }

    #[test]
    fn public_ipv4_is_allowed() {
        for s in [
            "1.1.1.1",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.169.0.1",
            "198.20.0.1",
            "223.255.255.254",
        ] {
            assert!(is_public(ip(s)), "{s} must be allowed");
        }
    }

    #[test]
    fn private_and_special_ipv6_is_refused() {
        for s in [
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::1",
            "100::1",
            "2001::1",
            "2001:db8::1",
            "2002:7f00:1::1",
            "2002:c0a8:101::1",
            "3fff::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "ff02::1",
            "ff05::2",
        ] {
            assert!(!is_public(ip(s)), "{s} must be refused");
        }
    }

    #[test]
    fn public_ipv6_is_allowed() {
        for s in [
            "2600::1",
            "2a00:1450:4001::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "2001:4860:4860::8888",
        ] {
            assert!(is_public(ip(s)), "{s} must be allowed");
        }
    }
}
