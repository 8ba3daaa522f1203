//! Header block scanning: lines, line ends, folding, limits, and the lenient undoing of
//! the draft's indented payloads.

use std::borrow::Cow;

use super::MimeError;
use super::field::{
    Field, FieldName, FieldValue, has_control, is_tchar, is_token, trim_ows, trim_ows_end,
};
use crate::Config;

/// One header field as scanned: name and value borrowed from the payload (the value is
/// owned only when folded lines were joined).
#[derive(Debug, Clone)]
pub(crate) struct RawField<'a> {
    pub(crate) name: &'a str,
    pub(crate) value: Cow<'a, str>,
    /// 1-based line number of the field's first line.
    pub(crate) line: usize,
    /// Which of the fields the decoders look up by name this one is, found once when
    /// the block is scanned ([`Known::Other`] for any other name, and once taken).
    pub(crate) known: Known,
}

/// The field names the payload decoders take from every block, recognised once per
/// field when it is scanned, so that taking one compares a byte per field instead of
/// the names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Known {
    MimeVersion,
    ContentType,
    ImFormat,
    SessionId,
    TypingUser,
    Other,
}

impl Known {
    /// The name as the decoders spell it (for errors).
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Known::MimeVersion => "MIME-Version",
            Known::ContentType => "Content-Type",
            Known::ImFormat => "X-MMS-IM-Format",
            Known::SessionId => "Session-Id",
            Known::TypingUser => "TypingUser",
            Known::Other => "",
        }
    }

    /// Classifies a field name (a token), ignoring ASCII case. A token holds no byte
    /// that differs by `0x20` from a letter, a digit or `-` except the other case of
    /// the letter (the bytes below `0x20` are not token characters), so setting `0x20`
    /// in every byte folds exactly the letters; the known names hold only letters and
    /// `-`.
    fn of(name: &str) -> Known {
        /// The first eight bytes (`prefix`) and last eight bytes (`suffix`) of `name`,
        /// with `0x20` set in every byte; the two overlap for names shorter than 16.
        fn folded(name: &[u8]) -> Option<(u64, u64)> {
            let first: [u8; 8] = name.get(..8)?.try_into().ok()?;
            let last: [u8; 8] = name.get(name.len().checked_sub(8)?..)?.try_into().ok()?;
            const FOLD: u64 = 0x2020_2020_2020_2020;
            Some((
                u64::from_le_bytes(first) | FOLD,
                u64::from_le_bytes(last) | FOLD,
            ))
        }
        const fn key(s: &str) -> (u64, u64) {
            let b = s.as_bytes();
            let n = b.len();
            let mut first = [0u8; 8];
            let mut last = [0u8; 8];
            let mut i = 0;
            while i < 8 {
                first[i] = b[i].to_ascii_lowercase();
                last[i] = b[n - 8 + i].to_ascii_lowercase();
                i += 1;
            }
            (u64::from_le_bytes(first), u64::from_le_bytes(last))
        }
        const MIME_VERSION: (u64, u64) = key("MIME-Version");
        const CONTENT_TYPE: (u64, u64) = key("Content-Type");
        const IM_FORMAT: (u64, u64) = key("X-MMS-IM-Format");
        const SESSION_ID: (u64, u64) = key("Session-Id");
        const TYPING_USER: (u64, u64) = key("TypingUser");
        let Some(k) = folded(name.as_bytes()) else {
            return Known::Other;
        };
        match name.len() {
            12 if k == MIME_VERSION => Known::MimeVersion,
            12 if k == CONTENT_TYPE => Known::ContentType,
            15 if k == IM_FORMAT => Known::ImFormat,
            10 if k == SESSION_ID => Known::SessionId,
            10 if k == TYPING_USER => Known::TypingUser,
            _ => Known::Other,
        }
    }
}

impl<'a> RawField<'a> {
    /// A scanned field (`name` a token, or the lenient `MIME-Version`).
    fn new(name: &'a str, value: Cow<'a, str>, line: usize) -> Self {
        Self {
            name,
            value,
            line,
            known: Known::of(name),
        }
    }

    /// Whether the field is called `name` (ASCII case-insensitive).
    pub(crate) fn is(&self, name: &str) -> bool {
        self.name.len() == name.len() && self.name.eq_ignore_ascii_case(name)
    }

    /// The field as an owned, validated [`Field`].
    pub(crate) fn to_field(&self) -> Result<Field, MimeError> {
        let name =
            FieldName::new(self.name).map_err(|_| MimeError::InvalidName { line: self.line })?;
        let value = FieldValue::new(self.value.as_ref())
            .map_err(|_| MimeError::ControlCharacter { line: self.line })?;
        Ok(Field::from_parts(name, value))
    }
}

/// A scanned header block and where the rest of the payload starts.
#[derive(Debug)]
pub(crate) struct Block<'a> {
    pub(crate) fields: Vec<RawField<'a>>,
    /// Byte offset just after the block's terminating blank line (or the end of input).
    pub(crate) rest: usize,
    /// 1-based line number of the first line after the block.
    pub(crate) rest_line: usize,
    /// The input from the block's start offset to its end, when it is all UTF-8.
    valid_to_end: Option<(usize, &'a str)>,
}

impl<'a> Block<'a> {
    /// Removes and returns the single field called `name`; a second one is an error.
    ///
    /// A taken field is left in place with an empty name (no scanned field has one, and
    /// `name` is never empty), so taking does not shift the fields after it.
    pub(crate) fn take(&mut self, name: &'static str) -> Result<Option<RawField<'a>>, MimeError> {
        self.take_where(name, |field| field.is(name))
    }

    /// [`Block::take`] for one of the [`Known`] names: compares the classification
    /// made by the scan instead of the names.
    pub(crate) fn take_known(&mut self, known: Known) -> Result<Option<RawField<'a>>, MimeError> {
        self.take_where(known.name(), |field| field.known == known)
    }

    fn take_where(
        &mut self,
        name: &'static str,
        is: impl Fn(&RawField<'a>) -> bool,
    ) -> Result<Option<RawField<'a>>, MimeError> {
        let mut found = None;
        for field in &mut self.fields {
            if is(field) {
                if found.is_some() {
                    return Err(MimeError::DuplicateField {
                        name,
                        line: field.line,
                    });
                }
                let line = field.line;
                found = Some(std::mem::replace(
                    field,
                    RawField {
                        name: "",
                        value: Cow::Borrowed(""),
                        line,
                        known: Known::Other,
                    },
                ));
            }
        }
        Ok(found)
    }

    /// The input from byte `offset` on as text, when the scan's UTF-8 check covered
    /// it (the whole input from the block's start was valid).
    pub(crate) fn text_from(&self, offset: usize) -> Option<&'a str> {
        self.valid_to_end
            .and_then(|(start, text)| text.get(offset.checked_sub(start)?..))
    }

    /// The remaining fields as owned [`Field`]s, in order.
    pub(crate) fn into_extra(self) -> Result<Vec<Field>, MimeError> {
        self.fields
            .iter()
            .filter(|f| !f.name.is_empty())
            .map(RawField::to_field)
            .collect()
    }
}

/// The payload after lenient preparation, and the number of lines removed before it.
#[derive(Debug)]
pub(crate) struct Prepared<'a> {
    pub(crate) bytes: Cow<'a, [u8]>,
    /// Lines removed from the start (added to every reported line number).
    pub(crate) skipped_lines: usize,
}

const fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Length of the line starting at `pos`, without its terminator, and the offset after
/// its terminator.
fn line_at(input: &[u8], pos: usize) -> (&[u8], usize) {
    let rest = input.get(pos..).unwrap_or_default();
    match memchr::memchr(b'\n', rest) {
        Some(n) => (rest.get(..n).unwrap_or_default(), pos + n + 1),
        None => (rest, input.len()),
    }
}

/// The smallest indentation of the non-blank lines from byte `pos` on (0 if there are
/// none); stops at the first unindented line.
fn common_indent(input: &[u8], mut pos: usize) -> usize {
    let mut min: Option<usize> = None;
    while pos < input.len() {
        let (line, next) = line_at(input, pos);
        pos = next;
        let content = line.strip_suffix(b"\r").unwrap_or(line);
        if content.iter().all(|&b| is_ws(b)) {
            continue;
        }
        let n = content.iter().take_while(|&&b| is_ws(b)).count();
        if n == 0 {
            return 0;
        }
        min = Some(min.map_or(n, |m| m.min(n)));
    }
    min.unwrap_or(0)
}

/// Undoes the draft's presentation of payloads (sections 6.6.1 and 11) with
/// [`Config::trim_text`]: leading whitespace-only lines are dropped; the indentation is
/// that of the first line or, when the first line starts at the margin (section 6.6.1:
/// `<![CDATA[MIME-Version: 1.0` then indented lines), the smallest indentation of all
/// later non-blank lines; it is removed from every line, lines that are only whitespace
/// become empty, and trailing whitespace at the end of the payload is removed.
/// Without the flag, a payload that starts with whitespace is an error (and indented
/// later lines are left to the scanner, which sees folding).
pub(crate) fn prepare<'a>(input: &'a [u8], config: &Config) -> Result<Prepared<'a>, MimeError> {
    // Skip whitespace-only lines at the start.
    let mut pos = 0;
    let mut skipped = 0;
    loop {
        let (line, next) = line_at(input, pos);
        let blank = line.iter().all(|&b| is_ws(b) || b == b'\r');
        if blank && next > pos && next <= input.len() && input.get(next - 1) == Some(&b'\n') {
            pos = next;
            skipped += 1;
        } else {
            break;
        }
    }
    let (first, after_first) = line_at(input, pos);
    let first_indent = first.iter().take_while(|&&b| is_ws(b)).count();
    if !config.trim_text {
        if skipped > 0 || first_indent > 0 {
            return Err(MimeError::LeadingWhitespace { line: 1 });
        }
        return Ok(Prepared {
            bytes: Cow::Borrowed(input),
            skipped_lines: 0,
        });
    }
    let indent = if first_indent > 0 {
        first_indent
    } else {
        common_indent(input, after_first)
    };
    let rest = input.get(pos..).unwrap_or_default();
    if indent == 0 {
        return Ok(Prepared {
            bytes: Cow::Borrowed(rest),
            skipped_lines: skipped,
        });
    }
    let mut out = Vec::with_capacity(rest.len());
    let mut p = 0;
    while p < rest.len() {
        let (line, next) = line_at(rest, p);
        let content = line.strip_suffix(b"\r").unwrap_or(line);
        if content.iter().all(|&b| is_ws(b)) {
            out.extend_from_slice(line.get(content.len()..).unwrap_or_default());
        } else {
            let strip = content
                .iter()
                .take(indent)
                .take_while(|&&b| is_ws(b))
                .count();
            out.extend_from_slice(line.get(strip..).unwrap_or_default());
        }
        if next > p + line.len() {
            out.push(b'\n');
        }
        p = next;
    }
    let keep = out
        .iter()
        .rposition(|&b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .map_or(0, |i| i + 1);
    out.truncate(keep);
    Ok(Prepared {
        bytes: Cow::Owned(out),
        skipped_lines: skipped,
    })
}

/// Scans one header block starting at byte `start` (line number `line`): fields up to
/// the first empty line, or to the end of input.
pub(crate) fn scan<'a>(
    input: &'a [u8],
    start: usize,
    mut line: usize,
    config: &Config,
) -> Result<Block<'a>, MimeError> {
    // Payloads carry a handful of fields: one allocation holds them.
    let mut fields: Vec<RawField<'a>> = Vec::with_capacity(8);
    let mut lines = 0usize;
    let mut pos = start;
    // One UTF-8 check for the whole input instead of one per line: lines inside its
    // valid prefix are sliced from it; a line reaching past it is checked on its own,
    // which reports the error as before.
    let from_start = input.get(start..).unwrap_or_default();
    let (valid, valid_to_end) = match crate::syntax::from_utf8(from_start) {
        Ok(all) => (all, Some((start, all))),
        Err(e) => (
            std::str::from_utf8(&from_start[..e.valid_up_to()]).unwrap_or_default(),
            None,
        ),
    };
    while pos < input.len() {
        let line_start = pos - start;
        let (raw, next) = line_at(input, pos);
        let terminated = next > pos + raw.len();
        let content = match raw.strip_suffix(b"\r") {
            Some(c) => c,
            None if terminated && !config.allow_bare_lf => {
                return Err(MimeError::BareLf { line });
            }
            None => raw,
        };
        // The usual line: printable ASCII and tabs (so no carriage return, no control
        // character and valid UTF-8), `token: value`. Read in one pass over the name;
        // anything else takes the checks below, which find the same field or the error.
        if !content.is_empty() && !needs_checks(content) {
            let name_len = content.iter().take_while(|&&b| is_tchar(b)).count();
            if name_len > 0
                && content.get(name_len) == Some(&b':')
                && let Some(text) = valid.get(line_start..line_start + content.len())
                && lines < config.limits.max_headers
            {
                pos = next;
                lines += 1;
                // The colon is ASCII: both halves are char boundaries.
                let (name, value) = (&text[..name_len], &text[name_len + 1..]);
                fields.push(RawField::new(name, Cow::Borrowed(trim_ows(value)), line));
                line += 1;
                continue;
            }
        }
        if memchr::memchr(b'\r', content).is_some() {
            return Err(MimeError::BareCr { line });
        }
        pos = next;
        if content.is_empty() {
            return Ok(Block {
                fields,
                rest: pos,
                rest_line: line + 1,
                valid_to_end,
            });
        }
        lines += 1;
        if lines > config.limits.max_headers {
            return Err(MimeError::TooManyFields {
                limit: config.limits.max_headers,
            });
        }
        let text = match valid.get(line_start..line_start + content.len()) {
            Some(text) => text,
            None => std::str::from_utf8(content).map_err(|_| MimeError::NonUtf8 { line })?,
        };
        if text.starts_with([' ', '\t']) {
            let Some(prev) = fields.last_mut().filter(|_| config.relaxed_head_syntax) else {
                return Err(MimeError::Folded { line });
            };
            let more = trim_ows(text);
            check_value(more, line)?;
            if !more.is_empty() {
                let joined = prev.value.to_mut();
                if !joined.is_empty() {
                    joined.push(' ');
                }
                joined.push_str(more);
            }
        } else {
            fields.push(parse_line(text, line, config)?);
        }
        line += 1;
    }
    Ok(Block {
        fields,
        rest: input.len(),
        rest_line: line,
        valid_to_end,
    })
}

/// Whether `line` holds a byte the fast path of [`scan`] does not take: a control
/// character other than tab (a carriage return among them) or a non-ASCII byte. A
/// branch-free pass the compiler vectorizes.
fn needs_checks(line: &[u8]) -> bool {
    line.iter().fold(false, |acc, &b| {
        acc | ((b < 0x20) & (b != b'\t')) | (b >= 0x7F)
    })
}

fn check_value(value: &str, line: usize) -> Result<(), MimeError> {
    if has_control(value) {
        Err(MimeError::ControlCharacter { line })
    } else {
        Ok(())
    }
}

/// Parses `Name: value` (or, with [`Config::allow_known_typos`], `MIME-Version 1.0`).
fn parse_line<'a>(text: &'a str, line: usize, config: &Config) -> Result<RawField<'a>, MimeError> {
    // The colon is ASCII: both halves are char boundaries.
    let colon = memchr::memchr(b':', text.as_bytes());
    let (name, value) = match colon.map(|i| (&text[..i], &text[i + 1..])) {
        Some((name, value)) => {
            let name = if config.relaxed_head_syntax {
                trim_ows_end(name)
            } else {
                name
            };
            if is_token(name) {
                (name, value)
            } else {
                // `MIME-Version 1.0 (comment: x)` without a colon, but with one later on.
                match mime_version_without_colon(text, config) {
                    Some(v) => ("MIME-Version", v),
                    None => return Err(MimeError::InvalidName { line }),
                }
            }
        }
        None => match mime_version_without_colon(text, config) {
            Some(v) => ("MIME-Version", v),
            None => return Err(MimeError::MissingColon { line }),
        },
    };
    let value = trim_ows(value);
    check_value(value, line)?;
    Ok(RawField::new(name, Cow::Borrowed(value), line))
}

/// The value of the draft's `MIME-Version 1.0` line (section 11.2), if `text` is one
/// and known typos are accepted.
fn mime_version_without_colon<'a>(text: &'a str, config: &Config) -> Option<&'a str> {
    if !config.allow_known_typos {
        return None;
    }
    let head = text.get(..12)?;
    let rest = text.get(12..)?;
    (head.eq_ignore_ascii_case("MIME-Version") && rest.starts_with([' ', '\t'])).then_some(rest)
}

/// 1-based line number of byte `offset`, given that byte `base` starts line `base_line`.
pub(crate) fn line_of(input: &[u8], base: usize, base_line: usize, offset: usize) -> usize {
    let span = input.get(base..offset).unwrap_or_default();
    base_line + span.iter().filter(|&&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn names(b: &Block<'_>) -> Vec<(String, String, usize)> {
        b.fields
            .iter()
            .map(|f| (f.name.to_owned(), f.value.to_string(), f.line))
            .collect()
    }

    #[test]
    fn scans_crlf_block() {
        let input = b"A: 1\r\nb:  two \r\n\r\nbody";
        let block = scan(input, 0, 1, &Config::strict()).unwrap();
        assert_eq!(
            names(&block),
            [("A".into(), "1".into(), 1), ("b".into(), "two".into(), 2)]
        );
        assert_eq!(block.rest, 18);
        assert_eq!(block.rest_line, 4);
        assert_eq!(&input[block.rest..], b"body");
    }

    #[test]
    fn end_of_input_ends_block() {
        let block = scan(b"A: 1\r\nB: 2", 0, 1, &Config::strict()).unwrap();
        assert_eq!(block.fields.len(), 2);
        assert_eq!(block.rest, 10);
        let block = scan(b"", 0, 1, &Config::strict()).unwrap();
        assert!(block.fields.is_empty());
    }

    #[test]
    fn bare_lf_needs_flag() {
        let input = b"A: 1\nB: 2\n\nx";
        assert_eq!(
            scan(input, 0, 1, &Config::strict()).unwrap_err(),
            MimeError::BareLf { line: 1 }
        );
        let mut c = Config::strict();
        c.allow_bare_lf = true;
        let block = scan(input, 0, 1, &c).unwrap();
        assert_eq!(block.fields.len(), 2);
        assert_eq!(&input[block.rest..], b"x");
    }

    #[test]
    fn stray_cr_is_an_error() {
        assert_eq!(
            scan(b"A: 1\r2\r\n", 0, 1, &Config::lenient()).unwrap_err(),
            MimeError::BareCr { line: 1 }
        );
    }

    #[test]
    fn folding_needs_relaxed_head_syntax() {
        let input = b"A: 1\r\n  more\r\n\r\n";
        assert_eq!(
            scan(input, 0, 1, &Config::strict()).unwrap_err(),
            MimeError::Folded { line: 2 }
        );
        let block = scan(input, 0, 1, &Config::lenient()).unwrap();
        assert_eq!(block.fields[0].value, "1 more");
        assert_eq!(
            scan(b" A: 1\r\n", 0, 1, &Config::lenient()).unwrap_err(),
            MimeError::Folded { line: 1 }
        );
    }

    #[test]
    fn names_must_be_tokens() {
        assert_eq!(
            scan(b"A B: 1\r\n", 0, 1, &Config::lenient()).unwrap_err(),
            MimeError::InvalidName { line: 1 }
        );
        assert_eq!(
            scan(b": 1\r\n", 0, 1, &Config::lenient()).unwrap_err(),
            MimeError::InvalidName { line: 1 }
        );
        assert_eq!(
            scan(b"A : 1\r\n", 0, 1, &Config::strict()).unwrap_err(),
            MimeError::InvalidName { line: 1 }
        );
        assert_eq!(
            scan(b"A : 1\r\n", 0, 1, &Config::lenient()).unwrap().fields[0].name,
            "A"
        );
        assert_eq!(
            scan(b"A\r\n", 0, 1, &Config::lenient()).unwrap_err(),
            MimeError::MissingColon { line: 1 }
        );
    }

    #[test]
    fn mime_version_without_colon() {
        let input = b"MIME-Version 1.0\r\n\r\n";
        assert_eq!(
            scan(input, 0, 1, &Config::strict()).unwrap_err(),
            MimeError::MissingColon { line: 1 }
        );
        let block = scan(input, 0, 1, &Config::lenient()).unwrap();
        assert_eq!(names(&block), [("MIME-Version".into(), "1.0".into(), 1)]);
        let block = scan(b"MIME-Version 1.0 (a: b)\r\n", 0, 1, &Config::lenient()).unwrap();
        assert_eq!(
            names(&block),
            [("MIME-Version".into(), "1.0 (a: b)".into(), 1)]
        );
    }

    #[test]
    fn control_characters_and_utf8() {
        assert_eq!(
            scan(b"A: 1\x002\r\n", 0, 1, &Config::lenient()).unwrap_err(),
            MimeError::ControlCharacter { line: 1 }
        );
        assert_eq!(
            scan(b"A: \xff\r\n", 0, 1, &Config::lenient()).unwrap_err(),
            MimeError::NonUtf8 { line: 1 }
        );
        assert_eq!(
            scan("A: ü\r\n".as_bytes(), 0, 1, &Config::strict())
                .unwrap()
                .fields[0]
                .value,
            "ü"
        );
    }

    #[test]
    fn field_limit() {
        let mut c = Config::strict();
        c.limits.max_headers = 2;
        assert!(scan(b"A: 1\r\nB: 2\r\n\r\n", 0, 1, &c).is_ok());
        assert_eq!(
            scan(b"A: 1\r\nB: 2\r\nC: 3\r\n\r\n", 0, 1, &c).unwrap_err(),
            MimeError::TooManyFields { limit: 2 }
        );
    }

    #[test]
    fn take_rejects_duplicates() {
        let mut block = scan(b"A: 1\r\nB: 2\r\na: 3\r\n", 0, 1, &Config::strict()).unwrap();
        assert_eq!(
            block.take("A").unwrap_err(),
            MimeError::DuplicateField { name: "A", line: 3 }
        );
        let mut block = scan(b"A: 1\r\nB: 2\r\n", 0, 1, &Config::strict()).unwrap();
        assert_eq!(block.take("b").unwrap().unwrap().value, "2");
        assert!(block.take("C").unwrap().is_none());
        assert_eq!(block.into_extra().unwrap(), [Field::new("A", "1").unwrap()]);
    }

    #[test]
    fn prepare_leaves_plain_payloads_alone() {
        let p = prepare(b"A: 1\r\n\r\n  body  ", &Config::strict()).unwrap();
        assert!(matches!(p.bytes, Cow::Borrowed(_)));
        assert_eq!(p.skipped_lines, 0);
    }

    #[test]
    fn prepare_strict_rejects_leading_whitespace() {
        for input in [&b"\nA: 1\n"[..], b"  A: 1\n", b"\r\n", b" "] {
            assert_eq!(
                prepare(input, &Config::strict()).unwrap_err(),
                MimeError::LeadingWhitespace { line: 1 },
                "{input:?}"
            );
        }
    }

    #[test]
    fn prepare_undoes_indentation() {
        let input = b"\n   A: 1\n     folded\n   \n   body\n    more\n   ";
        let p = prepare(input, &Config::lenient()).unwrap();
        assert_eq!(p.skipped_lines, 1);
        assert_eq!(&*p.bytes, b"A: 1\n  folded\n\nbody\n more");
        let p = prepare(b"\r\nA: 1\r\n\r\nx\r\n", &Config::lenient()).unwrap();
        assert_eq!(p.skipped_lines, 1);
        assert_eq!(&*p.bytes, b"A: 1\r\n\r\nx\r\n");
        let p = prepare(b"  A: 1\r\n  \r\n  x\r\n  ", &Config::lenient()).unwrap();
        assert_eq!(&*p.bytes, b"A: 1\r\n\r\nx");
        // Section 6.6.1: the first line at the margin, the others indented.
        let p = prepare(
            b"A: 1\n    B: 2\n  \n    x\n      y\n    ",
            &Config::lenient(),
        )
        .unwrap();
        assert_eq!(p.skipped_lines, 0);
        assert_eq!(&*p.bytes, b"A: 1\nB: 2\n\nx\n  y");
        // A folded line followed by an unindented one is not re-indented.
        let input = b"A: 1\r\n  more\r\nB: 2\r\n\r\n";
        assert!(matches!(
            prepare(input, &Config::lenient()).unwrap().bytes,
            Cow::Borrowed(_)
        ));
        assert!(matches!(
            prepare(input, &Config::strict()).unwrap().bytes,
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn line_numbers() {
        assert_eq!(line_of(b"a\nb\nc", 0, 1, 4), 3);
        assert_eq!(line_of(b"a\nb\nc", 2, 2, 4), 3);
        assert_eq!(line_of(b"a", 0, 1, 99), 1);
    }
}
