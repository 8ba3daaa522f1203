//! The home-server core: principals, views, published state, ACLs.

mod invariants;
mod subscriptions;
mod timers;

pub use invariants::InvariantViolation;

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::{
    AccessError, Acl, CallbackUrl, Config, CredentialKind, Event, NotificationType, Origin,
    PresenceState, PrincipalId, Requester, Rights, SetAclError, SetStateError, StateNotification,
    StateOutcome, StateUpdate, SubscriptionId, ViewId,
};
use timers::{Clock, Timer, Timers};

/// The sans-IO presence core of an RVP home server.
///
/// It decides everything a home server decides about presence (leased
/// states, views, the published state, subscriptions, ACLs, expiry) and
/// never performs I/O or reads a clock.
///
/// # Call order
///
/// 1. Feed inputs: [`register`](Self::register), [`set_state`](Self::set_state),
///    [`subscribe`](Self::subscribe), [`renew`](Self::renew),
///    [`unsubscribe`](Self::unsubscribe), [`set_acl`](Self::set_acl), … each
///    with the current `now`. Every input first handles the deadlines due at
///    `now`, so an input arriving after an unhandled deadline sees the
///    expired state.
/// 2. Drain [`poll_event`](Self::poll_event) until `None` and act on each
///    event (send NOTIFYs).
/// 3. Re-arm one timer to [`poll_timeout`](Self::poll_timeout); when it
///    fires call [`handle_timeout`](Self::handle_timeout) with the current
///    time and go to 2.
///
/// # Aggregation rule (views)
///
/// A principal may be logged in several times; each login is a *view*
/// (`view-id`). A PROPPATCH without a view-id (or with one that has expired)
/// creates a view, unless it carries an [`Origin`] that matches an existing
/// view (clients such as Miranda never send a view-id). Setting `busy`,
/// `at-lunch`, `on-phone`, `back-soon` or `invisible` in one view replicates
/// the value to every view; `online`, `offline`, `away`, `idle` and
/// extensions stay in their view. The **published state** is the most
/// available state ([`PresenceState::availability`]) among the views and the
/// principal's *base* state (`offline` unless a lease expired to a
/// non-offline default). When a view's lease runs out the view is removed and
/// its default, if not `offline`, becomes the base state. An unleased
/// `offline` without view-id or origin (librvp's logout) ends every view; an
/// unleased `offline` naming a view (by view-id or matching origin) ends that
/// view; an unleased other value is leased with the policy default timeout
/// and default `offline`. Beyond
/// [`Limits::max_views_per_principal`](crate::Limits::max_views_per_principal)
/// views, a new view evicts the one whose lease ends first.
///
/// # Visibility rule (what a watcher sees)
///
/// The owner of a node sees its published state as is. Any other watcher
/// sees `offline` when the ACL denies it `presence`, and `invisible` as
/// `offline`; never another state. Whenever what a watcher sees changes —
/// because the published state changed (PROPPATCH, lease or view expiry) or
/// because an ACL write changed its access — each of its update/propchange
/// subscriptions gets one [`Event::Notify`]. Nothing is emitted for
/// watchers whose view did not change, so a blocked watcher learns nothing.
///
/// ```
/// use std::time::{Duration, Instant};
/// use presence_model::*;
/// let t0 = Instant::now();
/// let mut config = Config::default();
/// config.rng_seed = Some(1);
/// let mut server = Server::new(config, t0);
/// let alice = PrincipalId::from("http://example.com/instmsg/aliases/alice");
/// let bob = PrincipalId::from("http://example.com/instmsg/aliases/bob");
/// server.register(t0, alice.clone());
/// server.register(t0, bob.clone());
/// let as_bob = Requester::new(bob.clone(), CredentialKind::Ntlm);
/// let sub = server.subscribe(t0, &as_bob, SubscribeRequest {
///     target: alice.clone(),
///     notification_type: NotificationType::UpdatePropchange,
///     callback: CallbackUrl::from(&bob),
///     lifetime: Some(Duration::from_secs(14_400)),
///     origin: None,
/// }).unwrap();
/// assert_eq!(sub.initial_state, Some(PresenceState::Offline));
/// let as_alice = Requester::new(alice.clone(), CredentialKind::Ntlm);
/// server.set_state(t0, &as_alice, &alice, StateUpdate::leased(
///     PresenceState::Online, PresenceState::Offline, Some(Duration::from_secs(1200)))).unwrap();
/// let Some(Event::Notify(n)) = server.poll_event() else { panic!() };
/// assert_eq!((n.subscription, n.state), (sub.id, PresenceState::Online));
/// // Twenty minutes later the lease runs out and bob is told.
/// let t1 = server.poll_timeout().unwrap();
/// assert_eq!(t1, t0 + Duration::from_secs(1200));
/// server.handle_timeout(t1);
/// assert!(matches!(server.poll_event(), Some(Event::ViewExpired { .. })));
/// let Some(Event::Notify(n)) = server.poll_event() else { panic!() };
/// assert_eq!(n.state, PresenceState::Offline);
/// ```
#[derive(Debug)]
pub struct Server {
    config: Config,
    clock: Clock,
    rng: StdRng,
    nodes: Vec<Option<Node>>,
    free_nodes: Vec<u32>,
    index: HashMap<PrincipalId, u32>,
    subs: HashMap<SubscriptionId, Sub>,
    /// Callbacks that are not the subscriber's own URL (login subscriptions).
    foreign_callbacks: HashMap<SubscriptionId, CallbackUrl>,
    timers: Timers,
    leased_views: usize,
    hosted_count: usize,
    next_view: u32,
    events: VecDeque<Event>,
}

/// An entry of the principal table: a hosted node or a remote subscriber.
#[derive(Debug)]
struct Node {
    id: PrincipalId,
    /// Subscriptions this principal holds as subscriber.
    held: u32,
    hosted: Option<Box<Hosted>>,
}

#[derive(Debug)]
struct Hosted {
    acl: Acl,
    base: PresenceState,
    views: Vec<View>,
    published: PresenceState,
    /// update/propchange subscriptions on this node (the fan-out list).
    watchers: Vec<SubscriptionId>,
    /// pragma/notify subscriptions on this node (where its NOTIFYs go).
    listeners: Vec<SubscriptionId>,
}

#[derive(Debug)]
struct View {
    id: ViewId,
    value: PresenceState,
    default: PresenceState,
    expires: u64,
    origin: Option<Origin>,
}

/// A subscription, kept compact (two million of them in the bench).
#[derive(Debug)]
struct Sub {
    target: u32,
    subscriber: u32,
    /// Folded [`Origin`]; 0 = unknown.
    origin: u32,
    expires: u64,
    /// The callback is the subscriber's own URL (the usual case for contact
    /// subscriptions); otherwise it is in `Server::foreign_callbacks`.
    own_callback: bool,
    kind: NotificationType,
    credential: CredentialKind,
}

/// Counters for monitoring and tests.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct Stats {
    /// Hosted principals.
    pub principals: usize,
    /// Live subscriptions.
    pub subscriptions: usize,
    /// Live views with a lease.
    pub views: usize,
    /// Entries in the deadline index (live plus not yet discarded stale ones).
    pub timer_entries: usize,
    /// Events not yet drained.
    pub pending_events: usize,
}

/// How much of a node's state a watcher may see.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Seen {
    /// The owner: everything, `invisible` included.
    Owner,
    /// Granted `presence`: the state, `invisible` as `offline`.
    Watcher,
    /// Denied `presence`: always `offline`.
    Blocked,
}

static OFFLINE: PresenceState = PresenceState::Offline;

impl Seen {
    /// The state shown, borrowed (no clone on the fan-out path).
    fn shown(self, state: &PresenceState) -> &PresenceState {
        match (self, state) {
            (Self::Owner, s) => s,
            (Self::Watcher, PresenceState::Invisible) | (Self::Blocked, _) => &OFFLINE,
            (Self::Watcher, s) => s,
        }
    }

    fn apply(self, state: &PresenceState) -> PresenceState {
        self.shown(state).clone()
    }

    /// Whether `self` seeing `a` and `other` seeing `b` show the same state.
    fn sees_same(self, a: &PresenceState, other: Seen, b: &PresenceState) -> bool {
        self.shown(a) == other.shown(b)
    }
}

/// Folds an origin into 32 bits for the compact record; 0 means unknown.
/// Two origins that fold alike count as one family, which can only make the
/// renewal-family rule more generous.
fn fold_origin(o: Option<Origin>) -> u32 {
    match o {
        None => 0,
        Some(Origin(v)) => match (v ^ (v >> 32)) as u32 {
            0 => 0x9e37_79b9,
            f => f,
        },
    }
}

impl Server {
    /// A server whose clock starts at `now`.
    pub fn new(config: Config, now: Instant) -> Self {
        let rng = match config.rng_seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::from_os_rng(),
        };
        Self {
            config,
            clock: Clock::new(now),
            rng,
            nodes: Vec::new(),
            free_nodes: Vec::new(),
            index: HashMap::new(),
            subs: HashMap::new(),
            foreign_callbacks: HashMap::new(),
            timers: Timers::default(),
            leased_views: 0,
            hosted_count: 0,
            next_view: 0,
            events: VecDeque::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Hosts `principal` here with [`Acl::default_for`] and state `offline`.
    /// Any node can be hosted this way: a user, or a group sink such as
    /// `http://im.example.com/groups/rec-cycling` (§6.1.3). A server with
    /// another default replaces the ACL with [`set_acl`](Self::set_acl) as
    /// the owner. Returns `false` if it was already hosted.
    pub fn register(&mut self, now: Instant, principal: PrincipalId) -> bool {
        self.handle_timeout(now);
        let idx = self.intern(&principal);
        let node = self.node_mut(idx);
        if node.hosted.is_some() {
            return false;
        }
        node.hosted = Some(Box::new(Hosted {
            acl: Acl::default_for(&principal),
            base: PresenceState::Offline,
            views: Vec::new(),
            published: PresenceState::Offline,
            watchers: Vec::new(),
            listeners: Vec::new(),
        }));
        self.hosted_count += 1;
        true
    }

    /// Whether `principal` is hosted here.
    pub fn is_hosted(&self, principal: &PrincipalId) -> bool {
        self.hosted_idx(principal).is_some()
    }

    /// The published state of a hosted principal, unfiltered (as its owner
    /// sees it).
    pub fn published(&self, principal: &PrincipalId) -> Option<&PresenceState> {
        let idx = self.hosted_idx(principal)?;
        Some(&self.hosted(idx).published)
    }

    /// The state `requester` may see on `principal` (PROPFIND of `state`):
    /// requires `read`; `offline` unless `presence` is granted.
    pub fn presence_for(
        &mut self,
        now: Instant,
        requester: &Requester,
        principal: &PrincipalId,
    ) -> Result<PresenceState, AccessError> {
        self.handle_timeout(now);
        let idx = self.check(requester, principal, Rights::READ)?;
        let h = self.hosted(idx);
        Ok(self.visible(
            idx,
            &requester.principal,
            requester.credential,
            &h.acl,
            &h.published,
        ))
    }

    /// The live views of a principal: id, value, lease end.
    pub fn views(&self, principal: &PrincipalId) -> Vec<(ViewId, PresenceState, Instant)> {
        let Some(idx) = self.hosted_idx(principal) else {
            return Vec::new();
        };
        self.hosted(idx)
            .views
            .iter()
            .map(|v| (v.id, v.value.clone(), self.clock.instant(v.expires)))
            .collect()
    }

    /// Whether `requester` holds every right in `rights` on `principal`.
    pub fn may(
        &self,
        requester: &Requester,
        principal: &PrincipalId,
        rights: Rights,
    ) -> Result<bool, AccessError> {
        let idx = self
            .hosted_idx(principal)
            .ok_or_else(|| unknown(principal))?;
        Ok(self.allowed(idx, requester, rights))
    }

    /// May `requester` see `principal`'s presence? (`presence`)
    pub fn may_see_presence(
        &self,
        requester: &Requester,
        principal: &PrincipalId,
    ) -> Result<bool, AccessError> {
        self.may(requester, principal, Rights::PRESENCE)
    }

    /// May `requester` send instant messages to `principal`? (`send-to`)
    pub fn may_send_to(
        &self,
        requester: &Requester,
        principal: &PrincipalId,
    ) -> Result<bool, AccessError> {
        self.may(requester, principal, Rights::SEND_TO)
    }

    /// May `requester` list `principal`'s watchers? (`subscriptions`)
    pub fn may_list_watchers(
        &self,
        requester: &Requester,
        principal: &PrincipalId,
    ) -> Result<bool, AccessError> {
        self.may(requester, principal, Rights::SUBSCRIPTIONS)
    }

    /// May `requester` subscribe to `principal` with `callback`? A callback
    /// equal to the requester's own URL is always acceptable; any other needs
    /// `subscribe-others`.
    pub fn may_subscribe_with(
        &self,
        requester: &Requester,
        principal: &PrincipalId,
        callback: &CallbackUrl,
    ) -> Result<bool, AccessError> {
        if callback.as_str() == requester.principal.as_str() {
            return self.may(requester, principal, Rights::NONE);
        }
        self.may(requester, principal, Rights::SUBSCRIBE_OTHERS)
    }

    /// The ACL of `principal` (ACL read; requires `readacl`).
    pub fn acl(&self, requester: &Requester, principal: &PrincipalId) -> Result<&Acl, AccessError> {
        let idx = self.check(requester, principal, Rights::READ_ACL)?;
        Ok(&self.hosted(idx).acl)
    }

    /// Replaces the ACL of `principal` (requires `writeacl`). Watchers whose
    /// visible state changes because of the new ACL are notified.
    pub fn set_acl(
        &mut self,
        now: Instant,
        requester: &Requester,
        principal: &PrincipalId,
        acl: Acl,
    ) -> Result<(), SetAclError> {
        self.handle_timeout(now);
        let idx = self.acl_write_checked(requester, principal, &acl)?;
        let old = std::mem::replace(&mut self.hosted_mut(idx).acl, acl);
        let published = self.hosted(idx).published.clone();
        self.fan_out(idx, Some(&old), &published, &published);
        Ok(())
    }

    /// Whether [`set_acl`](Self::set_acl) would accept `acl` from
    /// `requester` (the node is hosted, `writeacl` is held, the ACL is valid
    /// and within the limits), without changing anything. A server that
    /// persists ACLs checks with this, saves, and only then applies, so a
    /// failed save leaves the old ACL in force.
    pub fn check_set_acl(
        &self,
        requester: &Requester,
        principal: &PrincipalId,
        acl: &Acl,
    ) -> Result<(), SetAclError> {
        self.acl_write_checked(requester, principal, acl)
            .map(|_| ())
    }

    fn acl_write_checked(
        &self,
        requester: &Requester,
        principal: &PrincipalId,
        acl: &Acl,
    ) -> Result<u32, SetAclError> {
        let idx = self.check(requester, principal, Rights::WRITE_ACL)?;
        acl.validate()?;
        if acl.aces().len() > self.config.limits.max_aces {
            return Err(crate::InvalidAcl::TooManyAces {
                count: acl.aces().len(),
                max: self.config.limits.max_aces,
            }
            .into());
        }
        Ok(idx)
    }

    /// PROPPATCH of `state` on `principal` (requires `write`). See the type
    /// docs for views and aggregation. Notifies watchers if what they see
    /// changes.
    pub fn set_state(
        &mut self,
        now: Instant,
        requester: &Requester,
        principal: &PrincipalId,
        update: StateUpdate,
    ) -> Result<StateOutcome, SetStateError> {
        self.handle_timeout(now);
        let idx = self.check(requester, principal, Rights::WRITE)?;
        let t = self.clock.ticks(now);
        let StateUpdate {
            value,
            lease,
            view,
            origin,
        } = update;
        let old = self.hosted(idx).published.clone();
        let find = |h: &Hosted| -> Option<usize> {
            match (view, origin) {
                (Some(v), _) => h.views.iter().position(|x| x.id == v),
                (None, Some(o)) => h.views.iter().position(|x| x.origin == Some(o)),
                (None, None) => None,
            }
        };
        let (lease, default) = match lease {
            None if value == PresenceState::Offline => {
                let h = self.hosted_mut(idx);
                let removed = if view.is_some() || origin.is_some() {
                    match find(h) {
                        Some(i) => {
                            h.views.swap_remove(i);
                            1
                        }
                        None => 0,
                    }
                } else {
                    h.base = PresenceState::Offline;
                    std::mem::take(&mut h.views).len()
                };
                self.leased_views -= removed;
                let changed = self.republish(idx, &old);
                self.timers.clean(&self.subs, &self.nodes);
                return Ok(StateOutcome {
                    view: None,
                    view_created: false,
                    lease: None,
                    published: self.hosted(idx).published.clone(),
                    changed,
                });
            }
            None => (None, PresenceState::Offline),
            Some(l) => (l.timeout, l.default),
        };
        let grant = self
            .config
            .lease
            .decide(lease)
            .map_err(SetStateError::Lease)?;
        let expires = t.saturating_add(Clock::ms(grant.duration));
        let max_views = self.config.limits.max_views_per_principal.max(1);
        let h = self.hosted_mut(idx);
        let (pos, created) = match find(h) {
            Some(i) => (i, false),
            None => {
                if h.views.len() >= max_views {
                    // Evict the view whose lease ends first.
                    if let Some(i) = (0..h.views.len()).min_by_key(|&i| h.views[i].expires) {
                        h.views.swap_remove(i);
                        self.leased_views -= 1;
                    }
                }
                self.next_view = if self.next_view >= timers::MAX_VIEW_ID {
                    1
                } else {
                    self.next_view + 1
                };
                let id = ViewId::new(self.next_view);
                let h = self.hosted_mut(idx);
                h.views.push(View {
                    id,
                    value: PresenceState::Offline,
                    default: PresenceState::Offline,
                    expires,
                    origin,
                });
                self.leased_views += 1;
                (self.hosted(idx).views.len() - 1, true)
            }
        };
        let h = self.hosted_mut(idx);
        let v = &mut h.views[pos];
        v.value = value.clone();
        v.default = default;
        v.expires = expires;
        if origin.is_some() {
            v.origin = origin;
        }
        let id = v.id;
        if value.replicates_to_all_views() {
            for other in &mut h.views {
                other.value = value.clone();
            }
        }
        self.timers.push(expires, Timer::View(idx, id));
        let changed = self.republish(idx, &old);
        self.timers.clean(&self.subs, &self.nodes);
        Ok(StateOutcome {
            view: Some(id),
            view_created: created,
            lease: Some(grant),
            published: self.hosted(idx).published.clone(),
            changed,
        })
    }

    /// The next deadline (a lease or subscription expiry), in O(1).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.peek().map(|t| self.clock.instant(t))
    }

    /// Handles every deadline due at `now` (and nothing later): expires
    /// leases and views (notifying watchers) and subscriptions.
    pub fn handle_timeout(&mut self, now: Instant) {
        let t = self.clock.ticks(now);
        while let Some((due, timer)) = self.timers.pop_due(t) {
            match timer {
                Timer::Sub(id) => {
                    if self.subs.get(&id).is_some_and(|s| s.expires == due) {
                        self.expire_sub(id);
                    }
                }
                Timer::View(idx, view) => self.expire_view(idx, view, due),
            }
        }
        self.timers.clean(&self.subs, &self.nodes);
        self.timers
            .maybe_compact(self.subs.len() + self.leased_views, &self.subs, &self.nodes);
    }

    /// The next output, if any.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Counters, in O(1).
    pub fn stats(&self) -> Stats {
        Stats {
            principals: self
                .nodes
                .iter()
                .flatten()
                .filter(|n| n.hosted.is_some())
                .count(),
            subscriptions: self.subs.len(),
            views: self.leased_views,
            timer_entries: self.timers.len(),
            pending_events: self.events.len(),
        }
    }

    // ---- internals ----

    fn expire_view(&mut self, idx: u32, view: ViewId, due: u64) {
        let Some(node) = self.nodes.get_mut(idx as usize).and_then(Option::as_mut) else {
            return;
        };
        let principal = node.id.clone();
        let Some(h) = node.hosted.as_mut() else {
            return;
        };
        let Some(i) = h
            .views
            .iter()
            .position(|v| v.id == view && v.expires == due)
        else {
            return;
        };
        let old = h.published.clone();
        let v = h.views.swap_remove(i);
        if v.default != PresenceState::Offline {
            h.base = v.default;
        }
        self.leased_views -= 1;
        self.events
            .push_back(Event::ViewExpired { principal, view });
        self.republish(idx, &old);
    }

    /// Recomputes the published state; notifies on change. Returns whether it changed.
    fn republish(&mut self, idx: u32, old: &PresenceState) -> bool {
        let h = self.hosted_mut(idx);
        let mut best = &h.base;
        for v in &h.views {
            if v.value.availability() > best.availability() {
                best = &v.value;
            }
        }
        let new = best.clone();
        if &new == old {
            return false;
        }
        h.published = new.clone();
        self.fan_out(idx, None, old, &new);
        true
    }

    /// Notifies update/propchange watchers whose visible state changed from
    /// (`old_acl`, `old`) to (current ACL, `new`).
    fn fan_out(
        &mut self,
        idx: u32,
        old_acl: Option<&Acl>,
        old: &PresenceState,
        new: &PresenceState,
    ) {
        let mut out = std::mem::take(&mut self.events);
        let h = self.hosted(idx);
        let principal = &self.node(idx).id;
        for id in &h.watchers {
            let Some(s) = self.subs.get(id) else { continue };
            let watcher = &self.node(s.subscriber).id;
            let is_owner = s.subscriber == idx;
            let now_seen = self.access_fast(is_owner, watcher, s.credential, &h.acl);
            let was_seen = match old_acl {
                Some(acl) => self.access_fast(is_owner, watcher, s.credential, acl),
                None => now_seen,
            };
            if was_seen.sees_same(old, now_seen, new) {
                continue;
            }
            out.push_back(Event::Notify(StateNotification {
                subscription: *id,
                callback: self.callback(*id, s),
                watcher: watcher.clone(),
                principal: principal.clone(),
                state: now_seen.apply(new),
                notification_type: NotificationType::UpdatePropchange,
            }));
        }
        self.events = out;
    }

    /// What `watcher` may see of `state` on node `idx` under `acl`.
    fn visible(
        &self,
        idx: u32,
        watcher: &PrincipalId,
        credential: CredentialKind,
        acl: &Acl,
        state: &PresenceState,
    ) -> PresenceState {
        self.access(idx, watcher, credential, acl).apply(state)
    }

    /// How much of node `idx`'s state `watcher` may see under `acl`.
    fn access(
        &self,
        idx: u32,
        watcher: &PrincipalId,
        credential: CredentialKind,
        acl: &Acl,
    ) -> Seen {
        let owner = &self.node(idx).id;
        let owner_creds = self.config.owner_credentials;
        if watcher == owner && owner_creds.accepts(credential) {
            Seen::Owner
        } else if acl.allows_parts(owner, watcher, credential, Rights::PRESENCE, owner_creds) {
            Seen::Watcher
        } else {
            Seen::Blocked
        }
    }

    /// [`access`](Self::access) when the caller already knows whether the
    /// watcher is the owner (node indices are unique per principal).
    fn access_fast(
        &self,
        is_owner: bool,
        watcher: &PrincipalId,
        credential: CredentialKind,
        acl: &Acl,
    ) -> Seen {
        if is_owner && self.config.owner_credentials.accepts(credential) {
            Seen::Owner
        } else if acl.aces_allow(watcher, credential, Rights::PRESENCE) {
            Seen::Watcher
        } else {
            Seen::Blocked
        }
    }

    /// A subscription's callback URL.
    fn callback(&self, id: SubscriptionId, s: &Sub) -> CallbackUrl {
        match (s.own_callback, self.foreign_callbacks.get(&id)) {
            (false, Some(cb)) => cb.clone(),
            _ => CallbackUrl::from(&self.node(s.subscriber).id),
        }
    }

    fn allowed(&self, idx: u32, requester: &Requester, rights: Rights) -> bool {
        let owner = &self.node(idx).id;
        self.hosted(idx)
            .acl
            .allows(owner, requester, rights, self.config.owner_credentials)
    }

    /// Looks up a hosted node and checks `rights`.
    fn check(
        &self,
        requester: &Requester,
        principal: &PrincipalId,
        rights: Rights,
    ) -> Result<u32, AccessError> {
        let idx = self
            .hosted_idx(principal)
            .ok_or_else(|| unknown(principal))?;
        if !rights.is_empty() && !self.allowed(idx, requester, rights) {
            return Err(AccessError::Denied {
                principal: principal.clone(),
                requester: requester.principal.clone(),
                right: rights,
            });
        }
        Ok(idx)
    }

    fn hosted_idx(&self, principal: &PrincipalId) -> Option<u32> {
        let idx = *self.index.get(principal)?;
        self.node(idx).hosted.is_some().then_some(idx)
    }

    fn intern(&mut self, principal: &PrincipalId) -> u32 {
        if let Some(&idx) = self.index.get(principal) {
            return idx;
        }
        let node = Node {
            id: principal.clone(),
            held: 0,
            hosted: None,
        };
        let idx = match self.free_nodes.pop() {
            Some(i) => {
                self.nodes[i as usize] = Some(node);
                i
            }
            None => {
                self.nodes.push(Some(node));
                u32::try_from(self.nodes.len() - 1).unwrap_or(u32::MAX)
            }
        };
        self.index.insert(principal.clone(), idx);
        idx
    }

    /// Drops a node that is neither hosted nor holds subscriptions.
    fn release(&mut self, idx: u32) {
        let Some(slot) = self.nodes.get_mut(idx as usize) else {
            return;
        };
        if slot
            .as_ref()
            .is_some_and(|n| n.held == 0 && n.hosted.is_none())
            && let Some(n) = slot.take()
        {
            self.index.remove(&n.id);
            self.free_nodes.push(idx);
        }
    }

    // Indices stored in the core always point at live nodes: a node is only
    // released when nothing refers to it. A dangling index is a bug.
    fn node(&self, idx: u32) -> &Node {
        match self.nodes.get(idx as usize) {
            Some(Some(n)) => n,
            _ => unreachable!("dangling node index {idx}"),
        }
    }

    fn node_mut(&mut self, idx: u32) -> &mut Node {
        match self.nodes.get_mut(idx as usize) {
            Some(Some(n)) => n,
            _ => unreachable!("dangling node index {idx}"),
        }
    }

    fn hosted(&self, idx: u32) -> &Hosted {
        match &self.node(idx).hosted {
            Some(h) => h,
            None => unreachable!("node {idx} is not hosted"),
        }
    }

    fn hosted_mut(&mut self, idx: u32) -> &mut Hosted {
        match &mut self.node_mut(idx).hosted {
            Some(h) => h,
            None => unreachable!("node {idx} is not hosted"),
        }
    }
}

fn unknown(principal: &PrincipalId) -> AccessError {
    AccessError::UnknownPrincipal {
        principal: principal.clone(),
    }
}

/// Duration between two ticks, for listings.
fn ticks_to_duration(ticks: u64) -> Duration {
    Duration::from_millis(ticks)
}

#[cfg(test)]
mod tests;
