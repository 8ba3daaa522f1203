//! A bounded DNS answer cache keyed by (name, query kind), with TTL expiry. Sans-IO: every
//! call takes `now`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::dns::{AddrAnswer, QueryKind, SrvAnswer};

/// A cached answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Cached {
    Srv(SrvAnswer),
    Addr(AddrAnswer),
}

#[derive(Debug)]
struct Entry {
    value: Cached,
    expires: Instant,
}

/// The cache. Names are keys in lower case without a trailing dot.
#[derive(Debug)]
pub(crate) struct Cache {
    entries: HashMap<(String, QueryKind), Entry>,
    capacity: usize,
}

impl Cache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: HashMap::new(),
            capacity,
        }
    }

    /// The live entry for `key`, and how long it has left; expired entries are removed.
    pub(crate) fn get(
        &mut self,
        name: &str,
        kind: QueryKind,
        now: Instant,
    ) -> Option<(Cached, Duration)> {
        let key = (name.to_ascii_lowercase(), kind);
        match self.entries.get(&key) {
            Some(e) if e.expires > now => Some((e.value.clone(), e.expires - now)),
            Some(_) => {
                self.entries.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Stores `value` for `ttl`; a zero TTL or zero capacity stores nothing. When full,
    /// expired entries go first, then the entry closest to expiry.
    pub(crate) fn insert(
        &mut self,
        name: &str,
        kind: QueryKind,
        value: Cached,
        ttl: Duration,
        now: Instant,
    ) {
        if ttl.is_zero() || self.capacity == 0 {
            return;
        }
        let key = (name.to_ascii_lowercase(), kind);
        if !self.entries.contains_key(&key) && self.entries.len() >= self.capacity {
            self.entries.retain(|_, e| e.expires > now);
            if self.entries.len() >= self.capacity {
                let soonest = self
                    .entries
                    .iter()
                    .min_by_key(|(_, e)| e.expires)
                    .map(|(k, _)| k.clone());
                if let Some(k) = soonest {
                    self.entries.remove(&k);
                }
            }
        }
        self.entries.insert(
            key,
            Entry {
                value,
                expires: now + ttl,
            },
        );
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nx() -> Cached {
        Cached::Srv(SrvAnswer::NxDomain { negative_ttl: None })
    }

    #[test]
    fn entries_expire_on_virtual_time() {
        let t0 = Instant::now();
        let mut c = Cache::new(4);
        c.insert(
            "A.example",
            QueryKind::Srv,
            nx(),
            Duration::from_secs(10),
            t0,
        );
        assert_eq!(
            c.get("a.example", QueryKind::Srv, t0 + Duration::from_secs(3)),
            Some((nx(), Duration::from_secs(7)))
        );
        assert_eq!(c.get("a.example", QueryKind::A, t0), None);
        assert_eq!(
            c.get("a.example", QueryKind::Srv, t0 + Duration::from_secs(10)),
            None
        );
        assert_eq!(c.len(), 0);
        c.insert("z", QueryKind::Srv, nx(), Duration::ZERO, t0);
        assert_eq!(c.len(), 0);
    }

    #[test]
    fn capacity_is_bounded() {
        let t0 = Instant::now();
        let mut c = Cache::new(3);
        for i in 0..10u64 {
            c.insert(
                &format!("h{i}"),
                QueryKind::A,
                nx(),
                Duration::from_secs(100 + i),
                t0,
            );
            assert!(c.len() <= 3);
        }
        // The longest-lived entries survive.
        assert!(c.get("h9", QueryKind::A, t0).is_some());
        assert!(c.get("h0", QueryKind::A, t0).is_none());
        c.clear();
        assert_eq!(c.len(), 0);
        let mut none = Cache::new(0);
        none.insert("h", QueryKind::A, nx(), Duration::from_secs(1), t0);
        assert_eq!(none.len(), 0);
    }
}
