//! A virtual-clock simulator: time jumps from deadline to deadline, so hours
//! of protocol time pass in microseconds of real time.

use std::time::{Duration, Instant};

use presence_model::{
    CallbackUrl, Config, CredentialKind, Event, NotificationType, PresenceState, PrincipalId,
    Requester, Server, StateUpdate, SubscribeRequest, SubscriptionId,
};

/// The server plus a virtual clock and a log of every event with its time.
pub(crate) struct Sim {
    pub(crate) t0: Instant,
    pub(crate) now: Instant,
    pub(crate) server: Server,
    pub(crate) log: Vec<(Duration, Event)>,
}

pub(crate) fn principal(name: &str) -> PrincipalId {
    PrincipalId::from(format!("http://example.com/instmsg/aliases/{name}"))
}

pub(crate) fn req(p: &PrincipalId) -> Requester {
    Requester::new(p.clone(), CredentialKind::Ntlm)
}

impl Sim {
    pub(crate) fn new(seed: u64) -> Self {
        let mut config = Config::default();
        config.rng_seed = Some(seed);
        Self::with_config(config)
    }

    pub(crate) fn with_config(config: Config) -> Self {
        let t0 = Instant::now();
        Self {
            t0,
            now: t0,
            server: Server::new(config, t0),
            log: Vec::new(),
        }
    }

    /// Virtual time elapsed.
    pub(crate) fn elapsed(&self) -> Duration {
        self.now - self.t0
    }

    /// Moves to the next server deadline, if any, and handles it.
    pub(crate) fn step(&mut self) -> bool {
        let Some(t) = self.server.poll_timeout() else {
            return false;
        };
        assert!(t >= self.now, "deadline in the past");
        self.now = t;
        self.server.handle_timeout(t);
        self.drain();
        true
    }

    /// Handles every deadline up to `t0 + at`, then sets the clock there.
    pub(crate) fn run_until(&mut self, at: Duration) {
        let end = self.t0 + at;
        while self.server.poll_timeout().is_some_and(|t| t <= end) {
            self.step();
        }
        self.now = end;
        self.server.handle_timeout(end);
        self.drain();
    }

    pub(crate) fn drain(&mut self) {
        let at = self.elapsed();
        while let Some(e) = self.server.poll_event() {
            self.log.push((at, e));
        }
    }

    pub(crate) fn register(&mut self, p: &PrincipalId) {
        self.server.register(self.now, p.clone());
    }

    pub(crate) fn set(&mut self, p: &PrincipalId, s: PresenceState, lease: Duration) {
        let u = StateUpdate::leased(s, PresenceState::Offline, Some(lease));
        self.server
            .set_state(self.now, &req(p), p, u)
            .expect("set_state");
        self.drain();
    }

    pub(crate) fn watch(
        &mut self,
        watcher: &PrincipalId,
        target: &PrincipalId,
        life: Duration,
    ) -> SubscriptionId {
        let r = SubscribeRequest {
            target: target.clone(),
            notification_type: NotificationType::UpdatePropchange,
            callback: CallbackUrl::from(watcher),
            lifetime: Some(life),
            origin: None,
        };
        let id = self
            .server
            .subscribe(self.now, &req(watcher), r)
            .expect("subscribe")
            .id;
        self.drain();
        id
    }

    /// Notifications sent on `sub`, with their times.
    pub(crate) fn told(&self, sub: SubscriptionId) -> Vec<(Duration, PresenceState)> {
        self.log
            .iter()
            .filter_map(|(t, e)| match e {
                Event::Notify(n) if n.subscription == sub => Some((*t, n.state.clone())),
                _ => None,
            })
            .collect()
    }

    pub(crate) fn expired(&self, sub: SubscriptionId) -> Option<Duration> {
        self.log.iter().find_map(|(t, e)| match e {
            Event::SubscriptionExpired(x) if x.subscription == sub => Some(*t),
            _ => None,
        })
    }
}

#[test]
fn simulator_steps_to_each_deadline() {
    let mut sim = Sim::new(1);
    let (a, b) = (principal("a"), principal("b"));
    sim.register(&a);
    sim.register(&b);
    let s = sim.watch(&b, &a, Duration::from_secs(3 * 3600));
    sim.set(&a, PresenceState::Online, Duration::from_secs(1200));
    let wall = Instant::now();
    assert!(sim.step());
    assert_eq!(sim.elapsed(), Duration::from_secs(1200));
    assert!(sim.step());
    assert_eq!(sim.elapsed(), Duration::from_secs(3 * 3600));
    assert!(!sim.step());
    assert!(
        wall.elapsed() < Duration::from_secs(1),
        "virtual hours in real milliseconds"
    );
    assert_eq!(
        sim.told(s),
        vec![
            (Duration::ZERO, PresenceState::Online),
            (Duration::from_secs(1200), PresenceState::Offline)
        ]
    );
    assert_eq!(sim.expired(s), Some(Duration::from_secs(3 * 3600)));
}
