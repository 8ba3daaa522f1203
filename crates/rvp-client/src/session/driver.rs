//! The background task of a session: renewals, keepalive, polling and idle
//! detection, and logging in again when the server forgot the session.

use std::sync::{Arc, Weak};
use std::time::Instant;

use presence_model::{IdleTracker, Renewal};
use tokio::sync::{Notify, watch};

use super::{Inner, Key, Session};
use crate::error::Error;
use crate::event::Event;

/// The background task: renewals, keepalive, polling and idle detection;
/// logs in again when the server forgot the session.
pub(super) async fn drive(weak: Weak<Inner>, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
    loop {
        let deadline = {
            // Only a weak handle while waiting: dropping the last session
            // ends the task.
            let Some(inner) = weak.upgrade() else { return };
            let session = Session { inner };
            let Ok(s) = session.lock() else { return };
            if s.closed {
                return;
            }
            [
                s.renewals.poll_timeout(),
                s.idle.as_ref().and_then(IdleTracker::poll_timeout),
                s.next_poll,
                s.next_keepalive,
            ]
            .into_iter()
            .flatten()
            .min()
        };
        let sleep = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d.into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = sleep => {}
            _ = wake.notified() => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
        let Some(inner) = weak.upgrade() else { return };
        let session = Session { inner };
        let Err(e) = step(&session).await else {
            continue;
        };
        let _ = session
            .inner
            .events
            .send(Event::SessionLost {
                reason: e.to_string(),
            })
            .await;
        drop(session);
        // Log in again with randomized exponential back-off, holding only
        // the weak handle while waiting.
        let mut failures = 0u32;
        loop {
            let delay = {
                let Some(inner) = weak.upgrade() else { return };
                let seed = inner.http.random_u128() as u64;
                inner.config.retry.delay(
                    failures,
                    &mut <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(seed),
                )
            };
            failures = failures.saturating_add(1);
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = stop.changed() => return,
            }
            let Some(inner) = weak.upgrade() else { return };
            let session = Session { inner };
            if session.lock().map_or(true, |s| s.closed) {
                return;
            }
            match session.relogin().await {
                Ok(()) => {
                    let _ = session.inner.events.send(Event::Reconnected).await;
                    break;
                }
                // The password no longer works: retrying cannot help.
                Err(e @ Error::Auth(crate::auth::AuthError::Refused)) => {
                    tracing::warn!("re-login refused, giving up: {e}");
                    let _ = session
                        .inner
                        .events
                        .send(Event::SessionLost {
                            reason: format!("{e}; not retrying"),
                        })
                        .await;
                    return;
                }
                Err(e) => tracing::debug!("re-login failed: {e}"),
            }
        }
    }
}

/// Does what is due; `Err` means the session is lost.
async fn step(session: &Session) -> Result<(), Error> {
    let now = Instant::now();
    let (renewals, idle_change, poll, keepalive) = {
        let mut s = session.lock()?;
        s.renewals.handle_timeout(now);
        let mut r = Vec::new();
        while let Some(x) = s.renewals.poll_renewal() {
            r.push(x);
        }
        let mut change = None;
        if let Some(idle) = &mut s.idle {
            idle.handle_timeout(now);
            while let Some(c) = idle.poll_change() {
                change = Some(c);
            }
        }
        let poll = s.next_poll.is_some_and(|t| t <= now);
        if poll {
            s.next_poll = Some(now + s.poll_interval);
        }
        let keepalive = s.next_keepalive.is_some_and(|t| t <= now);
        if keepalive {
            s.next_keepalive = session.inner.config.keepalive.map(|k| now + k);
        }
        (r, change, poll, keepalive)
    };
    for r in renewals {
        if session.lock()?.closed {
            return Ok(());
        }
        let (key, expired) = match &r {
            Renewal::Due(k) => (k.clone(), false),
            Renewal::Expired(k) => (k.clone(), true),
        };
        let Err(e) = session.handle_renewal(r).await else {
            continue;
        };
        let own = matches!(key, Key::Lease | Key::Login);
        match e {
            // No answer: ask again before the grant runs out (a contact whose
            // grant already ran out is subscribed afresh later).
            Error::Transport { .. } if !(own && expired) => {
                tracing::debug!(?key, "renewal unanswered, retrying: {e}");
                session.retry_later(key)?;
            }
            // Our own lease or login subscription is gone or refused: the
            // session is lost (log in again).
            e if own => return Err(e),
            // One contact refused (deleted user, ACL...): drop that one.
            e => tracing::warn!(?key, "watching this contact failed: {e}"),
        }
    }
    if let Some(state) = idle_change {
        session.lock()?.presence = state.clone();
        match session.proppatch(&state).await {
            Ok(()) => {}
            // Sent with the next lease renewal.
            Err(e @ Error::Transport { .. }) => tracing::debug!("idle state not sent: {e}"),
            Err(e) => return Err(e),
        }
        let _ = session.inner.events.send(Event::OwnState { state }).await;
    }
    if poll {
        session.poll_now().await?;
    }
    if keepalive {
        match session.renew_login().await {
            Ok(()) => {}
            // Unreachable is not forgotten: the next keepalive asks again.
            Err(e @ Error::Transport { .. }) => tracing::debug!("keepalive unanswered: {e}"),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
