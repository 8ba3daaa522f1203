//! Outbound HTTP: NOTIFYs to callbacks and other servers, and proxied
//! requests.
//!
//! One pooled hyper client (keep-alive connections reused per host, header
//! names written in the Title-Case peers use), a bound on requests in
//! flight, and a timeout on each exchange, answer body included. Peers that
//! answer without `Content-Length` and close the connection (librvp does)
//! are read to the end of the connection, up to [`MAX_ANSWER_BODY`] bytes.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::sync::Semaphore;

/// The largest answer body read from a peer.
pub const MAX_ANSWER_BODY: usize = 256 * 1024;

/// Why an outbound request got no HTTP answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutboundError {
    /// The URL cannot be used (not `http://host[:port]/...`).
    #[error("unusable destination URL {0}")]
    BadUrl(String),
    /// No answer within the timeout.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// Connection refused, reset, or a malformed answer.
    #[error("{0}")]
    Transport(String),
    /// The answer body exceeded [`MAX_ANSWER_BODY`].
    #[error("answer body larger than {MAX_ANSWER_BODY} bytes")]
    AnswerTooLarge,
}

/// An HTTP answer from a peer.
#[derive(Debug)]
pub struct Answer {
    /// Status code.
    pub status: StatusCode,
    /// Header fields.
    pub headers: HeaderMap,
    /// Body (at most [`MAX_ANSWER_BODY`] bytes).
    pub body: Bytes,
}

/// The pooled outbound client.
#[derive(Clone, Debug)]
pub struct Outbound {
    client: Client<HttpConnector, Full<Bytes>>,
    permits: Arc<Semaphore>,
    timeout: Duration,
    /// Answers every request in memory instead (the fuzzing harness).
    #[cfg(feature = "fuzzing")]
    sink: Option<Arc<crate::fuzzing::Sink>>,
}

impl Outbound {
    /// A client with at most `in_flight` requests at once and `timeout` per
    /// exchange.
    pub fn new(in_flight: usize, timeout: Duration) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(timeout));
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .http1_title_case_headers(true)
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(8)
            .build(connector);
        Self {
            client,
            permits: Arc::new(Semaphore::new(in_flight.max(1))),
            timeout,
            #[cfg(feature = "fuzzing")]
            sink: None,
        }
    }

    /// A client that sends nothing: `sink` records each request and says
    /// what it is answered (feature `fuzzing`).
    #[cfg(feature = "fuzzing")]
    pub(crate) fn to_sink(sink: Arc<crate::fuzzing::Sink>) -> Self {
        let mut me = Self::new(1, Duration::from_secs(1));
        me.sink = Some(sink);
        me
    }

    /// Sends one request to `url` (absolute `http` URL; the request line
    /// carries its path) and reads the answer.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        headers: HeaderMap,
        body: Bytes,
    ) -> Result<Answer, OutboundError> {
        let uri: Uri = url
            .parse()
            .map_err(|_| OutboundError::BadUrl(url.to_owned()))?;
        if uri.scheme_str() != Some("http") || uri.host().is_none() {
            return Err(OutboundError::BadUrl(url.to_owned()));
        }
        self.send_uri(method, uri, headers, body).await
    }

    /// As [`send`](Self::send), with a parsed URI.
    pub async fn send_uri(
        &self,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> Result<Answer, OutboundError> {
        #[cfg(feature = "fuzzing")]
        if let Some(sink) = &self.sink {
            return sink.answer(&method, &uri, &headers, &body);
        }
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| OutboundError::Transport("client closed".into()))?;
        let mut request = Request::new(Full::new(body));
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| OutboundError::Transport(error_chain(&e)))?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_ANSWER_BODY)
                .collect()
                .await
                .map_err(|e| {
                    if e.is::<http_body_util::LengthLimitError>() {
                        OutboundError::AnswerTooLarge
                    } else {
                        OutboundError::Transport(e.to_string())
                    }
                })?
                .to_bytes();
            Ok(Answer {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| OutboundError::Timeout(self.timeout))?
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        source = cause.source();
    }
    s
}
