//! The moving parts of one run against one target: the simulated users,
//! the callback listeners, logins, renewal tasks, message senders,
//! presence changers and the churn of clients leaving without logoff.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rand::Rng;
use rvp_codec::xml::State;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::client::{Env, Granted, User};
use crate::http::{ConnMode, HttpClient};
use crate::listener::{Generations, Listeners};
use crate::metrics::Metrics;

/// Settings shared by every scenario.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RigOptions {
    /// Simulated clients.
    pub users: usize,
    /// Contacts each client watches.
    pub contacts: usize,
    /// How requests reach the server.
    pub conn: ConnMode,
    /// Callback listeners.
    pub listeners: usize,
    /// Logins or senders in flight at once.
    pub concurrency: usize,
    /// Presence lease asked for, seconds.
    pub lease_secs: u32,
    /// Subscription lifetime asked for, seconds.
    pub subscription_secs: u64,
    /// Loopback source addresses for per-request connections (127.0.0.2 ...).
    pub source_ips: usize,
    /// Time for one exchange.
    pub timeout_secs: u64,
    /// The IM domain.
    pub domain: String,
}

/// One run's rig.
#[derive(Debug)]
pub struct Rig {
    /// What the clients share.
    pub env: Arc<Env>,
    /// The clients, by index.
    pub users: Vec<Arc<User>>,
    /// Which clients are logged in (and not gone).
    pub online: Arc<Vec<AtomicBool>>,
    generations: Arc<Generations>,
    listeners: Arc<Listeners>,
    options: RigOptions,
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

/// The contacts of client `i` of `users`: the next `contacts` clients, wrapping.
pub fn contacts_of(i: usize, users: usize, contacts: usize) -> Vec<usize> {
    (1..=contacts.min(users.saturating_sub(1)))
        .map(|k| (i + k) % users)
        .collect()
}

impl Rig {
    /// Listeners bound, users made; nobody logged in.
    ///
    /// # Errors
    /// A listener could not be bound.
    pub async fn new(
        server: SocketAddr,
        options: RigOptions,
        metrics: Arc<Metrics>,
    ) -> std::io::Result<Self> {
        let source_ips = if options.conn == ConnMode::PerRequest && options.source_ips > 1 {
            (0..options.source_ips)
                .map(|k| IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + (k % 250) as u8)))
                .collect()
        } else {
            Vec::new()
        };
        let http = HttpClient::new(
            server,
            options.conn,
            source_ips,
            Duration::from_secs(options.timeout_secs),
        );
        let generations = Arc::new(Generations::new(options.users));
        let listeners = Arc::new(
            Listeners::spawn(
                options.listeners,
                Arc::clone(&metrics),
                Arc::clone(&generations),
            )
            .await?,
        );
        let env = Arc::new(Env {
            http,
            metrics,
            domain: options.domain.clone(),
            lease_secs: options.lease_secs,
            subscription_secs: options.subscription_secs,
        });
        let users = (0..options.users)
            .map(|i| Arc::new(User::new(i, &options.domain)))
            .collect();
        let online = Arc::new((0..options.users).map(|_| AtomicBool::new(false)).collect());
        let (stop, _) = watch::channel(false);
        Ok(Self {
            env,
            users,
            online,
            generations,
            listeners,
            options,
            stop,
            tasks: JoinSet::new(),
        })
    }

    /// The options.
    pub fn options(&self) -> &RigOptions {
        &self.options
    }

    /// Logs in the clients in `indices` with `concurrency` in flight; each
    /// watches `contacts(i)`. With `renew`, each keeps its leases alive
    /// afterwards. Returns how many logged in.
    pub async fn login_all(
        &mut self,
        indices: Vec<usize>,
        contacts: impl Fn(usize) -> Vec<usize> + Send + Sync + 'static,
        renew: bool,
    ) -> usize {
        let indices = Arc::new(indices);
        let next = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(AtomicUsize::new(0));
        let contacts = Arc::new(contacts);
        let mut workers = JoinSet::new();
        for _ in 0..self.options.concurrency.max(1) {
            let (indices, next, done, contacts) = (
                Arc::clone(&indices),
                Arc::clone(&next),
                Arc::clone(&done),
                Arc::clone(&contacts),
            );
            let env = Arc::clone(&self.env);
            let users = self.users.clone();
            let online = Arc::clone(&self.online);
            let generations = Arc::clone(&self.generations);
            let listeners = Arc::clone(&self.listeners);
            let stop = self.stop.subscribe();
            workers.spawn(async move {
                let mut renewals = Vec::new();
                while let Some(&i) = indices.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let Some(user) = users.get(i) else { continue };
                    let generation = generations.begin(i);
                    let callback = listeners.callback_url(i, generation);
                    match user.login(&env, &callback, &contacts(i)).await {
                        Ok(granted) => {
                            if let Some(o) = online.get(i) {
                                o.store(true, Ordering::Relaxed);
                            }
                            done.fetch_add(1, Ordering::Relaxed);
                            if renew {
                                renewals.push((i, granted));
                            }
                        }
                        Err(e) => env.metrics.error(format!("login: {}", e.kind())),
                    }
                }
                let mut tasks = Vec::new();
                for (i, granted) in renewals {
                    if let Some(user) = users.get(i) {
                        let stop = stop.clone();
                        tasks.push(tokio::spawn(keep_alive(
                            Arc::clone(user),
                            Arc::clone(&env),
                            Arc::clone(&generations),
                            granted,
                            stop,
                        )));
                    }
                }
                tasks
            });
        }
        while let Some(r) = workers.join_next().await {
            if let Ok(tasks) = r {
                for t in tasks {
                    self.tasks.spawn(async move {
                        let _ = t.await;
                    });
                }
            }
        }
        done.load(Ordering::Relaxed)
    }

    /// Logs `user` in again as a new generation (after it departed) and
    /// keeps its leases alive; returns whether it logged in.
    pub async fn login_one(&self, user: &Arc<User>, contacts: &[usize]) -> bool {
        let i = user.index;
        let generation = self.generations.begin(i);
        let callback = self.listeners.callback_url(i, generation);
        match user.login(&self.env, &callback, contacts).await {
            Ok(granted) => {
                if let Some(o) = self.online.get(i) {
                    o.store(true, Ordering::Relaxed);
                }
                tokio::spawn(keep_alive(
                    Arc::clone(user),
                    Arc::clone(&self.env),
                    Arc::clone(&self.generations),
                    granted,
                    self.stop.subscribe(),
                ));
                true
            }
            Err(e) => {
                self.env.metrics.error(format!("login: {}", e.kind()));
                false
            }
        }
    }

    /// Client `i` goes away without logging off: its callback starts
    /// failing and it stops renewing (its lease and subscriptions run out
    /// on the server).
    pub fn depart(&self, i: usize) {
        if let Some(o) = self.online.get(i) {
            o.store(false, Ordering::Relaxed);
        }
        self.generations.end(i);
    }

    /// A random online client other than `not`, if any (a few tries).
    pub fn random_online(&self, not: Option<usize>) -> Option<usize> {
        let mut rng = rand::rng();
        for _ in 0..32 {
            let i = rng.random_range(0..self.users.len().max(1));
            if Some(i) != not
                && self
                    .online
                    .get(i)
                    .is_some_and(|o| o.load(Ordering::Relaxed))
            {
                return Some(i);
            }
        }
        None
    }

    /// Whether client `i` is online.
    pub fn is_online(&self, i: usize) -> bool {
        self.online
            .get(i)
            .is_some_and(|o| o.load(Ordering::Relaxed))
    }

    /// Sends measured messages between random online clients for `duration`:
    /// `concurrency` senders, each as fast as answers come (`rate` 0) or
    /// together at `rate` messages per second. Returns the messages sent.
    pub async fn send_messages(self: &Arc<Self>, duration: Duration, rate: f64) -> u64 {
        let senders = self.options.concurrency.max(1);
        let until = Instant::now() + duration;
        let interval = (rate > 0.0).then(|| Duration::from_secs_f64(senders as f64 / rate));
        let mut set = JoinSet::new();
        for _ in 0..senders {
            let rig = Arc::clone(self);
            set.spawn(async move {
                let mut sent = 0u64;
                let mut next = Instant::now();
                while Instant::now() < until {
                    if let Some(iv) = interval {
                        next += iv;
                        tokio::time::sleep_until(next.into()).await;
                    }
                    let (Some(from), to) = (rig.random_online(None), None::<usize>) else {
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    };
                    let Some(to) = to.or_else(|| rig.random_online(Some(from))) else {
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    };
                    let Some(user) = rig.users.get(from) else {
                        continue;
                    };
                    sent += 1;
                    match user.send_message(&rig.env, to).await {
                        Ok(s) if s.is_success() => {}
                        // The recipient left while the message was on its way.
                        Ok(s) if !rig.is_online(to) => {
                            rig.env.metrics.error(format!(
                                "(expected) NOTIFY {} to a departed client",
                                s.as_u16()
                            ));
                        }
                        Ok(s) => rig.env.metrics.error(format!("NOTIFY {}", s.as_u16())),
                        Err(e) => rig.env.metrics.error(e.kind()),
                    }
                }
                sent
            });
        }
        let mut total = 0;
        while let Some(r) = set.join_next().await {
            total += r.unwrap_or(0);
        }
        total
    }

    /// Random online clients change their state, `rate` changes per second
    /// in all, for `duration`.
    pub async fn change_presence(self: &Arc<Self>, duration: Duration, rate: f64) {
        if rate <= 0.0 {
            tokio::time::sleep(duration).await;
            return;
        }
        let until = Instant::now() + duration;
        let interval = Duration::from_secs_f64(1.0 / rate);
        let mut next = Instant::now();
        let mut set = JoinSet::new();
        let states = [State::Online, State::Busy, State::Away, State::BackSoon];
        while Instant::now() < until {
            next += interval;
            tokio::time::sleep_until(next.into()).await;
            let Some(i) = self.random_online(None) else {
                continue;
            };
            let state = states[rand::rng().random_range(0..states.len())].clone();
            let rig = Arc::clone(self);
            set.spawn(async move {
                if let Some(user) = rig.users.get(i)
                    && let Err(e) = user.set_state(&rig.env, state).await
                    && rig.is_online(i)
                {
                    rig.env.metrics.error(e.kind());
                }
            });
            while set.try_join_next().is_some() {}
        }
        while set.join_next().await.is_some() {}
    }

    /// Stops the renewal tasks and the listeners.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
        if let Some(l) = Arc::get_mut(&mut self.listeners) {
            l.shutdown();
        }
    }
}

/// Renews `user`'s presence lease and subscriptions at 80 % of what was
/// granted, until told to stop or the client departs.
async fn keep_alive(
    user: Arc<User>,
    env: Arc<Env>,
    generations: Arc<Generations>,
    granted: Granted,
    mut stop: watch::Receiver<bool>,
) {
    let me = user.index;
    let live = |g: &Generations| g.current(me);
    let generation = live(&generations);
    // At 80 % of the grant, but at least 2 s before it ends (short soak leases
    // leave little room for a slow answer), and never more often than every second.
    let every = |d: Duration| {
        d.mul_f64(0.8)
            .min(d.saturating_sub(Duration::from_secs(2)))
            .max(Duration::from_secs(1))
    };
    let lease_every = every(granted.lease);
    let subs_every = every(granted.subscription);
    let mut next_lease = Instant::now() + lease_every;
    let mut next_subs = Instant::now() + subs_every;
    loop {
        let at = next_lease.min(next_subs);
        tokio::select! {
            _ = stop.changed() => return,
            () = tokio::time::sleep_until(at.into()) => {}
        }
        if live(&generations) != generation {
            return;
        }
        let now = Instant::now();
        if now >= next_lease {
            next_lease = now + lease_every;
            if let Err(e) = user.set_state(&env, State::Online).await
                && live(&generations) == generation
            {
                env.metrics.error(format!("renew: {}", e.kind()));
            }
        }
        if now >= next_subs {
            next_subs = now + subs_every;
            if let Err(e) = user.renew_subscriptions(&env).await
                && live(&generations) == generation
            {
                env.metrics.error(format!("renew: {}", e.kind()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_wrap_and_skip_self() {
        assert_eq!(contacts_of(0, 5, 2), [1, 2]);
        assert_eq!(contacts_of(4, 5, 2), [0, 1]);
        assert_eq!(contacts_of(1, 3, 20), [2, 0]);
        assert!(contacts_of(0, 1, 20).is_empty());
    }
}
