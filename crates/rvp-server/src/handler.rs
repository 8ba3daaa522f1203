//! Request handling: from an HTTP request to its answer.
//!
//! Order of decisions, for every request:
//! 1. methods RVP does not use: `501` (GET, HEAD, POST, PUT, LOCK, UNLOCK,
//!    OPTIONS and unknown methods) or `405` (COPY, MOVE);
//! 2. `RVP-Hop-Count` above the configured maximum: `508`;
//! 3. the node: the Request-URI (origin-form with `Host`, or absolute) must
//!    name a principal of one of our domains that the directory knows
//!    (`404` otherwise, `400` for a malformed target);
//! 4. routing: a principal hosted on another server is redirected (`302`
//!    with its physical URL) or proxied, per [`RoutingConfig`];
//! 5. authentication (see [`crate`] docs for the policy): `401` with a
//!    Digest challenge when credentials are missing or wrong;
//! 6. the method, with the access control of `presence-model`.
//!
//! [`RoutingConfig`]: crate::config::RoutingConfig

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use presence_model::{
    CallbackUrl, CredentialKind, NotificationType, PresenceState, PrincipalId, Requester,
    StateUpdate, SubscribeRequest, SubscriptionId, ViewId,
};
use rvp_codec::header::{
    AckType, Authorization, Depth, HeaderMapExt, HopCount, ParamValue, RVP_FROM_PRINCIPAL,
    RVP_NOTIFICATIONS_VERSION, SUBSCRIPTION_ID, SUBSCRIPTION_LIFETIME, WwwAuthenticate,
};
use rvp_codec::xml::{
    self, MultiStatus, Notification, PropEntry, PropFind, PropName, PropStat, PropStatus, Property,
    StatusResponse, SubscriptionEntry, Subscriptions, UpdateOp, XmlBody,
};

use crate::acl_store;
use crate::config::RouteMode;
use crate::directory::PrincipalEntry;
use crate::names::Named;
use crate::state::{
    CallbackKind, Login, LoginMode, MAX_PROP_BYTES, MAX_STORED_PROPS, Shared, origin_of,
};

/// `RVP-Poll-Interval`: this project's polling extension (see the crate
/// docs): on a login SUBSCRIBE, asks for polling with the given interval in
/// seconds; on the answer, the interval granted.
pub const RVP_POLL_INTERVAL: http::HeaderName = http::HeaderName::from_static("rvp-poll-interval");
/// `RVP-Poll-Remaining`: on a POLL answer, how many notifications are still
/// queued after the one returned.
pub const RVP_POLL_REMAINING: http::HeaderName =
    http::HeaderName::from_static("rvp-poll-remaining");
/// `RVP-Poll-Dropped`: on a POLL answer, how many notifications were
/// dropped because the queue was full since the last poll.
pub const RVP_POLL_DROPPED: http::HeaderName = http::HeaderName::from_static("rvp-poll-dropped");

/// A failed request: its status and a reason for the log.
#[derive(Debug)]
pub(crate) struct Failure {
    status: StatusCode,
    reason: String,
    challenge: Option<WwwAuthenticate>,
}

impl Failure {
    fn new(status: StatusCode, reason: impl Into<String>) -> Self {
        Self {
            status,
            reason: reason.into(),
            challenge: None,
        }
    }
    fn bad(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, reason)
    }
    fn from_status(code: u16, reason: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            reason.to_string(),
        )
    }
}

type Outcome = Result<Response<Bytes>, Failure>;

/// Everything known about a request once its node is resolved.
struct Ctx<'a> {
    shared: &'a Arc<Shared>,
    method: &'a str,
    target_text: String,
    headers: &'a HeaderMap,
    body: Bytes,
    peer: SocketAddr,
    now: Instant,
    entry: Arc<PrincipalEntry>,
    domain: usize,
    target: PrincipalId,
    hop: u8,
}

/// Answers one request. Never panics on peer input; every failure is a
/// status code.
pub(crate) async fn handle(
    shared: &Arc<Shared>,
    request: Request<Bytes>,
    peer: SocketAddr,
) -> Response<Bytes> {
    let version = request
        .headers()
        .get(RVP_NOTIFICATIONS_VERSION)
        .cloned()
        .unwrap_or(HeaderValue::from_static("0.2"));
    let method = request.method().as_str().to_owned();
    let target = request.uri().to_string();
    let mut response = match route(shared, request, peer).await {
        Ok(r) => r,
        Err(f) => {
            if f.status.is_server_error() {
                tracing::warn!(%peer, %method, %target, status = f.status.as_u16(), reason = %f.reason, "request failed");
            } else {
                tracing::info!(%peer, %method, %target, status = f.status.as_u16(), reason = %f.reason, "request refused");
            }
            let mut r = empty(f.status);
            if let Some(c) = f.challenge {
                r.headers_mut().typed_insert(c);
            }
            r
        }
    };
    tracing::debug!(%peer, %method, %target, status = response.status().as_u16(), "answered");
    response
        .headers_mut()
        .insert(RVP_NOTIFICATIONS_VERSION, version);
    response
}

fn empty(status: StatusCode) -> Response<Bytes> {
    let mut r = Response::new(Bytes::new());
    *r.status_mut() = status;
    r
}

fn xml_response(status: StatusCode, body: Bytes) -> Response<Bytes> {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml"),
    );
    r
}

async fn route(shared: &Arc<Shared>, request: Request<Bytes>, peer: SocketAddr) -> Outcome {
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str();
    match method {
        "SUBSCRIBE" | "UNSUBSCRIBE" | "SUBSCRIPTIONS" | "PROPFIND" | "PROPPATCH" | "NOTIFY"
        | "ACL" | "POLL" => {}
        "COPY" | "MOVE" => {
            return Err(Failure::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "COPY and MOVE are not allowed on RVP nodes",
            ));
        }
        _ => {
            return Err(Failure::new(
                StatusCode::NOT_IMPLEMENTED,
                format!("{method} is not an RVP method"),
            ));
        }
    }
    let hop = match parts.headers.typed_get_with::<HopCount>(&shared.codec) {
        Ok(h) => h.map_or(1, HopCount::get),
        Err(e) => return Err(Failure::bad(e.to_string())),
    };
    if hop > shared.config.routing.max_hop_count {
        return Err(Failure::new(
            StatusCode::LOOP_DETECTED,
            format!("RVP-Hop-Count {hop} exceeds the maximum"),
        ));
    }
    let target_text = parts.uri.to_string();
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok());
    let node = im_url::NodeUrl::from_request_target(&target_text, host)
        .map_err(|e| Failure::bad(format!("request target: {e}")))?;
    let (domain, alias) = match shared.names.classify(&node) {
        Named::Ours { domain, alias } => (domain, alias),
        Named::Foreign(_) => {
            return Err(Failure::new(
                StatusCode::NOT_FOUND,
                "not a principal of a domain served here",
            ));
        }
        Named::NotAPrincipal => return Err(Failure::new(StatusCode::NOT_FOUND, "not a principal")),
    };
    let domain_name = shared.names.domains()[domain].clone();
    let entry = shared
        .directory
        .lookup(&domain_name, alias.as_str())
        .ok_or_else(|| Failure::new(StatusCode::NOT_FOUND, "no such principal"))?;
    if !shared.hosts_entry(&entry) {
        return route_elsewhere(shared, &parts, body, &entry, hop).await;
    }
    let target = shared.principal_of(&entry);
    let ctx = Ctx {
        shared,
        method,
        target_text,
        headers: &parts.headers,
        body,
        peer,
        now: Instant::now(),
        entry,
        domain,
        target,
        hop,
    };
    {
        let mut model = shared.lock();
        shared.ensure_registered(&mut model, &ctx.entry, ctx.now);
    }
    let requester = authenticate(&ctx)?;
    match method {
        "SUBSCRIBE" => subscribe(&ctx, &requester),
        "UNSUBSCRIBE" => unsubscribe(&ctx, &requester),
        "SUBSCRIPTIONS" => subscriptions(&ctx, &requester),
        "PROPFIND" => propfind(&ctx, &requester),
        "PROPPATCH" => proppatch(&ctx, &requester),
        "ACL" => acl(&ctx, &requester),
        "NOTIFY" => notify(&ctx, &requester).await,
        _ => poll(&ctx, &requester),
    }
}

/// The principal lives on another home server: redirect or proxy.
async fn route_elsewhere(
    shared: &Arc<Shared>,
    parts: &http::request::Parts,
    body: Bytes,
    entry: &PrincipalEntry,
    hop: u8,
) -> Outcome {
    let Some(home) = entry.home_server.as_deref() else {
        return Err(Failure::new(
            StatusCode::NOT_FOUND,
            "this server hosts nobody and the directory names no home server",
        ));
    };
    let from_foreign = parts
        .headers
        .get(RVP_FROM_PRINCIPAL)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| shared.names.classify_str(v))
        .is_some_and(|n| matches!(n, Named::Foreign(_)));
    let mode = if from_foreign {
        shared.config.routing.other_domains
    } else {
        shared.config.routing.same_organisation
    };
    let physical = format!(
        "http://{home}/instmsg/local/{}/instmsg/aliases/{}",
        entry.domain, entry.alias
    );
    match mode {
        RouteMode::Redirect => {
            let mut r = empty(StatusCode::FOUND);
            let v = HeaderValue::from_str(&physical)
                .map_err(|_| Failure::new(StatusCode::INTERNAL_SERVER_ERROR, "bad home server"))?;
            r.headers_mut().insert(http::header::LOCATION, v);
            Ok(r)
        }
        RouteMode::Proxy => {
            let mut headers = parts.headers.clone();
            for h in [
                http::header::CONNECTION,
                http::header::TRANSFER_ENCODING,
                http::header::TE,
                http::header::UPGRADE,
                http::header::CONTENT_LENGTH,
            ] {
                headers.remove(h);
            }
            headers.remove("keep-alive");
            if let Some(next) = HopCount::new(hop.saturating_add(1)) {
                headers.insert(
                    rvp_codec::header::RVP_HOP_COUNT,
                    HeaderValue::from(u16::from(next.get())),
                );
            }
            let path = parts
                .uri
                .path_and_query()
                .map_or("/", http::uri::PathAndQuery::as_str);
            let url = format!("http://{home}{path}");
            let answer = shared
                .outbound
                .send(parts.method.clone(), &url, headers, body)
                .await
                .map_err(|e| {
                    Failure::new(StatusCode::BAD_GATEWAY, format!("home server {home}: {e}"))
                })?;
            let mut r = Response::new(answer.body);
            *r.status_mut() = answer.status;
            for (name, value) in &answer.headers {
                if name != http::header::CONNECTION
                    && name != http::header::TRANSFER_ENCODING
                    && name != http::header::CONTENT_LENGTH
                {
                    r.headers_mut().append(name.clone(), value.clone());
                }
            }
            Ok(r)
        }
    }
}

/// Who is asking. See the crate docs for the policy.
fn authenticate(ctx: &Ctx<'_>) -> Result<Requester, Failure> {
    let shared = ctx.shared;
    let from = match ctx.headers.get(RVP_FROM_PRINCIPAL) {
        Some(v) => {
            let text = v
                .to_str()
                .map_err(|_| Failure::bad("RVP-From-Principal is not text"))?;
            match shared.names.classify_str(text) {
                Some(Named::NotAPrincipal) | None => None,
                Some(n) => Some(n),
            }
        }
        None => None,
    };
    let realm = &shared.names.domains()[ctx.domain];
    let challenge = |stale: bool, reason: String| Failure {
        status: StatusCode::UNAUTHORIZED,
        reason,
        challenge: realm
            .parse::<ParamValue>()
            .ok()
            .map(|realm| shared.auth.challenge(ctx.now, &realm, stale)),
    };
    match ctx.headers.typed_get_with::<Authorization>(&shared.codec) {
        Ok(Some(Authorization::Digest(creds))) => {
            let domain = shared
                .names
                .domain_index(creds.realm.as_str())
                .map_or(realm.as_str(), |i| shared.names.domains()[i].as_str());
            let verified = shared
                .auth
                .verify(
                    ctx.now,
                    ctx.method,
                    &ctx.target_text,
                    &creds,
                    shared.directory.as_ref(),
                    domain,
                )
                .map_err(|e| {
                    tracing::warn!(peer = %ctx.peer, username = %creds.username.as_str(), error = %e, "authentication failed");
                    challenge(e.is_stale(), format!("digest: {e}"))
                })?;
            let principal = shared.principal_of(&verified.entry);
            if let Some(n) = &from {
                let claimed = shared.names.principal_id(n);
                if claimed.as_ref() != Some(&principal) {
                    return Err(Failure::new(
                        StatusCode::FORBIDDEN,
                        "RVP-From-Principal is not the authenticated principal",
                    ));
                }
            }
            Ok(Requester::new(principal, CredentialKind::Digest))
        }
        Ok(Some(_)) => Err(challenge(false, "only Digest is offered".into())),
        Err(e) => Err(Failure::bad(format!("Authorization: {e}"))),
        Ok(None) => match &from {
            Some(n @ Named::Foreign(_)) if shared.config.routing.accept_foreign_assertions => {
                let id = shared
                    .names
                    .principal_id(n)
                    .ok_or_else(|| Failure::bad("RVP-From-Principal"))?;
                Ok(Requester::new(id, CredentialKind::Assertion))
            }
            Some(n)
                if ctx.method == "NOTIFY"
                    && ctx.hop >= 2
                    && shared.config.routing.trusted_peers.contains(&ctx.peer.ip()) =>
            {
                let id = shared
                    .names
                    .principal_id(n)
                    .ok_or_else(|| Failure::bad("RVP-From-Principal"))?;
                Ok(Requester::new(id, CredentialKind::Assertion))
            }
            _ => Err(challenge(false, "credentials required".into())),
        },
    }
}

/// The answer to a refusal of the presence core. The core says 401 for a
/// missing right (Exchange's "Access denied"); the server answers 403: the
/// requester is authenticated already, a 401 without a challenge is not
/// valid HTTP, and librvp treats any 401 after its credentials as "Auth
/// failed", drops the password and disconnects.
fn model_error<E: std::fmt::Display>(status: u16, e: E) -> Failure {
    let status = if status == 401 { 403 } else { status };
    Failure::from_status(status, e)
}

fn subscription_id(ctx: &Ctx<'_>) -> Result<Option<SubscriptionId>, Failure> {
    match ctx
        .headers
        .typed_get_with::<rvp_codec::header::SubscriptionId>(&ctx.shared.codec)
    {
        Ok(None) => Ok(None),
        Ok(Some(id)) => match id.to_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Ok(Some(SubscriptionId::new(n))),
            // Ours are numbers: any other token names no subscription here.
            None => Err(Failure::new(
                StatusCode::NOT_FOUND,
                "unknown Subscription-Id",
            )),
        },
        Err(e) => Err(Failure::bad(e.to_string())),
    }
}

fn lifetime(ctx: &Ctx<'_>) -> Result<Option<Duration>, Failure> {
    ctx.headers
        .typed_get_with::<rvp_codec::header::SubscriptionLifetime>(&ctx.shared.codec)
        .map(|l| l.map(|l| l.as_duration()))
        .map_err(|e| Failure::bad(e.to_string()))
}

fn subscribed_response(
    status: StatusCode,
    id: SubscriptionId,
    granted: Duration,
    body: Option<Bytes>,
) -> Response<Bytes> {
    let mut r = match body {
        Some(b) => xml_response(status, b),
        None => empty(status),
    };
    if let Ok(v) = HeaderValue::from_str(&id.to_string()) {
        r.headers_mut().insert(SUBSCRIPTION_ID, v);
    }
    r.headers_mut()
        .insert(SUBSCRIPTION_LIFETIME, HeaderValue::from(granted.as_secs()));
    r
}

/// SUBSCRIBE: renewal (with `Subscription-Id`), login (pragma/notify) or
/// watching (update/propchange).
fn subscribe(ctx: &Ctx<'_>, requester: &Requester) -> Outcome {
    let shared = ctx.shared;
    let asked = lifetime(ctx)?;
    if let Some(id) = subscription_id(ctx)? {
        let mut model = shared.lock();
        let renewed = model
            .core
            .renew(ctx.now, requester, id, asked)
            .map_err(|e| model_error(e.status(), e))?;
        shared.after_change(model);
        return Ok(subscribed_response(
            StatusCode::OK,
            renewed.id,
            renewed.lifetime.duration,
            None,
        ));
    }
    let kind = match ctx.headers.get(rvp_codec::header::NOTIFICATION_TYPE) {
        None => {
            return Err(Failure::bad(
                "Notification-Type is required for a new subscription",
            ));
        }
        Some(v) => v
            .to_str()
            .ok()
            .and_then(NotificationType::from_header)
            .ok_or_else(|| Failure::bad("unsupported Notification-Type"))?,
    };
    let poll_interval = match ctx.headers.get(&RVP_POLL_INTERVAL) {
        None => None,
        Some(v) => Some(poll_interval(ctx, v)?),
    };
    let callback = match (poll_interval, ctx.headers.get(rvp_codec::header::CALL_BACK)) {
        (Some(_), _) if kind == NotificationType::PragmaNotify => {
            // Polling logins have no listener; their callback is their own URL
            // so the core sees an ordinary login.
            CallbackUrl::from(&requester.principal)
        }
        (Some(_), _) => {
            return Err(Failure::bad(
                "RVP-Poll-Interval applies to pragma/notify only",
            ));
        }
        (None, None) => return Err(Failure::bad("Call-Back is required for a new subscription")),
        (None, Some(v)) => {
            let text = v
                .to_str()
                .map_err(|_| Failure::bad("Call-Back is not text"))?;
            let callback = checked_callback(ctx, requester, text.trim())?;
            if kind == NotificationType::PragmaNotify
                && shared.callback_kind(callback.as_str()) != CallbackKind::Listener
            {
                // What is sent to a node is pushed to its login callbacks; a
                // login whose callback is a node would loop.
                return Err(Failure::bad(
                    "a pragma/notify Call-Back must be a listener (http://address:port)",
                ));
            }
            callback
        }
    };
    let origin = origin_of(ctx.peer.ip());
    let mut model = shared.lock();
    let subscribed = model
        .core
        .subscribe(
            ctx.now,
            requester,
            SubscribeRequest {
                target: ctx.target.clone(),
                notification_type: kind,
                callback: callback.clone(),
                lifetime: asked,
                origin: Some(origin),
            },
        )
        .map_err(|e| model_error(e.status(), e))?;
    let granted = subscribed.lifetime.duration;
    match kind {
        NotificationType::PragmaNotify => {
            let mode = match poll_interval {
                Some(_) => LoginMode::Polling {
                    queue: Default::default(),
                    dropped: 0,
                },
                None => LoginMode::Callback(callback.as_str().to_owned()),
            };
            model.logins.insert(
                subscribed.id,
                Login {
                    principal: ctx.target.clone(),
                    origin,
                    mode,
                    failures: 0,
                },
            );
            shared.after_change(model);
            tracing::info!(principal = %requester.principal.as_str(), callback = %callback.as_str(), id = subscribed.id.get(), "login subscription");
            let mut r = subscribed_response(StatusCode::OK, subscribed.id, granted, None);
            if let Some(i) = poll_interval {
                r.headers_mut()
                    .insert(&RVP_POLL_INTERVAL, HeaderValue::from(i.as_secs()));
            }
            Ok(r)
        }
        _ => {
            let state = subscribed.initial_state.unwrap_or(PresenceState::Offline);
            let body = multistatus(
                ctx,
                vec![Property::State(xml::StateProperty::bare(wire_state(
                    &state,
                )))],
                Vec::new(),
            );
            shared.after_change(model);
            Ok(subscribed_response(
                StatusCode::MULTI_STATUS,
                subscribed.id,
                granted,
                Some(body),
            ))
        }
    }
}

fn poll_interval(ctx: &Ctx<'_>, v: &HeaderValue) -> Result<Duration, Failure> {
    let p = &ctx.shared.config.polling;
    if !p.enabled {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            "polling is disabled on this server",
        ));
    }
    let secs: u64 = v
        .to_str()
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| Failure::bad("RVP-Poll-Interval is not a number of seconds"))?;
    Ok(Duration::from_secs(
        secs.clamp(p.min_interval_secs, p.max_interval_secs),
    ))
}

/// The callback safety rule: a listener must be on the requesting client's
/// own address; a principal callback must be a principal of ours or the
/// requester itself. Anything else would let the server be used to send
/// requests to arbitrary hosts.
fn checked_callback(
    ctx: &Ctx<'_>,
    requester: &Requester,
    text: &str,
) -> Result<CallbackUrl, Failure> {
    let shared = ctx.shared;
    let refuse =
        |why: &str| Failure::new(StatusCode::FORBIDDEN, format!("Call-Back {text}: {why}"));
    match shared.callback_kind(text) {
        CallbackKind::Local(id) => {
            let Named::Ours { domain, alias } = shared
                .names
                .classify_str(text)
                .ok_or_else(|| refuse("not a URL"))?
            else {
                return Err(refuse("not a principal"));
            };
            if shared
                .directory
                .lookup(&shared.names.domains()[domain], alias.as_str())
                .is_none()
            {
                return Err(refuse("no such principal"));
            }
            Ok(CallbackUrl::new(id.as_str()))
        }
        CallbackKind::Foreign(url) => {
            let id = shared.names.principal_id(&Named::Foreign(url));
            if id.as_ref() == Some(&requester.principal) {
                Ok(CallbackUrl::from(&requester.principal))
            } else {
                Err(refuse(
                    "a principal of another domain other than the requester",
                ))
            }
        }
        CallbackKind::Listener => {
            let uri: http::Uri = text.parse().map_err(|_| refuse("not a URL"))?;
            if uri.scheme_str() != Some("http") {
                return Err(refuse("only http callbacks are supported"));
            }
            let host = uri.host().ok_or_else(|| refuse("no host"))?;
            let host = host.trim_start_matches('[').trim_end_matches(']');
            let peer = ctx.peer.ip();
            let same = match host.parse::<std::net::IpAddr>() {
                Ok(ip) => ip == peer || (ip.is_loopback() && peer.is_loopback()),
                Err(_) => host.eq_ignore_ascii_case("localhost") && peer.is_loopback(),
            };
            if !same {
                return Err(refuse(
                    "a listener must be on the requesting client's own address",
                ));
            }
            Ok(CallbackUrl::new(text))
        }
    }
}

/// UNSUBSCRIBE by `Subscription-Id`.
fn unsubscribe(ctx: &Ctx<'_>, requester: &Requester) -> Outcome {
    let id = subscription_id(ctx)?.ok_or_else(|| Failure::bad("Subscription-Id is required"))?;
    let mut model = ctx.shared.lock();
    model
        .core
        .unsubscribe(ctx.now, requester, &ctx.target, id)
        .map_err(|e| model_error(e.status(), e))?;
    if model.logins.remove(&id).is_some() {
        tracing::info!(principal = %ctx.target.as_str(), id = id.get(), "login subscription ended");
    }
    ctx.shared.after_change(model);
    Ok(empty(StatusCode::OK))
}

/// SUBSCRIPTIONS: the watchers of the node.
fn subscriptions(ctx: &Ctx<'_>, requester: &Requester) -> Outcome {
    let kind = ctx
        .headers
        .get(rvp_codec::header::NOTIFICATION_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(NotificationType::from_header);
    let mut model = ctx.shared.lock();
    let list = model
        .core
        .subscriptions(ctx.now, requester, &ctx.target, kind)
        .map_err(|e| model_error(e.status(), e))?;
    ctx.shared.after_change(model);
    let doc = Subscriptions {
        items: list
            .iter()
            .map(|w| SubscriptionEntry {
                id: w.id.to_string(),
                href: Some(w.callback.as_str().to_owned()),
                principal: Some(w.subscriber.as_str().to_owned()),
                timeout_secs: u32::try_from(w.seconds_left()).unwrap_or(u32::MAX),
            })
            .collect(),
    };
    Ok(xml_response(StatusCode::OK, doc.to_bytes()))
}

fn wire_state(state: &PresenceState) -> xml::State {
    xml::State::parse(state.token()).unwrap_or(xml::State::Offline)
}

/// A one-response multistatus for the target: found properties under 200,
/// missing names under 404.
fn multistatus(ctx: &Ctx<'_>, found: Vec<Property>, missing: Vec<PropName>) -> Bytes {
    let mut propstats = Vec::new();
    if !found.is_empty() {
        propstats.push(PropStat {
            props: found.into_iter().map(PropEntry::Value).collect(),
            status: PropStatus::new(StatusCode::OK),
        });
    }
    if !missing.is_empty() {
        propstats.push(PropStat {
            props: missing.into_iter().map(PropEntry::Name).collect(),
            status: PropStatus::new(StatusCode::NOT_FOUND),
        });
    }
    MultiStatus {
        responses: vec![StatusResponse {
            href: ctx.target.as_str().to_owned(),
            propstats,
        }],
    }
    .to_bytes()
}

fn parse_body(ctx: &Ctx<'_>) -> Result<Option<XmlBody>, Failure> {
    if ctx.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    XmlBody::decode(&ctx.body, &ctx.shared.codec)
        .map(Some)
        .map_err(|e| Failure::bad(format!("XML body: {e}")))
}

/// PROPFIND (Depth 0 only).
fn propfind(ctx: &Ctx<'_>, requester: &Requester) -> Outcome {
    match ctx.headers.typed_get_with::<Depth>(&ctx.shared.codec) {
        Ok(None | Some(Depth::Zero)) => {}
        Ok(Some(_)) => {
            return Err(Failure::new(
                StatusCode::PRECONDITION_FAILED,
                "only Depth: 0 is supported",
            ));
        }
        Err(e) => return Err(Failure::bad(e.to_string())),
    }
    let wanted = match parse_body(ctx)? {
        None => PropFind::AllProp,
        Some(XmlBody::PropFind(p)) => p,
        Some(_) => return Err(Failure::bad("PROPFIND body must be a propfind document")),
    };
    let mut model = ctx.shared.lock();
    let state = model
        .core
        .presence_for(ctx.now, requester, &ctx.target)
        .map_err(|e| model_error(e.status(), e))?;
    let stored = model.props.get(&ctx.target).cloned().unwrap_or_default();
    ctx.shared.after_change(model);
    let entry = &ctx.entry;
    let lookup = |name: &PropName| -> Option<Property> {
        if let Some(p) = stored.iter().find(|p| &p.name() == name) {
            return Some(p.clone());
        }
        match name {
            PropName::State => Some(Property::State(xml::StateProperty::bare(wire_state(
                &state,
            )))),
            PropName::DisplayName => entry
                .display_name
                .clone()
                .or_else(|| Some(entry.alias.clone()))
                .map(Property::DisplayName),
            PropName::Email => entry.email.clone().map(Property::Email),
            _ => None,
        }
    };
    let names: Vec<PropName> = match wanted {
        PropFind::Prop(names) => names,
        _ => {
            let mut all = vec![PropName::State, PropName::DisplayName, PropName::Email];
            for p in &stored {
                if !all.contains(&p.name()) {
                    all.push(p.name());
                }
            }
            all
        }
    };
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for n in names {
        match lookup(&n) {
            Some(p) => found.push(p),
            None => missing.push(n),
        }
    }
    Ok(xml_response(
        StatusCode::MULTI_STATUS,
        multistatus(ctx, found, missing),
    ))
}

/// PROPPATCH: the leased state (with its view) and other properties.
fn proppatch(ctx: &Ctx<'_>, requester: &Requester) -> Outcome {
    let update = match parse_body(ctx)? {
        Some(XmlBody::PropertyUpdate(u)) => u,
        _ => return Err(Failure::bad("PROPPATCH needs a propertyupdate document")),
    };
    let origin = origin_of(ctx.peer.ip());
    let mut model = ctx.shared.lock();
    let may_write = model
        .core
        .may(requester, &ctx.target, presence_model::Rights::WRITE)
        .map_err(|e| model_error(e.status(), e))?;
    if !may_write {
        return Err(Failure::new(StatusCode::FORBIDDEN, "write access denied"));
    }
    let mut echoed = Vec::new();
    for op in &update.ops {
        match op {
            UpdateOp::Set(props) => {
                for prop in props {
                    match prop {
                        Property::State(sp) => {
                            let value = model_state(sp.state())?;
                            let mut upd = match &sp.value {
                                xml::StateValue::Leased(l) => StateUpdate::leased(
                                    value,
                                    model_state(&l.default_value)?,
                                    Some(Duration::from_secs(u64::from(l.timeout_secs))),
                                ),
                                _ => StateUpdate::unleased(value),
                            };
                            upd = upd.with_origin(origin);
                            if let Some(v) = sp
                                .view_id
                                .as_deref()
                                .and_then(|v| v.trim().parse::<u32>().ok())
                            {
                                upd = upd.with_view(ViewId::new(v));
                            }
                            let out = model
                                .core
                                .set_state(ctx.now, requester, &ctx.target, upd)
                                .map_err(|e| model_error(e.status(), e))?;
                            let mut echo = match (&sp.value, out.lease) {
                                (xml::StateValue::Leased(l), Some(grant)) => {
                                    xml::StateProperty::leased(
                                        l.value.clone(),
                                        l.default_value.clone(),
                                        u32::try_from(grant.duration.as_secs()).unwrap_or(u32::MAX),
                                    )
                                }
                                _ => xml::StateProperty::bare(sp.state().clone()),
                            };
                            echo.view_id = out.view.map(|v| v.get().to_string());
                            echoed.push(Property::State(echo));
                        }
                        other => {
                            let size = estimate(other);
                            if size > MAX_PROP_BYTES {
                                return Err(Failure::new(
                                    StatusCode::PAYLOAD_TOO_LARGE,
                                    "property value too large",
                                ));
                            }
                            let stored = model.props.entry(ctx.target.clone()).or_default();
                            let name = other.name();
                            stored.retain(|p| p.name() != name);
                            if stored.len() >= MAX_STORED_PROPS {
                                return Err(Failure::new(
                                    StatusCode::INSUFFICIENT_STORAGE,
                                    "too many properties",
                                ));
                            }
                            stored.push(other.clone());
                            echoed.push(other.clone());
                        }
                    }
                }
            }
            UpdateOp::Remove(names) => {
                if let Some(stored) = model.props.get_mut(&ctx.target) {
                    stored.retain(|p| !names.contains(&p.name()));
                }
            }
            _ => {}
        }
    }
    ctx.shared.after_change(model);
    Ok(xml_response(
        StatusCode::MULTI_STATUS,
        multistatus(ctx, echoed, Vec::new()),
    ))
}

fn estimate(p: &Property) -> usize {
    match p {
        Property::DisplayName(s) | Property::Email(s) | Property::MobileDescription(s) => s.len(),
        Property::Unknown(u) => u.raw().len(),
        _ => 16,
    }
}

fn model_state(s: &xml::State) -> Result<PresenceState, Failure> {
    PresenceState::from_token(s.as_str()).map_err(|e| Failure::bad(e.to_string()))
}

/// ACL: read without a body, replace with one.
fn acl(ctx: &Ctx<'_>, requester: &Requester) -> Outcome {
    let shared = ctx.shared;
    match parse_body(ctx)? {
        None => {
            let model = shared.lock();
            let acl = model
                .core
                .acl(requester, &ctx.target)
                .map_err(|e| model_error(e.status(), e))?;
            let body = acl_store::to_wire(acl).to_bytes();
            Ok(xml_response(StatusCode::OK, body))
        }
        Some(XmlBody::RvpAcl(doc)) => {
            let acl = acl_store::from_wire(&shared.names, &doc)
                .map_err(|e| Failure::bad(e.to_string()))?;
            let mut model = shared.lock();
            model
                .core
                .set_acl(ctx.now, requester, &ctx.target, acl.clone())
                .map_err(|e| model_error(e.status(), e))?;
            // Persist while holding the lock so concurrent writes land in order.
            let saved = shared.acls.save(&ctx.entry.domain, &ctx.entry.alias, &acl);
            shared.after_change(model);
            saved.map_err(|e| {
                Failure::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("saving the ACL: {e}"),
                )
            })?;
            Ok(empty(StatusCode::OK))
        }
        Some(_) => Err(Failure::bad("ACL body must be an rvpacl document")),
    }
}

/// NOTIFY: an instant message (or any notification) for the target's
/// logins, acknowledged as `RVP-Ack-Type` asks.
async fn notify(ctx: &Ctx<'_>, requester: &Requester) -> Outcome {
    let shared = ctx.shared;
    let doc = match parse_body(ctx)? {
        Some(XmlBody::Notification(n)) => n,
        _ => return Err(Failure::bad("NOTIFY needs a notification document")),
    };
    let from = match &doc {
        Notification::Message(m) => Some(&m.from.href),
        Notification::PropNotification(p) => Some(&p.from.href),
        _ => None,
    };
    if let Some(href) = from {
        let claimed = shared
            .names
            .classify_str(href)
            .and_then(|n| shared.names.principal_id(&n));
        if claimed.as_ref() != Some(&requester.principal) {
            return Err(Failure::new(
                StatusCode::FORBIDDEN,
                "notification-from is not the requester",
            ));
        }
    }
    let ack = ctx
        .headers
        .typed_get_with::<AckType>(&shared.codec)
        .map_err(|e| Failure::bad(e.to_string()))?
        .unwrap_or(AckType::DeepOr);
    let mut extra = HeaderMap::new();
    for name in [rvp_codec::header::NOTIFICATION_TYPE, SUBSCRIPTION_ID] {
        if let Some(v) = ctx.headers.get(&name) {
            extra.insert(name, v.clone());
        }
    }
    let fanout = shared
        .fan_out(
            requester,
            &ctx.target,
            &requester.principal,
            &extra,
            &ctx.body,
            ctx.hop,
        )
        .map_err(|e| model_error(e.status(), e))?;
    let accepted = match ack {
        AckType::SingleHop => true,
        AckType::DeepAnd => {
            let mut all = true;
            for p in fanout.pushes {
                all &= matches!(p.await, Ok(Ok(s)) if s.is_success());
            }
            all
        }
        _ => {
            let mut any = fanout.queued > 0;
            let mut pending = fanout.pushes;
            while !any && !pending.is_empty() {
                let (result, _, rest) = futures_select(pending).await;
                any = matches!(result, Ok(Ok(s)) if s.is_success());
                pending = rest;
            }
            any
        }
    };
    if accepted {
        Ok(empty(StatusCode::OK))
    } else {
        Err(Failure::new(
            StatusCode::PRECONDITION_FAILED,
            "no login of the principal accepted the notification",
        ))
    }
}

type Pending = tokio::sync::oneshot::Receiver<Result<StatusCode, String>>;

/// Waits for the first of several outcomes.
async fn futures_select(
    mut pending: Vec<Pending>,
) -> (
    Result<Result<StatusCode, String>, tokio::sync::oneshot::error::RecvError>,
    usize,
    Vec<Pending>,
) {
    std::future::poll_fn(move |cx| {
        for i in 0..pending.len() {
            if let std::task::Poll::Ready(r) = std::pin::Pin::new(&mut pending[i]).poll(cx) {
                let mut rest = std::mem::take(&mut pending);
                rest.swap_remove(i);
                return std::task::Poll::Ready((r, i, rest));
            }
        }
        std::task::Poll::Pending
    })
    .await
}

use std::future::Future as _;

/// POLL (this project's extension): the oldest queued notification of the
/// polling login named by `Subscription-Id`, or `204` when none waits.
fn poll(ctx: &Ctx<'_>, requester: &Requester) -> Outcome {
    let id = subscription_id(ctx)?.ok_or_else(|| Failure::bad("Subscription-Id is required"))?;
    let mut model = ctx.shared.lock();
    let login = model
        .logins
        .get_mut(&id)
        .ok_or_else(|| Failure::new(StatusCode::NOT_FOUND, "no such login subscription"))?;
    if login.principal != requester.principal || login.principal != ctx.target {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            "not your login subscription",
        ));
    }
    let LoginMode::Polling { queue, dropped, .. } = &mut login.mode else {
        return Err(Failure::new(
            StatusCode::CONFLICT,
            "this login uses a callback, not polling",
        ));
    };
    let lost = std::mem::take(dropped);
    let Some(item) = queue.pop_front() else {
        let mut r = empty(StatusCode::NO_CONTENT);
        r.headers_mut()
            .insert(&RVP_POLL_REMAINING, HeaderValue::from(0u32));
        if lost > 0 {
            r.headers_mut()
                .insert(&RVP_POLL_DROPPED, HeaderValue::from(lost));
        }
        return Ok(r);
    };
    let remaining = queue.len();
    drop(model);
    let mut r = Response::new(item.body);
    *r.status_mut() = StatusCode::OK;
    for (name, value) in &item.headers {
        if name != rvp_codec::header::RVP_HOP_COUNT {
            r.headers_mut().insert(name.clone(), value.clone());
        }
    }
    r.headers_mut()
        .insert(&RVP_POLL_REMAINING, HeaderValue::from(remaining));
    if lost > 0 {
        r.headers_mut()
            .insert(&RVP_POLL_DROPPED, HeaderValue::from(lost));
    }
    Ok(r)
}
