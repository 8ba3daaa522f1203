//! An in-process harness over the server's request path, for fuzz targets
//! and tests (feature `fuzzing`).
//!
//! **Unstable**: this module exists so that `fuzz/fuzz_targets/server_requests.rs`
//! and the crate's own tests can drive the server without sockets. It is not
//! part of the supported API and may change in any release.
//!
//! A [`Harness`] is a server (the same [`handler`](crate) code that answers
//! requests arriving over TCP) with its outside world replaced:
//! - time is a manual clock that moves only by [`Harness::advance`], so
//!   leases and subscriptions expire when a test says so, in microseconds;
//! - outbound requests (NOTIFYs to callbacks, proxied requests, server to
//!   server delivery) go to an in-memory [`Sink`] that records them and
//!   answers with a status the caller chooses, never to the network; DNS is
//!   never asked (foreign domains have no resolver);
//! - ACLs are "stored" in memory (the same encoding as the files);
//! - subscription ids and Digest nonces come from seeded generators, so a
//!   sequence of requests replays identically.
//!
//! Each call runs on the harness's own single-threaded tokio runtime and
//! returns once the tasks it started (deliveries, their outcome reports)
//! have run, followed by a timer pass, as the server's timer task would do.
//! [`Harness::check_invariants`] then inspects the presence core and the
//! server's own tables.
//!
//! ```
//! use std::sync::Arc;
//! use bytes::Bytes;
//! use http::{Request, StatusCode};
//! use rvp_server::Config;
//! use rvp_server::directory::{MemoryDirectory, NewPrincipal, PrincipalEntry};
//! use rvp_server::fuzzing::Harness;
//!
//! let directory = MemoryDirectory::new();
//! directory.insert(PrincipalEntry::from_password(NewPrincipal::new("alice", "localhost"), "pw")?)?;
//! let harness = Harness::new(Config::default(), Arc::new(directory))?;
//! let mut request = Request::builder()
//!     .method("PROPFIND")
//!     .uri("http://localhost/instmsg/aliases/alice")
//!     .body(Bytes::new())?;
//! let peer = "127.0.0.1:5000".parse()?;
//! assert_eq!(harness.request(request.clone(), peer).status(), StatusCode::UNAUTHORIZED);
//! harness.authorize(&mut request, "alice", "localhost", "pw");
//! assert_eq!(harness.request(request, peer).status(), StatusCode::MULTI_STATUS);
//! harness.check_invariants()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode, Uri};
use md5::{Digest as _, Md5};
use presence_model::{CredentialKind, InvariantViolation, PrincipalId, Requester, SubscriptionId};
use rvp_codec::header::{Authorization, DigestCredentials, HeaderMapExt, ParamValue, Qop};

use crate::acl_store::AclStore;
use crate::config::{Config, ConfigError};
use crate::directory::Directory;
use crate::logins::LoginMode;
use crate::outbound::{Answer, Outbound, OutboundError};
use crate::state::{Clock, Environment, MAX_STORED_PROPS, Shared};

/// Seed of the harness's subscription ids and nonces.
const SEED: u64 = 0x5256_5046_555a_5a31;

/// How many scheduling rounds [`Harness`] gives spawned tasks after each
/// call. A delivery takes a handful (spawn, worker, report); this leaves a
/// wide margin and costs little when nothing is runnable.
const SETTLE_ROUNDS: usize = 16;

/// Most requests a [`Sink`] keeps for [`Sink::take`]; it counts the rest.
const SINK_LOG: usize = 1024;

/// Why a [`Harness`] could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HarnessError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The authentication settings are unusable.
    #[error("authentication settings: {0}")]
    Auth(#[from] crate::auth::DigestConfigError),
    /// The tokio runtime could not be built.
    #[error("tokio runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

/// A request the server sent out, as a [`Sink`] recorded it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Sent {
    /// The method (`NOTIFY`, or a proxied request's).
    pub method: Method,
    /// The destination.
    pub uri: Uri,
    /// The header fields.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

/// Where the harness's outbound requests go: recorded, answered at once.
#[derive(Debug)]
pub struct Sink {
    state: Mutex<SinkState>,
}

#[derive(Debug)]
struct SinkState {
    answer: Option<StatusCode>,
    log: Vec<Sent>,
    count: u64,
}

impl Sink {
    fn new() -> Self {
        Self {
            state: Mutex::new(SinkState {
                answer: Some(StatusCode::OK),
                log: Vec::new(),
                count: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SinkState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What every outbound request is answered from now on: a status, or
    /// `None` for a transport failure (connection refused). `200` at first.
    pub fn set_answer(&self, answer: Option<StatusCode>) {
        self.lock().answer = answer;
    }

    /// The requests recorded since the last call (at most 1,024 are kept).
    pub fn take(&self) -> Vec<Sent> {
        std::mem::take(&mut self.lock().log)
    }

    /// How many requests were sent in all.
    pub fn count(&self) -> u64 {
        self.lock().count
    }

    pub(crate) fn answer(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Result<Answer, OutboundError> {
        let mut state = self.lock();
        state.count += 1;
        if state.log.len() < SINK_LOG {
            state.log.push(Sent {
                method: method.clone(),
                uri: uri.clone(),
                headers: headers.clone(),
                body: body.clone(),
            });
        }
        match state.answer {
            Some(status) => Ok(Answer {
                status,
                headers: HeaderMap::new(),
                body: Bytes::new(),
            }),
            None => Err(OutboundError::Transport(
                "connection refused (harness)".into(),
            )),
        }
    }
}

/// A broken invariant of the server, found by [`Harness::check_invariants`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InvariantError {
    /// The presence core's own bookkeeping is inconsistent, or something
    /// outlived its deadline.
    #[error("presence core: {0}")]
    Core(#[from] InvariantViolation),
    /// Events of the core were left undelivered after a timer pass.
    #[error("{count} events of the presence core were never drained")]
    PendingEvents {
        /// Events waiting.
        count: usize,
    },
    /// The logins' indexes (by callback, by principal) disagree with the
    /// logins (`None`: their sizes differ).
    #[error("the login indexes are inconsistent at {0:?}")]
    LoginIndex(Option<SubscriptionId>),
    /// A login has no pragma/notify subscription in the core.
    #[error("login {id} of {principal} has no pragma/notify subscription in the core")]
    LoginWithoutSubscription {
        /// The login's subscription id.
        id: SubscriptionId,
        /// Its principal.
        principal: PrincipalId,
    },
    /// A pragma/notify subscription of the core has no login: what is sent
    /// to the principal would go nowhere.
    #[error("pragma/notify subscription {id} on {principal} has no login")]
    SubscriptionWithoutLogin {
        /// The subscription.
        id: SubscriptionId,
        /// The node it is on.
        principal: PrincipalId,
    },
    /// A polling login's queue exceeds `limits.max-queued-notifications`.
    #[error("the queue of login {id} holds {len} notifications, more than {max}")]
    QueueTooLong {
        /// The login.
        id: SubscriptionId,
        /// Queued notifications.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A login whose callback failed `limits.callback-failures` times in a
    /// row was not ended.
    #[error("login {id} survived {failures} callback failures in a row")]
    FailingLogin {
        /// The login.
        id: SubscriptionId,
        /// Failures counted.
        failures: u32,
    },
    /// A principal stores more properties than allowed, or one twice.
    #[error("{principal} stores {count} properties (at most {max}, each once)")]
    Properties {
        /// The principal.
        principal: PrincipalId,
        /// Properties stored.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The stored ACL of a principal does not read back as the one in force.
    #[error("the stored ACL of {principal} differs from the one in force: {detail}")]
    StoredAcl {
        /// The principal.
        principal: PrincipalId,
        /// What differs (or why it could not be read).
        detail: String,
    },
    /// The Digest nonce table outgrew its bound.
    #[error("{count} nonces remembered, more than {max}")]
    Nonces {
        /// Nonces remembered.
        count: usize,
        /// The bound.
        max: usize,
    },
}

/// The server's request path in-process, with a manual clock and no I/O.
/// See the [module docs](self).
#[derive(Debug)]
pub struct Harness {
    runtime: tokio::runtime::Runtime,
    shared: Arc<Shared>,
    sink: Arc<Sink>,
    cnonce: AtomicU64,
}

impl Harness {
    /// A server with `config` (validated; `data-dir` and `listen` are not
    /// used) and `directory`, its clock at an arbitrary instant.
    ///
    /// # Errors
    /// [`HarnessError`] when the configuration is invalid.
    pub fn new(config: Config, directory: Arc<dyn Directory>) -> Result<Self, HarnessError> {
        config.validate()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()?;
        let auth = crate::serve::digest_auth(&config, Some(SEED))?;
        let sink = Arc::new(Sink::new());
        let env = Environment {
            clock: Clock::Manual(Mutex::new(Instant::now())),
            outbound: Outbound::to_sink(Arc::clone(&sink)),
            acls: AclStore::in_memory(),
            rng_seed: Some(SEED),
        };
        let shared = Shared::new(config, directory, auth, env);
        // No DNS: a foreign domain without a static route is unreachable.
        let _ = shared.resolver.set(None);
        Ok(Self {
            runtime,
            shared,
            sink,
            cnonce: AtomicU64::new(0),
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    /// The outbound sink: what the server sent, and what it is answered.
    pub fn sink(&self) -> &Sink {
        &self.sink
    }

    /// The harness's current time.
    pub fn now(&self) -> Instant {
        self.shared.clock.now()
    }

    /// Counts of the presence core.
    pub fn stats(&self) -> presence_model::Stats {
        self.shared.stats()
    }

    /// How many logins (pragma/notify subscriptions with a callback or a
    /// polling queue) there are.
    pub fn logins(&self) -> usize {
        self.shared.lock().logins.iter().count()
    }

    /// Answers `request` from `peer` as the server would over TCP (the body
    /// already read), then lets the deliveries it started run and makes a
    /// timer pass.
    pub fn request(&self, request: Request<Bytes>, peer: SocketAddr) -> Response<Bytes> {
        let shared = &self.shared;
        self.runtime.block_on(async {
            let response = crate::handler::handle(shared, request, peer).await;
            settle().await;
            timer_pass(shared);
            settle().await;
            response
        })
    }

    /// Moves the clock forward by `by` and makes a timer pass: leases and
    /// subscriptions that ended meanwhile expire, and watchers are told.
    pub fn advance(&self, by: Duration) {
        if let Clock::Manual(t) = &self.shared.clock {
            let mut t = t.lock().unwrap_or_else(PoisonError::into_inner);
            *t += by;
        }
        let shared = &self.shared;
        self.runtime.block_on(async {
            timer_pass(shared);
            settle().await;
        });
    }

    /// Adds Digest credentials (MD5, `qop=auth`) for `username` with
    /// `password` in `realm` to `request`, answering a fresh challenge of
    /// the server's own nonce table, as a client does after a `401`. The
    /// `uri` is the request's target as it stands. Does nothing when the
    /// username or realm cannot be written as a parameter value.
    pub fn authorize(
        &self,
        request: &mut Request<Bytes>,
        username: &str,
        realm: &str,
        password: &str,
    ) {
        let (Ok(user), Ok(realm_value)) = (ParamValue::new(username), ParamValue::new(realm))
        else {
            return;
        };
        let challenge = self.shared.auth.challenge(self.now(), &realm_value, false);
        let Some(nonce) = challenge.digest().map(|c| c.nonce.clone()) else {
            return;
        };
        let uri = request.uri().to_string();
        let Ok(uri_value) = ParamValue::new(&uri) else {
            return;
        };
        let n = self.cnonce.fetch_add(1, Ordering::Relaxed);
        let cnonce = format!("{n:016x}");
        let ha1 = md5_hex(&format!("{username}:{realm}:{password}"));
        let ha2 = md5_hex(&format!("{}:{uri}", request.method().as_str()));
        let response = md5_hex(&format!(
            "{ha1}:{}:00000001:{cnonce}:auth:{ha2}",
            nonce.as_str()
        ));
        let (Ok(response), Ok(cnonce)) = (ParamValue::new(&response), ParamValue::new(&cnonce))
        else {
            return;
        };
        let mut creds = DigestCredentials::new(user, realm_value, nonce, uri_value, response);
        creds.qop = Some(Qop::Auth);
        creds.nc = Some(1);
        creds.cnonce = Some(cnonce);
        request
            .headers_mut()
            .typed_insert(Authorization::Digest(creds));
    }

    /// Checks the server's invariants: the presence core's
    /// ([`presence_model::Server::check_invariants`], and nothing overdue at
    /// the current time), no undrained events, the logins' indexes, every
    /// login backed by a pragma/notify subscription and every such
    /// subscription by a login, polling queues and stored properties within
    /// their limits, no login kept past its callback-failure limit, stored
    /// ACLs reading back as the ones in force, and the nonce table bounded.
    ///
    /// # Errors
    /// The first [`InvariantError`] found.
    pub fn check_invariants(&self) -> Result<(), InvariantError> {
        let shared = &self.shared;
        let now = self.now();
        let model = shared.lock();
        model.core.check_invariants()?;
        model.core.check_deadlines(now)?;
        let pending = model.core.stats().pending_events;
        if pending != 0 {
            return Err(InvariantError::PendingEvents { count: pending });
        }
        model
            .logins
            .check_indexes()
            .map_err(InvariantError::LoginIndex)?;
        let limits = &shared.config.limits;
        let mut logins: Vec<_> = model.logins.iter().collect();
        logins.sort_by_key(|(id, _)| *id);
        let mut principals = BTreeSet::new();
        for (id, login) in logins {
            if !model.core.listeners(&login.principal).contains(&id) {
                return Err(InvariantError::LoginWithoutSubscription {
                    id,
                    principal: login.principal.clone(),
                });
            }
            if let LoginMode::Polling { queue, .. } = &login.mode
                && queue.len() > limits.max_queued_notifications
            {
                return Err(InvariantError::QueueTooLong {
                    id,
                    len: queue.len(),
                    max: limits.max_queued_notifications,
                });
            }
            if login.failures >= limits.callback_failures.max(1) {
                return Err(InvariantError::FailingLogin {
                    id,
                    failures: login.failures,
                });
            }
            principals.insert(login.principal.clone());
        }
        let entries = shared.directory.principals();
        for entry in &entries {
            principals.insert(shared.principal_of(entry));
        }
        for principal in &principals {
            for id in model.core.listeners(principal) {
                if !model.logins.contains(id) {
                    return Err(InvariantError::SubscriptionWithoutLogin {
                        id,
                        principal: principal.clone(),
                    });
                }
            }
        }
        let mut stored: Vec<_> = model.props.iter().collect();
        stored.sort_by(|a, b| a.0.cmp(b.0));
        for (principal, props) in stored {
            let repeated = props
                .iter()
                .enumerate()
                .any(|(i, p)| props[..i].iter().any(|q| q.name() == p.name()));
            if props.len() > MAX_STORED_PROPS || repeated {
                return Err(InvariantError::Properties {
                    principal: principal.clone(),
                    count: props.len(),
                    max: MAX_STORED_PROPS,
                });
            }
        }
        for entry in &entries {
            let principal = shared.principal_of(entry);
            if !model.core.is_hosted(&principal) {
                continue;
            }
            let owner = Requester::new(principal.clone(), CredentialKind::Internal);
            let Ok(in_force) = model.core.acl(&owner, &principal) else {
                continue;
            };
            let stored_acl = |detail: String| InvariantError::StoredAcl {
                principal: principal.clone(),
                detail,
            };
            match shared.acls.load(&shared.names, &entry.domain, &entry.alias) {
                Ok(Some(acl)) if &acl == in_force => {}
                Ok(Some(acl)) => {
                    return Err(stored_acl(format!("stored {acl:?}, in force {in_force:?}")));
                }
                Ok(None) => {}
                Err(e) => return Err(stored_acl(e)),
            }
        }
        drop(model);
        let nonces = shared.auth.outstanding_nonces();
        let max = shared.auth.config().max_outstanding_nonces;
        if nonces > max {
            return Err(InvariantError::Nonces { count: nonces, max });
        }
        Ok(())
    }
}

/// What the server's timer task does when a deadline passes: handle the
/// core's timeouts at the current time and act on the events.
fn timer_pass(shared: &Arc<Shared>) {
    let model = {
        let mut m = shared.lock();
        m.core.handle_timeout(shared.clock.now());
        m
    };
    shared.after_change(model);
}

/// Lets every runnable task of the current-thread runtime run, a number of
/// rounds over.
async fn settle() {
    for _ in 0..SETTLE_ROUNDS {
        tokio::task::yield_now().await;
    }
}

fn md5_hex(s: &str) -> String {
    crate::directory::to_hex(&Md5::digest(s.as_bytes()))
}
