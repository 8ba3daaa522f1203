//! Access control: the draft's ACL model (§6.7) and its evaluation.
//!
//! # Evaluation order
//!
//! [`Acl::allows`] decides one right for one requester on one node:
//!
//! 1. **Owner.** The node's own principal, with a credential kind the server
//!    trusts for owners ([`Config::owner_credentials`](crate::Config::owner_credentials)),
//!    holds every right on its own node whatever the ACL says, so an ACL
//!    write can never lock a user out of their own node (librvp replaces its
//!    ACL with one that has no entry for itself).
//! 2. **Matching entries.** An ACE matches when its principal is the
//!    requester's id (byte equality, no "principal inheritance", §6.7.2) or
//!    `allprincipals`, **and** the requester's credential kind is among the
//!    ACE's credentials (otherwise the requester is treated as not listed).
//! 3. **Specific before general.** Among matching ACEs naming the requester,
//!    a deny of the right wins over a grant; if they neither grant nor deny
//!    it, the `allprincipals` ACEs are consulted the same way (deny wins).
//! 4. **Default deny.** A right nobody granted is denied.
//!
//! `all` in a grant or deny stands for every right.

use crate::PrincipalId;

/// A set of ACL rights (§6.7.1).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Rights(u16);

impl Rights {
    /// No rights.
    pub const NONE: Rights = Rights(0);
    /// `read`: read properties (PROPFIND).
    pub const READ: Rights = Rights(1 << 0);
    /// `write`: set properties (PROPPATCH).
    pub const WRITE: Rights = Rights(1 << 1);
    /// `readacl`: read the ACL.
    pub const READ_ACL: Rights = Rights(1 << 2);
    /// `writeacl`: replace the ACL.
    pub const WRITE_ACL: Rights = Rights(1 << 3);
    /// `send-to`: send NOTIFY (instant messages) to the node.
    pub const SEND_TO: Rights = Rights(1 << 4);
    /// `presence`: see the node's presence.
    pub const PRESENCE: Rights = Rights(1 << 5);
    /// `list`: list properties.
    pub const LIST: Rights = Rights(1 << 6);
    /// `receive-from`: receive the node's notifications (pragma/notify subscriptions).
    pub const RECEIVE_FROM: Rights = Rights(1 << 7);
    /// `subscriptions`: read the node's watcher list (SUBSCRIPTIONS).
    pub const SUBSCRIPTIONS: Rights = Rights(1 << 8);
    /// `subscribe-others`: subscribe with a callback that is not one's own URL.
    pub const SUBSCRIBE_OTHERS: Rights = Rights(1 << 9);
    /// `all`: every right above.
    pub const ALL: Rights = Rights((1 << 10) - 1);

    const NAMES: [(Rights, &'static str); 10] = [
        (Self::READ, "read"),
        (Self::WRITE, "write"),
        (Self::READ_ACL, "readacl"),
        (Self::WRITE_ACL, "writeacl"),
        (Self::SEND_TO, "send-to"),
        (Self::PRESENCE, "presence"),
        (Self::LIST, "list"),
        (Self::RECEIVE_FROM, "receive-from"),
        (Self::SUBSCRIPTIONS, "subscriptions"),
        (Self::SUBSCRIBE_OTHERS, "subscribe-others"),
    ];

    /// Whether every right in `other` is in `self`.
    pub const fn contains(self, other: Rights) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether the two sets share a right.
    pub const fn intersects(self, other: Rights) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The right named by an ACL element's local name (`send-to`, `all`, …).
    pub fn from_token(token: &str) -> Option<Rights> {
        if token == "all" {
            return Some(Self::ALL);
        }
        Self::NAMES
            .iter()
            .find(|(_, n)| *n == token)
            .map(|(r, _)| *r)
    }

    /// The element names of the rights in the set, in the draft's order.
    pub fn tokens(self) -> impl Iterator<Item = &'static str> {
        Self::NAMES
            .iter()
            .filter(move |(r, _)| self.contains(*r))
            .map(|(_, n)| *n)
    }
}

impl std::ops::BitOr for Rights {
    type Output = Rights;
    fn bitor(self, rhs: Rights) -> Rights {
        Rights(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for Rights {
    fn bitor_assign(&mut self, rhs: Rights) {
        self.0 |= rhs.0;
    }
}

impl std::fmt::Debug for Rights {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.tokens()).finish()
    }
}

/// How a requester proved its identity (§6.7.2.1).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum CredentialKind {
    /// Answered an NTLM challenge.
    Ntlm,
    /// Answered a Digest challenge.
    Digest,
    /// Only asserted an identity (`RVP-From-Principal`), no proof.
    Assertion,
    /// Proved by a server-specific out-of-band mechanism.
    Internal,
}

/// A set of credential kinds accepted by an ACE (`<a:credentials>`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Credentials(u8);

impl Credentials {
    /// `ntlm`.
    pub const NTLM: Credentials = Credentials(1);
    /// `digest`.
    pub const DIGEST: Credentials = Credentials(2);
    /// `assertion`.
    pub const ASSERTION: Credentials = Credentials(4);
    /// `internal`.
    pub const INTERNAL: Credentials = Credentials(8);
    /// `any`: every kind.
    pub const ANY: Credentials = Credentials(15);
    /// No kind (invalid in an ACE: "400 credentials not specified").
    pub const NONE: Credentials = Credentials(0);

    /// Whether `kind` is accepted.
    pub const fn accepts(self, kind: CredentialKind) -> bool {
        let bit = match kind {
            CredentialKind::Ntlm => 1,
            CredentialKind::Digest => 2,
            CredentialKind::Assertion => 4,
            CredentialKind::Internal => 8,
        };
        self.0 & bit != 0
    }

    /// Whether no kind is accepted.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl std::ops::BitOr for Credentials {
    type Output = Credentials;
    fn bitor(self, rhs: Credentials) -> Credentials {
        Credentials(self.0 | rhs.0)
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names = [
            (1, "ntlm"),
            (2, "digest"),
            (4, "assertion"),
            (8, "internal"),
        ];
        f.debug_set()
            .entries(
                names
                    .iter()
                    .filter(|(b, _)| self.0 & b != 0)
                    .map(|(_, n)| n),
            )
            .finish()
    }
}

/// Who an ACE is about.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum AcePrincipal {
    /// One principal (`<a:rvp-principal>`), or a server name (`im.acme.com`).
    Principal(PrincipalId),
    /// Everyone (`<a:allprincipals/>`, or librvp's `<a:rvp-principal>allprincipals`).
    AllPrincipals,
}

/// One access control entry.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Ace {
    /// Whom it applies to.
    pub principal: AcePrincipal,
    /// Which credential kinds it accepts.
    pub credentials: Credentials,
    /// Rights granted.
    pub grant: Rights,
    /// Rights denied.
    pub deny: Rights,
}

impl Ace {
    /// An entry granting `grant` to `principal` with any credentials.
    pub fn grant(principal: AcePrincipal, grant: Rights) -> Self {
        Self {
            principal,
            credentials: Credentials::ANY,
            grant,
            deny: Rights::NONE,
        }
    }

    /// An entry denying `deny` to `principal` with any credentials.
    pub fn deny(principal: AcePrincipal, deny: Rights) -> Self {
        Self {
            principal,
            credentials: Credentials::ANY,
            grant: Rights::NONE,
            deny,
        }
    }
}

/// The requester of an operation: its claimed principal and how it proved it.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Requester {
    /// The principal (`RVP-From-Principal`, or the authenticated user).
    pub principal: PrincipalId,
    /// How the identity was established.
    pub credential: CredentialKind,
}

impl Requester {
    /// A requester authenticated with `credential`.
    pub fn new(principal: PrincipalId, credential: CredentialKind) -> Self {
        Self {
            principal,
            credential,
        }
    }
}

/// An access control list for one node (§6.7).
///
/// ```
/// use presence_model::{Acl, Ace, AcePrincipal, CredentialKind, Credentials, PrincipalId, Requester, Rights};
/// let bruce = PrincipalId::from("http://im.acme.com/instmsg/aliases/bruceb");
/// let steve = PrincipalId::from("http://im.example.com/instmsg/aliases/steveb");
/// let mut acl = Acl::default_for(&bruce);
/// acl.push(Ace::deny(AcePrincipal::Principal(steve.clone()), Rights::SEND_TO | Rights::PRESENCE));
/// let as_steve = Requester::new(steve, CredentialKind::Ntlm);
/// assert!(!acl.allows(&bruce, &as_steve, Rights::PRESENCE, Credentials::ANY));
/// assert!(acl.allows(&bruce, &as_steve, Rights::READ, Credentials::ANY));
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Acl {
    aces: Vec<Ace>,
}

/// An ACL that cannot be stored.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidAcl {
    /// An ACE lists no credential kinds (§6.7.2: "400 credentials not specified").
    #[error("ACE {index} has no credentials (400 credentials not specified)")]
    CredentialsNotSpecified {
        /// Index of the offending ACE.
        index: usize,
    },
    /// Too many ACEs ([`Limits::max_aces`](crate::Limits::max_aces)).
    #[error("{count} ACEs exceed the limit of {max}")]
    TooManyAces {
        /// ACEs given.
        count: usize,
        /// The limit.
        max: usize,
    },
}

impl Acl {
    /// An empty ACL (only the owner has rights).
    pub fn new() -> Self {
        Self::default()
    }

    /// An ACL from entries.
    pub fn from_aces(aces: Vec<Ace>) -> Self {
        Self { aces }
    }

    /// The ACL of a newly registered principal: the owner holds all rights
    /// (any credentials), and every principal may `read`, `list`, `send-to`
    /// and see `presence` (the draft's §6.7.3 example, and what librvp sets).
    pub fn default_for(owner: &PrincipalId) -> Self {
        Self::from_aces(vec![
            Ace::grant(AcePrincipal::Principal(owner.clone()), Rights::ALL),
            Ace::grant(
                AcePrincipal::AllPrincipals,
                Rights::READ | Rights::LIST | Rights::SEND_TO | Rights::PRESENCE,
            ),
        ])
    }

    /// Appends an entry.
    pub fn push(&mut self, ace: Ace) {
        self.aces.push(ace);
    }

    /// The entries, in order.
    pub fn aces(&self) -> &[Ace] {
        &self.aces
    }

    /// Checks that every ACE names at least one credential kind.
    pub fn validate(&self) -> Result<(), InvalidAcl> {
        match self.aces.iter().position(|a| a.credentials.is_empty()) {
            Some(index) => Err(InvalidAcl::CredentialsNotSpecified { index }),
            None => Ok(()),
        }
    }

    /// Whether `who` holds every right in `rights` on the node `owner`
    /// (see the module docs for the order). `owner_credentials` are the
    /// credential kinds with which the owner gets implicit rights.
    pub fn allows(
        &self,
        owner: &PrincipalId,
        who: &Requester,
        rights: Rights,
        owner_credentials: Credentials,
    ) -> bool {
        self.allows_parts(
            owner,
            &who.principal,
            who.credential,
            rights,
            owner_credentials,
        )
    }

    /// [`allows`](Self::allows) without building a [`Requester`].
    pub(crate) fn allows_parts(
        &self,
        owner: &PrincipalId,
        principal: &PrincipalId,
        credential: CredentialKind,
        rights: Rights,
        owner_credentials: Credentials,
    ) -> bool {
        if principal == owner && owner_credentials.accepts(credential) {
            return true;
        }
        self.aces_allow(principal, credential, rights)
    }

    /// The ACE part of the evaluation (steps 2–4), for a non-owner.
    pub(crate) fn aces_allow(
        &self,
        principal: &PrincipalId,
        credential: CredentialKind,
        rights: Rights,
    ) -> bool {
        let who = (principal, credential);
        let (mut sg, mut sd, mut ag, mut ad) =
            (Rights::NONE, Rights::NONE, Rights::NONE, Rights::NONE);
        for ace in &self.aces {
            if !ace.credentials.accepts(who.1) {
                continue;
            }
            match &ace.principal {
                AcePrincipal::Principal(p) if p == who.0 => {
                    sg |= ace.grant;
                    sd |= ace.deny;
                }
                AcePrincipal::AllPrincipals => {
                    ag |= ace.grant;
                    ad |= ace.deny;
                }
                AcePrincipal::Principal(_) => {}
            }
        }
        Self::NAMES_ITER
            .iter()
            .filter(|r| rights.contains(**r))
            .all(|&r| {
                if sd.contains(r) {
                    false
                } else if sg.contains(r) {
                    true
                } else {
                    !ad.contains(r) && ag.contains(r)
                }
            })
    }

    const NAMES_ITER: [Rights; 10] = [
        Rights::READ,
        Rights::WRITE,
        Rights::READ_ACL,
        Rights::WRITE_ACL,
        Rights::SEND_TO,
        Rights::PRESENCE,
        Rights::LIST,
        Rights::RECEIVE_FROM,
        Rights::SUBSCRIPTIONS,
        Rights::SUBSCRIBE_OTHERS,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PrincipalId {
        PrincipalId::from(s)
    }

    fn req(s: &str, c: CredentialKind) -> Requester {
        Requester::new(p(s), c)
    }

    #[test]
    fn rights_tokens() {
        assert_eq!(Rights::from_token("all"), Some(Rights::ALL));
        assert_eq!(
            Rights::from_token("subscribe-others"),
            Some(Rights::SUBSCRIBE_OTHERS)
        );
        assert_eq!(Rights::from_token("delete"), None);
        assert_eq!(Rights::ALL.tokens().count(), 10);
        assert_eq!(
            format!("{:?}", Rights::READ | Rights::LIST),
            r#"{"read", "list"}"#
        );
        assert!(Rights::ALL.intersects(Rights::LIST) && Rights::NONE.is_empty());
    }

    #[test]
    fn draft_example_acl() {
        // §6.7.3: steveb denied send-to and presence; everyone else may list,
        // read, send-to, presence; bruceb (assertion) has everything.
        let owner = p("http://im.acme.com/instmsg/aliases/bruceb");
        let steve = "http://im.example.com/instmsg/aliases/steveb";
        let three = Credentials::ASSERTION | Credentials::DIGEST | Credentials::NTLM;
        let acl = Acl::from_aces(vec![
            Ace {
                principal: AcePrincipal::Principal(p(steve)),
                credentials: three,
                grant: Rights::NONE,
                deny: Rights::SEND_TO | Rights::PRESENCE,
            },
            Ace {
                principal: AcePrincipal::AllPrincipals,
                credentials: three,
                grant: Rights::LIST | Rights::READ | Rights::SEND_TO | Rights::PRESENCE,
                deny: Rights::NONE,
            },
        ]);
        let any = Credentials::ANY;
        let s = req(steve, CredentialKind::Ntlm);
        assert!(!acl.allows(&owner, &s, Rights::PRESENCE, any));
        assert!(!acl.allows(&owner, &s, Rights::SEND_TO, any));
        assert!(acl.allows(&owner, &s, Rights::READ, any));
        let other = req("http://x/instmsg/aliases/o", CredentialKind::Digest);
        assert!(acl.allows(&owner, &other, Rights::PRESENCE | Rights::SEND_TO, any));
        assert!(!acl.allows(&owner, &other, Rights::SUBSCRIPTIONS, any));
        // Internal credentials are not listed: treated as not in the ACL at all.
        let internal = req("http://x/instmsg/aliases/o", CredentialKind::Internal);
        assert!(!acl.allows(&owner, &internal, Rights::PRESENCE, any));
        // The owner keeps everything, even with an ACL that forgets it.
        let me = req(owner.as_str(), CredentialKind::Assertion);
        assert!(acl.allows(&owner, &me, Rights::ALL, any));
        assert!(!acl.allows(&owner, &me, Rights::ALL, Credentials::NTLM));
    }

    #[test]
    fn deny_wins_at_same_level_and_specific_beats_general() {
        let owner = p("o");
        let a = p("a");
        let acl = Acl::from_aces(vec![
            Ace::grant(AcePrincipal::AllPrincipals, Rights::PRESENCE),
            Ace::deny(AcePrincipal::AllPrincipals, Rights::PRESENCE),
            Ace::grant(AcePrincipal::Principal(a.clone()), Rights::PRESENCE),
        ]);
        let any = Credentials::ANY;
        assert!(acl.allows(
            &owner,
            &Requester::new(a, CredentialKind::Ntlm),
            Rights::PRESENCE,
            any
        ));
        assert!(!acl.allows(
            &owner,
            &req("b", CredentialKind::Ntlm),
            Rights::PRESENCE,
            any
        ));
        let acl = Acl::from_aces(vec![
            Ace::grant(AcePrincipal::Principal(p("a")), Rights::ALL),
            Ace::deny(AcePrincipal::Principal(p("a")), Rights::SEND_TO),
        ]);
        let ra = req("a", CredentialKind::Ntlm);
        assert!(!acl.allows(&owner, &ra, Rights::SEND_TO, any));
        assert!(acl.allows(&owner, &ra, Rights::PRESENCE, any));
        assert!(!acl.allows(&owner, &ra, Rights::PRESENCE | Rights::SEND_TO, any));
    }

    #[test]
    fn default_deny_and_validation() {
        let owner = p("o");
        assert!(!Acl::new().allows(
            &owner,
            &req("x", CredentialKind::Ntlm),
            Rights::READ,
            Credentials::ANY
        ));
        let bad = Acl::from_aces(vec![Ace {
            principal: AcePrincipal::AllPrincipals,
            credentials: Credentials::NONE,
            grant: Rights::READ,
            deny: Rights::NONE,
        }]);
        assert_eq!(
            bad.validate(),
            Err(InvalidAcl::CredentialsNotSpecified { index: 0 })
        );
        assert_eq!(Acl::default_for(&owner).validate(), Ok(()));
        assert_eq!(
            format!("{:?}", Credentials::NTLM | Credentials::DIGEST),
            r#"{"ntlm", "digest"}"#
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        const WHO: [&str; 3] = ["o", "a", "b"];
        const KINDS: [CredentialKind; 4] = [
            CredentialKind::Ntlm,
            CredentialKind::Digest,
            CredentialKind::Assertion,
            CredentialKind::Internal,
        ];

        fn ace() -> impl Strategy<Value = Ace> {
            (0..4usize, 1..16u8, 0..1024u16, 0..1024u16).prop_map(|(p, c, g, d)| Ace {
                principal: if p == 3 {
                    AcePrincipal::AllPrincipals
                } else {
                    AcePrincipal::Principal(PrincipalId::from(WHO[p]))
                },
                credentials: Credentials(c),
                grant: Rights(g),
                deny: Rights(d),
            })
        }

        proptest! {
            #[test]
            fn specific_deny_always_wins(aces in proptest::collection::vec(ace(), 0..6), k in 0..4usize, bit in 0..10u32) {
                let right = Rights(1 << bit);
                let who = Requester::new(PrincipalId::from("a"), KINDS[k]);
                let mut acl = Acl::from_aces(aces);
                acl.push(Ace::deny(AcePrincipal::Principal(PrincipalId::from("a")), right));
                prop_assert!(!acl.allows(&PrincipalId::from("o"), &who, right, Credentials::ANY));
            }

            #[test]
            fn owner_always_allowed(aces in proptest::collection::vec(ace(), 0..6), k in 0..4usize) {
                let owner = PrincipalId::from("o");
                let who = Requester::new(owner.clone(), KINDS[k]);
                prop_assert!(Acl::from_aces(aces).allows(&owner, &who, Rights::ALL, Credentials::ANY));
            }

            #[test]
            fn unmatched_credentials_are_as_if_absent(aces in proptest::collection::vec(ace(), 0..6), extra in ace(), k in 0..4usize, bit in 0..10u32) {
                let who = Requester::new(PrincipalId::from("a"), KINDS[k]);
                prop_assume!(!extra.credentials.accepts(who.credential));
                let owner = PrincipalId::from("o");
                let right = Rights(1 << bit);
                let base = Acl::from_aces(aces.clone());
                let mut with = Acl::from_aces(aces);
                with.push(extra);
                prop_assert_eq!(
                    base.allows(&owner, &who, right, Credentials::ANY),
                    with.allows(&owner, &who, right, Credentials::ANY)
                );
            }

            #[test]
            fn a_general_grant_never_removes_a_right(aces in proptest::collection::vec(ace(), 0..6), k in 0..4usize, bit in 0..10u32) {
                let who = Requester::new(PrincipalId::from("b"), KINDS[k]);
                let owner = PrincipalId::from("o");
                let right = Rights(1 << bit);
                let before = Acl::from_aces(aces.clone()).allows(&owner, &who, right, Credentials::ANY);
                let mut more = Acl::from_aces(aces);
                more.push(Ace::grant(AcePrincipal::AllPrincipals, Rights::ALL));
                prop_assert!(!before || more.allows(&owner, &who, right, Credentials::ANY));
            }
        }
    }
}
