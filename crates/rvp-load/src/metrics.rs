//! What a run counts: requests, errors by kind, message receipts and their
//! latencies, presence notifications, and per-message receipt counts for
//! the exactly-once check.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Instant;

use crate::histogram::Histogram;

/// Histogram shards (receipts arrive on many tasks at once).
const SHARDS: usize = 16;
/// Messages per chunk of the receipt table.
const CHUNK: usize = 1 << 16;
/// Bit set in a message's cell once the server accepted it (2xx).
const ACCEPTED: u8 = 0x80;
/// Receipts counted per message (saturating).
const COUNT_MASK: u8 = 0x3f;

/// Counters shared by the clients, the senders and the callback listeners.
#[derive(Debug)]
pub struct Metrics {
    epoch: Instant,
    measuring: AtomicBool,
    requests: AtomicU64,
    challenges: AtomicU64,
    deliveries: AtomicU64,
    presence: AtomicU64,
    last_presence_us: AtomicU64,
    next_message: AtomicU64,
    errors: Mutex<BTreeMap<String, u64>>,
    latency: Vec<Mutex<Histogram>>,
    request_latency: Vec<Mutex<Histogram>>,
    receipts: RwLock<Vec<Arc<[AtomicU8]>>>,
}

/// The exactly-once tally of the messages sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    /// Messages the server accepted (2xx).
    pub accepted: u64,
    /// Accepted messages never received.
    pub lost: u64,
    /// Messages received more than once.
    pub duplicated: u64,
    /// Messages received without the server having accepted them (the
    /// answer was an error or never came).
    pub received_unaccepted: u64,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Fresh counters; the clock starts now and counting is on.
    pub fn new() -> Self {
        Self {
            epoch: Instant::now(),
            measuring: AtomicBool::new(true),
            requests: AtomicU64::new(0),
            challenges: AtomicU64::new(0),
            deliveries: AtomicU64::new(0),
            presence: AtomicU64::new(0),
            last_presence_us: AtomicU64::new(0),
            next_message: AtomicU64::new(0),
            errors: Mutex::new(BTreeMap::new()),
            latency: (0..SHARDS).map(|_| Mutex::new(Histogram::new())).collect(),
            request_latency: (0..SHARDS).map(|_| Mutex::new(Histogram::new())).collect(),
            receipts: RwLock::new(Vec::new()),
        }
    }

    /// Microseconds since the counters were made (the time base of the
    /// timestamps carried in messages).
    pub fn now_us(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    /// Starts a measurement window: throughput and latency counters restart
    /// from zero (errors and the receipt table are kept).
    pub fn start_window(&self) {
        self.requests.store(0, Ordering::Relaxed);
        self.challenges.store(0, Ordering::Relaxed);
        self.deliveries.store(0, Ordering::Relaxed);
        self.presence.store(0, Ordering::Relaxed);
        for h in self.latency.iter().chain(&self.request_latency) {
            *lock(h) = Histogram::new();
        }
        self.measuring.store(true, Ordering::Relaxed);
    }

    /// Counts one HTTP exchange and its round-trip time.
    pub fn on_request(&self, rtt_us: u64, challenged: bool) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if challenged {
            self.challenges.fetch_add(1, Ordering::Relaxed);
        }
        let shard = (rtt_us as usize) % SHARDS;
        if let Some(h) = self.request_latency.get(shard) {
            lock(h).record(rtt_us);
        }
    }

    /// Counts one error of `kind` (`"connect"`, `"NOTIFY 412"`, ...).
    pub fn error(&self, kind: impl Into<String>) {
        *lock(&self.errors).entry(kind.into()).or_insert(0) += 1;
    }

    /// A new message id (dense from 0).
    pub fn next_message_id(&self) -> u64 {
        self.next_message.fetch_add(1, Ordering::Relaxed)
    }

    /// Messages sent so far (ids handed out).
    pub fn messages_sent(&self) -> u64 {
        self.next_message.load(Ordering::Relaxed)
    }

    fn cell<R>(&self, id: u64, f: impl FnOnce(&AtomicU8) -> R) -> R {
        let chunk = (id / CHUNK as u64) as usize;
        let slot = (id % CHUNK as u64) as usize;
        {
            let table = self.receipts.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(cell) = table.get(chunk).and_then(|c| c.get(slot)) {
                return f(cell);
            }
        }
        let mut table = self
            .receipts
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        while table.len() <= chunk {
            table.push((0..CHUNK).map(|_| AtomicU8::new(0)).collect());
        }
        // The chunk exists now.
        let fallback = AtomicU8::new(0);
        f(table
            .get(chunk)
            .and_then(|c| c.get(slot))
            .unwrap_or(&fallback))
    }

    /// The server accepted message `id`.
    pub fn on_accepted(&self, id: u64) {
        self.cell(id, |c| c.fetch_or(ACCEPTED, Ordering::Relaxed));
    }

    /// A callback received message `id`, sent at `sent_us`.
    pub fn on_message(&self, id: u64, sent_us: u64) {
        self.cell(id, |c| {
            let _ = c.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
                (v & COUNT_MASK < COUNT_MASK).then_some(v + 1)
            });
        });
        if self.measuring.load(Ordering::Relaxed) {
            self.deliveries.fetch_add(1, Ordering::Relaxed);
            let latency = self.now_us().saturating_sub(sent_us);
            if let Some(h) = self.latency.get((id as usize) % SHARDS) {
                lock(h).record(latency);
            }
        }
    }

    /// A callback received a presence notification.
    pub fn on_presence(&self) {
        self.presence.fetch_add(1, Ordering::Relaxed);
        self.last_presence_us
            .fetch_max(self.now_us(), Ordering::Relaxed);
    }

    /// Presence notifications received in this window.
    pub fn presence_received(&self) -> u64 {
        self.presence.load(Ordering::Relaxed)
    }

    /// When the latest presence notification arrived (µs on [`now_us`](Self::now_us)).
    pub fn last_presence_us(&self) -> u64 {
        self.last_presence_us.load(Ordering::Relaxed)
    }

    /// HTTP exchanges in this window.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// `401` challenges in this window.
    pub fn challenges(&self) -> u64 {
        self.challenges.load(Ordering::Relaxed)
    }

    /// Messages received in this window.
    pub fn deliveries(&self) -> u64 {
        self.deliveries.load(Ordering::Relaxed)
    }

    /// Errors by kind.
    pub fn errors(&self) -> BTreeMap<String, u64> {
        lock(&self.errors).clone()
    }

    /// Send-to-receipt latencies of this window.
    pub fn latency(&self) -> Histogram {
        merged(&self.latency)
    }

    /// Request round-trip times of this window.
    pub fn request_latency(&self) -> Histogram {
        merged(&self.request_latency)
    }

    /// Checks every message sent: accepted ones received exactly once.
    pub fn tally(&self) -> Tally {
        let sent = self.messages_sent();
        let table = self.receipts.read().unwrap_or_else(PoisonError::into_inner);
        let mut t = Tally::default();
        for (i, v) in table
            .iter()
            .flat_map(|c| c.iter())
            .take(usize::try_from(sent).unwrap_or(usize::MAX))
            .map(|c| c.load(Ordering::Relaxed))
            .enumerate()
        {
            let _ = i;
            let count = v & COUNT_MASK;
            if v & ACCEPTED != 0 {
                t.accepted += 1;
                if count == 0 {
                    t.lost += 1;
                }
            } else if count > 0 {
                t.received_unaccepted += 1;
            }
            if count > 1 {
                t.duplicated += 1;
            }
        }
        t
    }
}

fn merged(shards: &[Mutex<Histogram>]) -> Histogram {
    let mut all = Histogram::new();
    for h in shards {
        all.merge(&lock(h));
    }
    all
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tally_finds_lost_and_duplicated_messages() {
        let m = Metrics::new();
        let ids: Vec<u64> = (0..5).map(|_| m.next_message_id()).collect();
        // 0: accepted and received once; 1: accepted, lost; 2: received twice;
        // 3: received, never accepted; 4: neither (refused by the server).
        m.on_message(ids[0], 0);
        m.on_accepted(ids[0]);
        m.on_accepted(ids[1]);
        m.on_accepted(ids[2]);
        m.on_message(ids[2], 0);
        m.on_message(ids[2], 0);
        m.on_message(ids[3], 0);
        assert_eq!(
            m.tally(),
            Tally {
                accepted: 3,
                lost: 1,
                duplicated: 1,
                received_unaccepted: 1
            }
        );
        assert_eq!(m.deliveries(), 4);
        assert_eq!(m.latency().count(), 4);
    }

    #[test]
    fn ids_beyond_one_chunk_are_tracked() {
        let m = Metrics::new();
        let id = CHUNK as u64 * 2 + 5;
        for _ in 0..=id {
            m.next_message_id();
        }
        m.on_accepted(id);
        assert_eq!(m.tally().lost, 1);
        m.on_message(id, 0);
        assert_eq!(m.tally().lost, 0);
        m.error("NOTIFY 412");
        m.error("NOTIFY 412");
        assert_eq!(m.errors()["NOTIFY 412"], 2);
    }
}
