//! SUBSCRIBE (logins, watching, renewal), UNSUBSCRIBE and SUBSCRIPTIONS.

use super::*;

/// SUBSCRIBE: renewal (with `Subscription-Id`), login (pragma/notify) or
/// watching (update/propchange).
pub(super) fn subscribe(ctx: &Ctx<'_>, requester: &Requester) -> Outcome {
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
    let subscribed = match model.core.subscribe(
        ctx.now,
        requester,
        SubscribeRequest {
            target: ctx.target.clone(),
            notification_type: kind,
            callback: callback.clone(),
            lifetime: asked,
            origin: Some(origin),
        },
    ) {
        Ok(s) => s,
        Err(e) => {
            drop(model);
            return limit_reached(ctx, &e).ok_or_else(|| model_error(e.status(), e));
        }
    };
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

/// Reason phrase of the answer to a SUBSCRIBE refused because the
/// subscriber holds `limits.max-subscriptions-per-principal` subscriptions.
const SUBSCRIPTION_LIMIT_PHRASE: &str = "Subscription Limit Reached";
/// Reason phrase of the answer to a SUBSCRIBE refused because the node has
/// `limits.max-watchers-per-principal` watchers and logins.
const WATCHER_LIMIT_PHRASE: &str = "Watcher Limit Reached";

/// The answer to a SUBSCRIBE refused by a per-principal limit, or `None`
/// for any other refusal: `507 Insufficient Storage` (WebDAV's answer to a
/// quota, RFC 4918 §11.5, as for too many properties), so a client can tell
/// it from an ACL denial (`403`) and from a full server (`503`), with a
/// reason phrase naming the limit and a `text/plain` body explaining it.
fn limit_reached(ctx: &Ctx<'_>, e: &presence_model::SubscribeError) -> Option<Response<Bytes>> {
    let (phrase, text) = match e {
        presence_model::SubscribeError::TooManyHeld { subscriber, max } => (
            SUBSCRIPTION_LIMIT_PHRASE,
            format!(
                "{} already holds {max} subscriptions, the most allowed \
                 (limits.max-subscriptions-per-principal); cancel one first\n",
                subscriber.as_str()
            ),
        ),
        presence_model::SubscribeError::TooManyWatchers { principal, max } => (
            WATCHER_LIMIT_PHRASE,
            format!(
                "{} already has {max} subscribers, the most allowed \
                 (limits.max-watchers-per-principal)\n",
                principal.as_str()
            ),
        ),
        _ => return None,
    };
    tracing::info!(peer = %ctx.peer, target = %ctx.target.as_str(), reason = %text.trim_end(), "SUBSCRIBE refused: limit reached");
    let mut r = Response::new(Bytes::from(text));
    *r.status_mut() = StatusCode::INSUFFICIENT_STORAGE;
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r.extensions_mut()
        .insert(hyper::ext::ReasonPhrase::from_static(phrase.as_bytes()));
    Some(r)
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
            if !is_client_host(host, ctx.peer.ip()) {
                return Err(refuse(
                    "a listener must be on the requesting client's own address",
                ));
            }
            Ok(CallbackUrl::new(text))
        }
    }
}

/// Whether a listener's host (as in a URL: IPv6 literals bracketed) is the
/// client's own address: the same IP address once IPv4-mapped IPv6 addresses
/// are read as IPv4 (a dual-stack `[::]` listener sees IPv4 clients as
/// `::ffff:a.b.c.d`), or any loopback address or `localhost` for a loopback
/// client.
fn is_client_host(host: &str, client: std::net::IpAddr) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let client = client.to_canonical();
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => {
            let ip = ip.to_canonical();
            ip == client || (ip.is_loopback() && client.is_loopback())
        }
        Err(_) => host.eq_ignore_ascii_case("localhost") && client.is_loopback(),
    }
}

/// UNSUBSCRIBE by `Subscription-Id`.
pub(super) fn unsubscribe(ctx: &Ctx<'_>, requester: &Requester) -> Outcome {
    let id = subscription_id(ctx)?.ok_or_else(|| Failure::bad("Subscription-Id is required"))?;
    let mut model = ctx.shared.lock();
    model
        .core
        .unsubscribe(ctx.now, requester, &ctx.target, id)
        .map_err(|e| model_error(e.status(), e))?;
    // Ending a login takes its view offline (as a dead callback does): librvp's
    // logout is this UNSUBSCRIBE, then a PROPPATCH to offline that it sends only when
    // its busy-wait notices the UNSUBSCRIBE in flight, which it misses when the 401
    // comes back fast (the logout then hangs and the PROPPATCH never comes). Watchers
    // must not go on seeing a principal online that cannot receive messages.
    if let Some(login) = model.logins.remove(&id) {
        tracing::info!(principal = %ctx.target.as_str(), id = id.get(), "login subscription ended");
        crate::state::end_login(&mut model, ctx.now, id, &login);
    }
    ctx.shared.after_change(model);
    Ok(empty(StatusCode::OK))
}

/// SUBSCRIPTIONS: the watchers of the node.
pub(super) fn subscriptions(ctx: &Ctx<'_>, requester: &Requester) -> Outcome {
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

#[cfg(test)]
mod tests {
    use super::is_client_host;

    fn ip(s: &str) -> std::net::IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn v4_mapped_peers_match_their_ipv4_callbacks() {
        // A dual-stack listener reports an IPv4 client as ::ffff:a.b.c.d.
        assert!(is_client_host("192.0.2.7", ip("::ffff:192.0.2.7")));
        assert!(is_client_host("[::ffff:192.0.2.7]", ip("192.0.2.7")));
        assert!(is_client_host("[::ffff:192.0.2.7]", ip("::ffff:192.0.2.7")));
        assert!(is_client_host("127.0.0.1", ip("::ffff:127.0.0.1")));
        assert!(is_client_host("localhost", ip("::ffff:127.0.0.1")));
        assert!(is_client_host("[::1]", ip("::ffff:127.0.0.1")));
        assert!(!is_client_host("192.0.2.8", ip("::ffff:192.0.2.7")));
        assert!(!is_client_host("127.0.0.1", ip("::ffff:192.0.2.7")));
        assert!(!is_client_host("localhost", ip("::ffff:192.0.2.7")));
        assert!(!is_client_host("10.0.0.1", ip("::ffff:10.0.0.2")));
    }

    #[test]
    fn plain_addresses() {
        assert!(is_client_host("10.1.2.3", ip("10.1.2.3")));
        assert!(is_client_host("[2001:db8::5]", ip("2001:db8::5")));
        assert!(is_client_host("localhost", ip("127.0.0.1")));
        assert!(!is_client_host("10.1.2.4", ip("10.1.2.3")));
        assert!(!is_client_host("[2001:db8::6]", ip("2001:db8::5")));
        assert!(!is_client_host("internal.example", ip("10.1.2.3")));
        assert!(!is_client_host("169.254.169.254", ip("10.1.2.3")));
    }
}
