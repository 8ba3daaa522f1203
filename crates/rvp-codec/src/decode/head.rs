//! Parsing of a complete message head: start line and header fields.
//!
//! The caller has already located the end of the head (the empty line) and checked its
//! size; this module turns the head's bytes into typed parts. Values are sliced out of the
//! head's `Bytes` without copying, except folded header lines (lenient mode only), which
//! are joined.

use bytes::{Bytes, BytesMut};
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, StatusCode, Uri, Version};

use super::{DecodeError, Syntax};
use crate::message::is_reason_byte;
use crate::syntax::is_tchar;
use crate::{Config, Method, ReasonPhrase};

/// The parts of a request head.
#[derive(Debug)]
pub(super) struct RequestHead {
    pub(super) method: Method,
    pub(super) target: Uri,
    pub(super) version: Version,
    pub(super) headers: HeaderMap,
    pub(super) framing: FramingFields,
}

/// What the field parser saw of the framing fields, so that framing needs no lookup
/// in the header map unless `Transfer-Encoding` is present.
#[derive(Debug, Default)]
pub(super) struct FramingFields {
    /// A `Transfer-Encoding` field was present.
    pub(super) transfer_encoding: bool,
    /// The length all `Content-Length` fields declare (`Some(None)`: one of them is
    /// invalid or they disagree), `None` without such a field.
    pub(super) content_length: Option<Option<usize>>,
}

/// The parts of a response head.
#[derive(Debug)]
pub(super) struct ResponseHead {
    pub(super) status: StatusCode,
    pub(super) reason: Option<ReasonPhrase>,
    pub(super) version: Version,
    pub(super) headers: HeaderMap,
    pub(super) framing: FramingFields,
}

/// A cursor over the head's lines.
struct Lines<'a> {
    head: &'a Bytes,
    pos: usize,
    config: &'a Config,
}

impl<'a> Lines<'a> {
    /// The next line as `(start, end)` offsets excluding its line ending, or `None` at the
    /// end of the head. Checks the line ending against the configuration.
    fn next_line(&mut self) -> Result<Option<(usize, usize)>, DecodeError> {
        if self.pos >= self.head.len() {
            return Ok(None);
        }
        let start = self.pos;
        let rest = &self.head[start..];
        let Some(lf) = memchr::memchr(b'\n', rest) else {
            // The head scanner only hands over heads that end in an empty line.
            return Err(syntax(Syntax::LineEnding, self.head.len()));
        };
        let lf_at = start + lf;
        let end = if lf > 0 && rest[lf - 1] == b'\r' {
            lf_at - 1
        } else if self.config.allow_bare_lf {
            lf_at
        } else {
            return Err(syntax(Syntax::LineEnding, lf_at));
        };
        self.pos = lf_at + 1;
        Ok(Some((start, end)))
    }

    /// Whether the line at the cursor is a continuation line (starts with SP or HTAB).
    fn at_continuation(&self) -> bool {
        matches!(self.head.get(self.pos), Some(b' ' | b'\t'))
    }
}

fn syntax(what: Syntax, offset: usize) -> DecodeError {
    DecodeError::Syntax { what, offset }
}

/// Parses a request head (`head` ends with the empty line).
pub(super) fn parse_request(head: &Bytes, config: &Config) -> Result<RequestHead, DecodeError> {
    let mut lines = Lines {
        head,
        pos: 0,
        config,
    };
    let (start, end) = lines.next_line()?.ok_or(syntax(Syntax::RequestLine, 0))?;
    let line = &head[start..end];
    let relaxed = config.relaxed_head_syntax;

    // method SP request-target SP HTTP-version
    let m_end = line
        .iter()
        .position(|&b| b == b' ')
        .ok_or(syntax(Syntax::RequestLine, end))?;
    if let Some(bad) = line[..m_end].iter().position(|&b| !is_tchar(b)) {
        return Err(syntax(Syntax::Method, start + bad));
    }
    let method = Method::from_bytes(&line[..m_end]).map_err(|_| syntax(Syntax::Method, start))?;

    let t_start = skip_spaces(line, m_end + 1, relaxed, start)?;
    let t_len = line[t_start..]
        .iter()
        .position(|&b| b == b' ')
        .ok_or(syntax(Syntax::RequestLine, end))?;
    let t_end = t_start + t_len;
    if t_len == 0 {
        return Err(syntax(Syntax::RequestTarget, start + t_start));
    }
    if let Some(bad) = line[t_start..t_end]
        .iter()
        .position(|&b| !(0x21..0x7f).contains(&b))
    {
        return Err(syntax(Syntax::RequestTarget, start + t_start + bad));
    }
    let target = Uri::from_maybe_shared(head.slice(start + t_start..start + t_end))
        .map_err(|_| syntax(Syntax::RequestTarget, start + t_start))?;

    let v_start = skip_spaces(line, t_end + 1, relaxed, start)?;
    let mut v_end = line.len();
    if relaxed {
        while v_end > v_start && matches!(line[v_end - 1], b' ' | b'\t') {
            v_end -= 1;
        }
    }
    let version = parse_version(&line[v_start..v_end], start + v_start)?;

    let (headers, framing) = parse_fields(&mut lines, config)?;
    Ok(RequestHead {
        method,
        target,
        version,
        headers,
        framing,
    })
}

/// Parses a response head (`head` ends with the empty line).
pub(super) fn parse_response(head: &Bytes, config: &Config) -> Result<ResponseHead, DecodeError> {
    let mut lines = Lines {
        head,
        pos: 0,
        config,
    };
    let (start, end) = lines.next_line()?.ok_or(syntax(Syntax::StatusLine, 0))?;
    let line = &head[start..end];
    let relaxed = config.relaxed_head_syntax;

    // HTTP-version SP status-code [SP reason-phrase]
    let v_end = line
        .iter()
        .position(|&b| b == b' ')
        .ok_or(syntax(Syntax::StatusLine, end))?;
    let version = parse_version(&line[..v_end], start)?;
    let c_start = skip_spaces(line, v_end + 1, relaxed, start)?;
    let code = line
        .get(c_start..c_start + 3)
        .ok_or(syntax(Syntax::StatusCode, start + c_start))?;
    if !code.iter().all(u8::is_ascii_digit) {
        return Err(syntax(Syntax::StatusCode, start + c_start));
    }
    let status =
        StatusCode::from_bytes(code).map_err(|_| syntax(Syntax::StatusCode, start + c_start))?;
    let after = c_start + 3;
    let reason = match line.get(after) {
        // RFC 9112 asks recipients to accept a status line without the space.
        None => None,
        Some(b' ') => {
            let r = &line[after + 1..];
            if let Some(bad) = r.iter().position(|&b| !is_reason_byte(b)) {
                return Err(syntax(Syntax::ReasonPhrase, start + after + 1 + bad));
            }
            let r = head.slice(start + after + 1..end);
            // Validated just above.
            Some(
                ReasonPhrase::from_bytes(r)
                    .map_err(|e| syntax(Syntax::ReasonPhrase, start + after + 1 + e.offset))?,
            )
        }
        Some(_) => return Err(syntax(Syntax::StatusCode, start + after)),
    };

    let (headers, framing) = parse_fields(&mut lines, config)?;
    Ok(ResponseHead {
        status,
        reason,
        version,
        headers,
        framing,
    })
}

/// Skips the single space the grammar requires at `at` (several in relaxed mode);
/// returns the index of the next non-space byte of `line`.
fn skip_spaces(
    line: &[u8],
    at: usize,
    relaxed: bool,
    line_start: usize,
) -> Result<usize, DecodeError> {
    let mut i = at;
    if relaxed {
        while line.get(i) == Some(&b' ') {
            i += 1;
        }
    }
    if line.get(i) == Some(&b' ') {
        return Err(syntax(Syntax::RequestLine, line_start + i));
    }
    Ok(i)
}

fn parse_version(v: &[u8], offset: usize) -> Result<Version, DecodeError> {
    match v {
        b"HTTP/1.1" => Ok(Version::HTTP_11),
        b"HTTP/1.0" => Ok(Version::HTTP_10),
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            Err(DecodeError::UnsupportedVersion)
        }
        _ => Err(syntax(Syntax::Version, offset)),
    }
}

/// Parses header field lines up to the empty line.
fn parse_fields(
    lines: &mut Lines<'_>,
    config: &Config,
) -> Result<(HeaderMap, FramingFields), DecodeError> {
    let head = lines.head;
    // One field per remaining line at most: sizing the map once avoids regrowing it.
    let remaining = memchr::memchr_iter(b'\n', &head[lines.pos..]).count();
    let mut headers = HeaderMap::with_capacity(remaining.min(config.limits.max_headers));
    let mut framing = FramingFields::default();
    let mut count = 0usize;
    loop {
        let Some((start, end)) = lines.next_line()? else {
            return Err(syntax(Syntax::LineEnding, head.len()));
        };
        if start == end {
            return Ok((headers, framing));
        }
        let line = &head[start..end];
        if matches!(line[0], b' ' | b'\t') {
            // A continuation line with no field before it.
            return Err(syntax(Syntax::ObsFold, start));
        }
        count += 1;
        if count > config.limits.max_headers {
            return Err(DecodeError::TooManyHeaders {
                limit: config.limits.max_headers,
            });
        }
        let colon = memchr::memchr(b':', line).ok_or(syntax(Syntax::HeaderLine, start))?;
        let mut name_end = colon;
        if config.relaxed_head_syntax {
            while name_end > 0 && matches!(line[name_end - 1], b' ' | b'\t') {
                name_end -= 1;
            }
        }
        let raw_name = &line[..name_end];
        // `HeaderName` accepts exactly the RFC 9110 token characters; the offending
        // byte is looked for only when it refuses.
        let name = header_name(raw_name).map_err(|_| {
            let bad = raw_name.iter().position(|&b| !is_tchar(b)).unwrap_or(0);
            syntax(Syntax::HeaderName, start + bad)
        })?;

        let (v_start, v_end) = trim_ows(line, colon + 1);
        let value = if lines.at_continuation() {
            if !config.relaxed_head_syntax {
                return Err(syntax(Syntax::ObsFold, lines.pos));
            }
            check_value(&line[v_start..v_end], start + v_start)?;
            let mut joined = BytesMut::from(&line[v_start..v_end]);
            while lines.at_continuation() {
                let Some((cs, ce)) = lines.next_line()? else {
                    break;
                };
                let cont = &head[cs..ce];
                let (s, e) = trim_ows(cont, 0);
                check_value(&cont[s..e], cs + s)?;
                if s < e {
                    if !joined.is_empty() {
                        joined.extend_from_slice(b" ");
                    }
                    joined.extend_from_slice(&cont[s..e]);
                }
            }
            HeaderValue::from_maybe_shared(joined.freeze())
        } else {
            HeaderValue::from_maybe_shared(head.slice(start + v_start..start + v_end))
        }
        // `HeaderValue` accepts exactly the field-value bytes (HTAB, SP, VCHAR,
        // obs-text); find the offending byte only when it refuses.
        .map_err(|_| {
            let bad = line[v_start..v_end]
                .iter()
                .position(|&b| !is_field_byte(b))
                .unwrap_or(0);
            syntax(Syntax::HeaderValue, start + v_start + bad)
        })?;
        if name == http::header::CONTENT_LENGTH {
            let previous = framing.content_length.unwrap_or(None);
            framing.content_length = Some(match framing.content_length {
                Some(None) => None,
                _ => super::content_length(std::iter::once(&value), previous),
            });
        } else if name == http::header::TRANSFER_ENCODING {
            framing.transfer_encoding = true;
        }
        headers.append(name, value);
    }
}

fn check_value(value: &[u8], offset: usize) -> Result<(), DecodeError> {
    match value.iter().position(|&b| !is_field_byte(b)) {
        Some(bad) => Err(syntax(Syntax::HeaderValue, offset + bad)),
        None => Ok(()),
    }
}

/// Offsets of `line[from..]` without leading and trailing spaces and tabs.
fn trim_ows(line: &[u8], from: usize) -> (usize, usize) {
    let mut s = from;
    let mut e = line.len();
    while s < e && matches!(line[s], b' ' | b'\t') {
        s += 1;
    }
    while e > s && matches!(line[e - 1], b' ' | b'\t') {
        e -= 1;
    }
    (s, e)
}

/// RFC 9110 field-value bytes: HTAB, SP, VCHAR, obs-text.
fn is_field_byte(b: u8) -> bool {
    b == b'\t' || b == b' ' || (0x21..=0x7e).contains(&b) || b >= 0x80
}

/// Header names RVP peers send on every message. Matching them here avoids allocating a
/// lower-cased copy for each (custom names otherwise allocate in `http`).
fn header_name(raw: &[u8]) -> Result<HeaderName, http::header::InvalidHeaderName> {
    use crate::header as h;
    let known = match raw.len() {
        9 => Some(h::CALL_BACK),
        12 => Some(h::RVP_ACK_TYPE),
        13 => Some(h::RVP_HOP_COUNT),
        15 => Some(h::SUBSCRIPTION_ID),
        17 => Some(h::NOTIFICATION_TYPE),
        18 => Some(h::RVP_FROM_PRINCIPAL),
        21 => Some(h::SUBSCRIPTION_LIFETIME),
        25 => Some(h::RVP_NOTIFICATIONS_VERSION),
        _ => None,
    };
    match known {
        Some(name) if raw.eq_ignore_ascii_case(name.as_str().as_bytes()) => Ok(name),
        _ => HeaderName::from_bytes(raw),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn req(s: &str, config: &Config) -> Result<RequestHead, DecodeError> {
        parse_request(&Bytes::copy_from_slice(s.as_bytes()), config)
    }

    fn rsp(s: &str, config: &Config) -> Result<ResponseHead, DecodeError> {
        parse_response(&Bytes::copy_from_slice(s.as_bytes()), config)
    }

    #[test]
    fn request_head() {
        let h = req(
            "SUBSCRIBE /instmsg/aliases/alice HTTP/1.1\r\nHost: example.com\r\nrvp-notifications-VERSION:  0.2 \r\n\r\n",
            &Config::strict(),
        )
        .unwrap();
        assert_eq!(h.method, Method::SUBSCRIBE);
        assert_eq!(h.target.path(), "/instmsg/aliases/alice");
        assert_eq!(h.version, Version::HTTP_11);
        assert_eq!(h.headers["host"], "example.com");
        assert_eq!(h.headers["rvp-notifications-version"], "0.2");
    }

    #[test]
    fn absolute_target() {
        let h = req(
            "SUBSCRIBE http://im.example.com/instmsg/aliases/stevem HTTP/1.1\r\n\r\n",
            &Config::strict(),
        )
        .unwrap();
        assert_eq!(h.target.host(), Some("im.example.com"));
    }

    #[test]
    fn bare_lf() {
        let s = "NOTIFY / HTTP/1.1\nHost: x\n\n";
        assert_eq!(
            req(s, &Config::strict()).err().unwrap(),
            syntax(Syntax::LineEnding, 17)
        );
        assert!(req(s, &Config::lenient()).is_ok());
    }

    #[test]
    fn double_space_in_request_line() {
        let s = "PROPFIND /instmsg/aliases/stevem  HTTP/1.1\r\n\r\n";
        assert!(matches!(
            req(s, &Config::strict()),
            Err(DecodeError::Syntax {
                what: Syntax::RequestLine,
                offset: 33
            })
        ));
        assert_eq!(req(s, &Config::lenient()).unwrap().method, Method::PROPFIND);
    }

    #[test]
    fn trailing_space_after_version() {
        let s = "ACL /x HTTP/1.1 \r\n\r\n";
        assert!(matches!(
            req(s, &Config::strict()),
            Err(DecodeError::Syntax {
                what: Syntax::Version,
                ..
            })
        ));
        assert!(req(s, &Config::lenient()).is_ok());
    }

    #[test]
    fn obs_fold() {
        let s =
            "ACL /x HTTP/1.1\r\nWWW-Authenticate: Digest realm=\"a\",\r\n   nonce=\"b\"\r\n\r\n";
        assert!(matches!(
            req(s, &Config::strict()),
            Err(DecodeError::Syntax {
                what: Syntax::ObsFold,
                ..
            })
        ));
        let h = req(s, &Config::lenient()).unwrap();
        assert_eq!(
            h.headers["www-authenticate"],
            "Digest realm=\"a\", nonce=\"b\""
        );
    }

    #[test]
    fn space_before_colon() {
        let s = "ACL /x HTTP/1.1\r\nHost : a\r\n\r\n";
        assert!(matches!(
            req(s, &Config::strict()),
            Err(DecodeError::Syntax {
                what: Syntax::HeaderName,
                offset: 21
            })
        ));
        assert_eq!(req(s, &Config::lenient()).unwrap().headers["host"], "a");
    }

    #[test]
    fn bad_parts() {
        let c = Config::lenient();
        assert!(matches!(
            req("NO(TIFY / HTTP/1.1\r\n\r\n", &c),
            Err(DecodeError::Syntax {
                what: Syntax::Method,
                offset: 2
            })
        ));
        assert!(matches!(
            req("NOTIFY /\x01 HTTP/1.1\r\n\r\n", &c),
            Err(DecodeError::Syntax {
                what: Syntax::RequestTarget,
                offset: 8
            })
        ));
        assert!(matches!(
            req("NOTIFY / HTTP/2.0\r\n\r\n", &c),
            Err(DecodeError::UnsupportedVersion)
        ));
        assert!(matches!(
            req("NOTIFY / HTTX/1.1\r\n\r\n", &c),
            Err(DecodeError::Syntax {
                what: Syntax::Version,
                ..
            })
        ));
        assert!(matches!(
            req("NOTIFY /\r\n\r\n", &c),
            Err(DecodeError::Syntax {
                what: Syntax::RequestLine,
                ..
            })
        ));
        assert!(matches!(
            req("NOTIFY / HTTP/1.1\r\nNoColon\r\n\r\n", &c),
            Err(DecodeError::Syntax {
                what: Syntax::HeaderLine,
                offset: 19
            })
        ));
        assert!(matches!(
            req("NOTIFY / HTTP/1.1\r\n: v\r\n\r\n", &c),
            Err(DecodeError::Syntax {
                what: Syntax::HeaderName,
                ..
            })
        ));
        assert!(matches!(
            req("NOTIFY / HTTP/1.1\r\nA: b\x00c\r\n\r\n", &c),
            Err(DecodeError::Syntax {
                what: Syntax::HeaderValue,
                offset: 23
            })
        ));
        assert!(matches!(
            req("NOTIFY / HTTP/1.1\r\nA: b\rc\r\n\r\n", &c),
            Err(DecodeError::Syntax {
                what: Syntax::HeaderValue,
                ..
            })
        ));
        assert!(matches!(
            req("NOTIFY / HTTP/1.1\r\n x\r\n\r\n", &c),
            Err(DecodeError::Syntax {
                what: Syntax::ObsFold,
                ..
            })
        ));
    }

    #[test]
    fn too_many_headers() {
        let mut c = Config::strict();
        c.limits.max_headers = 2;
        assert!(req("ACL / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", &c).is_ok());
        assert_eq!(
            req("ACL / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", &c).err(),
            Some(DecodeError::TooManyHeaders { limit: 2 })
        );
    }

    #[test]
    fn status_lines() {
        let c = Config::strict();
        let h = rsp(
            "HTTP/1.1 302 Object moved\r\nLocation: http://a/b\r\n\r\n",
            &c,
        )
        .unwrap();
        assert_eq!(h.status, StatusCode::FOUND);
        assert_eq!(h.reason.unwrap().as_bytes(), b"Object moved");
        let h = rsp("HTTP/1.1 400  credentials not specified\r\n\r\n", &c).unwrap();
        assert_eq!(h.reason.unwrap().as_bytes(), b" credentials not specified");
        let h = rsp("HTTP/1.0 200\r\n\r\n", &c).unwrap();
        assert_eq!(
            (h.status, h.reason, h.version),
            (StatusCode::OK, None, Version::HTTP_10)
        );
        assert!(rsp("HTTP/1.1 2000 OK\r\n\r\n", &c).is_err());
        assert!(rsp("HTTP/1.1 20 OK\r\n\r\n", &c).is_err());
        assert!(rsp("HTTP/1.1 099 OK\r\n\r\n", &c).is_err());
        assert!(rsp("HTTP/1.1 200 O\x7fK\r\n\r\n", &c).is_err());
    }

    #[test]
    fn rvp_names_are_shared() {
        let h = req(
            "ACL / HTTP/1.1\r\nRVP-From-Principal: a\r\nSubscription-ID: 5\r\nX-Other: 1\r\n\r\n",
            &Config::strict(),
        )
        .unwrap();
        assert_eq!(h.headers["rvp-from-principal"], "a");
        assert_eq!(h.headers["subscription-id"], "5");
        assert_eq!(h.headers["x-other"], "1");
    }
}
