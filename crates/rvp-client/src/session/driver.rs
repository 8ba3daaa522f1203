//! The background task of a session: renewals, keepalive, polling and idle
//! detection, and logging in again when the server forgot the session.

use std::sync::{Arc, Weak};
use std::time::Instant;

use http::StatusCode;
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
            match session.relogin().await {
                Ok(()) => {
                    let _ = session.inner.events.send(Event::Reconnected).await;
                    break;
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
        let login = matches!(r, Renewal::Due(Key::Login) | Renewal::Expired(Key::Login));
        match session.handle_renewal(r).await {
            Ok(()) => {}
            Err(e) if login => return Err(e),
            Err(Error::Status { .. }) => {
                return Err(Error::status("renewal", StatusCode::GONE));
            }
            Err(e) => tracing::debug!("renewal failed: {e}"),
        }
    }
    if let Some(state) = idle_change {
        session.lock()?.presence = state.clone();
        session.proppatch(&state).await?;
        let _ = session.inner.events.send(Event::OwnState { state }).await;
    }
    if poll {
        session.poll_now().await?;
    }
    if keepalive {
        session.renew_login().await?;
    }
    Ok(())
}
