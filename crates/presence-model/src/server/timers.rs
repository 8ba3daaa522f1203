//! Time in ticks (milliseconds since the server's epoch) and the deadline index.
//!
//! The index is a binary min-heap of `(deadline, timer)` with lazy
//! invalidation: renewing or cancelling does not search the heap; an entry
//! is valid only while the subscription or view it names still has exactly
//! that deadline. The core discards invalid entries from the top after every
//! mutation, so [`Timers::peek`] (and `poll_timeout`) is O(1); pushes and pops
//! are O(log n). When stale entries outnumber live ones the heap is rebuilt.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::{Duration, Instant};

use super::{Node, Sub};
use crate::{SubscriptionId, ViewId};

/// Converts between `Instant` and compact millisecond ticks.
#[derive(Clone, Copy, Debug)]
pub(super) struct Clock {
    epoch: Instant,
}

impl Clock {
    pub(super) fn new(epoch: Instant) -> Self {
        Self { epoch }
    }

    /// Milliseconds since the epoch, rounded down (instants before the
    /// epoch count as the epoch).
    pub(super) fn ticks(&self, now: Instant) -> u64 {
        Self::ms_floor(now.saturating_duration_since(self.epoch))
    }

    pub(super) fn instant(&self, ticks: u64) -> Instant {
        self.epoch + Duration::from_millis(ticks)
    }

    fn ms_floor(d: Duration) -> u64 {
        u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
    }

    /// A duration in whole milliseconds, rounded up.
    pub(super) fn ms(d: Duration) -> u64 {
        let ms = Self::ms_floor(d);
        if !d.subsec_nanos().is_multiple_of(1_000_000) {
            ms.saturating_add(1)
        } else {
            ms
        }
    }
}

/// What a deadline is for.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub(super) enum Timer {
    /// A subscription's lifetime.
    Sub(SubscriptionId),
    /// A view's lease (node index, view).
    View(u32, ViewId),
}

/// Largest view id: view ids fit in 31 bits so a timer packs into a `u64`.
pub(super) const MAX_VIEW_ID: u32 = (1 << 31) - 1;

const VIEW_TAG: u64 = 1 << 63;

impl Timer {
    /// Packs into 64 bits: a subscription id, or tag | node << 31 | view.
    fn encode(self) -> u64 {
        match self {
            Timer::Sub(id) => u64::from(id.get()),
            Timer::View(node, view) => {
                VIEW_TAG | (u64::from(node) << 31) | u64::from(view.get() & MAX_VIEW_ID)
            }
        }
    }

    fn decode(v: u64) -> Timer {
        if v & VIEW_TAG == 0 {
            Timer::Sub(SubscriptionId::new(v as u32))
        } else {
            Timer::View(
                ((v & !VIEW_TAG) >> 31) as u32,
                ViewId::new((v as u32) & MAX_VIEW_ID),
            )
        }
    }
}

/// Min-heap of `(deadline, packed timer)`: 16 bytes per entry.
#[derive(Debug, Default)]
pub(super) struct Timers {
    heap: BinaryHeap<Reverse<(u64, u64)>>,
}

fn valid(
    due: u64,
    timer: Timer,
    subs: &HashMap<SubscriptionId, Sub>,
    nodes: &[Option<Node>],
) -> bool {
    match timer {
        Timer::Sub(id) => subs.get(&id).is_some_and(|s| s.expires == due),
        Timer::View(idx, view) => nodes
            .get(idx as usize)
            .and_then(Option::as_ref)
            .and_then(|n| n.hosted.as_ref())
            .is_some_and(|h| h.views.iter().any(|v| v.id == view && v.expires == due)),
    }
}

impl Timers {
    pub(super) fn push(&mut self, due: u64, timer: Timer) {
        self.heap.push(Reverse((due, timer.encode())));
    }

    pub(super) fn peek(&self) -> Option<u64> {
        self.heap.peek().map(|Reverse((due, _))| *due)
    }

    pub(super) fn len(&self) -> usize {
        self.heap.len()
    }

    /// Pops the earliest entry if it is due at `now` (valid or not).
    pub(super) fn pop_due(&mut self, now: u64) -> Option<(u64, Timer)> {
        if self.peek()? <= now {
            self.heap
                .pop()
                .map(|Reverse((due, t))| (due, Timer::decode(t)))
        } else {
            None
        }
    }

    /// Discards invalid entries from the top, so `peek` is a live deadline.
    pub(super) fn clean(&mut self, subs: &HashMap<SubscriptionId, Sub>, nodes: &[Option<Node>]) {
        while let Some(Reverse((due, timer))) = self.heap.peek() {
            if valid(*due, Timer::decode(*timer), subs, nodes) {
                break;
            }
            self.heap.pop();
        }
    }

    /// Every entry, live or stale, in no particular order.
    pub(super) fn entries(&self) -> impl Iterator<Item = (u64, Timer)> + '_ {
        self.heap
            .iter()
            .map(|Reverse((due, t))| (*due, Timer::decode(*t)))
    }

    /// Whether the earliest entry is live (or there is none): what
    /// [`clean`](Self::clean) establishes after every mutation.
    pub(super) fn next_is_live(
        &self,
        subs: &HashMap<SubscriptionId, Sub>,
        nodes: &[Option<Node>],
    ) -> bool {
        self.heap
            .peek()
            .is_none_or(|Reverse((due, t))| valid(*due, Timer::decode(*t), subs, nodes))
    }

    /// Rebuilds the heap when more than half of it is stale.
    pub(super) fn maybe_compact(
        &mut self,
        live: usize,
        subs: &HashMap<SubscriptionId, Sub>,
        nodes: &[Option<Node>],
    ) {
        if self.heap.len() > 2 * live + 1024 {
            let mut v = std::mem::take(&mut self.heap).into_vec();
            v.retain(|Reverse((due, timer))| valid(*due, Timer::decode(*timer), subs, nodes));
            self.heap = BinaryHeap::from(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_round_trip_and_round() {
        let t0 = Instant::now();
        let c = Clock::new(t0);
        assert_eq!(c.ticks(t0), 0);
        assert_eq!(c.ticks(t0 + Duration::from_micros(1999)), 1);
        assert_eq!(c.instant(1500), t0 + Duration::from_millis(1500));
        assert_eq!(Clock::ms(Duration::from_micros(1001)), 2);
        assert_eq!(Clock::ms(Duration::from_secs(3)), 3000);
        assert_eq!(
            c.ticks(t0.checked_sub(Duration::from_secs(1)).unwrap_or(t0)),
            0
        );
    }

    #[test]
    fn timers_pack_and_unpack() {
        for t in [
            Timer::Sub(SubscriptionId::new(1)),
            Timer::Sub(SubscriptionId::new(i32::MAX as u32)),
            Timer::View(0, ViewId::new(1)),
            Timer::View(u32::MAX, ViewId::new(MAX_VIEW_ID)),
            Timer::View(12345, ViewId::new(678)),
        ] {
            assert_eq!(Timer::decode(t.encode()), t);
        }
        assert_eq!(std::mem::size_of::<Reverse<(u64, u64)>>(), 16);
    }

    #[test]
    fn heap_orders_and_pops_only_due() {
        let mut t = Timers::default();
        t.push(30, Timer::Sub(SubscriptionId::new(3)));
        t.push(10, Timer::Sub(SubscriptionId::new(1)));
        t.push(20, Timer::View(0, ViewId::new(1)));
        assert_eq!(t.peek(), Some(10));
        assert_eq!(t.pop_due(9), None);
        assert_eq!(
            t.pop_due(20),
            Some((10, Timer::Sub(SubscriptionId::new(1))))
        );
        assert_eq!(t.pop_due(20), Some((20, Timer::View(0, ViewId::new(1)))));
        assert_eq!(t.pop_due(20), None);
        // Nothing is valid against empty tables: clean empties the heap.
        t.clean(&HashMap::new(), &[]);
        assert_eq!(t.len(), 0);
    }
}
