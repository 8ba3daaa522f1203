//! The `rvp` binary, driven as a script would.

use std::process::{Command, Output};

use rvp_client::Event;

use crate::support::*;

async fn rvp(alias: &str, server: std::net::SocketAddr, args: &[&str]) -> Output {
    let dir = TempDir::new();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rvp"));
    cmd.arg("--server")
        .arg(server.to_string())
        .arg("--contacts-dir")
        .arg(&dir.0)
        .args(args)
        .env("RVP_PASSWORD", password(alias));
    tokio::task::spawn_blocking(move || {
        let out = cmd.output().unwrap();
        drop(dir);
        out
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn rvp_send_delivers_and_reports_failures_in_its_exit_status() {
    let server = TestServer::start(users(&["alice", "bob", "dave"])).await;
    let (_bob, mut bob_events) = login("bob", server.addr).await;
    let out = rvp(
        "alice",
        server.addr,
        &[
            "send",
            "alice@example.com",
            "--to",
            "bob@example.com",
            "hello",
            "from",
            "a",
            "script",
        ],
    )
    .await;
    assert!(out.status.success(), "{out:?}");
    bob_events
        .until(|e| {
            matches!(e, Event::Message { text, .. } if text == "hello from a script").then_some(())
        })
        .await;

    let out = rvp(
        "alice",
        server.addr,
        &[
            "send",
            "alice@example.com",
            "--to",
            "dave@example.com",
            "anyone?",
        ],
    )
    .await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not delivered to dave@example.com"), "{err}");
}

#[tokio::test]
async fn rvp_status_prints_presence() {
    let server = TestServer::start(users(&["alice", "bob"])).await;
    let (bob, _b) = login("bob", server.addr).await;
    bob.set_state(rvp_client::PresenceState::Busy)
        .await
        .unwrap();
    let out = rvp(
        "alice",
        server.addr,
        &["status", "alice@example.com", "bob@example.com"],
    )
    .await;
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "bob@example.com busy\n"
    );
}

#[tokio::test]
async fn wrong_password_is_a_clear_error() {
    let server = TestServer::start(users(&["alice", "bob"])).await;
    let out = rvp("bob", server.addr, &["contacts", "alice@example.com"]).await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("wrong user name or password"), "{err}");
}

#[tokio::test]
async fn rvp_watch_prints_events_as_json_lines() {
    use std::io::BufRead;
    let server = TestServer::start(users(&["alice", "bob"])).await;
    let dir = TempDir::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rvp"))
        .arg("--server")
        .arg(server.addr.to_string())
        .arg("--contacts-dir")
        .arg(&dir.0)
        .args(["watch", "bob@example.com", "--json"])
        .env("RVP_PASSWORD", password("bob"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let (alice, _a) = login("alice", server.addr).await;
    let chat = alice.conversation(vec![addr("bob")]);
    // Until the watcher has logged in, the message is refused (412).
    let deadline = std::time::Instant::now() + WAIT;
    while alice.send_text(&chat, "to the script").await[0]
        .result
        .is_err()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "rvp watch never logged in"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let line = tokio::time::timeout(WAIT, async {
        loop {
            let l = rx.recv().await.expect("rvp watch output");
            if l.contains("\"message\"") {
                return l;
            }
        }
    })
    .await
    .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.starts_with("{\"event\":\"message\",\"from\":\"alice@example.com\""),
        "{line}"
    );
    assert!(
        line.ends_with(&format!(
            "\"session\":\"{}\",\"text\":\"to the script\"}}",
            chat.id
        )),
        "{line}"
    );
}
