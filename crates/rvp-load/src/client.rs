//! A simulated RVP client: the white paper's login sequence, lease and
//! subscription renewals, presence changes and messages, each request
//! authenticated with Digest as a long-lived client does it.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode};
use http_body_util::Full;
use rvp_codec::header::{
    CALL_BACK, DEPTH, HeaderMapExt, NOTIFICATION_TYPE, NotificationsVersion, RVP_ACK_TYPE,
    RVP_FROM_PRINCIPAL, RVP_HOP_COUNT, SUBSCRIPTION_ID, SUBSCRIPTION_LIFETIME,
    SubscriptionLifetime, WwwAuthenticate,
};
use rvp_codec::mime::TextMessage;
use rvp_codec::xml::{
    Contact, MessageNotification, Notification, PropFind, PropName, Property, PropertyUpdate,
    State, StateProperty,
};
use rvp_codec::{Config as CodecConfig, Payload};

use crate::digest::{DigestError, DigestSession};
use crate::http::{Answer, ExchangeError, HttpClient};
use crate::listener::message_text;
use crate::metrics::Metrics;

/// Why a simulated request failed (each is counted by kind in the report).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// No answer.
    #[error(transparent)]
    Exchange(#[from] ExchangeError),
    /// Digest could not be answered.
    #[error("digest: {0}")]
    Digest(#[from] DigestError),
    /// An answer with an unexpected status.
    #[error("{method} answered {status}")]
    Status {
        /// The request method.
        method: &'static str,
        /// The status.
        status: StatusCode,
    },
    /// An answer without a header the protocol requires.
    #[error("{method}: no {header} in the answer")]
    Missing {
        /// The request method.
        method: &'static str,
        /// The missing header.
        header: &'static str,
    },
}

impl RequestError {
    /// The kind counted in reports, e.g. `"NOTIFY 412"` or `"timeout"`.
    pub fn kind(&self) -> String {
        match self {
            RequestError::Exchange(e) => e.kind().to_owned(),
            RequestError::Digest(DigestError::Refused) => "auth refused".to_owned(),
            RequestError::Digest(DigestError::NoChallenge) => "auth no challenge".to_owned(),
            RequestError::Status { method, status } => format!("{method} {}", status.as_u16()),
            RequestError::Missing { method, header } => format!("{method} no {header}"),
        }
    }
}

/// What every simulated client shares.
#[derive(Debug)]
pub struct Env {
    /// The transport to the server.
    pub http: HttpClient,
    /// The counters.
    pub metrics: Arc<Metrics>,
    /// The IM domain (the `Host` of every request).
    pub domain: String,
    /// Presence lease asked for, seconds.
    pub lease_secs: u32,
    /// Subscription lifetime asked for, seconds.
    pub subscription_secs: u64,
}

/// The alias of user number `n` (from 1): `u000001`.
pub fn alias(n: usize) -> String {
    format!("u{n:06}")
}

/// The password of `alias`, known to the generator and the directory.
pub fn password(alias: &str) -> String {
    format!("pw-{alias}")
}

/// One simulated client (a principal and its login).
#[derive(Debug)]
pub struct User {
    /// Client index (user number - 1).
    pub index: usize,
    /// The alias.
    pub alias: String,
    /// The logical URL.
    pub url: String,
    digest: Mutex<DigestSession>,
    login: Mutex<Option<String>>,
    contacts: Mutex<Vec<(usize, String)>>,
}

/// The leases a login obtained (what to renew, and when it ends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Granted {
    /// The presence lease.
    pub lease: Duration,
    /// The shortest subscription lifetime granted.
    pub subscription: Duration,
}

const PRAGMA_NOTIFY: HeaderValue = HeaderValue::from_static("pragma/notify");
const UPDATE_PROPCHANGE: HeaderValue = HeaderValue::from_static("update/propchange");

impl User {
    /// Client `index` (user number `index + 1`) of `domain`.
    pub fn new(index: usize, domain: &str) -> Self {
        let alias = alias(index + 1);
        Self {
            index,
            url: format!("http://{domain}/instmsg/aliases/{alias}"),
            digest: Mutex::new(DigestSession::new(alias.clone(), password(&alias))),
            alias,
            login: Mutex::new(None),
            contacts: Mutex::new(Vec::new()),
        }
    }

    /// Sends one request about `node` (an alias), answering Digest
    /// challenges (a first `401`, and `stale=true` later).
    ///
    /// # Errors
    /// [`RequestError::Exchange`] or [`RequestError::Digest`].
    pub async fn request(
        &self,
        env: &Env,
        method: &'static str,
        node: &str,
        headers: HeaderMap,
        body: Bytes,
    ) -> Result<Answer, RequestError> {
        let path = format!("/instmsg/aliases/{node}");
        for _ in 0..3 {
            let mut request = Request::new(Full::new(body.clone()));
            *request.method_mut() = Method::from_bytes(method.as_bytes())
                .map_err(|_| ExchangeError::Io(format!("bad method {method}")))?;
            *request.uri_mut() = path
                .parse()
                .map_err(|_| ExchangeError::Io(format!("bad path {path}")))?;
            let h = request.headers_mut();
            *h = headers.clone();
            if let Ok(v) = HeaderValue::from_str(&env.domain) {
                h.insert(http::header::HOST, v);
            }
            h.typed_insert(NotificationsVersion::V0_2);
            if let Ok(v) = HeaderValue::from_str(&self.url) {
                h.insert(RVP_FROM_PRINCIPAL, v);
            }
            if !body.is_empty() {
                h.insert(
                    http::header::CONTENT_TYPE,
                    HeaderValue::from_static("text/xml"),
                );
            }
            let auth = lock(&self.digest).authorize(method, &path);
            let sent_credentials = auth.is_some();
            if let Some(a) = auth {
                h.typed_insert(a);
            }
            let started = Instant::now();
            let answer = env.http.send(request).await?;
            let rtt = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            let challenged = answer.status == StatusCode::UNAUTHORIZED;
            env.metrics.on_request(rtt, challenged);
            if !challenged {
                return Ok(answer);
            }
            let www: WwwAuthenticate = answer
                .headers
                .typed_get_with(&CodecConfig::lenient())
                .ok()
                .flatten()
                .ok_or(DigestError::NoChallenge)?;
            lock(&self.digest).on_unauthorized(&www, sent_credentials)?;
        }
        Err(DigestError::Refused.into())
    }

    async fn expect(
        &self,
        env: &Env,
        method: &'static str,
        node: &str,
        headers: HeaderMap,
        body: Bytes,
        ok: &[StatusCode],
    ) -> Result<Answer, RequestError> {
        let a = self.request(env, method, node, headers, body).await?;
        if ok.contains(&a.status) {
            Ok(a)
        } else {
            Err(RequestError::Status {
                method,
                status: a.status,
            })
        }
    }

    /// The login sequence of the white paper: login SUBSCRIBE
    /// (`pragma/notify` with `callback`), PROPPATCH of a leased `online`
    /// state, PROPFIND, SUBSCRIPTIONS, ACL, then one `update/propchange`
    /// SUBSCRIBE per contact with our logical URL as `Call-Back`.
    ///
    /// # Errors
    /// The first request that fails.
    pub async fn login(
        &self,
        env: &Env,
        callback: &str,
        contacts: &[usize],
    ) -> Result<Granted, RequestError> {
        let mut h = HeaderMap::new();
        h.insert(NOTIFICATION_TYPE, PRAGMA_NOTIFY);
        h.typed_insert(SubscriptionLifetime::from_duration(Duration::from_secs(
            env.subscription_secs,
        )));
        h.insert(CALL_BACK, value(callback)?);
        let a = self
            .expect(
                env,
                "SUBSCRIBE",
                &self.alias,
                h,
                Bytes::new(),
                &[StatusCode::OK],
            )
            .await?;
        let id = header(&a, &SUBSCRIPTION_ID).ok_or(RequestError::Missing {
            method: "SUBSCRIBE",
            header: "Subscription-Id",
        })?;
        let mut subscription = lifetime(&a).unwrap_or(Duration::from_secs(env.subscription_secs));
        *lock(&self.login) = Some(id);
        let lease = self.set_state(env, State::Online).await?;
        let mut h = HeaderMap::new();
        h.insert(DEPTH, HeaderValue::from_static("0"));
        let propfind = PropFind::Prop(vec![
            PropName::DisplayName,
            PropName::Email,
            PropName::State,
        ]);
        self.expect(
            env,
            "PROPFIND",
            &self.alias,
            h,
            propfind.to_bytes(),
            &[StatusCode::MULTI_STATUS],
        )
        .await?;
        let mut h = HeaderMap::new();
        h.insert(NOTIFICATION_TYPE, UPDATE_PROPCHANGE);
        self.expect(
            env,
            "SUBSCRIPTIONS",
            &self.alias,
            h,
            Bytes::new(),
            &[StatusCode::OK],
        )
        .await?;
        self.expect(
            env,
            "ACL",
            &self.alias,
            HeaderMap::new(),
            Bytes::new(),
            &[StatusCode::OK],
        )
        .await?;
        let mut subs = Vec::with_capacity(contacts.len());
        for &c in contacts {
            let (id, granted) = self.watch(env, c).await?;
            subscription = subscription.min(granted);
            subs.push((c, id));
        }
        *lock(&self.contacts) = subs;
        Ok(Granted {
            lease,
            subscription,
        })
    }

    /// Subscribes to contact `c`'s presence; returns the subscription id and
    /// lifetime.
    async fn watch(&self, env: &Env, c: usize) -> Result<(String, Duration), RequestError> {
        let mut h = HeaderMap::new();
        h.insert(NOTIFICATION_TYPE, UPDATE_PROPCHANGE);
        h.typed_insert(SubscriptionLifetime::from_duration(Duration::from_secs(
            env.subscription_secs,
        )));
        h.insert(CALL_BACK, value(&self.url)?);
        let a = self
            .expect(
                env,
                "SUBSCRIBE",
                &alias(c + 1),
                h,
                Bytes::new(),
                &[StatusCode::OK, StatusCode::MULTI_STATUS],
            )
            .await?;
        let id = header(&a, &SUBSCRIPTION_ID).ok_or(RequestError::Missing {
            method: "SUBSCRIBE",
            header: "Subscription-Id",
        })?;
        Ok((
            id,
            lifetime(&a).unwrap_or(Duration::from_secs(env.subscription_secs)),
        ))
    }

    /// Sets (and leases) our state; returns the lease granted.
    ///
    /// # Errors
    /// The PROPPATCH failed.
    pub async fn set_state(&self, env: &Env, state: State) -> Result<Duration, RequestError> {
        let body = PropertyUpdate::set(vec![Property::State(StateProperty::leased(
            state,
            State::Offline,
            env.lease_secs,
        ))])
        .to_bytes();
        self.expect(
            env,
            "PROPPATCH",
            &self.alias,
            HeaderMap::new(),
            body,
            &[StatusCode::MULTI_STATUS, StatusCode::OK],
        )
        .await?;
        Ok(Duration::from_secs(u64::from(env.lease_secs)))
    }

    /// Renews the login subscription and every contact subscription (a
    /// SUBSCRIBE with the `Subscription-Id`, as librvp renews).
    ///
    /// # Errors
    /// The first renewal that fails.
    pub async fn renew_subscriptions(&self, env: &Env) -> Result<(), RequestError> {
        let login = lock(&self.login).clone();
        if let Some(id) = login {
            self.renew(env, &self.alias, &id).await?;
        }
        let contacts = lock(&self.contacts).clone();
        for (c, id) in contacts {
            self.renew(env, &alias(c + 1), &id).await?;
        }
        Ok(())
    }

    async fn renew(&self, env: &Env, node: &str, id: &str) -> Result<(), RequestError> {
        let mut h = HeaderMap::new();
        h.insert(SUBSCRIPTION_ID, value(id)?);
        h.typed_insert(SubscriptionLifetime::from_duration(Duration::from_secs(
            env.subscription_secs,
        )));
        self.expect(
            env,
            "SUBSCRIBE",
            node,
            h,
            Bytes::new(),
            &[StatusCode::OK, StatusCode::MULTI_STATUS],
        )
        .await
        .map(|_| ())
    }

    /// Sends a measured message to client `to` (`RVP-Ack-Type: DeepOr`) and
    /// records it as accepted when the server answers 2xx. Returns the
    /// status.
    ///
    /// # Errors
    /// No answer.
    pub async fn send_message(&self, env: &Env, to: usize) -> Result<StatusCode, RequestError> {
        let id = env.metrics.next_message_id();
        let to_alias = alias(to + 1);
        let text = message_text(id, env.metrics.now_us(), to);
        let body = Notification::Message(MessageNotification {
            from: Contact::new(self.url.clone(), self.alias.clone()),
            to: vec![Contact::new(
                format!("http://{}/instmsg/aliases/{to_alias}", env.domain),
                "",
            )],
            mime_data: String::from_utf8_lossy(&Payload::Text(TextMessage::new(text)).to_bytes())
                .into_owned(),
        })
        .to_bytes();
        let mut h = HeaderMap::new();
        h.insert(RVP_HOP_COUNT, HeaderValue::from_static("1"));
        h.insert(RVP_ACK_TYPE, HeaderValue::from_static("DeepOr"));
        let a = self.request(env, "NOTIFY", &to_alias, h, body).await?;
        if a.status.is_success() {
            env.metrics.on_accepted(id);
        }
        Ok(a.status)
    }
}

fn value(s: &str) -> Result<HeaderValue, RequestError> {
    HeaderValue::from_str(s).map_err(|_| ExchangeError::Io(format!("bad header value {s}")).into())
}

fn header(a: &Answer, name: &HeaderName) -> Option<String> {
    a.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_owned())
}

fn lifetime(a: &Answer) -> Option<Duration> {
    header(a, &SUBSCRIPTION_LIFETIME)
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|&s| s > 0)
        .map(Duration::from_secs)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_passwords() {
        assert_eq!(alias(1), "u000001");
        assert_eq!(alias(100_000), "u100000");
        assert_eq!(password("u000001"), "pw-u000001");
        let u = User::new(0, "localhost");
        assert_eq!(u.url, "http://localhost/instmsg/aliases/u000001");
    }

    #[test]
    fn error_kinds() {
        let e = RequestError::Status {
            method: "NOTIFY",
            status: StatusCode::PRECONDITION_FAILED,
        };
        assert_eq!(e.kind(), "NOTIFY 412");
        assert_eq!(RequestError::from(ExchangeError::Timeout).kind(), "timeout");
    }
}
