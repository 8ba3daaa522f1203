//! From an address to the server to connect to: the [`Resolve`] trait, the static table,
//! and [`locate`], which applies SRV, RFC 2782 and the port-80 fallback.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;

use rand::Rng;

use crate::address::{Address, Domain};
use crate::dns::{AddrAnswer, SrvAnswer, SrvTarget};
use crate::error::ResolveError;
use crate::host::Authority;
use crate::select::order_targets;
use crate::url::NodeUrl;

/// The port used when there is no SRV record (white paper: clients connect to port 80).
pub const DEFAULT_PORT: u16 = 80;

/// Name lookups needed to locate an RVP server. Implemented by the DNS resolver (feature
/// `resolver`) and by [`StaticResolver`], and through `&T` and `Arc<T>`; this trait needs
/// no async runtime. The futures must be `Send` so that servers can spawn lookups.
pub trait Resolve {
    /// Looks up `_rvp._tcp.<domain>`.
    fn lookup_srv(
        &self,
        domain: &Domain,
    ) -> impl Future<Output = Result<SrvAnswer, ResolveError>> + Send;

    /// Looks up the addresses (A and AAAA) of `host`.
    fn lookup_addrs(
        &self,
        host: &Domain,
    ) -> impl Future<Output = Result<AddrAnswer, ResolveError>> + Send;
}

impl<T: Resolve + Sync + ?Sized> Resolve for &T {
    fn lookup_srv(
        &self,
        domain: &Domain,
    ) -> impl Future<Output = Result<SrvAnswer, ResolveError>> + Send {
        (**self).lookup_srv(domain)
    }

    fn lookup_addrs(
        &self,
        host: &Domain,
    ) -> impl Future<Output = Result<AddrAnswer, ResolveError>> + Send {
        (**self).lookup_addrs(host)
    }
}

impl<T: Resolve + Send + Sync + ?Sized> Resolve for std::sync::Arc<T> {
    fn lookup_srv(
        &self,
        domain: &Domain,
    ) -> impl Future<Output = Result<SrvAnswer, ResolveError>> + Send {
        (**self).lookup_srv(domain)
    }

    fn lookup_addrs(
        &self,
        host: &Domain,
    ) -> impl Future<Output = Result<AddrAnswer, ResolveError>> + Send {
        (**self).lookup_addrs(host)
    }
}

/// Where a candidate server came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Source {
    /// An SRV record.
    Srv {
        /// Its priority.
        priority: u16,
        /// Its weight.
        weight: u16,
    },
    /// No SRV record: the domain itself on port 80.
    Fallback,
}

/// A server to try: host, port and (when known) addresses.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Endpoint {
    /// The host name.
    pub host: Domain,
    /// The TCP port.
    pub port: u16,
    /// Its addresses; empty when not looked up yet (only candidates up to the first
    /// reachable one are looked up).
    pub addrs: Vec<IpAddr>,
    /// Where it came from.
    pub source: Source,
}

impl Endpoint {
    /// The IM host as a URL authority: the port is written only when it is not 80
    /// (librvp: `http://%s:%d/...` only for ports other than 80).
    pub fn authority(&self) -> Authority {
        Authority::new(
            self.host.clone(),
            (self.port != DEFAULT_PORT).then_some(self.port),
        )
    }
}

/// The result of [`locate`]: every step, for logging, and the outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Location {
    /// The address located.
    pub address: Address,
    /// The SRV name queried, `_rvp._tcp.<domain>`.
    pub srv_name: String,
    /// What the SRV query returned.
    pub srv: SrvAnswer,
    /// Servers in the order to try them; the first has addresses.
    pub candidates: Vec<Endpoint>,
    /// The principal's logical URL on the first candidate.
    pub logical_url: NodeUrl,
}

impl Location {
    /// The server to connect to first.
    pub fn server(&self) -> Option<&Endpoint> {
        self.candidates.first()
    }
}

/// Locates the RVP server of `address`, the way Exchange clients and librvp do:
///
/// 1. SRV lookup of `_rvp._tcp.<domain>`;
/// 2. targets found: order them per RFC 2782 with `rng`, then look up addresses (unless
///    the answer carried them) until a candidate has some;
/// 3. a lone target `.`: [`ResolveError::NoService`];
/// 4. NXDOMAIN or NODATA: fall back to `<domain>:80`, and check the domain has
///    addresses ([`ResolveError::NoSuchDomain`] if it does not exist).
///
/// Lookup failures (timeouts, server errors) are returned, not turned into a fallback.
///
/// ```
/// use im_url::{locate, Address, SrvTarget, StaticResolver};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let table = StaticResolver::new()
///     .with_srv("adatum.com".parse()?, vec![SrvTarget::new("im.adatum.com".parse()?, 80)])
///     .with_host("im.adatum.com".parse()?, vec!["10.0.0.1".parse()?]);
/// let jo: Address = "JoBrown@adatum.com".parse()?;
/// let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(1);
/// let location = block_on(locate(&table, &jo, &mut rng))?;
/// assert_eq!(location.logical_url.to_string(), "http://im.adatum.com/instmsg/aliases/JoBrown");
/// assert_eq!(location.server().map(|s| s.port), Some(80));
/// # Ok(()) }
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     let mut f = std::pin::pin!(f);
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// ```
pub async fn locate<R, G>(
    resolver: &R,
    address: &Address,
    rng: &mut G,
) -> Result<Location, ResolveError>
where
    R: Resolve + ?Sized,
    G: Rng + ?Sized,
{
    let domain = address.domain();
    let srv = resolver.lookup_srv(domain).await?;
    let mut candidates: Vec<Endpoint> = match &srv {
        SrvAnswer::Targets { targets, .. } => order_targets(targets, rng)
            .into_iter()
            .map(|t: SrvTarget| Endpoint {
                host: t.target,
                port: t.port,
                addrs: t.addrs,
                source: Source::Srv {
                    priority: t.priority,
                    weight: t.weight,
                },
            })
            .collect(),
        SrvAnswer::NoService { .. } => {
            return Err(ResolveError::NoService {
                domain: domain.to_string(),
            });
        }
        SrvAnswer::NxDomain { .. } | SrvAnswer::NoData { .. } => vec![Endpoint {
            host: domain.clone(),
            port: DEFAULT_PORT,
            addrs: Vec::new(),
            source: Source::Fallback,
        }],
    };
    let mut first_error = None;
    let mut usable = None;
    for (i, c) in candidates.iter_mut().enumerate() {
        if c.addrs.is_empty() {
            match resolver.lookup_addrs(&c.host).await {
                Ok(AddrAnswer::Addrs { addrs, .. }) => c.addrs = addrs,
                Ok(AddrAnswer::NxDomain { .. }) => {
                    first_error.get_or_insert(ResolveError::NoSuchDomain {
                        name: c.host.to_string(),
                    });
                }
                Ok(AddrAnswer::NoData { .. }) => {
                    first_error.get_or_insert(ResolveError::NoAddress {
                        name: c.host.to_string(),
                    });
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        if !c.addrs.is_empty() {
            usable = Some(i);
            break;
        }
    }
    let Some(i) = usable else {
        return Err(first_error.unwrap_or(ResolveError::NoAddress {
            name: domain.to_string(),
        }));
    };
    // Candidates that failed before the usable one are dropped; later ones stay in order.
    candidates.drain(..i);
    let logical_url = address.logical_url(candidates[0].authority());
    Ok(Location {
        address: address.clone(),
        srv_name: domain.rvp_srv_name(),
        srv,
        candidates,
        logical_url,
    })
}

/// A fixed table of SRV answers and host addresses: for tests, and for deployments without
/// DNS. Domains not in the SRV table answer NXDOMAIN (so [`locate`] falls back to
/// `<domain>:80`); hosts not in the host table answer NXDOMAIN.
///
/// ```
/// use im_url::{Resolve, SrvAnswer, SrvTarget, StaticResolver};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let table = StaticResolver::new()
///     .with_srv("adatum.com".parse()?, vec![SrvTarget::new("im.adatum.com".parse()?, 80)]);
/// let answer = futures_lite_block_on(table.lookup_srv(&"adatum.com".parse()?))?;
/// assert!(matches!(answer, SrvAnswer::Targets { .. }));
/// # Ok(()) }
/// # fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     let mut f = std::pin::pin!(f);
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct StaticResolver {
    srv: HashMap<Domain, SrvAnswer>,
    hosts: HashMap<Domain, Vec<IpAddr>>,
}

impl StaticResolver {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Publishes SRV targets for `domain` (an empty list is NODATA).
    #[must_use]
    pub fn with_srv(mut self, domain: Domain, targets: Vec<SrvTarget>) -> Self {
        let answer = if targets.is_empty() {
            SrvAnswer::NoData { negative_ttl: None }
        } else {
            let ttl = targets.iter().map(|t| t.ttl).min().unwrap_or(0);
            SrvAnswer::Targets { targets, ttl }
        };
        self.srv.insert(domain, answer);
        self
    }

    /// Publishes the target `.` for `domain`: no RVP service there.
    #[must_use]
    pub fn with_no_service(mut self, domain: Domain) -> Self {
        self.srv.insert(domain, SrvAnswer::NoService { ttl: 0 });
        self
    }

    /// This table in front of `inner`: names in the table are answered from it, all others
    /// by `inner` (a static override of DNS for some domains or hosts).
    ///
    /// ```
    /// use im_url::{Resolve, SrvTarget, StaticResolver};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dns = StaticResolver::new(); // stands for a DnsResolver
    /// let with_override = StaticResolver::new()
    ///     .with_srv("adatum.com".parse()?, vec![SrvTarget::new("im.adatum.com".parse()?, 80)])
    ///     .over(dns);
    /// # let _ = with_override;
    /// # Ok(()) }
    /// ```
    pub fn over<R: Resolve>(self, inner: R) -> Overlay<R> {
        Overlay { table: self, inner }
    }

    /// Publishes the addresses of `host` (an empty list is NODATA).
    #[must_use]
    pub fn with_host(mut self, host: Domain, addrs: Vec<IpAddr>) -> Self {
        self.hosts.insert(host, addrs);
        self
    }
}

impl Resolve for StaticResolver {
    fn lookup_srv(
        &self,
        domain: &Domain,
    ) -> impl Future<Output = Result<SrvAnswer, ResolveError>> + Send {
        let answer = self
            .srv
            .get(domain)
            .cloned()
            .unwrap_or(SrvAnswer::NxDomain { negative_ttl: None });
        std::future::ready(Ok(answer))
    }

    fn lookup_addrs(
        &self,
        host: &Domain,
    ) -> impl Future<Output = Result<AddrAnswer, ResolveError>> + Send {
        let answer = match self.hosts.get(host) {
            Some(addrs) if addrs.is_empty() => AddrAnswer::NoData { negative_ttl: None },
            Some(addrs) => AddrAnswer::Addrs {
                addrs: addrs.clone(),
                ttl: 0,
            },
            None => AddrAnswer::NxDomain { negative_ttl: None },
        };
        std::future::ready(Ok(answer))
    }
}

/// A [`StaticResolver`] in front of another resolver; built by [`StaticResolver::over`].
#[derive(Clone, Debug)]
pub struct Overlay<R> {
    table: StaticResolver,
    inner: R,
}

impl<R> Overlay<R> {
    /// The static table.
    pub fn table(&self) -> &StaticResolver {
        &self.table
    }

    /// The resolver behind the table.
    pub fn inner(&self) -> &R {
        &self.inner
    }
}

impl<R: Resolve> Resolve for Overlay<R> {
    fn lookup_srv(
        &self,
        domain: &Domain,
    ) -> impl Future<Output = Result<SrvAnswer, ResolveError>> + Send {
        let known = self.table.srv.get(domain).cloned();
        let fallback = known.is_none().then(|| self.inner.lookup_srv(domain));
        async move {
            match (known, fallback) {
                (Some(answer), _) => Ok(answer),
                (None, Some(f)) => f.await,
                (None, None) => Ok(SrvAnswer::NxDomain { negative_ttl: None }),
            }
        }
    }

    fn lookup_addrs(
        &self,
        host: &Domain,
    ) -> impl Future<Output = Result<AddrAnswer, ResolveError>> + Send {
        let known = self.table.hosts.contains_key(host);
        let answer = known.then(|| self.table.lookup_addrs(host));
        let fallback = (!known).then(|| self.inner.lookup_addrs(host));
        async move {
            match (answer, fallback) {
                (Some(a), _) => a.await,
                (None, Some(f)) => f.await,
                (None, None) => Ok(AddrAnswer::NxDomain { negative_ttl: None }),
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    /// Polls a future that never waits (the static table's) to completion.
    pub(crate) fn block_on<F: Future>(f: F) -> F::Output {
        let mut cx = Context::from_waker(Waker::noop());
        let mut f = pin!(f);
        loop {
            if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    fn d(s: &str) -> Domain {
        s.parse().unwrap()
    }

    fn rng() -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(5)
    }

    #[test]
    fn white_paper_scenario_one() {
        let table = StaticResolver::new()
            .with_srv(
                d("adatum.com"),
                vec![SrvTarget::new(d("im.adatum.com"), 80)],
            )
            .with_host(d("im.adatum.com"), vec!["10.0.0.1".parse().unwrap()]);
        let jo: Address = "JoBrown@adatum.com".parse().unwrap();
        let loc = block_on(locate(&table, &jo, &mut rng())).unwrap();
        assert_eq!(loc.srv_name, "_rvp._tcp.adatum.com");
        assert_eq!(
            loc.logical_url.to_string(),
            "http://im.adatum.com/instmsg/aliases/JoBrown"
        );
        let server = loc.server().unwrap();
        assert_eq!((server.host.as_str(), server.port), ("im.adatum.com", 80));
    }

    #[test]
    fn srv_port_other_than_80_goes_into_the_url() {
        let table = StaticResolver::new().with_srv(
            d("example.com"),
            vec![
                SrvTarget::new(d("im.example.com"), 18207)
                    .with_addrs(vec!["127.0.0.1".parse().unwrap()]),
            ],
        );
        let a: Address = "alice@example.com".parse().unwrap();
        let loc = block_on(locate(&table, &a, &mut rng())).unwrap();
        assert_eq!(
            loc.logical_url.to_string(),
            "http://im.example.com:18207/instmsg/aliases/alice"
        );
    }

    #[test]
    fn fallback_no_service_and_missing_domain() {
        let table = StaticResolver::new()
            .with_host(d("plain.com"), vec!["192.0.2.7".parse().unwrap()])
            .with_no_service(d("closed.com"))
            .with_host(d("empty.com"), vec![]);
        let loc = block_on(locate(
            &table,
            &"bob@plain.com".parse().unwrap(),
            &mut rng(),
        ))
        .unwrap();
        assert_eq!(loc.server().unwrap().source, Source::Fallback);
        assert_eq!(loc.server().unwrap().port, 80);
        assert_eq!(
            loc.logical_url.to_string(),
            "http://plain.com/instmsg/aliases/bob"
        );
        assert_eq!(
            block_on(locate(
                &table,
                &"bob@closed.com".parse().unwrap(),
                &mut rng()
            )),
            Err(ResolveError::NoService {
                domain: "closed.com".into()
            })
        );
        assert_eq!(
            block_on(locate(
                &table,
                &"bob@ghost.com".parse().unwrap(),
                &mut rng()
            )),
            Err(ResolveError::NoSuchDomain {
                name: "ghost.com".into()
            })
        );
        assert_eq!(
            block_on(locate(
                &table,
                &"bob@empty.com".parse().unwrap(),
                &mut rng()
            )),
            Err(ResolveError::NoAddress {
                name: "empty.com".into()
            })
        );
    }

    #[test]
    fn references_and_arcs_resolve_too() {
        let table = std::sync::Arc::new(
            StaticResolver::new().with_host(d("plain.com"), vec!["192.0.2.7".parse().unwrap()]),
        );
        let a: Address = "bob@plain.com".parse().unwrap();
        let by_arc = block_on(locate(&table, &a, &mut rng())).unwrap();
        let by_ref = block_on(locate(&&*table, &a, &mut rng())).unwrap();
        assert_eq!(by_arc, by_ref);
    }

    #[test]
    fn overlay_answers_known_names_and_delegates_the_rest() {
        let dns = StaticResolver::new()
            .with_srv(d("a.com"), vec![SrvTarget::new(d("dns.a.com"), 1)])
            .with_srv(d("b.com"), vec![SrvTarget::new(d("dns.b.com"), 2)])
            .with_host(d("dns.b.com"), vec!["192.0.2.2".parse().unwrap()]);
        let overlay = StaticResolver::new()
            .with_srv(d("a.com"), vec![SrvTarget::new(d("static.a.com"), 3)])
            .with_host(d("static.a.com"), vec!["192.0.2.3".parse().unwrap()])
            .over(dns);
        let a = block_on(locate(&overlay, &"x@a.com".parse().unwrap(), &mut rng())).unwrap();
        assert_eq!(a.server().unwrap().port, 3);
        let b = block_on(locate(&overlay, &"x@b.com".parse().unwrap(), &mut rng())).unwrap();
        assert_eq!(b.server().unwrap().port, 2);
        assert_eq!(overlay.table().srv.len(), 1);
        assert_eq!(overlay.inner().srv.len(), 2);
    }

    #[test]
    fn unreachable_targets_are_skipped() {
        let table = StaticResolver::new()
            .with_srv(
                d("x.com"),
                vec![
                    SrvTarget::new(d("dead.x.com"), 81).with_priority(1),
                    SrvTarget::new(d("live.x.com"), 82).with_priority(2),
                ],
            )
            .with_host(d("live.x.com"), vec!["192.0.2.1".parse().unwrap()]);
        let loc = block_on(locate(&table, &"a@x.com".parse().unwrap(), &mut rng())).unwrap();
        assert_eq!(loc.server().unwrap().host.as_str(), "live.x.com");
        assert_eq!(loc.candidates.len(), 1);
    }
}
