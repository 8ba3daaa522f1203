//! The client helpers driving a client against the server core, all in
//! virtual time: one loop takes the earliest of the three deadlines.

use std::time::{Duration, Instant};

use presence_model::{
    CallbackUrl, IdleTracker, NotificationType, PresenceState, Renewal, RenewalPolicy,
    RenewalScheduler, StateUpdate, SubscribeRequest, SubscriptionId, ViewId,
};

use crate::sim::{Sim, principal, req};

const S: fn(u64) -> Duration = Duration::from_secs;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Key {
    Lease,
    Sub(SubscriptionId),
}

#[test]
fn scheduled_client_stays_online_for_a_day_and_goes_away_when_idle() {
    let mut sim = Sim::new(21);
    let (me, friend) = (principal("me"), principal("friend"));
    sim.register(&me);
    sim.register(&friend);
    let watch = sim.watch(&friend, &me, S(14_400));
    let mut sched = RenewalScheduler::new(RenewalPolicy::default());
    let mut idle = IdleTracker::new(sim.now, PresenceState::Online, S(600));
    let mut view: Option<ViewId> = None;

    let publish = |sim: &mut Sim,
                   view: &mut Option<ViewId>,
                   sched: &mut RenewalScheduler<Key>,
                   s: PresenceState| {
        let mut u = StateUpdate::leased(s, PresenceState::Offline, Some(S(1200)));
        if let Some(v) = *view {
            u = u.with_view(v);
        }
        let out = sim.server.set_state(sim.now, &req(&me), &me, u).unwrap();
        *view = out.view;
        sched.granted(Key::Lease, sim.now, out.lease.unwrap().duration);
        sim.drain();
    };
    publish(&mut sim, &mut view, &mut sched, PresenceState::Online);
    let own = sim
        .server
        .subscribe(
            sim.now,
            &req(&me),
            SubscribeRequest {
                target: friend.clone(),
                notification_type: NotificationType::UpdatePropchange,
                callback: CallbackUrl::from(&me),
                lifetime: Some(S(14_400)),
                origin: None,
            },
        )
        .unwrap();
    sched.granted(Key::Sub(own.id), sim.now, own.lifetime.duration);

    // The user types for the first hour, then leaves for good at 1 h.
    let inputs: Vec<Instant> = (0..60).map(|m| sim.t0 + S(60 * m)).collect();
    let end = sim.t0 + S(24 * 3600);
    let mut next_input = inputs.into_iter().peekable();
    loop {
        let candidates = [
            sim.server.poll_timeout(),
            sched.poll_timeout(),
            idle.poll_timeout(),
            next_input.peek().copied(),
        ];
        let Some(t) = candidates.into_iter().flatten().min() else {
            break;
        };
        if t > end {
            break;
        }
        sim.now = t;
        sim.server.handle_timeout(t);
        sim.drain();
        if next_input.peek() == Some(&t) {
            next_input.next();
            idle.handle_input(t);
        }
        idle.handle_timeout(t);
        if let Some(s) = idle.poll_change() {
            publish(&mut sim, &mut view, &mut sched, s);
        }
        sched.handle_timeout(t);
        while let Some(r) = sched.poll_renewal() {
            match r {
                Renewal::Due(Key::Lease) => {
                    let s = idle.current().clone();
                    publish(&mut sim, &mut view, &mut sched, s);
                }
                Renewal::Due(Key::Sub(id)) => {
                    let r = sim
                        .server
                        .renew(sim.now, &req(&me), id, Some(S(14_400)))
                        .unwrap();
                    sched.granted(Key::Sub(id), sim.now, r.lifetime.duration);
                }
                Renewal::Expired(k) => panic!("{k:?} expired although renewed"),
            }
        }
    }
    // One view all day; the friend saw online, then away after 10 idle minutes.
    assert_eq!(sim.server.views(&me).len(), 1);
    assert_eq!(sim.server.published(&me), Some(&PresenceState::Away));
    let told = sim.told(watch);
    assert_eq!(told[0], (S(0), PresenceState::Online));
    assert_eq!(told[1], (S(59 * 60 + 600), PresenceState::Away));
    assert!(
        sim.server
            .subscription_expiry(own.id)
            .is_some_and(|t| t > end)
    );
}
