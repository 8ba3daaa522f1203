//! White paper scenario 5, a presence change: Bob sets busy (a leased
//! PROPPATCH); Alice, who watches him, receives a propnotification.
//!
//! Run: `cargo run --example client_scenario_5_presence_change`
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
    println!("== bob is now busy");
    bob.set_state(PresenceState::Busy).await?;
    let seen = wait_for(&mut events, |e| {
        matches!(
            e,
            Event::Presence {
                state: PresenceState::Busy,
                ..
            }
        )
    })
    .await?;
    println!("== alice sees: {seen:?}");
    bob.logoff().await?;
    alice.logoff().await?;
    Ok(())
}
