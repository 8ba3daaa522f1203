//! White paper scenario 6, idle: after a while without input the client
//! sets away (10 minutes in Exchange IM; 2 seconds here), and back to
//! online at the next input.
//!
//! Run: `cargo run --example client_scenario_6_idle`
#![allow(clippy::print_stdout)]
#[path = "common/mod.rs"]
mod common;
use common::*;

use std::time::Duration;

use rvp_client::{Client, Config, Event, PresenceState};

#[tokio::main]
async fn main() -> Result {
    show_traffic();
    let server = server().await?;
    let mut config = Config::new(addr("alice")?, "alice-pw");
    config.server = Some(server.to_string());
    config.idle_after = Some(Duration::from_secs(2));
    let (alice, mut events) = Client::new(config).login().await?;
    println!("== alice does nothing for 2 s");
    let e = wait_for(&mut events, |e| {
        matches!(
            e,
            Event::OwnState {
                state: PresenceState::Away
            }
        )
    })
    .await?;
    println!("== {e:?}");
    println!("== alice touches the keyboard");
    alice.activity();
    let e = wait_for(&mut events, |e| {
        matches!(
            e,
            Event::OwnState {
                state: PresenceState::Online
            }
        )
    })
    .await?;
    println!("== {e:?}");
    alice.logoff().await?;
    Ok(())
}
