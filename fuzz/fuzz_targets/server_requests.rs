#![no_main]

//! Sequences of requests through the server's request path, in-process
//! (`rvp_server::fuzzing::Harness`: manual clock, outbound sink, no
//! sockets): no request may panic the server, and after every step the
//! server's invariants must hold (`Harness::check_invariants`: the presence
//! core's bookkeeping, limits and deadlines, logins against pragma/notify
//! subscriptions, polling queues, stored properties and ACLs, nonces).
//!
//! The input is structured (`arbitrary`): a few configuration switches, then
//! operations. A request names its sender among the directory's principals
//! (or a foreign one, or nobody), whether the harness attaches valid Digest
//! credentials, a method from RVP's set or junk, a target in one of the URL
//! forms the server accepts, header fields from a vocabulary with fuzzed
//! values (subscription ids refer back to ids the server handed out), and a
//! body from templates with fuzzed substitutions, or raw bytes. Other
//! operations send raw bytes through the codec's decoder, move the clock, or
//! change what callbacks answer.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use arbitrary::Arbitrary;
use bytes::{Bytes, BytesMut};
use http::{HeaderName, HeaderValue, Request, StatusCode};
use libfuzzer_sys::fuzz_target;
use rvp_server::directory::{MemoryDirectory, NewPrincipal, PrincipalEntry};
use rvp_server::fuzzing::Harness;
use rvp_server::{Config, RouteMode};

/// Most operations run per input.
const MAX_OPS: usize = 48;
/// Most subscription ids remembered for later reference.
const MAX_IDS: usize = 16;

const DOMAIN: &str = "fuzz.test";
const HOST_NAME: &str = "im.fuzz.test";
const SECOND: &str = "second.test";
const FOREIGN: &str = "foreign.test";
const TRUSTED: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9));

/// The principals a request can come from or be about: (alias, domain,
/// in the directory). Dave's home is another server (routing).
const PRINCIPALS: [(&str, &str, bool); 7] = [
    ("alice", DOMAIN, true),
    ("bob", DOMAIN, true),
    ("carol", DOMAIN, true),
    ("erin", SECOND, true),
    ("dave", DOMAIN, true),
    ("mallory", FOREIGN, false),
    ("nobody", DOMAIN, false),
];

fn principal(i: u8) -> (&'static str, &'static str, bool) {
    PRINCIPALS[usize::from(i) % PRINCIPALS.len()]
}

fn password(alias: &str) -> String {
    format!("{alias}-pw")
}

fn url_of(i: u8) -> String {
    let (alias, domain, _) = principal(i);
    format!("http://{domain}/instmsg/aliases/{alias}")
}

#[derive(Arbitrary, Debug)]
struct Input {
    setup: Setup,
    ops: Vec<Op>,
}

#[derive(Arbitrary, Debug)]
struct Setup {
    prelude: Prelude,
    polling: bool,
    proxy_same_organisation: bool,
    foreign_assertions: bool,
    small_limits: bool,
    callback_failures: u8,
    max_queued: u8,
}

/// A canned start, so that short inputs begin from a lived-in server
/// rather than spend their bytes on logging in.
#[derive(Arbitrary, Debug)]
enum Prelude {
    None,
    /// Alice and Bob logged in with listener callbacks, online, each
    /// watching the other.
    Logins,
    /// Alice logged in by polling (callback if polling is off), Bob with a
    /// listener, Carol watching Alice.
    Polling,
}

#[derive(Arbitrary, Debug)]
enum Op {
    Request(Req),
    /// Bytes through the codec's (lenient) decoder, each decoded request
    /// handled in turn.
    Raw {
        who: u8,
        peer: u8,
        authorize: bool,
        bytes: Vec<u8>,
    },
    Advance(Advance),
    /// What callbacks (and other servers) answer from now on.
    CallbackAnswer(Answer),
}

#[derive(Arbitrary, Debug)]
enum Advance {
    Millis(u16),
    Seconds(u16),
    Minutes(u8),
    Hours(u8),
}

#[derive(Arbitrary, Debug)]
enum Answer {
    Ok,
    NotFound,
    ServerError,
    Redirect,
    Refused,
}

#[derive(Arbitrary, Debug)]
struct Req {
    who: u8,
    auth: Auth,
    peer: u8,
    method: MethodChoice,
    target: Target,
    headers: Vec<Field>,
    body: Body,
}

#[derive(Arbitrary, Debug)]
enum Auth {
    Valid,
    None,
    WrongPassword,
    /// Valid credentials of another principal.
    Other(u8),
}

#[derive(Arbitrary, Debug)]
enum MethodChoice {
    Subscribe,
    Unsubscribe,
    Subscriptions,
    Propfind,
    Proppatch,
    Notify,
    Acl,
    Poll,
    Get,
    Copy,
    Token(String),
}

#[derive(Arbitrary, Debug)]
enum Target {
    /// `/instmsg/aliases/<alias>` with `Host: <domain>`.
    Origin(u8),
    /// `http://<domain>/instmsg/aliases/<alias>`.
    Absolute(u8),
    /// Through the domain's host name.
    HostName(u8),
    /// `/instmsg/local/<domain>/instmsg/aliases/<alias>`.
    Physical(u8),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum Field {
    NotificationType(NotificationType),
    SubscriptionId(IdRef),
    Lifetime(u32),
    CallBack(Callback),
    PollInterval(u16),
    FromPrincipal(u8),
    HopCount(u8),
    AckType(u8),
    Depth(u8),
    Raw { name: u8, value: String },
}

#[derive(Arbitrary, Debug)]
enum NotificationType {
    PragmaNotify,
    UpdatePropchange,
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum IdRef {
    /// One the server handed out (by recency).
    Recent(u8),
    Number(u32),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum Callback {
    /// `http://<peer address>:<port>/<path>`, as a real client's listener.
    OwnListener(u8),
    Localhost(u8),
    /// A listener elsewhere (refused: not the peer's address).
    OtherHost(u8),
    Principal(u8),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
enum Body {
    Empty,
    Leased {
        state: StateChoice,
        default: StateChoice,
        timeout: u32,
        view: Option<u8>,
    },
    Bare {
        state: StateChoice,
        view: Option<u8>,
    },
    Message {
        from: u8,
        to: u8,
        text: String,
    },
    PropNotification {
        from: u8,
        state: StateChoice,
    },
    Propfind(Vec<PropChoice>),
    SetProperty {
        prop: PropChoice,
        value: String,
    },
    RemoveProperty(PropChoice),
    Acl(Vec<AceChoice>),
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum StateChoice {
    Online,
    Offline,
    Busy,
    Away,
    Idle,
    Invisible,
    BackSoon,
    OnPhone,
    AtLunch,
    Token(String),
}

#[derive(Arbitrary, Debug)]
enum PropChoice {
    State,
    DisplayName,
    Email,
    Mobile,
    Unknown(u8),
}

#[derive(Arbitrary, Debug)]
struct AceChoice {
    who: Option<u8>,
    credentials: u8,
    grant: u16,
    deny: u16,
}

const RIGHTS: [&str; 10] = [
    "list",
    "read",
    "write",
    "send-to",
    "receive-from",
    "readacl",
    "writeacl",
    "presence",
    "subscriptions",
    "subscribe-others",
];

const RAW_HEADERS: [&str; 10] = [
    "rvp-notifications-version",
    "rvp-from-principal",
    "authorization",
    "content-type",
    "subscription-id",
    "notification-type",
    "call-back",
    "rvp-hop-count",
    "host",
    "x-fuzz",
];

fn build_harness(setup: &Setup) -> Harness {
    let mut config = Config::default();
    config.domains[0].name = DOMAIN.into();
    config.domains[0].host_names = vec![HOST_NAME.into()];
    let mut second = config.domains[0].clone();
    second.name = SECOND.into();
    second.host_names.clear();
    config.domains.push(second);
    config.server_name = Some("home.fuzz.test:80".into());
    config.polling.enabled = setup.polling;
    config.routing.same_organisation = if setup.proxy_same_organisation {
        RouteMode::Proxy
    } else {
        RouteMode::Redirect
    };
    config.routing.accept_foreign_assertions = setup.foreign_assertions;
    config.routing.trusted_peers = vec![TRUSTED];
    config
        .routing
        .static_routes
        .insert(FOREIGN.into(), "10.7.7.7:80".into());
    config.limits.callback_failures = u32::from(setup.callback_failures % 4) + 1;
    config.limits.max_queued_notifications = usize::from(setup.max_queued % 8) + 1;
    if setup.small_limits {
        config.limits.max_subscriptions_per_principal = 3;
        config.limits.max_watchers_per_principal = 4;
    }
    let directory = MemoryDirectory::new();
    for (alias, domain, known) in PRINCIPALS {
        if !known {
            continue;
        }
        let mut new = NewPrincipal::new(alias, domain);
        if alias == "dave" {
            new = new.home_server("elsewhere.fuzz.test:8080");
        }
        let entry = PrincipalEntry::from_password(new, &password(alias))
            .unwrap_or_else(|e| panic!("directory entry {alias}: {e}"));
        directory
            .insert(entry)
            .unwrap_or_else(|e| panic!("directory entry {alias}: {e}"));
    }
    Harness::new(config, Arc::new(directory)).unwrap_or_else(|e| panic!("harness: {e}"))
}

fn peer(i: u8) -> SocketAddr {
    let ip = match i % 5 {
        0 => IpAddr::V4(Ipv4Addr::LOCALHOST),
        1 => IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
        2 => IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
        3 => TRUSTED,
        _ => IpAddr::V6(Ipv6Addr::LOCALHOST),
    };
    SocketAddr::new(ip, 40_000 + u16::from(i))
}

fn host_of(addr: SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

/// Text safe inside XML character data, and short.
fn text(s: &str) -> String {
    s.chars()
        .take(64)
        .map(|c| match c {
            '<' | '>' | '&' | '"' | '\'' => '_',
            c => c,
        })
        .collect()
}

fn xml(inner: &str) -> Vec<u8> {
    let end = inner.find(['>', '/']).unwrap_or(inner.len());
    let (name, rest) = inner.split_at(end);
    format!(
        "<?xml version=\"1.0\"?>\n{name} xmlns:d=\"DAV:\" xmlns:r=\"http://schemas.microsoft.com/rvp/\" xmlns:a=\"http://schemas.microsoft.com/rvp/acl/\"{rest}\n"
    )
    .into_bytes()
}

fn state(s: &StateChoice) -> String {
    let token = match s {
        StateChoice::Online => "online",
        StateChoice::Offline => "offline",
        StateChoice::Busy => "busy",
        StateChoice::Away => "away",
        StateChoice::Idle => "idle",
        StateChoice::Invisible => "invisible",
        StateChoice::BackSoon => "back-soon",
        StateChoice::OnPhone => "on-phone",
        StateChoice::AtLunch => "at-lunch",
        StateChoice::Token(t) => {
            let t: String = t
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .take(16)
                .collect();
            return if t.is_empty() {
                "<r:online/>".into()
            } else {
                format!("<r:{t}/>")
            };
        }
    };
    format!("<r:{token}/>")
}

fn prop(p: &PropChoice, value: Option<&str>) -> String {
    let (name, ns) = match p {
        PropChoice::State => ("state", "r"),
        PropChoice::DisplayName => ("displayname", "d"),
        PropChoice::Email => ("email", "r"),
        PropChoice::Mobile => ("mobile-description", "r"),
        PropChoice::Unknown(n) => {
            return match value {
                Some(v) => format!("<r:x-prop{}>{}</r:x-prop{}>", n % 4, text(v), n % 4),
                None => format!("<r:x-prop{}/>", n % 4),
            };
        }
    };
    match value {
        Some(v) if name == "state" => format!("<r:state>{}</r:state>", state_from_text(v)),
        Some(v) => format!("<{ns}:{name}>{}</{ns}:{name}>", text(v)),
        None => format!("<{ns}:{name}/>"),
    }
}

fn state_from_text(v: &str) -> String {
    let t: String = v
        .chars()
        .filter(|c| c.is_ascii_lowercase() || *c == '-')
        .take(12)
        .collect();
    if t.is_empty() {
        "<r:online/>".into()
    } else {
        format!("<r:{t}/>")
    }
}

fn rights(mask: u16) -> String {
    RIGHTS
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, r)| format!("<a:{r}/>"))
        .collect()
}

fn body(b: &Body) -> Vec<u8> {
    match b {
        Body::Empty => Vec::new(),
        Body::Leased {
            state: s,
            default,
            timeout,
            view,
        } => xml(&format!(
            "<d:propertyupdate><d:set><d:prop><r:state><r:leased-value><r:value>{}</r:value><r:default-value>{}</r:default-value><d:timeout>{timeout}</d:timeout></r:leased-value>{}</r:state></d:prop></d:set></d:propertyupdate>",
            state(s),
            state(default),
            view.map(|v| format!("<r:view-id>{v}</r:view-id>"))
                .unwrap_or_default()
        )),
        Body::Bare { state: s, view } => xml(&format!(
            "<d:propertyupdate><d:set><d:prop><r:state>{}{}</r:state></d:prop></d:set></d:propertyupdate>",
            state(s),
            view.map(|v| format!("<r:view-id>{v}</r:view-id>"))
                .unwrap_or_default()
        )),
        Body::Message { from, to, text: t } => xml(&format!(
            "<r:notification><r:message><r:notification-from><r:contact><d:href>{}</d:href></r:contact></r:notification-from><r:notification-to><r:contact><d:href>{}</d:href></r:contact></r:notification-to><r:msgbody><r:mime-data>MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n{}</r:mime-data></r:msgbody></r:message></r:notification>",
            url_of(*from),
            url_of(*to),
            text(t)
        )),
        Body::PropNotification { from, state: s } => xml(&format!(
            "<r:notification><r:propnotification><r:notification-from><r:contact><d:href>{}</d:href></r:contact></r:notification-from><d:propertyupdate><d:set><d:prop><r:state>{}</r:state></d:prop></d:set></d:propertyupdate></r:propnotification></r:notification>",
            url_of(*from),
            state(s)
        )),
        Body::Propfind(props) => {
            let inner: String = props.iter().take(8).map(|p| prop(p, None)).collect();
            xml(&format!(
                "<d:propfind><d:prop>{inner}</d:prop></d:propfind>"
            ))
        }
        Body::SetProperty { prop: p, value } => xml(&format!(
            "<d:propertyupdate><d:set><d:prop>{}</d:prop></d:set></d:propertyupdate>",
            prop(p, Some(value))
        )),
        Body::RemoveProperty(p) => xml(&format!(
            "<d:propertyupdate><d:remove><d:prop>{}</d:prop></d:remove></d:propertyupdate>",
            prop(p, None)
        )),
        Body::Acl(aces) => {
            let aces: String = aces
                .iter()
                .take(6)
                .map(|a| {
                    let who = a.who.map_or_else(|| "allprincipals".to_owned(), url_of);
                    let creds: String = ["assertion", "digest", "ntlm"]
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| a.credentials & (1 << i) != 0)
                        .map(|(_, c)| format!("<a:{c}/>"))
                        .collect();
                    format!(
                        "<a:ace><a:principal><a:rvp-principal>{who}</a:rvp-principal><a:credentials>{creds}</a:credentials></a:principal><a:grant>{}</a:grant><a:deny>{}</a:deny></a:ace>",
                        rights(a.grant),
                        rights(a.deny)
                    )
                })
                .collect();
            xml(&format!(
                "<a:rvpacl><a:acl><a:inheritance>none</a:inheritance>{aces}</a:acl></a:rvpacl>"
            ))
        }
        Body::Raw(bytes) => bytes.clone(),
    }
}

/// The per-input state: the harness and the ids it handed out.
struct Run {
    harness: Harness,
    ids: Vec<String>,
}

impl Run {
    fn remember(&mut self, response: &http::Response<Bytes>) {
        if let Some(id) = response
            .headers()
            .get("subscription-id")
            .and_then(|v| v.to_str().ok())
        {
            if self.ids.len() >= MAX_IDS {
                self.ids.remove(0);
            }
            self.ids.push(id.to_owned());
        }
    }

    fn id(&self, r: &IdRef) -> String {
        match r {
            IdRef::Recent(i) if !self.ids.is_empty() => {
                let k = self.ids.len() - 1 - usize::from(*i) % self.ids.len();
                self.ids[k].clone()
            }
            IdRef::Recent(i) => i.to_string(),
            IdRef::Number(n) => n.to_string(),
            IdRef::Raw(s) => s.clone(),
        }
    }

    fn authorize(&self, request: &mut Request<Bytes>, who: u8, right_password: bool) {
        let (alias, domain, _) = principal(who);
        let pw = if right_password {
            password(alias)
        } else {
            "wrong".to_owned()
        };
        self.harness.authorize(request, alias, domain, &pw);
    }

    fn request(&mut self, r: &Req) {
        let method = match &r.method {
            MethodChoice::Subscribe => "SUBSCRIBE".to_owned(),
            MethodChoice::Unsubscribe => "UNSUBSCRIBE".to_owned(),
            MethodChoice::Subscriptions => "SUBSCRIPTIONS".to_owned(),
            MethodChoice::Propfind => "PROPFIND".to_owned(),
            MethodChoice::Proppatch => "PROPPATCH".to_owned(),
            MethodChoice::Notify => "NOTIFY".to_owned(),
            MethodChoice::Acl => "ACL".to_owned(),
            MethodChoice::Poll => "POLL".to_owned(),
            MethodChoice::Get => "GET".to_owned(),
            MethodChoice::Copy => "COPY".to_owned(),
            MethodChoice::Token(t) => t.chars().take(16).collect(),
        };
        let Ok(method) = http::Method::from_bytes(method.as_bytes()) else {
            return;
        };
        let peer = peer(r.peer);
        let mut host = None;
        let target = match &r.target {
            Target::Origin(i) => {
                let (alias, domain, _) = principal(*i);
                host = Some(domain.to_owned());
                format!("/instmsg/aliases/{alias}")
            }
            Target::Absolute(i) => url_of(*i),
            Target::HostName(i) => {
                let (alias, _, _) = principal(*i);
                format!("http://{HOST_NAME}/instmsg/aliases/{alias}")
            }
            Target::Physical(i) => {
                let (alias, domain, _) = principal(*i);
                host = Some("home.fuzz.test".to_owned());
                format!("/instmsg/local/{domain}/instmsg/aliases/{alias}")
            }
            Target::Raw(s) => s.chars().take(128).collect(),
        };
        let Ok(uri) = target.parse::<http::Uri>() else {
            return;
        };
        let mut request = Request::new(Bytes::from(body(&r.body)));
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        if let Some(h) = host.and_then(|h| HeaderValue::from_str(&h).ok()) {
            headers.insert(http::header::HOST, h);
        }
        if !request.body().is_empty() {
            request.headers_mut().insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("text/xml"),
            );
        }
        for field in r.headers.iter().take(8) {
            let (name, value) = self.field(field, peer);
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                request.headers_mut().append(name, value);
            }
        }
        match r.auth {
            Auth::Valid => self.authorize(&mut request, r.who, true),
            Auth::None => {}
            Auth::WrongPassword => self.authorize(&mut request, r.who, false),
            Auth::Other(i) => self.authorize(&mut request, i, true),
        }
        let response = self.harness.request(request, peer);
        self.remember(&response);
    }

    fn field(&self, f: &Field, peer: SocketAddr) -> (&'static str, String) {
        match f {
            Field::NotificationType(t) => (
                "notification-type",
                match t {
                    NotificationType::PragmaNotify => "pragma/notify".to_owned(),
                    NotificationType::UpdatePropchange => "update/propchange".to_owned(),
                    NotificationType::Other(s) => s.clone(),
                },
            ),
            Field::SubscriptionId(r) => ("subscription-id", self.id(r)),
            Field::Lifetime(n) => ("subscription-lifetime", n.to_string()),
            Field::CallBack(c) => (
                "call-back",
                match c {
                    Callback::OwnListener(p) => {
                        format!(
                            "http://{}:{}/cb{}",
                            host_of(peer),
                            7000 + u16::from(*p % 4),
                            p % 4
                        )
                    }
                    Callback::Localhost(p) => {
                        format!("http://localhost:{}", 7000 + u16::from(*p % 4))
                    }
                    Callback::OtherHost(p) => {
                        format!("http://192.0.2.1:{}", 7000 + u16::from(*p % 4))
                    }
                    Callback::Principal(i) => url_of(*i),
                    Callback::Raw(s) => s.clone(),
                },
            ),
            Field::PollInterval(n) => ("rvp-poll-interval", n.to_string()),
            Field::FromPrincipal(i) => ("rvp-from-principal", url_of(*i)),
            Field::HopCount(n) => ("rvp-hop-count", (n % 8).to_string()),
            Field::AckType(n) => (
                "rvp-ack-type",
                ["DeepOr", "DeepAnd", "SingleHop", "NoAck", "bogus"][usize::from(*n % 5)]
                    .to_owned(),
            ),
            Field::Depth(n) => (
                "depth",
                ["0", "1", "infinity", "x"][usize::from(*n % 4)].to_owned(),
            ),
            Field::Raw { name, value } => (
                RAW_HEADERS[usize::from(*name) % RAW_HEADERS.len()],
                value.clone(),
            ),
        }
    }

    fn raw(&mut self, who: u8, peer_index: u8, authorize: bool, bytes: &[u8]) {
        let mut buf = BytesMut::from(bytes);
        let mut decoder = rvp_codec::RequestDecoder::new(rvp_codec::Config::lenient());
        for _ in 0..4 {
            let Ok(Some(decoded)) = decoder.decode(&mut buf) else {
                return;
            };
            let mut request: Request<Bytes> = decoded.into();
            if authorize {
                self.authorize(&mut request, who, true);
            }
            let response = self.harness.request(request, peer(peer_index));
            self.remember(&response);
            self.check("raw request");
        }
    }

    fn check(&self, after: &str) {
        if let Err(e) = self.harness.check_invariants() {
            panic!("invariant broken after {after}: {e}");
        }
        // Keep the sink's log from growing over a long input.
        let _ = self.harness.sink().take();
    }
}

/// A valid request of `who` to `target`'s node from peer `peer`.
fn req(who: u8, peer: u8, method: MethodChoice, target: u8, headers: Vec<Field>, body: Body) -> Op {
    Op::Request(Req {
        who,
        auth: Auth::Valid,
        peer,
        method,
        target: Target::Absolute(target),
        headers,
        body,
    })
}

fn login(who: u8, peer: u8, polling: bool) -> Op {
    let how = if polling {
        Field::PollInterval(60)
    } else {
        Field::CallBack(Callback::OwnListener(who))
    };
    req(
        who,
        peer,
        MethodChoice::Subscribe,
        who,
        vec![
            Field::NotificationType(NotificationType::PragmaNotify),
            Field::Lifetime(14_400),
            how,
        ],
        Body::Empty,
    )
}

fn online(who: u8, peer: u8) -> Op {
    req(
        who,
        peer,
        MethodChoice::Proppatch,
        who,
        Vec::new(),
        Body::Leased {
            state: StateChoice::Online,
            default: StateChoice::Offline,
            timeout: 600,
            view: None,
        },
    )
}

fn watch(who: u8, peer: u8, target: u8) -> Op {
    req(
        who,
        peer,
        MethodChoice::Subscribe,
        target,
        vec![
            Field::NotificationType(NotificationType::UpdatePropchange),
            Field::Lifetime(14_400),
            Field::CallBack(Callback::Principal(who)),
        ],
        Body::Empty,
    )
}

fn prelude(p: &Prelude, polling: bool) -> Vec<Op> {
    // Principal indexes into PRINCIPALS, and peer indexes (see `peer`).
    let (alice, bob, carol) = (0, 1, 2);
    match p {
        Prelude::None => Vec::new(),
        Prelude::Logins => vec![
            login(alice, 1, false),
            login(bob, 2, false),
            online(alice, 1),
            online(bob, 2),
            watch(bob, 2, alice),
            watch(alice, 1, bob),
        ],
        Prelude::Polling => vec![
            login(alice, 1, polling),
            login(bob, 2, false),
            online(alice, 1),
            watch(carol, 0, alice),
        ],
    }
}

fuzz_target!(|input: Input| {
    let mut run = Run {
        harness: build_harness(&input.setup),
        ids: Vec::new(),
    };
    run.check("setup");
    let start = prelude(&input.setup.prelude, input.setup.polling);
    for op in start.iter().chain(input.ops.iter().take(MAX_OPS)) {
        match op {
            Op::Request(r) => {
                run.request(r);
                run.check("a request");
            }
            Op::Raw {
                who,
                peer,
                authorize,
                bytes,
            } => run.raw(*who, *peer, *authorize, bytes),
            Op::Advance(a) => {
                run.harness.advance(match a {
                    Advance::Millis(n) => Duration::from_millis(u64::from(*n)),
                    Advance::Seconds(n) => Duration::from_secs(u64::from(*n)),
                    Advance::Minutes(n) => Duration::from_secs(60 * u64::from(*n)),
                    Advance::Hours(n) => Duration::from_secs(3600 * u64::from(n % 8)),
                });
                run.check("advancing the clock");
            }
            Op::CallbackAnswer(a) => run.harness.sink().set_answer(match a {
                Answer::Ok => Some(StatusCode::OK),
                Answer::NotFound => Some(StatusCode::NOT_FOUND),
                Answer::ServerError => Some(StatusCode::INTERNAL_SERVER_ERROR),
                Answer::Redirect => Some(StatusCode::FOUND),
                Answer::Refused => None,
            }),
        }
    }
});
