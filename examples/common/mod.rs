//! Shared by the client examples: a reference server on loopback with a few
//! users, and a log that prints the RVP traffic the client causes.
#![allow(dead_code, unreachable_pub, clippy::print_stdout)]

use std::net::SocketAddr;
use std::sync::Arc;

use rvp_client::{Client, Config, Event, Session};
use rvp_server::directory::{MemoryDirectory, NewPrincipal, PrincipalEntry};
use tokio::sync::mpsc;

pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Prints every request and answer of the clients (headers and bodies).
pub fn show_traffic() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "rvp_client::traffic=trace",
        ))
        .without_time()
        .with_target(false)
        .with_level(false)
        .init();
}

/// Starts a reference server on a loopback port with users alice, bob and
/// carol of example.com (password: `<alias>-pw`); it runs until the program
/// ends.
pub async fn server() -> Result<SocketAddr> {
    let dir = MemoryDirectory::new();
    for alias in ["alice", "bob", "carol"] {
        let entry = NewPrincipal::new(alias, "example.com").display_name(alias.to_uppercase());
        dir.insert(PrincipalEntry::from_password(
            entry,
            &format!("{alias}-pw"),
        )?)?;
    }
    let data = std::env::temp_dir().join(format!("rvp-example-{}", std::process::id()));
    let mut config = rvp_server::Config::parse("[[domain]]\nname = \"example.com\"\n")?;
    config.listen = vec![SocketAddr::from(([127, 0, 0, 1], 0))];
    config.data_dir = data;
    let server = rvp_server::Server::bind(config, Arc::new(dir)).await?;
    let addr = server.local_addrs()[0];
    tokio::spawn(server.run_until(std::future::pending()));
    println!("== reference server on {addr}");
    Ok(addr)
}

/// Logs `alias@example.com` in to the server at `addr`.
pub async fn login(alias: &str, addr: SocketAddr) -> Result<(Session, mpsc::Receiver<Event>)> {
    let mut config = Config::new(
        format!("{alias}@example.com").parse()?,
        format!("{alias}-pw"),
    );
    config.server = Some(addr.to_string());
    println!("== {alias} logs on");
    Ok(Client::new(config).login().await?)
}

/// Waits for the first event `f` accepts.
pub async fn wait_for(
    events: &mut mpsc::Receiver<Event>,
    f: impl Fn(&Event) -> bool,
) -> Result<Event> {
    let wait = async {
        while let Some(e) = events.recv().await {
            if f(&e) {
                return Some(e);
            }
        }
        None
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), wait)
        .await?
        .ok_or_else(|| "the session ended".into())
}

/// `alias@example.com`.
pub fn addr(alias: &str) -> Result<rvp_client::Address> {
    Ok(format!("{alias}@example.com").parse()?)
}
