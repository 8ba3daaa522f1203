//! White paper scenario 2, adding a contact: an update/propchange
//! SUBSCRIBE with the client's logical URL as Call-Back; the 207 answer
//! carries the contact's current state.
//!
//! Run: `cargo run --example client_scenario_2_add_contact`
#![allow(clippy::print_stdout)]
#[path = "common/mod.rs"]
mod common;
use common::*;

#[tokio::main]
async fn main() -> Result {
    show_traffic();
    let server = server().await?;
    let (alice, _events) = login("alice", server).await?;
    println!("== alice adds bob");
    let state = alice.add_contact(&addr("bob")?).await?;
    println!("== bob is {state:?}");
    alice.logoff().await?;
    Ok(())
}
