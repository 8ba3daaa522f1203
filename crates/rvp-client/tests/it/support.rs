//! Test support: a reference server on loopback and clients logged in to it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use rvp_client::{Client, Config, Event, RetryPolicy, Session};
use rvp_server::directory::{MemoryDirectory, NewPrincipal, PrincipalEntry};
use tokio::sync::{mpsc, oneshot};

/// How long any wait may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(10);

/// The server configuration used unless a test says otherwise.
pub const CONFIG: &str = "[[domain]]\nname = \"example.com\"\n[polling]\nmin-interval-secs = 1\n";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A temporary directory removed on drop.
#[derive(Debug)]
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("rvp-client-it-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn password(alias: &str) -> String {
    format!("{alias}-pw")
}

/// A directory with these users of example.com.
pub fn users(aliases: &[&str]) -> Arc<MemoryDirectory> {
    let dir = MemoryDirectory::new();
    for a in aliases {
        let n = NewPrincipal::new(*a, "example.com").display_name(format!("{a} (test)"));
        dir.insert(PrincipalEntry::from_password(n, &password(a)).unwrap())
            .unwrap();
    }
    Arc::new(dir)
}

/// A running reference server.
pub struct TestServer {
    pub addr: SocketAddr,
    _data: TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestServer {
    pub async fn start(directory: Arc<MemoryDirectory>) -> Self {
        Self::start_at(CONFIG, 0, directory).await
    }

    pub async fn start_at(config: &str, port: u16, directory: Arc<MemoryDirectory>) -> Self {
        let data = TempDir::new();
        let mut config = rvp_server::Config::parse(config).unwrap();
        config.listen = vec![SocketAddr::from(([127, 0, 0, 1], port))];
        config.data_dir = data.0.clone();
        let server = rvp_server::Server::bind(config, directory).await.unwrap();
        let addr = server.local_addrs()[0];
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(server.run_until(async {
            let _ = rx.await;
        }));
        Self {
            addr,
            _data: data,
            stop: Some(tx),
            task: Some(task),
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(40), t)
                .await
                .expect("shutdown in time")
                .unwrap();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

/// A configuration for `alias` on the server at `addr`, with quick retries.
pub fn config(alias: &str, addr: SocketAddr) -> Config {
    let mut c = Config::new(
        format!("{alias}@example.com").parse().unwrap(),
        password(alias),
    );
    c.server = Some(addr.to_string());
    c.retry = RetryPolicy::new(Duration::from_millis(50), Duration::from_millis(400), 4);
    c.request_timeout = Duration::from_secs(5);
    c.rng_seed = Some(7);
    c
}

/// Logs `alias` in.
pub async fn login(alias: &str, addr: SocketAddr) -> (Session, Events) {
    login_with(config(alias, addr)).await
}

pub async fn login_with(config: Config) -> (Session, Events) {
    let (s, rx) = Client::new(config).login().await.unwrap();
    (s, Events(rx))
}

/// The events of a session, with waits that fail the test.
pub struct Events(pub mpsc::Receiver<Event>);

impl Events {
    /// The next event matching `f`; others are skipped.
    pub async fn until<T>(&mut self, mut f: impl FnMut(&Event) -> Option<T>) -> T {
        tokio::time::timeout(WAIT, async {
            loop {
                let e = self.0.recv().await.expect("session alive");
                if let Some(t) = f(&e) {
                    return t;
                }
            }
        })
        .await
        .expect("the event in time")
    }

    /// Asserts that no event matching `f` arrives within `d`.
    pub async fn none_for(&mut self, d: Duration, mut f: impl FnMut(&Event) -> bool) {
        let _ = tokio::time::timeout(d, async {
            while let Some(e) = self.0.recv().await {
                assert!(!f(&e), "unexpected event {e:?}");
            }
        })
        .await;
    }
}

/// `alias@example.com`.
pub fn addr(alias: &str) -> rvp_client::Address {
    format!("{alias}@example.com").parse().unwrap()
}
