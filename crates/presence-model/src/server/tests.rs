use std::time::{Duration, Instant};

use crate::*;

const S: fn(u64) -> Duration = Duration::from_secs;

struct Fx {
    t0: Instant,
    srv: Server,
    alice: PrincipalId,
    bob: PrincipalId,
    carol: PrincipalId,
}

fn fx() -> Fx {
    let t0 = Instant::now();
    let mut config = Config::default();
    config.rng_seed = Some(9);
    let mut srv = Server::new(config, t0);
    let p = |s: &str| PrincipalId::from(format!("http://example.com/instmsg/aliases/{s}"));
    let (alice, bob, carol) = (p("alice"), p("bob"), p("carol"));
    for x in [&alice, &bob, &carol] {
        assert!(srv.register(t0, x.clone()));
    }
    assert!(!srv.register(t0, alice.clone()));
    Fx {
        t0,
        srv,
        alice,
        bob,
        carol,
    }
}

fn rq(p: &PrincipalId) -> Requester {
    Requester::new(p.clone(), CredentialKind::Ntlm)
}

fn watch(f: &mut Fx, who: &PrincipalId, target: &PrincipalId) -> SubscriptionId {
    let (t0, target) = (f.t0, target.clone());
    f.srv
        .subscribe(
            t0,
            &rq(who),
            SubscribeRequest {
                target,
                notification_type: NotificationType::UpdatePropchange,
                callback: CallbackUrl::from(who),
                lifetime: Some(S(14_400)),
                origin: None,
            },
        )
        .map(|s| s.id)
        .unwrap_or_else(|e| panic!("subscribe: {e}"))
}

fn leased(v: PresenceState) -> StateUpdate {
    StateUpdate::leased(v, PresenceState::Offline, Some(S(1200)))
}

fn notifies(srv: &mut Server) -> Vec<(SubscriptionId, PresenceState)> {
    let mut v = Vec::new();
    while let Some(e) = srv.poll_event() {
        if let Event::Notify(n) = e {
            v.push((n.subscription, n.state));
        }
    }
    v
}

#[test]
fn views_replicate_and_aggregate() {
    let mut f = fx();
    let (t0, a) = (f.t0, f.alice.clone());
    let v1 = f
        .srv
        .set_state(t0, &rq(&a), &a, leased(PresenceState::Online))
        .unwrap();
    let v2 = f
        .srv
        .set_state(t0, &rq(&a), &a, leased(PresenceState::Online))
        .unwrap();
    assert!(v1.view_created && v2.view_created && v1.view != v2.view);
    assert!(v1.changed && !v2.changed);
    // Idle on one view does not propagate: still online.
    let u = leased(PresenceState::Idle).with_view(v2.view.unwrap());
    let out = f.srv.set_state(t0, &rq(&a), &a, u).unwrap();
    assert_eq!(out.published, PresenceState::Online);
    assert!(!out.view_created);
    // Busy replicates to both views.
    let u = leased(PresenceState::Busy).with_view(v2.view.unwrap());
    let out = f.srv.set_state(t0, &rq(&a), &a, u).unwrap();
    assert_eq!(out.published, PresenceState::Busy);
    assert!(
        f.srv
            .views(&a)
            .iter()
            .all(|(_, s, _)| *s == PresenceState::Busy)
    );
    // Online in one view is the most available: published online.
    let u = leased(PresenceState::Online).with_view(v1.view.unwrap());
    assert_eq!(
        f.srv.set_state(t0, &rq(&a), &a, u).unwrap().published,
        PresenceState::Online
    );
}

#[test]
fn unleased_offline_is_logout_and_unleased_value_gets_default_lease() {
    let mut f = fx();
    let (t0, a) = (f.t0, f.alice.clone());
    f.srv
        .set_state(t0, &rq(&a), &a, leased(PresenceState::Online))
        .unwrap();
    f.srv
        .set_state(t0, &rq(&a), &a, leased(PresenceState::Away))
        .unwrap();
    let out = f
        .srv
        .set_state(
            t0,
            &rq(&a),
            &a,
            StateUpdate::unleased(PresenceState::Offline),
        )
        .unwrap();
    assert_eq!(
        (out.published, out.view, out.changed),
        (PresenceState::Offline, None, true)
    );
    assert!(f.srv.views(&a).is_empty());
    assert_eq!(f.srv.stats().views, 0);
    let out = f
        .srv
        .set_state(
            t0,
            &rq(&a),
            &a,
            StateUpdate::unleased(PresenceState::Online),
        )
        .unwrap();
    assert_eq!(
        out.lease.map(|g| (g.duration, g.adjustment)),
        Some((S(1200), Adjustment::Defaulted))
    );
    // An unleased offline naming that view ends only that view.
    let u = StateUpdate::unleased(PresenceState::Offline).with_view(out.view.unwrap());
    assert_eq!(
        f.srv.set_state(t0, &rq(&a), &a, u).unwrap().published,
        PresenceState::Offline
    );
}

#[test]
fn origin_reuses_the_view_without_view_id() {
    let mut f = fx();
    let (t0, a) = (f.t0, f.alice.clone());
    let o = Origin(0xabc);
    let v1 = f
        .srv
        .set_state(
            t0,
            &rq(&a),
            &a,
            leased(PresenceState::Online).with_origin(o),
        )
        .unwrap();
    let v2 = f
        .srv
        .set_state(t0, &rq(&a), &a, leased(PresenceState::Away).with_origin(o))
        .unwrap();
    assert_eq!(v1.view, v2.view);
    assert_eq!(
        v2.published,
        PresenceState::Away,
        "Miranda going away is not masked by its old view"
    );
}

#[test]
fn views_are_capped_by_evicting_the_oldest_lease() {
    let mut f = fx();
    let (t0, a) = (f.t0, f.alice.clone());
    let max = f.srv.config().limits.max_views_per_principal;
    for i in 0..max + 3 {
        let now = t0 + S(i as u64);
        f.srv
            .set_state(now, &rq(&a), &a, leased(PresenceState::Online))
            .unwrap();
    }
    assert_eq!(f.srv.views(&a).len(), max);
    assert_eq!(f.srv.stats().views, max);
}

#[test]
fn lease_expiry_to_non_offline_default_sets_base() {
    let mut f = fx();
    let (t0, a) = (f.t0, f.alice.clone());
    let u = StateUpdate::leased(PresenceState::Online, PresenceState::Away, Some(S(60)));
    f.srv.set_state(t0, &rq(&a), &a, u).unwrap();
    f.srv.handle_timeout(t0 + S(60));
    assert_eq!(f.srv.published(&a), Some(&PresenceState::Away));
    assert!(f.srv.views(&a).is_empty());
    assert_eq!(f.srv.poll_timeout(), None);
}

#[test]
fn lease_policy_refusal_is_reported() {
    let t0 = Instant::now();
    let mut config = Config::default();
    config.lease = TimeoutPolicy::lease().with_out_of_range(OutOfRange::Refuse);
    let mut srv = Server::new(config, t0);
    let a = PrincipalId::from("a");
    srv.register(t0, a.clone());
    let u = StateUpdate::leased(
        PresenceState::Online,
        PresenceState::Offline,
        Some(S(86_400)),
    );
    let e = srv.set_state(t0, &rq(&a), &a, u).unwrap_err();
    assert!(matches!(
        e,
        SetStateError::Lease(PolicyRefusal::OutOfRange { .. })
    ));
    assert_eq!(e.status(), 400);
    let e = srv
        .set_state(
            t0,
            &rq(&PrincipalId::from("b")),
            &a,
            leased(PresenceState::Online),
        )
        .unwrap_err();
    assert_eq!(Error::from(e).status(), 401);
}

#[test]
fn subscribe_rights_and_policy() {
    let mut f = fx();
    let (t0, a, b) = (f.t0, f.alice.clone(), f.bob.clone());
    let req = |kind, cb: &str, life| SubscribeRequest {
        target: a.clone(),
        notification_type: kind,
        callback: CallbackUrl::from(cb),
        lifetime: life,
        origin: None,
    };
    // Bob may not receive Alice's notifications, nor use a foreign callback.
    let e = f
        .srv
        .subscribe(
            t0,
            &rq(&b),
            req(NotificationType::PragmaNotify, b.as_str(), Some(S(60))),
        )
        .unwrap_err();
    assert!(matches!(
        e,
        SubscribeError::Access(AccessError::Denied {
            right: Rights::RECEIVE_FROM,
            ..
        })
    ));
    let e = f
        .srv
        .subscribe(
            t0,
            &rq(&b),
            req(
                NotificationType::UpdatePropchange,
                "http://10.0.0.1:1234",
                Some(S(60)),
            ),
        )
        .unwrap_err();
    assert_eq!(e.status(), 401);
    // Alice's own login subscription with an IP callback is fine.
    let ok = f
        .srv
        .subscribe(
            t0,
            &rq(&a),
            req(
                NotificationType::PragmaNotify,
                "http://10.0.0.1:1234",
                Some(S(14_000)),
            ),
        )
        .unwrap();
    assert_eq!(ok.initial_state, None);
    assert_eq!(ok.lifetime.duration, S(14_000));
    // Permanent refused, one day clamped to four hours.
    let e = f
        .srv
        .subscribe(
            t0,
            &rq(&b),
            req(NotificationType::UpdatePropchange, b.as_str(), None),
        )
        .unwrap_err();
    assert_eq!(e, SubscribeError::Lifetime(PolicyRefusal::DurationRequired));
    let ok = f
        .srv
        .subscribe(
            t0,
            &rq(&b),
            req(
                NotificationType::UpdatePropchange,
                b.as_str(),
                Some(S(86_400)),
            ),
        )
        .unwrap();
    assert_eq!(
        (ok.lifetime.duration, ok.lifetime.adjustment),
        (S(14_400), Adjustment::LoweredToMax)
    );
    // Unknown target.
    let mut r = req(NotificationType::UpdatePropchange, b.as_str(), Some(S(60)));
    r.target = PrincipalId::from("http://example.com/instmsg/aliases/nobody");
    assert_eq!(f.srv.subscribe(t0, &rq(&b), r).unwrap_err().status(), 404);
}

#[test]
fn duplicates_are_kept_apart_and_ids_unique() {
    let mut f = fx();
    let (a, b) = (f.alice.clone(), f.bob.clone());
    let ids: Vec<_> = (0..50).map(|_| watch(&mut f, &b, &a)).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 50);
    assert!(
        ids.iter()
            .all(|i| i.get() >= 1 && i.get() <= i32::MAX as u32)
    );
    let t0 = f.t0;
    f.srv
        .set_state(t0, &rq(&a), &a, leased(PresenceState::Online))
        .unwrap();
    assert_eq!(notifies(&mut f.srv).len(), 50);
}

#[test]
fn limits_have_typed_errors() {
    let t0 = Instant::now();
    let mut config = Config::default();
    config.limits.max_watchers_per_principal = 2;
    config.limits.max_subscriptions_per_subscriber = 3;
    config.limits.max_subscriptions = 4;
    let mut srv = Server::new(config, t0);
    let p: Vec<PrincipalId> = (0..4).map(|i| PrincipalId::from(format!("p{i}"))).collect();
    for x in &p {
        srv.register(t0, x.clone());
    }
    let sub = |srv: &mut Server, who: &PrincipalId, on: &PrincipalId| {
        srv.subscribe(
            t0,
            &rq(who),
            SubscribeRequest {
                target: on.clone(),
                notification_type: NotificationType::UpdatePropchange,
                callback: CallbackUrl::from(who),
                lifetime: Some(S(600)),
                origin: None,
            },
        )
    };
    sub(&mut srv, &p[1], &p[0]).unwrap();
    sub(&mut srv, &p[2], &p[0]).unwrap();
    assert!(matches!(
        sub(&mut srv, &p[3], &p[0]),
        Err(SubscribeError::TooManyWatchers { max: 2, .. })
    ));
    sub(&mut srv, &p[1], &p[2]).unwrap();
    sub(&mut srv, &p[1], &p[3]).unwrap();
    assert!(matches!(
        sub(&mut srv, &p[2], &p[1]),
        Err(SubscribeError::ServerFull { max: 4 })
    ));
    let mut config = Config::default();
    config.limits.max_subscriptions_per_subscriber = 1;
    let mut srv = Server::new(config, t0);
    for x in &p {
        srv.register(t0, x.clone());
    }
    sub(&mut srv, &p[1], &p[0]).unwrap();
    let e = sub(&mut srv, &p[1], &p[2]).unwrap_err();
    assert!(matches!(e, SubscribeError::TooManyHeld { max: 1, .. }));
    assert_eq!(e.status(), 403);
}

#[test]
fn renew_unsubscribe_and_listing() {
    let mut f = fx();
    let (t0, a, b, c) = (f.t0, f.alice.clone(), f.bob.clone(), f.carol.clone());
    let id = watch(&mut f, &b, &a);
    let e = f.srv.renew(t0, &rq(&c), id, Some(S(60))).unwrap_err();
    assert!(matches!(e, RenewError::NotSubscriber { .. }));
    let r = f
        .srv
        .renew(t0 + S(100), &rq(&b), id, Some(S(14_400)))
        .unwrap();
    assert!(r.also_refreshed.is_empty());
    assert_eq!(f.srv.subscription_expiry(id), Some(t0 + S(14_500)));
    // Listing: bob may not, alice may; seconds left from now.
    assert!(f.srv.subscriptions(t0, &rq(&b), &a, None).is_err());
    let l = f
        .srv
        .subscriptions(
            t0 + S(500),
            &rq(&a),
            &a,
            Some(NotificationType::UpdatePropchange),
        )
        .unwrap();
    assert_eq!(l.len(), 1);
    assert_eq!(
        (l[0].id, &l[0].subscriber, l[0].seconds_left()),
        (id, &b, 14_000)
    );
    assert!(
        f.srv
            .subscriptions(t0, &rq(&a), &a, Some(NotificationType::PragmaNotify))
            .unwrap()
            .is_empty()
    );
    // Carol may not cancel; wrong node is not found; alice (owner) may.
    assert!(matches!(
        f.srv.unsubscribe(t0, &rq(&c), &a, id),
        Err(UnsubscribeError::Denied { .. })
    ));
    assert!(matches!(
        f.srv.unsubscribe(t0, &rq(&b), &c, id),
        Err(UnsubscribeError::NotFound { .. })
    ));
    f.srv.unsubscribe(t0, &rq(&a), &a, id).unwrap();
    assert_eq!(
        f.srv
            .renew(t0, &rq(&b), id, Some(S(60)))
            .unwrap_err()
            .status(),
        404
    );
    assert_eq!(f.srv.stats().subscriptions, 0);
}

#[test]
fn expiry_emits_events_and_renewal_postpones() {
    let mut f = fx();
    let (t0, a, b) = (f.t0, f.alice.clone(), f.bob.clone());
    let id = watch(&mut f, &b, &a);
    assert_eq!(f.srv.poll_timeout(), Some(t0 + S(14_400)));
    f.srv
        .renew(t0 + S(14_000), &rq(&b), id, Some(S(14_400)))
        .unwrap();
    assert_eq!(f.srv.poll_timeout(), Some(t0 + S(28_400)));
    f.srv.handle_timeout(t0 + S(28_399));
    assert!(f.srv.poll_event().is_none());
    f.srv.handle_timeout(t0 + S(28_400));
    let Some(Event::SubscriptionExpired(e)) = f.srv.poll_event() else {
        panic!("expected expiry")
    };
    assert_eq!((e.subscription, &e.principal, &e.watcher), (id, &a, &b));
    assert_eq!(f.srv.poll_timeout(), None);
}

#[test]
fn family_rule_keeps_login_subscription_alive() {
    let mut f = fx();
    let (t0, a) = (f.t0, f.alice.clone());
    let mk = |kind, cb: &str, origin| SubscribeRequest {
        target: a.clone(),
        notification_type: kind,
        callback: CallbackUrl::from(cb),
        lifetime: Some(S(14_000)),
        origin,
    };
    let o = Some(Origin(1));
    let login = f
        .srv
        .subscribe(
            t0,
            &rq(&a),
            mk(NotificationType::PragmaNotify, "http://127.0.0.1:34635", o),
        )
        .unwrap()
        .id;
    let own = f
        .srv
        .subscribe(
            t0,
            &rq(&a),
            mk(NotificationType::UpdatePropchange, a.as_str(), o),
        )
        .unwrap()
        .id;
    let other_machine = f
        .srv
        .subscribe(
            t0,
            &rq(&a),
            mk(
                NotificationType::PragmaNotify,
                "http://10.9.9.9:1",
                Some(Origin(2)),
            ),
        )
        .unwrap()
        .id;
    let r = f
        .srv
        .renew(t0 + S(13_880), &rq(&a), own, Some(S(14_000)))
        .unwrap();
    assert_eq!(r.also_refreshed, vec![login]);
    assert_eq!(f.srv.subscription_expiry(login), Some(t0 + S(27_880)));
    assert_eq!(
        f.srv.subscription_expiry(other_machine),
        Some(t0 + S(14_000))
    );
    // Renewing a subscription on someone else's node extends nothing.
    let b = f.bob.clone();
    let on_b = watch(&mut f, &a, &b);
    assert!(
        f.srv
            .renew(t0 + S(13_900), &rq(&a), on_b, Some(S(14_000)))
            .unwrap()
            .also_refreshed
            .is_empty()
    );
}

#[test]
fn blocked_watcher_sees_offline_and_acl_changes_notify() {
    let mut f = fx();
    let (t0, a, b, c) = (f.t0, f.alice.clone(), f.bob.clone(), f.carol.clone());
    let sb = watch(&mut f, &b, &a);
    let sc = watch(&mut f, &c, &a);
    let mut acl = Acl::default_for(&a);
    acl.push(Ace::deny(
        AcePrincipal::Principal(c.clone()),
        Rights::PRESENCE | Rights::SEND_TO,
    ));
    f.srv.set_acl(t0, &rq(&a), &a, acl.clone()).unwrap();
    assert!(
        notifies(&mut f.srv).is_empty(),
        "offline before and after: nothing to say"
    );
    f.srv
        .set_state(t0, &rq(&a), &a, leased(PresenceState::Busy))
        .unwrap();
    assert_eq!(notifies(&mut f.srv), vec![(sb, PresenceState::Busy)]);
    assert_eq!(
        f.srv.presence_for(t0, &rq(&c), &a),
        Ok(PresenceState::Offline)
    );
    assert_eq!(f.srv.presence_for(t0, &rq(&b), &a), Ok(PresenceState::Busy));
    assert_eq!(f.srv.may_send_to(&rq(&c), &a), Ok(false));
    assert_eq!(f.srv.may_see_presence(&rq(&b), &a), Ok(true));
    // Unblocking carol tells her the real state, and only her.
    f.srv
        .set_acl(t0, &rq(&a), &a, Acl::default_for(&a))
        .unwrap();
    assert_eq!(notifies(&mut f.srv), vec![(sc, PresenceState::Busy)]);
    // Bob may not write the ACL or read it; alice may read it.
    assert!(f.srv.set_acl(t0, &rq(&b), &a, Acl::new()).is_err());
    assert!(f.srv.acl(&rq(&b), &a).is_err());
    assert_eq!(f.srv.acl(&rq(&a), &a).map(|x| x.aces().len()), Ok(2));
    let bad = Acl::from_aces(vec![Ace {
        credentials: Credentials::NONE,
        ..Ace::grant(AcePrincipal::AllPrincipals, Rights::READ)
    }]);
    assert_eq!(
        f.srv.set_acl(t0, &rq(&a), &a, bad).unwrap_err().status(),
        400
    );
}

#[test]
fn check_set_acl_decides_as_set_acl_without_changing_anything() {
    let mut f = fx();
    let (t0, a, b) = (f.t0, f.alice.clone(), f.bob.clone());
    let mut block = Acl::default_for(&a);
    block.push(Ace::deny(
        AcePrincipal::Principal(b.clone()),
        Rights::SEND_TO,
    ));
    assert_eq!(f.srv.check_set_acl(&rq(&a), &a, &block), Ok(()));
    // Nothing changed: bob may still send.
    assert_eq!(f.srv.may_send_to(&rq(&b), &a), Ok(true));
    assert_eq!(f.srv.acl(&rq(&a), &a).map(|x| x.aces().len()), Ok(2));
    // Refusals are the ones set_acl would give.
    let denied = f.srv.check_set_acl(&rq(&b), &a, &block).unwrap_err();
    assert_eq!(denied.status(), 401);
    assert_eq!(
        f.srv.set_acl(t0, &rq(&b), &a, block.clone()).unwrap_err(),
        denied
    );
    let bad = Acl::from_aces(vec![Ace {
        credentials: Credentials::NONE,
        ..Ace::grant(AcePrincipal::AllPrincipals, Rights::READ)
    }]);
    assert_eq!(
        f.srv.check_set_acl(&rq(&a), &a, &bad).unwrap_err().status(),
        400
    );
    let unknown = PrincipalId::from("http://example.com/instmsg/aliases/nobody");
    assert_eq!(
        f.srv
            .check_set_acl(&rq(&a), &unknown, &block)
            .unwrap_err()
            .status(),
        404
    );
}

#[test]
fn invisible_is_offline_to_watchers_but_not_to_owner() {
    let mut f = fx();
    let (t0, a, b) = (f.t0, f.alice.clone(), f.bob.clone());
    f.srv
        .set_state(t0, &rq(&a), &a, leased(PresenceState::Online))
        .unwrap();
    let sb = watch(&mut f, &b, &a);
    let sa = watch(&mut f, &a, &a);
    f.srv
        .set_state(t0, &rq(&a), &a, leased(PresenceState::Invisible))
        .unwrap();
    let mut n = notifies(&mut f.srv);
    n.sort_by_key(|x| x.0);
    let mut want = vec![(sb, PresenceState::Offline), (sa, PresenceState::Invisible)];
    want.sort_by_key(|x| x.0);
    assert_eq!(n, want);
}

#[test]
fn route_notify_needs_send_to_and_a_listener() {
    let mut f = fx();
    let (t0, a, b) = (f.t0, f.alice.clone(), f.bob.clone());
    assert!(matches!(
        f.srv.route_notify(t0, &rq(&b), &a),
        Err(SendError::Unavailable { .. })
    ));
    let login = f
        .srv
        .subscribe(
            t0,
            &rq(&a),
            SubscribeRequest {
                target: a.clone(),
                notification_type: NotificationType::PragmaNotify,
                callback: CallbackUrl::from("http://10.0.0.5:1051"),
                lifetime: Some(S(14_400)),
                origin: None,
            },
        )
        .unwrap();
    let d = f.srv.route_notify(t0, &rq(&b), &a).unwrap();
    assert_eq!(
        (d.len(), d[0].subscription, d[0].callback.as_str()),
        (1, login.id, "http://10.0.0.5:1051")
    );
    let mut acl = Acl::default_for(&a);
    acl.push(Ace::deny(
        AcePrincipal::Principal(b.clone()),
        Rights::SEND_TO,
    ));
    f.srv.set_acl(t0, &rq(&a), &a, acl).unwrap();
    assert_eq!(
        f.srv.route_notify(t0, &rq(&b), &a).unwrap_err().status(),
        401
    );
    assert_eq!(
        f.srv.own_subscriptions(&a),
        vec![(login.id, NotificationType::PragmaNotify)]
    );
}

#[test]
fn remote_subscribers_are_released() {
    let mut f = fx();
    let (t0, a) = (f.t0, f.alice.clone());
    let remote = PrincipalId::from("http://other.example/instmsg/aliases/zed");
    let id = watch(&mut f, &remote, &a);
    assert!(!f.srv.is_hosted(&remote));
    f.srv.unsubscribe(t0, &rq(&remote), &a, id).unwrap();
    assert_eq!(f.srv.index.len(), 3, "the remote entry is dropped");
    let _ = watch(&mut f, &remote, &a);
    f.srv.handle_timeout(t0 + S(14_400));
    assert_eq!(f.srv.index.len(), 3);
    assert_eq!(f.srv.stats().principals, 3);
}

#[test]
fn subscription_record_stays_compact() {
    // Two million of these in the bench: keep the record at 24 bytes.
    assert!(
        std::mem::size_of::<super::Sub>() <= 24,
        "{}",
        std::mem::size_of::<super::Sub>()
    );
}

#[test]
fn foreign_callbacks_are_kept_and_dropped() {
    let mut f = fx();
    let (t0, a) = (f.t0, f.alice.clone());
    let cb = CallbackUrl::from("http://10.0.0.7:2000");
    let id = f
        .srv
        .subscribe(
            t0,
            &rq(&a),
            SubscribeRequest {
                target: a.clone(),
                notification_type: NotificationType::PragmaNotify,
                callback: cb.clone(),
                lifetime: Some(S(600)),
                origin: None,
            },
        )
        .unwrap()
        .id;
    let l = f.srv.subscriptions(t0, &rq(&a), &a, None).unwrap();
    assert_eq!(l[0].callback, cb);
    f.srv.handle_timeout(t0 + S(600));
    let Some(Event::SubscriptionExpired(e)) = f.srv.poll_event() else {
        panic!()
    };
    assert_eq!((e.subscription, e.callback), (id, cb));
    assert!(f.srv.foreign_callbacks.is_empty());
}

#[test]
fn unregister_drops_node_and_its_watchers() {
    let mut f = fx();
    let (t0, a, b) = (f.t0, f.alice.clone(), f.bob.clone());
    let w = watch(&mut f, &b, &a);
    let mine = watch(&mut f, &a, &b);
    f.srv
        .set_state(t0, &rq(&a), &a, leased(PresenceState::Online))
        .unwrap();
    assert_eq!(f.srv.unregister(t0, &a), vec![w]);
    assert!(!f.srv.is_hosted(&a));
    assert_eq!(f.srv.stats().views, 0);
    assert!(
        f.srv.subscription_expiry(mine).is_some(),
        "held elsewhere: kept"
    );
    assert!(f.srv.unregister(t0, &a).is_empty());
    f.srv.handle_timeout(t0 + S(14_400));
    assert_eq!(f.srv.stats().subscriptions, 0);
    assert_eq!(f.srv.index.len(), 2);
    assert!(f.srv.register(t0 + S(14_400), a.clone()));
}

#[test]
fn stale_deadlines_are_compacted() {
    let mut f = fx();
    let (a, b) = (f.alice.clone(), f.bob.clone());
    let id = watch(&mut f, &b, &a);
    for k in 1..5000u64 {
        let now = f.t0 + Duration::from_millis(k);
        f.srv.renew(now, &rq(&b), id, Some(S(14_400))).unwrap();
    }
    // One live deadline; stale entries are bounded by the compaction rule.
    assert!(
        f.srv.stats().timer_entries <= 2 + 1024 + 1,
        "{}",
        f.srv.stats().timer_entries
    );
    assert_eq!(
        f.srv.poll_timeout(),
        Some(f.t0 + Duration::from_millis(4999) + S(14_400))
    );
}

#[test]
fn origin_fold_keeps_small_origins_apart() {
    use super::fold_origin;
    let folded: Vec<u32> = (0..4).map(|v| fold_origin(Some(Origin(v)))).collect();
    assert!(folded.iter().all(|f| *f != 0));
    let mut d = folded.clone();
    d.sort_unstable();
    d.dedup();
    assert_eq!(d.len(), 4);
    assert_eq!(fold_origin(None), 0);
}
