//! Parsing of a complete message head: start line and header fields.
//!
//! The caller has already located the end of the head (the empty line) and checked its
//! size; this module checks the head's syntax and records where its parts are: the
//! start line's pieces and a [`FieldIndex`] of `(name, value)` byte ranges into the
//! head's `Bytes`. Nothing is copied except folded header lines (lenient mode only),
//! which are joined into a side buffer. Every check that `http` would make when the
//! owned [`Request`](crate::Request) or [`Response`](crate::Response) is built from the
//! index is made here, so building one cannot fail and both forms of a message are
//! accepted or refused together, with the same error.

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, StatusCode, Uri, Version};

use super::{DecodeError, Syntax};
use crate::message::is_reason_byte;
use crate::syntax::{bytes_below, bytes_equal, invisible_bytes, is_tchar, url_special_bytes};
use crate::{Config, Method, ReasonPhrase};

/// Longest header name `http::HeaderName` accepts.
const MAX_HEADER_NAME_LEN: usize = (1 << 16) - 1;

/// The parts of a request head.
#[derive(Debug)]
pub(crate) struct RequestHead {
    pub(crate) method: Method,
    /// The request target's range in the head (visible ASCII, accepted by `http::Uri`).
    pub(crate) target: (usize, usize),
    pub(crate) version: Version,
    pub(crate) fields: FieldIndex,
}

/// The parts of a response head.
#[derive(Debug)]
pub(crate) struct ResponseHead {
    pub(crate) status: StatusCode,
    /// The reason phrase's range in the head, if the status line has one.
    pub(crate) reason: Option<(usize, usize)>,
    pub(crate) version: Version,
    pub(crate) fields: FieldIndex,
}

/// What the field parser saw of the framing fields, so that framing needs no lookup
/// unless `Transfer-Encoding` is present.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FramingFields {
    /// A `Transfer-Encoding` field was present.
    pub(crate) transfer_encoding: bool,
    /// The length all `Content-Length` fields declare (`Some(None)`: one of them is
    /// invalid or they disagree), `None` without such a field.
    pub(crate) content_length: Option<Option<usize>>,
}

/// One header field: byte ranges of its name in the head and of its value (trimmed of
/// surrounding whitespace) in the head, or in the side buffer of joined folded lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Field {
    pub(crate) name: (usize, usize),
    pub(crate) value: (usize, usize),
    pub(crate) folded: bool,
    /// Which of the [`KNOWN`] names the field has (`0`: none of them).
    pub(crate) known: u8,
}

/// Names looked up on every message, in lower case: the RVP headers, `Depth`,
/// `Location`, the authentication headers and the framing headers. A field records
/// which one it has when parsed, so lookups compare a byte instead of a name.
pub(crate) const KNOWN: [&[u8]; 14] = [
    b"",
    b"rvp-notifications-version",
    b"rvp-from-principal",
    b"call-back",
    b"subscription-id",
    b"subscription-lifetime",
    b"notification-type",
    b"rvp-ack-type",
    b"rvp-hop-count",
    b"depth",
    b"location",
    b"www-authenticate",
    b"authorization",
    b"content-length",
];

/// `KNOWN` index of `Content-Length`.
const CONTENT_LENGTH: u8 = 13;

/// The [`KNOWN`] candidate for each name length (`13`: `RVP-Hop-Count` or
/// `Authorization`, told apart by the first letter).
const CANDIDATE_BY_LEN: [u8; 26] = {
    let mut table = [0u8; 26];
    let mut k = 1;
    while k < KNOWN.len() {
        table[KNOWN[k].len()] = k as u8;
        k += 1;
    }
    table
};

/// The [`KNOWN`] index of a header name of token characters (any letter case); `0`
/// for other names. A `const fn`, so a typed header's number is computed at compile
/// time from its name. Without a jump or a loop: the candidate comes from a table by
/// length, and the comparison is of four words (see [`name_words`]).
#[inline]
pub(crate) const fn known(name: &[u8]) -> u8 {
    /// Bit 5 of every byte: it maps an upper-case letter to its lower case and leaves
    /// `-` and lower-case letters alone; the only other byte it maps onto a letter or
    /// `-` is CR (onto `-`), which is not a token character.
    const CASE: u64 = 0x2020_2020_2020_2020;
    /// Each known name's words, with bit 5 set as in the names compared with them.
    const KNOWN_WORDS: [[u64; 4]; KNOWN.len()] = {
        let mut table = [[0u64; 4]; KNOWN.len()];
        let mut k = 0;
        while k < KNOWN.len() {
            let w = name_words(KNOWN[k]);
            table[k] = [w[0] | CASE, w[1] | CASE, w[2] | CASE, w[3] | CASE];
            k += 1;
        }
        table
    };
    if name.len() >= CANDIDATE_BY_LEN.len() {
        return 0;
    }
    let mut candidate = CANDIDATE_BY_LEN[name.len()];
    if name.len() == 13 && name[0] | 0x20 == b'r' {
        candidate = 8;
    }
    if candidate == 0 {
        return 0;
    }
    let (w, k) = (name_words(name), KNOWN_WORDS[candidate as usize]);
    if (w[0] | CASE) ^ k[0] | (w[1] | CASE) ^ k[1] | (w[2] | CASE) ^ k[2] | (w[3] | CASE) ^ k[3]
        == 0
    {
        candidate
    } else {
        0
    }
}

/// Four words that together cover a name of 4 to 32 bytes, so that two names of the
/// same length are equal when their words are: for 8 bytes or more, the words at 0, 8
/// and 16 (each moved back to end within the name) and the last one; below, the
/// four-byte words at the start and at the end, twice. Zeros for shorter names.
#[inline]
const fn name_words(s: &[u8]) -> [u64; 4] {
    let len = s.len();
    if len >= 8 {
        let last = len - 8;
        let at8 = if last < 8 { last } else { 8 };
        let at16 = if last < 16 { last } else { 16 };
        [word8(s, 0), word8(s, at8), word8(s, at16), word8(s, last)]
    } else if len >= 4 {
        let (a, b) = (word4(s, 0) as u64, word4(s, len - 4) as u64);
        [a, b, a, b]
    } else {
        [0; 4]
    }
}

/// The little-endian word of the eight bytes of `s` at `i` (`i + 8 <= s.len()`).
const fn word8(s: &[u8], i: usize) -> u64 {
    match s.split_at(i).1.first_chunk::<8>() {
        Some(w) => u64::from_le_bytes(*w),
        None => 0,
    }
}

/// The little-endian word of the four bytes of `s` at `i` (`i + 4 <= s.len()`).
const fn word4(s: &[u8], i: usize) -> u32 {
    match s.split_at(i).1.first_chunk::<4>() {
        Some(w) => u32::from_le_bytes(*w),
        None => 0,
    }
}

/// The names [`plain_fields`] recognises where a line starts, besides the [`KNOWN`]
/// ones: the two other names peers send on most messages.
const FAST_OTHERS: [&[u8]; 2] = [b"host", b"content-type"];

/// The names [`plain_fields`] recognises where a line starts, without looking for its
/// colon first: the [`KNOWN`] names (from `KNOWN[1]`), then [`FAST_OTHERS`].
const FAST_NAMES: [&[u8]; KNOWN.len() - 1 + FAST_OTHERS.len()] = {
    let mut names: [&[u8]; KNOWN.len() - 1 + FAST_OTHERS.len()] =
        [b""; KNOWN.len() - 1 + FAST_OTHERS.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = if i + 1 < KNOWN.len() {
            KNOWN[i + 1]
        } else {
            FAST_OTHERS[i + 1 - KNOWN.len()]
        };
        i += 1;
    }
    names
};

/// A multiplier that maps the [`fast_key`]s of the [`FAST_NAMES`] onto distinct
/// slots of [`FAST_TABLE`] (apart from the two pairs that share their first five bytes); found
/// by trying, and checked by `fast_names_table`.
const FAST_MULTIPLIER: u64 = 0x612e_7696_a6ce_cc1b;

/// What a line must start with to be one [`FAST_NAMES`] entry followed by `:`.
struct FastName {
    len: usize,
    /// Its [`KNOWN`] number (`0` for `Host` and `Content-Type`).
    known: u8,
    /// Its [`name_words`], lower case.
    words: [u64; 4],
    /// Bit 5 of each byte of `words` that is a letter: the only bits a name may differ
    /// in from the lower-case one. (Setting bit 5 of every byte would also let a CR
    /// through where the name has a `-`.)
    case: [u64; 4],
    /// The entry with the same key in [`FAST_TABLE`]'s second part, if any
    /// (`FAST_NONE`: none).
    next: u8,
}

const FAST_NONE: u8 = u8::MAX;

/// The first five bytes at `i`, with bit 5 set in each (the name's first five, in lower
/// case, or four and the colon for `Host`); `None` if fewer than eight bytes remain.
#[inline]
fn fast_key(bytes: &[u8], i: usize) -> Option<u64> {
    let w = bytes.get(i..)?.first_chunk::<8>()?;
    Some((u64::from_le_bytes(*w) | 0x20_2020_2020) & 0xff_ffff_ffff)
}

/// [`fast_key`] of a name (at least four bytes).
const fn fast_key_of(name: &[u8]) -> u64 {
    let mut key = [b':'; 8];
    let mut j = 0;
    while j < 5 && j < name.len() {
        key[j] = name[j];
        j += 1;
    }
    (u64::from_le_bytes(key) | 0x20_2020_2020) & 0xff_ffff_ffff
}

const fn fast_slot(key: u64) -> usize {
    (key.wrapping_mul(FAST_MULTIPLIER) >> 60) as usize
}

/// The [`FAST_NAMES`] entries by slot (an empty entry, of length 0, for a slot no key
/// lands in), and the entries whose slot an earlier name took (the second name of
/// each pair that shares its first five bytes).
const FAST_TABLE: ([FastName; 16], [FastName; 2]) = {
    const EMPTY: FastName = FastName {
        len: 0,
        known: 0,
        words: [0; 4],
        case: [0; 4],
        next: FAST_NONE,
    };
    let mut slots = [EMPTY; 16];
    let mut more = [EMPTY; 2];
    let mut taken = 0;
    let mut e = 0;
    while e < FAST_NAMES.len() {
        let name = FAST_NAMES[e];
        // `name_words` covers every byte of names of 4 to 32 bytes only.
        assert!(name.len() >= 4 && name.len() <= 32);
        let mut letters = [0u8; 32];
        let mut j = 0;
        while j < name.len() {
            if name[j].is_ascii_lowercase() {
                letters[j] = 0x20;
            }
            j += 1;
        }
        let (letters, _) = letters.split_at(name.len());
        let entry = FastName {
            len: name.len(),
            known: known(name),
            words: name_words(name),
            case: name_words(letters),
            next: FAST_NONE,
        };
        let slot = fast_slot(fast_key_of(name));
        if slots[slot].len == 0 {
            slots[slot] = entry;
        } else {
            // A slot holds one name and at most one more (`fast_names_table`).
            assert!(slots[slot].next == FAST_NONE);
            slots[slot].next = taken as u8;
            more[taken] = entry;
            taken += 1;
        }
        e += 1;
    }
    (slots, more)
};

/// The length and [`KNOWN`] number of the [`FAST_NAMES`] name, in any letter case,
/// that the line at `i` starts with, directly followed by `:`; `None` when it starts
/// with none of them (or too few bytes remain to tell).
#[inline]
fn fast_name(bytes: &[u8], i: usize) -> Option<(usize, u8)> {
    let key = fast_key(bytes, i)?;
    let (slots, more) = &FAST_TABLE;
    let mut entry = &slots[fast_slot(key)];
    loop {
        let end = i + entry.len;
        if entry.len != 0 && bytes.get(end) == Some(&b':') {
            let w = name_words(&bytes[i..end]);
            let (k, c) = (&entry.words, &entry.case);
            if (w[0] | c[0]) ^ k[0]
                | (w[1] | c[1]) ^ k[1]
                | (w[2] | c[2]) ^ k[2]
                | (w[3] | c[3]) ^ k[3]
                == 0
            {
                return Some((entry.len, entry.known));
            }
        }
        entry = more.get(usize::from(entry.next))?;
    }
}

/// The header fields of a head, as ranges into its bytes, in the order received.
#[derive(Debug)]
pub(crate) struct FieldIndex {
    /// The whole head, through its empty line.
    pub(crate) head: Bytes,
    pub(crate) fields: Vec<Field>,
    /// Values of folded fields, joined (lenient mode only).
    pub(crate) folded: Vec<u8>,
    pub(crate) framing: FramingFields,
    /// For each [`KNOWN`] name, one more than the position in `fields` of its first
    /// field (`0`: none).
    first: [u32; KNOWN.len()],
    /// Bit `k` is set when the [`KNOWN`] name `k` has more than one field.
    repeated: u16,
}

/// Where the fields of one name are, as [`FieldIndex::lookup`] tells.
pub(crate) enum Lookup<'a> {
    /// No field has the name.
    Absent,
    /// Exactly one field has it; its value.
    One(&'a [u8]),
    /// Several fields have it.
    Several,
}

/// What a field parser saw while reading the fields: the framing fields, and where
/// the fields of each [`KNOWN`] name are (the index of [`FieldIndex`]).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seen {
    pub(crate) framing: FramingFields,
    /// For each [`KNOWN`] name, one more than the position of its first field (`0`:
    /// none).
    first: [u32; KNOWN.len()],
    /// Bit `k` is set when the [`KNOWN`] name `k` has more than one field.
    repeated: u16,
}

impl Seen {
    /// Records that field number `n` (from 0) has the [`KNOWN`] name `known`.
    #[inline]
    fn field(&mut self, n: usize, known: u8) {
        let k = usize::from(known);
        match self.first.get_mut(k) {
            None => {}
            Some(_) if k == 0 => {}
            // The field count is bounded by the head size limit (a `u32` of fields
            // would need a head of more than 8 GiB).
            Some(first @ 0) => *first = u32::try_from(n + 1).unwrap_or(u32::MAX),
            Some(_) => self.repeated |= 1 << k,
        }
    }
}

impl FieldIndex {
    /// Indexes `fields` of `head`: records where the first field of each known name
    /// is, and which known names occur more than once.
    pub(crate) fn new(
        head: Bytes,
        fields: Vec<Field>,
        folded: Vec<u8>,
        framing: FramingFields,
    ) -> Self {
        let mut seen = Seen {
            framing,
            ..Seen::default()
        };
        for (n, field) in fields.iter().enumerate() {
            seen.field(n, field.known);
        }
        Self::from_seen(head, fields, folded, seen)
    }

    /// The index of `fields` of `head`, which a parser has already made (`seen`).
    pub(crate) fn from_seen(head: Bytes, fields: Vec<Field>, folded: Vec<u8>, seen: Seen) -> Self {
        Self {
            head,
            fields,
            folded,
            framing: seen.framing,
            first: seen.first,
            repeated: seen.repeated,
        }
    }

    /// The fields with the [`KNOWN`] name `known` (not `0`).
    #[inline]
    pub(crate) fn lookup(&self, known: u8) -> Lookup<'_> {
        let k = usize::from(known);
        match self.first.get(k) {
            None | Some(0) => Lookup::Absent,
            Some(_) if self.repeated & (1 << k) != 0 => Lookup::Several,
            Some(&i) => match self.fields.get(i as usize - 1) {
                Some(field) => Lookup::One(self.value(field)),
                None => Lookup::Absent,
            },
        }
    }

    /// The raw name of `field` (token characters, any letter case).
    pub(crate) fn name(&self, field: &Field) -> &[u8] {
        self.head
            .get(field.name.0..field.name.1)
            .unwrap_or_default()
    }

    /// The value of `field` (field-value bytes, no surrounding whitespace).
    #[inline]
    pub(crate) fn value(&self, field: &Field) -> &[u8] {
        let (s, e) = field.value;
        let src: &[u8] = if field.folded {
            &self.folded
        } else {
            &self.head
        };
        src.get(s..e).unwrap_or_default()
    }

    /// Builds the `http` header map; gives back the field list for reuse.
    pub(crate) fn to_header_map(&self) -> HeaderMap {
        let mut map = HeaderMap::with_capacity(self.fields.len());
        for field in &self.fields {
            // The parser made every check `HeaderName` and `HeaderValue` make, so the
            // conversions succeed; a field they refused anyway would be skipped.
            let Ok(name) = header_name(self.name(field)) else {
                debug_assert!(false, "header name the parser accepted");
                continue;
            };
            let value = if field.folded {
                HeaderValue::from_bytes(self.value(field))
            } else {
                HeaderValue::from_maybe_shared(self.head.slice(field.value.0..field.value.1))
            };
            let Ok(value) = value else {
                debug_assert!(false, "header value the parser accepted");
                continue;
            };
            map.append(name, value);
        }
        map
    }

    /// Takes the field list out for reuse by the next head, emptied (the index keeps
    /// an empty one).
    pub(crate) fn take_spare(&mut self) -> Vec<Field> {
        let mut fields = std::mem::take(&mut self.fields);
        fields.clear();
        fields
    }
}

impl RequestHead {
    /// The request target as text.
    pub(crate) fn target_str(&self) -> &str {
        let (s, e) = self.target;
        // Checked to be visible ASCII by the parser.
        self.fields
            .head
            .get(s..e)
            .and_then(|t| std::str::from_utf8(t).ok())
            .unwrap_or("/")
    }

    /// The request target as an `http::Uri`.
    pub(crate) fn uri(&self) -> Uri {
        let (s, e) = self.target;
        // The parser checked that `http` accepts the target.
        Uri::from_maybe_shared(self.fields.head.slice(s..e)).unwrap_or_else(|_| {
            debug_assert!(false, "request target the parser accepted");
            Uri::default()
        })
    }
}

impl ResponseHead {
    /// The reason phrase, if the status line has one.
    pub(crate) fn reason_bytes(&self) -> Option<&[u8]> {
        let (s, e) = self.reason?;
        self.fields.head.get(s..e)
    }

    /// The reason phrase as the owned type.
    pub(crate) fn reason_phrase(&self) -> Option<ReasonPhrase> {
        let (s, e) = self.reason?;
        // Checked by the parser.
        ReasonPhrase::from_bytes(self.fields.head.slice(s..e)).ok()
    }
}

/// A cursor over the head's lines.
struct Lines<'a> {
    head: &'a [u8],
    pos: usize,
    config: &'a Config,
}

impl Lines<'_> {
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

/// A message head's type, parsed from its start line and header fields.
pub(crate) trait ParseHead: Sized {
    /// What the start line holds.
    type Line;

    /// Parses the start line at the front of `head`; gives it with the position of the
    /// first field line.
    fn start_line(head: &[u8], config: &Config) -> Result<(Self::Line, usize), DecodeError>;

    /// [`start_line`](Self::start_line) for a start line of the usual form, or `None`
    /// (for anything else too: the caller then takes the checking path).
    fn plain_start_line(head: &[u8], config: &Config) -> Option<(Self::Line, usize)> {
        Self::start_line(head, config).ok()
    }

    /// The head of `line` and `fields`.
    fn assemble(line: Self::Line, fields: FieldIndex) -> Self;

    /// The head's field list, emptied, for the next head to reuse (taken out in place:
    /// a head is a few hundred bytes, not worth moving to be dropped).
    fn take_spare(&mut self) -> Vec<Field>;
}

/// Parses a head (`head` ends with the empty line); `spare` is an empty list whose
/// capacity is reused for the fields.
pub(crate) fn parse_head<H: ParseHead>(
    head: Bytes,
    config: &Config,
    spare: Vec<Field>,
) -> Result<H, DecodeError> {
    let (line, pos) = H::start_line(&head, config)?;
    let fields = parse_fields(head, pos, config, spare)?;
    Ok(H::assemble(line, fields))
}

/// A complete head of the usual form (see [`parse_fields`]) at the front of `buf`,
/// within the head size limit: its length, start line and framing fields, with its
/// fields in `spare`. `None` for anything else (an incomplete head included), which
/// the caller parses the checking way once the head is complete; this path never
/// reports an error of its own.
#[inline]
pub(crate) fn parse_plain_head<H: ParseHead>(
    buf: &[u8],
    config: &Config,
    spare: &mut Vec<Field>,
    seen: &mut Seen,
) -> Option<(usize, H::Line)> {
    let window = &buf[..buf.len().min(config.limits.max_head_size)];
    let (line, pos) = H::plain_start_line(window, config)?;
    let end = plain_fields(window, pos, config, spare, seen)?;
    Some((end, line))
}

/// A request line: method, target range, version.
pub(crate) type RequestLine = (Method, (usize, usize), Version);

impl ParseHead for RequestHead {
    type Line = RequestLine;

    fn start_line(head: &[u8], config: &Config) -> Result<(RequestLine, usize), DecodeError> {
        request_line(head, config)
    }

    #[inline]
    fn plain_start_line(head: &[u8], config: &Config) -> Option<(RequestLine, usize)> {
        plain_request_line(head, config)
    }

    fn assemble((method, target, version): RequestLine, fields: FieldIndex) -> Self {
        Self {
            method,
            target,
            version,
            fields,
        }
    }

    fn take_spare(&mut self) -> Vec<Field> {
        self.fields.take_spare()
    }
}

/// A status line: status, reason phrase range, version.
pub(crate) type StatusLine = (StatusCode, Option<(usize, usize)>, Version);

impl ParseHead for ResponseHead {
    type Line = StatusLine;

    fn start_line(head: &[u8], config: &Config) -> Result<(StatusLine, usize), DecodeError> {
        status_line(head, config)
    }

    fn assemble((status, reason, version): StatusLine, fields: FieldIndex) -> Self {
        Self {
            status,
            reason,
            version,
            fields,
        }
    }

    fn take_spare(&mut self) -> Vec<Field> {
        self.fields.take_spare()
    }
}

/// Parses a request head (`head` ends with the empty line); `spare` as for
/// [`parse_head`].
#[cfg(test)]
pub(crate) fn parse_request(
    head: Bytes,
    config: &Config,
    spare: Vec<Field>,
) -> Result<RequestHead, DecodeError> {
    parse_head(head, config, spare)
}

/// Parses a response head (`head` ends with the empty line); `spare` as for
/// [`parse_head`].
#[cfg(test)]
pub(crate) fn parse_response(
    head: Bytes,
    config: &Config,
    spare: Vec<Field>,
) -> Result<ResponseHead, DecodeError> {
    parse_head(head, config, spare)
}

fn request_line(head: &[u8], config: &Config) -> Result<(RequestLine, usize), DecodeError> {
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
    let target = &line[t_start..t_end];
    // One branch-free pass: visible ASCII, and whether any byte needs a closer look.
    let (invisible, special) = target.iter().fold((false, false), |(inv, sp), &b| {
        (
            inv | !(0x21..0x7f).contains(&b),
            sp | matches!(b, b'#' | b'<' | b'>' | b'`' | b'"'),
        )
    });
    if invisible {
        let bad = target
            .iter()
            .position(|&b| !(0x21..0x7f).contains(&b))
            .unwrap_or(0);
        return Err(syntax(Syntax::RequestTarget, start + t_start + bad));
    }
    if !target_accepted(target, special) {
        return Err(syntax(Syntax::RequestTarget, start + t_start));
    }

    let v_start = skip_spaces(line, t_end + 1, relaxed, start)?;
    let mut v_end = line.len();
    if relaxed {
        while v_end > v_start && matches!(line[v_end - 1], b' ' | b'\t') {
            v_end -= 1;
        }
    }
    let version = parse_version(&line[v_start..v_end], start + v_start)?;

    Ok((
        (method, (start + t_start, start + t_end), version),
        lines.pos,
    ))
}

/// The request line of the usual form, `method SP target SP HTTP/1.x CRLF` (or a bare
/// LF where allowed) with a visible-ASCII target, read eight bytes at a time; `None`
/// for anything else. Gives what [`request_line`] gives for such a line.
fn plain_request_line(head: &[u8], config: &Config) -> Option<(RequestLine, usize)> {
    let m_end = method_end(head)?;
    // `from_bytes` refuses what is not a token.
    let method = Method::from_bytes(&head[..m_end]).ok()?;
    let t_start = m_end + 1;
    let (t_end, special) = target_end(head, t_start)?;
    if t_end == t_start || head.get(t_end) != Some(&b' ') {
        return None;
    }
    let target = &head[t_start..t_end];
    if !target_accepted(target, special) {
        return None;
    }
    let v = t_end + 1;
    let version = match head.get(v..v + 8)? {
        b"HTTP/1.1" => Version::HTTP_11,
        b"HTTP/1.0" => Version::HTTP_10,
        _ => return None,
    };
    let pos = match head.get(v + 8..v + 10) {
        Some(b"\r\n") => v + 10,
        Some([b'\n', _]) if config.allow_bare_lf => v + 9,
        None if config.allow_bare_lf && head.get(v + 8) == Some(&b'\n') => v + 9,
        _ => return None,
    };
    Some(((method, (t_start, t_end), version), pos))
}

/// Whether `http::Uri` accepts a visible-ASCII request target; `special` as for
/// [`plain_visible_target`](crate::header::plain_visible_target), which answers
/// without parsing for the plain forms.
fn target_accepted(target: &[u8], special: bool) -> bool {
    crate::header::plain_visible_target(target, special) || Uri::try_from(target).is_ok()
}

/// The position of the first space among the first 16 bytes of a request line, which
/// hold every method this crate names (longer ones take the checking path).
fn method_end(head: &[u8]) -> Option<usize> {
    // Two words (a search call costs more than the method is long).
    let Some((lo, hi)) = head.first_chunk::<16>().map(|w| w.split_at(8)) else {
        return head.iter().position(|&b| b == b' ');
    };
    let word = |w: &[u8]| {
        w.first_chunk()
            .map_or(0, |w| bytes_equal(u64::from_le_bytes(*w), b' '))
    };
    match (word(lo), word(hi)) {
        (0, 0) => None,
        (0, hi) => Some(8 + (hi.trailing_zeros() / 8) as usize),
        (lo, _) => Some((lo.trailing_zeros() / 8) as usize),
    }
}

/// The end of a request target starting at `from`: the first byte that is not visible
/// ASCII. Also tells whether any of `#`, `<`, `>`, `` ` `` and `"` is before it (or
/// near after it: `true` only costs [`plain_visible_target`] a closer look).
fn target_end(bytes: &[u8], mut i: usize) -> Option<(usize, bool)> {
    let mut special = 0u64;
    while let Some(chunk) = bytes.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        let x = u64::from_le_bytes(*chunk);
        special |= url_special_bytes(x);
        let stop = invisible_bytes(x);
        if stop != 0 {
            return Some((i + (stop.trailing_zeros() / 8) as usize, special != 0));
        }
        i += 8;
    }
    let rest = bytes.get(i..)?;
    let n = rest.iter().position(|&b| !(0x21..0x7f).contains(&b))?;
    let special = special != 0 || rest[..n].iter().any(|b| b"#<>`\"".contains(b));
    Some((i + n, special))
}

fn status_line(head: &[u8], config: &Config) -> Result<(StatusLine, usize), DecodeError> {
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
            Some((start + after + 1, end))
        }
        Some(_) => return Err(syntax(Syntax::StatusCode, start + after)),
    };

    Ok(((status, reason, version), lines.pos))
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

/// Parses the header field lines from `pos` up to the empty line into an index.
///
/// The usual head (every line a token name directly followed by `:`, a value of
/// field-value bytes, a CRLF or an allowed bare LF, no folding, within the field
/// limit) is read in one pass by [`plain_fields`]; anything else is parsed again by
/// [`parse_fields_checked`], which finds the error, or the lenient reading, exactly.
pub(super) fn parse_fields(
    head: Bytes,
    pos: usize,
    config: &Config,
    mut fields: Vec<Field>,
) -> Result<FieldIndex, DecodeError> {
    let mut seen = Seen::default();
    match plain_fields(&head, pos, config, &mut fields, &mut seen) {
        Some(end) if end == head.len() => Ok(FieldIndex::from_seen(head, fields, Vec::new(), seen)),
        _ => parse_fields_checked(head, pos, config, fields),
    }
}

/// Reads the usual field lines (see [`parse_fields`]) from `pos` into `fields`, up to
/// and including the empty line, and records what it saw in `seen` (which starts
/// empty); gives the position after the empty line. `None` when a line is not of the
/// usual form, the field limit is reached, or `bytes` ends before the empty line: the
/// caller then takes the checking path.
pub(super) fn plain_fields(
    bytes: &[u8],
    pos: usize,
    config: &Config,
    fields: &mut Vec<Field>,
    seen: &mut Seen,
) -> Option<usize> {
    fields.clear();
    let mut i = pos;
    loop {
        match bytes.get(i) {
            Some(b'\r') if bytes.get(i + 1) == Some(&b'\n') => break Some(i + 2),
            Some(b'\n') if config.allow_bare_lf => break Some(i + 1),
            // A folded line, or whitespace before the first field.
            Some(b' ' | b'\t') | None => break None,
            _ => {}
        }
        if fields.len() == config.limits.max_headers {
            break None;
        }
        let start = i;
        let (name_end, known) = match fast_name(bytes, start) {
            Some((len, known)) => (start + len, known),
            None => {
                let name_end = name_end(bytes, start);
                if name_end == start
                    || name_end - start > MAX_HEADER_NAME_LEN
                    || bytes.get(name_end) != Some(&b':')
                {
                    break None;
                }
                let name = &bytes[start..name_end];
                let known = known(name);
                // `name_end` stopped at the first byte that is `:`, a space or a
                // control: a known name equal to one of `KNOWN` ignoring case is a
                // token (see `known`), any other is checked byte by byte.
                if known == 0 && !name.iter().all(|&b| is_tchar(b)) {
                    break None;
                }
                if known == 0 && name.len() == 17 && name.eq_ignore_ascii_case(b"transfer-encoding")
                {
                    seen.framing.transfer_encoding = true;
                }
                (name_end, known)
            }
        };
        i = name_end + 1;
        let stop = field_value_end(bytes, i);
        let (end, next) = match bytes.get(stop..).unwrap_or_default() {
            [b'\r', b'\n', ..] => (stop, stop + 2),
            [b'\n', ..] if config.allow_bare_lf => (stop, stop + 1),
            _ => break None,
        };
        let (vs, ve) = trim_ows(&bytes[..end], i);
        let value = &bytes[vs..ve];
        if known == CONTENT_LENGTH {
            let framing = &mut seen.framing;
            framing.content_length = Some(match framing.content_length {
                Some(None) => None,
                // The usual one field of digits (what `content_length` reads first).
                None => super::parse_length(value)
                    .or_else(|| super::content_length(std::iter::once(value), None)),
                previous => super::content_length(std::iter::once(value), previous.flatten()),
            });
        }
        seen.field(fields.len(), known);
        fields.push(Field {
            name: (start, name_end),
            value: (vs, ve),
            folded: false,
            known,
        });
        i = next;
    }
}

/// The field parser that checks every rule and reports the first error; see
/// [`parse_fields`].
pub(super) fn parse_fields_checked(
    head: Bytes,
    pos: usize,
    config: &Config,
    mut fields: Vec<Field>,
) -> Result<FieldIndex, DecodeError> {
    fields.clear();
    let mut folded = Vec::new();
    let mut framing = FramingFields::default();
    let mut lines = Lines {
        head: &head,
        pos,
        config,
    };
    loop {
        let Some((start, end)) = lines.next_line()? else {
            return Err(syntax(Syntax::LineEnding, head.len()));
        };
        if start == end {
            break;
        }
        let line = &head[start..end];
        if matches!(line[0], b' ' | b'\t') {
            // A continuation line with no field before it.
            return Err(syntax(Syntax::ObsFold, start));
        }
        if fields.len() == config.limits.max_headers {
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
        // Exactly what `HeaderName` accepts: 1 to 65535 token characters.
        if raw_name.is_empty()
            || raw_name.len() > MAX_HEADER_NAME_LEN
            || !raw_name.iter().all(|&b| is_tchar(b))
        {
            let bad = raw_name.iter().position(|&b| !is_tchar(b)).unwrap_or(0);
            return Err(syntax(Syntax::HeaderName, start + bad));
        }

        let (v_start, v_end) = trim_ows(line, colon + 1);
        let field = if lines.at_continuation() {
            if !config.relaxed_head_syntax {
                return Err(syntax(Syntax::ObsFold, lines.pos));
            }
            check_value(&line[v_start..v_end], start + v_start)?;
            let joined_start = folded.len();
            folded.extend_from_slice(&line[v_start..v_end]);
            while lines.at_continuation() {
                let Some((cs, ce)) = lines.next_line()? else {
                    break;
                };
                let cont = &head[cs..ce];
                let (s, e) = trim_ows(cont, 0);
                check_value(&cont[s..e], cs + s)?;
                if s < e {
                    if folded.len() > joined_start {
                        folded.push(b' ');
                    }
                    folded.extend_from_slice(&cont[s..e]);
                }
            }
            Field {
                name: (start, start + name_end),
                value: (joined_start, folded.len()),
                folded: true,
                known: known(raw_name),
            }
        } else {
            check_value(&line[v_start..v_end], start + v_start)?;
            Field {
                name: (start, start + name_end),
                value: (start + v_start, start + v_end),
                folded: false,
                known: known(raw_name),
            }
        };
        let value: &[u8] = if field.folded {
            &folded[field.value.0..field.value.1]
        } else {
            &head[field.value.0..field.value.1]
        };
        if raw_name.eq_ignore_ascii_case(b"content-length") {
            let previous = framing.content_length.unwrap_or(None);
            framing.content_length = Some(match framing.content_length {
                Some(None) => None,
                _ => super::content_length(std::iter::once(value), previous),
            });
        } else if raw_name.eq_ignore_ascii_case(b"transfer-encoding") {
            framing.transfer_encoding = true;
        }
        fields.push(field);
    }
    Ok(FieldIndex::new(head, fields, folded, framing))
}

fn check_value(value: &[u8], offset: usize) -> Result<(), DecodeError> {
    // A branch-free pass (it vectorizes) over the usual, valid value; the offending
    // byte is looked for only when there is one.
    let bad = value.iter().fold(false, |acc, &b| acc | !is_field_byte(b));
    match bad.then(|| value.iter().position(|&b| !is_field_byte(b))) {
        Some(Some(bad)) => Err(syntax(Syntax::HeaderValue, offset + bad)),
        _ => Ok(()),
    }
}

/// The position of the first byte at or after `i` that ends a header name: `:`, a
/// space or a control byte (`bytes.len()` if none). Eight bytes at a time.
fn name_end(bytes: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = bytes.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        let x = u64::from_le_bytes(*chunk);
        let stop = bytes_below(x, 0x21) | bytes_equal(x, b':');
        if stop != 0 {
            return i + (stop.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    bytes[i.min(bytes.len())..]
        .iter()
        .position(|&b| b == b':' || b < 0x21)
        .map_or(bytes.len(), |n| i + n)
}

/// The position of the first byte at or after `i` that is not a field-value byte
/// (HTAB, SP, VCHAR, obs-text): a line end, another control or DEL (`bytes.len()` if
/// none). Eight bytes at a time; a tab (a control the scan stops at) is stepped over.
fn field_value_end(bytes: &[u8], mut i: usize) -> usize {
    loop {
        while let Some(chunk) = bytes.get(i..).and_then(<[u8]>::first_chunk::<8>) {
            let x = u64::from_le_bytes(*chunk);
            let stop = bytes_below(x, 0x20) | bytes_equal(x, 0x7f);
            if stop != 0 {
                i += (stop.trailing_zeros() / 8) as usize;
                break;
            }
            i += 8;
        }
        match bytes.get(i) {
            // The usual stop: the line's end.
            Some(b'\r' | b'\n') => return i,
            Some(b'\t') => i += 1,
            Some(&b) if is_field_byte(b) => {
                // Fewer than eight bytes were left: the rest one by one.
                return bytes[i..]
                    .iter()
                    .position(|&b| !is_field_byte(b))
                    .map_or(bytes.len(), |n| i + n);
            }
            _ => return i.min(bytes.len()),
        }
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

/// RFC 9110 field-value bytes: HTAB, SP, VCHAR, obs-text (exactly what `HeaderValue`
/// accepts).
fn is_field_byte(b: u8) -> bool {
    b == b'\t' || (b >= 0x20 && b != 0x7f)
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

    fn req(s: &str, config: &Config) -> Result<crate::Request, DecodeError> {
        parse_request(Bytes::copy_from_slice(s.as_bytes()), config, Vec::new())
            .map(|h| super::super::view::request_from(&h, Bytes::new()))
    }

    fn rsp(s: &str, config: &Config) -> Result<crate::Response, DecodeError> {
        parse_response(Bytes::copy_from_slice(s.as_bytes()), config, Vec::new())
            .map(|h| super::super::view::response_from(&h, Bytes::new()))
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

    /// Every header type of the crate is found through the parser's index: its title
    /// is its name in another letter case, and the name is a known one.
    #[test]
    fn typed_headers_have_known_names() {
        use crate::header::{self as h, TypedHeader};
        fn check<H: TypedHeader>() {
            assert!(
                H::TITLE.eq_ignore_ascii_case(H::NAME.as_str()),
                "{}",
                H::TITLE
            );
            let k = known(H::TITLE.as_bytes());
            assert_ne!(k, 0, "{}", H::TITLE);
            assert_eq!(KNOWN[usize::from(k)], H::NAME.as_str().as_bytes());
        }
        check::<h::NotificationsVersion>();
        check::<h::FromPrincipal>();
        check::<h::CallBack>();
        check::<h::SubscriptionId>();
        check::<h::SubscriptionLifetime>();
        check::<h::NotificationType>();
        check::<h::AckType>();
        check::<h::HopCount>();
        check::<h::Depth>();
        check::<h::Location>();
        check::<h::WwwAuthenticate>();
        check::<h::Authorization>();
        assert_eq!(known(b"Content-Length"), CONTENT_LENGTH);
        assert_eq!(known(b"Host"), 0);
        assert_eq!(known(b"Call-Bach"), 0);
        assert_eq!(known(b"rvp-hop-counT"), 8);
        assert_eq!(known(b"Authorization"), 12);
    }

    /// What `known` must give: the index of the name equal to `name` ignoring case.
    fn known_reference(name: &[u8]) -> u8 {
        (1..KNOWN.len())
            .find(|&k| KNOWN[k].eq_ignore_ascii_case(name))
            .map_or(0, |k| k as u8)
    }

    /// `name` with the letters whose bit in `case` (by position, modulo 32) is set in
    /// upper case.
    fn in_case(name: &[u8], case: u32) -> Vec<u8> {
        name.iter()
            .enumerate()
            .map(|(i, &b)| {
                if case >> (i % 32) & 1 == 1 {
                    b.to_ascii_uppercase()
                } else {
                    b
                }
            })
            .collect()
    }

    proptest::proptest! {
        /// Every known name in every letter case, with one byte changed anywhere (to a
        /// token character or not), and arbitrary tokens.
        #[test]
        fn known_agrees_with_reference(
            k in 1..KNOWN.len(),
            case in proptest::arbitrary::any::<u32>(),
            change in proptest::option::of((proptest::arbitrary::any::<proptest::sample::Index>(), proptest::arbitrary::any::<u8>())),
            token in "[!#$%&'*+.^_`|~0-9A-Za-z-]{0,30}",
        ) {
            let mut name = in_case(KNOWN[k], case);
            if let Some((at, byte)) = change {
                let i = at.index(name.len());
                name[i] = byte;
            }
            if name.iter().all(|&b| crate::syntax::is_tchar(b)) {
                proptest::prop_assert_eq!(known(&name), known_reference(&name), "{:?}", name);
            }
            proptest::prop_assert_eq!(known(token.as_bytes()), known_reference(token.as_bytes()));
        }
    }

    /// What `fast_name` must say of a line: the name before the first `:` when it is one
    /// of `FAST_NAMES` ignoring case.
    fn fast_name_reference(line: &[u8]) -> Option<(usize, u8)> {
        let colon = line.iter().position(|&b| b == b':')?;
        let name = &line[..colon];
        FAST_NAMES
            .iter()
            .any(|f| f.eq_ignore_ascii_case(name))
            .then(|| (colon, known_reference(name)))
    }

    /// The first space among the first 16 bytes, in lines of every length up to 24
    /// with up to two spaces anywhere, among bytes next to a space's value and others.
    #[test]
    fn method_end_finds_the_first_space() {
        let filler = [b'M', 0x00, 0x1f, 0x21, b'\t', 0xa0, 0x60];
        for len in 0..24 {
            for a in 0..=len {
                for b in a..=len {
                    let mut line: Vec<u8> =
                        (0..len).map(|i| filler[(i + a) % filler.len()]).collect();
                    for at in [a, b] {
                        if let Some(byte) = line.get_mut(at) {
                            *byte = b' ';
                        }
                    }
                    let expected = line.iter().take(16).position(|&c| c == b' ');
                    assert_eq!(method_end(&line), expected, "{line:?}");
                }
            }
        }
    }

    #[test]
    fn fast_names_table() {
        let (slots, more) = &FAST_TABLE;
        // Only the two pairs that share their first five bytes share a slot.
        assert_eq!(
            slots.iter().filter(|e| e.len != 0).count(),
            FAST_NAMES.len() - 2
        );
        assert_eq!(more.iter().filter(|e| e.len != 0).count(), 2);
        for (e, name) in FAST_NAMES.iter().enumerate() {
            let line = [*name, b": x\r\n"].concat();
            assert_eq!(fast_name(&line, 0), Some((name.len(), known(name))));
            // `Host` and `Content-Type` have no number; every other name has its own.
            assert_eq!(known(name) == 0, e + 1 >= KNOWN.len());
        }
        // Every name with every byte at every place (the colon's included), and cut
        // short before the colon: a match exactly when the line is still the name and
        // its colon in some letter case.
        for name in FAST_NAMES {
            let line = [name, &b":  x"[..]].concat();
            for at in 0..=name.len() {
                for byte in 0..=u8::MAX {
                    let mut changed = line.clone();
                    changed[at] = byte;
                    assert_eq!(
                        fast_name(&changed, 0),
                        fast_name_reference(&changed),
                        "{changed:?}"
                    );
                }
            }
            for len in 0..line.len() {
                let cut = [&line[..len], &b"\r\n\r\n\r\n\r\n"[..]].concat();
                let expected = (len > name.len()).then(|| (name.len(), known(name)));
                assert_eq!(fast_name(&cut, 0), expected, "{cut:?}");
            }
        }
        // A slot no name lands in matches nothing, a line starting with the colon
        // included.
        for (slot, entry) in slots.iter().enumerate() {
            if entry.len == 0 {
                let line = b":\r\n\r\nxxxxxx";
                assert_eq!(fast_name(line, 0), None, "slot {slot}");
            }
        }
        // A CR where the name has a hyphen (bit 5 apart) is no match.
        assert_eq!(fast_name(b"call\rback: x\r\n", 0), None);
        assert_eq!(fast_name(b"Call-Back : x\r\n", 0), None);
        assert_eq!(fast_name(b"Host:", 0), None, "too short to tell");
        assert_eq!(fast_name(b"Host:\r\n\r\n", 0), Some((4, 0)));
    }

    proptest::proptest! {
        /// Every fast name in every letter case, with one byte changed anywhere (to any
        /// byte), followed by `:` or not, in the middle of other bytes.
        #[test]
        fn fast_name_agrees_with_reference(
            k in 0..FAST_NAMES.len(),
            case in proptest::arbitrary::any::<u32>(),
            change in proptest::option::of((proptest::arbitrary::any::<proptest::sample::Index>(), proptest::arbitrary::any::<u8>())),
            prefix in proptest::collection::vec(proptest::arbitrary::any::<u8>(), 0..4),
            suffix in proptest::collection::vec(proptest::sample::select(b": \t\r\nxA-".to_vec()), 0..12),
        ) {
            let mut line = prefix.clone();
            line.extend(in_case(FAST_NAMES[k], case));
            line.extend_from_slice(&suffix);
            if let Some((at, byte)) = change {
                let i = prefix.len() + at.index(line.len() - prefix.len());
                line[i] = byte;
            }
            let start = prefix.len();
            let expected = if line.len() >= start + 8 {
                fast_name_reference(&line[start..])
            } else {
                None
            };
            proptest::prop_assert_eq!(fast_name(&line, start), expected, "{:?}", line);
        }
    }

    /// Where the one-pass request line reader gives a line, the checking one gives the
    /// same; on the usual lines it gives one.
    fn check_plain_request_line(line: &[u8], config: &Config) -> bool {
        let plain = plain_request_line(line, config);
        if let Some(plain) = &plain {
            let checked = request_line(line, config).unwrap_or_else(|e| {
                panic!(
                    "{:?}: plain {plain:?}, checked {e:?}",
                    String::from_utf8_lossy(line)
                )
            });
            assert_eq!(plain, &checked, "{:?}", String::from_utf8_lossy(line));
        }
        plain.is_some()
    }

    #[test]
    fn plain_request_lines() {
        for config in [Config::strict(), Config::lenient()] {
            for line in [
                &b"SUBSCRIBE /instmsg/aliases/alice HTTP/1.1\r\nHost: a\r\n\r\n"[..],
                b"NOTIFY http://im.example.com:8080/instmsg/aliases/bob?x=1 HTTP/1.0\r\n",
                b"X-EXT-METHOD * HTTP/1.1\r\n",
                b"ACL /a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z HTTP/1.1\r\n",
            ] {
                assert!(check_plain_request_line(line, &config));
            }
            for line in [
                &b"SUBSCRIBE  /x HTTP/1.1\r\n"[..],
                b"SUBSCRIBE /x  HTTP/1.1\r\n",
                b"SUBSCRIBE /x HTTP/1.1 \r\n",
                b"SUBSCRIBE /x\tHTTP/1.1\r\n",
                b"SUBSCRIBE\t/x HTTP/1.1\r\n",
                b"SUBSCRIBE /x HTTP/2.0\r\n",
                b"SUBSCRIBE /x\x7f HTTP/1.1\r\n",
                b"SUBSCRIBE /caf\xc3\xa9 HTTP/1.1\r\n",
                b"SUB(SCRIBE /x HTTP/1.1\r\n",
                b"AVERYLONGEXTENSIONMETHOD /x HTTP/1.1\r\n",
                b"SUBSCRIBE /x HTTP/1.1\r\r\n",
                b"SUBSCRIBE /x HTTP/1.1\r",
                b"SUBSCRIBE /x HTTP/1.",
            ] {
                assert!(
                    !check_plain_request_line(line, &config),
                    "{:?}",
                    String::from_utf8_lossy(line)
                );
            }
            // Targets `http` is asked about.
            check_plain_request_line(b"SUBSCRIBE /x#y HTTP/1.1\r\n", &config);
            check_plain_request_line(b"SUBSCRIBE /x<y HTTP/1.1\r\n", &config);
            check_plain_request_line(b"SUBSCRIBE http://a/`?\"#< HTTP/1.1\r\n", &config);
            let bare = check_plain_request_line(b"SUBSCRIBE /x HTTP/1.1\nHost: a\n\n", &config);
            assert_eq!(bare, config.allow_bare_lf);
            assert_eq!(
                check_plain_request_line(b"SUBSCRIBE /x HTTP/1.1\n", &config),
                bare
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]
        #[test]
        fn plain_request_line_agrees_with_checked(
            method in "(SUBSCRIBE|NOTIFY|ACL|[A-Z(]{1,20})",
            sp1 in "( |  |\t)",
            target in "(/|\\*|https?://[a-z.:0-9]{1,12})[!-~ \t\r\x7f\u{e9}]{0,10}",
            sp2 in "( |  |\t)",
            version in "(HTTP/1\\.[01]|HTTP/2\\.0|HTTP/1\\.)",
            end in "(\r\n|\n|\r| \r\n|)",
            lenient in proptest::arbitrary::any::<bool>(),
        ) {
            let line = format!("{method}{sp1}{target}{sp2}{version}{end}X");
            let config = if lenient { Config::lenient() } else { Config::strict() };
            check_plain_request_line(line.as_bytes(), &config);
        }
    }

    #[test]
    fn lookup_by_known_name() {
        let head = Bytes::from_static(
            b"NOTIFY / HTTP/1.1\r\nCall-Back: a\r\nDepth: 0\r\ndepth: 1\r\nX: y\r\n\r\n",
        );
        for config in [Config::strict(), Config::lenient()] {
            let h = parse_request(head.clone(), &config, Vec::new()).unwrap();
            let index = &h.fields;
            assert!(matches!(
                index.lookup(known(b"call-back")),
                Lookup::One(b"a")
            ));
            assert!(matches!(index.lookup(known(b"depth")), Lookup::Several));
            assert!(matches!(index.lookup(known(b"location")), Lookup::Absent));
        }
    }

    proptest::proptest! {
        /// The eight-bytes-at-a-time scans find what a byte-by-byte look finds.
        #[test]
        fn word_scans_agree_with_byte_scans(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::prelude::any::<u8>(),
                    proptest::sample::select(vec![b'\t', b' ', b':', b'\r', b'\n', 0x7f, 0x80, 0x1f, 0x20, 0x21]),
                    proptest::sample::select(b"abcXYZ-09".to_vec()),
                ],
                0..40,
            ),
            from in 0usize..48,
        ) {
            let scalar_name = bytes
                .get(from..)
                .and_then(|rest| rest.iter().position(|&b| b == b':' || b < 0x21))
                .map_or(bytes.len(), |n| from + n);
            let scalar_value = bytes
                .get(from..)
                .and_then(|rest| rest.iter().position(|&b| !is_field_byte(b)))
                .map_or(bytes.len(), |n| from + n);
            proptest::prop_assert_eq!(name_end(&bytes, from), scalar_name);
            proptest::prop_assert_eq!(field_value_end(&bytes, from), scalar_value);
        }
    }
}
