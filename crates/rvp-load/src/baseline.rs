//! The baselines the server is measured against, in the same process and
//! run: a bare hyper server that answers every request at once without
//! state (the HTTP floor), and a bare forwarder that remembers each login's
//! callback and each watcher and relays every NOTIFY body to the
//! recipient's callback (and every PROPPATCH to the watchers' callbacks)
//! over a pooled hyper client (the delivery floor).
//!
//! Both answer the requests of the login sequence with the statuses the
//! simulated client expects (`200` with a `Subscription-Id` for SUBSCRIBE,
//! `207` for PROPFIND, `200` otherwise), so the same clients drive them.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rvp_codec::header::{CALL_BACK, NOTIFICATION_TYPE, SUBSCRIPTION_ID};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// Largest request body read.
const MAX_BODY: usize = 64 * 1024;
/// Time for a callback to answer a relayed NOTIFY.
const RELAY_TIMEOUT: Duration = Duration::from_secs(10);

/// Which baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum BaselineKind {
    /// Answers every request at once (the HTTP floor).
    Bare,
    /// Relays NOTIFYs to callbacks (the delivery floor).
    Forwarder,
}

#[derive(Debug)]
struct State {
    kind: BaselineKind,
    next_id: AtomicU64,
    /// alias -> the login's callback URL.
    logins: RwLock<HashMap<String, String>>,
    /// alias -> the aliases watching it.
    watchers: RwLock<HashMap<String, Vec<String>>>,
    client: Client<HttpConnector, Full<Bytes>>,
}

/// A running baseline server; stops when dropped.
#[derive(Debug)]
pub struct Baseline {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for Baseline {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Baseline {
    /// Starts a baseline on 127.0.0.1 (a free port).
    ///
    /// # Errors
    /// A bind error.
    pub async fn start(kind: BaselineKind) -> std::io::Result<Self> {
        Self::start_on(kind, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a baseline on `addr`.
    ///
    /// # Errors
    /// A bind error.
    pub async fn start_on(kind: BaselineKind, addr: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let state = Arc::new(State {
            kind,
            next_id: AtomicU64::new(1),
            logins: RwLock::new(HashMap::new()),
            watchers: RwLock::new(HashMap::new()),
            client: Client::builder(TokioExecutor::new())
                .pool_max_idle_per_host(usize::MAX)
                .build(connector),
        });
        let task = tokio::spawn(accept_loop(listener, state));
        Ok(Self { addr, task })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<State>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let state = Arc::clone(&state);
                async move { Ok::<_, std::convert::Infallible>(handle(req, state).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn answer(status: StatusCode) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = status;
    r
}

/// The alias a path or logical URL ends with.
fn alias_of(s: &str) -> Option<&str> {
    s.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|a| !a.is_empty())
}

async fn handle(req: Request<Incoming>, state: Arc<State>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let Ok(body) = Limited::new(body, MAX_BODY).collect().await else {
        return answer(StatusCode::BAD_REQUEST);
    };
    let body = body.to_bytes();
    let alias = alias_of(parts.uri.path()).unwrap_or_default().to_owned();
    let header = |name: http::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let forward = state.kind == BaselineKind::Forwarder;
    match parts.method.as_str() {
        "SUBSCRIBE" => {
            if forward {
                let kind = header(NOTIFICATION_TYPE).unwrap_or_default();
                let callback = header(CALL_BACK);
                match (kind.as_str(), callback) {
                    ("pragma/notify", Some(cb)) => {
                        write(&state.logins).insert(alias, cb);
                    }
                    ("update/propchange", Some(cb)) => {
                        if let Some(watcher) = alias_of(&cb) {
                            write(&state.watchers)
                                .entry(alias)
                                .or_default()
                                .push(watcher.to_owned());
                        }
                    }
                    _ => {}
                }
            }
            let id = state.next_id.fetch_add(1, Ordering::Relaxed);
            let mut r = answer(StatusCode::OK);
            r.headers_mut()
                .insert(SUBSCRIPTION_ID, HeaderValue::from(id));
            r
        }
        "PROPFIND" => answer(StatusCode::MULTI_STATUS),
        "NOTIFY" if forward => {
            let callback = read(&state.logins).get(&alias).cloned();
            match callback {
                Some(cb) if relay(&state, &cb, body).await => answer(StatusCode::OK),
                _ => answer(StatusCode::PRECONDITION_FAILED),
            }
        }
        "PROPPATCH" if forward => {
            let targets: Vec<String> = {
                let watchers = read(&state.watchers);
                let logins = read(&state.logins);
                watchers
                    .get(&alias)
                    .into_iter()
                    .flatten()
                    .filter_map(|w| logins.get(w).cloned())
                    .collect()
            };
            // Like a presence server: answer now, deliver in the background.
            for cb in targets {
                let state = Arc::clone(&state);
                let body = body.clone();
                tokio::spawn(async move { relay(&state, &cb, body).await });
            }
            answer(StatusCode::MULTI_STATUS)
        }
        _ => answer(StatusCode::OK),
    }
}

async fn relay(state: &State, callback: &str, body: Bytes) -> bool {
    let Ok(uri) = callback.parse::<http::Uri>() else {
        return false;
    };
    let mut req = Request::new(Full::new(body));
    *req.method_mut() = Method::from_bytes(b"NOTIFY").unwrap_or(Method::POST);
    *req.uri_mut() = uri;
    req.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml"),
    );
    let send = async {
        let response = state.client.request(req).await.ok()?;
        let ok = response.status().is_success();
        let _ = response.into_body().collect().await;
        Some(ok)
    };
    matches!(
        tokio::time::timeout(RELAY_TIMEOUT, send).await,
        Ok(Some(true))
    )
}

fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_from_paths_and_urls() {
        assert_eq!(alias_of("/instmsg/aliases/u000001"), Some("u000001"));
        assert_eq!(
            alias_of("http://localhost/instmsg/aliases/u000002/"),
            Some("u000002")
        );
        assert_eq!(alias_of("/"), None);
    }
}
