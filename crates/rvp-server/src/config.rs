//! Server configuration: a documented TOML file, or the embedded default.
//!
//! Every field has a default, so an empty file is valid and equals
//! [`Config::default`] (the embedded default: domain `localhost`, router and
//! home server in one process, `127.0.0.1:8080`, data in `./rvp-data`).
//!
//! ```toml
//! # rvp-server.toml
//! listen = ["0.0.0.0:8080"]
//! role = "both"                   # "home", "router" or "both"
//! # The authority of this server in physical URLs and 302 Locations
//! # (default: the first listen address, with 0.0.0.0 replaced by 127.0.0.1).
//! server-name = "im1.example.com:8080"
//! data-dir = "/var/lib/rvp"
//! directory = "/etc/rvp/directory.toml"   # default: <data-dir>/directory.toml
//!
//! [[domain]]
//! name = "example.com"
//! host-names = ["im.example.com"]   # other names clients reach us by (SRV targets)
//!
//! [routing]
//! same-organisation = "redirect"    # principals hosted elsewhere: "redirect" (302) or "proxy"
//! static-routes = { "other.example" = "127.0.0.1:9090" }   # else DNS SRV
//! trusted-peers = ["10.0.0.2"]      # the organisation's other servers
//! allow-private-destinations = false   # DNS answers for other domains must be public
//!
//! [leases]
//! presence-default-secs = 1200
//! subscription-max-secs = 14400
//!
//! [limits]
//! max-body-bytes = 65536
//! max-connections-per-ip = 64
//! ```
//!
//! See each field below for its meaning and default.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use im_url::{Authority, Domain};
use serde::Deserialize;

/// The largest configuration file read, in bytes.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The smallest `limits.max-head-bytes` accepted: the smallest request-head
/// buffer hyper accepts (a smaller value could not be enforced).
pub const MIN_HEAD_BYTES: usize = 8192;

/// The longest `polling.max-interval-secs` accepted: 15 minutes, the
/// longest interval of Exchange 2000 SP1's polling.
pub const MAX_POLL_INTERVAL_SECS: u64 = 900;

/// The protocol's shortest polling interval (1 minute). A smaller
/// `polling.min-interval-secs` is accepted (tests poll every second) but
/// reported by [`Config::warnings`].
pub const MIN_POLL_INTERVAL_SECS: u64 = 60;

/// Which part of RVP this process plays (draft §2, white paper "Routing").
#[derive(Clone, Copy, PartialEq, Eq, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Hosts principals: their properties, leases, subscriptions, callbacks.
    Home,
    /// Owns the IM domain names and hosts nobody: answers 302 or proxies to
    /// the home server named in the directory.
    Router,
    /// Both: hosts the principals whose directory entry names no other home
    /// server, routes the others.
    Both,
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Role::Home => "home",
            Role::Router => "router",
            Role::Both => "both (router and home server)",
        })
    }
}

/// What a router does with a request for a principal hosted on another
/// server of the organisation.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RouteMode {
    /// `302` with the physical URL (clients then talk to the home server).
    Redirect,
    /// Forward the request to the home server and relay its answer.
    Proxy,
}

/// One IM domain served.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DomainConfig {
    /// The IM domain (`alias@<name>`), also the Digest realm.
    pub name: String,
    /// Other host names that reach this server for this domain (the
    /// targets of its `_rvp._tcp` SRV records). Requests whose `Host` is
    /// one of them are requests for this domain.
    #[serde(default)]
    pub host_names: Vec<String>,
}

/// Routing policy.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RoutingConfig {
    /// Requests from our own domains for principals of ours hosted on
    /// another home server (default: redirect).
    #[serde(default = "default_route_mode")]
    pub same_organisation: RouteMode,
    /// The same, for requests whose `RVP-From-Principal` is of another IM
    /// domain (default: proxy, so the other organisation never sees our
    /// internal home-server names).
    #[serde(default = "default_foreign_route_mode")]
    pub other_domains: RouteMode,
    /// Server-to-server destinations by IM domain (`"domain" =
    /// "host:port"`), consulted before DNS SRV. Tests and closed networks
    /// use it; `_rvp._tcp` SRV records are the normal way.
    #[serde(default)]
    pub static_routes: BTreeMap<String, String>,
    /// Maximum `RVP-Hop-Count` accepted; a request that would exceed it is
    /// refused with 508 so routing loops end.
    #[serde(default = "default_max_hops")]
    pub max_hop_count: u8,
    /// Accept requests without authentication when their
    /// `RVP-From-Principal` is a principal of another IM domain (we hold no
    /// credentials for them), with assertion-level credentials. ACLs decide
    /// what such requesters may do: the default ACL lets every principal
    /// send messages, watch presence and read; ACEs can require `digest` to
    /// exclude them. Principals of our own domains must always
    /// authenticate.
    #[serde(default = "yes")]
    pub accept_foreign_assertions: bool,
    /// Addresses of the other servers of the organisation (home servers
    /// and routers). A NOTIFY from one of them with `RVP-Hop-Count` 2 or
    /// more is accepted without authentication for the principal in its
    /// `RVP-From-Principal` (server-to-server delivery of presence and
    /// messages, white paper scenario 5). A request one of them proxied
    /// is taken to come from the client address in its `X-Forwarded-For`
    /// (our router sets it), for the `Call-Back` check of logins; the
    /// header is ignored from anyone else. A `302` is followed to them.
    /// Empty by default.
    #[serde(default)]
    pub trusted_peers: Vec<IpAddr>,
    /// Let server-to-server requests for other IM domains go to addresses
    /// that are not publicly routable (loopback, private, link-local,
    /// shared, multicast, documentation ranges...) when DNS gives them.
    /// Off by default: a peer of another domain chooses, without
    /// credentials, the domain our presence NOTIFYs go to, and that domain's
    /// DNS chooses the addresses, so with this on anyone can aim the server
    /// at the internal network. Destinations the operator configured
    /// (`static-routes`, `trusted-peers`, home servers in the directory) are
    /// never filtered; prefer them. For closed networks and tests.
    #[serde(default)]
    pub allow_private_destinations: bool,
    /// DNS servers (`"ip:port"`) asked for `_rvp._tcp` SRV and address
    /// records of other IM domains, instead of those of
    /// `/etc/resolv.conf`. Empty by default.
    #[serde(default)]
    pub name_servers: Vec<SocketAddr>,
}

impl RoutingConfig {
    /// Whether `ip` is one of `trusted-peers` (IPv4-mapped IPv6 addresses,
    /// as a dual-stack listener reports IPv4 peers, count as IPv4).
    pub fn is_trusted_peer(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.trusted_peers.iter().any(|p| p.to_canonical() == ip)
    }
}

/// Presence and subscription lease policy (seconds).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LeaseConfig {
    /// Presence lease granted when none is asked (20 min).
    #[serde(default = "d_1200")]
    pub presence_default_secs: u64,
    /// Shortest presence lease granted (30 s).
    #[serde(default = "d_30")]
    pub presence_min_secs: u64,
    /// Longest presence lease granted (1 h).
    #[serde(default = "d_3600")]
    pub presence_max_secs: u64,
    /// Shortest subscription lifetime granted (60 s).
    #[serde(default = "d_60")]
    pub subscription_min_secs: u64,
    /// Longest subscription lifetime granted (4 h; librvp asks 14000).
    #[serde(default = "d_14400")]
    pub subscription_max_secs: u64,
}

/// Resource limits. Every buffer and count a peer can grow is bounded.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LimitsConfig {
    /// Request head (request line and headers), bytes (431 beyond).
    #[serde(default = "d_16384")]
    pub max_head_bytes: usize,
    /// Request body, bytes (413 beyond).
    #[serde(default = "d_65536")]
    pub max_body_bytes: usize,
    /// Open connections from one IP address; more are closed at accept.
    #[serde(default = "d_64")]
    pub max_connections_per_ip: usize,
    /// Open connections in all.
    #[serde(default = "d_10000")]
    pub max_connections: usize,
    /// Time to read a whole request (head and body) once a connection has
    /// started sending one, seconds (slow clients are cut off).
    #[serde(default = "d_30")]
    pub request_timeout_secs: u64,
    /// Subscriptions a principal may hold.
    #[serde(default = "d_1000")]
    pub max_subscriptions_per_principal: usize,
    /// Watchers one principal may have.
    #[serde(default = "d_10000")]
    pub max_watchers_per_principal: usize,
    /// Notifications queued for a polling login (oldest dropped beyond,
    /// and counted).
    #[serde(default = "d_256")]
    pub max_queued_notifications: usize,
    /// Outbound NOTIFYs in flight at once.
    #[serde(default = "d_256")]
    pub max_outbound_in_flight: usize,
    /// Time for a callback or peer server to answer a NOTIFY, seconds.
    #[serde(default = "d_10")]
    pub outbound_timeout_secs: u64,
    /// Consecutive failed deliveries after which a login's callback is
    /// declared dead: its login subscription ends and its view goes offline.
    #[serde(default = "d_3")]
    pub callback_failures: u32,
    /// Most principals the directory file may hold (100,000; Exchange 2000
    /// hosted 7,500 users per home server). Raise it with
    /// `directory-max-bytes` for larger directories (load tests).
    #[serde(default = "d_100000")]
    pub directory_max_principals: usize,
    /// Largest directory file read, bytes (16 MiB; a principal with two
    /// user-name forms takes about 400 bytes).
    #[serde(default = "d_16mib")]
    pub directory_max_bytes: u64,
}

/// Polling (this project's design of Exchange 2000 SP1's Instant Message
/// Polling; see the crate docs).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PollingConfig {
    /// Whether clients may ask for polling.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Shortest interval a client may announce, seconds (60).
    #[serde(default = "d_60")]
    pub min_interval_secs: u64,
    /// Longest interval, seconds (900).
    #[serde(default = "d_900")]
    pub max_interval_secs: u64,
}

/// Authentication policy.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AuthConfig {
    /// Lifetime of a Digest nonce, seconds; older nonces get `stale=true`.
    #[serde(default = "d_300")]
    pub nonce_lifetime_secs: u64,
    /// Offer SHA-256 Digest (RFC 7616) besides MD5 (default off).
    ///
    /// Off by default because of librvp (Pidgin's RVP plugin): it does not pick one of
    /// several `WWW-Authenticate` challenges but reads the parameters of all of them in
    /// turn, so the last `algorithm` wins; with a SHA-256 challenge anywhere in the 401
    /// it ends with "Server asked for unknown algorithm 'SHA-256'" and never logs in.
    /// Turn it on only when no librvp user connects.
    #[serde(default)]
    pub offer_sha256: bool,
    /// Most Digest nonces remembered at once (10,000); issuing one more
    /// forgets the oldest, whose client then gets `stale=true` and a new
    /// challenge. Raise it when more clients than this are active within a
    /// nonce lifetime.
    #[serde(default = "d_10000")]
    pub max_outstanding_nonces: usize,
}

/// The whole configuration.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    /// Addresses to listen on.
    #[serde(default = "default_listen")]
    pub listen: Vec<SocketAddr>,
    /// Role of this process.
    #[serde(default = "default_role")]
    pub role: Role,
    /// Authority (`host[:port]`) of this server in physical URLs.
    #[serde(default)]
    pub server_name: Option<String>,
    /// IM domains served.
    #[serde(default = "default_domains", rename = "domain")]
    pub domains: Vec<DomainConfig>,
    /// Directory file (default `<data-dir>/directory.toml`; created with
    /// the demo users when absent and the domain list is the default).
    #[serde(default)]
    pub directory: Option<PathBuf>,
    /// Where ACLs and the default directory live.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// Routing.
    #[serde(default = "default_routing")]
    pub routing: RoutingConfig,
    /// Leases.
    #[serde(default = "default_leases")]
    pub leases: LeaseConfig,
    /// Limits.
    #[serde(default = "default_limits")]
    pub limits: LimitsConfig,
    /// Polling.
    #[serde(default = "default_polling")]
    pub polling: PollingConfig,
    /// Authentication.
    #[serde(default = "default_auth")]
    pub auth: AuthConfig,
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_CONFIG_BYTES`].
    #[error("{path} is larger than {MAX_CONFIG_BYTES} bytes")]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// The file is not valid TOML for this schema.
    #[error("{path}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The parser's message (with line and column).
        message: String,
    },
    /// A value is out of its range or inconsistent with another.
    #[error("invalid configuration: {field}: {reason}")]
    Invalid {
        /// The field, as written in the file.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: default_listen(),
            role: default_role(),
            server_name: None,
            domains: default_domains(),
            directory: None,
            data_dir: default_data_dir(),
            routing: default_routing(),
            leases: default_leases(),
            limits: default_limits(),
            polling: default_polling(),
            auth: default_auth(),
        }
    }
}

impl Config {
    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let read = |source| ConfigError::Read {
            path: path.to_owned(),
            source,
        };
        let len = std::fs::metadata(path).map_err(read)?.len();
        if len > MAX_CONFIG_BYTES {
            return Err(ConfigError::TooLarge {
                path: path.to_owned(),
            });
        }
        let text = std::fs::read_to_string(path).map_err(read)?;
        Self::parse(&text).map_err(|e| match e {
            ConfigError::Syntax { message, .. } => ConfigError::Syntax {
                path: path.to_owned(),
                message,
            },
            other => other,
        })
    }

    /// Parses and validates configuration text.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            path: PathBuf::from("<config>"),
            message: e.to_string(),
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks ranges and consistency.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field, reason: &str| {
            Err(ConfigError::Invalid {
                field,
                reason: reason.to_owned(),
            })
        };
        if self.listen.is_empty() {
            return invalid("listen", "at least one address is needed");
        }
        if self.domains.is_empty() {
            return invalid("domain", "at least one IM domain is needed");
        }
        for d in &self.domains {
            if Domain::new(&d.name).is_err() {
                return Err(ConfigError::Invalid {
                    field: "domain.name",
                    reason: format!("{:?} is not a domain name", d.name),
                });
            }
            for h in &d.host_names {
                if Authority::parse(h).is_err() {
                    return Err(ConfigError::Invalid {
                        field: "domain.host-names",
                        reason: format!("{h:?} is not a host name"),
                    });
                }
            }
        }
        if let Some(name) = &self.server_name
            && Authority::parse(name).is_err()
        {
            return invalid("server-name", "not a host[:port]");
        }
        for (domain, target) in &self.routing.static_routes {
            if Domain::new(domain).is_err() || Authority::parse(target).is_err() {
                return Err(ConfigError::Invalid {
                    field: "routing.static-routes",
                    reason: format!("{domain:?} = {target:?} is not domain = host:port"),
                });
            }
        }
        if self.routing.max_hop_count < 3 {
            return invalid(
                "routing.max-hop-count",
                "must be at least 3 (client, server, server)",
            );
        }
        let l = &self.leases;
        if !(l.presence_min_secs >= 1
            && l.presence_min_secs <= l.presence_default_secs
            && l.presence_default_secs <= l.presence_max_secs)
        {
            return invalid(
                "leases",
                "need 1 <= presence-min-secs <= presence-default-secs <= presence-max-secs",
            );
        }
        if !(l.subscription_min_secs >= 1 && l.subscription_min_secs <= l.subscription_max_secs) {
            return invalid(
                "leases",
                "need 1 <= subscription-min-secs <= subscription-max-secs",
            );
        }
        let m = &self.limits;
        if m.max_head_bytes < MIN_HEAD_BYTES {
            return Err(ConfigError::Invalid {
                field: "limits.max-head-bytes",
                reason: format!(
                    "{} is below {MIN_HEAD_BYTES}, the smallest request-head buffer the HTTP layer (hyper) accepts",
                    m.max_head_bytes
                ),
            });
        }
        if m.max_body_bytes < 1024 {
            return invalid("limits.max-body-bytes", "must be at least 1024");
        }
        if m.max_connections == 0 || m.max_connections_per_ip == 0 || m.max_outbound_in_flight == 0
        {
            return invalid("limits", "connection and in-flight limits must be positive");
        }
        if m.request_timeout_secs == 0 || m.outbound_timeout_secs == 0 {
            return invalid("limits", "timeouts must be positive");
        }
        if m.callback_failures == 0 || m.max_queued_notifications == 0 {
            return invalid(
                "limits",
                "callback-failures and max-queued-notifications must be positive",
            );
        }
        let p = &self.polling;
        if p.max_interval_secs > MAX_POLL_INTERVAL_SECS {
            return Err(ConfigError::Invalid {
                field: "polling.max-interval-secs",
                reason: format!(
                    "{} s is longer than the 15 minutes ({MAX_POLL_INTERVAL_SECS} s) polling allows",
                    p.max_interval_secs
                ),
            });
        }
        if !(p.min_interval_secs >= 1 && p.min_interval_secs <= p.max_interval_secs) {
            return Err(ConfigError::Invalid {
                field: "polling.min-interval-secs",
                reason: format!(
                    "{} s: need 1 <= min-interval-secs <= max-interval-secs ({} s)",
                    p.min_interval_secs, p.max_interval_secs
                ),
            });
        }
        if self.auth.nonce_lifetime_secs == 0 {
            return invalid("auth.nonce-lifetime-secs", "must be positive");
        }
        if !(1..=10_000_000).contains(&self.auth.max_outstanding_nonces) {
            return invalid("auth.max-outstanding-nonces", "must be 1 to 10,000,000");
        }
        if !(1..=10_000_000).contains(&m.directory_max_principals) {
            return invalid("limits.directory-max-principals", "must be 1 to 10,000,000");
        }
        if !(1024..=(4 << 30)).contains(&m.directory_max_bytes) {
            return invalid("limits.directory-max-bytes", "must be 1 KiB to 4 GiB");
        }
        Ok(())
    }

    /// Settings that are valid but unusual, one sentence each, for the
    /// operator's log ([`Server::bind`](crate::Server::bind) logs them as
    /// warnings). Today: a polling minimum below one minute (meant for
    /// tests; the protocol's interval is 1 to 15 minutes).
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.polling.min_interval_secs < MIN_POLL_INTERVAL_SECS {
            out.push(format!(
                "polling.min-interval-secs = {} is below the protocol's 1 minute: clients may poll \
                 every {} s (meant for tests)",
                self.polling.min_interval_secs, self.polling.min_interval_secs
            ));
        }
        out
    }

    /// The directory file.
    pub fn directory_path(&self) -> PathBuf {
        self.directory
            .clone()
            .unwrap_or_else(|| self.data_dir.join("directory.toml"))
    }

    /// The authority of this server in physical URLs.
    pub fn server_authority(&self) -> String {
        if let Some(name) = &self.server_name {
            return name.clone();
        }
        let mut addr = self.listen[0];
        if addr.ip().is_unspecified() {
            addr.set_ip(IpAddr::V4(Ipv4Addr::LOCALHOST));
        }
        addr.to_string()
    }

    /// The presence-model configuration these settings imply.
    pub fn model_config(&self) -> presence_model::Config {
        let l = &self.leases;
        let mut c = presence_model::Config::default();
        c.lease = presence_model::TimeoutPolicy::lease()
            .with_bounds(
                Duration::from_secs(l.presence_min_secs),
                Duration::from_secs(l.presence_max_secs),
            )
            .with_default(Duration::from_secs(l.presence_default_secs));
        c.subscription = presence_model::TimeoutPolicy::subscription()
            .with_bounds(
                Duration::from_secs(l.subscription_min_secs),
                Duration::from_secs(l.subscription_max_secs),
            )
            .with_default(Duration::from_secs(l.subscription_max_secs));
        c.limits.max_subscriptions_per_subscriber = self.limits.max_subscriptions_per_principal;
        c.limits.max_watchers_per_principal = self.limits.max_watchers_per_principal;
        // Only authenticated owners hold the implicit owner rights; an
        // asserted RVP-From-Principal does not.
        c.owner_credentials = presence_model::Credentials::NTLM
            | presence_model::Credentials::DIGEST
            | presence_model::Credentials::INTERNAL;
        c
    }

    /// The limits of the directory file these settings imply.
    pub fn directory_limits(&self) -> crate::directory::DirectoryLimits {
        let mut limits = crate::directory::DirectoryLimits::default();
        limits.max_principals = self.limits.directory_max_principals;
        limits.max_file_bytes = self.limits.directory_max_bytes;
        limits
    }

    /// Whether this process hosts principals.
    pub fn hosts(&self) -> bool {
        matches!(self.role, Role::Home | Role::Both)
    }
}

fn yes() -> bool {
    true
}
fn default_listen() -> Vec<SocketAddr> {
    vec![SocketAddr::from((Ipv4Addr::LOCALHOST, 8080))]
}
fn default_role() -> Role {
    Role::Both
}
fn default_route_mode() -> RouteMode {
    RouteMode::Redirect
}
fn default_foreign_route_mode() -> RouteMode {
    RouteMode::Proxy
}
fn default_max_hops() -> u8 {
    4
}
fn default_domains() -> Vec<DomainConfig> {
    vec![DomainConfig {
        name: "localhost".into(),
        host_names: Vec::new(),
    }]
}
fn default_data_dir() -> PathBuf {
    PathBuf::from("rvp-data")
}
fn default_routing() -> RoutingConfig {
    RoutingConfig {
        same_organisation: default_route_mode(),
        other_domains: default_foreign_route_mode(),
        static_routes: BTreeMap::new(),
        max_hop_count: default_max_hops(),
        accept_foreign_assertions: true,
        trusted_peers: Vec::new(),
        allow_private_destinations: false,
        name_servers: Vec::new(),
    }
}
fn default_leases() -> LeaseConfig {
    LeaseConfig {
        presence_default_secs: 1200,
        presence_min_secs: 30,
        presence_max_secs: 3600,
        subscription_min_secs: 60,
        subscription_max_secs: 14_400,
    }
}
fn default_limits() -> LimitsConfig {
    LimitsConfig {
        max_head_bytes: 16_384,
        max_body_bytes: 65_536,
        max_connections_per_ip: 64,
        max_connections: 10_000,
        request_timeout_secs: 30,
        max_subscriptions_per_principal: 1000,
        max_watchers_per_principal: 10_000,
        max_queued_notifications: 256,
        max_outbound_in_flight: 256,
        outbound_timeout_secs: 10,
        callback_failures: 3,
        directory_max_principals: 100_000,
        directory_max_bytes: 16 * 1024 * 1024,
    }
}
fn default_polling() -> PollingConfig {
    PollingConfig {
        enabled: true,
        min_interval_secs: 60,
        max_interval_secs: 900,
    }
}
fn default_auth() -> AuthConfig {
    AuthConfig {
        nonce_lifetime_secs: 300,
        offer_sha256: false,
        max_outstanding_nonces: 10_000,
    }
}

macro_rules! numeric_defaults {
    ($($name:ident: $t:ty = $v:expr;)*) => { $(fn $name() -> $t { $v })* };
}
numeric_defaults! {
    d_3: u32 = 3; d_10: u64 = 10; d_30: u64 = 30; d_60: u64 = 60; d_64: usize = 64;
    d_256: usize = 256; d_300: u64 = 300; d_900: u64 = 900; d_1000: usize = 1000;
    d_1200: u64 = 1200; d_3600: u64 = 3600; d_10000: usize = 10_000; d_14400: u64 = 14_400;
    d_16384: usize = 16_384; d_65536: usize = 65_536; d_100000: usize = 100_000;
    d_16mib: u64 = 16 * 1024 * 1024;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_the_default() {
        assert_eq!(Config::parse("").unwrap(), Config::default());
        assert_eq!(Config::default().server_authority(), "127.0.0.1:8080");
    }

    #[test]
    fn module_doc_example_parses() {
        let text = r#"
listen = ["0.0.0.0:8080"]
role = "both"
server-name = "im1.example.com:8080"
data-dir = "/var/lib/rvp"
directory = "/etc/rvp/directory.toml"
[[domain]]
name = "example.com"
host-names = ["im.example.com"]
[routing]
same-organisation = "redirect"
static-routes = { "other.example" = "127.0.0.1:9090" }
trusted-peers = ["10.0.0.2"]
allow-private-destinations = false
[leases]
presence-default-secs = 1200
subscription-max-secs = 14400
[limits]
max-body-bytes = 65536
max-connections-per-ip = 64
"#;
        let c = Config::parse(text).unwrap();
        assert_eq!(c.domains[0].host_names, ["im.example.com"]);
        assert_eq!(c.server_authority(), "im1.example.com:8080");
        assert_eq!(c.routing.static_routes["other.example"], "127.0.0.1:9090");
        assert_eq!(c.directory_path(), PathBuf::from("/etc/rvp/directory.toml"));
        assert!(c.routing.is_trusted_peer("10.0.0.2".parse().unwrap()));
        assert!(
            c.routing
                .is_trusted_peer("::ffff:10.0.0.2".parse().unwrap())
        );
        assert!(!c.routing.is_trusted_peer("10.0.0.3".parse().unwrap()));
    }

    #[test]
    fn outbound_destinations_are_filtered_by_default() {
        let d = Config::default();
        assert!(!d.routing.allow_private_destinations);
        assert!(d.routing.name_servers.is_empty());
        let c = Config::parse(
            "[routing]\nallow-private-destinations = true\nname-servers = [\"127.0.0.1:5353\"]",
        )
        .unwrap();
        assert!(c.routing.allow_private_destinations);
        assert_eq!(c.routing.name_servers, ["127.0.0.1:5353".parse().unwrap()]);
    }

    #[test]
    fn unknown_fields_and_bad_values_are_refused() {
        let e = Config::parse("lisen = []").unwrap_err();
        assert!(e.to_string().contains("lisen"), "{e}");
        assert!(matches!(
            Config::parse("[leases]\npresence-min-secs = 5000").unwrap_err(),
            ConfigError::Invalid {
                field: "leases",
                ..
            }
        ));
        assert!(matches!(
            Config::parse("[[domain]]\nname = \"not a domain\"").unwrap_err(),
            ConfigError::Invalid {
                field: "domain.name",
                ..
            }
        ));
        assert!(matches!(
            Config::parse("[routing]\nmax-hop-count = 1").unwrap_err(),
            ConfigError::Invalid { .. }
        ));
    }

    #[test]
    fn directory_and_nonce_limits() {
        let d = Config::default();
        assert_eq!(
            d.directory_limits(),
            crate::directory::DirectoryLimits::default()
        );
        assert_eq!(d.auth.max_outstanding_nonces, 10_000);
        let c = Config::parse(
            "[limits]\ndirectory-max-principals = 200000\ndirectory-max-bytes = 104857600\n\
             [auth]\nmax-outstanding-nonces = 250000",
        )
        .unwrap();
        assert_eq!(c.directory_limits().max_principals, 200_000);
        assert_eq!(c.directory_limits().max_file_bytes, 100 << 20);
        assert_eq!(c.auth.max_outstanding_nonces, 250_000);
        for bad in [
            "[limits]\ndirectory-max-principals = 0",
            "[limits]\ndirectory-max-bytes = 10",
            "[auth]\nmax-outstanding-nonces = 0",
        ] {
            assert!(
                matches!(Config::parse(bad), Err(ConfigError::Invalid { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn poll_intervals_outside_the_protocols_range_are_refused() {
        let field = |text: &str| match Config::parse(text) {
            Err(ConfigError::Invalid { field, reason }) => (field, reason),
            other => panic!("{text}: {other:?}"),
        };
        // Longer than 15 minutes.
        let (f, reason) = field("[polling]\nmax-interval-secs = 901");
        assert_eq!(f, "polling.max-interval-secs");
        assert!(reason.contains("15 minutes"), "{reason}");
        assert_eq!(
            field("[polling]\nmin-interval-secs = 1000\nmax-interval-secs = 1000").0,
            "polling.max-interval-secs"
        );
        // Zero, or a minimum above the maximum.
        assert_eq!(
            field("[polling]\nmin-interval-secs = 0").0,
            "polling.min-interval-secs"
        );
        let (f, reason) = field("[polling]\nmin-interval-secs = 600\nmax-interval-secs = 300");
        assert_eq!(f, "polling.min-interval-secs");
        assert!(reason.contains("300"), "{reason}");
        // The bounds themselves are fine, and the default warns of nothing.
        let c =
            Config::parse("[polling]\nmin-interval-secs = 60\nmax-interval-secs = 900").unwrap();
        assert_eq!(
            (c.polling.min_interval_secs, c.polling.max_interval_secs),
            (60, 900)
        );
        assert!(c.warnings().is_empty());
        assert!(Config::default().warnings().is_empty());
        // Below one minute: accepted (tests poll every second), with a warning.
        let c = Config::parse("[polling]\nmin-interval-secs = 1").unwrap();
        let w = c.warnings();
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("min-interval-secs = 1"), "{w:?}");
    }

    #[test]
    fn head_limit_below_hypers_minimum_is_refused() {
        match Config::parse("[limits]\nmax-head-bytes = 4096") {
            Err(ConfigError::Invalid { field, reason }) => {
                assert_eq!(field, "limits.max-head-bytes");
                assert!(reason.contains("8192"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        let c = Config::parse("[limits]\nmax-head-bytes = 8192").unwrap();
        assert_eq!(c.limits.max_head_bytes, MIN_HEAD_BYTES);
        assert!(matches!(
            Config::parse("[limits]\nmax-body-bytes = 10"),
            Err(ConfigError::Invalid {
                field: "limits.max-body-bytes",
                ..
            })
        ));
    }

    #[test]
    fn model_config_carries_the_policy() {
        let c = Config::parse("[leases]\nsubscription-max-secs = 90\nsubscription-min-secs = 10")
            .unwrap();
        let m = c.model_config();
        assert_eq!(m.subscription.max, Duration::from_secs(90));
        assert_eq!(m.subscription.default, Duration::from_secs(90));
    }
}
