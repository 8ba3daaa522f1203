//! Outputs of the core: events drained with [`Server::poll_event`](crate::Server::poll_event).

use crate::{CallbackUrl, PresenceState, PrincipalId, SubscriptionId, ViewId};

/// The `Notification-Type` of a subscription (§6.1.3).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum NotificationType {
    /// `pragma/notify`: NOTIFYs sent to the node are forwarded to the
    /// callback (the login subscription; instant messages).
    PragmaNotify,
    /// `update/propchange`: property changes of the node are sent to the
    /// callback (watching a contact's presence).
    UpdatePropchange,
}

impl NotificationType {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PragmaNotify => "pragma/notify",
            Self::UpdatePropchange => "update/propchange",
        }
    }

    /// Parses a header value (ASCII case-insensitive, trimmed).
    pub fn from_header(value: &str) -> Option<Self> {
        let v = value.trim();
        if v.eq_ignore_ascii_case("pragma/notify") {
            Some(Self::PragmaNotify)
        } else if v.eq_ignore_ascii_case("update/propchange") {
            Some(Self::UpdatePropchange)
        } else {
            None
        }
    }
}

/// A state change to deliver: everything the server needs for one
/// `propnotification` NOTIFY.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct StateNotification {
    /// The subscription (`Subscription-Id` header).
    pub subscription: SubscriptionId,
    /// Where to send the NOTIFY (`Call-Back` of the subscription).
    pub callback: CallbackUrl,
    /// The subscriber (`notification-to`).
    pub watcher: PrincipalId,
    /// The principal whose state changed (`notification-from`).
    pub principal: PrincipalId,
    /// The state as this watcher may see it: `offline` when it is denied
    /// `presence`, `offline` for `invisible` (except for the owner).
    pub state: PresenceState,
    /// Always [`NotificationType::UpdatePropchange`] for state changes.
    pub notification_type: NotificationType,
}

/// A subscription that ran out without renewal.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ExpiredSubscription {
    /// Its id.
    pub subscription: SubscriptionId,
    /// The node it was on.
    pub principal: PrincipalId,
    /// Its subscriber.
    pub watcher: PrincipalId,
    /// Its callback.
    pub callback: CallbackUrl,
    /// Its notification type.
    pub notification_type: NotificationType,
}

/// An output of the core.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Event {
    /// Send a state NOTIFY.
    Notify(StateNotification),
    /// A subscription expired (the server may drop cached connections, a
    /// client-facing server may log it).
    SubscriptionExpired(ExpiredSubscription),
    /// A view's lease ran out; the view id is no longer valid.
    ViewExpired {
        /// The principal.
        principal: PrincipalId,
        /// The view.
        view: ViewId,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notification_type_header_values() {
        for t in [
            NotificationType::PragmaNotify,
            NotificationType::UpdatePropchange,
        ] {
            assert_eq!(NotificationType::from_header(t.as_str()), Some(t));
        }
        assert_eq!(
            NotificationType::from_header(" Update/PropChange "),
            Some(NotificationType::UpdatePropchange)
        );
        assert_eq!(NotificationType::from_header("pragma/other"), None);
    }
}
