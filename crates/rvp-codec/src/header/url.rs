//! Absolute `http`/`https` URLs, as `Call-Back`, `RVP-From-Principal` and `Location`
//! carry them.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use http::Uri;

use super::InvalidValue;
use crate::syntax::{invisible_bytes, url_special_bytes};

/// Longest URL accepted, in bytes. Real RVP URLs are under 100 bytes.
const MAX_URL_LEN: usize = 2048;

/// Longest URL kept inside the value itself, without an allocation: every callback
/// (`http://127.0.0.1:34635`) and the principal URLs of ordinary domains
/// (`http://im.example.com/instmsg/aliases/alice`). It makes the value 64 bytes.
const INLINE_LEN: usize = 62;

/// An absolute URL with scheme `http` or `https` and a host, without user-info or
/// fragment: the form of principal URLs (`http://im.acme.com/instmsg/aliases/bruceb`)
/// and of client callbacks (`http://10.10.1.98:1051`).
///
/// The text is kept exactly as received and written back unchanged (librvp's
/// `http://127.0.0.1:34635` has no trailing `/`, and stays so). [`host`](Self::host),
/// [`port`](Self::port) and [`is_https`](Self::is_https) read it in place;
/// [`uri`](Self::uri) parses it into an [`http::Uri`], which `http` is known to accept.
/// Two URLs are equal when their texts are.
///
/// A URL of up to 62 bytes is stored in the value itself: decoding a `Call-Back` or an
/// `RVP-From-Principal` allocates nothing and keeps no reference to the received bytes.
///
/// ```
/// use rvp_codec::header::AbsoluteUrl;
///
/// let url: AbsoluteUrl = "http://10.10.1.98:1051".parse()?;
/// assert_eq!(url.as_str(), "http://10.10.1.98:1051");
/// assert_eq!(url.host(), "10.10.1.98");
/// assert_eq!(url.port(), Some(1051));
/// assert!(!url.is_https());
/// assert_eq!(url.uri().path(), "/");
///
/// assert!("im.example.com".parse::<AbsoluteUrl>().is_err());
/// assert!("ftp://example.com/".parse::<AbsoluteUrl>().is_err());
/// # Ok::<(), rvp_codec::header::InvalidValue>(())
/// ```
#[derive(Clone)]
pub struct AbsoluteUrl {
    text: Text,
}

/// The text of an [`AbsoluteUrl`]: visible ASCII, so valid UTF-8.
#[derive(Clone)]
enum Text {
    /// Up to [`INLINE_LEN`] bytes; the rest of `bytes` is zero.
    Inline { len: u8, bytes: [u8; INLINE_LEN] },
    /// Longer texts.
    Heap(Box<str>),
}

impl PartialEq for AbsoluteUrl {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for AbsoluteUrl {}

impl Hash for AbsoluteUrl {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // As `str` hashes, as `Borrow<str>` requires.
        self.as_str().hash(state);
    }
}

/// A map keyed by URLs can be looked up by text.
///
/// ```
/// use std::collections::HashMap;
/// use rvp_codec::header::AbsoluteUrl;
///
/// let mut sessions = HashMap::new();
/// sessions.insert("http://127.0.0.1:34635".parse::<AbsoluteUrl>()?, "alice");
/// assert_eq!(sessions.get("http://127.0.0.1:34635"), Some(&"alice"));
/// # Ok::<(), rvp_codec::header::InvalidValue>(())
/// ```
impl Borrow<str> for AbsoluteUrl {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for AbsoluteUrl {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl AbsoluteUrl {
    /// Parses and validates a URL.
    // Inlined with `from_visible_ascii` (the checks stay calls): the 64-byte value is
    // then built in the caller's frame. Returned from a call, it was read back right
    // after the stores that made it, in pieces of other sizes, and the reads waited.
    #[inline]
    pub fn from_bytes(s: &[u8]) -> Result<Self, InvalidValue> {
        if s.len() <= MAX_URL_LEN && split_plain_http_url(s).is_some_and(all_plain_bytes) {
            // The usual URL, in one pass: it is `is_plain_http_url` without any byte that
            // needs a closer look.
            return Self::from_visible_ascii(s);
        }
        Self::parse_checked(s)
    }

    /// [`from_bytes`](Self::from_bytes) without its one-pass path for the usual URL:
    /// every check, and the first error.
    fn parse_checked(s: &[u8]) -> Result<Self, InvalidValue> {
        if s.is_empty() {
            return Err(InvalidValue::Empty);
        }
        if s.len() > MAX_URL_LEN {
            return Err(InvalidValue::TooLong {
                len: s.len(),
                max: MAX_URL_LEN,
            });
        }
        // One branch-free pass (it vectorizes) over the URL; the byte at fault is looked
        // for only when there is one.
        let (suspect, special) = s.iter().fold((false, false), |(bad, special), &b| {
            (
                bad | !b.is_ascii_graphic() | (b == b'#'),
                special | (b == b'<') | (b == b'>') | (b == b'`') | (b == b'"'),
            )
        });
        if suspect {
            if let Some(offset) = s.iter().position(|&b| !b.is_ascii_graphic()) {
                return Err(super::syntax::unexpected(s, offset));
            }
            return Err(InvalidValue::NotAbsoluteUrl);
        }
        if !is_plain_http_url(s, special) {
            // `http` accepts every plain URL (see `is_plain_http_url`); anything else is
            // parsed to decide.
            let uri = Uri::try_from(s).map_err(|_| InvalidValue::NotAbsoluteUrl)?;
            let scheme = uri.scheme_str().ok_or(InvalidValue::NotAbsoluteUrl)?;
            if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
                return Err(InvalidValue::UnsupportedScheme);
            }
            let authority = uri.authority().ok_or(InvalidValue::NotAbsoluteUrl)?;
            if !plain_authority(authority.as_str().as_bytes()) {
                return Err(InvalidValue::NotAbsoluteUrl);
            }
        }
        Self::from_visible_ascii(s)
    }

    /// The value of an accepted URL (visible ASCII, at most [`MAX_URL_LEN`] bytes).
    #[inline]
    fn from_visible_ascii(s: &[u8]) -> Result<Self, InvalidValue> {
        let text = match u8::try_from(s.len()) {
            Ok(len) if s.len() <= INLINE_LEN => {
                let mut bytes = [0; INLINE_LEN];
                bytes[..s.len()].copy_from_slice(s);
                Text::Inline { len, bytes }
            }
            _ => Text::Heap(
                std::str::from_utf8(s)
                    .map_err(|e| InvalidValue::NotUtf8 {
                        offset: e.valid_up_to(),
                    })?
                    .into(),
            ),
        };
        Ok(Self { text })
    }

    /// The URL as received.
    pub fn as_str(&self) -> &str {
        match &self.text {
            Text::Heap(text) => text,
            // Visible ASCII (checked when parsed), so the check here cannot fail.
            Text::Inline { .. } => std::str::from_utf8(self.as_bytes()).unwrap_or_default(),
        }
    }

    /// The URL as received, as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.text {
            Text::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Text::Heap(text) => text.as_bytes(),
        }
    }

    /// The URL parsed into an [`http::Uri`] (a new value on each call).
    pub fn uri(&self) -> Uri {
        // The text was accepted by `http` (or is known to be, see `is_plain_http_url`),
        // so the default is never used.
        Uri::try_from(self.as_bytes()).unwrap_or_default()
    }

    /// The authority's position: after `http://` or `https://`, up to the path or
    /// query.
    fn authority_range(&self) -> (usize, usize) {
        let s = self.as_bytes();
        // The scheme is `http` or `https` in some letter case, followed by `://`.
        let start = if s.get(4) == Some(&b':') { 7 } else { 8 };
        let end = s
            .get(start..)
            .and_then(|rest| memchr::memchr2(b'/', b'?', rest))
            .map_or(s.len(), |i| start + i);
        (start, end)
    }

    /// The host and the port text (with its `:`) of the authority.
    fn host_and_port(&self) -> (&str, &str) {
        let (start, end) = self.authority_range();
        let authority = self.as_str().get(start..end).unwrap_or_default();
        // `plain_authority` accepted it, so the host has an end (ASCII: a char boundary).
        let host_end = host_end(authority.as_bytes()).unwrap_or(authority.len());
        authority
            .split_at_checked(host_end)
            .unwrap_or((authority, ""))
    }

    /// The host: a DNS name, an IPv4 address, or an IPv6 address in brackets.
    pub fn host(&self) -> &str {
        self.host_and_port().0
    }

    /// The explicit port, if any.
    pub fn port(&self) -> Option<u16> {
        // `:` and at most 5 digits of at most 65535, as checked when parsed.
        self.host_and_port().1.get(1..)?.parse().ok()
    }

    /// Whether the scheme is `https`.
    pub fn is_https(&self) -> bool {
        self.as_bytes().get(4) != Some(&b':')
    }
}

/// Whether an authority has no port, or a port that is a number up to 65535 (`http`
/// drops a port it cannot read instead of failing).
pub(crate) fn valid_port(authority: &http::uri::Authority) -> bool {
    let has_port_text = authority.as_str().len() > authority.host().len();
    !has_port_text || authority.port_u16().is_some()
}

/// Whether `s` (visible ASCII without `#`, at most [`MAX_URL_LEN`] bytes) is an
/// `http`/`https` URL in the plain form every RVP peer sends: the scheme in any case,
/// `://`, a host of letters, digits, dots and hyphens, an optional port of at most
/// 65535, and a path and query without the bytes `http` refuses there (`<`, `>`, and
/// `` ` `` in the path, `"` in the query). `http::Uri` accepts every such URL with
/// that scheme and authority, so `from_bytes` may skip parsing it; anything else
/// takes the full parse, which decides acceptance and the error exactly as before.
///
/// `special` tells whether `s` has any of `<`, `>`, `` ` `` and `"`; without them the
/// path and query need no look.
fn is_plain_http_url(s: &[u8], special: bool) -> bool {
    split_plain_http_url(s)
        .is_some_and(|path_and_query| !special || plain_path_and_query(path_and_query))
}

/// Byte classes of [`split_plain_http_url`] and [`is_plain_byte`].
const HOST: u8 = 1;
const PLAIN: u8 = 2;
static URL_BYTES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'.' || c == b'-' {
            table[b] |= HOST;
        }
        if c.is_ascii_graphic() && !matches!(c, b'#' | b'<' | b'>' | b'`' | b'"') {
            table[b] |= PLAIN;
        }
        b += 1;
    }
    table
};

/// Whether `b` is visible ASCII other than `#`, `<`, `>`, `` ` `` and `"`: a byte that
/// `http` accepts anywhere in a path and query.
fn is_plain_byte(b: u8) -> bool {
    URL_BYTES[usize::from(b)] & PLAIN != 0
}

/// Whether every byte of `s` [`is_plain_byte`]: eight bytes at a time, without a branch
/// per word.
fn all_plain_bytes(s: &[u8]) -> bool {
    let mark = |w: &[u8; 8]| {
        let x = u64::from_le_bytes(*w);
        invisible_bytes(x) | url_special_bytes(x)
    };
    let mut words = s.chunks_exact(8);
    let marked = words.by_ref().fold(0, |marked, word| {
        marked | word.first_chunk().map_or(0, mark)
    });
    match s.last_chunk::<8>() {
        // The bytes after the last whole word, in the word that ends `s`.
        Some(last) if !words.remainder().is_empty() => marked | mark(last) == 0,
        _ => marked == 0 && words.remainder().iter().all(|&b| is_plain_byte(b)),
    }
}

/// The path and query of `s` (possibly empty, else starting with `/` or `?`) when `s`
/// starts with the scheme and authority of the plain form of [`is_plain_http_url`]:
/// `http://` or `https://` in any case, a host of letters, digits, dots and hyphens, and
/// an optional port of at most 65535.
fn split_plain_http_url(s: &[u8]) -> Option<&[u8]> {
    let rest = s.get(http_scheme_len(s)?..)?;
    let mut end = 0;
    while end < rest.len() && URL_BYTES[usize::from(rest[end])] & HOST != 0 {
        end += 1;
    }
    if end == 0 {
        return None;
    }
    if rest.get(end) == Some(&b':') {
        end += 1;
        let (digits_start, mut port) = (end, 0u32);
        while let Some(d @ b'0'..=b'9') = rest.get(end) {
            port = port * 10 + u32::from(d - b'0');
            end += 1;
            if end - digits_start > 5 {
                return None;
            }
        }
        if end == digits_start || port > u32::from(u16::MAX) {
            return None;
        }
    }
    match rest.get(end) {
        None | Some(b'/' | b'?') => Some(&rest[end..]),
        _ => None,
    }
}

/// 7 or 8 when `s` starts with `http://` or `https://` in any letter case (and has at
/// least eight bytes: a shorter one has no host), by one compare of its first word.
#[inline]
pub(crate) fn http_scheme_len(s: &[u8]) -> Option<usize> {
    let w = u64::from_le_bytes(*s.first_chunk::<8>()?);
    // Bit 5 set in the letters' bytes only: `| 0x20` maps exactly `H` and `h` onto `h`
    // (and so for `t`, `p`, `s`), and `://` must be as it is.
    if (w | 0x2020_2020) & 0x00ff_ffff_ffff_ffff == u64::from_le_bytes(*b"http://\0") {
        Some(7)
    } else if w | 0x20_2020_2020 == u64::from_le_bytes(*b"https://") {
        Some(8)
    } else {
        None
    }
}

/// Whether a path and query (visible ASCII without `#`) has none of the bytes `http`
/// refuses there: `<`, `>` and `` ` `` in the path, `<`, `>` and `"` in the query.
fn plain_path_and_query(path_and_query: &[u8]) -> bool {
    let query = path_and_query
        .iter()
        .position(|&b| b == b'?')
        .unwrap_or(path_and_query.len());
    let (path, query) = path_and_query.split_at(query);
    // Branch-free folds: they vectorize.
    let bad_path = path.iter().fold(false, |acc, &b| {
        acc | (b == b'<') | (b == b'>') | (b == b'`')
    });
    let bad_query = query.iter().fold(false, |acc, &b| {
        acc | (b == b'<') | (b == b'>') | (b == b'"')
    });
    !bad_path && !bad_query
}

/// Whether a request target (visible ASCII) is in a plain form `http::Uri` is known to
/// accept: an origin form (`/instmsg/aliases/bob`) or an absolute `http`/`https` URL as
/// [`AbsoluteUrl`] takes it without parsing, at most 2048 bytes and without `#`. The
/// decoder checks other targets with a full parse.
pub(crate) fn plain_target(t: &[u8]) -> bool {
    if t.len() > MAX_URL_LEN || memchr::memchr(b'#', t).is_some() {
        return false;
    }
    match t.first() {
        Some(b'/') => plain_path_and_query(t),
        _ => is_plain_http_url(t, true),
    }
}

/// [`plain_target`] for a target already known to be visible ASCII; `special` tells
/// whether it has any of `#`, `<`, `>`, `` ` `` and `"` (without them neither the
/// fragment nor the path and query need a look).
pub(crate) fn plain_visible_target(t: &[u8], special: bool) -> bool {
    if special {
        return plain_target(t);
    }
    t.len() <= MAX_URL_LEN && (t.first() == Some(&b'/') || is_plain_http_url(t, false))
}

/// The end of an authority's host: after the `]` of a bracketed IPv6 address (`None`
/// when there is none), else at the first `:` (`http` takes the host up to the first
/// `:` and the port after the last one: with the first, a second `:` leaves a port that
/// is not digits), else the whole authority.
fn host_end(a: &[u8]) -> Option<usize> {
    if a.first() == Some(&b'[') {
        memchr::memchr(b']', a).map(|close| close + 1)
    } else {
        Some(memchr::memchr(b':', a).unwrap_or(a.len()))
    }
}

/// Whether an authority (as `http` parsed it) has no user-info, a non-empty host as
/// `http` reads it (a bracketed IPv6 address, or up to the first `:`), and after the
/// host nothing or a valid port: in one pass over the bytes instead of `http`'s
/// splitting. (`http` itself takes the port after the last `:`, so `a:[::1]:8` is host
/// `a`, port 8 to it; here it is refused.)
fn plain_authority(a: &[u8]) -> bool {
    if a.is_empty() || memchr::memchr(b'@', a).is_some() {
        return false;
    }
    let Some(host_end) = host_end(a) else {
        return false;
    };
    if host_end == 0 {
        return false;
    }
    match &a[host_end..] {
        [] => true,
        [b':', digits @ ..] => {
            !digits.is_empty()
                && digits.len() <= 5
                && digits.iter().all(u8::is_ascii_digit)
                && digits
                    .iter()
                    .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
                    <= u32::from(u16::MAX)
        }
        _ => false,
    }
}

impl FromStr for AbsoluteUrl {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_bytes(s.as_bytes())
    }
}

impl TryFrom<Uri> for AbsoluteUrl {
    type Error = InvalidValue;

    fn try_from(uri: Uri) -> Result<Self, Self::Error> {
        Self::from_bytes(uri.to_string().as_bytes())
    }
}

impl fmt::Debug for AbsoluteUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for AbsoluteUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    /// What `plain_authority` must say of `a`, from `http`'s parse (`None`: `http`
    /// refuses it): no user-info, a non-empty host, and after the host nothing or `:`
    /// and a port of 1 to 5 digits up to 65535. (`http` reads the host up to the first
    /// `:` and the port after the last, and takes `a:[::1]:8` as host `a`, port 8;
    /// such an authority is refused.)
    fn expected_plain_authority(a: &str) -> Option<bool> {
        let auth = a.parse::<http::uri::Authority>().ok()?;
        let host = auth.host();
        let port_ok = |rest: &str| match rest.strip_prefix(':') {
            None => rest.is_empty(),
            Some(digits) => {
                (1..=5).contains(&digits.len())
                    && digits.bytes().all(|b| b.is_ascii_digit())
                    && digits
                        .parse::<u32>()
                        .is_ok_and(|p| p <= u32::from(u16::MAX))
            }
        };
        Some(
            !a.contains('@')
                && !host.is_empty()
                && a.strip_prefix(host).is_some_and(port_ok)
                && super::valid_port(&auth),
        )
    }

    #[test]
    fn plain_authority_agrees_with_http() {
        for a in [
            "a",
            "a:80",
            "a:",
            "a:65535",
            "a:65536",
            "a:0",
            "[::1]",
            "[::1]:80",
            "[::1]:",
            "127.0.0.1:34635",
            "im.example.com",
            "u@h",
            "u:p@h:1",
            "h:8x",
            "h:123456",
            // Found by the header_values fuzz target: `http` reads an empty host here.
            ":[::1]:8",
            // `http` reads host `a` and port 8 here.
            "a:[::1]:8",
            "a:8[0]",
        ] {
            if let Some(expected) = expected_plain_authority(a) {
                assert_eq!(super::plain_authority(a.as_bytes()), expected, "{a}");
            }
        }
    }

    /// Every authority of up to six bytes from the bytes that matter to the split
    /// into host and port.
    #[test]
    fn plain_authority_agrees_with_http_exhaustively() {
        const BYTES: &[u8] = b"a1:[]@.";
        let mut a = Vec::new();
        let mut count = 0;
        loop {
            let text = std::str::from_utf8(&a).unwrap();
            if let Some(expected) = expected_plain_authority(text) {
                assert_eq!(super::plain_authority(&a), expected, "{text}");
                count += 1;
            }
            // The next string in length-then-lexicographic order.
            let mut i = a.len();
            loop {
                if i == 0 {
                    if a.len() == 6 {
                        assert!(count > 1000, "only {count} authorities parsed");
                        return;
                    }
                    a = vec![BYTES[0]; a.len() + 1];
                    break;
                }
                i -= 1;
                let at = BYTES.iter().position(|&b| b == a[i]).unwrap();
                if let Some(&next) = BYTES.get(at + 1) {
                    a[i] = next;
                    break;
                }
                a[i] = BYTES[0];
            }
        }
    }

    use super::*;

    proptest::proptest! {
        /// `http` accepts every request target the decoder takes without parsing it.
        #[test]
        fn plain_targets_are_uris(t in "(/|https?://[a-z0-9.-]{1,12}(:[0-9]{1,5})?/?)[!-~]{0,40}") {
            if plain_target(t.as_bytes()) {
                proptest::prop_assert!(Uri::try_from(t.as_bytes()).is_ok(), "{}", t);
            }
            let special = t.bytes().any(|b| b"#<>`\"".contains(&b));
            proptest::prop_assert_eq!(
                super::plain_visible_target(t.as_bytes(), special),
                plain_target(t.as_bytes())
            );
        }
    }

    /// What the full parse of `from_bytes` gives for `s`: the parsed URI when it is
    /// accepted.
    fn full_parse(s: &[u8]) -> Option<Uri> {
        let uri = Uri::try_from(s).ok()?;
        let scheme = uri.scheme_str()?;
        let http = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
        (http && super::plain_authority(uri.authority()?.as_str().as_bytes())).then_some(uri)
    }

    fn check_plain_path(s: &[u8]) {
        let prechecked = s.iter().all(u8::is_ascii_graphic) && !s.contains(&b'#');
        if prechecked && super::is_plain_http_url(s, true) {
            let uri = full_parse(s).unwrap_or_else(|| panic!("http refuses {s:?}"));
            let url = AbsoluteUrl::from_bytes(s).unwrap();
            assert_eq!(url.uri(), uri);
            assert_parts_agree_with_http(&url);
            assert_eq!(url.as_str().as_bytes(), s);
        }
    }

    #[test]
    fn plain_path_is_accepted_by_http() {
        for s in [
            "http://a",
            "HTTPS://A.B-C:0/",
            "http://a:65535",
            "http://a:65536",
            "http://a:",
            "http://:80",
            "http://a/<",
            "http://a/?<",
            "http://a/`",
            "http://a/?`",
            "http://a/\"",
            "http://a/?\"",
            "http://a?x=1",
            "http://a/{}|^[]\\%zz",
            "http://a/??=&",
            "http:///x",
            "https:/x",
            "httpx://a",
        ] {
            check_plain_path(s.as_bytes());
        }
    }

    proptest::proptest! {
        #[test]
        fn plain_path_agrees_with_http(
            scheme in "(?i)(http|https|ftp|htt)(://|:/|:)?",
            rest in "[a-z0-9.:/?\\-\"<>`@\\[\\]{}|^%_~!$&'()*+,;=]{0,24}",
        ) {
            check_plain_path(format!("{scheme}{rest}").as_bytes());
        }
    }

    /// `from_bytes` with its one-pass path gives what the checking parse gives.
    fn check_one_pass(s: &[u8]) {
        let fast = AbsoluteUrl::from_bytes(s);
        let checked = AbsoluteUrl::parse_checked(s);
        assert_eq!(fast, checked, "{:?}", String::from_utf8_lossy(s));
        if let Ok(url) = fast {
            assert_parts_agree_with_http(&url);
        }
    }

    /// The parts `url` reads from its text are the ones `http` parses.
    fn assert_parts_agree_with_http(url: &AbsoluteUrl) {
        let uri = Uri::try_from(url.as_bytes()).expect("http accepts every AbsoluteUrl");
        assert_eq!(url.uri(), uri);
        assert_eq!(Some(url.host()), uri.host(), "{url}");
        assert_eq!(url.port(), uri.port_u16(), "{url}");
        let https = uri
            .scheme_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("https"));
        assert_eq!(url.is_https(), https, "{url}");
    }

    proptest::proptest! {
        #[test]
        fn one_pass_agrees_with_checked(
            scheme in "(?i)(http|https|ftp|htt|httpss)(://|:/|:)?",
            host in "[a-z0-9.\\-\\[\\]@:_]{0,12}",
            port in "(:[0-9]{0,7})?",
            rest in "[/?a-z0-9.:\\-\"<>`@#%{}| \\x7f\u{e9}]{0,24}",
        ) {
            check_one_pass(format!("{scheme}{host}{port}{rest}").as_bytes());
        }

        #[test]
        fn one_pass_agrees_near_the_plain_form(
            prefix in "(?i)https?://[a-z0-9.\\-]{1,10}(:[0-9]{1,6})?",
            path in "[/?a-z0-9.:]{0,12}",
            odd in proptest::arbitrary::any::<u8>(),
            tail in "[/?a-z0-9.:]{0,12}",
        ) {
            let mut url = format!("{prefix}{path}").into_bytes();
            check_one_pass(&url);
            url.push(odd);
            url.extend_from_slice(tail.as_bytes());
            check_one_pass(&url);
        }

        #[test]
        fn one_pass_agrees_on_any_bytes(s in proptest::collection::vec(proptest::arbitrary::any::<u8>(), 0..40)) {
            let mut url = b"http://".to_vec();
            url.extend_from_slice(&s);
            check_one_pass(&url);
            check_one_pass(&s);
        }
    }

    #[test]
    fn one_pass_edges() {
        for s in [
            "http://a",
            "HtTpS://a.b:65535/?x",
            "http://a:65536/",
            "http://a:000080/",
            "http://a:/",
            "http://a:1x/",
            "http://a/\"",
            "http://a/?\"",
            "http://a/`",
            "http://a/?`",
            "http://a?b#c",
            "httpS://a.",
            "http://-/",
            "http://a@b/",
            "http://[::1]/",
            "https://:[::1]:8/s/x",
            "http://a:b:80/",
        ] {
            check_one_pass(s.as_bytes());
        }
        let long = format!("http://a.com/{}", "x".repeat(MAX_URL_LEN));
        check_one_pass(long.as_bytes());
        check_one_pass(&long.as_bytes()[..MAX_URL_LEN]);
    }

    #[test]
    fn accepts_peer_urls() {
        for s in [
            "http://10.10.1.98:1051",
            "http://127.0.0.1:34635",
            "http://im.acme.com/instmsg/aliases/bruceb",
            "http://shipper.com:5150/",
            "http://imhome1.domain2.com/instmsg/local/im.domain2.com/instmsg/aliases/kevinf",
            "https://im.example.com:18207/instmsg/aliases/alice",
            "HTTP://IM.EXAMPLE.COM/x?y=1",
            "http://[::1]:8080/",
        ] {
            let url: AbsoluteUrl = s.parse().unwrap();
            assert_eq!(url.as_str(), s);
            assert_eq!(url.as_bytes(), s.as_bytes());
            assert_eq!(url.to_string(), s);
            assert_parts_agree_with_http(&url);
        }
    }

    #[test]
    fn word_scan_agrees_with_byte_class() {
        for len in 0..20 {
            for at in 0..len {
                for odd in 0..=u8::MAX {
                    let mut s = vec![b'a'; len];
                    s[at] = odd;
                    assert_eq!(
                        all_plain_bytes(&s),
                        s.iter().all(|&b| is_plain_byte(b)),
                        "{s:?}"
                    );
                }
            }
        }
    }

    /// Every letter case of both schemes, and every byte at each of their first nine
    /// places.
    #[test]
    fn http_scheme_by_word() {
        let reference = |s: &[u8]| match s {
            _ if s.len() < 8 => None,
            _ if s[..7].eq_ignore_ascii_case(b"http://") => Some(7),
            _ if s[..8].eq_ignore_ascii_case(b"https://") => Some(8),
            _ => None,
        };
        for base in [&b"http://a.b"[..], b"https://a"] {
            for case in 0..32u32 {
                let mut s = base.to_vec();
                for (i, b) in s.iter_mut().take(5).enumerate() {
                    if case >> i & 1 == 1 {
                        b.make_ascii_uppercase();
                    }
                }
                assert_eq!(http_scheme_len(&s), reference(&s), "{s:?}");
                for at in 0..9 {
                    for byte in 0..=u8::MAX {
                        let mut t = s.clone();
                        t[at] = byte;
                        assert_eq!(http_scheme_len(&t), reference(&t), "{t:?}");
                        assert_eq!(http_scheme_len(&t[..7]), None);
                    }
                }
            }
        }
    }

    #[test]
    fn inline_and_heap_texts() {
        use std::hash::BuildHasher;
        let hasher = std::collections::hash_map::RandomState::new();
        for len in [INLINE_LEN - 1, INLINE_LEN, INLINE_LEN + 1, MAX_URL_LEN] {
            for prefix in ["http://a.com:80/", "HTTPS://[::1]/"] {
                let s = format!("{prefix}{}", "x".repeat(len - prefix.len()));
                let url: AbsoluteUrl = s.parse().unwrap();
                assert_eq!(url.as_str(), s);
                assert_eq!(url.clone(), url);
                assert_eq!(hasher.hash_one(&url), hasher.hash_one(s.as_str()));
                assert_parts_agree_with_http(&url);
            }
        }
    }

    #[test]
    fn rejects() {
        use InvalidValue::*;
        for (s, e) in [
            ("", Empty),
            ("im.example.com", NotAbsoluteUrl),
            ("/instmsg/aliases/bob", NotAbsoluteUrl),
            (
                "http:// 198.176.154.132:1234",
                UnexpectedByte {
                    offset: 7,
                    byte: b' ',
                },
            ),
            ("http://a.com/#frag", NotAbsoluteUrl),
            ("http://user@a.com/", NotAbsoluteUrl),
            ("http://a.com:99999/", NotAbsoluteUrl),
            ("ftp://a.com/", UnsupportedScheme),
            ("mailto:bob@example.com", NotAbsoluteUrl),
            (
                "http://a.com/caf\u{e9}",
                UnexpectedByte {
                    offset: 16,
                    byte: 0xc3,
                },
            ),
        ] {
            assert_eq!(s.parse::<AbsoluteUrl>(), Err(e), "{s}");
        }
        let long = format!("http://a.com/{}", "x".repeat(MAX_URL_LEN));
        assert!(matches!(long.parse::<AbsoluteUrl>(), Err(TooLong { .. })));
    }

    #[test]
    fn from_uri() {
        let u: Uri = "http://a.com".parse().unwrap();
        assert_eq!(AbsoluteUrl::try_from(u).unwrap().as_str(), "http://a.com/");
    }
}
