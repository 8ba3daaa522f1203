//! The built `rvp-server` binary: user commands, --check-config, the embedded default
//! run with no arguments, a configured run with logins, graceful shutdown on SIGINT and
//! SIGTERM telling watchers, and the verbosity flags.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::*;

const BIN: &str = env!("CARGO_BIN_EXE_rvp-server");

fn run(dir: &TempDir, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .current_dir(&dir.0)
        .env("PW", "secret-pw")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn check_config_on_the_embedded_default_writes_nothing() {
    let dir = TempDir::new();
    let out = run(&dir, &["--check-config"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("3 principals (the demo directory, created at"),
        "{text}"
    );
    assert!(text.contains("listen 127.0.0.1:8080"), "{text}");
    assert!(!dir.0.join("rvp-data").exists(), "a check writes nothing");
}

/// Spawns the binary with `args` in `dir` and reads its banner up to the last line.
fn spawn_with_banner(dir: &TempDir, args: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(&dir.0)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    while !banner.contains("stop with Ctrl-C") {
        let before = banner.len();
        out.read_line(&mut banner).unwrap();
        assert!(banner.len() > before, "the banner ended early: {banner}");
    }
    (child, banner)
}

/// Sends `signal` to `child`, waits (at most 20 s) for it to exit successfully and
/// returns what it logged.
async fn stop(mut child: std::process::Child, signal: &str) -> String {
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            assert!(s.success(), "{s:?}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server did not stop"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut log = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut log).unwrap();
    log
}

/// The password the banner prints for `alias`.
fn banner_password(banner: &str, alias: &str) -> Option<String> {
    let line = banner
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{alias}@localhost")))?;
    Some(line.split("password: ").nth(1)?.trim().to_owned())
}

/// `rvp-server` with no arguments: the embedded default on 127.0.0.1:8080 (this test
/// needs that port free), demo users whose banner passwords log in, Ctrl-C (SIGINT)
/// stops it telling watchers; a changed demo password is no longer printed.
#[tokio::test]
async fn no_arguments_serve_the_demo_directory_until_sigint() {
    let dir = TempDir::new();
    let (child, banner) = spawn_with_banner(&dir, &[]);
    assert!(banner.contains("listening on 127.0.0.1:8080"), "{banner}");
    assert!(banner.contains("IM domains: localhost"), "{banner}");
    assert!(
        banner.contains("connect an RVP client to 127.0.0.1:8080 as alice@localhost"),
        "{banner}"
    );
    let addr = "127.0.0.1:8080".parse().unwrap();
    let mut alice = Peer::new("alice", "localhost", addr);
    let mut bob = Peer::new("bob", "localhost", addr);
    alice.password = banner_password(&banner, "alice").expect("alice's password");
    bob.password = banner_password(&banner, "bob").expect("bob's password");
    assert!(banner_password(&banner, "carol").is_some(), "{banner}");
    let alice_cb = Listener::start().await;
    let mut bob_cb = Listener::start().await;
    bob.login(&bob_cb.url).await;
    assert_eq!(bob.watch("alice").await.status, 207);
    alice.login(&alice_cb.url).await;
    bob_cb.next_with("<r:online/>").await;
    let log = stop(child, "-INT").await;
    bob_cb.next_with("<r:offline/>").await;
    assert!(log.contains("shutdown requested"), "{log}");

    let file = std::fs::read_to_string(dir.0.join("rvp-data/directory.toml")).unwrap();
    assert!(
        !file.contains(&alice.password),
        "no plain-text password on disk"
    );
    let listed = run(&dir, &["user", "list"]);
    let text = String::from_utf8_lossy(&listed.stdout);
    for u in ["alice@localhost", "bob@localhost", "carol@localhost"] {
        assert!(text.contains(u), "{text}");
    }
    let changed = run(
        &dir,
        &["user", "passwd", "alice@localhost", "--password-env", "PW"],
    );
    assert!(changed.status.success(), "{changed:?}");
    let (child, banner) = spawn_with_banner(&dir, &[]);
    stop(child, "-INT").await;
    assert!(
        banner.contains("alice@localhost  password: (changed)"),
        "{banner}"
    );
    assert_eq!(banner_password(&banner, "bob"), Some(bob.password.clone()));
}

/// `-q` leaves only warnings and errors on stderr; `-vv` adds debug and trace events.
#[tokio::test]
async fn verbosity_flags_select_the_log_level() {
    let dir = TempDir::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        dir.0.join("rvp.toml"),
        format!("listen = [\"127.0.0.1:{port}\"]\n"),
    )
    .unwrap();
    let (child, _) = spawn_with_banner(&dir, &["--config", "rvp.toml", "-q"]);
    let quiet = stop(child, "-TERM").await;
    assert!(!quiet.contains("INFO"), "{quiet}");
    assert!(!quiet.contains("shutdown requested"), "{quiet}");
    let (child, _) = spawn_with_banner(&dir, &["--config", "rvp.toml"]);
    let normal = stop(child, "-TERM").await;
    assert!(normal.contains("shutdown requested"), "{normal}");
    assert!(!normal.contains("DEBUG"), "{normal}");
    let (child, _) = spawn_with_banner(&dir, &["--config", "rvp.toml", "-vv"]);
    let addr = format!("127.0.0.1:{port}").parse().unwrap();
    // Every answer is logged at debug level.
    assert_eq!(
        raw(addr, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await.status,
        501
    );
    let verbose = stop(child, "-TERM").await;
    assert!(verbose.contains("DEBUG"), "{verbose}");
    assert!(verbose.contains("answered"), "{verbose}");
}

#[test]
fn bad_configuration_is_reported() {
    let dir = TempDir::new();
    std::fs::write(dir.0.join("bad.toml"), "lisen = 1\n").unwrap();
    let out = run(&dir, &["--config", "bad.toml", "--check-config"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("lisen"));
}

#[tokio::test]
async fn serves_and_shuts_down_gracefully() {
    let dir = TempDir::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = format!(
        "listen = [\"127.0.0.1:{port}\"]\ndata-dir = \"data\"\n[[domain]]\nname = \"example.com\"\n"
    );
    std::fs::write(dir.0.join("rvp.toml"), config).unwrap();
    for user in ["alice", "bob"] {
        let out = Command::new(BIN)
            .args([
                "--config",
                "rvp.toml",
                "user",
                "add",
                &format!("{user}@example.com"),
                "--password-env",
                "PW",
            ])
            .current_dir(&dir.0)
            .env("PW", password(user))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }
    let out = run(&dir, &["--config", "rvp.toml", "--check-config"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("2 principals"),
        "{out:?}"
    );

    let (child, banner) = spawn_with_banner(&dir, &["--config", "rvp.toml"]);
    assert!(
        banner.contains(&format!("listening on 127.0.0.1:{port}")),
        "{banner}"
    );
    assert!(!banner.contains("demo users"), "{banner}");
    let addr = format!("127.0.0.1:{port}").parse().unwrap();

    let alice = Peer::new("alice", "example.com", addr);
    let bob = Peer::new("bob", "example.com", addr);
    let alice_cb = Listener::start().await;
    let mut bob_cb = Listener::start().await;
    bob.login(&bob_cb.url).await;
    assert_eq!(bob.watch("alice").await.status, 207);
    alice.login(&alice_cb.url).await;
    bob_cb.next_with("<r:online/>").await;

    let log = stop(child, "-TERM").await;
    // Watchers are told that the hosted principals went offline.
    bob_cb.next_with("<r:offline/>").await;
    assert!(log.contains("shutdown requested"), "{log}");
}
