//! Sending one message from a script: log on, send, report per recipient,
//! log off, exit status 1 when someone did not get it (a recipient who
//! is not logged on gets `412`). The `rvp send` command does the same.
//!
//! Run: `cargo run --example client_send_from_script`
#![allow(clippy::print_stdout)]
#[path = "common/mod.rs"]
mod common;
use common::*;

use std::process::ExitCode;

#[tokio::main]
async fn main() -> Result<ExitCode> {
    show_traffic();
    let server = server().await?;
    let (_bob, _bob_events) = login("bob", server).await?;
    let (_carol, _carol_events) = login("carol", server).await?;
    let (alice, _events) = login("alice", server).await?;
    let chat = alice.conversation(vec![addr("bob")?, addr("carol")?]);
    let reports = alice.send_text(&chat, "The build is green.").await;
    alice.logoff().await?;
    let mut code = ExitCode::SUCCESS;
    for r in reports {
        match r.result {
            Ok(()) => println!("== delivered to {}", r.to),
            Err((status, why)) => {
                println!("== NOT delivered to {}: {why} ({status:?})", r.to);
                code = ExitCode::FAILURE;
            }
        }
    }
    Ok(code)
}
