//! Benchmarks of the presence core at scale: 100,000 principals with 20
//! watchers each (2 million subscriptions).
//!
//! Reports (stderr) live heap bytes per subscription and per principal,
//! measured with a counting global allocator, then times:
//! - `fanout_1000`: one state change notifying 1,000 watchers (events drained);
//! - `handle_timeout_per_expired_lease`: 1,000 leases expiring in one
//!   `handle_timeout`, each notifying its 20 watchers (per-element figure);
//! - `poll_timeout`: the next deadline among 2 million;
//! - `subscribe_unsubscribe`: one SUBSCRIBE and one UNSUBSCRIBE.
//!
//! Size: `PRESENCE_BENCH_PRINCIPALS` (default 100000). CI-sized run:
//! `PRESENCE_BENCH_PRINCIPALS=2000 cargo bench -p presence-model -- --warm-up-time 1 --measurement-time 2`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::alloc::System;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use presence_model::{
    CallbackUrl, Config, CredentialKind, NotificationType, PresenceState, PrincipalId, Requester,
    Server, StateUpdate, SubscribeRequest, TimeoutPolicy,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn live_bytes() -> i64 {
    let s = GLOBAL.stats();
    s.bytes_allocated as i64 - s.bytes_deallocated as i64 + s.bytes_reallocated as i64
}

const PER_PRINCIPAL: usize = 20;
const FANOUT: usize = 1000;
const BATCH: usize = 1000;
const YEARS: Duration = Duration::from_secs(10 * 365 * 86_400);

struct World {
    server: Server,
    names: Vec<PrincipalId>,
    hot: PrincipalId,
    now: Instant,
}

fn req(p: &PrincipalId) -> Requester {
    Requester::new(p.clone(), CredentialKind::Ntlm)
}

fn build(n: usize) -> World {
    let t0 = Instant::now();
    let mut config = Config::default();
    config.rng_seed = Some(1);
    config.subscription = TimeoutPolicy::subscription().with_bounds(Duration::from_secs(60), YEARS);
    config.lease =
        TimeoutPolicy::lease().with_bounds(Duration::from_secs(1), Duration::from_secs(3600));
    config.limits.max_subscriptions = 10_000_000;
    config.limits.max_subscriptions_per_subscriber = 10_000;
    let names: Vec<PrincipalId> = (0..n)
        .map(|i| PrincipalId::from(format!("http://example.com/instmsg/aliases/user{i}")))
        .collect();
    let hot = PrincipalId::from("http://example.com/instmsg/aliases/popular");
    let m0 = live_bytes();
    let mut server = Server::new(config, t0);
    for p in &names {
        server.register(t0, p.clone());
    }
    let m1 = live_bytes();
    let mut count = 0usize;
    for (i, target) in names.iter().enumerate() {
        for k in 1..=PER_PRINCIPAL {
            let w = &names[(i + k * 7919) % n];
            let r = SubscribeRequest {
                target: target.clone(),
                notification_type: NotificationType::UpdatePropchange,
                callback: CallbackUrl::from(w),
                lifetime: Some(YEARS),
                origin: None,
            };
            server.subscribe(t0, &req(w), r).expect("subscribe");
            count += 1;
        }
    }
    let m2 = live_bytes();
    server.register(t0, hot.clone());
    for w in names.iter().take(FANOUT.min(n)) {
        let r = SubscribeRequest {
            target: hot.clone(),
            notification_type: NotificationType::UpdatePropchange,
            callback: CallbackUrl::from(w),
            lifetime: Some(YEARS),
            origin: None,
        };
        server.subscribe(t0, &req(w), r).expect("subscribe hot");
    }
    let url_bytes: usize = names.iter().map(|p| p.as_str().len()).sum::<usize>() / n;
    eprintln!(
        "presence-model: {n} principals, {count} subscriptions; heap per principal {} B (plus its URL, {url_bytes} B); heap per subscription {} B; deadline entries {}",
        (m1 - m0) / n as i64,
        (m2 - m1) / count as i64,
        server.stats().timer_entries,
    );
    World {
        server,
        names,
        hot,
        now: t0 + Duration::from_secs(1),
    }
}

fn benches(c: &mut Criterion) {
    let n: usize = std::env::var("PRESENCE_BENCH_PRINCIPALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let mut w = build(n);

    let mut g = c.benchmark_group("presence");
    g.throughput(Throughput::Elements(FANOUT.min(n) as u64));
    let mut flip = false;
    g.bench_function("fanout_1000", |b| {
        b.iter(|| {
            flip = !flip;
            let s = if flip {
                PresenceState::Busy
            } else {
                PresenceState::Online
            };
            let u = StateUpdate::leased(s, PresenceState::Offline, Some(Duration::from_secs(3600)));
            let hot = w.hot.clone();
            w.server.set_state(w.now, &req(&hot), &hot, u).expect("set");
            let mut k = 0;
            while let Some(e) = w.server.poll_event() {
                black_box(e);
                k += 1;
            }
            k
        });
    });

    g.throughput(Throughput::Elements(1));
    g.bench_function("poll_timeout", |b| {
        b.iter(|| black_box(w.server.poll_timeout()))
    });

    let mut next = 0usize;
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function("handle_timeout_per_expired_lease", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                for _ in 0..BATCH {
                    let p = w.names[next % n].clone();
                    next += 1;
                    let u = StateUpdate::leased(
                        PresenceState::Online,
                        PresenceState::Offline,
                        Some(Duration::from_secs(1)),
                    );
                    w.server.set_state(w.now, &req(&p), &p, u).expect("set");
                }
                while w.server.poll_event().is_some() {}
                w.now += Duration::from_secs(1);
                let start = Instant::now();
                w.server.handle_timeout(w.now);
                total += start.elapsed();
                while w.server.poll_event().is_some() {}
            }
            total
        });
    });

    g.throughput(Throughput::Elements(1));
    let mut i = 0usize;
    g.bench_function("subscribe_unsubscribe", |b| {
        b.iter(|| {
            i += 1;
            let target = w.names[i % n].clone();
            let watcher = w.names[(i * 31 + 7) % n].clone();
            let r = SubscribeRequest {
                target: target.clone(),
                notification_type: NotificationType::UpdatePropchange,
                callback: CallbackUrl::from(&watcher),
                lifetime: Some(Duration::from_secs(14_400)),
                origin: None,
            };
            let id = w
                .server
                .subscribe(w.now, &req(&watcher), r)
                .expect("subscribe")
                .id;
            w.server
                .unsubscribe(w.now, &req(&watcher), &target, id)
                .expect("unsubscribe");
        });
    });
    g.finish();
}

criterion_group! {
    name = model;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(model);
