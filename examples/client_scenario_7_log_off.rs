//! White paper scenario 7, logging off: UNSUBSCRIBE of every contact,
//! PROPPATCH offline, UNSUBSCRIBE of the login; watchers see offline.
//!
//! Run: `cargo run --example client_scenario_7_log_off`
#![allow(clippy::print_stdout)]
#[path = "common/mod.rs"]
mod common;
use common::*;

use rvp_client::{Event, PresenceState};

#[tokio::main]
async fn main() -> Result {
    show_traffic();
    let server = server().await?;
    let (alice, mut events) = login("alice", server).await?;
    let (bob, _bob_events) = login("bob", server).await?;
    alice.add_contact(&addr("bob")?).await?;
    bob.add_contact(&addr("alice")?).await?;
    println!("== bob logs off");
    bob.logoff().await?;
    let seen = wait_for(&mut events, |e| {
        matches!(
            e,
            Event::Presence {
                state: PresenceState::Offline,
                ..
            }
        )
    })
    .await?;
    println!("== alice sees: {seen:?}");
    alice.logoff().await?;
    Ok(())
}
