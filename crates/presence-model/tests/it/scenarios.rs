//! Scenarios from the white paper ("Exchange Instant Messaging over the
//! Internet", seven scenarios) and librvp's observed behaviour, in virtual time.

use std::time::Duration;

use presence_model::{
    CallbackUrl, Event, NotificationType, Origin, PresenceState, StateUpdate, SubscribeRequest,
};

use crate::sim::{Sim, principal, req};

const S: fn(u64) -> Duration = Duration::from_secs;
const MIN: fn(u64) -> Duration = |m| Duration::from_secs(60 * m);

/// Scenario 1 and 3: a user logs on; without a PROPPATCH within 20 minutes
/// the server sets them offline.
#[test]
fn logon_then_silent_client_goes_offline_after_20_minutes() {
    let mut sim = Sim::new(11);
    let (jo, kari) = (principal("JoBrown"), principal("KariHensien"));
    sim.register(&jo);
    sim.register(&kari);
    let w = sim.watch(&kari, &jo, S(14_400));
    sim.set(&jo, PresenceState::Online, MIN(20));
    sim.run_until(MIN(19) + S(59));
    assert_eq!(sim.server.published(&jo), Some(&PresenceState::Online));
    sim.run_until(MIN(20));
    assert_eq!(sim.server.published(&jo), Some(&PresenceState::Offline));
    assert_eq!(
        sim.told(w),
        vec![
            (S(0), PresenceState::Online),
            (MIN(20), PresenceState::Offline)
        ]
    );
}

/// §6.5.2: a client that refreshes at ~29 of 30 minutes never flaps.
#[test]
fn refreshing_before_expiry_never_flaps_over_eight_hours() {
    let mut sim = Sim::new(12);
    let (a, b) = (principal("a"), principal("b"));
    sim.register(&a);
    sim.register(&b);
    let w = sim.watch(&b, &a, S(14_400));
    sim.set(&a, PresenceState::Online, MIN(30));
    for k in 1..=16 {
        sim.run_until(MIN(29) * k);
        sim.set(&a, PresenceState::Online, MIN(30));
        if k % 8 == 0 {
            // Renew the watch every 3 h 52 min, before its 4 h end.
            sim.server
                .renew(sim.now, &req(&b), w, Some(S(14_400)))
                .expect("renew");
        }
    }
    assert_eq!(sim.told(w), vec![(S(0), PresenceState::Online)]);
    // Then the client crashes: offline 30 minutes after the last refresh.
    let last = sim.elapsed();
    sim.run_until(last + MIN(31));
    assert_eq!(
        sim.told(w).last(),
        Some(&(last + MIN(30), PresenceState::Offline))
    );
}

/// Scenario 2: a contact subscription times out after 4 hours unless renewed.
#[test]
fn subscription_times_out_after_four_hours() {
    let mut sim = Sim::new(13);
    let (a, b) = (principal("a"), principal("b"));
    sim.register(&a);
    sim.register(&b);
    let w = sim.watch(&b, &a, S(86_400)); // one day asked, four hours granted
    sim.run_until(S(20_000));
    assert_eq!(sim.expired(w), Some(S(14_400)));
    sim.set(&a, PresenceState::Online, MIN(20));
    assert!(sim.told(w).is_empty(), "no notification after expiry");
}

/// Scenarios 5 and 6: On The Phone replicates to every login; one machine
/// going idle does not change the published state; the last lease to end
/// takes the principal offline, once.
#[test]
fn two_logins_phone_idle_and_staggered_expiry() {
    let mut sim = Sim::new(14);
    let (a, b) = (principal("a"), principal("b"));
    sim.register(&a);
    sim.register(&b);
    let w = sim.watch(&b, &a, S(14_400));
    let now = sim.now;
    let lease = |s, v: Option<_>, secs| {
        let u = StateUpdate::leased(s, PresenceState::Offline, Some(S(secs)));
        match v {
            Some(v) => u.with_view(v),
            None => u,
        }
    };
    let desk = sim
        .server
        .set_state(now, &req(&a), &a, lease(PresenceState::Online, None, 1200))
        .unwrap()
        .view;
    let laptop = sim
        .server
        .set_state(now, &req(&a), &a, lease(PresenceState::Online, None, 600))
        .unwrap()
        .view;
    sim.drain();
    sim.run_until(MIN(1));
    let now = sim.now;
    sim.server
        .set_state(
            now,
            &req(&a),
            &a,
            lease(PresenceState::OnPhone, laptop, 600),
        )
        .unwrap();
    sim.drain();
    assert!(
        sim.server
            .views(&a)
            .iter()
            .all(|(_, s, _)| *s == PresenceState::OnPhone)
    );
    sim.run_until(MIN(2));
    let now = sim.now;
    // The desk machine goes idle: per view; the laptop is still on the phone.
    sim.server
        .set_state(now, &req(&a), &a, lease(PresenceState::Idle, desk, 1200))
        .unwrap();
    sim.drain();
    assert_eq!(sim.server.published(&a), Some(&PresenceState::OnPhone));
    sim.run_until(MIN(60));
    assert_eq!(
        sim.told(w),
        vec![
            (S(0), PresenceState::Online),
            (MIN(1), PresenceState::OnPhone),
            (MIN(11), PresenceState::Idle),
            (MIN(22), PresenceState::Offline),
        ]
    );
    let expired_views = sim
        .log
        .iter()
        .filter(|(_, e)| matches!(e, Event::ViewExpired { .. }))
        .count();
    assert_eq!(expired_views, 2);
}

/// Scenario 7: logoff. The client UNSUBSCRIBEs its contacts and signs off
/// with an unleased offline; watchers learn at once, not 20 minutes later.
#[test]
fn logoff_is_immediate() {
    let mut sim = Sim::new(15);
    let (a, b) = (principal("a"), principal("b"));
    sim.register(&a);
    sim.register(&b);
    let w = sim.watch(&b, &a, S(14_400));
    let mine = sim.watch(&a, &b, S(14_400));
    sim.set(&a, PresenceState::Online, MIN(20));
    sim.run_until(MIN(5));
    let now = sim.now;
    sim.server.unsubscribe(now, &req(&a), &b, mine).unwrap();
    sim.server
        .set_state(
            now,
            &req(&a),
            &a,
            StateUpdate::unleased(PresenceState::Offline),
        )
        .unwrap();
    sim.drain();
    assert_eq!(
        sim.told(w),
        vec![
            (S(0), PresenceState::Online),
            (MIN(5), PresenceState::Offline)
        ]
    );
    assert_eq!(sim.server.stats().subscriptions, 1);
}

/// librvp (librvp-observed.md, "Renewal timing"): it holds a login
/// (pragma/notify, IP callback) and an own-node update/propchange
/// subscription, both asking 14000 s, and renews only the latter, ~119 s
/// before the end, every time. Its messages must keep arriving past 4 hours.
#[test]
fn librvp_session_keeps_receiving_messages_past_four_hours() {
    let mut sim = Sim::new(16);
    let (alice, bob) = (principal("alice"), principal("bob"));
    sim.register(&alice);
    sim.register(&bob);
    let origin = Some(Origin(0x7f00_0001));
    let sub = |kind, cb: CallbackUrl| SubscribeRequest {
        target: alice.clone(),
        notification_type: kind,
        callback: cb,
        lifetime: Some(S(14_000)),
        origin,
    };
    let now = sim.now;
    let login = sim
        .server
        .subscribe(
            now,
            &req(&alice),
            sub(
                NotificationType::PragmaNotify,
                CallbackUrl::from("http://127.0.0.1:34635"),
            ),
        )
        .unwrap();
    let own = sim
        .server
        .subscribe(
            now,
            &req(&alice),
            sub(
                NotificationType::UpdatePropchange,
                CallbackUrl::from(&alice),
            ),
        )
        .unwrap();
    let mut last_self_id = own.id; // librvp keeps only the last self id
    let mut sub_end = S(14_000);
    let mut lease_end = S(1200);
    sim.set(&alice, PresenceState::Online, S(1200));
    // Twelve hours, librvp's 30 s keepalive, renewing when <= 119 s remain.
    let mut t = S(0);
    while t < S(12 * 3600) {
        t += S(30);
        sim.run_until(t);
        if lease_end.saturating_sub(t) <= S(119) {
            sim.set(&alice, PresenceState::Online, S(1200));
            lease_end = t + S(1200);
        }
        if sub_end.saturating_sub(t) <= S(119) {
            let r = sim
                .server
                .renew(sim.now, &req(&alice), last_self_id, Some(S(14_000)))
                .unwrap();
            last_self_id = r.id;
            sub_end = t + r.lifetime.duration;
            assert_eq!(r.also_refreshed, vec![login.id]);
        }
        // Bob can message alice at every moment: the login subscription lives.
        let d = sim
            .server
            .route_notify(sim.now, &req(&bob), &alice)
            .expect("alice reachable");
        assert_eq!(d[0].subscription, login.id);
    }
    assert_eq!(sim.expired(login.id), None);
    assert_eq!(sim.server.published(&alice), Some(&PresenceState::Online));
    // Once librvp stops renewing, both expire together.
    sim.run_until(S(13 * 3600) + S(14_000));
    assert!(sim.expired(login.id).is_some() && sim.expired(own.id).is_some());
}

/// A blocked watcher only ever sees offline, through every change.
#[test]
fn blocked_watcher_never_sees_a_state() {
    use presence_model::{Ace, AcePrincipal, Acl, Rights};
    let mut sim = Sim::new(17);
    let (a, b, c) = (principal("a"), principal("b"), principal("c"));
    for p in [&a, &b, &c] {
        sim.register(p);
    }
    let mut acl = Acl::default_for(&a);
    acl.push(Ace::deny(
        AcePrincipal::Principal(c.clone()),
        Rights::PRESENCE,
    ));
    sim.server.set_acl(sim.now, &req(&a), &a, acl).unwrap();
    let wb = sim.watch(&b, &a, S(14_400));
    let wc = sim.watch(&c, &a, S(14_400));
    for (i, s) in [
        PresenceState::Online,
        PresenceState::Busy,
        PresenceState::AtLunch,
        PresenceState::Away,
    ]
    .into_iter()
    .enumerate()
    {
        sim.run_until(MIN(i as u64));
        sim.set(&a, s, MIN(20));
    }
    sim.run_until(MIN(60));
    assert_eq!(sim.told(wb).len(), 5);
    assert!(sim.told(wc).is_empty());
}
