//! One HTTP exchange with the server under test, over a pooled keep-alive
//! client or over a fresh connection per request (as real RVP clients do),
//! optionally spreading the connections' source addresses over several
//! loopback IPs so that connection-per-request runs do not exhaust the
//! ephemeral ports of one address.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpSocket;

/// Largest answer body read (the biggest RVP answers are multistatus documents).
const MAX_ANSWER_BYTES: usize = 1 << 20;

/// How requests reach the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum ConnMode {
    /// A pooled keep-alive client: connections are reused.
    KeepAlive,
    /// A new TCP connection for every request, closed after the answer
    /// (what Exchange 2000 clients and librvp do).
    PerRequest,
}

/// What a failed exchange looked like, as counted in reports.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExchangeError {
    /// The TCP connection could not be made.
    #[error("connect: {0}")]
    Connect(String),
    /// No complete answer within the timeout.
    #[error("timeout")]
    Timeout,
    /// The connection failed during the exchange.
    #[error("i/o: {0}")]
    Io(String),
}

impl ExchangeError {
    /// The error kind's name in reports.
    pub fn kind(&self) -> &'static str {
        match self {
            ExchangeError::Connect(_) => "connect",
            ExchangeError::Timeout => "timeout",
            ExchangeError::Io(_) => "io",
        }
    }
}

/// An answer, read whole.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The header fields.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

/// Sends requests to one server.
#[derive(Debug)]
pub struct HttpClient {
    mode: ConnMode,
    server: SocketAddr,
    pooled: Client<HttpConnector, Full<Bytes>>,
    source_ips: Vec<IpAddr>,
    next_source: AtomicUsize,
    timeout: Duration,
}

impl HttpClient {
    /// A client of `server`. `source_ips` (may be empty: the kernel's
    /// choice) are used in turn as the local address of per-request
    /// connections.
    pub fn new(
        server: SocketAddr,
        mode: ConnMode,
        source_ips: Vec<IpAddr>,
        timeout: Duration,
    ) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let pooled = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(usize::MAX)
            .build(connector);
        Self {
            mode,
            server,
            pooled,
            source_ips,
            next_source: AtomicUsize::new(0),
            timeout,
        }
    }

    /// The server's address.
    pub fn server(&self) -> SocketAddr {
        self.server
    }

    /// The connection mode.
    pub fn mode(&self) -> ConnMode {
        self.mode
    }

    /// Sends `request` (its URI is the origin form; the server address is
    /// added) and reads the whole answer within the timeout.
    ///
    /// # Errors
    /// [`ExchangeError`] when no answer arrives.
    pub async fn send(&self, mut request: Request<Full<Bytes>>) -> Result<Answer, ExchangeError> {
        let exchange = async {
            match self.mode {
                ConnMode::KeepAlive => {
                    let uri = format!(
                        "http://{}{}",
                        self.server,
                        request.uri().path_and_query().map_or("/", |p| p.as_str())
                    );
                    *request.uri_mut() = uri
                        .parse()
                        .map_err(|_| ExchangeError::Io(format!("bad URI {uri}")))?;
                    let response = self.pooled.request(request).await.map_err(|e| {
                        if e.is_connect() {
                            ExchangeError::Connect(e.to_string())
                        } else {
                            ExchangeError::Io(e.to_string())
                        }
                    })?;
                    read_answer(response).await
                }
                ConnMode::PerRequest => self.send_on_new_connection(request).await,
            }
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| ExchangeError::Timeout)?
    }

    async fn send_on_new_connection(
        &self,
        mut request: Request<Full<Bytes>>,
    ) -> Result<Answer, ExchangeError> {
        let connect = |e: std::io::Error| ExchangeError::Connect(e.to_string());
        let socket = match self.server {
            SocketAddr::V4(_) => TcpSocket::new_v4(),
            SocketAddr::V6(_) => TcpSocket::new_v6(),
        }
        .map_err(connect)?;
        if !self.source_ips.is_empty() {
            let i = self.next_source.fetch_add(1, Ordering::Relaxed) % self.source_ips.len();
            if let Some(ip) = self.source_ips.get(i) {
                socket.bind(SocketAddr::new(*ip, 0)).map_err(connect)?;
            }
        }
        let stream = socket.connect(self.server).await.map_err(connect)?;
        let _ = stream.set_nodelay(true);
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| ExchangeError::Io(e.to_string()))?;
        let driver = tokio::spawn(connection);
        request.headers_mut().insert(
            http::header::CONNECTION,
            http::HeaderValue::from_static("close"),
        );
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| ExchangeError::Io(e.to_string()))?;
        let answer = read_answer(response).await;
        drop(sender);
        let _ = driver.await;
        answer
    }
}

async fn read_answer(
    response: http::Response<hyper::body::Incoming>,
) -> Result<Answer, ExchangeError> {
    let (parts, body) = response.into_parts();
    let body = Limited::new(body, MAX_ANSWER_BYTES)
        .collect()
        .await
        .map_err(|e| ExchangeError::Io(e.to_string()))?
        .to_bytes();
    Ok(Answer {
        status: parts.status,
        headers: parts.headers,
        body,
    })
}
