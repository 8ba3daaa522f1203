//! The server's shared state: the presence core, the logins (login
//! subscriptions with their callback or polling queue), stored properties,
//! and delivery of everything the core emits.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use im_url::{NodePath, NodeUrl};
use presence_model::{
    Acl, CredentialKind, Event, NotificationType, Origin, PresenceState, PrincipalId, Requester,
    StateUpdate, SubscriptionId,
};
use rvp_codec::header::{HopCount, RVP_FROM_PRINCIPAL, RVP_HOP_COUNT, RVP_NOTIFICATIONS_VERSION};
use rvp_codec::xml::{self, Contact, Notification, PropNotification, Property, PropertyUpdate};
use tokio::sync::{Notify, oneshot};

use crate::acl_store::AclStore;
use crate::auth::DigestAuth;
use crate::config::Config;
use crate::directory::{Directory, PrincipalEntry};
use crate::dispatch::{Dispatcher, Job};
use crate::logins::{Login, LoginMode, Logins, Queued};
use crate::names::{Named, Names};
use crate::outbound::Outbound;

/// The most properties (besides `state`) stored per principal.
pub(crate) const MAX_STORED_PROPS: usize = 32;
/// The largest stored property value, in bytes.
pub(crate) const MAX_PROP_BYTES: usize = 4096;

/// Everything behind the one lock.
#[derive(Debug)]
pub(crate) struct Model {
    pub(crate) core: presence_model::Server,
    pub(crate) logins: Logins,
    /// Properties other than `state` set by PROPPATCH, per principal.
    pub(crate) props: HashMap<PrincipalId, Vec<Property>>,
}

/// Where a callback URL delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CallbackKind {
    /// A principal of ours: to its logins.
    Local(PrincipalId),
    /// A principal of another domain: to its server.
    Foreign(NodeUrl),
    /// A client's listener (`http://ip:port`).
    Listener,
}

/// Where a principal of our domains is hosted.
#[derive(Debug)]
pub(crate) enum Home {
    /// By this process.
    Here,
    /// By another home server: its physical URL.
    Elsewhere(String),
    /// Not in the directory.
    Unknown,
}

/// What a delivery attempt to a principal's logins came to.
#[derive(Debug)]
pub(crate) struct Fanout {
    /// Logins the notification was queued for (polling): accepted already.
    pub(crate) queued: usize,
    /// Pushes under way, each telling its outcome.
    pub(crate) pushes: Vec<oneshot::Receiver<Result<StatusCode, String>>>,
}

/// The shared state of a running server.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) names: Names,
    pub(crate) directory: Arc<dyn Directory>,
    pub(crate) auth: DigestAuth,
    pub(crate) clock: Clock,
    model: Mutex<Model>,
    pub(crate) wake: Notify,
    pub(crate) outbound: Outbound,
    pub(crate) dispatcher: Arc<Dispatcher>,
    pub(crate) acls: AclStore,
    pub(crate) own_authority: String,
    /// How peers' bodies are read: the lenient profile (real clients).
    pub(crate) codec: rvp_codec::Config,
    pub(crate) resolver: tokio::sync::OnceCell<Option<im_url::DnsResolver>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("own_authority", &self.own_authority)
            .finish_non_exhaustive()
    }
}

/// The origin tag of a client: its IP address, hashed (views and the
/// renewal-family rule tell client programs apart by it).
pub(crate) fn origin_of(ip: std::net::IpAddr) -> Origin {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    ip.hash(&mut h);
    Origin(h.finish())
}

/// Where the server reads the time.
#[derive(Debug)]
pub(crate) enum Clock {
    /// The system's monotonic clock.
    System,
    /// A clock that moves only when told to (the fuzzing harness).
    #[cfg(feature = "fuzzing")]
    Manual(Mutex<Instant>),
}

impl Clock {
    /// The current time.
    pub(crate) fn now(&self) -> Instant {
        match self {
            Self::System => Instant::now(),
            #[cfg(feature = "fuzzing")]
            Self::Manual(t) => *t.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }
}

/// What the server uses of the outside world besides its sockets: the
/// clock, the outbound client, the ACL store, and the seed of the presence
/// core's subscription ids.
#[derive(Debug)]
pub(crate) struct Environment {
    pub(crate) clock: Clock,
    pub(crate) outbound: Outbound,
    pub(crate) acls: AclStore,
    pub(crate) rng_seed: Option<u64>,
}

impl Environment {
    /// The real one: system clock, pooled HTTP client, ACL files under the
    /// data directory, unpredictable ids.
    pub(crate) fn system(config: &Config) -> Self {
        Self {
            clock: Clock::System,
            outbound: Outbound::new(
                config.limits.max_outbound_in_flight,
                Duration::from_secs(config.limits.outbound_timeout_secs),
            ),
            acls: AclStore::new(&config.data_dir),
            rng_seed: None,
        }
    }
}

impl Shared {
    pub(crate) fn new(
        config: Config,
        directory: Arc<dyn Directory>,
        auth: DigestAuth,
        env: Environment,
    ) -> Arc<Self> {
        let Environment {
            clock,
            outbound,
            acls,
            rng_seed,
        } = env;
        let names = Names::new(&config);
        let mut model_config = config.model_config();
        model_config.rng_seed = rng_seed;
        let core = presence_model::Server::new(model_config, clock.now());
        let own_authority = config.server_authority();
        Arc::new_cyclic(|weak: &std::sync::Weak<Shared>| {
            let weak = weak.clone();
            let report = Box::new(move |url: &str, outcome: &Result<StatusCode, String>| {
                if let Some(me) = weak.upgrade() {
                    me.delivery_report(url, outcome);
                }
            });
            let dispatcher = Dispatcher::new(
                outbound.clone(),
                config.limits.max_queued_notifications,
                config.limits.max_watchers_per_principal.max(1024) * 4,
                report,
            );
            Shared {
                names,
                directory,
                auth,
                clock,
                model: Mutex::new(Model {
                    core,
                    logins: Logins::default(),
                    props: HashMap::new(),
                }),
                wake: Notify::new(),
                outbound,
                dispatcher,
                acls,
                own_authority,
                codec: rvp_codec::Config::lenient(),
                resolver: tokio::sync::OnceCell::new(),
                config,
            }
        })
    }

    /// The model, locked. Never held across an `.await`.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Model> {
        self.model.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `entry` is hosted by this process.
    pub(crate) fn hosts_entry(&self, entry: &PrincipalEntry) -> bool {
        self.config.hosts()
            && entry
                .home_server
                .as_deref()
                .is_none_or(|h| h.eq_ignore_ascii_case(&self.own_authority))
    }

    /// The canonical identity of a directory entry.
    pub(crate) fn principal_of(&self, entry: &PrincipalEntry) -> PrincipalId {
        let domain = self.names.domain_index(&entry.domain).unwrap_or(0);
        PrincipalId::new(self.names.logical(domain, &entry.alias))
    }

    /// Registers a hosted principal with the core (once), loading its
    /// stored ACL.
    pub(crate) fn ensure_registered(
        &self,
        model: &mut Model,
        entry: &PrincipalEntry,
        now: Instant,
    ) {
        let id = self.principal_of(entry);
        if model.core.is_hosted(&id) {
            return;
        }
        model.core.register(now, id.clone());
        let owner = Requester::new(id.clone(), CredentialKind::Internal);
        let refused = match self.acls.load(&self.names, &entry.domain, &entry.alias) {
            Ok(Some(acl)) => model
                .core
                .set_acl(now, &owner, &id, acl)
                .err()
                .map(|e| format!("stored ACL refused: {e}")),
            Ok(None) => None,
            Err(e) => Some(format!("stored ACL unreadable: {e}")),
        };
        if let Some(reason) = refused {
            // Fail closed (see the acl_store module docs): the stored ACL may
            // hold a block list, so the permissive default must not replace
            // it. Only the owner keeps rights until the ACL is rewritten.
            tracing::error!(principal = %id.as_str(), %reason, "using an empty ACL (owner only) until the owner writes a new one");
            if let Err(e) = model.core.set_acl(now, &owner, &id, Acl::new()) {
                tracing::error!(principal = %id.as_str(), error = %e, "the empty ACL was refused");
            }
        }
    }

    /// Classifies a callback URL as stored in the core.
    pub(crate) fn callback_kind(&self, url: &str) -> CallbackKind {
        let Ok(node) = NodeUrl::parse(url) else {
            return CallbackKind::Listener;
        };
        if node.host().ip().is_some()
            || !matches!(node.path(), NodePath::Principal(_) | NodePath::Local { .. })
        {
            return CallbackKind::Listener;
        }
        match self.names.classify(&node) {
            named @ Named::Ours { .. } => self
                .names
                .principal_id(&named)
                .map_or(CallbackKind::Listener, CallbackKind::Local),
            Named::Foreign(u) => CallbackKind::Foreign(u),
            Named::NotAPrincipal => CallbackKind::Listener,
        }
    }

    /// Drains the core's events and acts on them (after the lock is
    /// released). Call after every change to the core.
    pub(crate) fn after_change(self: &Arc<Self>, mut model: MutexGuard<'_, Model>) {
        let mut events = Vec::new();
        let mut now = None;
        // Ending an expired login changes the core again (its view goes
        // offline), which queues more events: drain until none is left.
        while let Some(e) = model.core.poll_event() {
            if let Event::SubscriptionExpired(x) = &e
                && x.notification_type == NotificationType::PragmaNotify
                && let Some(login) = model.logins.remove(&x.subscription)
            {
                // As UNSUBSCRIBE and a dead callback do: watchers must not go
                // on seeing online a principal that can no longer receive
                // messages (a polling login's queue goes with it).
                tracing::info!(principal = %login.principal.as_str(), id = x.subscription.get(), "login subscription expired: login ended");
                let now = *now.get_or_insert_with(|| self.clock.now());
                end_login(&mut model, now, x.subscription, &login);
            }
            events.push(e);
        }
        drop(model);
        self.wake.notify_one();
        for e in events {
            match e {
                Event::Notify(n) => {
                    tracing::debug!(to = %n.watcher.as_str(), about = %n.principal.as_str(), state = %n.state.token(), "presence notification");
                    let body = presence_body(&n.principal, &n.watcher, &n.state);
                    let mut headers = HeaderMap::new();
                    headers.insert(
                        rvp_codec::header::NOTIFICATION_TYPE,
                        HeaderValue::from_static("update/propchange"),
                    );
                    if let Ok(v) = HeaderValue::from_str(&n.subscription.to_string()) {
                        headers.insert(rvp_codec::header::SUBSCRIPTION_ID, v);
                    }
                    let me = Arc::clone(self);
                    tokio::spawn(async move {
                        me.deliver_to_callback(
                            n.callback.as_str(),
                            &n.watcher,
                            &n.principal,
                            headers,
                            body,
                            1,
                        )
                        .await;
                    });
                }
                Event::SubscriptionExpired(x) => {
                    tracing::info!(id = x.subscription.get(), principal = %x.principal.as_str(), watcher = %x.watcher.as_str(), "subscription expired");
                }
                Event::ViewExpired { principal, view } => {
                    tracing::info!(principal = %principal.as_str(), view = view.get(), "presence lease expired");
                }
                _ => {}
            }
        }
    }

    /// Sends a notification to a subscription's callback: a principal's
    /// logins (ours), its server (foreign), or a listener.
    pub(crate) async fn deliver_to_callback(
        self: &Arc<Self>,
        callback: &str,
        watcher: &PrincipalId,
        sender: &PrincipalId,
        extra: HeaderMap,
        body: Bytes,
        hop: u8,
    ) {
        match self.callback_kind(callback) {
            CallbackKind::Local(principal) => match self.home_of(&principal) {
                Home::Here => {
                    let requester = Requester::new(watcher.clone(), CredentialKind::Internal);
                    if let Ok(f) = self.fan_out(&requester, &principal, sender, &extra, &body, hop)
                    {
                        for p in f.pushes {
                            let _ = p.await;
                        }
                    }
                }
                Home::Elsewhere(url) => {
                    if let Err(e) = self.send_server(&url, sender, extra, body, hop).await {
                        tracing::warn!(to = %url, error = %e, "NOTIFY to the home server failed");
                    }
                }
                Home::Unknown => {
                    tracing::warn!(callback, "callback principal no longer in the directory");
                }
            },
            CallbackKind::Foreign(url) => {
                if let Err(e) = self.send_foreign(&url, sender, extra, body, hop).await {
                    tracing::warn!(to = %url, error = %e, "server-to-server NOTIFY failed");
                }
            }
            CallbackKind::Listener => {
                let headers = notify_headers(sender, extra, hop.saturating_add(1));
                self.dispatcher.submit(
                    callback,
                    Job {
                        method: notify_method(),
                        headers,
                        body,
                        done: None,
                    },
                );
            }
        }
    }

    /// Routes a NOTIFY to `target`'s logins: queued for polling logins,
    /// pushed to listeners. Errors are the core's (403 denied, 412 not
    /// online).
    pub(crate) fn fan_out(
        self: &Arc<Self>,
        requester: &Requester,
        target: &PrincipalId,
        sender: &PrincipalId,
        extra: &HeaderMap,
        body: &Bytes,
        hop: u8,
    ) -> Result<Fanout, presence_model::SendError> {
        let now = self.clock.now();
        let mut model = self.lock();
        let deliveries = model.core.route_notify(now, requester, target)?;
        let headers = notify_headers(sender, extra.clone(), hop.saturating_add(1));
        let max_queue = self.config.limits.max_queued_notifications;
        let mut out = Fanout {
            queued: 0,
            pushes: Vec::new(),
        };
        let mut jobs = Vec::new();
        for d in deliveries {
            match model.logins.get_mut(d.subscription).map(|l| &mut l.mode) {
                Some(LoginMode::Polling { queue, dropped, .. }) => {
                    if queue.len() >= max_queue {
                        queue.pop_front();
                        *dropped += 1;
                    }
                    queue.push_back(Queued {
                        headers: headers.clone(),
                        body: body.clone(),
                    });
                    out.queued += 1;
                }
                Some(LoginMode::Callback(url)) => jobs.push(url.clone()),
                // Not a login this process made (cannot happen through the
                // handler): push only to a listener, never to a node URL.
                None if self.callback_kind(d.callback.as_str()) == CallbackKind::Listener => {
                    jobs.push(d.callback.as_str().to_owned());
                }
                None => {
                    tracing::warn!(
                        id = d.subscription.get(),
                        "pragma/notify subscription without a login"
                    );
                }
            }
        }
        self.after_change(model);
        for url in jobs {
            let (tx, rx) = oneshot::channel();
            self.dispatcher.submit(
                &url,
                Job {
                    method: notify_method(),
                    headers: headers.clone(),
                    body: body.clone(),
                    done: Some(tx),
                },
            );
            out.pushes.push(rx);
        }
        Ok(out)
    }

    /// Counts a delivery outcome against the logins pushed to `url`; a
    /// login whose callback failed too often ends, and its view goes
    /// offline (its watchers are told).
    fn delivery_report(self: &Arc<Self>, url: &str, outcome: &Result<StatusCode, String>) {
        let ok = matches!(outcome, Ok(s) if s.is_success());
        let mut model = self.lock();
        let mut dead = Vec::new();
        let limit = self.config.limits.callback_failures;
        for id in model.logins.with_callback(url) {
            if let Some(login) = model.logins.get_mut(id) {
                if ok {
                    login.failures = 0;
                } else {
                    login.failures += 1;
                    if login.failures >= limit {
                        dead.push(id);
                    }
                }
            }
        }
        if !ok {
            tracing::warn!(callback = url, outcome = ?outcome, "delivery failed");
        }
        if dead.is_empty() {
            return;
        }
        let now = self.clock.now();
        for id in dead {
            if let Some(login) = model.logins.remove(&id) {
                tracing::warn!(principal = %login.principal.as_str(), callback = url, "callback keeps failing: login ended");
                end_login(&mut model, now, id, &login);
            }
        }
        self.after_change(model);
    }

    /// Where a principal of our domains is hosted.
    pub(crate) fn home_of(&self, principal: &PrincipalId) -> Home {
        let Some(Named::Ours { domain, alias }) = self.names.classify_str(principal.as_str())
        else {
            return Home::Unknown;
        };
        let Some(entry) = self
            .directory
            .lookup(&self.names.domains()[domain], alias.as_str())
        else {
            return Home::Unknown;
        };
        if self.hosts_entry(&entry) {
            return Home::Here;
        }
        match &entry.home_server {
            Some(home) => Home::Elsewhere(format!(
                "http://{home}/instmsg/local/{}/instmsg/aliases/{}",
                entry.domain, entry.alias
            )),
            None => Home::Unknown,
        }
    }

    /// Every hosted principal goes offline (shutdown): watchers are told.
    pub(crate) async fn all_offline(self: &Arc<Self>, grace: Duration) {
        self.all_offline_now();
        // Let the workers push what was just queued.
        tokio::time::sleep(grace.min(Duration::from_millis(500))).await;
    }

    fn all_offline_now(self: &Arc<Self>) {
        let now = self.clock.now();
        let mut model = self.lock();
        let logins = model.logins.drain();
        let mut principals: Vec<PrincipalId> =
            logins.iter().map(|(_, l)| l.principal.clone()).collect();
        principals.sort();
        principals.dedup();
        for p in &principals {
            let owner = Requester::new(p.clone(), CredentialKind::Internal);
            let _ = model.core.set_state(
                now,
                &owner,
                p,
                StateUpdate::unleased(PresenceState::Offline),
            );
        }
        self.after_change(model);
    }

    /// Counts of the presence core.
    pub(crate) fn stats(&self) -> presence_model::Stats {
        self.lock().core.stats()
    }
}

/// Ends a login: its subscription is dropped and its view goes offline.
pub(crate) fn end_login(model: &mut Model, now: Instant, id: SubscriptionId, login: &Login) {
    let owner = Requester::new(login.principal.clone(), CredentialKind::Internal);
    let _ = model.core.unsubscribe(now, &owner, &login.principal, id);
    let still_logged_in = model
        .logins
        .of_principal(&login.principal)
        .any(|l| l.origin == login.origin);
    if !still_logged_in {
        let _ = model.core.set_state(
            now,
            &owner,
            &login.principal,
            StateUpdate::unleased(PresenceState::Offline).with_origin(login.origin),
        );
    }
}

/// The NOTIFY method.
pub(crate) fn notify_method() -> Method {
    Method::from_bytes(b"NOTIFY").unwrap_or(Method::POST)
}

/// Headers of a NOTIFY the server sends.
pub(crate) fn notify_headers(sender: &PrincipalId, mut extra: HeaderMap, hop: u8) -> HeaderMap {
    extra.insert(RVP_NOTIFICATIONS_VERSION, HeaderValue::from_static("0.2"));
    if let Ok(v) = HeaderValue::from_str(sender.as_str()) {
        extra.insert(RVP_FROM_PRINCIPAL, v);
    }
    extra.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml"),
    );
    if let Some(h) = HopCount::new(hop.max(1)) {
        extra.insert(RVP_HOP_COUNT, HeaderValue::from(u16::from(h.get())));
    }
    extra
}

/// The `propnotification` telling `watcher` that `principal` is now in
/// `state`, in the bare state form every client reads (librvp refuses the
/// leased form in a NOTIFY).
pub(crate) fn presence_body(
    principal: &PrincipalId,
    watcher: &PrincipalId,
    state: &PresenceState,
) -> Bytes {
    let state = xml::State::parse(state.token()).unwrap_or(xml::State::Offline);
    Notification::PropNotification(PropNotification {
        from: Contact {
            href: principal.as_str().to_owned(),
            description: None,
        },
        to: vec![Contact {
            href: watcher.as_str().to_owned(),
            description: None,
        }],
        update: PropertyUpdate::set(vec![Property::State(xml::StateProperty::bare(state))]),
    })
    .to_bytes()
}
