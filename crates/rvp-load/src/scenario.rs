//! The scenarios of issue 8, each run against the server and then against
//! its baseline with the same parameters, in one process.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rvp_codec::xml::State;

use crate::baseline::{Baseline, BaselineKind};
use crate::http::ConnMode;
use crate::metrics::Metrics;
use crate::report::{Goal, Report, RunResult, ratio};
use crate::rig::{Rig, RigOptions, contacts_of};
use crate::server::{ProcSample, ServerError, ServerSpec, SpawnedServer};

/// Which scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    /// Messages between online clients, keep-alive senders, vs the forwarder.
    Delivery,
    /// Many clients log in at once, connection per request, vs the bare server.
    LoginStorm,
    /// One principal with many watchers changes state, vs the forwarder.
    Fanout,
    /// Many logged-in sessions with contacts held; memory per session.
    Capacity,
    /// A long mixed load with short leases and clients leaving.
    Soak,
}

impl Scenario {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Delivery => "delivery",
            Scenario::LoginStorm => "login-storm",
            Scenario::Fanout => "fanout",
            Scenario::Capacity => "capacity",
            Scenario::Soak => "soak",
        }
    }
}

/// Where the server under test is.
#[derive(Clone, Debug)]
pub enum Target {
    /// Spawn this `rvp-server` binary (with a generated directory and config).
    Spawn(PathBuf),
    /// A running server (its directory must hold the generated users).
    Running {
        /// Its address.
        addr: SocketAddr,
        /// Its process id, for RSS and CPU time.
        pid: Option<u32>,
    },
}

/// Everything a scenario run needs.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Options {
    /// The rig settings.
    pub rig: RigOptions,
    /// Measured time, seconds.
    pub duration_secs: f64,
    /// Unmeasured time before it, seconds.
    pub warmup_secs: f64,
    /// Messages per second in all (0: as fast as answers come).
    pub message_rate: f64,
    /// Presence changes per second in all.
    pub presence_rate: f64,
    /// Clients leaving without logoff per second (soak).
    pub churn_rate: f64,
    /// Fan-out rounds.
    pub rounds: usize,
    /// Run the baseline too.
    pub baseline: bool,
    /// RSS bound checked by capacity and soak, MiB.
    pub rss_bound_mib: u64,
    /// Shortest lease the spawned server grants, seconds.
    pub server_min_lease_secs: u64,
}

/// Why a scenario could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The server could not be started.
    #[error(transparent)]
    Server(#[from] ServerError),
    /// A listener or baseline could not be bound.
    #[error("bind: {0}")]
    Bind(#[from] std::io::Error),
}

struct Ours {
    addr: SocketAddr,
    pid: Option<u32>,
    spawned: Option<SpawnedServer>,
    work_dir: Option<PathBuf>,
}

async fn start_ours(target: &Target, o: &Options, name: &str) -> Result<Ours, ScenarioError> {
    match target {
        Target::Running { addr, pid } => Ok(Ours {
            addr: *addr,
            pid: *pid,
            spawned: None,
            work_dir: None,
        }),
        Target::Spawn(binary) => {
            let work_dir =
                std::env::temp_dir().join(format!("rvp-load-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&work_dir);
            let spec = ServerSpec {
                binary: binary.clone(),
                work_dir: work_dir.clone(),
                users: o.rig.users,
                domain: o.rig.domain.clone(),
                min_lease_secs: o.server_min_lease_secs,
            };
            let s = SpawnedServer::start(&spec).await?;
            Ok(Ours {
                addr: s.addr(),
                pid: Some(s.pid()),
                spawned: Some(s),
                work_dir: Some(work_dir),
            })
        }
    }
}

impl Ours {
    fn sample(&self) -> Option<ProcSample> {
        self.pid.and_then(ProcSample::read)
    }

    async fn stop(self) {
        if let Some(s) = self.spawned {
            s.stop().await;
        }
        if let Some(d) = self.work_dir {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

/// Runs `scenario` against `target` (and its baseline unless turned off).
///
/// # Errors
/// [`ScenarioError`] when the server or a listener cannot be started.
pub async fn run(
    scenario: Scenario,
    target: &Target,
    o: &Options,
) -> Result<Report, ScenarioError> {
    let params = serde_json::to_value(o).unwrap_or_default();
    let name = scenario.name();
    let ours_srv = start_ours(target, o, name).await?;
    let mut ours = match scenario {
        Scenario::Delivery => delivery(ours_srv.addr, o, "rvp-server").await?,
        Scenario::LoginStorm => login_storm(ours_srv.addr, o, "rvp-server", ours_srv.pid).await?,
        Scenario::Fanout => fanout(ours_srv.addr, o, "rvp-server").await?,
        Scenario::Capacity => capacity(ours_srv.addr, o, "rvp-server", ours_srv.pid).await?,
        Scenario::Soak => soak(ours_srv.addr, o, "rvp-server", ours_srv.pid).await?,
    };
    if ours.server_after.is_none() {
        ours.server_after = ours_srv.sample();
    }
    ours_srv.stop().await;
    let baseline_kind = match scenario {
        Scenario::Delivery | Scenario::Fanout => Some(BaselineKind::Forwarder),
        Scenario::LoginStorm => Some(BaselineKind::Bare),
        Scenario::Capacity | Scenario::Soak => None,
    };
    let baseline = match baseline_kind.filter(|_| o.baseline) {
        Some(kind) => {
            let b = Baseline::start(kind).await?;
            let label = match kind {
                BaselineKind::Bare => "bare",
                BaselineKind::Forwarder => "forwarder",
            };
            let r = match scenario {
                Scenario::Delivery => delivery(b.addr(), o, label).await?,
                Scenario::LoginStorm => login_storm(b.addr(), o, label, None).await?,
                _ => fanout(b.addr(), o, label).await?,
            };
            Some(r)
        }
        None => None,
    };
    let mut ratios = BTreeMap::new();
    let mut goals = Vec::new();
    match scenario {
        Scenario::Delivery => {
            if let Some(b) = &baseline {
                let d = ratio(ours.deliveries_per_sec, b.deliveries_per_sec);
                let p = ratio(ours.latency.p99_us as f64, b.latency.p99_us as f64);
                ratios.insert("deliveries_per_sec".into(), d);
                ratios.insert(
                    "latency_p50".into(),
                    ratio(ours.latency.p50_us as f64, b.latency.p50_us as f64),
                );
                ratios.insert("latency_p99".into(), p);
                goals.push(Goal::at_least("deliveries/s ratio", d, 0.7));
                goals.push(Goal::at_most("p99 latency ratio", p, 2.0));
            }
        }
        Scenario::LoginStorm => {
            if let Some(b) = &baseline {
                let r = ratio(ours.requests_per_sec, b.requests_per_sec);
                ratios.insert("requests_per_sec".into(), r);
                ratios.insert(
                    "logins_per_sec".into(),
                    ratio(
                        ours.extra.get("logins_per_sec").copied().unwrap_or(0.0),
                        b.extra.get("logins_per_sec").copied().unwrap_or(0.0),
                    ),
                );
                goals.push(Goal::at_least(
                    "requests/s ratio (connection per request)",
                    r,
                    0.5,
                ));
            }
        }
        Scenario::Fanout => {
            if let Some(b) = &baseline {
                let key = "fanout_ms_median";
                let r = ratio(
                    ours.extra.get(key).copied().unwrap_or(0.0),
                    b.extra.get(key).copied().unwrap_or(0.0),
                );
                ratios.insert("fanout_time_median".into(), r);
            }
        }
        Scenario::Capacity | Scenario::Soak => {
            let peak = ours.server_after.map_or(0, |s| s.peak_rss_kib) as f64 / 1024.0;
            goals.push(Goal::at_most(
                "server peak RSS MiB",
                peak,
                o.rss_bound_mib as f64,
            ));
        }
    }
    Ok(Report::new(name, params, ours, baseline, ratios, goals))
}

fn one_user_window(metrics: &Metrics, started: Instant, label: &str) -> RunResult {
    RunResult::from_metrics(label, metrics, started.elapsed().as_secs_f64())
}

/// Waits until the receipt count stops moving (or `limit` passes).
async fn drain(metrics: &Metrics, limit: Duration) {
    let until = Instant::now() + limit;
    let mut last = u64::MAX;
    while Instant::now() < until {
        let now = metrics.deliveries() + metrics.presence_received();
        if now == last {
            return;
        }
        last = now;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Fresh metrics and a rig of `o.rig` clients against `addr`, recording into them.
async fn new_rig(addr: SocketAddr, o: &Options) -> Result<(Arc<Metrics>, Rig), ScenarioError> {
    let metrics = Arc::new(Metrics::new());
    let rig = Rig::new(addr, o.rig.clone(), Arc::clone(&metrics)).await?;
    Ok((metrics, rig))
}

/// Logs every simulated client in, each watching its `o.rig.contacts` neighbours
/// ([`contacts_of`]); with `renew` they keep their leases alive. Returns how many did.
async fn login_everyone(rig: &mut Rig, o: &Options, renew: bool) -> usize {
    let (users, contacts) = (o.rig.users, o.rig.contacts);
    rig.login_all(
        (0..users).collect(),
        move |i| contacts_of(i, users, contacts),
        renew,
    )
    .await
}

async fn delivery(addr: SocketAddr, o: &Options, label: &str) -> Result<RunResult, ScenarioError> {
    let (metrics, mut rig) = new_rig(addr, o).await?;
    login_everyone(&mut rig, o, false).await;
    let rig = Arc::new(rig);
    if o.warmup_secs > 0.0 {
        rig.send_messages(Duration::from_secs_f64(o.warmup_secs), o.message_rate)
            .await;
    }
    metrics.start_window();
    let started = Instant::now();
    rig.send_messages(Duration::from_secs_f64(o.duration_secs), o.message_rate)
        .await;
    let mut r = one_user_window(&metrics, started, label);
    drain(&metrics, Duration::from_secs(5)).await;
    r.messages = metrics.tally();
    r.errors = metrics.errors();
    if let Ok(rig) = Arc::try_unwrap(rig) {
        rig.shutdown().await;
    }
    Ok(r)
}

async fn login_storm(
    addr: SocketAddr,
    o: &Options,
    label: &str,
    pid: Option<u32>,
) -> Result<RunResult, ScenarioError> {
    let (metrics, mut rig) = new_rig(addr, o).await?;
    let before = pid.and_then(ProcSample::read);
    metrics.start_window();
    let started = Instant::now();
    let n = login_everyone(&mut rig, o, false).await;
    let mut r = one_user_window(&metrics, started, label);
    r.server_before = before;
    r.server_after = pid.and_then(ProcSample::read);
    r.extra.insert("logins".into(), n as f64);
    r.extra
        .insert("logins_per_sec".into(), n as f64 / r.window_secs.max(1e-9));
    rig.shutdown().await;
    Ok(r)
}

async fn fanout(addr: SocketAddr, o: &Options, label: &str) -> Result<RunResult, ScenarioError> {
    let (metrics, mut rig) = new_rig(addr, o).await?;
    // Client 0 is watched by every other client.
    rig.login_all(vec![0], |_| Vec::new(), false).await;
    let watchers = o.rig.users.saturating_sub(1);
    rig.login_all((1..o.rig.users).collect(), |_| vec![0], false)
        .await;
    drain(&metrics, Duration::from_secs(5)).await;
    let mut times = Vec::new();
    let states = [State::Busy, State::Online];
    let started = Instant::now();
    metrics.start_window();
    for round in 0..o.rounds.max(1) {
        let before = metrics.presence_received();
        let t0 = metrics.now_us();
        let Some(user) = rig.users.first() else { break };
        if let Err(e) = user.set_state(&rig.env, states[round % 2].clone()).await {
            metrics.error(format!("fanout: {}", e.kind()));
            continue;
        }
        let until = Instant::now() + Duration::from_secs(30);
        while metrics.presence_received() < before + watchers as u64 && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let got = metrics.presence_received() - before;
        if got < watchers as u64 {
            metrics.error("fanout: watcher not notified within 30 s");
        }
        times.push(metrics.last_presence_us().saturating_sub(t0) as f64 / 1000.0);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut r = one_user_window(&metrics, started, label);
    times.sort_by(f64::total_cmp);
    r.extra.insert("watchers".into(), watchers as f64);
    r.extra.insert(
        "fanout_ms_median".into(),
        times.get(times.len() / 2).copied().unwrap_or(0.0),
    );
    r.extra
        .insert("fanout_ms_max".into(), times.last().copied().unwrap_or(0.0));
    r.extra.insert(
        "fanout_ms_min".into(),
        times.first().copied().unwrap_or(0.0),
    );
    rig.shutdown().await;
    Ok(r)
}

async fn capacity(
    addr: SocketAddr,
    o: &Options,
    label: &str,
    pid: Option<u32>,
) -> Result<RunResult, ScenarioError> {
    let (metrics, mut rig) = new_rig(addr, o).await?;
    let before = pid.and_then(ProcSample::read);
    let started = Instant::now();
    let n = login_everyone(&mut rig, o, true).await;
    let contacts = o.rig.contacts;
    let login_secs = started.elapsed().as_secs_f64();
    // Hold the sessions, leases renewed by the rig, while the server settles.
    metrics.start_window();
    let held = Instant::now();
    tokio::time::sleep(Duration::from_secs_f64(o.duration_secs)).await;
    let mut r = one_user_window(&metrics, held, label);
    let after = pid.and_then(ProcSample::read);
    r.server_before = before;
    r.server_after = after;
    r.extra.insert("sessions".into(), n as f64);
    r.extra
        .insert("subscriptions".into(), (n * contacts) as f64);
    r.extra.insert("login_phase_secs".into(), login_secs);
    r.extra
        .insert("logins_per_sec".into(), n as f64 / login_secs.max(1e-9));
    if let (Some(b), Some(a)) = (before, after) {
        let grown = a.rss_kib.saturating_sub(b.rss_kib) as f64 * 1024.0;
        r.extra
            .insert("bytes_per_session".into(), grown / (n.max(1)) as f64);
        if contacts > 0 {
            r.extra.insert(
                "bytes_per_subscription".into(),
                grown / (n * contacts).max(1) as f64,
            );
        }
    }
    rig.shutdown().await;
    Ok(r)
}

async fn soak(
    addr: SocketAddr,
    o: &Options,
    label: &str,
    pid: Option<u32>,
) -> Result<RunResult, ScenarioError> {
    let (metrics, mut rig) = new_rig(addr, o).await?;
    login_everyone(&mut rig, o, true).await;
    let contacts = o.rig.contacts;
    let rig = Arc::new(rig);
    let before = pid.and_then(ProcSample::read);
    metrics.start_window();
    let started = Instant::now();
    let duration = Duration::from_secs_f64(o.duration_secs);
    let sender = {
        let rig = Arc::clone(&rig);
        let rate = o.message_rate;
        tokio::spawn(async move { rig.send_messages(duration, rate).await })
    };
    let presence = {
        let rig = Arc::clone(&rig);
        let rate = o.presence_rate;
        tokio::spawn(async move { rig.change_presence(duration, rate).await })
    };
    // Churn: clients leave without logoff; each comes back after its lease
    // (and subscriptions) ran out on the server, as a new login.
    let mut away: Vec<(Instant, usize)> = Vec::new();
    let back_after =
        Duration::from_secs(u64::from(o.rig.lease_secs).max(o.rig.subscription_secs) + 5);
    let tick = Duration::from_millis(100);
    let mut samples = Vec::new();
    let mut next_sample = Instant::now();
    let mut owed = 0.0;
    while started.elapsed() < duration {
        tokio::time::sleep(tick).await;
        owed += o.churn_rate * tick.as_secs_f64();
        while owed >= 1.0 {
            owed -= 1.0;
            if let Some(i) = rig.random_online(None) {
                rig.depart(i);
                away.push((Instant::now() + back_after, i));
            }
        }
        let now = Instant::now();
        let (due, later): (Vec<_>, Vec<_>) = away.into_iter().partition(|(t, _)| *t <= now);
        away = later;
        if !due.is_empty() {
            let back: Vec<usize> = due.into_iter().map(|(_, i)| i).collect();
            // Rig methods that log in need &mut; log them in on a fresh rig
            // handle through the shared one.
            relogin(&rig, back, contacts).await;
        }
        if now >= next_sample {
            next_sample = now + Duration::from_secs(5);
            if let Some(s) = pid.and_then(ProcSample::read) {
                samples.push(s.rss_kib);
            }
        }
    }
    let _ = sender.await;
    let _ = presence.await;
    let mut r = one_user_window(&metrics, started, label);
    drain(&metrics, Duration::from_secs(5)).await;
    r.messages = metrics.tally();
    r.errors = metrics.errors();
    r.server_before = before;
    r.server_after = pid.and_then(ProcSample::read);
    if let (Some(first), Some(max)) = (samples.first(), samples.iter().max()) {
        r.extra.insert("rss_first_kib".into(), *first as f64);
        r.extra.insert("rss_max_kib".into(), *max as f64);
        r.extra.insert(
            "rss_last_kib".into(),
            samples.last().copied().unwrap_or(0) as f64,
        );
    }
    if let Ok(rig) = Arc::try_unwrap(rig) {
        rig.shutdown().await;
    }
    Ok(r)
}

async fn relogin(rig: &Arc<Rig>, back: Vec<usize>, contacts: usize) {
    let users = rig.users.len();
    for i in back {
        if let Some(user) = rig.users.get(i) {
            let rig = Arc::clone(rig);
            let user = Arc::clone(user);
            tokio::spawn(async move {
                rig.login_one(&user, &contacts_of(i, users, contacts)).await;
            });
        }
    }
}

/// The options a scenario uses when none are given (tiny sizes come from
/// the command line).
pub fn defaults(scenario: Scenario) -> Options {
    let rig = RigOptions {
        users: 1000,
        contacts: 0,
        conn: ConnMode::KeepAlive,
        listeners: 4,
        concurrency: 64,
        lease_secs: 1200,
        subscription_secs: 14_400,
        source_ips: 1,
        timeout_secs: 30,
        domain: "localhost".into(),
    };
    let base = Options {
        rig,
        duration_secs: 10.0,
        warmup_secs: 2.0,
        message_rate: 0.0,
        presence_rate: 0.0,
        churn_rate: 0.0,
        rounds: 5,
        baseline: true,
        rss_bound_mib: 2048,
        server_min_lease_secs: 30,
    };
    match scenario {
        Scenario::Delivery => base,
        Scenario::LoginStorm => Options {
            rig: RigOptions {
                users: 10_000,
                contacts: 20,
                conn: ConnMode::PerRequest,
                source_ips: 8,
                ..base.rig
            },
            ..base
        },
        Scenario::Fanout => Options {
            rig: RigOptions {
                users: 1001,
                ..base.rig
            },
            ..base
        },
        Scenario::Capacity => Options {
            rig: RigOptions {
                users: 100_000,
                contacts: 20,
                ..base.rig
            },
            duration_secs: 30.0,
            ..base
        },
        Scenario::Soak => Options {
            rig: RigOptions {
                users: 500,
                contacts: 10,
                lease_secs: 30,
                subscription_secs: 30,
                concurrency: 8,
                ..base.rig
            },
            duration_secs: 120.0,
            message_rate: 200.0,
            presence_rate: 20.0,
            churn_rate: 1.0,
            rss_bound_mib: 256,
            server_min_lease_secs: 10,
            ..base
        },
    }
}
