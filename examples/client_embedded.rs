//! Embedding the client in another program: a bot that answers every
//! message it gets by echoing it, driven by the event channel. Bob talks
//! to it twice, then both log off.
//!
//! Run: `cargo run --example client_embedded`
#![allow(clippy::print_stdout)]
#[path = "common/mod.rs"]
mod common;
use common::*;

use rvp_client::{Conversation, Event, Session};
use tokio::sync::mpsc;

/// The embedding program's loop: react to events until the channel ends.
async fn echo_bot(session: Session, mut events: mpsc::Receiver<Event>) {
    while let Some(event) = events.recv().await {
        if let Event::Message {
            from,
            text,
            session_id,
            ..
        } = event
            && let Some(who) = from.address
        {
            let conv = Conversation::with_id(session_id, vec![who]);
            session.send_text(&conv, &format!("echo: {text}")).await;
        }
    }
}

#[tokio::main]
async fn main() -> Result {
    show_traffic();
    let server = server().await?;
    let (bot, bot_events) = login("alice", server).await?;
    let bot_task = tokio::spawn(echo_bot(bot.clone(), bot_events));
    let (bob, mut bob_events) = login("bob", server).await?;
    let chat = bob.conversation(vec![addr("alice")?]);
    for line in ["ping", "are you a bot?"] {
        bob.send_text(&chat, line).await;
        let answer = wait_for(&mut bob_events, |e| matches!(e, Event::Message { .. })).await?;
        println!("== bob got {answer:?}");
    }
    bob.logoff().await?;
    bot.logoff().await?;
    bot_task.abort();
    Ok(())
}
