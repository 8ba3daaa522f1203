//! White paper scenario 3, a contact logs on: Alice watches Bob; when Bob
//! logs on (PROPPATCH online), the server NOTIFYs Alice's callback.
//!
//! Run: `cargo run --example client_scenario_3_contact_logs_on`
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
    alice.add_contact(&addr("bob")?).await?;
    let (bob, _bob_events) = login("bob", server).await?;
    let bob_addr = addr("bob")?;
    let seen = wait_for(&mut events, |e| {
        matches!(e, Event::Presence { contact, state: PresenceState::Online } if contact.address.as_ref() == Some(&bob_addr))
    })
    .await?;
    println!("== alice sees: {seen:?}");
    bob.logoff().await?;
    alice.logoff().await?;
    Ok(())
}
