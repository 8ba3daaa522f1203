//! Every wire vector of `tests/vectors/MANIFEST`, decoded in strict and lenient mode with
//! the outcome the manifest records, fed byte by byte, and re-encoded.

use std::path::{Path, PathBuf};

use bytes::BytesMut;
use rvp_codec::xml::{Notification, XmlBody};
use rvp_codec::{Config, DecodeError, Payload, Request, RequestDecoder, Response, ResponseDecoder};

/// The layer at which a vector is expected to fail, or `Ok`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Ok,
    Head,
    Header,
    Xml,
    Mime,
}

impl Outcome {
    fn parse(s: &str) -> Outcome {
        match s {
            "ok" => Outcome::Ok,
            "err:head" => Outcome::Head,
            "err:header" => Outcome::Header,
            "err:xml" => Outcome::Xml,
            "err:mime" => Outcome::Mime,
            other => panic!("unknown outcome {other:?} in MANIFEST"),
        }
    }
}

#[derive(Debug)]
struct Vector {
    path: PathBuf,
    name: String,
    kind: String,
    strict: Outcome,
    lenient: Outcome,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

fn manifest() -> Vec<Vector> {
    let text = std::fs::read_to_string(dir().join("MANIFEST")).expect("MANIFEST");
    let vectors: Vec<Vector> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 4, "bad MANIFEST line {l:?}");
            Vector {
                path: dir().join(f[0]),
                name: f[0].to_owned(),
                kind: f[1].to_owned(),
                strict: Outcome::parse(f[2]),
                lenient: Outcome::parse(f[3]),
            }
        })
        .collect();
    assert!(vectors.len() >= 60, "only {} vectors", vectors.len());
    vectors
}

/// Every file under `tests/vectors` is in the manifest, and every manifest entry exists.
#[test]
fn manifest_is_complete() {
    let listed: std::collections::BTreeSet<String> =
        manifest().into_iter().map(|v| v.name).collect();
    let mut found = std::collections::BTreeSet::new();
    for sub in std::fs::read_dir(dir()).unwrap() {
        let sub = sub.unwrap().path();
        if sub.is_dir() {
            for f in std::fs::read_dir(&sub).unwrap() {
                let f = f.unwrap().path();
                found.insert(
                    f.strip_prefix(dir())
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    assert_eq!(listed, found);
}

enum Message {
    Request(Request),
    Response(Response),
}

fn decode_message(kind: &str, bytes: &[u8], config: Config) -> Result<Message, DecodeError> {
    let mut buf = BytesMut::from(bytes);
    let msg = match kind {
        "req" => {
            let mut d = RequestDecoder::new(config);
            let r = match d.decode(&mut buf)? {
                Some(r) => r,
                None => d.decode_eof(&mut buf)?.expect("a whole request"),
            };
            Message::Request(r)
        }
        "rsp" => {
            let mut d = ResponseDecoder::new(config);
            let r = match d.decode(&mut buf)? {
                Some(r) => r,
                None => d.decode_eof(&mut buf)?.expect("a whole response"),
            };
            Message::Response(r)
        }
        other => panic!("not a message kind: {other}"),
    };
    assert!(buf.is_empty(), "bytes left after the message");
    Ok(msg)
}

/// Decodes every typed header the codec knows that the message carries.
fn typed_headers(headers: &http::HeaderMap, config: &Config) -> Result<(), rvp_codec::HeaderError> {
    use rvp_codec::header::*;
    headers.typed_get_with::<NotificationsVersion>(config)?;
    headers.typed_get_with::<FromPrincipal>(config)?;
    headers.typed_get_with::<CallBack>(config)?;
    headers.typed_get_with::<SubscriptionId>(config)?;
    headers.typed_get_with::<SubscriptionLifetime>(config)?;
    headers.typed_get_with::<NotificationType>(config)?;
    headers.typed_get_with::<AckType>(config)?;
    headers.typed_get_with::<HopCount>(config)?;
    headers.typed_get_with::<Depth>(config)?;
    headers.typed_get_with::<Location>(config)?;
    headers.typed_get_with::<WwwAuthenticate>(config)?;
    headers.typed_get_with::<Authorization>(config)?;
    Ok(())
}

/// Decodes a vector through every layer it has, and says at which one it failed.
fn outcome(kind: &str, bytes: &[u8], config: Config) -> Outcome {
    if kind == "mime" {
        return match Payload::decode(bytes, &config) {
            Ok(_) => Outcome::Ok,
            Err(_) => Outcome::Mime,
        };
    }
    let (headers, body) = match decode_message(kind, bytes, config) {
        Ok(Message::Request(r)) => (r.headers, r.body),
        Ok(Message::Response(r)) => (r.headers, r.body),
        Err(_) => return Outcome::Head,
    };
    if typed_headers(&headers, &config).is_err() {
        return Outcome::Header;
    }
    body_outcome(&body, &config)
}

/// Every vector fails at exactly the layer the manifest says, in both modes.
#[test]
fn vectors_decode_as_the_manifest_says() {
    let mut failures = Vec::new();
    for v in manifest() {
        let bytes = std::fs::read(&v.path).unwrap();
        for (mode, config, expected) in [
            ("strict", Config::strict(), v.strict),
            ("lenient", Config::lenient(), v.lenient),
        ] {
            let got = outcome(&v.kind, &bytes, config);
            if got != expected {
                failures.push(format!(
                    "{} in {mode} mode: expected {expected:?}, got {got:?}",
                    v.name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Fed one byte at a time, every proper prefix yields "need more" and the whole input
/// the same message as decoding it at once.
#[test]
fn every_prefix_needs_more() {
    for v in manifest()
        .iter()
        .filter(|v| v.kind != "mime" && v.lenient != Outcome::Head)
    {
        let bytes = std::fs::read(&v.path).unwrap();
        let config = Config::lenient();
        let at_once = decode_message(&v.kind, &bytes, config).unwrap();
        let mut buf = BytesMut::new();
        match (v.kind.as_str(), at_once) {
            ("req", Message::Request(whole)) => {
                let mut d = RequestDecoder::new(config);
                for (i, b) in bytes.iter().enumerate() {
                    buf.extend_from_slice(&[*b]);
                    let r = d.decode(&mut buf).unwrap();
                    if i + 1 < bytes.len() {
                        assert!(r.is_none(), "{}: complete after {} bytes", v.name, i + 1);
                    } else {
                        assert_eq!(r.as_ref(), Some(&whole), "{}", v.name);
                    }
                }
            }
            ("rsp", Message::Response(whole)) => {
                let mut d = ResponseDecoder::new(config);
                let mut got = None;
                for (i, b) in bytes.iter().enumerate() {
                    buf.extend_from_slice(&[*b]);
                    let r = d.decode(&mut buf).unwrap();
                    if r.is_some() {
                        assert_eq!(
                            i + 1,
                            bytes.len(),
                            "{}: complete after {} bytes",
                            v.name,
                            i + 1
                        );
                        got = r;
                    }
                }
                if got.is_none() {
                    got = d.decode_eof(&mut buf).unwrap();
                }
                assert_eq!(got.as_ref(), Some(&whole), "{}", v.name);
            }
            _ => unreachable!(),
        }
    }
}

/// Re-encoding a decoded vector gives a canonical form that is a fixed point: decoding
/// and encoding it again changes nothing, and the message itself is unchanged apart from
/// its framing headers.
#[test]
fn encode_of_decode_is_stable() {
    for v in manifest()
        .iter()
        .filter(|v| v.kind != "mime" && v.lenient != Outcome::Head)
    {
        let bytes = std::fs::read(&v.path).unwrap();
        let config = Config::lenient();
        match decode_message(&v.kind, &bytes, config).unwrap() {
            Message::Request(r) => {
                let once = r.to_bytes();
                let Message::Request(again) =
                    decode_message("req", &once, Config::strict()).unwrap()
                else {
                    unreachable!()
                };
                assert_eq!(again.to_bytes(), once, "{}", v.name);
                assert_eq!(
                    (&again.method, &again.target, &again.body),
                    (&r.method, &r.target, &r.body),
                    "{}",
                    v.name
                );
            }
            Message::Response(r) => {
                let once = r.to_bytes();
                let Message::Response(again) =
                    decode_message("rsp", &once, Config::strict()).unwrap()
                else {
                    unreachable!()
                };
                assert_eq!(again.to_bytes(), once, "{}", v.name);
                assert_eq!(
                    (again.status, &again.reason, &again.body),
                    (r.status, &r.reason, &r.body),
                    "{}",
                    v.name
                );
            }
        }
    }
}

/// The body layers: the XML document, and the MIME payload of a message notification.
/// Bodies that are not XML (an HTML answer) are not decoded further.
fn body_outcome(body: &[u8], config: &Config) -> Outcome {
    if !body.trim_ascii_start().starts_with(b"<") || body.trim_ascii_start().starts_with(b"<HTML>")
    {
        return Outcome::Ok;
    }
    let doc = match XmlBody::decode(body, config) {
        Ok(doc) => doc,
        Err(_) => return Outcome::Xml,
    };
    if let XmlBody::Notification(Notification::Message(m)) = &doc
        && Payload::decode(m.mime_data.as_bytes(), config).is_err()
    {
        return Outcome::Mime;
    }
    Outcome::Ok
}

/// The body layers of every vector that decodes re-encode to a fixed point: the XML
/// document and the MIME payload (decoded strictly again when the vector itself decodes
/// strictly; leniently otherwise, since a value like the state `idle` stays lenient-only).
#[test]
fn bodies_re_encode_to_a_fixed_point() {
    let config = Config::lenient();
    let mut checked = (0, 0);
    for v in manifest().iter().filter(|v| v.lenient == Outcome::Ok) {
        let bytes = std::fs::read(&v.path).unwrap();
        let payload = if v.kind == "mime" {
            Some(Payload::decode(&bytes, &config).unwrap())
        } else {
            let body = match decode_message(&v.kind, &bytes, config).unwrap() {
                Message::Request(r) => r.body,
                Message::Response(r) => r.body,
            };
            if !body.trim_ascii_start().starts_with(b"<?xml")
                && !body.trim_ascii_start().starts_with(b"<r:")
            {
                continue;
            }
            let doc = XmlBody::decode(&body, &config).unwrap();
            let once = doc.to_bytes();
            let again_config = if v.strict == Outcome::Ok {
                Config::strict()
            } else {
                config
            };
            let again =
                XmlBody::decode(&once, &again_config).unwrap_or_else(|e| panic!("{}: {e}", v.name));
            assert_eq!(again.to_bytes(), once, "{}", v.name);
            checked.0 += 1;
            match doc {
                XmlBody::Notification(Notification::Message(m)) => {
                    Some(Payload::decode(m.mime_data.as_bytes(), &config).unwrap())
                }
                _ => None,
            }
        };
        if let Some(p) = payload {
            let once = p.to_bytes();
            let again =
                Payload::decode(&once, &config).unwrap_or_else(|e| panic!("{}: {e}", v.name));
            assert_eq!(again.to_bytes(), once, "{}", v.name);
            checked.1 += 1;
        }
    }
    assert!(checked.0 >= 25 && checked.1 >= 10, "checked {checked:?}");
}
