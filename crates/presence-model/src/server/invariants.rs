//! Self-checks of the core's bookkeeping, for tests and fuzzing.
//!
//! The core keeps several redundant records for speed: the principal index
//! beside the node table, per-node watcher and listener lists beside the
//! subscription table, per-subscriber counts, a view counter and a deadline
//! heap. [`Server::check_invariants`] verifies that they agree with each
//! other and with the configured limits; [`Server::check_deadlines`] that a
//! timeout pass left nothing overdue. Both walk every record (O(n log n)):
//! they are meant for tests, fuzz targets and debugging, not for a request
//! path.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use super::timers::{Clock, Timer};
use super::{Server, ticks_to_duration};
use crate::{NotificationType, PresenceState, PrincipalId, SubscriptionId, ViewId};

/// A broken invariant of the presence core: a bug in `presence-model`
/// (or memory corruption), never a consequence of peer input.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvariantViolation {
    /// The principal index names a slot that is empty or holds another
    /// principal.
    #[error("the index entry of {principal} points at slot {slot}, which does not hold it")]
    DanglingIndex {
        /// The principal looked up.
        principal: PrincipalId,
        /// The slot the index names.
        slot: u32,
    },
    /// A live node is missing from the principal index.
    #[error("node {principal} in slot {slot} is not indexed")]
    UnindexedNode {
        /// The node's principal.
        principal: PrincipalId,
        /// Its slot.
        slot: u32,
    },
    /// The free list and the empty slots disagree (a slot free but
    /// occupied, listed twice, or empty but not listed).
    #[error("slot {slot} is wrongly recorded in the free list")]
    FreeList {
        /// The slot.
        slot: u32,
    },
    /// A node that is neither hosted nor holds a subscription was kept.
    #[error("node {principal} is neither hosted nor holds a subscription")]
    UnreleasedNode {
        /// The node's principal.
        principal: PrincipalId,
    },
    /// A node's count of subscriptions it holds is wrong.
    #[error("{principal} is recorded holding {recorded} subscriptions but holds {actual}")]
    HeldCount {
        /// The subscriber.
        principal: PrincipalId,
        /// The stored count.
        recorded: u32,
        /// The subscriptions found.
        actual: usize,
    },
    /// The count of hosted principals is wrong.
    #[error("{recorded} hosted principals recorded, {actual} found")]
    HostedCount {
        /// The stored count.
        recorded: usize,
        /// The hosted nodes found.
        actual: usize,
    },
    /// A subscription's target or subscriber slot is not a live node, or
    /// its target is not hosted.
    #[error("subscription {id} refers to a node that is not there")]
    DanglingSubscription {
        /// The subscription.
        id: SubscriptionId,
    },
    /// A subscription is not listed exactly once on its target's watcher
    /// (update/propchange) or listener (pragma/notify) list.
    #[error("subscription {id} is listed {count} times on its target (once expected)")]
    Listing {
        /// The subscription.
        id: SubscriptionId,
        /// How often it is listed.
        count: usize,
    },
    /// A node's watcher or listener list names something that is not a live
    /// subscription of that kind on that node.
    #[error("{principal} lists {id}, which is not one of its {kind:?} subscriptions")]
    StaleListing {
        /// The node.
        principal: PrincipalId,
        /// The listed id.
        id: SubscriptionId,
        /// The list it is on.
        kind: NotificationType,
    },
    /// A subscription's callback record is inconsistent: an own-URL
    /// callback with a stored foreign callback, or the reverse, or a stored
    /// callback without a subscription.
    #[error("the callback record of subscription {id} is inconsistent")]
    CallbackRecord {
        /// The subscription.
        id: SubscriptionId,
    },
    /// The count of leased views is wrong.
    #[error("{recorded} leased views recorded, {actual} found")]
    ViewCount {
        /// The stored count.
        recorded: usize,
        /// The views found.
        actual: usize,
    },
    /// Two views of a principal share an id, or a view id is out of range.
    #[error("{principal} has a duplicate or out-of-range view {view}")]
    BadViewId {
        /// The principal.
        principal: PrincipalId,
        /// The view.
        view: ViewId,
    },
    /// The published state is not the aggregate of the base state and the
    /// views.
    #[error("{principal} publishes {published} but its views aggregate to {expected}")]
    PublishedState {
        /// The principal.
        principal: PrincipalId,
        /// What is published.
        published: PresenceState,
        /// What the aggregation rule gives.
        expected: PresenceState,
    },
    /// A live subscription has no deadline in the timer index: it would
    /// never expire.
    #[error("subscription {id} has no deadline scheduled")]
    UnscheduledSubscription {
        /// The subscription.
        id: SubscriptionId,
    },
    /// A live view has no deadline in the timer index: its lease would
    /// never run out.
    #[error("view {view} of {principal} has no deadline scheduled")]
    UnscheduledView {
        /// The principal.
        principal: PrincipalId,
        /// The view.
        view: ViewId,
    },
    /// The earliest entry of the timer index is stale, so `poll_timeout`
    /// names a deadline that is no longer live.
    #[error("the earliest deadline in the timer index is stale")]
    StaleNextDeadline,
    /// A configured limit is exceeded.
    #[error("limit {limit} exceeded{}: {count} > {max}", subject.as_ref().map(|s| format!(" by {s}")).unwrap_or_default())]
    LimitExceeded {
        /// The limit's name (the field of [`Limits`](crate::Limits)).
        limit: &'static str,
        /// The principal concerned, for a per-principal limit.
        subject: Option<PrincipalId>,
        /// The count found.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A subscription outlived its deadline: a timeout pass at `now` should
    /// have ended it.
    #[error("subscription {id} is {overdue:?} past its deadline")]
    OverdueSubscription {
        /// The subscription.
        id: SubscriptionId,
        /// How long past.
        overdue: Duration,
    },
    /// A view outlived its lease.
    #[error("view {view} of {principal} is {overdue:?} past its lease")]
    OverdueView {
        /// The principal.
        principal: PrincipalId,
        /// The view.
        view: ViewId,
        /// How long past.
        overdue: Duration,
    },
    /// A deadline lies further ahead than any lifetime or lease the policy
    /// grants.
    #[error("a deadline of {what} is {remaining:?} ahead, beyond the policy's {max:?}")]
    DeadlineTooFar {
        /// `"subscription"` or `"view"`.
        what: &'static str,
        /// Time left.
        remaining: Duration,
        /// The longest the policy grants.
        max: Duration,
    },
}

impl Server {
    /// Checks that the core's records agree with each other and with the
    /// configured limits: the principal index and node table, subscriber
    /// counts, every subscription listed once on its target and scheduled
    /// in the timer index, callback records, view counts and ids, the
    /// published state of every principal (the aggregation rule), ACL and
    /// view limits, and that the next deadline is a live one.
    ///
    /// Costs a walk over everything the core holds; for tests and fuzzing.
    ///
    /// ```
    /// use std::time::Instant;
    /// use presence_model::{Config, PrincipalId, Server};
    /// let t0 = Instant::now();
    /// let mut server = Server::new(Config::default(), t0);
    /// server.register(t0, PrincipalId::from("http://example.com/instmsg/aliases/alice"));
    /// assert_eq!(server.check_invariants(), Ok(()));
    /// ```
    ///
    /// # Errors
    /// The first [`InvariantViolation`] found.
    pub fn check_invariants(&self) -> Result<(), InvariantViolation> {
        self.check_nodes()?;
        self.check_subscriptions()?;
        self.check_views()?;
        self.check_timers()
    }

    /// Checks that nothing is overdue at `now`: after
    /// [`handle_timeout(now)`](Self::handle_timeout) (or any input at
    /// `now`), every live subscription and view ends after `now`, and none
    /// ends later than the policy's longest grant from `now`.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use presence_model::{Config, PrincipalId, Server};
    /// let t0 = Instant::now();
    /// let server = Server::new(Config::default(), t0);
    /// assert_eq!(server.check_deadlines(t0 + Duration::from_secs(60)), Ok(()));
    /// ```
    ///
    /// # Errors
    /// The first [`InvariantViolation`] found.
    pub fn check_deadlines(&self, now: Instant) -> Result<(), InvariantViolation> {
        let t = self.clock.ticks(now);
        let longest = |p: &crate::TimeoutPolicy| Clock::ms(p.max.max(p.min).max(p.default));
        let sub_max = longest(&self.config.subscription);
        let lease_max = longest(&self.config.lease);
        let mut subs: Vec<_> = self.subs.iter().collect();
        subs.sort_by_key(|(id, _)| **id);
        for (&id, s) in subs {
            if s.expires <= t {
                return Err(InvariantViolation::OverdueSubscription {
                    id,
                    overdue: ticks_to_duration(t - s.expires),
                });
            }
            if s.expires - t > sub_max {
                return Err(InvariantViolation::DeadlineTooFar {
                    what: "subscription",
                    remaining: ticks_to_duration(s.expires - t),
                    max: ticks_to_duration(sub_max),
                });
            }
        }
        for node in self.nodes.iter().flatten() {
            let Some(h) = &node.hosted else { continue };
            for v in &h.views {
                if v.expires <= t {
                    return Err(InvariantViolation::OverdueView {
                        principal: node.id.clone(),
                        view: v.id,
                        overdue: ticks_to_duration(t - v.expires),
                    });
                }
                if v.expires - t > lease_max {
                    return Err(InvariantViolation::DeadlineTooFar {
                        what: "view",
                        remaining: ticks_to_duration(v.expires - t),
                        max: ticks_to_duration(lease_max),
                    });
                }
            }
        }
        Ok(())
    }

    /// The pragma/notify subscriptions on a hosted principal's node (where
    /// NOTIFYs sent to it go: its logins), ordered by id. Empty when the
    /// principal is not hosted.
    pub fn listeners(&self, principal: &PrincipalId) -> Vec<SubscriptionId> {
        let Some(idx) = self.hosted_idx(principal) else {
            return Vec::new();
        };
        let mut v = self.hosted(idx).listeners.clone();
        v.sort_unstable();
        v
    }

    fn check_nodes(&self) -> Result<(), InvariantViolation> {
        for (principal, &slot) in &self.index {
            match self.nodes.get(slot as usize) {
                Some(Some(n)) if &n.id == principal => {}
                _ => {
                    return Err(InvariantViolation::DanglingIndex {
                        principal: principal.clone(),
                        slot,
                    });
                }
            }
        }
        let mut free = HashSet::new();
        for &slot in &self.free_nodes {
            let empty = matches!(self.nodes.get(slot as usize), Some(None));
            if !empty || !free.insert(slot) {
                return Err(InvariantViolation::FreeList { slot });
            }
        }
        let mut held: HashMap<u32, usize> = HashMap::new();
        for s in self.subs.values() {
            *held.entry(s.subscriber).or_default() += 1;
        }
        let mut hosted = 0;
        for (slot, node) in self.nodes.iter().enumerate() {
            let slot = u32::try_from(slot).unwrap_or(u32::MAX);
            let Some(node) = node else {
                if !free.contains(&slot) {
                    return Err(InvariantViolation::FreeList { slot });
                }
                continue;
            };
            if self.index.get(&node.id) != Some(&slot) {
                return Err(InvariantViolation::UnindexedNode {
                    principal: node.id.clone(),
                    slot,
                });
            }
            let actual = held.get(&slot).copied().unwrap_or(0);
            if node.held as usize != actual {
                return Err(InvariantViolation::HeldCount {
                    principal: node.id.clone(),
                    recorded: node.held,
                    actual,
                });
            }
            let max_held = self.config.limits.max_subscriptions_per_subscriber;
            if actual > max_held {
                return Err(InvariantViolation::LimitExceeded {
                    limit: "max_subscriptions_per_subscriber",
                    subject: Some(node.id.clone()),
                    count: actual,
                    max: max_held,
                });
            }
            match &node.hosted {
                Some(h) => {
                    hosted += 1;
                    let aces = h.acl.aces().len();
                    if aces > self.config.limits.max_aces {
                        return Err(InvariantViolation::LimitExceeded {
                            limit: "max_aces",
                            subject: Some(node.id.clone()),
                            count: aces,
                            max: self.config.limits.max_aces,
                        });
                    }
                }
                None if actual == 0 => {
                    return Err(InvariantViolation::UnreleasedNode {
                        principal: node.id.clone(),
                    });
                }
                None => {}
            }
        }
        if hosted != self.hosted_count {
            return Err(InvariantViolation::HostedCount {
                recorded: self.hosted_count,
                actual: hosted,
            });
        }
        Ok(())
    }

    fn check_subscriptions(&self) -> Result<(), InvariantViolation> {
        let limits = self.config.limits;
        if self.subs.len() > limits.max_subscriptions {
            return Err(InvariantViolation::LimitExceeded {
                limit: "max_subscriptions",
                subject: None,
                count: self.subs.len(),
                max: limits.max_subscriptions,
            });
        }
        let mut ids: Vec<_> = self.subs.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            let Some(s) = self.subs.get(&id) else {
                continue;
            };
            let target = match self.nodes.get(s.target as usize) {
                Some(Some(n)) => n.hosted.as_ref(),
                _ => None,
            };
            let subscriber_live = matches!(self.nodes.get(s.subscriber as usize), Some(Some(_)));
            let Some(h) = target.filter(|_| subscriber_live) else {
                return Err(InvariantViolation::DanglingSubscription { id });
            };
            let list = match s.kind {
                NotificationType::PragmaNotify => &h.listeners,
                NotificationType::UpdatePropchange => &h.watchers,
            };
            let count = list.iter().filter(|x| **x == id).count();
            if count != 1 {
                return Err(InvariantViolation::Listing { id, count });
            }
            if s.own_callback == self.foreign_callbacks.contains_key(&id) {
                return Err(InvariantViolation::CallbackRecord { id });
            }
        }
        if let Some(id) = self
            .foreign_callbacks
            .keys()
            .find(|id| !self.subs.contains_key(id))
        {
            return Err(InvariantViolation::CallbackRecord { id: *id });
        }
        for (slot, node) in self.nodes.iter().enumerate() {
            let Some((node, h)) = node.as_ref().and_then(|n| Some((n, n.hosted.as_ref()?))) else {
                continue;
            };
            let slot = u32::try_from(slot).unwrap_or(u32::MAX);
            for (kind, list) in [
                (NotificationType::UpdatePropchange, &h.watchers),
                (NotificationType::PragmaNotify, &h.listeners),
            ] {
                for id in list {
                    let ok = self
                        .subs
                        .get(id)
                        .is_some_and(|s| s.target == slot && s.kind == kind);
                    if !ok {
                        return Err(InvariantViolation::StaleListing {
                            principal: node.id.clone(),
                            id: *id,
                            kind,
                        });
                    }
                }
            }
            let on_node = h.watchers.len() + h.listeners.len();
            if on_node > limits.max_watchers_per_principal {
                return Err(InvariantViolation::LimitExceeded {
                    limit: "max_watchers_per_principal",
                    subject: Some(node.id.clone()),
                    count: on_node,
                    max: limits.max_watchers_per_principal,
                });
            }
        }
        Ok(())
    }

    fn check_views(&self) -> Result<(), InvariantViolation> {
        let max_views = self.config.limits.max_views_per_principal.max(1);
        let mut total = 0;
        for node in self.nodes.iter().flatten() {
            let Some(h) = &node.hosted else { continue };
            total += h.views.len();
            if h.views.len() > max_views {
                return Err(InvariantViolation::LimitExceeded {
                    limit: "max_views_per_principal",
                    subject: Some(node.id.clone()),
                    count: h.views.len(),
                    max: max_views,
                });
            }
            let mut seen = HashSet::new();
            for v in &h.views {
                let id = v.id.get();
                if id == 0 || id > super::timers::MAX_VIEW_ID || !seen.insert(id) {
                    return Err(InvariantViolation::BadViewId {
                        principal: node.id.clone(),
                        view: v.id,
                    });
                }
            }
            let mut expected = &h.base;
            for v in &h.views {
                if v.value.availability() > expected.availability() {
                    expected = &v.value;
                }
            }
            if expected != &h.published {
                return Err(InvariantViolation::PublishedState {
                    principal: node.id.clone(),
                    published: h.published.clone(),
                    expected: expected.clone(),
                });
            }
        }
        if total != self.leased_views {
            return Err(InvariantViolation::ViewCount {
                recorded: self.leased_views,
                actual: total,
            });
        }
        Ok(())
    }

    fn check_timers(&self) -> Result<(), InvariantViolation> {
        let scheduled: HashSet<(u64, Timer)> = self.timers.entries().collect();
        let mut ids: Vec<_> = self.subs.iter().collect();
        ids.sort_by_key(|(id, _)| **id);
        for (&id, s) in ids {
            if !scheduled.contains(&(s.expires, Timer::Sub(id))) {
                return Err(InvariantViolation::UnscheduledSubscription { id });
            }
        }
        for (slot, node) in self.nodes.iter().enumerate() {
            let Some((node, h)) = node.as_ref().and_then(|n| Some((n, n.hosted.as_ref()?))) else {
                continue;
            };
            let slot = u32::try_from(slot).unwrap_or(u32::MAX);
            for v in &h.views {
                if !scheduled.contains(&(v.expires, Timer::View(slot, v.id))) {
                    return Err(InvariantViolation::UnscheduledView {
                        principal: node.id.clone(),
                        view: v.id,
                    });
                }
            }
        }
        if !self.timers.next_is_live(&self.subs, &self.nodes) {
            return Err(InvariantViolation::StaleNextDeadline);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::InvariantViolation as V;
    use crate::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    struct Fx {
        t0: Instant,
        srv: Server,
        alice: PrincipalId,
        bob: PrincipalId,
        watch: SubscriptionId,
        login: SubscriptionId,
    }

    fn p(s: &str) -> PrincipalId {
        PrincipalId::from(format!("http://example.com/instmsg/aliases/{s}"))
    }

    fn rq(p: &PrincipalId) -> Requester {
        Requester::new(p.clone(), CredentialKind::Digest)
    }

    /// Two principals, bob watching alice, alice logged in with a listener
    /// callback and online in one leased view; every check passing.
    fn fx() -> Fx {
        let t0 = Instant::now();
        let mut config = Config::default();
        config.rng_seed = Some(3);
        let mut srv = Server::new(config, t0);
        let (alice, bob) = (p("alice"), p("bob"));
        srv.register(t0, alice.clone());
        srv.register(t0, bob.clone());
        let sub = |kind, callback: CallbackUrl| SubscribeRequest {
            target: alice.clone(),
            notification_type: kind,
            callback,
            lifetime: Some(S(600)),
            origin: Some(Origin(7)),
        };
        let watch = srv
            .subscribe(
                t0,
                &rq(&bob),
                sub(NotificationType::UpdatePropchange, CallbackUrl::from(&bob)),
            )
            .map(|s| s.id)
            .unwrap_or_else(|e| panic!("{e}"));
        let login = srv
            .subscribe(
                t0,
                &rq(&alice),
                sub(
                    NotificationType::PragmaNotify,
                    CallbackUrl::new("http://127.0.0.1:9000"),
                ),
            )
            .map(|s| s.id)
            .unwrap_or_else(|e| panic!("{e}"));
        srv.set_state(
            t0,
            &rq(&alice),
            &alice,
            StateUpdate::leased(PresenceState::Online, PresenceState::Offline, Some(S(300))),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        while srv.poll_event().is_some() {}
        assert_eq!(srv.check_invariants(), Ok(()));
        assert_eq!(srv.check_deadlines(t0), Ok(()));
        assert_eq!(srv.listeners(&alice), vec![login]);
        assert!(srv.listeners(&bob).is_empty());
        Fx {
            t0,
            srv,
            alice,
            bob,
            watch,
            login,
        }
    }

    #[test]
    fn hold_through_renewal_expiry_and_unregistering() {
        let mut f = fx();
        let t1 = f.t0 + S(200);
        f.srv
            .renew(t1, &rq(&f.bob), f.watch, Some(S(900)))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.srv.check_invariants(), Ok(()));
        // The lease (300 s) and the login (600 s) run out; the renewed
        // watch (until 1100 s) stays.
        let t2 = f.t0 + S(700);
        f.srv.handle_timeout(t2);
        assert_eq!(f.srv.check_invariants(), Ok(()));
        assert_eq!(f.srv.check_deadlines(t2), Ok(()));
        assert!(f.srv.listeners(&f.alice).is_empty());
        assert_eq!(f.srv.stats().subscriptions, 1);
        // Dropping alice drops the watch and releases bob's record of it.
        assert_eq!(f.srv.unregister(t2, &f.alice), vec![f.watch]);
        assert_eq!(f.srv.check_invariants(), Ok(()));
        assert_eq!(f.srv.stats().subscriptions, 0);
    }

    #[test]
    fn a_missing_listing_is_found() {
        let mut f = fx();
        let idx = f.srv.index[&f.alice];
        f.srv.hosted_mut(idx).watchers.clear();
        assert_eq!(
            f.srv.check_invariants(),
            Err(V::Listing {
                id: f.watch,
                count: 0
            })
        );
    }

    #[test]
    fn a_stale_listing_is_found() {
        let mut f = fx();
        let idx = f.srv.index[&f.alice];
        let login = f.login;
        f.srv.hosted_mut(idx).watchers.push(login);
        assert!(matches!(
            f.srv.check_invariants(),
            Err(V::StaleListing { id, kind: NotificationType::UpdatePropchange, .. }) if id == login
        ));
    }

    #[test]
    fn a_wrong_held_count_is_found() {
        let mut f = fx();
        let idx = f.srv.index[&f.bob];
        f.srv.node_mut(idx).held = 5;
        assert!(matches!(
            f.srv.check_invariants(),
            Err(V::HeldCount {
                recorded: 5,
                actual: 1,
                ..
            })
        ));
    }

    #[test]
    fn a_wrong_view_count_is_found() {
        let mut f = fx();
        f.srv.leased_views += 1;
        assert_eq!(
            f.srv.check_invariants(),
            Err(V::ViewCount {
                recorded: 2,
                actual: 1
            })
        );
    }

    #[test]
    fn a_wrong_published_state_is_found() {
        let mut f = fx();
        let idx = f.srv.index[&f.alice];
        f.srv.hosted_mut(idx).published = PresenceState::Busy;
        assert!(matches!(
            f.srv.check_invariants(),
            Err(V::PublishedState {
                published: PresenceState::Busy,
                expected: PresenceState::Online,
                ..
            })
        ));
    }

    #[test]
    fn an_unscheduled_subscription_is_found() {
        let mut f = fx();
        f.srv.timers = super::super::timers::Timers::default();
        assert!(matches!(
            f.srv.check_invariants(),
            Err(V::UnscheduledSubscription { .. })
        ));
    }

    #[test]
    fn a_callback_record_mismatch_is_found() {
        let mut f = fx();
        let watch = f.watch;
        f.srv
            .foreign_callbacks
            .insert(watch, CallbackUrl::new("http://127.0.0.1:1"));
        assert_eq!(
            f.srv.check_invariants(),
            Err(V::CallbackRecord { id: watch })
        );
    }

    #[test]
    fn index_and_free_list_damage_is_found() {
        let mut f = fx();
        f.srv.free_nodes.push(0);
        assert_eq!(f.srv.check_invariants(), Err(V::FreeList { slot: 0 }));
        let mut f = fx();
        f.srv.index.insert(p("mallory"), 0);
        assert!(matches!(
            f.srv.check_invariants(),
            Err(V::DanglingIndex { slot: 0, .. })
        ));
    }

    #[test]
    fn overdue_and_too_distant_deadlines_are_found() {
        let f = fx();
        // Nothing handled the lease that ended at 300 s.
        assert!(matches!(
            f.srv.check_deadlines(f.t0 + S(301)),
            Err(V::OverdueView { overdue, .. }) if overdue == S(1)
        ));
        // A deadline a hundred hours out is beyond any grant of the policy.
        let mut f = fx();
        let id = f.watch;
        if let Some(s) = f.srv.subs.get_mut(&id) {
            s.expires += 100 * 3_600_000;
        }
        f.srv.timers.push(
            f.srv.subs[&id].expires,
            super::super::timers::Timer::Sub(id),
        );
        assert_eq!(f.srv.check_invariants(), Ok(()));
        assert!(matches!(
            f.srv.check_deadlines(f.t0),
            Err(V::DeadlineTooFar {
                what: "subscription",
                ..
            })
        ));
    }

    #[test]
    fn exceeded_limits_are_found() {
        let mut f = fx();
        f.srv.config.limits.max_watchers_per_principal = 1;
        assert!(matches!(
            f.srv.check_invariants(),
            Err(V::LimitExceeded {
                limit: "max_watchers_per_principal",
                count: 2,
                max: 1,
                ..
            })
        ));
    }
}
