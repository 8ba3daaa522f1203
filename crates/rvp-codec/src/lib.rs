//! Sans-IO wire codec for RVP, the presence and instant-messaging protocol of Microsoft
//! Exchange 2000 Instant Messaging (draft-osborne-rvp-00).
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

mod compat;
mod config;
mod decode;
mod encode;
mod error;
mod message;
mod method;

pub mod header;
pub mod mime;
pub mod xml;

pub use config::{Config, Limits};
pub use decode::{DecodeError, RequestDecoder, ResponseDecoder, Syntax};
pub use encode::title_case;
pub use error::Error;
pub use header::{HeaderError, HeaderMapExt, TypedHeader};
pub use message::{InvalidReasonPhrase, ReasonPhrase, Request, Response};
pub use method::{InvalidMethod, Method};
pub use mime::{MimeError, Payload};
pub use xml::XmlError;
