//! Errors: one root enum and one enum per operation whose callers branch.

use crate::{InvalidAcl, PolicyRefusal, PrincipalId, Rights, SubscriptionId};

/// Every error of this crate.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A read or check failed.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// PROPPATCH of the state failed.
    #[error(transparent)]
    SetState(#[from] SetStateError),
    /// SUBSCRIBE failed.
    #[error(transparent)]
    Subscribe(#[from] SubscribeError),
    /// A renewal failed.
    #[error(transparent)]
    Renew(#[from] RenewError),
    /// UNSUBSCRIBE failed.
    #[error(transparent)]
    Unsubscribe(#[from] UnsubscribeError),
    /// An ACL write failed.
    #[error(transparent)]
    SetAcl(#[from] SetAclError),
    /// Routing a NOTIFY failed.
    #[error(transparent)]
    Send(#[from] SendError),
}

impl Error {
    /// The HTTP status a server answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Access(e) => e.status(),
            Self::SetState(e) => e.status(),
            Self::Subscribe(e) => e.status(),
            Self::Renew(e) => e.status(),
            Self::Unsubscribe(e) => e.status(),
            Self::SetAcl(e) => e.status(),
            Self::Send(e) => e.status(),
        }
    }
}

/// A node lookup or a rights check failed (PROPFIND, SUBSCRIPTIONS, ACL read).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccessError {
    /// The node is not hosted here (404).
    #[error("no principal {principal} on this server")]
    UnknownPrincipal {
        /// The node asked for.
        principal: PrincipalId,
    },
    /// The requester lacks a right (401, as Exchange answers "Access denied").
    #[error("{requester} lacks {right:?} on {principal}")]
    Denied {
        /// The node.
        principal: PrincipalId,
        /// The requester.
        requester: PrincipalId,
        /// The missing right(s).
        right: Rights,
    },
}

impl AccessError {
    /// The HTTP status a server answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::UnknownPrincipal { .. } => 404,
            Self::Denied { .. } => 401,
        }
    }
}

/// PROPPATCH of `state` failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SetStateError {
    /// Unknown node or missing `write` right.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// The lease timeout is refused by policy (the draft lets a server
    /// decline, §6.5); answer 207 with a failed propstat or 400.
    #[error("lease refused: {0}")]
    Lease(PolicyRefusal),
}

impl SetStateError {
    /// The HTTP status a server answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Access(e) => e.status(),
            Self::Lease(_) => 400,
        }
    }
}

/// SUBSCRIBE failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SubscribeError {
    /// Unknown node, or a missing right (`receive-from` for pragma/notify,
    /// `subscribe-others` for a callback that is not the subscriber's URL).
    #[error(transparent)]
    Access(#[from] AccessError),
    /// The lifetime is refused (permanent, or out of range with `Refuse`).
    #[error("lifetime refused: {0}")]
    Lifetime(PolicyRefusal),
    /// The node has too many watchers.
    #[error("{principal} already has {max} watchers")]
    TooManyWatchers {
        /// The node.
        principal: PrincipalId,
        /// The limit.
        max: usize,
    },
    /// The subscriber holds too many subscriptions.
    #[error("{subscriber} already holds {max} subscriptions")]
    TooManyHeld {
        /// The subscriber.
        subscriber: PrincipalId,
        /// The limit.
        max: usize,
    },
    /// The server holds too many subscriptions.
    #[error("the server already holds {max} subscriptions")]
    ServerFull {
        /// The limit.
        max: usize,
    },
}

impl SubscribeError {
    /// The HTTP status a server answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Access(e) => e.status(),
            Self::Lifetime(_) => 400,
            Self::TooManyWatchers { .. } | Self::TooManyHeld { .. } => 403,
            Self::ServerFull { .. } => 503,
        }
    }
}

/// A renewal (SUBSCRIBE with `Subscription-Id`) failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenewError {
    /// No such subscription (expired, cancelled, or never issued) (404).
    #[error("no subscription {id}")]
    NotFound {
        /// The id.
        id: SubscriptionId,
    },
    /// Only the subscriber may renew (401).
    #[error("{requester} is not the subscriber of {id}")]
    NotSubscriber {
        /// The id.
        id: SubscriptionId,
        /// The requester.
        requester: PrincipalId,
    },
    /// The lifetime is refused.
    #[error("lifetime refused: {0}")]
    Lifetime(PolicyRefusal),
}

impl RenewError {
    /// The HTTP status a server answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::NotFound { .. } => 404,
            Self::NotSubscriber { .. } => 401,
            Self::Lifetime(_) => 400,
        }
    }
}

/// UNSUBSCRIBE failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnsubscribeError {
    /// No such subscription (on that node) (404).
    #[error("no subscription {id}")]
    NotFound {
        /// The id.
        id: SubscriptionId,
    },
    /// Neither the subscriber nor a holder of `write` on the node (401).
    #[error("{requester} may not cancel {id}")]
    Denied {
        /// The id.
        id: SubscriptionId,
        /// The requester.
        requester: PrincipalId,
    },
}

impl UnsubscribeError {
    /// The HTTP status a server answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::NotFound { .. } => 404,
            Self::Denied { .. } => 401,
        }
    }
}

/// An ACL write failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SetAclError {
    /// Unknown node or missing `writeacl`.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// The ACL is malformed (400).
    #[error(transparent)]
    Invalid(#[from] InvalidAcl),
}

impl SetAclError {
    /// The HTTP status a server answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Access(e) => e.status(),
            Self::Invalid(_) => 400,
        }
    }
}

/// Routing a NOTIFY (instant message) to a node failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// Unknown node or missing `send-to`.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// Nobody is listening on the node (no pragma/notify subscription): the
    /// principal is not available (412, draft §9).
    #[error("{principal} is not available")]
    Unavailable {
        /// The node.
        principal: PrincipalId,
    },
}

impl SendError {
    /// The HTTP status a server answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Access(e) => e.status(),
            Self::Unavailable { .. } => 412,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        let p = PrincipalId::from("a");
        let unknown = AccessError::UnknownPrincipal {
            principal: p.clone(),
        };
        assert_eq!(Error::from(unknown.clone()).status(), 404);
        assert_eq!(
            Error::from(SubscribeError::ServerFull { max: 1 }).status(),
            503
        );
        assert_eq!(
            Error::from(SendError::Unavailable {
                principal: p.clone()
            })
            .status(),
            412
        );
        assert_eq!(Error::from(SendError::Access(unknown)).status(), 404);
        let denied = UnsubscribeError::Denied {
            id: SubscriptionId::new(1),
            requester: p,
        };
        assert_eq!(Error::from(denied).status(), 401);
        assert_eq!(
            Error::from(RenewError::Lifetime(PolicyRefusal::DurationRequired)).to_string(),
            "lifetime refused: a duration is required (permanent subscriptions are not accepted)"
        );
    }
}
