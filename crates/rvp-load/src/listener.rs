//! The shared callback listeners: a few hyper servers that receive the
//! NOTIFYs of every simulated client, told apart by the callback path
//! (`http://127.0.0.1:PORT/c/<client>/<generation>`).
//!
//! A message NOTIFY carries, in its text, the marker written by
//! [`message_text`]: the message id, the send time and the recipient; the
//! listener checks the recipient and records the latency and the receipt.
//! Any other NOTIFY (a presence change) is counted as presence. A callback
//! of a client generation that is gone answers `404`, as a departed client
//! would fail.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::metrics::Metrics;

/// Largest NOTIFY body read by a listener.
const MAX_NOTIFY_BYTES: usize = 64 * 1024;
/// The marker that starts the measurement fields in a message's text.
const MARKER: &[u8] = b"rvpload:";

/// The text of a measured message: `rvpload:<id>:<sent µs>:<recipient>;`.
pub fn message_text(id: u64, sent_us: u64, recipient: usize) -> String {
    format!("rvpload:{id}:{sent_us}:{recipient};")
}

/// The measurement fields of a received body: (id, sent µs, recipient).
pub fn parse_message(body: &[u8]) -> Option<(u64, u64, usize)> {
    let start = memchr::memmem::find(body, MARKER)? + MARKER.len();
    let rest = body.get(start..)?;
    let end = memchr::memchr(b';', rest)?;
    let fields = std::str::from_utf8(rest.get(..end)?).ok()?;
    let mut it = fields.split(':');
    let id = it.next()?.parse().ok()?;
    let sent = it.next()?.parse().ok()?;
    let to = it.next()?.parse().ok()?;
    it.next().is_none().then_some((id, sent, to))
}

/// The live generation of each client (0: none); callbacks of other
/// generations are refused.
#[derive(Debug)]
pub struct Generations(Vec<AtomicU32>);

impl Generations {
    /// Room for `clients` clients, none live.
    pub fn new(clients: usize) -> Self {
        Self((0..clients).map(|_| AtomicU32::new(0)).collect())
    }

    /// Starts a new generation of `client` and returns it.
    pub fn begin(&self, client: usize) -> u32 {
        self.0
            .get(client)
            .map_or(0, |g| g.fetch_add(1, Ordering::Relaxed) + 1)
    }

    /// Ends `client`'s live generation (the client went away).
    pub fn end(&self, client: usize) {
        if let Some(g) = self.0.get(client) {
            g.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// `client`'s current generation.
    pub fn current(&self, client: usize) -> u32 {
        self.0.get(client).map_or(0, |g| g.load(Ordering::Relaxed))
    }

    /// Whether `generation` is `client`'s live one.
    pub fn is_live(&self, client: usize, generation: u32) -> bool {
        self.0
            .get(client)
            .is_some_and(|g| g.load(Ordering::Relaxed) == generation)
    }
}

/// Running callback listeners.
#[derive(Debug)]
pub struct Listeners {
    addrs: Vec<SocketAddr>,
    tasks: JoinSet<()>,
}

impl Listeners {
    /// Binds `count` listeners on 127.0.0.1 and serves them until dropped.
    ///
    /// # Errors
    /// A bind error.
    pub async fn spawn(
        count: usize,
        metrics: Arc<Metrics>,
        generations: Arc<Generations>,
    ) -> std::io::Result<Self> {
        let mut addrs = Vec::new();
        let mut tasks = JoinSet::new();
        for _ in 0..count.max(1) {
            let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
            addrs.push(listener.local_addr()?);
            let metrics = Arc::clone(&metrics);
            let generations = Arc::clone(&generations);
            tasks.spawn(accept_loop(listener, metrics, generations));
        }
        Ok(Self { addrs, tasks })
    }

    /// The callback URL of `client` in `generation`.
    pub fn callback_url(&self, client: usize, generation: u32) -> String {
        let addr = self.addrs[client % self.addrs.len()];
        format!("http://{addr}/c/{client}/{generation}")
    }

    /// The bound addresses.
    pub fn addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// Stops accepting (connections being served finish on their own).
    pub fn shutdown(&mut self) {
        self.tasks.abort_all();
    }
}

async fn accept_loop(listener: TcpListener, metrics: Arc<Metrics>, generations: Arc<Generations>) {
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(s) => s,
            Err(_) => {
                // Out of descriptors, most likely: back off briefly.
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let metrics = Arc::clone(&metrics);
        let generations = Arc::clone(&generations);
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let metrics = Arc::clone(&metrics);
                let generations = Arc::clone(&generations);
                async move {
                    Ok::<_, std::convert::Infallible>(handle(req, &metrics, &generations).await)
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn path_client(path: &str) -> Option<(usize, u32)> {
    let rest = path.strip_prefix("/c/")?;
    let (client, generation) = rest.split_once('/')?;
    Some((client.parse().ok()?, generation.parse().ok()?))
}

async fn handle(
    req: Request<Incoming>,
    metrics: &Metrics,
    generations: &Generations,
) -> Response<Empty<Bytes>> {
    let status = |s| {
        let mut r = Response::new(Empty::new());
        *r.status_mut() = s;
        r
    };
    let Some((client, generation)) = path_client(req.uri().path()) else {
        metrics.error("callback: bad path");
        return status(StatusCode::NOT_FOUND);
    };
    let body = match Limited::new(req.into_body(), MAX_NOTIFY_BYTES)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            metrics.error("callback: body");
            return status(StatusCode::BAD_REQUEST);
        }
    };
    if !generations.is_live(client, generation) {
        return status(StatusCode::NOT_FOUND);
    }
    match parse_message(&body) {
        Some((id, sent, to)) => {
            if to != client {
                metrics.error("callback: misdelivered");
            }
            metrics.on_message(id, sent);
        }
        None => metrics.on_presence(),
    }
    status(StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_fields_round_trip_inside_xml() {
        let text = message_text(42, 123_456, 7);
        let body = format!("<a:msg>MIME-Version: 1.0\r\n\r\n{text}</a:msg>");
        assert_eq!(parse_message(body.as_bytes()), Some((42, 123_456, 7)));
        assert_eq!(parse_message(b"<propchange/>"), None);
        assert_eq!(parse_message(b"rvpload:1:2;"), None);
        assert_eq!(parse_message(b"rvpload:1:2:3:4;"), None);
        assert_eq!(parse_message(b"rvpload:x:2:3;"), None);
    }

    #[test]
    fn paths_and_generations() {
        assert_eq!(path_client("/c/12/3"), Some((12, 3)));
        assert_eq!(path_client("/c/12"), None);
        assert_eq!(path_client("/d/1/1"), None);
        let g = Generations::new(2);
        assert!(!g.is_live(0, 1));
        let first = g.begin(0);
        assert!(g.is_live(0, first));
        g.end(0);
        assert!(!g.is_live(0, first));
        assert_eq!(g.begin(5), 0);
    }
}
