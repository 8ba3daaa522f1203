//! The callback listener: a small HTTP server to which the home server sends
//! the NOTIFYs for this login (messages, presence changes).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use rvp_codec::header::{HeaderMapExt, NotificationsVersion};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc, watch};

use crate::error::Error;
use crate::event::{Event, LibrvpPeers, decode_notify};

/// The largest NOTIFY body accepted.
const MAX_NOTIFY_BODY: usize = 256 * 1024;
/// The most connections served at once; more wait in the accept queue.
const MAX_CONNECTIONS: usize = 64;
/// How long a peer may take to send a request head, and then its body.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The pause after a failed `accept` (out of file descriptors...), so the
/// loop does not spin.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// Which port the callback listener uses (Exchange SP1's Fixed Port
/// callback delivery).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CallbackPort {
    /// Any free port above 1024 (the system's choice).
    #[default]
    Random,
    /// This port; below 1025 means random.
    Fixed(u16),
    /// The first free port of this range (clamped to 1025-65535).
    Range(u16, u16),
}

/// Binds the listener on `ip` as `port` asks.
pub(crate) async fn bind(ip: IpAddr, port: CallbackPort) -> Result<TcpListener, Error> {
    let candidates: Vec<u16> = match port {
        CallbackPort::Random => vec![0],
        CallbackPort::Fixed(p) if p < 1025 => vec![0],
        CallbackPort::Fixed(p) => vec![p],
        CallbackPort::Range(lo, hi) => (lo.max(1025)..=hi.max(1025)).collect(),
    };
    let mut last = None;
    for p in candidates {
        match TcpListener::bind(SocketAddr::new(ip, p)).await {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
    }
    Err(Error::Listen(last.unwrap_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "empty port range")
    })))
}

/// The local address used to reach `server` (what the server sees as our
/// address, and so what the `Call-Back` must name).
pub(crate) fn local_ip_towards(server: SocketAddr) -> IpAddr {
    let any: SocketAddr = if server.is_ipv4() {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    std::net::UdpSocket::bind(any)
        .and_then(|s| s.connect(server).and_then(|()| s.local_addr()))
        .map(|a| a.ip())
        .unwrap_or(server.ip())
}

/// Serves NOTIFYs until `stop` turns true; each decoded one becomes an event.
/// At most [`MAX_CONNECTIONS`] at once, each request head and body read
/// within [`READ_TIMEOUT`], bodies up to [`MAX_NOTIFY_BODY`].
pub(crate) fn spawn(
    listener: TcpListener,
    events: mpsc::Sender<Event>,
    librvp: Arc<LibrvpPeers>,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let events = Arc::new(events);
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    tokio::spawn(async move {
        loop {
            let slot = tokio::select! {
                s = Arc::clone(&slots).acquire_owned() => s,
                _ = stop.changed() => return,
            };
            let Ok(slot) = slot else { return };
            let accepted = tokio::select! {
                a = listener.accept() => a,
                _ = stop.changed() => return,
            };
            let stream = match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::debug!("callback listener: accept failed: {e}");
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                    continue;
                }
            };
            let events = Arc::clone(&events);
            let librvp = Arc::clone(&librvp);
            let mut stop = stop.clone();
            tokio::spawn(async move {
                let _slot = slot;
                let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                    let events = Arc::clone(&events);
                    let librvp = Arc::clone(&librvp);
                    async move {
                        let version = req.headers().typed_get::<NotificationsVersion>();
                        let head = format!("{} {}", req.method(), req.uri());
                        let headers = req.headers().clone();
                        let body = tokio::time::timeout(
                            READ_TIMEOUT,
                            Limited::new(req.into_body(), MAX_NOTIFY_BODY).collect(),
                        )
                        .await;
                        let status = match body {
                            Ok(Ok(body)) => {
                                let body = body.to_bytes();
                                tracing::trace!(target: "rvp_client::traffic", "\n<<< callback {head}\n{}", crate::transport::show(&headers, &body));
                                if let Some(event) = decode_notify(&body, &librvp) {
                                    let _ = events.send(event).await;
                                }
                                StatusCode::OK
                            }
                            Ok(Err(_)) => StatusCode::PAYLOAD_TOO_LARGE,
                            Err(_) => StatusCode::REQUEST_TIMEOUT,
                        };
                        let mut answer = Response::new(Full::new(Bytes::new()));
                        *answer.status_mut() = status;
                        answer.headers_mut().typed_insert(
                            version.ok().flatten().unwrap_or(NotificationsVersion::V0_2),
                        );
                        Ok::<_, std::convert::Infallible>(answer)
                    }
                });
                let conn = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(READ_TIMEOUT)
                    .title_case_headers(true)
                    .serve_connection(TokioIo::new(stream), service);
                tokio::select! {
                    _ = conn => {}
                    _ = stop.changed() => {}
                }
            });
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    #[tokio::test]
    async fn a_fixed_port_below_1025_means_random() {
        let l = bind(LOOPBACK, CallbackPort::Fixed(80)).await.unwrap();
        assert!(l.local_addr().unwrap().port() > 1024);
    }

    #[tokio::test]
    async fn a_range_skips_busy_ports() {
        let busy = bind(LOOPBACK, CallbackPort::Random).await.unwrap();
        let p = busy.local_addr().unwrap().port();
        let l = bind(LOOPBACK, CallbackPort::Range(p, p.saturating_add(5)))
            .await
            .unwrap();
        let got = l.local_addr().unwrap().port();
        assert!(got > p && got <= p.saturating_add(5), "{got}");
    }

    #[tokio::test]
    async fn a_busy_fixed_port_is_an_error() {
        let busy = bind(LOOPBACK, CallbackPort::Random).await.unwrap();
        let p = busy.local_addr().unwrap().port();
        assert!(matches!(
            bind(LOOPBACK, CallbackPort::Fixed(p)).await,
            Err(Error::Listen(_))
        ));
    }
}
