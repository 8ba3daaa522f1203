//! The async DNS resolver (feature `resolver`): UDP with TCP retry on truncation, timeouts,
//! retries over several name servers, and a TTL cache with negative caching.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

use crate::address::Domain;
use crate::cache::{Cache, Cached};
use crate::dns::{AddrAnswer, DnsQuery, QueryKind, Reply, SrvAnswer};
use crate::error::{ConfigError, DnsError, ResolveError};
use crate::locate::Resolve;

/// The standard resolver configuration file.
pub const RESOLV_CONF: &str = "/etc/resolv.conf";
/// Most name servers taken from resolv.conf (glibc's MAXNS).
const MAX_NAME_SERVERS: usize = 3;

/// Resolver settings. Start from [`ResolverConfig::new`] (explicit servers) or
/// [`ResolverConfig::system`] (resolv.conf), then adjust the public fields.
///
/// ```
/// use std::time::Duration;
/// let mut config = im_url::ResolverConfig::new(vec!["127.0.0.1:5353".parse()?]);
/// config.timeout = Duration::from_millis(500);
/// config.attempts = 3;
/// # Ok::<(), std::net::AddrParseError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResolverConfig {
    /// Name servers, asked in order.
    pub name_servers: Vec<SocketAddr>,
    /// How long to wait for one server's answer (resolv.conf `options timeout:`).
    /// Default 5 s.
    pub timeout: Duration,
    /// Rounds over the server list (resolv.conf `options attempts:`). Default 2.
    pub attempts: u32,
    /// EDNS(0) UDP payload size to advertise; `None` sends plain 512-byte DNS (larger
    /// answers then come back truncated and are fetched over TCP). Default 1232.
    pub edns_payload: Option<u16>,
    /// Most cached answers. Default 1024; 0 disables the cache.
    pub cache_capacity: usize,
    /// Longest time a positive answer is cached, whatever its TTL. Default 1 day.
    pub max_ttl: Duration,
    /// How long a negative answer (NXDOMAIN, NODATA) without an SOA is cached.
    /// Default 60 s.
    pub negative_ttl: Duration,
    /// Longest time a negative answer is cached (RFC 2308 suggests 1 to 3 hours).
    /// Default 1 hour.
    pub max_negative_ttl: Duration,
}

impl ResolverConfig {
    /// Defaults with the given name servers.
    pub fn new(name_servers: Vec<SocketAddr>) -> Self {
        Self {
            name_servers,
            timeout: Duration::from_secs(5),
            attempts: 2,
            edns_payload: Some(1232),
            cache_capacity: 1024,
            max_ttl: Duration::from_secs(86_400),
            negative_ttl: Duration::from_secs(60),
            max_negative_ttl: Duration::from_secs(3600),
        }
    }

    /// Reads resolv.conf text: `nameserver` lines (at most three, port 53; link-local
    /// addresses with a `%zone` are skipped) and `options timeout:N attempts:N` (capped at
    /// 30 s and 5, as glibc does). Other lines are ignored.
    ///
    /// # Errors
    /// [`ConfigError::NoNameServers`] when no usable `nameserver` line is found (there is
    /// no silent fallback to 127.0.0.1).
    ///
    /// ```
    /// let text = "# generated\nnameserver 192.0.2.53\nnameserver ::1\noptions timeout:2 attempts:3\n";
    /// let c = im_url::ResolverConfig::from_resolv_conf(text)?;
    /// assert_eq!(c.name_servers.len(), 2);
    /// assert_eq!(c.timeout, std::time::Duration::from_secs(2));
    /// assert_eq!(c.attempts, 3);
    /// # Ok::<(), im_url::ConfigError>(())
    /// ```
    pub fn from_resolv_conf(text: &str) -> Result<Self, ConfigError> {
        let mut config = Self::new(Vec::new());
        for line in text.lines() {
            let line = line.split(['#', ';']).next().unwrap_or("");
            let mut words = line.split_whitespace();
            match words.next() {
                Some("nameserver") => {
                    let Some(ip) = words.next().and_then(|w| w.parse::<IpAddr>().ok()) else {
                        continue;
                    };
                    if config.name_servers.len() < MAX_NAME_SERVERS {
                        config.name_servers.push(SocketAddr::new(ip, 53));
                    }
                }
                Some("options") => {
                    for opt in words {
                        if let Some(n) = opt
                            .strip_prefix("timeout:")
                            .and_then(|n| n.parse::<u64>().ok())
                        {
                            config.timeout = Duration::from_secs(n.clamp(1, 30));
                        } else if let Some(n) = opt
                            .strip_prefix("attempts:")
                            .and_then(|n| n.parse::<u32>().ok())
                        {
                            config.attempts = n.clamp(1, 5);
                        }
                    }
                }
                _ => {}
            }
        }
        if config.name_servers.is_empty() {
            return Err(ConfigError::NoNameServers);
        }
        Ok(config)
    }

    /// Reads [`RESOLV_CONF`].
    ///
    /// # Errors
    /// [`ConfigError::Read`] or [`ConfigError::NoNameServers`].
    pub fn system() -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(RESOLV_CONF).map_err(|e| ConfigError::Read {
            path: RESOLV_CONF.to_owned(),
            kind: e.kind(),
        })?;
        Self::from_resolv_conf(&text)
    }
}

/// Counters of a [`DnsResolver`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheStats {
    /// Queries sent over UDP (each retry counts).
    pub udp_queries: u64,
    /// Queries sent over TCP (after truncation).
    pub tcp_queries: u64,
    /// Lookups answered from the cache.
    pub cache_hits: u64,
    /// Lookups that had to ask a server.
    pub cache_misses: u64,
    /// Answers in the cache now.
    pub cached: usize,
}

/// An async DNS resolver for RVP discovery.
///
/// Each lookup asks the configured servers in order, `attempts` times round, waiting
/// `timeout` for each; an answer with the TC bit is fetched again over TCP from the same
/// server. Replies are accepted only from the server asked, with the query's random id and
/// question. Answers are cached for their TTL (capped by `max_ttl`), NXDOMAIN and NODATA
/// for the SOA's negative TTL (RFC 2308) or `negative_ttl`, capped by `max_negative_ttl`.
/// Server errors (SERVFAIL, REFUSED) move on to the next server and are not cached.
/// Answers served from the cache carry the TTL they have left, not the original one.
///
/// ```no_run
/// use im_url::{locate, Address, DnsResolver};
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let resolver = DnsResolver::system()?;
/// let jo: Address = "JoBrown@adatum.com".parse()?;
/// let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_os_rng();
/// let location = locate(&resolver, &jo, &mut rng).await?;
/// println!("{}", location.logical_url);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct DnsResolver {
    config: ResolverConfig,
    cache: Mutex<Cache>,
    ids: Mutex<StdRng>,
    udp_queries: AtomicU64,
    tcp_queries: AtomicU64,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl DnsResolver {
    /// A resolver with `config`. Query ids come from an OS-seeded generator.
    pub fn new(config: ResolverConfig) -> Self {
        Self {
            cache: Mutex::new(Cache::new(config.cache_capacity)),
            config,
            ids: Mutex::new(StdRng::from_os_rng()),
            udp_queries: AtomicU64::new(0),
            tcp_queries: AtomicU64::new(0),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// A resolver using the name servers of [`RESOLV_CONF`].
    ///
    /// # Errors
    /// [`ConfigError`] when the file is unreadable or lists no name server.
    pub fn system() -> Result<Self, ConfigError> {
        ResolverConfig::system().map(Self::new)
    }

    /// The configuration.
    pub fn config(&self) -> &ResolverConfig {
        &self.config
    }

    /// Counters, and the number of cached answers.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            udp_queries: self.udp_queries.load(Ordering::Relaxed),
            tcp_queries: self.tcp_queries.load(Ordering::Relaxed),
            cache_hits: self.hits.load(Ordering::Relaxed),
            cache_misses: self.misses.load(Ordering::Relaxed),
            cached: self.cache.lock().map(|c| c.len()).unwrap_or(0),
        }
    }

    /// Forgets every cached answer.
    pub fn clear_cache(&self) {
        if let Ok(mut c) = self.cache.lock() {
            c.clear();
        }
    }

    fn next_id(&self) -> u16 {
        match self.ids.lock() {
            Ok(mut rng) => rng.random(),
            Err(poisoned) => poisoned.into_inner().random(),
        }
    }

    fn cached(&self, name: &str, kind: QueryKind) -> Option<Cached> {
        let hit = self
            .cache
            .lock()
            .ok()?
            .get(name, kind, Instant::now())
            .map(|(v, left)| with_remaining_ttl(v, left));
        match hit {
            Some(_) => self.hits.fetch_add(1, Ordering::Relaxed),
            None => self.misses.fetch_add(1, Ordering::Relaxed),
        };
        hit
    }

    fn store(&self, name: &str, kind: QueryKind, value: Cached) {
        let ttl = match &value {
            Cached::Srv(SrvAnswer::Targets { ttl, .. } | SrvAnswer::NoService { ttl })
            | Cached::Addr(AddrAnswer::Addrs { ttl, .. }) => {
                Duration::from_secs(u64::from(*ttl)).min(self.config.max_ttl)
            }
            Cached::Srv(
                SrvAnswer::NxDomain { negative_ttl } | SrvAnswer::NoData { negative_ttl },
            )
            | Cached::Addr(
                AddrAnswer::NxDomain { negative_ttl } | AddrAnswer::NoData { negative_ttl },
            ) => negative_ttl
                .map_or(self.config.negative_ttl, |t| {
                    Duration::from_secs(u64::from(t))
                })
                .min(self.config.max_negative_ttl),
        };
        if let Ok(mut c) = self.cache.lock() {
            c.insert(name, kind, value, ttl, Instant::now());
        }
    }

    /// Sends `query` to the servers until one gives a usable reply.
    async fn exchange<T>(
        &self,
        query: &DnsQuery,
        read: impl Fn(&DnsQuery, &[u8]) -> Result<Reply<T>, DnsError>,
    ) -> Result<T, ResolveError> {
        if self.config.name_servers.is_empty() {
            return Err(ResolveError::NoNameServers);
        }
        let mut last_error = None;
        for _ in 0..self.config.attempts.max(1) {
            for &server in &self.config.name_servers {
                let q = {
                    let mut q = DnsQuery::clone(query);
                    q = q.with_id(self.next_id());
                    match self.config.edns_payload {
                        Some(p) => q.with_edns(p),
                        None => q,
                    }
                };
                let bytes = q
                    .to_bytes()
                    .map_err(|source| ResolveError::Dns { server, source })?;
                let outcome = match self.udp(server, &q, &bytes, &read).await {
                    Ok(Reply::Truncated) => self.tcp(server, &q, &bytes, &read).await,
                    other => other,
                };
                match outcome {
                    Ok(Reply::Answer(t)) => return Ok(t),
                    Ok(Reply::Truncated) => {
                        last_error = Some(ResolveError::Dns {
                            server,
                            source: DnsError::Malformed,
                        });
                    }
                    Err(e) => last_error = Some(e),
                }
            }
        }
        Err(last_error.unwrap_or(ResolveError::Timeout {
            name: query.name().to_owned(),
        }))
    }

    async fn udp<T>(
        &self,
        server: SocketAddr,
        q: &DnsQuery,
        bytes: &[u8],
        read: &impl Fn(&DnsQuery, &[u8]) -> Result<Reply<T>, DnsError>,
    ) -> Result<Reply<T>, ResolveError> {
        let io = |e: std::io::Error| ResolveError::Io {
            server,
            kind: e.kind(),
        };
        let local: SocketAddr = if server.is_ipv4() {
            (Ipv4Addr::UNSPECIFIED, 0).into()
        } else {
            (Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let socket = UdpSocket::bind(local).await.map_err(io)?;
        // Connected: the kernel drops datagrams from any other address.
        socket.connect(server).await.map_err(io)?;
        self.udp_queries.fetch_add(1, Ordering::Relaxed);
        socket.send(bytes).await.map_err(io)?;
        let deadline = tokio::time::Instant::now() + self.config.timeout;
        let mut buf = vec![0u8; 65_535];
        loop {
            let n = match tokio::time::timeout_at(deadline, socket.recv(&mut buf)).await {
                Err(_) => {
                    return Err(ResolveError::Timeout {
                        name: q.name().to_owned(),
                    });
                }
                Ok(r) => r.map_err(io)?,
            };
            match read(q, buf.get(..n).unwrap_or_default()) {
                // A stray or forged datagram: keep waiting for the real answer.
                Err(DnsError::IdMismatch { .. } | DnsError::WrongQuestion) => continue,
                Err(source) => return Err(ResolveError::Dns { server, source }),
                Ok(reply) => return Ok(reply),
            }
        }
    }

    async fn tcp<T>(
        &self,
        server: SocketAddr,
        q: &DnsQuery,
        bytes: &[u8],
        read: &impl Fn(&DnsQuery, &[u8]) -> Result<Reply<T>, DnsError>,
    ) -> Result<Reply<T>, ResolveError> {
        let io = |e: std::io::Error| ResolveError::Io {
            server,
            kind: e.kind(),
        };
        self.tcp_queries.fetch_add(1, Ordering::Relaxed);
        let exchange = async {
            let mut stream = TcpStream::connect(server).await.map_err(io)?;
            let len = u16::try_from(bytes.len()).map_err(|_| ResolveError::Dns {
                server,
                source: DnsError::Encode,
            })?;
            let mut framed = Vec::with_capacity(bytes.len() + 2);
            framed.extend_from_slice(&len.to_be_bytes());
            framed.extend_from_slice(bytes);
            stream.write_all(&framed).await.map_err(io)?;
            let mut len = [0u8; 2];
            stream.read_exact(&mut len).await.map_err(io)?;
            // At most 65,535 bytes: the length prefix bounds the read.
            let mut buf = vec![0u8; usize::from(u16::from_be_bytes(len))];
            stream.read_exact(&mut buf).await.map_err(io)?;
            read(q, &buf).map_err(|source| ResolveError::Dns { server, source })
        };
        match tokio::time::timeout(self.config.timeout, exchange).await {
            Ok(r) => r,
            Err(_) => Err(ResolveError::Timeout {
                name: q.name().to_owned(),
            }),
        }
    }

    /// SRV lookup of `_rvp._tcp.<domain>`, through the cache.
    ///
    /// # Errors
    /// [`ResolveError`] when no server gives a usable answer.
    pub async fn lookup_srv(&self, domain: &Domain) -> Result<SrvAnswer, ResolveError> {
        let name = domain.rvp_srv_name();
        if let Some(Cached::Srv(a)) = self.cached(&name, QueryKind::Srv) {
            return Ok(a);
        }
        let q = DnsQuery::srv(domain, 0);
        let answer = self.exchange(&q, DnsQuery::read_srv).await?;
        self.store(&name, QueryKind::Srv, Cached::Srv(answer.clone()));
        Ok(answer)
    }

    async fn lookup_one(&self, host: &Domain, kind: QueryKind) -> Result<AddrAnswer, ResolveError> {
        if let Some(Cached::Addr(a)) = self.cached(host.as_str(), kind) {
            return Ok(a);
        }
        let q = DnsQuery::addr(host, kind, 0);
        let answer = self.exchange(&q, DnsQuery::read_addrs).await?;
        self.store(host.as_str(), kind, Cached::Addr(answer.clone()));
        Ok(answer)
    }

    /// A and AAAA lookups of `host`, through the cache, merged (IPv4 first).
    ///
    /// # Errors
    /// [`ResolveError`] when the A lookup fails, or the AAAA lookup fails and the A lookup
    /// found nothing.
    pub async fn lookup_addrs(&self, host: &Domain) -> Result<AddrAnswer, ResolveError> {
        let v4 = self.lookup_one(host, QueryKind::A).await?;
        if let AddrAnswer::NxDomain { .. } = v4 {
            return Ok(v4);
        }
        let v6 = match self.lookup_one(host, QueryKind::Aaaa).await {
            Ok(a) => a,
            Err(e) => {
                return match v4 {
                    AddrAnswer::Addrs { .. } => Ok(v4),
                    _ => Err(e),
                };
            }
        };
        Ok(match (v4, v6) {
            (
                AddrAnswer::Addrs { mut addrs, ttl },
                AddrAnswer::Addrs {
                    addrs: more,
                    ttl: t6,
                },
            ) => {
                addrs.extend(more);
                addrs.truncate(crate::dns::MAX_ADDRS_PER_HOST);
                AddrAnswer::Addrs {
                    addrs,
                    ttl: ttl.min(t6),
                }
            }
            (a @ AddrAnswer::Addrs { .. }, _) | (_, a @ AddrAnswer::Addrs { .. }) => a,
            (v4, _) => v4,
        })
    }
}

/// A cached answer with its TTLs lowered to the time it has left (rounded up), so callers
/// that keep it do not outlive the cache's own expiry.
fn with_remaining_ttl(value: Cached, left: Duration) -> Cached {
    let left =
        u32::try_from(left.as_secs() + u64::from(left.subsec_nanos() > 0)).unwrap_or(u32::MAX);
    match value {
        Cached::Srv(SrvAnswer::Targets { mut targets, ttl }) => {
            for t in &mut targets {
                t.ttl = t.ttl.min(left);
            }
            Cached::Srv(SrvAnswer::Targets {
                targets,
                ttl: ttl.min(left),
            })
        }
        Cached::Srv(SrvAnswer::NoService { ttl }) => {
            Cached::Srv(SrvAnswer::NoService { ttl: ttl.min(left) })
        }
        Cached::Addr(AddrAnswer::Addrs { addrs, ttl }) => Cached::Addr(AddrAnswer::Addrs {
            addrs,
            ttl: ttl.min(left),
        }),
        Cached::Srv(SrvAnswer::NxDomain { negative_ttl }) => Cached::Srv(SrvAnswer::NxDomain {
            negative_ttl: negative_ttl.map(|t| t.min(left)),
        }),
        Cached::Srv(SrvAnswer::NoData { negative_ttl }) => Cached::Srv(SrvAnswer::NoData {
            negative_ttl: negative_ttl.map(|t| t.min(left)),
        }),
        Cached::Addr(AddrAnswer::NxDomain { negative_ttl }) => Cached::Addr(AddrAnswer::NxDomain {
            negative_ttl: negative_ttl.map(|t| t.min(left)),
        }),
        Cached::Addr(AddrAnswer::NoData { negative_ttl }) => Cached::Addr(AddrAnswer::NoData {
            negative_ttl: negative_ttl.map(|t| t.min(left)),
        }),
    }
}

impl Resolve for DnsResolver {
    fn lookup_srv(
        &self,
        domain: &Domain,
    ) -> impl Future<Output = Result<SrvAnswer, ResolveError>> + Send {
        DnsResolver::lookup_srv(self, domain)
    }

    fn lookup_addrs(
        &self,
        host: &Domain,
    ) -> impl Future<Output = Result<AddrAnswer, ResolveError>> + Send {
        DnsResolver::lookup_addrs(self, host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolv_conf_parsing() {
        let text = "\
; comment
search example.com
nameserver 10.0.0.1 # trailing comment
nameserver fe80::1%eth0
nameserver bogus
nameserver 10.0.0.2
nameserver 10.0.0.3
nameserver 10.0.0.4
options ndots:2 timeout:99 attempts:0
";
        let c = ResolverConfig::from_resolv_conf(text).unwrap();
        let servers: Vec<String> = c.name_servers.iter().map(ToString::to_string).collect();
        assert_eq!(servers, ["10.0.0.1:53", "10.0.0.2:53", "10.0.0.3:53"]);
        assert_eq!(c.timeout, Duration::from_secs(30));
        assert_eq!(c.attempts, 1);
        assert_eq!(
            ResolverConfig::from_resolv_conf("search x\n"),
            Err(ConfigError::NoNameServers)
        );
    }

    #[test]
    fn cached_ttls_count_down() {
        let target =
            crate::dns::SrvTarget::new("im.example.com".parse().unwrap(), 80).with_ttl(300);
        let v = Cached::Srv(SrvAnswer::Targets {
            targets: vec![target],
            ttl: 300,
        });
        let Cached::Srv(SrvAnswer::Targets { targets, ttl }) =
            with_remaining_ttl(v, Duration::from_millis(41_500))
        else {
            panic!("shape kept");
        };
        assert_eq!((ttl, targets[0].ttl), (42, 42));
        let v = Cached::Addr(AddrAnswer::NoData {
            negative_ttl: Some(5),
        });
        assert_eq!(
            with_remaining_ttl(v, Duration::from_secs(60)),
            Cached::Addr(AddrAnswer::NoData {
                negative_ttl: Some(5)
            })
        );
    }

    #[tokio::test]
    async fn no_servers_is_an_error() {
        let r = DnsResolver::new(ResolverConfig::new(vec![]));
        let d: Domain = "example.com".parse().unwrap();
        assert_eq!(r.lookup_srv(&d).await, Err(ResolveError::NoNameServers));
    }
}
