//! One RVP exchange with a server: Digest answers to `401` challenges
//! (including `stale=true`), and retries with randomized exponential
//! back-off when the server cannot be reached or answers `502`/`503`/`504`.

use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rvp_codec::header::{HeaderMapExt, NotificationsVersion, SUBSCRIPTION_ID, WwwAuthenticate};

use crate::auth::{AuthError, DigestState, UsernameForm};
use crate::error::{Error, TransportKind};

/// The largest answer body read from a server.
const MAX_ANSWER_BODY: usize = 1024 * 1024;

/// Retries with randomized exponential back-off: attempt `n` (from 0) waits
/// a uniformly random time in `[d/2, d]` where `d = min(max, initial * 2^n)`,
/// so that many clients of a restarted server do not all reconnect at the
/// same instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// The first delay's upper bound.
    pub initial: Duration,
    /// The largest delay.
    pub max: Duration,
    /// Attempts in all (the first included); at least 1.
    pub attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(60),
            attempts: 6,
        }
    }
}

impl RetryPolicy {
    /// A policy with these bounds.
    pub fn new(initial: Duration, max: Duration, attempts: u32) -> Self {
        Self {
            initial,
            max,
            attempts: attempts.max(1),
        }
    }

    /// The delay before retry `n` (0 for the first retry).
    pub fn delay(&self, n: u32, rng: &mut impl Rng) -> Duration {
        let d = self
            .initial
            .saturating_mul(1u32.checked_shl(n.min(31)).unwrap_or(u32::MAX))
            .min(self.max);
        let half = d / 2;
        let span = (d - half).as_micros() as u64;
        half + Duration::from_micros(rng.random_range(0..=span))
    }
}

/// An HTTP answer.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// Credentials and the Digest state shared by every request of a session.
pub(crate) struct Http {
    client: Client<HttpConnector, Full<Bytes>>,
    username: String,
    password: String,
    /// The challenge to answer, per server: credentials sent to one
    /// server's realm mean nothing to another's (a server of another
    /// organisation accepts us without them).
    digest: Mutex<std::collections::HashMap<String, DigestState>>,
    retry: RetryPolicy,
    rng: Mutex<StdRng>,
    timeout: Duration,
    counter: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Where a request goes: the server to connect to and the node on it.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// `host:port` to connect to.
    pub(crate) authority: String,
    /// The request path (`/instmsg/aliases/bob`).
    pub(crate) path: String,
    /// The `Host` header (the IM domain, as librvp sends).
    pub(crate) host: String,
}

impl Http {
    pub(crate) fn new(
        alias: &str,
        domain: &str,
        form: &UsernameForm,
        password: String,
        retry: RetryPolicy,
        seed: Option<u64>,
        timeout: Duration,
    ) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(timeout));
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .http1_title_case_headers(true)
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        let rng = match seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => StdRng::from_os_rng(),
        };
        Self {
            client,
            username: form.username(alias, domain),
            password,
            digest: Mutex::new(std::collections::HashMap::new()),
            retry,
            rng: Mutex::new(rng),
            timeout,
            counter: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// A random number (session ids, cookies) from the session's RNG.
    pub(crate) fn random_u128(&self) -> u128 {
        match self.rng.lock() {
            Ok(mut r) => r.random(),
            Err(p) => p.into_inner().random(),
        }
    }

    fn cnonce(&self) -> String {
        let n = self
            .counter
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{:016x}{n:08x}", self.random_u128() as u64)
    }

    fn backoff(&self, n: u32) -> Duration {
        match self.rng.lock() {
            Ok(mut r) => self.retry.delay(n, &mut *r),
            Err(p) => self.retry.delay(n, &mut *p.into_inner()),
        }
    }

    /// Sends a request, answering Digest challenges and retrying with
    /// back-off while the server is unreachable or overloaded.
    ///
    /// A request that must not be processed twice (NOTIFY: the message would
    /// arrive twice; SUBSCRIBE without `Subscription-Id`: a second
    /// subscription) is repeated only when it cannot have been processed:
    /// no connection could be made, or `503`. Any other request is also
    /// repeated after a timeout, a broken connection, `502`, `504` and
    /// `500`.
    pub(crate) async fn send(
        &self,
        method: &Method,
        target: &Target,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Result<Answer, Error> {
        let mut attempt = 0;
        loop {
            let result = self.send_authenticated(method, target, headers, body).await;
            let once_only = method.as_str() == "NOTIFY"
                || (method.as_str() == "SUBSCRIBE" && !headers.contains_key(SUBSCRIPTION_ID));
            let retryable = match &result {
                Err(Error::Transport {
                    kind: TransportKind::Connect,
                    ..
                }) => true,
                Err(Error::Transport { .. }) => !once_only,
                Ok(a) if a.status == StatusCode::SERVICE_UNAVAILABLE => true,
                Ok(a) => {
                    !once_only
                        && matches!(
                            a.status,
                            StatusCode::BAD_GATEWAY
                                | StatusCode::GATEWAY_TIMEOUT
                                | StatusCode::INTERNAL_SERVER_ERROR
                        )
                }
                Err(_) => false,
            };
            attempt += 1;
            if !retryable || attempt >= self.retry.attempts {
                return result;
            }
            let delay = self.backoff(attempt - 1);
            tracing::debug!(?delay, attempt, "{method} {}: retrying", target.path);
            tokio::time::sleep(delay).await;
        }
    }

    async fn send_authenticated(
        &self,
        method: &Method,
        target: &Target,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Result<Answer, Error> {
        let mut sent_credentials = false;
        for _ in 0..3 {
            let mut h = headers.clone();
            let auth = {
                let mut d = self.digest.lock().map_err(|_| Error::Poisoned)?;
                let cnonce = self.cnonce();
                d.get_mut(&target.authority).and_then(|d| {
                    d.authorize(
                        &self.username,
                        &self.password,
                        method.as_str(),
                        &target.path,
                        &cnonce,
                    )
                })
            };
            if let Some(a) = auth {
                h.typed_insert(a);
                sent_credentials = true;
            }
            let answer = self.exchange(method, target, h, body.clone()).await?;
            if answer.status != StatusCode::UNAUTHORIZED {
                return Ok(answer);
            }
            let www: WwwAuthenticate = answer
                .headers
                .typed_get_with(&rvp_codec::Config::lenient())
                .ok()
                .flatten()
                .ok_or(Error::Auth(AuthError::NoUsableChallenge))?;
            if sent_credentials && !DigestState::is_stale(&www) {
                return Err(Error::Auth(AuthError::Refused));
            }
            let fresh = DigestState::from_challenges(&www)?;
            self.digest
                .lock()
                .map_err(|_| Error::Poisoned)?
                .insert(target.authority.clone(), fresh);
        }
        Err(Error::Auth(AuthError::Refused))
    }

    /// One exchange, no retries.
    async fn exchange(
        &self,
        method: &Method,
        target: &Target,
        mut headers: HeaderMap,
        body: Bytes,
    ) -> Result<Answer, Error> {
        let url = format!("http://{}{}", target.authority, target.path);
        let uri: Uri = url
            .parse()
            .map_err(|_| Error::BadUrl { url: url.clone() })?;
        headers.typed_insert(NotificationsVersion::V0_2);
        if let Ok(v) = HeaderValue::from_str(&target.host) {
            headers.insert(http::header::HOST, v);
        }
        let body_copy = body.clone();
        let mut request = Request::new(Full::new(body));
        *request.method_mut() = method.clone();
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        if tracing::enabled!(target: "rvp_client::traffic", tracing::Level::TRACE) {
            tracing::trace!(target: "rvp_client::traffic", "\n>>> {method} {url}\n{}", show(request.headers(), &body_copy));
        } else {
            tracing::debug!(target: "rvp_client::traffic", "> {method} {url}");
        }
        let exchange = async {
            let response = self.client.request(request).await.map_err(|e| {
                let kind = if e.is_connect() {
                    TransportKind::Connect
                } else {
                    TransportKind::Broken
                };
                Error::transport(&url, kind, &e)
            })?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_ANSWER_BODY)
                .collect()
                .await
                .map_err(|e| Error::transport(&url, TransportKind::Broken, &*e))?
                .to_bytes();
            Ok::<_, Error>(Answer {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        };
        let answer = tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| Error::Transport {
                url: url.clone(),
                kind: TransportKind::Timeout,
                reason: format!("no answer within {:?}", self.timeout),
            })??;
        if tracing::enabled!(target: "rvp_client::traffic", tracing::Level::TRACE) {
            tracing::trace!(target: "rvp_client::traffic", "\n<<< {} ({method} {url})\n{}", answer.status, show(&answer.headers, &answer.body));
        } else {
            tracing::debug!(target: "rvp_client::traffic", "< {} {method} {url}", answer.status);
        }
        Ok(answer)
    }
}

/// Header lines and the body as text, for the traffic log.
pub(crate) fn show(headers: &HeaderMap, body: &[u8]) -> String {
    let mut out = String::new();
    for (name, value) in headers {
        let name = rvp_codec::header::canonical_name(name).unwrap_or(name.as_str());
        out.push_str(&format!(
            "{name}: {}\n",
            String::from_utf8_lossy(value.as_bytes())
        ));
    }
    if !body.is_empty() {
        out.push('\n');
        out.push_str(&String::from_utf8_lossy(body));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn backoff_grows_within_bounds_and_is_randomized() {
        let p = RetryPolicy::new(Duration::from_millis(100), Duration::from_secs(1), 10);
        let mut rng = StdRng::seed_from_u64(7);
        for n in 0..10 {
            let d = p.delay(n, &mut rng);
            let cap = (Duration::from_millis(100) * 2u32.pow(n)).min(Duration::from_secs(1));
            assert!(d >= cap / 2 && d <= cap, "attempt {n}: {d:?}");
        }
        let a: Vec<_> = (0..5)
            .map(|_| p.delay(3, &mut StdRng::from_os_rng()))
            .collect();
        assert!(a.windows(2).any(|w| w[0] != w[1]), "jitter: {a:?}");
    }
}
