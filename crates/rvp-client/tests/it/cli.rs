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
