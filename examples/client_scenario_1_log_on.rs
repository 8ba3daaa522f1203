//! White paper scenario 1, logging on: the login subscription with a
//! callback, the leased online state, PROPFIND of one's own properties,
//! SUBSCRIPTIONS and the ACL read, each answered after a Digest challenge.
//!
//! Run: `cargo run --example client_scenario_1_log_on`
#![allow(clippy::print_stdout)]
#[path = "common/mod.rs"]
mod common;
use common::*;

#[tokio::main]
async fn main() -> Result {
    show_traffic();
    let server = server().await?;
    let (alice, _events) = login("alice", server).await?;
    println!("== logged on; callback at {:?}", alice.callback_url());
    println!("== own properties: {:?}", alice.properties().await?);
    alice.logoff().await?;
    Ok(())
}
