//! The logged-in session: login sequence, leases and renewals, contacts,
//! messaging, presence, and the driver task that keeps it all alive.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use im_url::{Address, Resolve};
use presence_model::{IdleTracker, PresenceState, Renewal, RenewalScheduler};
use rvp_codec::header::{
    CALL_BACK, DEPTH, HeaderMapExt, NOTIFICATION_TYPE, RVP_ACK_TYPE, RVP_FROM_PRINCIPAL,
    RVP_HOP_COUNT, SUBSCRIPTION_ID, SUBSCRIPTION_LIFETIME, SubscriptionLifetime,
};
use rvp_codec::mime::{FieldValue, ImFormat, Invitation, LeaveNotice, TextMessage, TypingNotice};
use rvp_codec::xml::{
    Ace, AcePrincipal, Acl, Contact, Credentials, MessageNotification, MultiStatus, Notification,
    PropEntry, PropFind, PropName, Property, PropertyUpdate, Rights, RvpAcl, State, StateProperty,
    StateValue, SubscriptionEntry, Subscriptions,
};
use rvp_codec::{Config as CodecConfig, Payload};
use tokio::sync::{Notify, mpsc, watch};

use crate::contacts::ContactFile;
use crate::error::Error;
use crate::event::{Conversation, Event, LibrvpPeers, Party, decode_notify, double_utf8};
use crate::listener;
use crate::transport::{Answer, Http, Target};

mod config;
mod driver;

pub use config::{Config, Delivery};

/// The polling header of the reference server's extension.
const RVP_POLL_INTERVAL: HeaderName = HeaderName::from_static("rvp-poll-interval");
const RVP_POLL_REMAINING: HeaderName = HeaderName::from_static("rvp-poll-remaining");

impl Drop for Inner {
    fn drop(&mut self) {
        // The last handle is gone: stop the listener and the driver.
        let _ = self.stop.send(true);
    }
}

/// What the renewal scheduler tracks.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Lease,
    Login,
    Contact(String),
}

#[derive(Debug)]
struct ContactState {
    address: Address,
    subscription: Option<String>,
}

#[derive(Debug)]
struct Book {
    login_id: Option<String>,
    presence: PresenceState,
    contacts: BTreeMap<String, ContactState>,
    renewals: RenewalScheduler<Key>,
    idle: Option<IdleTracker>,
    next_poll: Option<Instant>,
    poll_interval: Duration,
    next_keepalive: Option<Instant>,
    closed: bool,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    http: Http,
    my_url: String,
    server: Mutex<String>,
    locator: Locator,
    /// Servers of other domains, by folded domain name.
    foreign: Mutex<BTreeMap<String, String>>,
    home: Mutex<Option<Target>>,
    callback: Option<String>,
    state: Mutex<Book>,
    events: mpsc::Sender<Event>,
    wake: Arc<Notify>,
    stop: watch::Sender<bool>,
    contact_file: Option<ContactFile>,
    /// Peers seen running librvp (their text is double-encoded both ways).
    librvp: Arc<LibrvpPeers>,
    /// The background task, stopped and awaited by [`Session::logoff`].
    driver: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

/// Logs in; see [`Session`].
#[derive(Debug, Clone)]
pub struct Client {
    config: Config,
}

impl Client {
    /// A client for this configuration.
    pub fn new(config: Config) -> Self {
        Self { config }
    }

    /// Logs in, finding servers with the system's DNS (`_rvp._tcp` SRV);
    /// [`Config::server`], when set, names our own domain's server.
    pub async fn login(self) -> Result<(Session, mpsc::Receiver<Event>), Error> {
        match im_url::DnsResolver::system() {
            Ok(dns) => self.login_with(dns).await,
            Err(e) if self.config.server.is_some() => {
                tracing::warn!("no DNS configuration ({e}): other domains cannot be reached");
                self.login_with(im_url::StaticResolver::new()).await
            }
            Err(e) => Err(Error::ResolverConfig(e)),
        }
    }

    /// Logs in, finding servers (ours, unless [`Config::server`] is set,
    /// and those of contacts in other domains) through `resolver` (a
    /// [`StaticResolver`](im_url::StaticResolver) in tests).
    pub async fn login_with<R: Resolve + Send + Sync + 'static>(
        self,
        resolver: R,
    ) -> Result<(Session, mpsc::Receiver<Event>), Error> {
        let config = self.config;
        let resolver = Arc::new(resolver);
        // SRV target selection: random per session unless seeded, so that
        // clients spread over equally weighted servers.
        let seed = config.rng_seed.unwrap_or_else(|| {
            rand::Rng::random(&mut <rand::rngs::StdRng as rand::SeedableRng>::from_os_rng())
        });
        let connect_timeout = config.request_timeout;
        let locator = Locator(Arc::new(move |address: Address| -> LocateFuture {
            let resolver = Arc::clone(&resolver);
            Box::pin(
                async move { locate_server(&*resolver, &address, seed, connect_timeout).await },
            )
        }));
        let server = locator.server_of_account(&config).await?;
        let contact_file = config
            .contacts_dir
            .as_ref()
            .map(|d| ContactFile::for_account(d, &config.address));
        let saved = match &contact_file {
            Some(f) => f.load()?,
            None => Vec::new(),
        };
        // Room for every saved contact's first presence: they are sent
        // during the login, before the caller has the receiver.
        let (events_tx, events_rx) = mpsc::channel(config.event_capacity.max(1) + saved.len());
        let (stop, stop_rx) = watch::channel(false);
        let librvp = Arc::new(LibrvpPeers::default());
        let callback = match config.delivery {
            Delivery::Callback(port) => {
                let server_addr = resolve_authority(&server).await?;
                let ip = listener::local_ip_towards(server_addr);
                let l = listener::bind(ip, port).await?;
                let local = l.local_addr().map_err(Error::Listen)?;
                listener::spawn(l, events_tx.clone(), Arc::clone(&librvp), stop_rx.clone());
                Some(format!("http://{local}"))
            }
            Delivery::Polling { .. } => None,
        };
        let http = Http::new(
            config.address.alias().as_str(),
            config.address.domain().as_str(),
            &config.username_form,
            config.password.clone(),
            config.retry,
            config.rng_seed,
            config.request_timeout,
        );
        let now = Instant::now();
        let state = Book {
            login_id: None,
            presence: PresenceState::Online,
            contacts: saved
                .into_iter()
                .map(|a| {
                    (
                        key_of(&a),
                        ContactState {
                            address: a,
                            subscription: None,
                        },
                    )
                })
                .collect(),
            renewals: RenewalScheduler::new(config.renewal),
            idle: config
                .idle_after
                .map(|d| IdleTracker::new(now, PresenceState::Online, d)),
            next_poll: None,
            poll_interval: match config.delivery {
                Delivery::Polling { interval } => interval,
                Delivery::Callback(_) => Duration::ZERO,
            },
            next_keepalive: config.keepalive.map(|k| now + k),
            closed: false,
        };
        let wake = Arc::new(Notify::new());
        let inner = Arc::new(Inner {
            my_url: config.address.fallback_url().to_string(),
            config,
            http,
            server: Mutex::new(server),
            locator,
            foreign: Mutex::new(BTreeMap::new()),
            home: Mutex::new(None),
            callback,
            state: Mutex::new(state),
            events: events_tx,
            wake: Arc::clone(&wake),
            stop,
            contact_file,
            librvp,
            driver: Mutex::new(None),
        });
        let session = Session { inner };
        if let Err(e) = session.login_sequence().await {
            let _ = session.inner.stop.send(true);
            return Err(e);
        }
        let task = tokio::spawn(driver::drive(Arc::downgrade(&session.inner), wake, stop_rx));
        *session.inner.driver.lock().map_err(|_| Error::Poisoned)? = Some(task);
        Ok((session, events_rx))
    }
}

/// Finds the server of an address's domain (its SRV target, or the domain).
#[derive(Clone)]
struct Locator(Arc<dyn Fn(Address) -> LocateFuture + Send + Sync>);

type LocateFuture = std::pin::Pin<Box<dyn Future<Output = Result<String, Error>> + Send>>;

impl Locator {
    /// The server our own account logs in to: [`Config::server`] when set,
    /// else found by SRV.
    async fn server_of_account(&self, config: &Config) -> Result<String, Error> {
        match &config.server {
            Some(s) => Ok(s.clone()),
            None => (self.0)(config.address.clone()).await,
        }
    }
}

impl std::fmt::Debug for Locator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Locator")
    }
}

/// The server of `address`'s domain: SRV discovery (`im-url`), then the
/// candidates in RFC 2782 order, each address of each, until one accepts a
/// TCP connection within `connect_timeout` (failover to the next SRV target
/// when a server is down). When none answers, the first candidate: the
/// requests then fail and are retried with back-off as for any down server.
async fn locate_server<R: Resolve + ?Sized>(
    resolver: &R,
    address: &Address,
    seed: u64,
    connect_timeout: Duration,
) -> Result<String, Error> {
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(seed);
    let location = im_url::locate(resolver, address, &mut rng).await?;
    let mut first = None;
    for (i, candidate) in location.candidates.iter().enumerate() {
        // `locate` looked up the addresses of the first usable candidate only.
        let addrs = if candidate.addrs.is_empty() {
            match resolver.lookup_addrs(&candidate.host).await {
                Ok(im_url::AddrAnswer::Addrs { addrs, .. }) => addrs,
                _ => continue,
            }
        } else {
            candidate.addrs.clone()
        };
        for ip in addrs {
            let server = SocketAddr::new(ip, candidate.port);
            first.get_or_insert(server);
            let connect = tokio::net::TcpStream::connect(server);
            match tokio::time::timeout(connect_timeout, connect).await {
                Ok(Ok(_)) => {
                    if i > 0 {
                        tracing::info!(%server, host = %candidate.host, "earlier SRV targets unreachable; using this one");
                    }
                    return Ok(server.to_string());
                }
                Ok(Err(e)) => tracing::debug!(%server, error = %e, "SRV target unreachable"),
                Err(_) => tracing::debug!(%server, "SRV target did not answer in time"),
            }
        }
    }
    first.map(|s| s.to_string()).ok_or_else(|| {
        Error::Locate(im_url::ResolveError::NoAddress {
            name: address.domain().to_string(),
        })
    })
}

async fn resolve_authority(authority: &str) -> Result<SocketAddr, Error> {
    tokio::net::lookup_host(authority)
        .await
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| Error::BadUrl {
            url: format!("http://{authority}"),
        })
}

fn key_of(a: &Address) -> String {
    format!("{}@{}", a.alias().to_folded(), a.domain().to_folded())
}

fn value(s: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(s).map_err(|_| Error::BadUrl { url: s.to_owned() })
}

fn header(a: &Answer, name: &HeaderName) -> Option<String> {
    a.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_owned())
}

/// What a delivery attempt to one recipient gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryReport {
    /// The recipient.
    pub to: Address,
    /// `Ok(())` when delivered; otherwise the status (or `None` when
    /// unreachable) and the reason.
    pub result: Result<(), (Option<u16>, String)>,
}

/// Sends typing notices while the user types: one at the first keystroke,
/// then at most one every 4 seconds (as Exchange IM clients do).
#[derive(Debug)]
pub struct TypingNotifier {
    session: Session,
    conv: Conversation,
    every: Duration,
    last: Option<Instant>,
}

impl TypingNotifier {
    /// A key was pressed; sends a notice when one is due and says whether
    /// it did.
    pub async fn keystroke(&mut self) -> bool {
        let now = Instant::now();
        if self.last.is_some_and(|t| now < t + self.every) {
            return false;
        }
        self.last = Some(now);
        self.session.send_typing(&self.conv).await;
        true
    }

    /// The message was sent: the next keystroke notifies at once.
    pub fn reset(&mut self) {
        self.last = None;
    }
}

/// One watcher from SUBSCRIPTIONS.
pub type Watcher = SubscriptionEntry;

/// A logged-in session. Cheap to clone; every clone drives the same login.
/// Events arrive on the receiver [`Client::login`] returned. Call
/// [`logoff`](Self::logoff) to end it cleanly; dropping every clone stops
/// the listener and the background task without telling the server (the
/// lease and subscriptions then run out on their own).
#[derive(Debug, Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

impl Session {
    fn lock(&self) -> Result<MutexGuard<'_, Book>, Error> {
        self.inner.state.lock().map_err(|_| Error::Poisoned)
    }

    /// Our address.
    pub fn address(&self) -> &Address {
        &self.inner.config.address
    }

    /// Our logical URL.
    pub fn url(&self) -> &str {
        &self.inner.my_url
    }

    /// The callback listener's URL (`None` when polling).
    pub fn callback_url(&self) -> Option<&str> {
        self.inner.callback.as_deref()
    }

    /// The state we set.
    pub fn state(&self) -> Result<PresenceState, Error> {
        Ok(self.lock()?.presence.clone())
    }

    /// Our contacts.
    pub fn contacts(&self) -> Result<Vec<Address>, Error> {
        Ok(self
            .lock()?
            .contacts
            .values()
            .map(|c| c.address.clone())
            .collect())
    }

    async fn target(&self, node: &Address) -> Result<Target, Error> {
        let home = self.inner.home.lock().map_err(|_| Error::Poisoned)?.clone();
        if let Some(home) = home.filter(|_| node == &self.inner.config.address) {
            return Ok(home);
        }
        let domain = node.domain().to_folded();
        let authority = if domain == self.inner.config.address.domain().to_folded() {
            self.inner
                .server
                .lock()
                .map_err(|_| Error::Poisoned)?
                .clone()
        } else {
            // Another organisation: its own server, found by SRV, cached.
            let known = self
                .inner
                .foreign
                .lock()
                .map_err(|_| Error::Poisoned)?
                .get(&domain)
                .cloned();
            match known {
                Some(a) => a,
                None => {
                    let a = (self.inner.locator.0)(node.clone()).await?;
                    self.inner
                        .foreign
                        .lock()
                        .map_err(|_| Error::Poisoned)?
                        .insert(domain, a.clone());
                    a
                }
            }
        };
        Ok(Target {
            authority,
            path: format!("/instmsg/aliases/{}", node.alias()),
            host: node.domain().to_string(),
        })
    }

    /// Sends a request about `node`, following one `302` (a router naming
    /// the home server, which is then used for our own node).
    async fn request(
        &self,
        method: &str,
        node: &Address,
        mut headers: HeaderMap,
        body: Bytes,
    ) -> Result<Answer, Error> {
        let m = Method::from_bytes(method.as_bytes()).map_err(|_| Error::Closed)?;
        headers.insert(RVP_FROM_PRINCIPAL, value(&self.inner.my_url)?);
        if !body.is_empty() {
            headers.insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("text/xml"),
            );
        }
        let target = self.target(node).await?;
        let answer = self.inner.http.send(&m, &target, &headers, &body).await?;
        if answer.status != StatusCode::FOUND {
            return Ok(answer);
        }
        let location = header(&answer, &http::header::LOCATION)
            .ok_or_else(|| Error::malformed(method, "302 without Location"))?;
        let url = im_url::NodeUrl::parse(&location)
            .map_err(|e| Error::malformed(method, format!("Location {location}: {e}")))?;
        let home = Target {
            authority: url.authority().to_string(),
            path: url.origin_form(),
            host: node.domain().to_string(),
        };
        if node == &self.inner.config.address {
            // The home server: our node's physical URL from now on, and the
            // server for everything else too (it routes on our behalf).
            *self.inner.home.lock().map_err(|_| Error::Poisoned)? = Some(home.clone());
            *self.inner.server.lock().map_err(|_| Error::Poisoned)? = home.authority.clone();
        }
        self.inner.http.send(&m, &home, &headers, &body).await
    }

    /// The `Subscription-Lifetime` every SUBSCRIBE asks for.
    fn lifetime_header(&self) -> SubscriptionLifetime {
        SubscriptionLifetime::from_duration(self.inner.config.subscription_lifetime)
    }

    async fn login_sequence(&self) -> Result<(), Error> {
        let me = self.inner.config.address.clone();
        let mut h = HeaderMap::new();
        h.insert(NOTIFICATION_TYPE, HeaderValue::from_static("pragma/notify"));
        h.typed_insert(self.lifetime_header());
        let interval = self.lock()?.poll_interval;
        match &self.inner.callback {
            Some(cb) => {
                h.insert(CALL_BACK, value(cb)?);
            }
            None => {
                h.insert(
                    RVP_POLL_INTERVAL,
                    value(&interval.as_secs().max(1).to_string())?,
                );
            }
        }
        let a = self.request("SUBSCRIBE", &me, h, Bytes::new()).await?;
        if a.status != StatusCode::OK {
            return Err(Error::status("SUBSCRIBE", a.status));
        }
        let id = header(&a, &SUBSCRIPTION_ID)
            .ok_or_else(|| Error::malformed("SUBSCRIBE", "no Subscription-Id"))?;
        let lifetime = lifetime_of(&a).unwrap_or(self.inner.config.subscription_lifetime);
        {
            let now = Instant::now();
            let mut s = self.lock()?;
            s.login_id = Some(id);
            s.renewals.granted(Key::Login, now, lifetime);
            if self.inner.callback.is_none() {
                let granted = header(&a, &RVP_POLL_INTERVAL)
                    .and_then(|v| v.parse::<u64>().ok())
                    .map(|secs| Duration::from_secs(secs.clamp(MIN_POLL_SECS, MAX_POLL_SECS)))
                    .unwrap_or(interval);
                s.poll_interval = granted;
                s.next_poll = Some(now);
            }
        }
        let state = self.lock()?.presence.clone();
        self.proppatch(&state).await?;
        self.properties().await?;
        self.watchers().await?;
        self.acl().await?;
        let contacts: Vec<Address> = self.contacts()?;
        for c in contacts {
            if let Err(e) = self.subscribe_contact(&c).await {
                tracing::warn!("cannot watch {c}: {e}");
            }
        }
        self.inner.wake.notify_one();
        Ok(())
    }

    async fn proppatch(&self, state: &PresenceState) -> Result<(), Error> {
        let me = self.inner.config.address.clone();
        let value = State::parse(state.token()).unwrap_or(State::Online);
        let secs = u32::try_from(self.inner.config.lease.as_secs()).unwrap_or(u32::MAX);
        let body = PropertyUpdate::set(vec![Property::State(StateProperty::leased(
            value,
            State::Offline,
            secs,
        ))])
        .to_bytes();
        let a = self
            .request("PROPPATCH", &me, HeaderMap::new(), body)
            .await?;
        if a.status != StatusCode::MULTI_STATUS && a.status != StatusCode::OK {
            return Err(Error::status("PROPPATCH", a.status));
        }
        let answer = MultiStatus::decode(&a.body, &CodecConfig::lenient()).ok();
        let propstats = || {
            answer
                .iter()
                .flat_map(|m| &m.responses)
                .flat_map(|r| &r.propstats)
        };
        let is_state = |e: &PropEntry| match e {
            PropEntry::Value(p) => p.name() == PropName::State,
            PropEntry::Name(n) => *n == PropName::State,
            _ => false,
        };
        // A 207 can still refuse the state in its propstat (403, 409...).
        if let Some(refused) =
            propstats().find(|p| !p.status.code.is_success() && p.props.iter().any(is_state))
        {
            return Err(Error::status("PROPPATCH", refused.status.code));
        }
        let granted = propstats()
            .flat_map(|p| &p.props)
            .find_map(|e| match e {
                PropEntry::Value(Property::State(StateProperty {
                    value: StateValue::Leased(l),
                    ..
                })) => Some(Duration::from_secs(u64::from(l.timeout_secs))),
                _ => None,
            })
            .filter(|d| !d.is_zero())
            .unwrap_or(self.inner.config.lease);
        let mut s = self.lock()?;
        if *state == PresenceState::Offline {
            s.renewals.cancel(&Key::Lease);
        } else {
            s.renewals.granted(Key::Lease, Instant::now(), granted);
        }
        drop(s);
        self.inner.wake.notify_one();
        Ok(())
    }

    /// Sets our state (leased for [`Config::lease`], renewed before it ends).
    pub async fn set_state(&self, state: PresenceState) -> Result<(), Error> {
        {
            let mut s = self.lock()?;
            s.presence = state.clone();
            if let Some(idle) = &mut s.idle {
                idle.set_state(Instant::now(), state.clone());
                while idle.poll_change().is_some() {}
            }
        }
        self.proppatch(&state).await
    }

    /// The idle hook: the user did something. After [`Config::idle_after`]
    /// without a call, an `online` user goes `away`; the next call brings
    /// them back.
    pub fn activity(&self) {
        if let Ok(mut s) = self.lock()
            && let Some(idle) = &mut s.idle
        {
            idle.handle_input(Instant::now());
        }
        self.inner.wake.notify_one();
    }

    /// Our own properties (PROPFIND, `Depth: 0`).
    pub async fn properties(&self) -> Result<Vec<Property>, Error> {
        let me = self.inner.config.address.clone();
        let body = PropFind::Prop(vec![
            PropName::DisplayName,
            PropName::Email,
            PropName::State,
        ])
        .to_bytes();
        let mut h = HeaderMap::new();
        h.insert(DEPTH, HeaderValue::from_static("0"));
        let a = self.request("PROPFIND", &me, h, body).await?;
        if a.status != StatusCode::MULTI_STATUS {
            return Err(Error::status("PROPFIND", a.status));
        }
        let m = MultiStatus::decode(&a.body, &CodecConfig::lenient())
            .map_err(|e| Error::malformed("PROPFIND", e))?;
        Ok(m.responses
            .into_iter()
            .flat_map(|r| r.propstats)
            .filter(|p| p.status.code.is_success())
            .flat_map(|p| p.props)
            .filter_map(|e| match e {
                PropEntry::Value(p) => Some(p),
                _ => None,
            })
            .collect())
    }

    /// Who watches us (SUBSCRIPTIONS).
    pub async fn watchers(&self) -> Result<Vec<Watcher>, Error> {
        let me = self.inner.config.address.clone();
        let mut h = HeaderMap::new();
        h.insert(
            NOTIFICATION_TYPE,
            HeaderValue::from_static("update/propchange"),
        );
        let a = self.request("SUBSCRIPTIONS", &me, h, Bytes::new()).await?;
        if a.status != StatusCode::OK {
            return Err(Error::status("SUBSCRIPTIONS", a.status));
        }
        if a.body.is_empty() {
            return Ok(Vec::new());
        }
        Ok(Subscriptions::decode(&a.body, &CodecConfig::lenient())
            .map_err(|e| Error::malformed("SUBSCRIPTIONS", e))?
            .items)
    }

    /// Our node's ACL (ACL without a body).
    pub async fn acl(&self) -> Result<RvpAcl, Error> {
        let me = self.inner.config.address.clone();
        let a = self
            .request("ACL", &me, HeaderMap::new(), Bytes::new())
            .await?;
        if a.status != StatusCode::OK {
            return Err(Error::status("ACL", a.status));
        }
        if a.body.is_empty() {
            return Ok(RvpAcl::default());
        }
        RvpAcl::decode(&a.body, &CodecConfig::lenient()).map_err(|e| Error::malformed("ACL", e))
    }

    async fn set_acl(&self, acl: &RvpAcl) -> Result<(), Error> {
        let me = self.inner.config.address.clone();
        let a = self
            .request("ACL", &me, HeaderMap::new(), acl.to_bytes())
            .await?;
        if !a.status.is_success() {
            return Err(Error::status("ACL", a.status));
        }
        Ok(())
    }

    /// Blocks `who`: an ACE denying them our presence and messages.
    pub async fn block(&self, who: &Address) -> Result<(), Error> {
        let url = who.fallback_url().to_string();
        let mut acl = self.acl().await?;
        let list = acl.acl.get_or_insert_with(Acl::default);
        list.aces.retain(|a| !is_ace_for(a, &url));
        list.aces.push(Ace {
            principal: AcePrincipal::Url(url),
            credentials: Credentials::ASSERTION | Credentials::DIGEST | Credentials::NTLM,
            grant: Rights::empty(),
            deny: Rights::SEND_TO | Rights::PRESENCE,
        });
        self.set_acl(&acl).await
    }

    /// Undoes [`block`](Self::block).
    pub async fn allow(&self, who: &Address) -> Result<(), Error> {
        let url = who.fallback_url().to_string();
        let mut acl = self.acl().await?;
        if let Some(list) = &mut acl.acl {
            list.aces.retain(|a| !is_ace_for(a, &url));
        }
        self.set_acl(&acl).await
    }

    async fn subscribe_contact(&self, who: &Address) -> Result<Option<PresenceState>, Error> {
        let mut h = HeaderMap::new();
        h.insert(
            NOTIFICATION_TYPE,
            HeaderValue::from_static("update/propchange"),
        );
        h.typed_insert(self.lifetime_header());
        h.insert(CALL_BACK, value(&self.inner.my_url)?);
        let a = self.request("SUBSCRIBE", who, h, Bytes::new()).await?;
        if !a.status.is_success() {
            return Err(Error::status("SUBSCRIBE", a.status));
        }
        let id = header(&a, &SUBSCRIPTION_ID)
            .ok_or_else(|| Error::malformed("SUBSCRIBE", "no Subscription-Id"))?;
        let lifetime = lifetime_of(&a).unwrap_or(self.inner.config.subscription_lifetime);
        let state = MultiStatus::decode(&a.body, &CodecConfig::lenient())
            .ok()
            .and_then(|m| {
                m.responses
                    .iter()
                    .flat_map(|r| &r.propstats)
                    .flat_map(|p| &p.props)
                    .find_map(|e| match e {
                        PropEntry::Value(Property::State(s)) => {
                            PresenceState::from_token(s.state().as_str()).ok()
                        }
                        _ => None,
                    })
            });
        let key = key_of(who);
        let replaced = {
            let mut s = self.lock()?;
            s.renewals
                .granted(Key::Contact(key.clone()), Instant::now(), lifetime);
            s.contacts
                .insert(
                    key,
                    ContactState {
                        address: who.clone(),
                        subscription: Some(id.clone()),
                    },
                )
                .and_then(|old| old.subscription)
                .filter(|old| *old != id)
        };
        // One subscription per contact: a second would double every event.
        if let Some(old) = replaced
            && let Err(e) = self.unsubscribe(who, &old).await
        {
            tracing::debug!("unsubscribe the previous subscription to {who}: {e}");
        }
        self.inner.wake.notify_one();
        if let Some(st) = &state {
            let _ = self
                .inner
                .events
                .send(Event::Presence {
                    contact: Party::from_url(&who.fallback_url().to_string()),
                    state: st.clone(),
                })
                .await;
        }
        Ok(state)
    }

    fn save_contacts(&self) -> Result<(), Error> {
        if let Some(f) = &self.inner.contact_file {
            f.save(|| self.contacts())?;
        }
        Ok(())
    }

    /// Adds a contact: watches its presence (the current state is returned
    /// and also reported as an [`Event::Presence`]) and keeps it in the
    /// contact list.
    pub async fn add_contact(&self, who: &Address) -> Result<Option<PresenceState>, Error> {
        let state = self.subscribe_contact(who).await?;
        self.save_contacts()?;
        Ok(state)
    }

    /// The current presence of `who` without adding it to the contact
    /// list: subscribes, reads the state from the answer, unsubscribes.
    pub async fn add_contact_transient(
        &self,
        who: &Address,
    ) -> Result<Option<PresenceState>, Error> {
        let known = self.lock()?.contacts.contains_key(&key_of(who));
        let state = self.subscribe_contact(who).await?;
        if !known {
            self.remove_contact(who).await?;
        }
        Ok(state)
    }

    /// Removes a contact: unsubscribes and forgets it.
    pub async fn remove_contact(&self, who: &Address) -> Result<(), Error> {
        let key = key_of(who);
        let sub = {
            let mut s = self.lock()?;
            s.renewals.cancel(&Key::Contact(key.clone()));
            s.contacts.remove(&key).and_then(|c| c.subscription)
        };
        self.save_contacts()?;
        if let Some(id) = sub {
            self.unsubscribe(who, &id).await?;
        }
        Ok(())
    }

    async fn unsubscribe(&self, node: &Address, id: &str) -> Result<(), Error> {
        let mut h = HeaderMap::new();
        h.insert(SUBSCRIPTION_ID, value(id)?);
        let a = self.request("UNSUBSCRIBE", node, h, Bytes::new()).await?;
        if !a.status.is_success() {
            return Err(Error::status("UNSUBSCRIBE", a.status));
        }
        Ok(())
    }

    /// A new conversation with these participants (a fresh `Session-Id`).
    pub fn conversation(&self, participants: Vec<Address>) -> Conversation {
        Conversation::fresh(self.inner.http.random_u128(), participants)
    }

    /// The NOTIFY body carrying `payload` to the conversation.
    fn message_body(&self, conv: &Conversation, payload: &Payload) -> Bytes {
        let to: Vec<Contact> = conv
            .participants
            .iter()
            .map(|p| Contact::new(p.fallback_url().to_string(), ""))
            .collect();
        Notification::Message(MessageNotification {
            from: Contact::new(
                self.inner.my_url.clone(),
                self.inner.config.address.alias().as_str(),
            ),
            to,
            mime_data: String::from_utf8_lossy(&payload.to_bytes()).into_owned(),
        })
        .to_bytes()
    }

    async fn notify_all(&self, conv: &Conversation, payload: Payload) -> Vec<DeliveryReport> {
        let body = self.message_body(conv, &payload);
        // Text for a librvp peer goes double-encoded, as librvp sends and reads it.
        let mut librvp_body = None;
        let mut out = Vec::new();
        for p in &conv.participants {
            let body = match &payload {
                Payload::Text(t) if !t.body.is_ascii() && self.inner.librvp.contains(p) => {
                    librvp_body
                        .get_or_insert_with(|| {
                            let mut t = t.clone();
                            t.body = double_utf8(&t.body);
                            self.message_body(conv, &Payload::Text(t))
                        })
                        .clone()
                }
                _ => body.clone(),
            };
            let mut h = HeaderMap::new();
            h.insert(RVP_HOP_COUNT, HeaderValue::from_static("1"));
            h.insert(RVP_ACK_TYPE, HeaderValue::from_static("DeepOr"));
            let result = match self.request("NOTIFY", p, h, body).await {
                Ok(a) if a.status.is_success() => Ok(()),
                Ok(a) => Err((Some(a.status.as_u16()), reason_of(a.status))),
                Err(e) => Err((None, e.to_string())),
            };
            if let Err((status, reason)) = &result {
                let _ = self
                    .inner
                    .events
                    .send(Event::DeliveryFailed {
                        to: p.clone(),
                        session_id: conv.id.clone(),
                        status: *status,
                        reason: reason.clone(),
                    })
                    .await;
            }
            out.push(DeliveryReport {
                to: p.clone(),
                result,
            });
        }
        out
    }

    /// Sends a text message to every participant (one NOTIFY each, listing
    /// them all as `notification-to`). Failures are returned per recipient
    /// and also reported as [`Event::DeliveryFailed`].
    pub async fn send_text(&self, conv: &Conversation, text: &str) -> Vec<DeliveryReport> {
        let mut m = TextMessage::new(text);
        m.session_id = Some(conv.id.clone());
        m.format = Some(ImFormat::new("MS Shell Dlg"));
        self.notify_all(conv, Payload::Text(m)).await
    }

    /// Tells the participants we are typing (send every 4 s while typing).
    pub async fn send_typing(&self, conv: &Conversation) -> Vec<DeliveryReport> {
        let me = self.inner.config.address.to_string();
        let mut t = match FieldValue::new(me) {
            Ok(v) => TypingNotice::new(v),
            Err(_) => return Vec::new(),
        };
        t.session_id = Some(conv.id.clone());
        self.notify_all(conv, Payload::Typing(t)).await
    }

    /// A helper that sends typing notices at most every 4 seconds while
    /// [`TypingNotifier::keystroke`] is called.
    pub fn typing_notifier(&self, conv: &Conversation) -> TypingNotifier {
        TypingNotifier {
            session: self.clone(),
            conv: conv.clone(),
            every: Duration::from_secs(4),
            last: None,
        }
    }

    /// Sends an application invitation (or its answer) in the conversation.
    pub async fn send_invitation(
        &self,
        conv: &Conversation,
        mut invitation: Invitation,
    ) -> Vec<DeliveryReport> {
        invitation.session_id = Some(conv.id.clone());
        self.notify_all(conv, Payload::Invitation(invitation)).await
    }

    /// Leaves a multi-party conversation.
    pub async fn leave(&self, conv: &Conversation) -> Vec<DeliveryReport> {
        self.notify_all(conv, Payload::Leave(LeaveNotice::new(conv.id.clone())))
            .await
    }

    /// Polls the server now (polling mode); the notifications become events.
    pub async fn poll_now(&self) -> Result<usize, Error> {
        let me = self.inner.config.address.clone();
        let Some(id) = self.lock()?.login_id.clone() else {
            return Err(Error::Closed);
        };
        let mut n = 0;
        loop {
            let mut h = HeaderMap::new();
            h.insert(SUBSCRIPTION_ID, value(&id)?);
            let a = self.request("POLL", &me, h, Bytes::new()).await?;
            match a.status {
                StatusCode::NO_CONTENT => return Ok(n),
                StatusCode::OK => {
                    n += 1;
                    if let Some(e) = decode_notify(&a.body, &self.inner.librvp) {
                        let _ = self.inner.events.send(e).await;
                    }
                    let more = header(&a, &RVP_POLL_REMAINING)
                        .and_then(|v| v.parse::<u64>().ok())
                        .unwrap_or(0);
                    if more == 0 || n >= MAX_POLLS_PER_ROUND {
                        return Ok(n);
                    }
                }
                s => return Err(Error::status("POLL", s)),
            }
        }
    }

    /// Logs off: unsubscribes from every contact, sets `offline`, ends the
    /// login subscription and stops the listener and background task.
    pub async fn logoff(&self) -> Result<(), Error> {
        {
            let mut s = self.lock()?;
            s.closed = true;
            s.presence = PresenceState::Offline;
        }
        let _ = self.inner.stop.send(true);
        // A renewal or a new login in flight must not land after our
        // offline PROPPATCH: stop the background task and wait for it.
        let task = self
            .inner
            .driver
            .lock()
            .map_err(|_| Error::Poisoned)?
            .take();
        if let Some(task) = task {
            task.abort();
            let _ = task.await;
        }
        let (contacts, login) = {
            let mut s = self.lock()?;
            let c: Vec<(Address, String)> = s
                .contacts
                .values_mut()
                .filter_map(|c| c.subscription.take().map(|id| (c.address.clone(), id)))
                .collect();
            (c, s.login_id.take())
        };
        for (who, id) in contacts {
            if let Err(e) = self.unsubscribe(&who, &id).await {
                tracing::debug!("unsubscribe {who}: {e}");
            }
        }
        let offline = self.proppatch(&PresenceState::Offline).await;
        if let Some(id) = login {
            let me = self.inner.config.address.clone();
            self.unsubscribe(&me, &id).await?;
        }
        offline
    }

    /// Asks again later for a renewal (or a fresh subscription) that got no
    /// answer: halfway to the grant's end (at least a second from now), or,
    /// when it already ran out, after [`RESUBSCRIBE_RETRY`] with jitter.
    fn retry_later(&self, key: Key) -> Result<(), Error> {
        let now = Instant::now();
        let jitter = (self.inner.http.random_u128() % 1000) as u32;
        let mut s = self.lock()?;
        let at = match s.renewals.expires_at(&key) {
            Some(end) => now + (end.saturating_duration_since(now) / 2).max(Duration::from_secs(1)),
            None => now + RESUBSCRIBE_RETRY / 2 + RESUBSCRIBE_RETRY * jitter / 1000,
        };
        s.renewals.retry(key, at);
        drop(s);
        self.inner.wake.notify_one();
        Ok(())
    }

    /// Logs in again from scratch (the server forgot us, or could not be
    /// reached for too long). What the server may still hold of the old
    /// session (login and contact subscriptions) is unsubscribed in the
    /// background, so that notifications do not arrive twice; the server
    /// is located again (the home server of a router's `302` may be gone).
    async fn relogin(&self) -> Result<(), Error> {
        let stale: Vec<(Address, String)> = {
            let mut s = self.lock()?;
            if s.closed {
                return Err(Error::Closed);
            }
            let me = self.inner.config.address.clone();
            let mut stale: Vec<_> = s.login_id.take().map(|id| (me, id)).into_iter().collect();
            s.renewals = RenewalScheduler::new(self.inner.config.renewal);
            for c in s.contacts.values_mut() {
                if let Some(id) = c.subscription.take() {
                    stale.push((c.address.clone(), id));
                }
            }
            stale
        };
        *self.inner.home.lock().map_err(|_| Error::Poisoned)? = None;
        let server = self
            .inner
            .locator
            .server_of_account(&self.inner.config)
            .await?;
        *self.inner.server.lock().map_err(|_| Error::Poisoned)? = server;
        if !stale.is_empty() {
            let session = self.clone();
            tokio::spawn(async move {
                for (who, id) in stale {
                    if let Err(e) = session.unsubscribe(&who, &id).await {
                        tracing::debug!("old subscription {id} of {who}: {e}");
                    }
                }
            });
        }
        self.login_sequence().await
    }

    async fn renew(&self, node: &Address, id: &str) -> Result<Duration, Error> {
        let mut h = HeaderMap::new();
        h.insert(SUBSCRIPTION_ID, value(id)?);
        h.typed_insert(self.lifetime_header());
        let a = self.request("SUBSCRIBE", node, h, Bytes::new()).await?;
        if !a.status.is_success() {
            return Err(Error::status("SUBSCRIBE", a.status));
        }
        Ok(lifetime_of(&a).unwrap_or(self.inner.config.subscription_lifetime))
    }

    /// Renews the login subscription; `Err` when the server forgot it.
    async fn renew_login(&self) -> Result<(), Error> {
        let Some(id) = self.lock()?.login_id.clone() else {
            return Err(Error::Closed);
        };
        let me = self.inner.config.address.clone();
        let lifetime = self.renew(&me, &id).await?;
        self.lock()?
            .renewals
            .granted(Key::Login, Instant::now(), lifetime);
        Ok(())
    }

    async fn handle_renewal(&self, r: Renewal<Key>) -> Result<(), Error> {
        match r {
            Renewal::Due(Key::Lease) | Renewal::Expired(Key::Lease) => {
                let state = self.lock()?.presence.clone();
                self.proppatch(&state).await
            }
            Renewal::Due(Key::Login) => self.renew_login().await,
            Renewal::Expired(Key::Login) => Err(Error::status("SUBSCRIBE", StatusCode::GONE)),
            Renewal::Due(Key::Contact(k)) => {
                let c = {
                    let s = self.lock()?;
                    s.contacts
                        .get(&k)
                        .map(|c| (c.address.clone(), c.subscription.clone()))
                };
                let Some((who, sub)) = c else { return Ok(()) };
                let renewed = match sub {
                    Some(id) => self.renew(&who, &id).await,
                    None => Err(Error::Closed),
                };
                match renewed {
                    Ok(l) => {
                        self.lock()?
                            .renewals
                            .granted(Key::Contact(k), Instant::now(), l);
                        Ok(())
                    }
                    Err(e @ Error::Transport { .. }) => Err(e),
                    // The server forgot the subscription (412, 404...): a new one.
                    Err(_) => self.subscribe_contact(&who).await.map(|_| ()),
                }
            }
            Renewal::Expired(Key::Contact(k)) => {
                let who = self.lock()?.contacts.get(&k).map(|c| c.address.clone());
                match who {
                    Some(w) => self.subscribe_contact(&w).await.map(|_| ()),
                    None => Ok(()),
                }
            }
        }
    }
}

fn reason_of(s: StatusCode) -> String {
    match s.as_u16() {
        412 => "the recipient is not online".into(),
        403 => "the recipient does not accept messages from you".into(),
        404 => "no such user".into(),
        500 => "the recipient left the conversation".into(),
        _ => format!("the server answered {s}"),
    }
}

/// The `Subscription-Lifetime` granted, within [`MAX_LIFETIME_SECS`] (a
/// longer grant is renewed as if it were that long).
fn lifetime_of(a: &Answer) -> Option<Duration> {
    header(a, &SUBSCRIPTION_LIFETIME)
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|&s| s > 0)
        .map(|s| Duration::from_secs(s.min(MAX_LIFETIME_SECS)))
}

/// How long to wait before subscribing afresh to a contact whose
/// subscription ran out while the server could not be reached (with
/// jitter: between half and one and a half times this).
const RESUBSCRIBE_RETRY: Duration = Duration::from_secs(30);

/// The longest subscription lifetime taken from a server (a week).
const MAX_LIFETIME_SECS: u64 = 7 * 24 * 3600;
/// The polling interval a server may grant, in seconds: at most once a
/// second, at least once an hour.
const MIN_POLL_SECS: u64 = 1;
const MAX_POLL_SECS: u64 = 3600;
/// The most POLLs in one round: a server whose `RVP-Poll-Remaining` never
/// reaches 0 cannot keep the background task from its renewals.
const MAX_POLLS_PER_ROUND: usize = 256;

fn is_ace_for(a: &Ace, url: &str) -> bool {
    matches!(&a.principal, AcePrincipal::Url(u) if u.eq_ignore_ascii_case(url))
}
