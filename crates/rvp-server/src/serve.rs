//! Sockets and tasks: listeners with connection limits, hyper HTTP/1.1
//! connections with read timeouts and size limits, the lease timer, and
//! graceful shutdown.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::auth::{DigestAuth, DigestConfig};
use crate::config::Config;
use crate::directory::DigestAlgorithm;
use crate::directory::Directory;
use crate::handler;
use crate::state::{Environment, Shared};

/// The smallest request-head buffer hyper accepts (the configuration
/// refuses smaller limits).
const MIN_HEAD_BUFFER: usize = crate::config::MIN_HEAD_BYTES;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// A listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The authentication settings are unusable.
    #[error("authentication settings: {0}")]
    Auth(crate::auth::DigestConfigError),
    /// The data directory could not be created.
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// A bound, not yet running, RVP server.
///
/// ```no_run
/// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use rvp_server::{Config, Server};
/// use rvp_server::directory::MemoryDirectory;
///
/// let server = Server::bind(Config::default(), Arc::new(MemoryDirectory::default())).await?;
/// println!("listening on {:?}", server.local_addrs());
/// server.run_until(async { let _ = tokio::signal::ctrl_c().await; }).await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Server {
    shared: Arc<Shared>,
    listeners: Vec<TcpListener>,
    addrs: Vec<SocketAddr>,
}

impl Server {
    /// Binds the configured listen addresses. A port of 0 picks a free
    /// port; [`local_addrs`](Self::local_addrs) tells which.
    pub async fn bind(config: Config, directory: Arc<dyn Directory>) -> Result<Self, StartError> {
        for warning in config.warnings() {
            tracing::warn!("configuration: {warning}");
        }
        std::fs::create_dir_all(&config.data_dir).map_err(|source| StartError::DataDir {
            path: config.data_dir.clone(),
            source,
        })?;
        let mut listeners = Vec::new();
        let mut addrs = Vec::new();
        for addr in &config.listen {
            let l = TcpListener::bind(addr)
                .await
                .map_err(|source| StartError::Bind {
                    addr: *addr,
                    source,
                })?;
            addrs.push(l.local_addr().map_err(|source| StartError::Bind {
                addr: *addr,
                source,
            })?);
            listeners.push(l);
        }
        let mut config = config;
        if config.server_name.is_none()
            && let Some(first) = addrs.first()
        {
            // Port 0 was replaced by the kernel's choice: physical URLs and
            // hosting decisions use the real one.
            let mut a = *first;
            if a.ip().is_unspecified() {
                a.set_ip(IpAddr::from([127, 0, 0, 1]));
            }
            config.server_name = Some(a.to_string());
        }
        let auth = digest_auth(&config, None).map_err(StartError::Auth)?;
        let env = Environment::system(&config);
        let shared = Shared::new(config, directory, auth, env);
        Ok(Self {
            shared,
            listeners,
            addrs,
        })
    }

    /// The bound addresses.
    pub fn local_addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// Counts of the presence core (principals, subscriptions, views,
    /// pending timers and events).
    pub fn stats(&self) -> presence_model::Stats {
        self.shared.stats()
    }

    /// The effective configuration (with `server-name` filled in).
    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    /// Serves until `shutdown` completes, then tells the watchers of every
    /// logged-in principal that it went offline, stops accepting, and lets
    /// open requests finish (bounded by the request timeout).
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) {
        let (stop_tx, stop_rx) = watch::channel(false);
        let limits = Arc::new(ConnLimits::new(
            self.shared.config.limits.max_connections,
            self.shared.config.limits.max_connections_per_ip,
        ));
        let timer = tokio::spawn(drive_timers(Arc::clone(&self.shared), stop_rx.clone()));
        let (conn_tx, mut conn_rx) =
            tokio::sync::mpsc::channel::<(TcpStream, SocketAddr, ConnGuard)>(64);
        let mut accepts = Vec::new();
        for listener in self.listeners {
            let tx = conn_tx.clone();
            let limits = Arc::clone(&limits);
            let mut stop = stop_rx.clone();
            accepts.push(tokio::spawn(async move {
                loop {
                    tokio::select! {
                        r = listener.accept() => match r {
                            Ok((stream, peer)) => {
                                let Some(guard) = limits.admit(peer.ip()) else {
                                    tracing::warn!(%peer, "connection limit reached: closed");
                                    continue;
                                };
                                if tx.send((stream, peer, guard)).await.is_err() {
                                    break;
                                }
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "accept failed");
                                tokio::time::sleep(Duration::from_millis(50)).await;
                            }
                        },
                        _ = stop.changed() => break,
                    }
                }
            }));
        }
        drop(conn_tx);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                next = conn_rx.recv() => {
                    let Some((stream, peer, guard)) = next else { break };
                    spawn_connection(&self.shared, stream, peer, guard, stop_rx.clone());
                }
                () = &mut shutdown => break,
            }
        }
        tracing::info!("shutting down: telling watchers");
        let _ = stop_tx.send(true);
        for a in accepts {
            let _ = a.await;
        }
        self.shared.all_offline(Duration::from_secs(2)).await;
        let grace = Duration::from_secs(self.shared.config.limits.request_timeout_secs);
        let deadline = tokio::time::Instant::now() + grace;
        while limits.open() > 0 {
            if tokio::time::Instant::now() >= deadline {
                tracing::warn!(
                    open = limits.open(),
                    "connections still open after the grace period"
                );
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        timer.abort();
    }
}

/// The Digest verifier `config` asks for; `rng_seed` seeds its nonces
/// (`None`: from the operating system, as a real server must).
pub(crate) fn digest_auth(
    config: &Config,
    rng_seed: Option<u64>,
) -> Result<DigestAuth, crate::auth::DigestConfigError> {
    let mut digest = DigestConfig {
        nonce_lifetime: Duration::from_secs(config.auth.nonce_lifetime_secs),
        max_outstanding_nonces: config.auth.max_outstanding_nonces,
        algorithms: if config.auth.offer_sha256 {
            DigestAlgorithm::ALL.to_vec()
        } else {
            vec![DigestAlgorithm::Md5]
        },
        ..DigestConfig::default()
    };
    digest.rng_seed = rng_seed;
    DigestAuth::new(digest)
}

/// Serves one HTTP/1.1 connection until it ends or the server stops (then
/// the request in progress finishes and the connection closes).
fn spawn_connection(
    shared: &Arc<Shared>,
    stream: TcpStream,
    peer: SocketAddr,
    guard: ConnGuard,
    mut stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let limits = shared.config.limits;
    let timeout = Duration::from_secs(limits.request_timeout_secs);
    let shared = Arc::clone(shared);
    let service = service_fn(move |request: Request<Incoming>| {
        let shared = Arc::clone(&shared);
        async move {
            let (parts, body) = request.into_parts();
            let collected = tokio::time::timeout(
                timeout,
                Limited::new(body, shared.config.limits.max_body_bytes).collect(),
            )
            .await;
            let response = match collected {
                Err(_) => status_only(StatusCode::REQUEST_TIMEOUT),
                Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
                    status_only(StatusCode::PAYLOAD_TOO_LARGE)
                }
                Ok(Err(_)) => status_only(StatusCode::BAD_REQUEST),
                Ok(Ok(body)) => {
                    let request = Request::from_parts(parts, body.to_bytes());
                    handler::handle(&shared, request, peer).await
                }
            };
            Ok::<_, Infallible>(response.map(Full::new))
        }
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(timeout)
        .title_case_headers(true)
        .max_buf_size(limits.max_head_bytes.max(MIN_HEAD_BUFFER))
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    tokio::spawn(async move {
        tokio::pin!(conn);
        let result = tokio::select! {
            r = conn.as_mut() => r,
            _ = stop.changed() => {
                conn.as_mut().graceful_shutdown();
                conn.await
            }
        };
        if let Err(e) = result {
            tracing::debug!(%peer, error = %e, "connection ended with an error");
        }
        drop(guard);
    });
}

fn status_only(status: StatusCode) -> Response<Bytes> {
    let mut r = Response::new(Bytes::new());
    *r.status_mut() = status;
    r.headers_mut().insert(
        rvp_codec::header::RVP_NOTIFICATIONS_VERSION,
        http::HeaderValue::from_static("0.2"),
    );
    r
}

/// Re-arms one sleep to the core's next deadline.
async fn drive_timers(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    loop {
        let deadline = shared.lock().core.poll_timeout();
        let sleep = match deadline {
            Some(d) => tokio::time::sleep_until(tokio::time::Instant::from_std(d)),
            None => tokio::time::sleep(Duration::from_secs(3600)),
        };
        tokio::select! {
            () = sleep => {
                let model = {
                    let mut m = shared.lock();
                    m.core.handle_timeout(shared.clock.now());
                    m
                };
                shared.after_change(model);
            }
            () = shared.wake.notified() => {}
            _ = stop.changed() => break,
        }
    }
}

/// Open-connection counts, in all and per peer address.
#[derive(Debug)]
struct ConnLimits {
    max: usize,
    per_ip: usize,
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// Releases a connection's slot when dropped.
#[derive(Debug)]
struct ConnGuard {
    limits: Arc<ConnLimits>,
    ip: IpAddr,
}

impl ConnLimits {
    fn new(max: usize, per_ip: usize) -> Self {
        Self {
            max,
            per_ip,
            open: Mutex::new((0, HashMap::new())),
        }
    }

    fn open(&self) -> usize {
        self.open.lock().unwrap_or_else(PoisonError::into_inner).0
    }

    fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<ConnGuard> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let (total, by_ip) = &mut *open;
        let n = by_ip.get(&ip).copied().unwrap_or(0);
        if *total >= self.max || n >= self.per_ip {
            return None;
        }
        *total += 1;
        by_ip.insert(ip, n + 1);
        Some(ConnGuard {
            limits: Arc::clone(self),
            ip,
        })
    }
}

impl Drop for ConnGuard {
    fn drop(&mut self) {
        let mut open = self
            .limits
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (total, by_ip) = &mut *open;
        *total = total.saturating_sub(1);
        if let Some(n) = by_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                by_ip.remove(&self.ip);
            }
        }
    }
}
