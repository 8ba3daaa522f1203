//! The interactive `rvp login`, driven as a person would, through a
//! pseudo-terminal (tmux). Without tmux the test fails under CI
//! (`CI=true`; `scripts/install-deps` installs it) and is skipped, loudly,
//! elsewhere.

use std::process::Command;
use std::time::{Duration, Instant};

use rvp_client::{Event, PresenceState};

use crate::support::*;

/// A tmux session on a private socket, killed on drop.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(command: &str) -> Option<Self> {
        let socket = format!("rvp-client-it-{}-{}", std::process::id(), rand_suffix());
        let ok = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "new-session",
                "-d",
                "-x",
                "200",
                "-y",
                "50",
                command,
            ])
            .status()
            .ok()?
            .success();
        ok.then_some(Self { socket })
    }

    fn keys(&self, text: &str) {
        let s = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "0", "-l", text])
            .status()
            .unwrap();
        assert!(s.success());
        Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "0", "Enter"])
            .status()
            .unwrap();
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args([
                "-L",
                &self.socket,
                "capture-pane",
                "-p",
                "-t",
                "0",
                "-S",
                "-100",
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `needle`.
    async fn shows(&self, needle: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no {needle:?} on screen:\n{screen}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
}

#[tokio::test]
async fn interactive_login_message_exchange_and_status_change() {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(
            std::env::var("CI").is_err(),
            "tmux is not installed (scripts/install-deps installs it)"
        );
        eprintln!("tmux not installed: SKIPPED (install it, e.g. scripts/install-deps)");
        return;
    }
    let server = TestServer::start(users(&["alice", "bob"])).await;
    let (bob, mut bob_events) = login("bob", server.addr).await;
    let dir = TempDir::new();
    let command = format!(
        "{} --server {} --contacts-dir {} login alice@example.com",
        env!("CARGO_BIN_EXE_rvp"),
        server.addr,
        dir.0.display()
    );
    let Some(tty) = Tmux::start(&command) else {
        panic!("tmux is installed but cannot start a session");
    };
    // The password prompt, not echoed.
    tty.shows("Password for alice@example.com:").await;
    tty.keys(&password("alice"));
    tty.shows("logged in as alice@example.com").await;
    assert!(!tty.screen().contains(&password("alice")));

    tty.keys("/add bob");
    tty.shows("added bob@example.com (Online)").await;
    bob.add_contact(&addr("alice")).await.unwrap();

    // A status change, seen by Bob.
    tty.keys("/status busy");
    tty.shows("you are now Busy").await;
    bob_events
        .until(|e| {
            matches!(e, Event::Presence { state: PresenceState::Busy, contact } if contact.address == Some(addr("alice")))
                .then_some(())
        })
        .await;

    // Messages both ways.
    tty.keys("/msg bob Hello Bob");
    let conv = bob_events
        .until(|e| match e {
            Event::Message {
                text, session_id, ..
            } if text == "Hello Bob" => Some(session_id.clone()),
            _ => None,
        })
        .await;
    let reply = rvp_client::Conversation::with_id(conv, vec![addr("alice")]);
    assert!(bob.send_text(&reply, "Hi Alice").await[0].result.is_ok());
    tty.shows("bob@example.com: Hi Alice").await;
    tty.keys("and a second line");
    bob_events
        .until(|e| {
            matches!(e, Event::Message { text, .. } if text == "and a second line").then_some(())
        })
        .await;

    // Quitting logs off: Bob sees Alice go offline.
    tty.keys("/quit");
    bob_events
        .until(|e| {
            matches!(e, Event::Presence { state: PresenceState::Offline, contact } if contact.address == Some(addr("alice")))
                .then_some(())
        })
        .await;
}
