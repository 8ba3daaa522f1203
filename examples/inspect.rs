//! Decodes RVP messages from a file (or standard input) through every layer of the codec
//! and prints what each layer sees: the start line, every typed header, the XML document,
//! and the MIME payload of an instant message.
//!
//! A tool for looking at captures, and a reference for using `rvp-codec` by hand:
//!
//! ```sh
//! cargo run --example inspect -- crates/rvp-codec/tests/vectors/librvp/notify-im.req
//! cargo run --example inspect -- --strict crates/rvp-codec/tests/vectors/draft/6.5.1-proppatch.req
//! ```
//!
//! The file may hold several messages one after the other (a recorded connection);
//! requests and responses are told apart by their first bytes. Lenient decoding is the
//! default, as for real peers; `--strict` shows what the draft's grammar rejects.
#![allow(clippy::print_stdout)]

use std::io::Read;
use std::process::ExitCode;

use bytes::BytesMut;
use http::HeaderMap;
use rvp::codec::header::{
    AckType, Authorization, CallBack, Depth, FromPrincipal, HeaderMapExt, HopCount, Location,
    NotificationType, NotificationsVersion, SubscriptionId, SubscriptionLifetime, TypedHeader,
    WwwAuthenticate,
};
use rvp::codec::xml::{Notification, XmlBody};
use rvp::codec::{Config, Error, Payload, RequestDecoder, ResponseDecoder};

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let strict = args.iter().any(|a| a == "--strict");
    args.retain(|a| a != "--strict");
    if args.iter().any(|a| a == "-h" || a == "--help") || args.len() > 1 {
        println!("usage: inspect [--strict] [FILE]   (standard input when FILE is absent)");
        return ExitCode::SUCCESS;
    }
    let mut input = Vec::new();
    let read = match args.first() {
        Some(path) => std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut input)),
        None => std::io::stdin().read_to_end(&mut input),
    };
    if let Err(e) = read {
        eprintln!("inspect: cannot read input: {e}");
        return ExitCode::FAILURE;
    }
    let config = if strict {
        Config::strict()
    } else {
        Config::lenient()
    };
    println!(
        "decoding {} bytes in {} mode",
        input.len(),
        if strict { "strict" } else { "lenient" }
    );
    match inspect(&input, &config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            println!("error: {e} (a server answers {})", e.status());
            ExitCode::FAILURE
        }
    }
}

fn inspect(input: &[u8], config: &Config) -> Result<(), Error> {
    let mut buf = BytesMut::from(input);
    let mut requests = RequestDecoder::new(*config);
    let mut responses = ResponseDecoder::new(*config);
    let mut n = 0;
    while !buf.iter().all(|b| b.is_ascii_whitespace()) {
        n += 1;
        println!("\n== message {n}");
        let (headers, body) = if buf.starts_with(b"HTTP/") {
            let rsp = match responses.decode(&mut buf)? {
                Some(r) => r,
                None => responses
                    .decode_eof(&mut buf)?
                    .ok_or(rvp::codec::DecodeError::UnexpectedEof)?,
            };
            println!(
                "response: {} {:?} ({:?})",
                rsp.status.as_u16(),
                rsp.reason().to_str_lossy(),
                rsp.version
            );
            (rsp.headers, rsp.body)
        } else {
            let req = match requests.decode(&mut buf)? {
                Some(r) => r,
                None => requests
                    .decode_eof(&mut buf)?
                    .ok_or(rvp::codec::DecodeError::UnexpectedEof)?,
            };
            println!("request: {} {} ({:?})", req.method, req.target, req.version);
            (req.headers, req.body)
        };
        print_headers(&headers, config)?;
        print_body(&body, config)?;
    }
    Ok(())
}

fn print_headers(headers: &HeaderMap, config: &Config) -> Result<(), Error> {
    println!("headers:");
    for (name, value) in headers {
        println!(
            "  {}: {}",
            rvp::codec::title_case(name),
            String::from_utf8_lossy(value.as_bytes())
        );
    }
    println!("typed headers:");
    show::<NotificationsVersion>(headers, config)?;
    show::<FromPrincipal>(headers, config)?;
    show::<CallBack>(headers, config)?;
    show::<SubscriptionId>(headers, config)?;
    show::<SubscriptionLifetime>(headers, config)?;
    show::<NotificationType>(headers, config)?;
    show::<AckType>(headers, config)?;
    show::<HopCount>(headers, config)?;
    show::<Depth>(headers, config)?;
    show::<Location>(headers, config)?;
    show::<WwwAuthenticate>(headers, config)?;
    show::<Authorization>(headers, config)?;
    Ok(())
}

fn show<H: TypedHeader + std::fmt::Debug>(
    headers: &HeaderMap,
    config: &Config,
) -> Result<(), Error> {
    if let Some(h) = headers.typed_get_with::<H>(config)? {
        println!("  {}: {h:?}", H::TITLE);
    }
    Ok(())
}

fn print_body(body: &[u8], config: &Config) -> Result<(), Error> {
    if body.is_empty() {
        println!("body: none");
        return Ok(());
    }
    if !body.trim_ascii_start().starts_with(b"<") {
        println!(
            "body: {} bytes, not XML: {:?}",
            body.len(),
            String::from_utf8_lossy(body)
        );
        return Ok(());
    }
    let doc = XmlBody::decode(body, config)?;
    println!("XML body: {doc:#?}");
    if let XmlBody::Notification(Notification::Message(m)) = &doc {
        let payload = Payload::decode(m.mime_data.as_bytes(), config)?;
        println!("MIME payload: {payload:#?}");
        if let Payload::Text(text) = &payload {
            println!("text: {:?}", text.body);
        }
    }
    Ok(())
}
