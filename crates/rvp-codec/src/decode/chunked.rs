//! Incremental decoding of the chunked transfer coding (RFC 9112 section 7.1).

use bytes::{Buf, BytesMut};

use super::{DecodeError, Syntax};
use crate::Config;

/// Longest chunk-size line accepted (size, extensions and line ending).
const MAX_CHUNK_LINE: usize = 1024;

/// Where the chunked decoder is.
#[derive(Debug)]
pub(super) enum Chunked {
    /// Expecting a chunk-size line.
    Size,
    /// Inside chunk data, with this many bytes left.
    Data(usize),
    /// Expecting the line ending after chunk data.
    DataEnd,
    /// Reading trailer fields after the last chunk; `size` bytes and `count` fields so far.
    Trailer { size: usize, count: usize },
}

/// What one step of the chunked decoder did.
pub(super) enum Step {
    /// The body is complete.
    Done,
    /// More input is needed.
    NeedMore,
}

impl Chunked {
    /// Consumes as much of `buf` as possible, appending chunk data to `body`.
    /// `offset` is the message offset of `buf[0]`, kept up to date for error reports.
    pub(super) fn decode(
        &mut self,
        buf: &mut BytesMut,
        body: &mut BytesMut,
        offset: &mut usize,
        config: &Config,
    ) -> Result<Step, DecodeError> {
        loop {
            match self {
                Chunked::Size => {
                    let Some((line_len, content_len)) =
                        find_line(buf, MAX_CHUNK_LINE, *offset, config)?
                    else {
                        if buf.len() >= MAX_CHUNK_LINE {
                            return Err(DecodeError::Syntax {
                                what: Syntax::ChunkSize,
                                offset: *offset,
                            });
                        }
                        return Ok(Step::NeedMore);
                    };
                    let size = parse_size(&buf[..content_len]).ok_or(DecodeError::Syntax {
                        what: Syntax::ChunkSize,
                        offset: *offset,
                    })?;
                    advance(buf, line_len, offset);
                    if size == 0 {
                        *self = Chunked::Trailer { size: 0, count: 0 };
                    } else {
                        let limit = config.limits.max_body_size;
                        if size > limit.saturating_sub(body.len()) {
                            return Err(DecodeError::BodyTooLarge { limit });
                        }
                        body.reserve(size);
                        *self = Chunked::Data(size);
                    }
                }
                Chunked::Data(left) => {
                    if buf.is_empty() {
                        return Ok(Step::NeedMore);
                    }
                    let n = (*left).min(buf.len());
                    body.extend_from_slice(&buf[..n]);
                    advance(buf, n, offset);
                    *left -= n;
                    if *left == 0 {
                        *self = Chunked::DataEnd;
                    }
                }
                Chunked::DataEnd => {
                    let err = DecodeError::Syntax {
                        what: Syntax::ChunkEnd,
                        offset: *offset,
                    };
                    match buf.first() {
                        None => return Ok(Step::NeedMore),
                        Some(b'\n') if config.allow_bare_lf => advance(buf, 1, offset),
                        Some(b'\r') => match buf.get(1) {
                            None => return Ok(Step::NeedMore),
                            Some(b'\n') => advance(buf, 2, offset),
                            Some(_) => return Err(err),
                        },
                        Some(_) => return Err(err),
                    }
                    *self = Chunked::Size;
                }
                Chunked::Trailer { size, count } => {
                    let max = config.limits.max_head_size;
                    let room = max.saturating_sub(*size);
                    let Some((line_len, content_len)) = find_line(buf, room, *offset, config)?
                    else {
                        if buf.len() >= room {
                            return Err(DecodeError::HeadTooLarge { limit: max });
                        }
                        return Ok(Step::NeedMore);
                    };
                    let empty = content_len == 0;
                    if !empty && !buf[..content_len].contains(&b':') {
                        return Err(DecodeError::Syntax {
                            what: Syntax::HeaderLine,
                            offset: *offset,
                        });
                    }
                    advance(buf, line_len, offset);
                    if empty {
                        return Ok(Step::Done);
                    }
                    // Trailer fields are checked for size and count, then dropped: none of
                    // them may change how an RVP message is processed.
                    *size += line_len;
                    *count += 1;
                    if *count > config.limits.max_headers {
                        return Err(DecodeError::TooManyHeaders {
                            limit: config.limits.max_headers,
                        });
                    }
                }
            }
        }
    }
}

fn advance(buf: &mut BytesMut, n: usize, offset: &mut usize) {
    buf.advance(n);
    *offset += n;
}

/// Finds the line at the start of `buf` within its first `max` bytes:
/// `(length with line ending, content length)`, or `None` when there is no line ending
/// there. Fails on a bare LF unless the configuration allows it.
fn find_line(
    buf: &[u8],
    max: usize,
    offset: usize,
    config: &Config,
) -> Result<Option<(usize, usize)>, DecodeError> {
    let window = &buf[..buf.len().min(max)];
    let Some(lf) = window.iter().position(|&b| b == b'\n') else {
        return Ok(None);
    };
    if lf > 0 && buf[lf - 1] == b'\r' {
        Ok(Some((lf + 1, lf - 1)))
    } else if config.allow_bare_lf {
        Ok(Some((lf + 1, lf)))
    } else {
        Err(DecodeError::Syntax {
            what: Syntax::LineEnding,
            offset: offset + lf,
        })
    }
}

/// Parses `chunk-size [ chunk-ext ]`: hex digits, then optionally `;` extensions (ignored)
/// after optional whitespace.
fn parse_size(line: &[u8]) -> Option<usize> {
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 || digits > 16 {
        return None;
    }
    let rest = &line[digits..];
    let rest_ok = rest.iter().all(|&b| b == b' ' || b == b'\t') || {
        let t = rest
            .iter()
            .position(|&b| b != b' ' && b != b'\t')
            .unwrap_or(rest.len());
        rest.get(t) == Some(&b';')
            && rest
                .iter()
                .all(|&b| b == b'\t' || (0x20..0x7f).contains(&b) || b >= 0x80)
    };
    if !rest_ok {
        return None;
    }
    let mut n: usize = 0;
    for &b in &line[..digits] {
        let d = (b as char).to_digit(16)? as usize;
        n = n.checked_mul(16)?.checked_add(d)?;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn run(input: &[u8], config: &Config) -> Result<Option<Vec<u8>>, DecodeError> {
        let mut c = Chunked::Size;
        let mut buf = BytesMut::from(input);
        let mut body = BytesMut::new();
        let mut off = 0;
        match c.decode(&mut buf, &mut body, &mut off, config)? {
            Step::Done => Ok(Some(body.to_vec())),
            Step::NeedMore => Ok(None),
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size(b"1a"), Some(26));
        assert_eq!(parse_size(b"0"), Some(0));
        assert_eq!(parse_size(b"A;name=value"), Some(10));
        assert_eq!(parse_size(b"A ; ext"), Some(10));
        assert_eq!(parse_size(b""), None);
        assert_eq!(parse_size(b"x"), None);
        assert_eq!(parse_size(b"1 2"), None);
        assert_eq!(parse_size(b"fffffffffffffffff"), None);
        assert_eq!(parse_size(b"ffffffffffffffff"), Some(usize::MAX));
    }

    #[test]
    fn body_and_trailers() {
        let c = Config::strict();
        assert_eq!(
            run(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", &c)
                .unwrap()
                .unwrap(),
            b"hello world"
        );
        assert_eq!(
            run(b"5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n", &c)
                .unwrap()
                .unwrap(),
            b"hello"
        );
        assert_eq!(run(b"5\r\nhello\r\n0\r\n", &c).unwrap(), None);
        assert!(run(b"5\r\nhelloXX", &c).is_err());
        assert!(run(b"5\nhello\n0\n\n", &c).is_err());
        assert_eq!(
            run(b"5\nhello\n0\n\n", &Config::lenient())
                .unwrap()
                .unwrap(),
            b"hello"
        );
        assert!(run(b"0\r\nno colon\r\n\r\n", &c).is_err());
    }

    #[test]
    fn limits() {
        let mut c = Config::strict();
        c.limits.max_body_size = 8;
        assert_eq!(
            run(b"9\r\n", &c).err(),
            Some(DecodeError::BodyTooLarge { limit: 8 })
        );
        assert_eq!(
            run(b"4\r\nabcd\r\n5\r\n", &c).err(),
            Some(DecodeError::BodyTooLarge { limit: 8 })
        );
        assert!(matches!(
            run(&[b'1'; 2000], &c),
            Err(DecodeError::Syntax {
                what: Syntax::ChunkSize,
                ..
            })
        ));
        c.limits.max_headers = 1;
        assert_eq!(
            run(b"0\r\nA: 1\r\nB: 2\r\n\r\n", &c).err(),
            Some(DecodeError::TooManyHeaders { limit: 1 })
        );
    }
}
