//! `rvp`: an RVP instant-messaging client for people and for scripts.
//!
//! ```text
//! rvp login alice@example.com              interactive line-mode session
//! rvp send alice@example.com --to bob@example.com "Hello Bob"
//! rvp status alice@example.com [bob@example.com ...]
//! rvp contacts alice@example.com [list | add X | remove X | block X | allow X]
//! rvp watch alice@example.com [--json] [--state busy]
//! ```
//! The password comes from `RVP_PASSWORD`, else a prompt (not echoed on a
//! terminal), else the first line of standard input.
// A command-line program prints on standard output by design.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use rvp_client::{
    Address, CallbackPort, Client, Config, Conversation, Delivery, DeliveryReport, Event,
    PresenceState, Session,
};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;

#[derive(Parser, Debug)]
#[command(name = "rvp", version, about = "RVP (Exchange 2000 IM) client")]
struct Cli {
    /// The server as host:port, instead of the _rvp._tcp SRV lookup.
    #[arg(long, global = true)]
    server: Option<String>,
    /// Poll the server every SECS seconds (1-3600) instead of listening for callbacks.
    #[arg(long, global = true, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    poll: Option<u64>,
    /// Callback port, or range "LOW-HIGH" (below 1025: random).
    #[arg(long, global = true)]
    port: Option<String>,
    /// Where contact lists are kept (default: ~/.config/rvp).
    #[arg(long, global = true)]
    contacts_dir: Option<PathBuf>,
    /// Verbose: print the RVP traffic on standard error.
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// An interactive session.
    Login {
        /// Your address, alias@domain.
        account: Address,
    },
    /// Sends one message and exits (status 1 if a recipient did not get it).
    Send {
        /// Your address.
        account: Address,
        /// A recipient (repeat for a multi-party message).
        #[arg(long, required = true)]
        to: Vec<Address>,
        /// The text.
        #[arg(required = true)]
        text: Vec<String>,
    },
    /// Prints the presence of contacts (default: your contact list).
    Status {
        /// Your address.
        account: Address,
        /// Whom to look at.
        contacts: Vec<Address>,
    },
    /// Lists or edits your contact list.
    Contacts {
        /// Your address.
        account: Address,
        /// list | add ADDRESS | remove ADDRESS | block ADDRESS | allow ADDRESS
        #[arg(default_value = "list")]
        action: String,
        /// The contact.
        contact: Option<Address>,
    },
    /// Stays logged in and prints every event until interrupted.
    Watch {
        /// Your address.
        account: Address,
        /// One JSON object a line instead of text.
        #[arg(long)]
        json: bool,
        /// The state to show while watching.
        #[arg(long, default_value = "online")]
        state: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = if cli.verbose {
        "rvp_client=debug"
    } else {
        "rvp_client=warn"
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("rvp: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("rvp: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn account_of(c: &Command) -> &Address {
    match c {
        Command::Login { account }
        | Command::Send { account, .. }
        | Command::Status { account, .. }
        | Command::Contacts { account, .. }
        | Command::Watch { account, .. } => account,
    }
}

fn password(account: &Address) -> Result<String> {
    if let Ok(p) = std::env::var("RVP_PASSWORD") {
        return Ok(p);
    }
    let stdin = std::io::stdin();
    let tty = stdin.is_terminal();
    if tty {
        eprint!("Password for {account}: ");
        let _ = std::io::stderr().flush();
        let _ = std::process::Command::new("stty").arg("-echo").status();
    }
    let mut line = String::new();
    let read = stdin.read_line(&mut line);
    if tty {
        let _ = std::process::Command::new("stty").arg("echo").status();
        eprintln!();
    }
    read?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn config(cli: &Cli) -> Result<Config> {
    let account = account_of(&cli.command).clone();
    let mut c = Config::new(account.clone(), password(&account)?);
    c.server = cli.server.clone();
    if let Some(secs) = cli.poll {
        c.delivery = Delivery::Polling {
            interval: Duration::from_secs(secs),
        };
    } else if let Some(p) = &cli.port {
        let port = |s: &str| {
            s.trim().parse::<u16>().map_err(|_| {
                format!("--port {p:?}: expected a port or a range LOW-HIGH, each 1-65535")
            })
        };
        c.delivery = Delivery::Callback(match p.split_once('-') {
            Some((lo, hi)) => CallbackPort::Range(port(lo)?, port(hi)?),
            None => CallbackPort::Fixed(port(p)?),
        });
    }
    c.contacts_dir = cli.contacts_dir.clone().or_else(|| {
        std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
            .map(|d| d.join("rvp"))
    });
    Ok(c)
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let config = config(&cli)?;
    let (session, events) = Client::new(config).login().await?;
    // The one-shot commands read no events: drain them, or the session's
    // background task and listener would wait for room in the channel.
    let (mut events, drain) = match cli.command {
        Command::Watch { .. } | Command::Login { .. } => (Some(events), None),
        _ => {
            let mut events = events;
            let task = tokio::spawn(async move { while events.recv().await.is_some() {} });
            (None, Some(task))
        }
    };
    let code = match cli.command {
        Command::Send { to, text, .. } => {
            let chat = session.conversation(to);
            let reports = session.send_text(&chat, &text.join(" ")).await;
            report_failures(&reports)
        }
        Command::Status { contacts, .. } => {
            let list = if contacts.is_empty() {
                session.contacts()?
            } else {
                contacts
            };
            let mut code = ExitCode::SUCCESS;
            for c in list {
                match session.add_contact_transient(&c).await {
                    Ok(Some(s)) => emit(&format!("{c} {}", s.token())),
                    Ok(None) => emit(&format!("{c} unknown")),
                    Err(e) => {
                        eprintln!("rvp: {c}: {e}");
                        code = ExitCode::FAILURE;
                        true
                    }
                };
            }
            code
        }
        Command::Contacts {
            action, contact, ..
        } => contacts(&session, &action, contact).await?,
        Command::Watch { json, state, .. } => {
            session
                .set_state(PresenceState::from_token(&state)?)
                .await?;
            if let Some(events) = events.take() {
                watch(events, json).await;
            }
            ExitCode::SUCCESS
        }
        Command::Login { .. } => {
            if let Some(events) = events.take() {
                interactive(&session, events).await;
            }
            ExitCode::SUCCESS
        }
    };
    // Done (a message may already be delivered): a failed logoff is worth a
    // warning, not a failure that makes a script send again.
    if let Err(e) = session.logoff().await {
        eprintln!("rvp: warning: logging off: {e}");
    }
    if let Some(task) = drain {
        task.abort();
    }
    Ok(code)
}

/// Writes one line to standard output; `false` when it is closed (a
/// reader like `head` went away), which ends the output quietly.
fn emit(line: &str) -> bool {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").and_then(|()| out.flush()).is_ok()
}

/// Text from the network made safe for a terminal: control characters
/// (escape sequences could rewrite the screen) become U+FFFD, line breaks
/// are kept, indented.
fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return s.into();
    }
    s.chars()
        .map(|c| match c {
            '\n' => "\n    ".to_owned(),
            '\t' => " ".to_owned(),
            '\r' => String::new(),
            c if c.is_control() => '\u{fffd}'.to_string(),
            c => c.to_string(),
        })
        .collect::<String>()
        .into()
}

fn report_failures(reports: &[DeliveryReport]) -> ExitCode {
    let mut ok = true;
    for r in reports {
        if let Err((status, reason)) = &r.result {
            ok = false;
            match status {
                Some(s) => eprintln!("rvp: not delivered to {}: {reason} ({s})", r.to),
                None => eprintln!("rvp: not delivered to {}: {reason}", r.to),
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

async fn contacts(session: &Session, action: &str, who: Option<Address>) -> Result<ExitCode> {
    let need = || who.clone().ok_or(format!("{action} needs an address"));
    match action {
        "list" => {
            for c in session.contacts()? {
                if !emit(&c.to_string()) {
                    break;
                }
            }
        }
        "add" => {
            let w = need()?;
            let s = session.add_contact(&w).await?;
            emit(&format!(
                "{w} {}",
                s.map_or("unknown".into(), |s| s.token().to_owned())
            ));
        }
        "remove" => session.remove_contact(&need()?).await?,
        "block" => session.block(&need()?).await?,
        "allow" => session.allow(&need()?).await?,
        other => {
            return Err(
                format!("unknown action {other:?} (list, add, remove, block, allow)").into(),
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The time of day (UTC: the banner says so) as HH:MM:SS.
fn clock() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!(
        "{:02}:{:02}:{:02}",
        secs / 3600 % 24,
        secs / 60 % 60,
        secs % 60
    )
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Controls, DEL and the C1 range (terminals read U+009B as CSI).
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An event as one JSON object.
fn event_json(e: &Event) -> Option<String> {
    Some(match e {
        Event::Presence { contact, state } => format!(
            r#"{{"event":"presence","contact":{},"state":{}}}"#,
            json_str(&contact.to_string()),
            json_str(state.token())
        ),
        Event::Message {
            from,
            to,
            text,
            session_id,
        } => format!(
            r#"{{"event":"message","from":{},"to":[{}],"session":{},"text":{}}}"#,
            json_str(&from.to_string()),
            to.iter()
                .map(|t| json_str(&t.to_string()))
                .collect::<Vec<_>>()
                .join(","),
            json_str(&session_id.to_string()),
            json_str(text)
        ),
        Event::Typing { from, session_id } => format!(
            r#"{{"event":"typing","from":{},"session":{}}}"#,
            json_str(&from.to_string()),
            json_str(&session_id.to_string())
        ),
        Event::Invitation {
            from, session_id, ..
        } => format!(
            r#"{{"event":"invitation","from":{},"session":{}}}"#,
            json_str(&from.to_string()),
            json_str(&session_id.to_string())
        ),
        Event::Left { from, session_id } => format!(
            r#"{{"event":"left","from":{},"session":{}}}"#,
            json_str(&from.to_string()),
            json_str(&session_id.to_string())
        ),
        Event::DeliveryFailed {
            to, status, reason, ..
        } => format!(
            r#"{{"event":"delivery-failed","to":{},"status":{},"reason":{}}}"#,
            json_str(&to.to_string()),
            status.map_or("null".into(), |s| s.to_string()),
            json_str(reason)
        ),
        Event::OwnState { state } => format!(
            r#"{{"event":"own-state","state":{}}}"#,
            json_str(state.token())
        ),
        Event::SessionLost { reason } => format!(
            r#"{{"event":"session-lost","reason":{}}}"#,
            json_str(reason)
        ),
        Event::Reconnected => r#"{"event":"reconnected"}"#.into(),
        _ => return None,
    })
}

/// An event as one line of text, safe for a terminal ([`printable`]).
fn event_line(e: &Event) -> Option<String> {
    event_text(e).map(|l| printable(&l).into_owned())
}

fn event_text(e: &Event) -> Option<String> {
    Some(match e {
        Event::Presence { contact, state } => format!("{contact} is {}", state.display_name()),
        Event::Message { from, to, text, .. } if to.len() > 1 => {
            format!("{from} (to {} people): {text}", to.len())
        }
        Event::Message { from, text, .. } => format!("{from}: {text}"),
        Event::Typing { from, .. } => format!("{from} is typing..."),
        Event::Invitation {
            from, invitation, ..
        } => format!(
            "{from} sent an invitation ({})",
            invitation.command.as_str()
        ),
        Event::Left { from, .. } => format!("{from} left the conversation"),
        Event::DeliveryFailed { to, reason, .. } => format!("not delivered to {to}: {reason}"),
        Event::OwnState { state } => format!("you are now {}", state.display_name()),
        Event::SessionLost { reason } => format!("connection lost ({reason}); reconnecting..."),
        Event::Reconnected => "reconnected".into(),
        _ => return None,
    })
}

async fn watch(mut events: mpsc::Receiver<Event>, json: bool) {
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            e = events.recv() => {
                let Some(e) = e else { return };
                let line = if json { event_json(&e) } else { event_line(&e).map(|l| format!("[{}] {l}", clock())) };
                if let Some(l) = line && !emit(&l) {
                    return;
                }
            }
            _ = &mut ctrl_c => return,
        }
    }
}

struct Style {
    colour: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }
}

const HELP: &str = "\
commands:
  TEXT                    send TEXT to the current conversation
  /msg WHO[,WHO...] TEXT  start a conversation and send TEXT
  /reply TEXT             answer the last conversation that wrote to you
  /leave                  leave the current conversation
  /status STATE           online away busy back-soon on-phone at-lunch offline
  /contacts               your contacts and their presence
  /add WHO  /remove WHO   edit your contact list
  /block WHO  /allow WHO  refuse or accept someone's messages and presence watching
  /watchers               who watches your presence
  /help  /quit";

async fn interactive(session: &Session, mut events: mpsc::Receiver<Event>) {
    let style = Style {
        colour: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let out = |s: String| {
        emit(&format!(
            "{} {s}",
            style.paint("2", &format!("[{}]", clock()))
        ));
    };
    out(format!(
        "logged in as {} ({}; times are UTC); /help for commands, Ctrl-C or /quit to log off",
        session.address(),
        session
            .callback_url()
            .map_or("polling".to_owned(), |c| format!("callbacks at {c}"))
    ));
    let mut presence: std::collections::BTreeMap<String, PresenceState> = Default::default();
    let mut current: Option<Conversation> = None;
    let mut last_in: Option<Conversation> = None;
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            _ = &mut ctrl_c => return,
            e = events.recv() => {
                let Some(e) = e else { return };
                match &e {
                    Event::Presence { contact, state } => {
                        presence.insert(contact.to_string(), state.clone());
                    }
                    Event::Message { from, to, session_id, .. } => {
                        let me = session.address();
                        let mut others: Vec<Address> = to.iter().filter_map(|p| p.address.clone()).filter(|a| a != me).collect();
                        if let Some(f) = &from.address { others.insert(0, f.clone()); }
                        let conv = Conversation::with_id(session_id.clone(), others);
                        if current.is_none() { current = Some(conv.clone()); }
                        last_in = Some(conv);
                    }
                    _ => {}
                }
                if let Some(l) = event_line(&e) {
                    let code = match e { Event::Message { .. } => "1", Event::DeliveryFailed { .. } | Event::SessionLost { .. } => "31", Event::Typing { .. } => "2", _ => "36" };
                    out(style.paint(code, &l));
                }
            }
            line = lines.next_line() => {
                let Ok(Some(line)) = line else { return };
                session.activity();
                let line = line.trim();
                if line.is_empty() { continue; }
                match command(session, line, &mut current, &last_in, &presence).await {
                    Ok(Some(reply)) => out(printable(&reply).into_owned()),
                    Ok(None) => {}
                    Err(Quit) => return,
                }
            }
        }
    }
}

struct Quit;

fn parse_addresses(s: &str, session: &Session) -> std::result::Result<Vec<Address>, String> {
    s.split(',')
        .filter(|w| !w.is_empty())
        .map(|w| {
            // A bare alias means someone of our own domain.
            let full = if w.contains('@') {
                w.to_owned()
            } else {
                format!("{w}@{}", session.address().domain())
            };
            full.parse::<Address>().map_err(|e| format!("{w}: {e}"))
        })
        .collect()
}

async fn command(
    session: &Session,
    line: &str,
    current: &mut Option<Conversation>,
    last_in: &Option<Conversation>,
    presence: &std::collections::BTreeMap<String, PresenceState>,
) -> std::result::Result<Option<String>, Quit> {
    let (cmd, rest) = match line.strip_prefix('/') {
        Some(c) => c.split_once(' ').unwrap_or((c, "")),
        None => ("say", line),
    };
    let rest = rest.trim();
    let one = |rest: &str| -> std::result::Result<Address, String> {
        parse_addresses(rest, session)?
            .into_iter()
            .next()
            .ok_or_else(|| "give an address".to_owned())
    };
    let result: std::result::Result<Option<String>, String> = async {
        match cmd {
            "quit" | "exit" => Err("quit".to_owned()),
            "help" => Ok(Some(HELP.to_owned())),
            "say" | "reply" | "msg" => {
                let (conv, text) = match cmd {
                    "msg" => {
                        let (who, text) = rest.split_once(' ').ok_or("usage: /msg WHO TEXT")?;
                        let conv = session.conversation(parse_addresses(who, session)?);
                        *current = Some(conv.clone());
                        (conv, text)
                    }
                    "reply" => {
                        let c = last_in.clone().ok_or("nobody wrote to you yet")?;
                        *current = Some(c.clone());
                        (c, rest)
                    }
                    _ => (
                        current
                            .clone()
                            .ok_or("no conversation yet: /msg WHO TEXT starts one")?,
                        rest,
                    ),
                };
                // Failures arrive as events, printed with the others.
                session.send_text(&conv, text).await;
                Ok(None)
            }
            "leave" => {
                let c = current.take().ok_or("no current conversation")?;
                session.leave(&c).await;
                Ok(Some("left the conversation".into()))
            }
            "status" => {
                let s = PresenceState::from_token(rest).map_err(|e| e.to_string())?;
                session
                    .set_state(s.clone())
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(Some(format!("you are now {}", s.display_name())))
            }
            "contacts" => {
                let list = session.contacts().map_err(|e| e.to_string())?;
                if list.is_empty() {
                    return Ok(Some("no contacts yet: /add WHO".into()));
                }
                Ok(Some(
                    list.iter()
                        .map(|c| {
                            let s = presence
                                .get(&c.to_string())
                                .map_or("unknown", |s| s.display_name());
                            format!("  {c:<30} {s}")
                        })
                        .collect::<Vec<_>>()
                        .join("\n"),
                ))
            }
            "add" => {
                let w = one(rest)?;
                let s = session.add_contact(&w).await.map_err(|e| e.to_string())?;
                Ok(Some(format!(
                    "added {w} ({})",
                    s.as_ref().map_or("unknown", |s| s.display_name())
                )))
            }
            "remove" => {
                let w = one(rest)?;
                session
                    .remove_contact(&w)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(Some(format!("removed {w}")))
            }
            "block" => {
                let w = one(rest)?;
                session.block(&w).await.map_err(|e| e.to_string())?;
                Ok(Some(format!("blocked {w}")))
            }
            "allow" => {
                let w = one(rest)?;
                session.allow(&w).await.map_err(|e| e.to_string())?;
                Ok(Some(format!("allowed {w}")))
            }
            "watchers" => {
                let w = session.watchers().await.map_err(|e| e.to_string())?;
                Ok(Some(if w.is_empty() {
                    "nobody watches you".into()
                } else {
                    w.iter()
                        .map(|w| {
                            format!(
                                "  {}",
                                w.principal.as_deref().or(w.href.as_deref()).unwrap_or("?")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                }))
            }
            other => Err(format!("unknown command /{other}; /help lists them")),
        }
    }
    .await;
    match result {
        Err(q) if q == "quit" => Err(Quit),
        Err(e) => Ok(Some(format!("error: {e}"))),
        Ok(r) => Ok(r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_text_cannot_drive_the_terminal() {
        let evil = "hi\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m there\r\nsecond\tline";
        let shown = printable(evil);
        assert!(
            !shown.chars().any(|c| c.is_control() && c != '\n'),
            "{shown:?}"
        );
        assert_eq!(
            shown,
            "hi\u{fffd}]0;pwned\u{fffd}\u{fffd}[2J\u{fffd}31m there\n    second line"
        );
        assert!(matches!(printable("plain"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn json_strings_escape_every_control_character() {
        assert_eq!(
            json_str("a\u{1b}b\u{7f}c\u{9b}\"\n"),
            r#""a\u001bb\u007fc\u009b\"\n""#
        );
    }
}
