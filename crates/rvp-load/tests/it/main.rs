//! Every scenario, tiny, against the in-tree `rvp-server` binary and the
//! baselines: the figures must be plausible and nothing may fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use rvp_load::scenario::{self, Options, Scenario, Target};
use rvp_load::{ConnMode, Report};

/// The rvp-server binary next to this test's target directory, built if missing.
fn server_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/it-xxxx -> target/<profile>/rvp-server
    let dir = exe.parent().unwrap().parent().unwrap();
    let bin = dir.join("rvp-server");
    if !bin.exists() {
        let status = std::process::Command::new(env!("CARGO"))
            .args(["build", "-q", "-p", "rvp-server"])
            .status()
            .unwrap();
        assert!(status.success());
    }
    assert!(bin.exists(), "{} missing", bin.display());
    bin
}

fn tiny(s: Scenario) -> Options {
    let mut o = scenario::defaults(s);
    o.rig.users = 20;
    o.rig.contacts = o.rig.contacts.min(3);
    o.rig.concurrency = 4;
    o.rig.listeners = 2;
    o.duration_secs = 1.0;
    o.warmup_secs = 0.2;
    o.rounds = 2;
    o
}

async fn run(s: Scenario, o: &Options) -> Report {
    let report = scenario::run(s, &Target::Spawn(server_bin()), o)
        .await
        .unwrap();
    assert!(report.ok, "{}", report.summary());
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["scenario"], s.name());
    let after = report.ours.server_after.expect("server sampled");
    assert!(after.rss_kib > 0 && after.cpu_secs > 0.0, "{after:?}");
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_against_the_forwarder() {
    let r = run(Scenario::Delivery, &tiny(Scenario::Delivery)).await;
    for side in [&r.ours, r.baseline.as_ref().unwrap()] {
        assert!(side.deliveries > 10, "{}", r.summary());
        assert!(side.latency.count == side.deliveries);
        assert!(side.latency.p50_us > 0 && side.latency.p50_us <= side.latency.p99_us);
        assert_eq!(side.messages.lost, 0);
        assert!(side.messages.accepted >= side.deliveries);
    }
    // Every request of ours is authenticated: at least the 20 first challenges.
    assert!(r.ours.challenges >= 20 || r.ours.requests > 0);
    assert!(r.ratios["deliveries_per_sec"] > 0.0);
    assert_eq!(r.goals.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_storm_connection_per_request() {
    let mut o = tiny(Scenario::LoginStorm);
    o.rig.conn = ConnMode::PerRequest;
    o.rig.source_ips = 2;
    let r = run(Scenario::LoginStorm, &o).await;
    assert_eq!(r.ours.extra["logins"], 20.0);
    // SUBSCRIBE, PROPPATCH, PROPFIND, SUBSCRIPTIONS, ACL and 3 contacts each,
    // plus one challenge per client.
    assert!(r.ours.requests >= 20 * 9, "{}", r.summary());
    let base = r.baseline.as_ref().unwrap();
    assert_eq!(base.extra["logins"], 20.0);
    assert_eq!(base.requests, 20 * 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fanout_reaches_every_watcher() {
    let r = run(Scenario::Fanout, &tiny(Scenario::Fanout)).await;
    for side in [&r.ours, r.baseline.as_ref().unwrap()] {
        assert_eq!(side.extra["watchers"], 19.0);
        assert!(side.extra["fanout_ms_median"] > 0.0, "{}", r.summary());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capacity_counts_bytes_per_session() {
    let mut o = tiny(Scenario::Capacity);
    o.rig.users = 200;
    let r = run(Scenario::Capacity, &o).await;
    assert_eq!(r.ours.extra["sessions"], 200.0);
    assert_eq!(r.ours.extra["subscriptions"], 600.0);
    assert!(r.ours.extra.contains_key("bytes_per_session"));
    assert!(r.baseline.is_none());
    assert!(r.goals[0].met, "{}", r.summary());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_with_churn_loses_nothing() {
    let mut o = tiny(Scenario::Soak);
    o.duration_secs = 4.0;
    o.rig.lease_secs = 2;
    o.rig.subscription_secs = 2;
    o.server_min_lease_secs = 1;
    o.message_rate = 100.0;
    o.churn_rate = 2.0;
    let r = run(Scenario::Soak, &o).await;
    assert!(r.ours.messages.accepted > 50, "{}", r.summary());
    assert_eq!(r.ours.messages.lost, 0);
    assert_eq!(r.ours.messages.duplicated, 0);
    // Leases of 2 s were renewed: more requests than the logins alone.
    assert!(r.ours.requests > 100);
}
