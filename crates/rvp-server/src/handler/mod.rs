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

use std::net::{IpAddr, SocketAddr};
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
    RVP_NOTIFICATIONS_VERSION, SUBSCRIPTION_ID, SubscriptionLifetime, WwwAuthenticate,
};
use rvp_codec::xml::{
    self, MultiStatus, Notification, PropEntry, PropFind, PropName, PropStat, PropStatus, Property,
    StatusResponse, SubscriptionEntry, Subscriptions, UpdateOp, XmlBody,
};

use crate::acl_store;
use crate::config::RouteMode;
use crate::directory::PrincipalEntry;
use crate::names::Named;
mod notify;
mod props;
mod subscribe;

use crate::logins::{Login, LoginMode};
use crate::state::{CallbackKind, MAX_PROP_BYTES, MAX_STORED_PROPS, Shared, origin_of};

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
    /// The client: the connection's peer or, for a request a trusted peer
    /// (our router) proxied, the client address it forwarded (see
    /// [`client_address`]). Callbacks and view origins are checked against
    /// it.
    peer: SocketAddr,
    /// The connection's peer address (canonical), for trust decisions.
    via: IpAddr,
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
    let via = peer.ip().to_canonical();
    let client = client_address(shared, &parts.headers, via)?;
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
        return route_elsewhere(shared, &parts, body, &entry, hop, client).await;
    }
    let target = shared.principal_of(&entry);
    let ctx = Ctx {
        shared,
        method,
        target_text,
        headers: &parts.headers,
        body,
        peer: SocketAddr::new(client, peer.port()),
        via,
        now: shared.clock.now(),
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
        "SUBSCRIBE" => subscribe::subscribe(&ctx, &requester),
        "UNSUBSCRIBE" => subscribe::unsubscribe(&ctx, &requester),
        "SUBSCRIPTIONS" => subscribe::subscriptions(&ctx, &requester),
        "PROPFIND" => props::propfind(&ctx, &requester),
        "PROPPATCH" => props::proppatch(&ctx, &requester),
        "ACL" => props::acl(&ctx, &requester),
        "NOTIFY" => notify::notify(&ctx, &requester).await,
        _ => notify::poll(&ctx, &requester),
    }
}

/// `X-Forwarded-For`: the client address a proxying router of ours
/// forwards (one address; the last one counts when a list arrives).
pub(crate) const X_FORWARDED_FOR: http::HeaderName =
    http::HeaderName::from_static("x-forwarded-for");

/// The client a request comes from: the connection's peer `via`, unless
/// `via` is one of `routing.trusted-peers` (the organisation's servers) and
/// the request carries `X-Forwarded-For` (our router, proxying): then the
/// last address in it. The header is ignored from anyone else, so a client
/// cannot choose the address its `Call-Back` is checked against.
fn client_address(shared: &Shared, headers: &HeaderMap, via: IpAddr) -> Result<IpAddr, Failure> {
    if !shared.config.routing.is_trusted_peer(via) {
        return Ok(via);
    }
    let mut forwarded = headers.get_all(&X_FORWARDED_FOR).iter().peekable();
    if forwarded.peek().is_none() {
        return Ok(via);
    }
    let last = forwarded
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .map(|v| v.trim().trim_start_matches('[').trim_end_matches(']'))
        .unwrap_or("");
    last.parse::<IpAddr>()
        .map(|ip| ip.to_canonical())
        .map_err(|_| Failure::bad("X-Forwarded-For is not an IP address"))
}

/// The principal lives on another home server: redirect or proxy. A
/// proxied request carries the client's address in `X-Forwarded-For` (for
/// the home server's `Call-Back` check, which trusts it from
/// `trusted-peers` only) and its `RVP-Hop-Count` incremented; one that
/// would go beyond `max-hop-count` is answered `508` here.
async fn route_elsewhere(
    shared: &Arc<Shared>,
    parts: &http::request::Parts,
    body: Bytes,
    entry: &PrincipalEntry,
    hop: u8,
    client: IpAddr,
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
            let next = hop
                .checked_add(1)
                .filter(|n| *n <= shared.config.routing.max_hop_count)
                .and_then(HopCount::new)
                .ok_or_else(|| {
                    Failure::new(
                        StatusCode::LOOP_DETECTED,
                        format!("RVP-Hop-Count {hop}: one more hop exceeds the maximum"),
                    )
                })?;
            headers.insert(
                rvp_codec::header::RVP_HOP_COUNT,
                HeaderValue::from(u16::from(next.get())),
            );
            // Ours replaces any the client sent: it is the address we saw.
            headers.remove(&X_FORWARDED_FOR);
            let forwarded = HeaderValue::from_str(&client.to_string())
                .map_err(|_| Failure::new(StatusCode::INTERNAL_SERVER_ERROR, "client address"))?;
            headers.insert(X_FORWARDED_FOR, forwarded);
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
                    && shared.config.routing.is_trusted_peer(ctx.via) =>
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
        .typed_insert(SubscriptionLifetime::from_duration(granted));
    r
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
