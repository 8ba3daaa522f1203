//! Test support: servers on loopback, raw HTTP exchanges, simulated RVP
//! clients that answer Digest challenges as librvp does, and callback
//! listeners that answer as librvp does.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use md5::{Digest, Md5};
use rvp_codec::header::{HeaderMapExt, WwwAuthenticate};
use rvp_codec::{Config as CodecConfig, Request, RequestDecoder, Response, ResponseDecoder};
use rvp_server::directory::{MemoryDirectory, NewPrincipal, PrincipalEntry};
use rvp_server::{Config, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};

/// How long any single wait in a test may take before it fails.
pub const WAIT: Duration = Duration::from_secs(10);

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A temporary directory removed on drop.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("rvp-server-it-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The password of a test user.
pub fn password(alias: &str) -> String {
    format!("{alias}-pw")
}

/// A directory with these users in `domain` (password: [`password`]).
pub fn users(domain: &str, aliases: &[&str]) -> MemoryDirectory {
    let dir = MemoryDirectory::new();
    add_users(&dir, domain, aliases, None);
    dir
}

/// Adds users, optionally hosted on another server.
pub fn add_users(dir: &MemoryDirectory, domain: &str, aliases: &[&str], home: Option<&str>) {
    for a in aliases {
        let mut n = NewPrincipal::new(*a, domain).display_name(format!("{a} (test)"));
        if let Some(h) = home {
            n = n.home_server(h);
        }
        dir.insert(PrincipalEntry::from_password(n, &password(a)).unwrap())
            .unwrap();
    }
}

/// A running server.
pub struct TestServer {
    pub addr: SocketAddr,
    pub data: TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server with the configuration text (listen address and data
    /// directory are set by the harness).
    pub async fn start(config: &str, directory: MemoryDirectory) -> Self {
        Self::start_with(config, Arc::new(directory), TempDir::new()).await
    }

    pub async fn start_with(config: &str, directory: Arc<MemoryDirectory>, data: TempDir) -> Self {
        Self::start_inner(config, directory, data, 0).await
    }

    async fn start_inner(
        config: &str,
        directory: Arc<MemoryDirectory>,
        data: TempDir,
        port: u16,
    ) -> Self {
        let mut config = Config::parse(config).unwrap();
        config.listen = vec![std::net::SocketAddr::from(([127, 0, 0, 1], port))];
        config.data_dir = data.0.clone();
        let server = Server::bind(config, directory).await.unwrap();
        let addr = server.local_addrs()[0];
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(server.run_until(async {
            let _ = rx.await;
        }));
        Self {
            addr,
            data,
            stop: Some(tx),
            task: Some(task),
        }
    }

    /// Starts a server on a given loopback port.
    pub async fn start_at(config: &str, port: u16, directory: Arc<MemoryDirectory>) -> Self {
        Self::start_inner(config, directory, TempDir::new(), port).await
    }

    /// Stops the server and waits for its shutdown to complete.
    pub async fn stop(mut self) -> TempDir {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(40), t)
                .await
                .expect("shutdown in time")
                .unwrap();
        }
        std::mem::replace(&mut self.data, TempDir(PathBuf::new()))
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

/// Reads one response from a stream (body until close when unframed).
pub async fn read_response(stream: &mut TcpStream) -> Response {
    read_response_to(stream, false).await
}

/// Reads one response; `head` when it answers a HEAD request (no body).
pub async fn read_response_to(stream: &mut TcpStream, head: bool) -> Response {
    let mut decoder = ResponseDecoder::new(CodecConfig::lenient());
    if head {
        decoder.expect_response_to_head();
    }
    let mut buf = BytesMut::new();
    loop {
        if let Some(r) = decoder.decode(&mut buf).unwrap() {
            return r;
        }
        let mut chunk = [0u8; 8192];
        let n = tokio::time::timeout(WAIT, stream.read(&mut chunk))
            .await
            .expect("answer in time")
            .unwrap();
        if n == 0 {
            return decoder
                .decode_eof(&mut buf)
                .unwrap()
                .expect("a complete response before close");
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Sends raw bytes on a new connection and reads the answer.
pub async fn raw(addr: SocketAddr, bytes: &[u8]) -> Response {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(bytes).await.unwrap();
    read_response_to(&mut s, bytes.starts_with(b"HEAD ")).await
}

/// A simulated RVP client for one principal, sending librvp's request
/// shapes and answering Digest challenges on the same connection.
#[derive(Clone, Debug)]
pub struct Peer {
    pub alias: String,
    pub domain: String,
    pub password: String,
    pub server: SocketAddr,
    pub url: String,
    /// The `Host` header sent (the IM domain, as librvp does).
    pub host: String,
}

/// A header list for a request.
pub type Headers<'a> = &'a [(&'a str, &'a str)];

impl Peer {
    pub fn new(alias: &str, domain: &str, server: SocketAddr) -> Self {
        Self {
            alias: alias.into(),
            domain: domain.into(),
            password: password(alias),
            server,
            url: format!("http://{domain}/instmsg/aliases/{alias}"),
            host: domain.into(),
        }
    }

    /// The logical URL of another principal of the same domain.
    pub fn url_of(&self, alias: &str) -> String {
        format!("http://{}/instmsg/aliases/{alias}", self.domain)
    }

    fn head(&self, method: &str, path: &str, headers: Headers<'_>, body: &[u8]) -> String {
        let mut h = format!(
            "{method} {path} HTTP/1.1\r\nContent-Length: {}\r\nRVP-Notifications-Version: 0.2\r\nHost: {}\r\n",
            body.len(),
            self.host
        );
        for (k, v) in headers {
            h.push_str(&format!("{k}: {v}\r\n"));
        }
        h
    }

    /// Sends a request to `target_alias`'s node as librvp does: bare first,
    /// then with Digest credentials after a 401, on the same connection.
    pub async fn request(
        &self,
        method: &str,
        target_alias: &str,
        headers: Headers<'_>,
        body: &[u8],
    ) -> Response {
        self.request_path(
            method,
            &format!("/instmsg/aliases/{target_alias}"),
            headers,
            body,
        )
        .await
    }

    /// As [`request`](Self::request), to any request target.
    pub async fn request_path(
        &self,
        method: &str,
        path: &str,
        headers: Headers<'_>,
        body: &[u8],
    ) -> Response {
        let mut s = TcpStream::connect(self.server).await.unwrap();
        let head = self.head(method, path, headers, body);
        let mut bytes = format!("{head}\r\n").into_bytes();
        bytes.extend_from_slice(body);
        s.write_all(&bytes).await.unwrap();
        let first = read_response(&mut s).await;
        if first.status != 401 {
            return first;
        }
        let auth = self.authorization(&first, method, path, &self.password);
        let mut bytes = format!("{head}Authorization: {auth}\r\n\r\n").into_bytes();
        bytes.extend_from_slice(body);
        s.write_all(&bytes).await.unwrap();
        read_response(&mut s).await
    }

    /// librvp's Authorization header for a 401 answer.
    pub fn authorization(
        &self,
        challenge: &Response,
        method: &str,
        uri: &str,
        password: &str,
    ) -> String {
        let www = challenge
            .headers
            .typed_get::<WwwAuthenticate>()
            .unwrap()
            .expect("a WWW-Authenticate header");
        let d = www.digest().expect("a Digest challenge");
        digest_header(
            &self.alias,
            d.realm.as_str(),
            password,
            method,
            uri,
            d.nonce.as_str(),
            1,
            &cnonce(),
        )
    }

    /// A request with `Call-Back` etc. from this principal (adds
    /// RVP-From-Principal).
    pub async fn send(
        &self,
        method: &str,
        target_alias: &str,
        headers: Headers<'_>,
        body: &[u8],
    ) -> Response {
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        all.push(("RVP-From-Principal", &self.url));
        if !body.is_empty() {
            all.push(("Content-Type", "text/xml"));
        }
        self.request(method, target_alias, &all, body).await
    }

    /// The login of scenario 1: login subscription with a callback, leased
    /// online state, PROPFIND, SUBSCRIPTIONS, ACL read. Returns the login
    /// subscription id.
    pub async fn login(&self, callback: &str) -> String {
        let r = self
            .send(
                "SUBSCRIBE",
                &self.alias.clone(),
                &[
                    ("Notification-Type", "pragma/notify"),
                    ("Subscription-Lifetime", "14000"),
                    ("Call-Back", callback),
                ],
                b"",
            )
            .await;
        assert_eq!(r.status, 200, "login SUBSCRIBE");
        let id = header(&r, "subscription-id");
        let r = self.set_state("online").await;
        assert_eq!(r.status, 207, "PROPPATCH online");
        let r = self
            .send(
                "PROPFIND",
                &self.alias.clone(),
                &[("Depth", "0")],
                &xml_doc("<d:propfind><d:prop><d:displayname/></d:prop></d:propfind>"),
            )
            .await;
        assert_eq!(r.status, 207, "PROPFIND");
        let r = self
            .send(
                "SUBSCRIPTIONS",
                &self.alias.clone(),
                &[("Notification-Type", "update/propchange")],
                b"",
            )
            .await;
        assert_eq!(r.status, 200, "SUBSCRIPTIONS");
        let r = self.send("ACL", &self.alias.clone(), &[], b"").await;
        assert_eq!(r.status, 200, "ACL read");
        id
    }

    /// PROPPATCH of a leased state, as librvp sends it.
    pub async fn set_state(&self, state: &str) -> Response {
        self.send(
            "PROPPATCH",
            &self.alias.clone(),
            &[],
            &leased_state(state, 1200),
        )
        .await
    }

    /// Adds a contact (update/propchange with the own URL as Call-Back).
    pub async fn watch(&self, alias: &str) -> Response {
        let url = self.url.clone();
        self.send(
            "SUBSCRIBE",
            alias,
            &[
                ("Notification-Type", "update/propchange"),
                ("Subscription-Lifetime", "14000"),
                ("Call-Back", &url),
            ],
            b"",
        )
        .await
    }

    /// Sends an instant message.
    pub async fn message(&self, to: &str, text: &str, ack: &str) -> Response {
        let body = message_body(&self.url, &self.url_of(to), text);
        self.send(
            "NOTIFY",
            to,
            &[("RVP-Hop-Count", "1"), ("RVP-Ack-Type", ack)],
            &body,
        )
        .await
    }
}

/// A fresh client nonce.
pub fn cnonce() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{:026x}", u128::from(n) * 0x9e37_79b9_7f4a_7c15 + 7)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn md5_hex(s: &str) -> String {
    hex(&Md5::digest(s.as_bytes()))
}

/// The RFC 2617 MD5 qop=auth Authorization header value, in librvp's
/// parameter order.
#[allow(clippy::too_many_arguments)]
pub fn digest_header(
    user: &str,
    realm: &str,
    password: &str,
    method: &str,
    uri: &str,
    nonce: &str,
    nc: u32,
    cnonce: &str,
) -> String {
    let ha1 = md5_hex(&format!("{user}:{realm}:{password}"));
    let ha2 = md5_hex(&format!("{method}:{uri}"));
    let nc = format!("{nc:08x}");
    let response = md5_hex(&format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"));
    format!(
        "Digest username=\"{user}\", realm=\"{realm}\", qop=\"auth\", algorithm=\"MD5\", uri=\"{uri}\", nonce=\"{nonce}\", nc={nc}, cnonce=\"{cnonce}\", response=\"{response}\""
    )
}

/// A header's value as text.
pub fn header(r: &Response, name: &str) -> String {
    r.headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} in {r:?}"))
        .to_str()
        .unwrap()
        .to_owned()
}

/// An XML document with librvp's declaration and namespace declarations.
pub fn xml_doc(inner: &str) -> Vec<u8> {
    // Insert the namespace declarations into the root start tag.
    let end = inner.find(['>', '/']).unwrap();
    let (name, rest) = inner.split_at(end);
    format!(
        "<?xml version=\"1.0\"?>\n{name} xmlns:d=\"DAV:\" xmlns:r=\"http://schemas.microsoft.com/rvp/\" xmlns:a=\"http://schemas.microsoft.com/rvp/acl/\"{rest}\n"
    )
    .into_bytes()
}

/// librvp's leased-state PROPPATCH body.
pub fn leased_state(state: &str, timeout: u32) -> Vec<u8> {
    xml_doc(&format!(
        "<d:propertyupdate><d:set><d:prop><r:state><r:leased-value><r:value><r:{state}/></r:value><r:default-value><r:offline/></r:default-value><d:timeout>{timeout}</d:timeout></r:leased-value></r:state></d:prop></d:set></d:propertyupdate>"
    ))
}

/// librvp's instant-message NOTIFY body.
pub fn message_body(from: &str, to: &str, text: &str) -> Vec<u8> {
    xml_doc(&format!(
        "<r:notification><r:message><r:notification-from><r:contact><d:href>{from}</d:href><r:description>me</r:description></r:contact></r:notification-from><r:notification-to><r:contact><d:href>{to}</d:href><r:description/></r:contact></r:notification-to><r:msgbody><r:mime-data><![CDATA[MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nX-MMS-IM-Format: FN=MS%20Shell%20Dlg; EF=; CO=0; CS=0; PF=0\r\nSession-Id: {{9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}}\r\n\r\n{text}]]></r:mime-data></r:msgbody></r:message></r:notification>"
    ))
}

/// A client's callback listener: collects NOTIFYs, answers them as librvp
/// does (`200 Successful`, no Content-Length, close) unless told to fail.
pub struct Listener {
    pub url: String,
    rx: mpsc::UnboundedReceiver<Request>,
    pub fail: Arc<std::sync::atomic::AtomicBool>,
}

impl Listener {
    pub async fn start() -> Self {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", l.local_addr().unwrap());
        let (tx, rx) = mpsc::unbounded_channel();
        let fail = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let f = Arc::clone(&fail);
        tokio::spawn(async move {
            loop {
                let Ok((mut s, _)) = l.accept().await else {
                    break;
                };
                let tx = tx.clone();
                let f = Arc::clone(&f);
                tokio::spawn(async move {
                    let mut decoder = RequestDecoder::new(CodecConfig::lenient());
                    let mut buf = BytesMut::new();
                    loop {
                        match decoder.decode(&mut buf) {
                            Ok(Some(req)) => {
                                let answer: &[u8] = if f.load(Ordering::Relaxed) {
                                    b"HTTP/1.1 500 Error\r\nRVP-Notifications-Version: 0.2\r\n\r\n"
                                } else {
                                    let _ = tx.send(req);
                                    b"HTTP/1.1 200 Successful\r\nRVP-Notifications-Version: 0.2\r\n\r\n"
                                };
                                let _ = s.write_all(answer).await;
                                return;
                            }
                            Ok(None) => {}
                            Err(_) => return,
                        }
                        let mut chunk = [0u8; 8192];
                        match s.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                });
            }
        });
        Self { url, rx, fail }
    }

    /// The next NOTIFY received.
    pub async fn next(&mut self) -> Request {
        tokio::time::timeout(WAIT, self.rx.recv())
            .await
            .expect("a NOTIFY in time")
            .expect("listener alive")
    }

    /// The next NOTIFY, whose body contains `needle`; others are skipped.
    pub async fn next_with(&mut self, needle: &str) -> Request {
        loop {
            let r = self.next().await;
            if body_text(&r.body).contains(needle) {
                return r;
            }
        }
    }

    /// Asserts that nothing arrives within `d`.
    pub async fn nothing_for(&mut self, d: Duration) {
        if let Ok(Some(r)) = tokio::time::timeout(d, self.rx.recv()).await {
            panic!("unexpected NOTIFY: {}", body_text(&r.body));
        }
    }
}

/// A body as text.
pub fn body_text(b: &Bytes) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A callback listener that accepts connections and reads them but never
/// answers (a client that hangs): deliveries to it end by the outbound
/// timeout.
pub struct SilentListener {
    pub url: String,
    /// Connections accepted so far.
    pub accepted: Arc<AtomicU32>,
}

impl SilentListener {
    pub async fn start() -> Self {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", l.local_addr().unwrap());
        let accepted = Arc::new(AtomicU32::new(0));
        let count = Arc::clone(&accepted);
        tokio::spawn(async move {
            while let Ok((mut s, _)) = l.accept().await {
                count.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(async move {
                    let mut chunk = [0u8; 8192];
                    while let Ok(n) = s.read(&mut chunk).await {
                        if n == 0 {
                            break;
                        }
                    }
                });
            }
        });
        Self { url, accepted }
    }
}

/// A Digest `qop=auth` Authorization header value for `algorithm` (`MD5`
/// as in RFC 2617, or `SHA-256` as in RFC 7616), in librvp's parameter
/// order.
#[allow(clippy::too_many_arguments)]
pub fn digest_header_with(
    algorithm: &str,
    user: &str,
    realm: &str,
    password: &str,
    method: &str,
    uri: &str,
    nonce: &str,
    nc: u32,
    cnonce: &str,
) -> String {
    let h = |s: String| match algorithm {
        "SHA-256" => hex(&sha2::Sha256::digest(s.as_bytes())),
        _ => md5_hex(&s),
    };
    let ha1 = h(format!("{user}:{realm}:{password}"));
    let ha2 = h(format!("{method}:{uri}"));
    let nc = format!("{nc:08x}");
    let response = h(format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"));
    format!(
        "Digest username=\"{user}\", realm=\"{realm}\", qop=\"auth\", algorithm=\"{algorithm}\", uri=\"{uri}\", nonce=\"{nonce}\", nc={nc}, cnonce=\"{cnonce}\", response=\"{response}\""
    )
}
