//! Model-based tests: random operation sequences run against the core and a
//! deliberately simple reference model; after every step the published
//! states, the live subscriptions with their expiry, and what every watcher
//! has been told must agree.

use std::collections::HashMap;
use std::time::Duration;

use presence_model::{
    Ace, AcePrincipal, Acl, CallbackUrl, Config, Event, Limits, NotificationType, Origin,
    PresenceState, PrincipalId, Rights, StateUpdate, SubscribeRequest, SubscriptionId, ViewId,
};
use proptest::prelude::*;

use crate::sim::{Sim, req};

const HOSTED: usize = 3;
const WATCHERS: usize = 4; // 3 hosted + 1 remote

#[derive(Clone, Debug)]
enum Op {
    Set {
        p: usize,
        state: usize,
        view: Option<usize>,
        secs: u64,
    },
    Logout {
        p: usize,
    },
    Subscribe {
        w: usize,
        t: usize,
        secs: u64,
        origin: Option<u64>,
    },
    Renew {
        k: usize,
        secs: u64,
    },
    Unsubscribe {
        k: usize,
    },
    Block {
        t: usize,
        w: usize,
        on: bool,
    },
    Advance {
        ms: u64,
    },
}

const STATES: [PresenceState; 9] = PresenceState::KNOWN;

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..HOSTED, 0..STATES.len(), proptest::option::of(0..4usize), 1..5000u64)
            .prop_map(|(p, state, view, secs)| Op::Set { p, state, view, secs }),
        1 => (0..HOSTED).prop_map(|p| Op::Logout { p }),
        3 => (0..WATCHERS, 0..HOSTED, 1..20_000u64, proptest::option::of(0..2u64))
            .prop_map(|(w, t, secs, origin)| Op::Subscribe { w, t, secs, origin }),
        2 => (0..64usize, 1..20_000u64).prop_map(|(k, secs)| Op::Renew { k, secs }),
        1 => (0..64usize).prop_map(|k| Op::Unsubscribe { k }),
        1 => (0..HOSTED, 0..WATCHERS, any::<bool>()).prop_map(|(t, w, on)| Op::Block { t, w, on }),
        4 => (0..8_000_000u64).prop_map(|ms| Op::Advance { ms }),
    ]
}

struct MSub {
    id: SubscriptionId,
    w: usize,
    t: usize,
    expires: u64,
    origin: Option<u64>,
}

struct MView {
    id: ViewId,
    value: PresenceState,
    expires: u64,
}

#[derive(Default)]
struct Model {
    now: u64,
    subs: Vec<MSub>,
    issued: Vec<SubscriptionId>,
    views: [Vec<MView>; HOSTED],
    view_ids: [Vec<ViewId>; HOSTED],
    blocked: [[bool; WATCHERS]; HOSTED],
}

fn clamp(secs: u64, lo: u64, hi: u64) -> u64 {
    secs.clamp(lo, hi) * 1000
}

impl Model {
    fn expire(&mut self) {
        let now = self.now;
        self.subs.retain(|s| s.expires > now);
        for v in &mut self.views {
            v.retain(|x| x.expires > now);
        }
    }

    fn published(&self, p: usize) -> PresenceState {
        self.views[p]
            .iter()
            .map(|v| v.value.clone())
            .max_by_key(|s| s.availability())
            .unwrap_or(PresenceState::Offline)
    }

    fn visible(&self, s: &MSub) -> PresenceState {
        let p = self.published(s.t);
        if s.w == s.t {
            p
        } else if self.blocked[s.t][s.w] {
            PresenceState::Offline
        } else {
            p.as_seen_by_watchers()
        }
    }
}

fn names() -> Vec<PrincipalId> {
    (0..WATCHERS)
        .map(|i| {
            if i < HOSTED {
                crate::sim::principal(&format!("p{i}"))
            } else {
                PrincipalId::from("http://elsewhere.example/instmsg/aliases/r")
            }
        })
        .collect()
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut config = Config::default();
    config.rng_seed = Some(5);
    config.limits = Limits::default();
    config.limits.max_views_per_principal = 1000;
    let mut sim = Sim::with_config(config);
    let p = names();
    for x in &p[..HOSTED] {
        sim.register(x);
    }
    let mut m = Model::default();
    let mut told: HashMap<SubscriptionId, PresenceState> = HashMap::new();
    let ms = Duration::from_millis;

    for op in ops {
        match op.clone() {
            Op::Advance { ms: d } => {
                m.now += d;
                sim.run_until(ms(m.now));
            }
            Op::Set {
                p: i,
                state,
                view,
                secs,
            } => {
                m.expire();
                let value = STATES[state].clone();
                let mut u = StateUpdate::leased(
                    value.clone(),
                    PresenceState::Offline,
                    Some(Duration::from_secs(secs)),
                );
                let named =
                    view.and_then(|k| m.view_ids[i].get(k % m.view_ids[i].len().max(1)).copied());
                if let Some(v) = named {
                    u = u.with_view(v);
                }
                let out = sim
                    .server
                    .set_state(sim.now, &req(&p[i]), &p[i], u)
                    .expect("set");
                let expires = m.now + clamp(secs, 30, 3600);
                let vid = out.view.expect("leased update has a view");
                match m.views[i].iter_mut().find(|v| Some(v.id) == named) {
                    Some(v) => {
                        prop_assert!(!out.view_created);
                        prop_assert_eq!(v.id, vid);
                        v.value = value.clone();
                        v.expires = expires;
                    }
                    None => {
                        prop_assert!(out.view_created);
                        m.views[i].push(MView {
                            id: vid,
                            value: value.clone(),
                            expires,
                        });
                        m.view_ids[i].push(vid);
                    }
                }
                if value.replicates_to_all_views() {
                    for v in &mut m.views[i] {
                        v.value = value.clone();
                    }
                }
            }
            Op::Logout { p: i } => {
                m.expire();
                sim.server
                    .set_state(
                        sim.now,
                        &req(&p[i]),
                        &p[i],
                        StateUpdate::unleased(PresenceState::Offline),
                    )
                    .expect("logout");
                m.views[i].clear();
            }
            Op::Subscribe { w, t, secs, origin } => {
                m.expire();
                let r = SubscribeRequest {
                    target: p[t].clone(),
                    notification_type: NotificationType::UpdatePropchange,
                    callback: CallbackUrl::from(&p[w]),
                    lifetime: Some(Duration::from_secs(secs)),
                    origin: origin.map(Origin),
                };
                let s = sim
                    .server
                    .subscribe(sim.now, &req(&p[w]), r)
                    .expect("subscribe");
                let ms_ = MSub {
                    id: s.id,
                    w,
                    t,
                    expires: m.now + clamp(secs, 60, 14_400),
                    origin,
                };
                prop_assert_eq!(s.initial_state.as_ref(), Some(&m.visible(&ms_)));
                told.insert(s.id, m.visible(&ms_));
                m.subs.push(ms_);
                m.issued.push(s.id);
            }
            Op::Renew { k, secs } => {
                m.expire();
                let Some(&id) = m.issued.get(k % m.issued.len().max(1)) else {
                    continue;
                };
                let live = m.subs.iter().position(|s| s.id == id);
                let w = live.map_or(0, |i| m.subs[i].w);
                let res =
                    sim.server
                        .renew(sim.now, &req(&p[w]), id, Some(Duration::from_secs(secs)));
                match live {
                    None => prop_assert!(res.is_err()),
                    Some(i) => {
                        let r = res.expect("renew live");
                        let exp = m.now + clamp(secs, 60, 14_400);
                        m.subs[i].expires = exp;
                        let (w, t, o) = (m.subs[i].w, m.subs[i].t, m.subs[i].origin);
                        let mut family = Vec::new();
                        if w == t {
                            for s in &mut m.subs {
                                let same_family =
                                    o.is_none() || s.origin.is_none() || s.origin == o;
                                if s.id != id
                                    && s.w == w
                                    && s.t == t
                                    && same_family
                                    && s.expires < exp
                                {
                                    s.expires = exp;
                                    family.push(s.id);
                                }
                            }
                        }
                        let mut got = r.also_refreshed.clone();
                        got.sort();
                        family.sort();
                        prop_assert_eq!(got, family);
                    }
                }
            }
            Op::Unsubscribe { k } => {
                m.expire();
                let Some(&id) = m.issued.get(k % m.issued.len().max(1)) else {
                    continue;
                };
                let live = m.subs.iter().position(|s| s.id == id);
                let (w, t) = live.map_or((0, 0), |i| (m.subs[i].w, m.subs[i].t));
                let res = sim.server.unsubscribe(sim.now, &req(&p[w]), &p[t], id);
                prop_assert_eq!(res.is_ok(), live.is_some());
                if let Some(i) = live {
                    m.subs.remove(i);
                    told.remove(&id);
                }
            }
            Op::Block { t, w, on } => {
                m.expire();
                m.blocked[t][w] = on;
                let mut acl = Acl::default_for(&p[t]);
                for (ww, blocked) in m.blocked[t].iter().enumerate() {
                    if *blocked {
                        acl.push(Ace::deny(
                            AcePrincipal::Principal(p[ww].clone()),
                            Rights::PRESENCE,
                        ));
                    }
                }
                sim.server
                    .set_acl(sim.now, &req(&p[t]), &p[t], acl)
                    .expect("acl");
            }
        }
        sim.drain();
        m.expire();
        // Replay the events of this step into `told`.
        for (_, e) in std::mem::take(&mut sim.log) {
            match e {
                Event::Notify(n) => {
                    let prev = told.insert(n.subscription, n.state.clone());
                    prop_assert_ne!(prev, Some(n.state), "redundant notification");
                }
                Event::SubscriptionExpired(x) => {
                    prop_assert!(!m.subs.iter().any(|s| s.id == x.subscription));
                    told.remove(&x.subscription);
                }
                _ => {}
            }
        }
        for (i, x) in p[..HOSTED].iter().enumerate() {
            prop_assert_eq!(
                sim.server.published(x),
                Some(&m.published(i)),
                "published {} after {:?}",
                i,
                op
            );
        }
        prop_assert_eq!(sim.server.stats().subscriptions, m.subs.len());
        prop_assert_eq!(sim.server.check_invariants(), Ok(()), "after {:?}", op);
        prop_assert_eq!(
            sim.server.check_deadlines(sim.now),
            Ok(()),
            "after {:?}",
            op
        );
        for s in &m.subs {
            prop_assert_eq!(
                sim.server.subscription_expiry(s.id),
                Some(sim.t0 + ms(s.expires))
            );
            prop_assert_eq!(
                told.get(&s.id),
                Some(&m.visible(s)),
                "watcher told wrong state after {:?}",
                op
            );
        }
        let next = sim.server.poll_timeout().map(|t| t - sim.t0);
        let mut want: Option<u64> = None;
        for e in m
            .subs
            .iter()
            .map(|s| s.expires)
            .chain(m.views.iter().flatten().map(|v| v.expires))
        {
            want = Some(want.map_or(e, |w: u64| w.min(e)));
        }
        prop_assert_eq!(next, want.map(ms), "poll_timeout after {:?}", op);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn core_matches_reference_model(ops in proptest::collection::vec(op(), 1..60)) {
        run(ops)?;
    }
}
