//! NOTIFY with its ack types, and POLL (the polling extension).

use std::future::Future as _;

use super::*;

/// NOTIFY: an instant message (or any notification) for the target's
/// logins, acknowledged as `RVP-Ack-Type` asks. `412` when the target has no
/// login, and also when its ACL denies the sender `send-to` (see below).
pub(super) async fn notify(ctx: &Ctx<'_>, requester: &Requester) -> Outcome {
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
        .map_err(|e| match e.status() {
            // Denied by the target's ACL (no send-to): answered like an offline target.
            // The sender already sees the target offline (presence is denied too), the
            // block is not revealed, and librvp reports a 412 as "could not be
            // delivered" while it drops a 403 without a word.
            // (The core says 401 for a missing right; other methods answer it 403.)
            401 | 403 => Failure::new(
                StatusCode::PRECONDITION_FAILED,
                format!("{e} (answered 412, as for an offline principal)"),
            ),
            status => model_error(status, e),
        })?;
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

/// POLL (this project's extension): the oldest queued notification of the
/// polling login named by `Subscription-Id`, or `204` when none waits.
pub(super) fn poll(ctx: &Ctx<'_>, requester: &Requester) -> Outcome {
    let id = subscription_id(ctx)?.ok_or_else(|| Failure::bad("Subscription-Id is required"))?;
    let mut model = ctx.shared.lock();
    let login = model
        .logins
        .get_mut(id)
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
