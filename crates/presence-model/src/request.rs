//! Inputs and synchronous outcomes of the core's operations.

use std::time::Duration;

use crate::{
    CallbackUrl, Grant, NotificationType, Origin, PresenceState, PrincipalId, SubscriptionId,
    ViewId,
};

/// The lease part of a state PROPPATCH (`r:leased-value`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LeaseRequest {
    /// `r:default-value`: the state after expiry (normally `offline`).
    pub default: PresenceState,
    /// `d:timeout`, if given.
    pub timeout: Option<Duration>,
}

/// A PROPPATCH of the `state` property.
///
/// ```
/// use std::time::Duration;
/// use presence_model::{PresenceState, StateUpdate, ViewId};
/// // librvp's login PROPPATCH: online, default offline, 1200 s, its view id.
/// let u = StateUpdate::leased(PresenceState::Online, PresenceState::Offline, Some(Duration::from_secs(1200)))
///     .with_view(ViewId::new(3577));
/// assert_eq!(u.view, Some(ViewId::new(3577)));
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct StateUpdate {
    /// The new value (`r:value`, or the bare `<r:state><r:X/></r:state>`).
    pub value: PresenceState,
    /// The lease; `None` for the bare (unleased) form.
    pub lease: Option<LeaseRequest>,
    /// `r:view-id`, if the client sent one.
    pub view: Option<ViewId>,
    /// The client program, if the caller can tell (see [`Origin`]).
    pub origin: Option<Origin>,
}

impl StateUpdate {
    /// A leased update.
    pub fn leased(value: PresenceState, default: PresenceState, timeout: Option<Duration>) -> Self {
        Self {
            value,
            lease: Some(LeaseRequest { default, timeout }),
            view: None,
            origin: None,
        }
    }

    /// An unleased update (librvp's logout sends `<r:state><r:offline/></r:state>`).
    pub fn unleased(value: PresenceState) -> Self {
        Self {
            value,
            lease: None,
            view: None,
            origin: None,
        }
    }

    /// Names the view.
    pub fn with_view(mut self, view: ViewId) -> Self {
        self.view = Some(view);
        self
    }

    /// Tags the client program.
    pub fn with_origin(mut self, origin: Origin) -> Self {
        self.origin = Some(origin);
        self
    }
}

/// The result of a state PROPPATCH, for the 207 answer.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct StateOutcome {
    /// The view the update applied to (echo as `r:view-id`); `None` when
    /// the update ended views (an unleased `offline`).
    pub view: Option<ViewId>,
    /// Whether the view was created by this update (no or an expired view-id).
    pub view_created: bool,
    /// The lease granted (echo as `d:timeout`); `None` for an unleased offline.
    pub lease: Option<Grant>,
    /// The principal's published (aggregate) state afterwards.
    pub published: PresenceState,
    /// Whether the published state changed (watchers were notified).
    pub changed: bool,
}

/// A new subscription (SUBSCRIBE without `Subscription-Id`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SubscribeRequest {
    /// The node subscribed to (the Request-URI's principal).
    pub target: PrincipalId,
    /// `Notification-Type`.
    pub notification_type: NotificationType,
    /// `Call-Back`.
    pub callback: CallbackUrl,
    /// `Subscription-Lifetime`; `None` asks for a permanent subscription.
    pub lifetime: Option<Duration>,
    /// The client program, if known (renewal-family rule).
    pub origin: Option<Origin>,
}

/// The answer to a successful SUBSCRIBE.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct Subscribed {
    /// `Subscription-Id`.
    pub id: SubscriptionId,
    /// `Subscription-Lifetime` granted.
    pub lifetime: Grant,
    /// For update/propchange: the current state as this subscriber may see
    /// it, for the 207 body.
    pub initial_state: Option<PresenceState>,
}

/// The answer to a successful renewal.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub struct Renewed {
    /// The renewed subscription.
    pub id: SubscriptionId,
    /// `Subscription-Lifetime` granted.
    pub lifetime: Grant,
    /// Other subscriptions kept alive by the renewal-family rule.
    pub also_refreshed: Vec<SubscriptionId>,
}

/// One row of a SUBSCRIPTIONS answer.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct WatcherEntry {
    /// `subscription-id`.
    pub id: SubscriptionId,
    /// `principal/rvp-principal`: the subscriber.
    pub subscriber: PrincipalId,
    /// `href`: the callback.
    pub callback: CallbackUrl,
    /// Its notification type.
    pub notification_type: NotificationType,
    /// Exact time left at the listing's `now`.
    pub remaining: Duration,
}

impl WatcherEntry {
    /// `timeout`: whole seconds left, rounded up (a just-renewed 14400 s
    /// subscription lists as 14400).
    pub fn seconds_left(&self) -> u64 {
        let s = self.remaining.as_secs();
        if self.remaining.subsec_nanos() > 0 {
            s + 1
        } else {
            s
        }
    }
}

/// Where to deliver a NOTIFY sent to a node (its pragma/notify subscribers).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Delivery {
    /// The subscription.
    pub subscription: SubscriptionId,
    /// Its subscriber.
    pub watcher: PrincipalId,
    /// Where to forward.
    pub callback: CallbackUrl,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_left_rounds_up() {
        let e = |remaining| WatcherEntry {
            id: SubscriptionId::new(1),
            subscriber: PrincipalId::from("a"),
            callback: CallbackUrl::from("a"),
            notification_type: NotificationType::UpdatePropchange,
            remaining,
        };
        assert_eq!(e(Duration::from_secs(14_400)).seconds_left(), 14_400);
        assert_eq!(e(Duration::from_millis(4_788_001)).seconds_left(), 4_789);
        assert_eq!(e(Duration::ZERO).seconds_left(), 0);
    }

    #[test]
    fn update_builders() {
        let u = StateUpdate::unleased(PresenceState::Offline).with_origin(Origin(3));
        assert_eq!((u.lease, u.view, u.origin), (None, None, Some(Origin(3))));
    }
}
