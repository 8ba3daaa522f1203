//! Client-side helpers: renewal scheduling and an idle tracker, both sans-IO.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::PresenceState;

/// When to renew something granted for `lifetime`: `margin` before it ends,
/// where `margin = clamp(lifetime / 30, min_margin, lifetime / 2)`.
///
/// The draft's advice (§6.5.2): with a 30-minute lease refresh at about 29
/// minutes, i.e. a margin of one thirtieth. `min_margin` (default 60 s)
/// keeps short leases safe from network delay: a 20-minute lease is renewed
/// after 19 minutes, a 4-hour subscription after 3 h 52 min.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct RenewalPolicy {
    /// The smallest margin.
    pub min_margin: Duration,
}

impl Default for RenewalPolicy {
    fn default() -> Self {
        Self {
            min_margin: Duration::from_secs(60),
        }
    }
}

impl RenewalPolicy {
    /// The margin for a granted lifetime.
    pub fn margin(&self, lifetime: Duration) -> Duration {
        (lifetime / 30).max(self.min_margin).min(lifetime / 2)
    }
}

/// What a [`RenewalScheduler`] asks the client to do.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Renewal<K> {
    /// Send the renewal now (re-PROPPATCH the lease, re-SUBSCRIBE with the id).
    Due(K),
    /// The grant ran out without a new one being recorded: treat the lease or
    /// subscription as gone (subscribe afresh).
    Expired(K),
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    renew_at: Instant,
    expires_at: Instant,
    asked: bool,
}

/// Schedules renewals of leases and subscriptions, keyed by any `K` (for
/// example an enum of "my lease" and each subscription id).
///
/// Call order: [`granted`](Self::granted) whenever a grant arrives (the
/// server's `d:timeout` or `Subscription-Lifetime`, which may differ from the
/// request); arm a timer to [`poll_timeout`](Self::poll_timeout); on expiry
/// call [`handle_timeout`](Self::handle_timeout) and drain
/// [`poll_renewal`](Self::poll_renewal).
///
/// ```
/// use std::time::{Duration, Instant};
/// use presence_model::{Renewal, RenewalScheduler};
/// let t0 = Instant::now();
/// let mut r = RenewalScheduler::new(Default::default());
/// r.granted("lease", t0, Duration::from_secs(30 * 60));
/// assert_eq!(r.poll_timeout(), Some(t0 + Duration::from_secs(29 * 60)));
/// r.handle_timeout(t0 + Duration::from_secs(29 * 60));
/// assert_eq!(r.poll_renewal(), Some(Renewal::Due("lease")));
/// ```
#[derive(Debug)]
pub struct RenewalScheduler<K: Ord + Clone> {
    policy: RenewalPolicy,
    entries: BTreeMap<K, Entry>,
    out: std::collections::VecDeque<Renewal<K>>,
}

impl<K: Ord + Clone> RenewalScheduler<K> {
    /// An empty scheduler.
    pub fn new(policy: RenewalPolicy) -> Self {
        Self {
            policy,
            entries: BTreeMap::new(),
            out: Default::default(),
        }
    }

    /// The longest grant taken as it is; a longer one (a peer's
    /// `Subscription-Lifetime: 18446744073709551615`) counts as this long.
    pub const MAX_LIFETIME: Duration = Duration::from_secs(366 * 24 * 3600);

    /// Records a grant of `lifetime` received at `now` (initial or renewal).
    /// Lifetimes beyond [`MAX_LIFETIME`](Self::MAX_LIFETIME) are cut to it.
    pub fn granted(&mut self, key: K, now: Instant, lifetime: Duration) {
        let lifetime = lifetime.min(Self::MAX_LIFETIME);
        // Cannot overflow on any platform for a year past a real `Instant`;
        // fall back to `now` (renew at once) rather than panic.
        let expires_at = now.checked_add(lifetime).unwrap_or(now);
        let renew_at = expires_at
            .checked_sub(self.policy.margin(lifetime))
            .unwrap_or(now);
        self.entries.insert(
            key,
            Entry {
                renew_at,
                expires_at,
                asked: false,
            },
        );
    }

    /// A renewal (after [`Renewal::Due`]) or a fresh subscription (after
    /// [`Renewal::Expired`]) of `key` failed without an answer (the server
    /// could not be reached): ask again at `at`. A tracked item gets
    /// [`Renewal::Due`] again at `at`, or [`Renewal::Expired`] if it runs
    /// out first; an item no longer tracked (it expired) gets
    /// [`Renewal::Expired`] again at `at`.
    pub fn retry(&mut self, key: K, at: Instant) {
        match self.entries.get_mut(&key) {
            Some(e) => {
                e.renew_at = at.min(e.expires_at);
                e.asked = false;
            }
            None => {
                self.entries.insert(
                    key,
                    Entry {
                        renew_at: at,
                        expires_at: at,
                        asked: true,
                    },
                );
            }
        }
    }

    /// When the grant of `key` runs out, if it is tracked.
    #[must_use]
    pub fn expires_at(&self, key: &K) -> Option<Instant> {
        self.entries.get(key).map(|e| e.expires_at)
    }

    /// Stops tracking `key` (unsubscribed, logged out).
    pub fn cancel(&mut self, key: &K) {
        self.entries.remove(key);
    }

    /// The next instant at which something is due. O(n) in the tracked
    /// items, which are few on a client.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.entries
            .values()
            .map(|e| if e.asked { e.expires_at } else { e.renew_at })
            .min()
    }

    /// Emits [`Renewal::Due`] for every item whose renewal time has come and
    /// [`Renewal::Expired`] (and forgets it) for every item that ran out.
    pub fn handle_timeout(&mut self, now: Instant) {
        let mut gone = Vec::new();
        for (k, e) in &mut self.entries {
            if now >= e.expires_at {
                gone.push(k.clone());
            } else if !e.asked && now >= e.renew_at {
                e.asked = true;
                self.out.push_back(Renewal::Due(k.clone()));
            }
        }
        for k in gone {
            self.entries.remove(&k);
            self.out.push_back(Renewal::Expired(k));
        }
    }

    /// The next action, if any.
    #[must_use]
    pub fn poll_renewal(&mut self) -> Option<Renewal<K>> {
        self.out.pop_front()
    }
}

/// Automatic away: no input for `idle_after` (10 minutes in Exchange IM,
/// white paper scenario 6) switches the state to `away`; input switches back
/// to the state the user had chosen.
///
/// Only states in [`IdleTracker::eligible`] go away automatically (by
/// default `online` only: a user who chose `busy` stays busy).
///
/// Call order: [`handle_input`](Self::handle_input) on keyboard or mouse
/// activity, [`set_state`](Self::set_state) when the user picks a state,
/// [`handle_timeout`](Self::handle_timeout) at
/// [`poll_timeout`](Self::poll_timeout); after each, drain
/// [`poll_change`](Self::poll_change) and PROPPATCH what it returns.
///
/// ```
/// use std::time::{Duration, Instant};
/// use presence_model::{IdleTracker, PresenceState};
/// let t0 = Instant::now();
/// let mut idle = IdleTracker::new(t0, PresenceState::Online, Duration::from_secs(600));
/// idle.handle_timeout(t0 + Duration::from_secs(600));
/// assert_eq!(idle.poll_change(), Some(PresenceState::Away));
/// idle.handle_input(t0 + Duration::from_secs(900));
/// assert_eq!(idle.poll_change(), Some(PresenceState::Online));
/// ```
#[derive(Debug)]
pub struct IdleTracker {
    idle_after: Duration,
    /// States that go away automatically.
    pub eligible: Vec<PresenceState>,
    /// The state shown while idle.
    pub away_state: PresenceState,
    chosen: PresenceState,
    last_input: Instant,
    is_away: bool,
    change: Option<PresenceState>,
}

impl IdleTracker {
    /// A tracker whose user chose `chosen` at `now`.
    pub fn new(now: Instant, chosen: PresenceState, idle_after: Duration) -> Self {
        Self {
            idle_after,
            eligible: vec![PresenceState::Online],
            away_state: PresenceState::Away,
            chosen,
            last_input: now,
            is_away: false,
            change: None,
        }
    }

    /// The state currently shown.
    pub fn current(&self) -> &PresenceState {
        if self.is_away {
            &self.away_state
        } else {
            &self.chosen
        }
    }

    /// The user picked a state.
    pub fn set_state(&mut self, now: Instant, chosen: PresenceState) {
        self.last_input = now;
        self.is_away = false;
        self.chosen = chosen;
        self.change = None;
    }

    /// Keyboard or mouse input at `now`.
    pub fn handle_input(&mut self, now: Instant) {
        self.last_input = now;
        if self.is_away {
            self.is_away = false;
            self.change = Some(self.chosen.clone());
        }
    }

    /// When the tracker will switch to away, if it can.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        (!self.is_away && self.eligible.contains(&self.chosen))
            .then(|| self.last_input + self.idle_after)
    }

    /// Switches to away if the idle time has passed.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.poll_timeout().is_some_and(|t| now >= t) {
            self.is_away = true;
            self.change = Some(self.away_state.clone());
        }
    }

    /// The state to publish, if it changed.
    #[must_use]
    pub fn poll_change(&mut self) -> Option<PresenceState> {
        self.change.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn margins() {
        let p = RenewalPolicy::default();
        assert_eq!(p.margin(S(1800)), S(60));
        assert_eq!(p.margin(S(1200)), S(60));
        assert_eq!(p.margin(S(14_400)), S(480));
        assert_eq!(p.margin(S(30)), S(15));
    }

    #[test]
    fn renewal_then_expiry_if_not_regranted() {
        let t0 = Instant::now();
        let mut r = RenewalScheduler::new(RenewalPolicy::default());
        r.granted(1u32, t0, S(1200));
        r.granted(2u32, t0, S(14_400));
        assert_eq!(r.poll_timeout(), Some(t0 + S(1140)));
        r.handle_timeout(t0 + S(1140));
        assert_eq!(r.poll_renewal(), Some(Renewal::Due(1)));
        assert_eq!(r.poll_renewal(), None);
        // Asked once; next deadline is its expiry.
        assert_eq!(r.poll_timeout(), Some(t0 + S(1200)));
        r.handle_timeout(t0 + S(1200));
        assert_eq!(r.poll_renewal(), Some(Renewal::Expired(1)));
        // Regrant of 2 moves its renewal.
        r.granted(2, t0 + S(1200), S(14_400));
        assert_eq!(r.poll_timeout(), Some(t0 + S(1200 + 14_400 - 480)));
        r.cancel(&2);
        assert_eq!(r.poll_timeout(), None);
    }

    #[test]
    fn a_failed_renewal_is_asked_again_and_an_expired_one_resubscribed() {
        let t0 = Instant::now();
        let mut r = RenewalScheduler::new(RenewalPolicy::default());
        r.granted("lease", t0, S(1200));
        r.handle_timeout(t0 + S(1140));
        assert_eq!(r.poll_renewal(), Some(Renewal::Due("lease")));
        // Failed: again in 20 s, still before expiry.
        r.retry("lease", t0 + S(1160));
        assert_eq!(r.poll_timeout(), Some(t0 + S(1160)));
        r.handle_timeout(t0 + S(1160));
        assert_eq!(r.poll_renewal(), Some(Renewal::Due("lease")));
        // A retry past the expiry is capped at it.
        r.retry("lease", t0 + S(5000));
        assert_eq!(r.poll_timeout(), Some(t0 + S(1200)));
        r.handle_timeout(t0 + S(1200));
        assert_eq!(r.poll_renewal(), Some(Renewal::Expired("lease")));
        assert_eq!(r.expires_at(&"lease"), None);
        // The fresh subscription failed too: Expired again later.
        r.retry("lease", t0 + S(1230));
        assert_eq!(r.poll_timeout(), Some(t0 + S(1230)));
        r.handle_timeout(t0 + S(1229));
        assert_eq!(r.poll_renewal(), None);
        r.handle_timeout(t0 + S(1230));
        assert_eq!(r.poll_renewal(), Some(Renewal::Expired("lease")));
        assert_eq!(r.poll_timeout(), None);
    }

    #[test]
    fn absurd_lifetimes_do_not_overflow() {
        let t0 = Instant::now();
        let mut r = RenewalScheduler::new(RenewalPolicy::default());
        r.granted(1u8, t0, Duration::MAX);
        assert_eq!(
            r.expires_at(&1),
            Some(t0 + RenewalScheduler::<u8>::MAX_LIFETIME)
        );
        r.granted(2u8, t0, Duration::ZERO);
        r.handle_timeout(t0);
        assert_eq!(r.poll_renewal(), Some(Renewal::Expired(2)));
    }

    #[test]
    fn idle_tracker_respects_choice() {
        let t0 = Instant::now();
        let mut i = IdleTracker::new(t0, PresenceState::Online, S(600));
        i.handle_input(t0 + S(300));
        i.handle_timeout(t0 + S(600));
        assert_eq!(i.poll_change(), None);
        assert_eq!(i.poll_timeout(), Some(t0 + S(900)));
        i.handle_timeout(t0 + S(900));
        assert_eq!(i.current(), &PresenceState::Away);
        assert_eq!(i.poll_change(), Some(PresenceState::Away));
        assert_eq!(i.poll_timeout(), None);
        i.handle_input(t0 + S(1000));
        assert_eq!(i.poll_change(), Some(PresenceState::Online));
        i.set_state(t0 + S(1000), PresenceState::Busy);
        assert_eq!(
            i.poll_timeout(),
            None,
            "busy does not go away automatically"
        );
        i.handle_timeout(t0 + S(5000));
        assert_eq!(i.current(), &PresenceState::Busy);
    }
}
