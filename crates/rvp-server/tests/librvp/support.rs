//! The real `rvp-server` binary and real librvp accounts (one `rvp-purple-host` process
//! each), with their logs kept for failure reports.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// Passwords whose Digest HA1 (`MD5(alias:localhost:password)`) has no zero byte.
/// librvp turns the HA1 digest into hex up to its first zero byte (a `strlen` on the
/// raw digest), so for about one password in sixteen its responses never verify
/// ("Auth failed"): `alice`/`secret` is one of them. [`Server::start`] checks it.
pub(crate) const ALICE_PASSWORD: &str = "wonderland";
/// See [`ALICE_PASSWORD`].
pub(crate) const BOB_PASSWORD: &str = "builder";

/// How long a host may live at most (`--deadline`), seconds.
const HOST_DEADLINE_SECS: u32 = 150;

/// A temporary directory, removed on drop unless the test failed or
/// `RVP_KEEP_LOGS` is set (to read the server's and librvp's logs of a passing run).
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new(name: &str) -> Self {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("rvp-librvp-{}-{name}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::thread::panicking() || std::env::var_os("RVP_KEEP_LOGS").is_some() {
            eprintln!("(logs kept in {})", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The host program, built with `make` once per test run. `None` (after a loud message)
/// when it cannot be built outside CI; under `CI=true` a missing host, libpurple or
/// librvp fails the test.
pub(crate) fn host_binary() -> Option<PathBuf> {
    static HOST: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let result = HOST.get_or_init(|| {
        let server = PathBuf::from(env!("CARGO_BIN_EXE_rvp-server"));
        // <target>/<profile>/rvp-server -> <target>/interop-purple
        let target = server
            .parent()
            .and_then(Path::parent)
            .ok_or("no target directory")?;
        let out = target.join("interop-purple");
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let made = Command::new("make")
            .arg("-s")
            .arg("-C")
            .arg(repo.join("tests/interop/purple"))
            .arg(format!("OUT={}", out.display()))
            .output()
            .map_err(|e| format!("cannot run make: {e}"))?;
        if !made.status.success() {
            return Err(format!(
                "make -C tests/interop/purple failed ({}):\n{}{}",
                made.status,
                String::from_utf8_lossy(&made.stdout),
                String::from_utf8_lossy(&made.stderr)
            ));
        }
        let bin = out.join("rvp-purple-host");
        // Loads libpurple and librvp, prints `EVENT ready`, exits at the end of stdin.
        let probe = Command::new(&bin)
            .args(["--account", "probe@localhost", "-q", "--deadline", "20"])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
        let stdout = String::from_utf8_lossy(&probe.stdout);
        if !stdout.contains("EVENT ready") {
            return Err(format!(
                "{} cannot load librvp ({}): {stdout}",
                bin.display(),
                probe.status
            ));
        }
        Ok(bin)
    });
    match result {
        Ok(p) => Some(p.clone()),
        Err(e) if under_ci() => panic!(
            "librvp interop host unavailable under CI (scripts/install-deps installs gcc, pkg-config, libpurple-dev, libgcrypt20-dev, pidgin-librvp): {e}"
        ),
        Err(e) => {
            eprintln!(
                "\n\n*** SKIPPING librvp interop test: {e}\n*** run scripts/install-deps (CI=true makes this a failure)\n"
            );
            None
        }
    }
}

/// The `rvp-server` binary on a free loopback port, domain `localhost`.
pub(crate) struct Server {
    child: Child,
    pub(crate) port: u16,
    pub(crate) dir: TempDir,
    log: PathBuf,
}

impl Server {
    /// Starts the server; `extra` is appended to the configuration (TOML tables).
    /// Creates `alice` and `bob` with the `user add` command.
    pub(crate) fn start(name: &str, extra: &str) -> Self {
        let dir = TempDir::new(name);
        let config = dir.0.join("rvp-server.toml");
        std::fs::write(
            &config,
            format!(
                "listen = [\"127.0.0.1:0\"]\ndata-dir = \"{}\"\n\n[[domain]]\nname = \"localhost\"\n\n{extra}",
                dir.0.join("data").display()
            ),
        )
        .unwrap();
        for (alias, password) in [("alice", ALICE_PASSWORD), ("bob", BOB_PASSWORD)] {
            assert!(
                !ha1_has_zero(alias, password),
                "librvp cannot log in as {alias} with this password (HA1 has a zero byte)"
            );
            let out = Command::new(env!("CARGO_BIN_EXE_rvp-server"))
                .arg("--config")
                .arg(&config)
                .args(["user", "add", &format!("{alias}@localhost")])
                .args(["--password-env", "RVP_TEST_PASSWORD"])
                .env("RVP_TEST_PASSWORD", password)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "user add {alias}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let log = dir.0.join("server.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_rvp-server"))
            .arg("--config")
            .arg(&config)
            .arg("-v")
            .env("RUST_LOG_STYLE", "never")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        // The banner's first line names the port: "rvp-server 0.1.0 listening on 127.0.0.1:PORT".
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!(
                    "no banner from rvp-server: {line:?}\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            });
        // Keep draining the banner so the server never blocks on stdout.
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut stdout, &mut std::io::sink());
        });
        Self {
            child,
            port,
            dir,
            log,
        }
    }

    /// The server's log so far (ANSI colours removed).
    pub(crate) fn log(&self) -> String {
        strip_ansi(&std::fs::read_to_string(&self.log).unwrap_or_default())
    }

    /// Waits until the log has a line containing every one of `needles`.
    pub(crate) fn expect_log(&self, needles: &[&str], timeout: Duration) -> String {
        let end = Instant::now() + timeout;
        loop {
            if let Some(l) = self
                .log()
                .lines()
                .find(|l| needles.iter().all(|n| l.contains(n)))
            {
                return l.to_owned();
            }
            assert!(
                Instant::now() < end,
                "the server log has no line with {needles:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the log has at least `n` lines containing every one of `needles`.
    pub(crate) fn expect_log_count(&self, needles: &[&str], n: usize, timeout: Duration) {
        let end = Instant::now() + timeout;
        loop {
            let seen = self.count_log(needles);
            if seen >= n {
                return;
            }
            assert!(
                Instant::now() < end,
                "the server log has {seen} lines with {needles:?}, expected {n}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Lines of the log containing every one of `needles`.
    pub(crate) fn count_log(&self, needles: &[&str]) -> usize {
        self.log()
            .lines()
            .filter(|l| needles.iter().all(|n| l.contains(n)))
            .count()
    }

    /// A librvp account `ALIAS@localhost` routed to this server, logged in (waits for
    /// `signed-on`).
    pub(crate) fn login(&self, alias: &str) -> Option<Host> {
        let password = match alias {
            "alice" => ALICE_PASSWORD,
            "bob" => BOB_PASSWORD,
            _ => "",
        };
        let mut host = self.host(alias, password)?;
        host.send("login");
        host.expect("signed-on", Duration::from_secs(20));
        Some(host)
    }

    /// A librvp account process, not yet logged in.
    pub(crate) fn host(&self, alias: &str, password: &str) -> Option<Host> {
        Host::spawn(&host_binary()?, alias, password, self.port, &self.dir.0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() || std::env::var_os("RVP_KEEP_LOGS").is_some() {
            eprintln!("===== rvp-server log =====\n{}", self.log());
        }
    }
}

fn ha1_has_zero(alias: &str, password: &str) -> bool {
    use md5::{Digest, Md5};
    Md5::digest(format!("{alias}:localhost:{password}")).contains(&0)
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// One event line from the host: its name and decoded fields.
#[derive(Clone, Debug)]
pub(crate) struct Event {
    pub(crate) line: String,
    pub(crate) fields: Vec<Vec<u8>>,
}

impl Event {
    /// Field `i` (0 is the event name) as lossy text.
    pub(crate) fn text(&self, i: usize) -> String {
        String::from_utf8_lossy(self.fields.get(i).map_or(&[][..], |f| f)).into_owned()
    }
}

/// Decodes one escaped field of the host's output.
fn unescape(field: &str) -> Vec<u8> {
    if field == "-" {
        return Vec::new();
    }
    let b = field.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && b.get(i + 1) == Some(&b'\\') {
            out.push(b'\\');
            i += 2;
        } else if b[i] == b'\\' && b.get(i + 1) == Some(&b'x') && i + 4 <= b.len() {
            out.push(u8::from_str_radix(&field[i + 2..i + 4], 16).unwrap());
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// Escapes TEXT for the host's `send` command.
pub(crate) fn escape(text: &[u8]) -> String {
    let mut s = String::new();
    for &b in text {
        match b {
            b'\\' => s.push_str("\\\\"),
            0x21..=0x7e => s.push(b as char),
            _ => write!(s, "\\x{b:02x}").unwrap(),
        }
    }
    s
}

/// A `rvp-purple-host` process: commands in, events out.
pub(crate) struct Host {
    pub(crate) name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    events: Receiver<String>,
    history: Vec<Event>,
    cursor: usize,
    debug: PathBuf,
}

impl Host {
    fn spawn(bin: &Path, alias: &str, password: &str, port: u16, dir: &Path) -> Option<Self> {
        let debug = dir.join(format!("{alias}-librvp.log"));
        let mut child = Command::new(bin)
            .args(["--account", &format!("{alias}@localhost")])
            .args(["--route", &format!("127.0.0.1:{port}")])
            .args(["--deadline", &HOST_DEADLINE_SECS.to_string()])
            .args(["--password-env", "RVP_TEST_PASSWORD", "-q"])
            .arg("--debug-file")
            .arg(&debug)
            .env("RVP_TEST_PASSWORD", password)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, events) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut host = Self {
            name: alias.to_owned(),
            stdin: child.stdin.take(),
            child,
            events,
            history: Vec::new(),
            cursor: 0,
            debug,
        };
        host.expect("ready", Duration::from_secs(20));
        Some(host)
    }

    /// Sends one command line.
    pub(crate) fn send(&mut self, command: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{command}").expect("the host is gone (crashed?)");
        stdin.flush().unwrap();
    }

    /// Next event (after the last one matched) whose line starts with `EVENT prefix`
    /// (whole fields); fails after `timeout`.
    pub(crate) fn expect(&mut self, prefix: &str, timeout: Duration) -> Event {
        match self.wait_for(prefix, timeout) {
            Some(e) => e,
            None => panic!(
                "{}: no `{prefix}` within {timeout:?}; events:\n{}",
                self.name,
                self.transcript()
            ),
        }
    }

    /// Like [`expect`](Self::expect), `None` on timeout.
    pub(crate) fn wait_for(&mut self, prefix: &str, timeout: Duration) -> Option<Event> {
        let want = format!("EVENT {prefix}");
        let matches = |line: &str| {
            line == want
                || (line.starts_with(&want) && line.as_bytes().get(want.len()) == Some(&b' '))
        };
        let end = Instant::now() + timeout;
        loop {
            if let Some(i) = self.history[self.cursor..]
                .iter()
                .position(|e| matches(&e.line))
            {
                self.cursor += i + 1;
                return Some(self.history[self.cursor - 1].clone());
            }
            let left = end.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(line) => self.record(line),
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => {
                    // The host exited: a crash fails here, else nothing more will come.
                    let status = self.child.wait().unwrap();
                    self.check_status(status);
                    return None;
                }
            }
        }
    }

    /// Fails if an event starting with `prefix` arrives (or arrived since the cursor)
    /// within `period`.
    pub(crate) fn expect_none(&mut self, prefix: &str, period: Duration) {
        let cursor = self.cursor;
        if let Some(e) = self.wait_for(prefix, period) {
            panic!(
                "{}: unexpected `{}`; events:\n{}",
                self.name,
                e.line,
                self.transcript()
            );
        }
        self.cursor = cursor;
    }

    fn record(&mut self, line: String) {
        let fields = line.split(' ').skip(1).map(unescape).collect();
        self.history.push(Event { line, fields });
    }

    fn check_status(&self, status: ExitStatus) {
        if let Some(signal) = status.signal() {
            panic!(
                "{}: librvp crashed (signal {signal}); events:\n{}",
                self.name,
                self.transcript()
            );
        }
    }

    fn transcript(&self) -> String {
        let mut s = String::new();
        for (i, e) in self.history.iter().enumerate() {
            let mark = if i + 1 == self.cursor {
                " <- last match"
            } else {
                ""
            };
            writeln!(s, "  {}{mark}", e.line).unwrap();
        }
        s
    }

    /// Ends the process with `quit` (no sign-off) and checks it exited normally.
    pub(crate) fn quit(mut self) {
        self.finish("quit");
    }

    /// Logs out (librvp's logout sequence), then quits.
    ///
    /// librvp's logout busy-waits until its self UNSUBSCRIBE shows up in its table of
    /// pending requests, but it looks only when no GLib event is pending, and the 401
    /// exchange replaces the entry: when the 401 comes back at once (loopback) it
    /// misses that window and spins forever (a client bug, README of
    /// tests/interop/purple). The server ends the login at that UNSUBSCRIBE, so what
    /// watchers see is still checked by the scenarios; the stuck host is killed here.
    pub(crate) fn logout(mut self) {
        self.send("logout");
        if self
            .wait_for("signed-off", Duration::from_secs(6))
            .is_some()
        {
            self.finish("quit");
        } else {
            eprintln!(
                "note: {}: librvp's logout busy-wait did not end (known client bug); host killed",
                self.name
            );
            let _ = self.child.kill();
            let status = self.child.wait().unwrap();
            assert_eq!(status.signal(), Some(9), "{}: {status}", self.name);
        }
    }

    fn finish(&mut self, command: &str) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = writeln!(stdin, "{command}");
        }
        let end = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                self.check_status(status);
                // Collect the rest of the events for the record.
                while let Ok(line) = self.events.try_recv() {
                    self.record(line);
                }
                assert!(
                    status.code() == Some(0),
                    "{}: host exited with {status}; events:\n{}",
                    self.name,
                    self.transcript()
                );
                return;
            }
            assert!(
                Instant::now() < end,
                "{}: host did not exit; events:\n{}",
                self.name,
                self.transcript()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
        if std::thread::panicking() || std::env::var_os("RVP_KEEP_LOGS").is_some() {
            while let Ok(line) = self.events.try_recv() {
                self.record(line);
            }
            let mut debug = String::new();
            if let Ok(mut f) = std::fs::File::open(&self.debug) {
                let mut bytes = Vec::new();
                let _ = f.read_to_end(&mut bytes);
                debug = String::from_utf8_lossy(&bytes).into_owned();
            }
            let tail: Vec<&str> = debug.lines().rev().take(80).collect();
            eprintln!(
                "===== {} events =====\n{}===== {} librvp debug log (last 80 lines; all in {}) =====\n{}",
                self.name,
                self.transcript(),
                self.name,
                self.debug.display(),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
    }
}
