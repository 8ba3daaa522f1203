//! The table of nonces issued and not yet forgotten.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::time::Instant;

use super::error::{AuthError, StaleReason};

/// One use of a nonce, to check against replay.
#[derive(Clone, Copy, Debug)]
pub(crate) enum NonceUse<'a> {
    /// `qop=auth` credentials: the pair (nc, cnonce) may be accepted once.
    Qop {
        /// The nonce count.
        nc: u32,
        /// The client nonce.
        cnonce: &'a str,
    },
    /// RFC 2069 credentials (no qop): accepted once per nonce.
    Rfc2069,
}

#[derive(Debug)]
struct NonceState {
    realm: Box<str>,
    opaque: Option<Box<str>>,
    expires: Instant,
    /// How many credentials were accepted with this nonce.
    uses: u32,
    /// Keyed hashes of the (nc, cnonce) pairs accepted, at most `max_uses`. A hash
    /// collision (about 2^-64) refuses a fresh pair as a replay; the client then gets a
    /// new challenge, which is harmless.
    seen: Vec<u64>,
    rfc2069_used: bool,
}

/// Nonces in the order they were issued (which, with one lifetime, is the order they
/// expire in), at most `max` of them: issuing one more forgets the oldest.
#[derive(Debug)]
pub(crate) struct NonceTable {
    map: HashMap<Box<str>, NonceState>,
    order: VecDeque<(Box<str>, Instant)>,
    max: usize,
    max_uses: u32,
    hasher: RandomState,
}

impl NonceTable {
    pub(crate) fn new(max: usize, max_uses: u32) -> Self {
        Self {
            map: HashMap::new(),
            order: VecDeque::new(),
            max,
            max_uses,
            hasher: RandomState::new(),
        }
    }

    /// Whether `nonce` is in the table (issued and not forgotten).
    pub(crate) fn contains(&self, nonce: &str) -> bool {
        self.map.contains_key(nonce)
    }

    /// How many nonces are held.
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// Forgets the nonces that expired at `now`.
    pub(crate) fn purge(&mut self, now: Instant) {
        while let Some((_, expires)) = self.order.front() {
            if *expires > now {
                break;
            }
            self.pop_oldest();
        }
    }

    fn pop_oldest(&mut self) {
        if let Some((nonce, _)) = self.order.pop_front() {
            self.map.remove(&nonce);
        }
    }

    /// Records a new nonce (the caller made sure it is not in the table).
    pub(crate) fn insert(
        &mut self,
        now: Instant,
        nonce: &str,
        realm: &str,
        opaque: Option<&str>,
        expires: Instant,
    ) {
        self.purge(now);
        while self.map.len() >= self.max {
            self.pop_oldest();
        }
        self.map.insert(
            nonce.into(),
            NonceState {
                realm: realm.into(),
                opaque: opaque.map(Into::into),
                expires,
                uses: 0,
                seen: Vec::new(),
                rfc2069_used: false,
            },
        );
        self.order.push_back((nonce.into(), expires));
    }

    /// Checks one use of `nonce` (whose credentials were verified) and records it.
    ///
    /// Order of checks: known, not expired, realm and opaque as issued, not used up, not
    /// a replay.
    pub(crate) fn use_nonce(
        &mut self,
        now: Instant,
        nonce: &str,
        realm: &str,
        opaque: Option<&str>,
        use_: NonceUse<'_>,
    ) -> Result<(), AuthError> {
        let hasher = &self.hasher;
        let Some(state) = self.map.get_mut(nonce) else {
            return Err(AuthError::Stale {
                reason: StaleReason::Unknown,
            });
        };
        if state.expires <= now {
            return Err(AuthError::Stale {
                reason: StaleReason::Expired,
            });
        }
        if &*state.realm != realm {
            // A nonce issued for another realm: treat it as not ours.
            return Err(AuthError::Stale {
                reason: StaleReason::Unknown,
            });
        }
        if state.opaque.as_deref() != opaque && state.opaque.is_some() {
            return Err(AuthError::OpaqueMismatch);
        }
        match use_ {
            NonceUse::Rfc2069 => {
                if state.rfc2069_used {
                    return Err(AuthError::Replay { nc: None });
                }
            }
            NonceUse::Qop { nc, cnonce } => {
                let key = hasher.hash_one((nc, cnonce));
                if state.seen.contains(&key) {
                    return Err(AuthError::Replay { nc: Some(nc) });
                }
            }
        }
        if state.uses >= self.max_uses {
            return Err(AuthError::Stale {
                reason: StaleReason::Exhausted,
            });
        }
        state.uses += 1;
        match use_ {
            NonceUse::Rfc2069 => state.rfc2069_used = true,
            NonceUse::Qop { nc, cnonce } => state.seen.push(hasher.hash_one((nc, cnonce))),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn qop(nc: u32, cnonce: &str) -> NonceUse<'_> {
        NonceUse::Qop { nc, cnonce }
    }

    #[test]
    fn replay_and_fresh_cnonce() {
        let t0 = Instant::now();
        let mut t = NonceTable::new(10, 3);
        t.insert(t0, "n", "r", None, t0 + Duration::from_secs(60));
        t.use_nonce(t0, "n", "r", None, qop(1, "a")).unwrap();
        assert_eq!(
            t.use_nonce(t0, "n", "r", None, qop(1, "a")),
            Err(AuthError::Replay { nc: Some(1) })
        );
        t.use_nonce(t0, "n", "r", None, qop(1, "b")).unwrap();
        t.use_nonce(t0, "n", "r", None, NonceUse::Rfc2069).unwrap();
        assert_eq!(
            t.use_nonce(t0, "n", "r", None, NonceUse::Rfc2069),
            Err(AuthError::Replay { nc: None })
        );
        assert_eq!(
            t.use_nonce(t0, "n", "r", None, qop(1, "c")),
            Err(AuthError::Stale {
                reason: StaleReason::Exhausted
            })
        );
    }

    #[test]
    fn expiry_realm_opaque() {
        let t0 = Instant::now();
        let later = t0 + Duration::from_secs(60);
        let mut t = NonceTable::new(10, 3);
        t.insert(t0, "n", "r", Some("op"), later);
        assert_eq!(
            t.use_nonce(t0, "n", "other", Some("op"), qop(1, "a")),
            Err(AuthError::Stale {
                reason: StaleReason::Unknown
            })
        );
        assert_eq!(
            t.use_nonce(t0, "n", "r", None, qop(1, "a")),
            Err(AuthError::OpaqueMismatch)
        );
        assert_eq!(
            t.use_nonce(later, "n", "r", Some("op"), qop(1, "a")),
            Err(AuthError::Stale {
                reason: StaleReason::Expired
            })
        );
        t.purge(later);
        assert_eq!(t.len(), 0);
        assert_eq!(
            t.use_nonce(t0, "n", "r", Some("op"), qop(1, "a")),
            Err(AuthError::Stale {
                reason: StaleReason::Unknown
            })
        );
    }

    #[test]
    fn bounded_oldest_evicted() {
        let t0 = Instant::now();
        let exp = t0 + Duration::from_secs(60);
        let mut t = NonceTable::new(3, 1);
        for n in ["a", "b", "c", "d", "e"] {
            t.insert(t0, n, "r", None, exp);
            assert!(t.len() <= 3);
        }
        assert!(!t.contains("a") && !t.contains("b"));
        assert!(t.contains("c") && t.contains("e"));
    }
}
