//! The built `rvp-server` binary: user commands, --check-config, a real run
//! with a login, and graceful shutdown on SIGTERM telling watchers.

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
fn embedded_default_creates_the_demo_directory() {
    let dir = TempDir::new();
    let out = run(&dir, &["--check-config"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("3 principals"), "{text}");
    assert!(dir.0.join("rvp-data/directory.toml").exists());
    let listed = run(&dir, &["user", "list"]);
    let text = String::from_utf8_lossy(&listed.stdout);
    for u in ["alice@localhost", "bob@localhost", "carol@localhost"] {
        assert!(text.contains(u), "{text}");
    }
    let file = std::fs::read_to_string(dir.0.join("rvp-data/directory.toml")).unwrap();
    assert!(
        !file.contains("alice-demo"),
        "no plain-text password on disk"
    );
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

    let mut child = Command::new(BIN)
        .args(["--config", "rvp.toml"])
        .current_dir(&dir.0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut banner = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    banner.read_line(&mut line).unwrap();
    assert!(
        line.contains(&format!("listening on 127.0.0.1:{port}")),
        "{line}"
    );
    let addr = format!("127.0.0.1:{port}").parse().unwrap();

    let alice = Peer::new("alice", "example.com", addr);
    let bob = Peer::new("bob", "example.com", addr);
    let alice_cb = Listener::start().await;
    let mut bob_cb = Listener::start().await;
    bob.login(&bob_cb.url).await;
    assert_eq!(bob.watch("alice").await.status, 207);
    alice.login(&alice_cb.url).await;
    bob_cb.next_with("<r:online/>").await;

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    // Watchers are told that the hosted principals went offline.
    bob_cb.next_with("<r:offline/>").await;
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
    assert!(log.contains("shutdown requested"), "{log}");
}
