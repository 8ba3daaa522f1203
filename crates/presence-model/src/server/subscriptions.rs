//! SUBSCRIBE, renewal, UNSUBSCRIBE, SUBSCRIPTIONS and NOTIFY routing.

use std::time::{Duration, Instant};

use rand::Rng;

use super::timers::{Clock, Timer};
use super::{Server, Sub, fold_origin, ticks_to_duration};
use crate::{
    AccessError, CallbackUrl, Delivery, Event, ExpiredSubscription, NotificationType, PrincipalId,
    RenewError, Renewed, Requester, Rights, SendError, SubscribeError, SubscribeRequest,
    Subscribed, SubscriptionId, UnsubscribeError, WatcherEntry,
};

impl Server {
    /// SUBSCRIBE without `Subscription-Id`: creates a subscription.
    ///
    /// Rules, in order: the target must be hosted (404); a `pragma/notify`
    /// subscription needs `receive-from`; a callback other than the
    /// requester's own URL needs `subscribe-others`; an `update/propchange`
    /// subscription needs no right (a watcher denied `presence` is accepted
    /// and sees `offline`, so blocking is not revealed); the lifetime goes
    /// through [`Config::subscription`](crate::Config::subscription)
    /// (permanent refused by default); then the limits. Duplicates are kept
    /// apart: every call creates a new id (§6.1.5).
    pub fn subscribe(
        &mut self,
        now: Instant,
        requester: &Requester,
        request: SubscribeRequest,
    ) -> Result<Subscribed, SubscribeError> {
        self.handle_timeout(now);
        let SubscribeRequest {
            target,
            notification_type,
            callback,
            lifetime,
            origin,
        } = request;
        let mut needed = Rights::NONE;
        if notification_type == NotificationType::PragmaNotify {
            needed |= Rights::RECEIVE_FROM;
        }
        if callback.as_str() != requester.principal.as_str() {
            needed |= Rights::SUBSCRIBE_OTHERS;
        }
        let tidx = self.check(requester, &target, needed)?;
        let grant = self
            .config
            .subscription
            .decide(lifetime)
            .map_err(SubscribeError::Lifetime)?;
        let limits = self.config.limits;
        if self.subs.len() >= limits.max_subscriptions {
            return Err(SubscribeError::ServerFull {
                max: limits.max_subscriptions,
            });
        }
        let h = self.hosted(tidx);
        if h.watchers.len() + h.listeners.len() >= limits.max_watchers_per_principal {
            return Err(SubscribeError::TooManyWatchers {
                principal: target,
                max: limits.max_watchers_per_principal,
            });
        }
        let held = self
            .index
            .get(&requester.principal)
            .map_or(0, |&i| self.node(i).held as usize);
        if held >= limits.max_subscriptions_per_subscriber {
            return Err(SubscribeError::TooManyHeld {
                subscriber: requester.principal.clone(),
                max: limits.max_subscriptions_per_subscriber,
            });
        }
        let sidx = self.intern(&requester.principal);
        let id = loop {
            let candidate = SubscriptionId::new(self.rng.random_range(1..=i32::MAX as u32));
            if !self.subs.contains_key(&candidate) {
                break candidate;
            }
        };
        let expires = self
            .clock
            .ticks(now)
            .saturating_add(Clock::ms(grant.duration));
        let own_callback = callback.as_str() == requester.principal.as_str();
        if !own_callback {
            self.foreign_callbacks.insert(id, callback);
        }
        self.subs.insert(
            id,
            Sub {
                target: tidx,
                subscriber: sidx,
                origin: fold_origin(origin),
                expires,
                own_callback,
                kind: notification_type,
                credential: requester.credential,
            },
        );
        self.node_mut(sidx).held += 1;
        let h = self.hosted_mut(tidx);
        match notification_type {
            NotificationType::PragmaNotify => h.listeners.push(id),
            NotificationType::UpdatePropchange => h.watchers.push(id),
        }
        self.timers.push(expires, Timer::Sub(id));
        let initial_state = (notification_type == NotificationType::UpdatePropchange).then(|| {
            let h = self.hosted(tidx);
            self.visible(
                tidx,
                &requester.principal,
                requester.credential,
                &h.acl,
                &h.published,
            )
        });
        self.timers.clean(&self.subs, &self.nodes);
        Ok(Subscribed {
            id,
            lifetime: grant,
            initial_state,
        })
    }

    /// SUBSCRIBE with `Subscription-Id`: renews a subscription. Only its
    /// subscriber may renew.
    ///
    /// # Renewal-family rule (librvp compatibility)
    ///
    /// librvp renews only the most recent of the subscriptions it holds on
    /// its own node (its update/propchange one), never its login
    /// (pragma/notify) subscription, which would otherwise expire after 4 h
    /// and cut the session off from its messages. So: when principal P
    /// renews a subscription **on its own node** (target = subscriber = P),
    /// every other subscription of P on P's own node of the same *client
    /// family* is extended to at least the renewed expiry. Two
    /// subscriptions are of the same family when both were created with the
    /// same [`Origin`](crate::Origin), or when either has no origin (the caller could not
    /// tell clients apart). Subscriptions on other nodes are never extended.
    /// The renewal request's `origin` is not needed: the family is that of
    /// the renewed subscription.
    pub fn renew(
        &mut self,
        now: Instant,
        requester: &Requester,
        id: SubscriptionId,
        lifetime: Option<Duration>,
    ) -> Result<Renewed, RenewError> {
        self.handle_timeout(now);
        let Some(sub) = self.subs.get(&id) else {
            return Err(RenewError::NotFound { id });
        };
        if self.node(sub.subscriber).id != requester.principal {
            return Err(RenewError::NotSubscriber {
                id,
                requester: requester.principal.clone(),
            });
        }
        let grant = self
            .config
            .subscription
            .decide(lifetime)
            .map_err(RenewError::Lifetime)?;
        let expires = self
            .clock
            .ticks(now)
            .saturating_add(Clock::ms(grant.duration));
        let (target, subscriber, origin) = (sub.target, sub.subscriber, sub.origin);
        let mut touched = vec![(id, expires)];
        if target == subscriber {
            let h = self.hosted(target);
            for other in h.watchers.iter().chain(&h.listeners) {
                if *other == id {
                    continue;
                }
                if let Some(o) = self.subs.get(other) {
                    let same_family = o.origin == origin || o.origin == 0 || origin == 0;
                    if o.subscriber == subscriber && same_family && o.expires < expires {
                        touched.push((*other, expires));
                    }
                }
            }
        }
        for &(sid, exp) in &touched {
            if let Some(s) = self.subs.get_mut(&sid) {
                s.expires = exp;
                self.timers.push(exp, Timer::Sub(sid));
            }
        }
        self.timers.clean(&self.subs, &self.nodes);
        Ok(Renewed {
            id,
            lifetime: grant,
            also_refreshed: touched.into_iter().skip(1).map(|(s, _)| s).collect(),
        })
    }

    /// UNSUBSCRIBE: cancels a subscription on `principal` (the Request-URI).
    /// Allowed to its subscriber and to holders of `write` on the node (the
    /// draft leaves the choice to the implementation, §6.2).
    pub fn unsubscribe(
        &mut self,
        now: Instant,
        requester: &Requester,
        principal: &PrincipalId,
        id: SubscriptionId,
    ) -> Result<(), UnsubscribeError> {
        self.handle_timeout(now);
        let Some(sub) = self.subs.get(&id) else {
            return Err(UnsubscribeError::NotFound { id });
        };
        if &self.node(sub.target).id != principal {
            return Err(UnsubscribeError::NotFound { id });
        }
        let is_subscriber = self.node(sub.subscriber).id == requester.principal;
        if !is_subscriber && !self.allowed(sub.target, requester, Rights::WRITE) {
            return Err(UnsubscribeError::Denied {
                id,
                requester: requester.principal.clone(),
            });
        }
        if let Some((s, _)) = self.remove_sub(id) {
            self.release(s.subscriber);
        }
        self.timers.clean(&self.subs, &self.nodes);
        Ok(())
    }

    /// SUBSCRIPTIONS: the watchers of `principal` (requires
    /// `subscriptions`), optionally of one notification type, with the time
    /// left at `now`, ordered by id.
    pub fn subscriptions(
        &mut self,
        now: Instant,
        requester: &Requester,
        principal: &PrincipalId,
        notification_type: Option<NotificationType>,
    ) -> Result<Vec<WatcherEntry>, AccessError> {
        self.handle_timeout(now);
        let idx = self.check(requester, principal, Rights::SUBSCRIPTIONS)?;
        let t = self.clock.ticks(now);
        let h = self.hosted(idx);
        let mut out: Vec<WatcherEntry> = h
            .watchers
            .iter()
            .chain(&h.listeners)
            .filter_map(|id| Some((*id, self.subs.get(id)?)))
            .filter(|(_, s)| notification_type.is_none_or(|k| k == s.kind))
            .map(|(id, s)| WatcherEntry {
                id,
                subscriber: self.node(s.subscriber).id.clone(),
                callback: self.callback(id, s),
                notification_type: s.kind,
                remaining: ticks_to_duration(s.expires.saturating_sub(t)),
            })
            .collect();
        out.sort_by_key(|e| e.id);
        Ok(out)
    }

    /// The subscriptions `principal` holds on its own node (for a client's
    /// own bookkeeping and tests), ordered by id.
    pub fn own_subscriptions(
        &self,
        principal: &PrincipalId,
    ) -> Vec<(SubscriptionId, NotificationType)> {
        let Some(idx) = self.hosted_idx(principal) else {
            return Vec::new();
        };
        let h = self.hosted(idx);
        let mut v: Vec<_> = h
            .watchers
            .iter()
            .chain(&h.listeners)
            .filter_map(|id| {
                let s = self.subs.get(id)?;
                (s.subscriber == idx).then_some((*id, s.kind))
            })
            .collect();
        v.sort_by_key(|e| e.0);
        v
    }

    /// When a subscription ends, if it is live.
    pub fn subscription_expiry(&self, id: SubscriptionId) -> Option<Instant> {
        self.subs.get(&id).map(|s| self.clock.instant(s.expires))
    }

    /// NOTIFY to a node (an instant message): checks `send-to` and returns
    /// the node's pragma/notify subscribers whose subscriber still holds
    /// `receive-from`. None at all means the principal is not available (412).
    pub fn route_notify(
        &mut self,
        now: Instant,
        requester: &Requester,
        principal: &PrincipalId,
    ) -> Result<Vec<Delivery>, SendError> {
        self.handle_timeout(now);
        let idx = self.check(requester, principal, Rights::SEND_TO)?;
        let mut out: Vec<Delivery> = Vec::new();
        for id in &self.hosted(idx).listeners {
            let Some(s) = self.subs.get(id) else { continue };
            let watcher = &self.node(s.subscriber).id;
            let who = Requester::new(watcher.clone(), s.credential);
            if self.allowed(idx, &who, Rights::RECEIVE_FROM) {
                out.push(Delivery {
                    subscription: *id,
                    watcher: watcher.clone(),
                    callback: self.callback(*id, s),
                });
            }
        }
        if out.is_empty() {
            return Err(SendError::Unavailable {
                principal: principal.clone(),
            });
        }
        out.sort_by_key(|d| d.subscription);
        Ok(out)
    }

    /// Stops hosting `principal`: drops its views, ACL and every subscription
    /// on its node, silently (the caller decides whether to tell anyone), and
    /// returns the dropped subscription ids. Subscriptions the principal holds
    /// on other nodes stay until they end. Empty if it was not hosted.
    pub fn unregister(&mut self, now: Instant, principal: &PrincipalId) -> Vec<SubscriptionId> {
        self.handle_timeout(now);
        let Some(idx) = self.hosted_idx(principal) else {
            return Vec::new();
        };
        let h = self.hosted(idx);
        let mut watchers: Vec<SubscriptionId> =
            h.watchers.iter().chain(&h.listeners).copied().collect();
        watchers.sort_unstable();
        for id in &watchers {
            if let Some((s, _)) = self.remove_sub(*id)
                && s.subscriber != idx
            {
                self.release(s.subscriber);
            }
        }
        let views = self.hosted(idx).views.len();
        self.leased_views -= views;
        self.node_mut(idx).hosted = None;
        self.hosted_count -= 1;
        self.release(idx);
        self.timers.clean(&self.subs, &self.nodes);
        watchers
    }

    pub(super) fn expire_sub(&mut self, id: SubscriptionId) {
        if let Some((s, callback)) = self.remove_sub(id) {
            let e = ExpiredSubscription {
                subscription: id,
                principal: self.node(s.target).id.clone(),
                watcher: self.node(s.subscriber).id.clone(),
                callback,
                notification_type: s.kind,
            };
            let subscriber = s.subscriber;
            self.events.push_back(Event::SubscriptionExpired(e));
            self.release(subscriber);
        }
    }

    /// Removes a subscription from every index; returns it. The caller
    /// releases the subscriber node (after reading its id).
    fn remove_sub(&mut self, id: SubscriptionId) -> Option<(Sub, CallbackUrl)> {
        let s = self.subs.remove(&id)?;
        let callback = match self.foreign_callbacks.remove(&id) {
            Some(cb) => cb,
            None => CallbackUrl::from(&self.node(s.subscriber).id),
        };
        let h = self.hosted_mut(s.target);
        let list = match s.kind {
            NotificationType::PragmaNotify => &mut h.listeners,
            NotificationType::UpdatePropchange => &mut h.watchers,
        };
        if let Some(i) = list.iter().position(|w| *w == id) {
            list.swap_remove(i);
        }
        let n = self.node_mut(s.subscriber);
        n.held = n.held.saturating_sub(1);
        Some((s, callback))
    }
}
