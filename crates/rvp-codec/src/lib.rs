//! Sans-IO wire codec for RVP, the presence and instant-messaging protocol of Microsoft
//! Exchange 2000 Instant Messaging (draft-osborne-rvp-00).
//!
//! RVP is HTTP/1.1 with its own methods (SUBSCRIBE, UNSUBSCRIBE, SUBSCRIPTIONS,
//! PROPFIND, PROPPATCH, NOTIFY, ACL), headers and XML bodies; instant messages travel as
//! MIME payloads inside a notification's `mime-data`. This crate turns bytes into typed
//! values and back, layer by layer:
//!
//! | layer | types | reads | writes |
//! |---|---|---|---|
//! | framing and head | [`RequestDecoder`], [`ResponseDecoder`], [`Request`], [`Response`], [`Method`] | [`RequestDecoder::decode`] | [`Request::encode`] |
//! | header fields | [`header`]: [`header::SubscriptionId`], [`header::CallBack`], [`header::Authorization`], ... | [`HeaderMapExt::typed_get_with`] | [`HeaderMapExt::typed_insert`] |
//! | XML bodies | [`xml`]: [`xml::PropertyUpdate`], [`xml::MultiStatus`], [`xml::Notification`], ... | [`xml::XmlBody::decode`] | `encode` on each document |
//! | MIME payloads | [`mime`]: [`Payload`], [`mime::TextMessage`], [`mime::Invitation`], ... | [`Payload::decode`] | [`Payload::encode`] |
//!
//! It does no I/O, reads no clock and spawns nothing: a server or client owns its
//! sockets and buffers and calls the decoders with the bytes it has read. Decoding never
//! panics on any input; every size a peer controls is bounded by [`Limits`]; every error
//! knows the status code a server answers with ([`Error::status`]).
//!
//! # Getting started
//!
//! Decode the instant message Pidgin's librvp sends, down to its text:
//!
//! ```
//! use bytes::BytesMut;
//! use rvp_codec::header::{AckType, FromPrincipal, HeaderMapExt};
//! use rvp_codec::xml::{Notification, XmlBody};
//! use rvp_codec::{Config, Method, Payload, RequestDecoder};
//!
//! let body = concat!(
//!     r#"<?xml version="1.0" encoding="UTF-8"?>"#, "\n",
//!     r#"<r:notification xmlns:d="DAV:" xmlns:r="http://schemas.microsoft.com/rvp/">"#,
//!     "<r:message><r:notification-from><r:contact>",
//!     "<d:href>http://example.com/instmsg/aliases/alice</d:href>",
//!     "<r:description>alice</r:description></r:contact></r:notification-from>",
//!     "<r:notification-to><r:contact><d:href>http://example.com/instmsg/aliases/bob</d:href>",
//!     "</r:contact></r:notification-to><r:msgbody><r:mime-data><![CDATA[",
//!     "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n",
//!     "Session-Id: {9BCA3DAF-70A2-7372-6CA5-2A6002C7D16F}\r\n\r\nHello Bob",
//!     "]]></r:mime-data></r:msgbody></r:message></r:notification>\n",
//! );
//! let wire = format!(
//!     "NOTIFY /instmsg/aliases/bob HTTP/1.1\r\nContent-Length: {}\r\n\
//!      RVP-Notifications-Version: 0.2\r\nHost: example.com\r\n\
//!      RVP-From-Principal: http://example.com/instmsg/aliases/alice\r\n\
//!      Content-Type: text/xml\r\nRVP-Hop-Count: 1\r\nRVP-Ack-Type: DeepOr\r\n\r\n{}",
//!     body.len(),
//!     body
//! );
//!
//! // Real peers deviate from the draft; the lenient profile accepts what they send.
//! let config = Config::lenient();
//! let mut buf = BytesMut::from(wire.as_bytes());
//! let request = RequestDecoder::new(config).decode(&mut buf)?.expect("a whole request");
//! assert_eq!(request.method, Method::NOTIFY);
//!
//! let ack: Option<AckType> = request.headers.typed_get_with(&config)?;
//! assert_eq!(ack, Some(AckType::DeepOr));
//! let from: FromPrincipal = request.headers.typed_require(&config)?;
//! assert_eq!(from.to_string(), "http://example.com/instmsg/aliases/alice");
//!
//! let XmlBody::Notification(Notification::Message(message)) = XmlBody::decode(&request.body, &config)? else {
//!     panic!("not an instant message");
//! };
//! let Payload::Text(text) = Payload::decode(message.mime_data.as_bytes(), &config)? else {
//!     panic!("not a text payload");
//! };
//! assert_eq!(text.body, "Hello Bob");
//! # Ok::<(), rvp_codec::Error>(())
//! ```
//!
//! And write an answer: encoders are infallible and append to any [`bytes::BufMut`].
//!
//! ```
//! use http::StatusCode;
//! use rvp_codec::header::{HeaderMapExt, NotificationsVersion};
//! use rvp_codec::{ReasonPhrase, Response};
//!
//! let mut answer = Response::new(StatusCode::OK).with_reason(ReasonPhrase::from_static("Successful"));
//! answer.headers.typed_insert(NotificationsVersion::V0_2);
//! assert_eq!(
//!     answer.to_bytes(),
//!     b"HTTP/1.1 200 Successful\r\nRVP-Notifications-Version: 0.2\r\nContent-Length: 0\r\n\r\n"
//! );
//! ```
//!
//! # Strict and lenient
//!
//! [`Config::strict`] (the default) accepts what the draft and HTTP/1.1 allow and rejects
//! anything else with an error that says what and where. [`Config::lenient`] accepts every
//! deviation seen from real peers (bare-LF heads, `idle` and `invisible`, the draft's
//! typos, padded values, namespace mix-ups); each [`Config`] flag documents which peer
//! needs it, and the `tests/vectors` directory holds the exact bytes. Encoders always
//! write the canonical form, whatever was read.
//!
//! # With hyper
//!
//! [`Request`] and [`Response`] convert to and from `http::Request<Bytes>` and
//! `http::Response<Bytes>`, so the typed layers work on messages hyper has framed.
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

mod compat;
mod config;
mod decode;
mod encode;
mod error;
mod message;
mod method;
mod syntax;

pub mod header;
pub mod mime;
pub mod xml;

pub use config::{Config, Limits};
pub use decode::{
    DecodeError, Headers, RequestDecoder, RequestView, ResponseDecoder, ResponseView, Syntax,
};
pub use encode::title_case;
pub use error::Error;
pub use header::{HeaderError, HeaderMapExt, TypedHeader};
pub use message::{InvalidReasonPhrase, ReasonPhrase, Request, Response};
pub use method::{InvalidMethod, Method};
pub use mime::{MimeError, Payload};
pub use xml::{XmlBody, XmlError};
