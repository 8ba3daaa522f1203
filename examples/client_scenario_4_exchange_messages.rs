//! White paper scenario 4, exchanging instant messages: NOTIFY with
//! RVP-Ack-Type DeepOr, a text/plain payload with X-MMS-IM-Format and a
//! Session-Id that the answer reuses.
//!
//! Run: `cargo run --example client_scenario_4_exchange_messages`
#![allow(clippy::print_stdout)]
#[path = "common/mod.rs"]
mod common;
use common::*;

use rvp_client::{Conversation, Event};

#[tokio::main]
async fn main() -> Result {
    show_traffic();
    let server = server().await?;
    let (alice, mut alice_events) = login("alice", server).await?;
    let (bob, mut bob_events) = login("bob", server).await?;
    let chat = alice.conversation(vec![addr("bob")?]);
    println!("== alice types, then writes to bob");
    alice.send_typing(&chat).await;
    alice.send_text(&chat, "Hello Bob, lunch at noon?").await;
    let Event::Message {
        from,
        text,
        session_id,
        ..
    } = wait_for(&mut bob_events, |e| matches!(e, Event::Message { .. })).await?
    else {
        unreachable!()
    };
    println!("== bob got {text:?} from {from} in {session_id}");
    let reply = Conversation::with_id(session_id, vec![addr("alice")?]);
    bob.send_text(&reply, "Sure!").await;
    let answer = wait_for(&mut alice_events, |e| matches!(e, Event::Message { .. })).await?;
    println!("== alice got {answer:?}");
    bob.logoff().await?;
    alice.logoff().await?;
    Ok(())
}
