//! The event reader under every document decoder: the tokenizer (see the `token`
//! module) over the borrowed body, plus namespace resolution, limits, the
//! well-formedness checks a tokenizer leaves to its caller, and text assembly.
//!
//! Namespaces are resolved here rather than by quick-xml's `NsReader`. RVP bodies declare
//! their namespaces on the root (three `xmlns:` attributes) and almost never elsewhere;
//! a stack of the declarations in scope, each with the depth of the element that made it
//! and the namespace already classified (DAV, RVP, ACL, none, other), resolves a prefix
//! with a comparison or two and no copying. Measured on librvp's PROPPATCH and NOTIFY
//! bodies, `NsReader::read_resolved_event` alone costs about 2.5 times a plain
//! `Reader::read_event` pass, more than the whole typed decode built this way. The rules
//! are those of Namespaces in XML 1.0: a declaration is in scope for its element and the
//! element's descendants, `xmlns=""` removes the default namespace, `xml` is bound to
//! its fixed URI, an undeclared prefix is an error ([`XmlError::UndeclaredPrefix`]),
//! and binding `xmlns`, rebinding `xml` or binding a prefix to the empty URI is
//! [`SyntaxKind::InvalidNamespaceDeclaration`]. Namespace URIs are compared after
//! entity unescaping.
//!
//! The document decoders are small recursive-descent functions over this reader. Their
//! recursion follows the fixed shape of the RVP documents; content of unknown or foreign
//! elements is skipped (or captured as a byte range) iteratively, so nesting depth of
//! peer data never becomes stack depth.

use std::borrow::Cow;
use std::rc::Rc;

use quick_xml::events::BytesStart;

use super::error::{SyntaxKind, XmlError};
use super::token::{Token, Tokenizer, is_xml_ws_byte};
use super::{ACL_NS, DAV_NS, RVP_NS};
use crate::Config;

/// The namespace of an element, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ns {
    /// `DAV:`.
    Dav,
    /// `http://schemas.microsoft.com/rvp/`.
    Rvp,
    /// `http://schemas.microsoft.com/rvp/acl/`.
    Acl,
    /// No namespace.
    None,
    /// Any other namespace URI.
    Other(Rc<str>),
}

impl Ns {
    /// The namespace URI (`""` for no namespace).
    pub(crate) fn uri(&self) -> &str {
        match self {
            Ns::Dav => DAV_NS,
            Ns::Rvp => RVP_NS,
            Ns::Acl => ACL_NS,
            Ns::None => "",
            Ns::Other(uri) => uri,
        }
    }

    fn is_rvp_family(&self) -> bool {
        matches!(self, Ns::Dav | Ns::Rvp | Ns::Acl)
    }
}

/// An element start tag.
#[derive(Debug, Clone)]
pub(crate) struct Elem<'i> {
    pub(crate) ns: Ns,
    /// Qualified name as written.
    pub(crate) qname: &'i str,
    pub(crate) local: &'i str,
    /// Offset of the `<`.
    pub(crate) offset: usize,
}

/// How surrounding whitespace of a text value is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextKind {
    /// Free text (display names, descriptions): kept as is, trimmed with `trim_text`.
    Free,
    /// A token, number or URL: surrounding whitespace rejected, trimmed with `trim_text`.
    Token,
    /// Like `Token`, and must not be empty.
    Required,
}

/// One low-level item of content.
#[derive(Debug)]
enum Item<'i> {
    Start(Elem<'i>),
    End {
        offset: usize,
    },
    Text {
        text: Cow<'i, str>,
        cdata: bool,
        offset: usize,
    },
    Eof,
}

pub(crate) struct Reader<'i> {
    tokens: Tokenizer<'i>,
    input: &'i str,
    /// Namespace declarations in scope, innermost last.
    bindings: Vec<Binding<'i>>,
    config: Config,
    depth: usize,
    elements: usize,
    root_seen: bool,
    /// The element just returned was `<x/>`: its end is still to be reported.
    pending_end: bool,
    peeked: Option<Item<'i>>,
}

impl std::fmt::Debug for Reader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("depth", &self.depth)
            .field("elements", &self.elements)
            .finish_non_exhaustive()
    }
}

/// The offset of the first character XML 1.0 excludes from `Char`: C0 controls other than
/// tab, line feed and carriage return, and U+FFFE, U+FFFF (UTF-8 `EF BF BE`, `EF BF BF`).
fn forbidden_character(bytes: &[u8]) -> Option<usize> {
    // One branch-free pass (it vectorizes) clears the usual body: no control byte but
    // tab, line feed and carriage return, and no `EF` lead byte. Only a body with one of
    // those is searched byte by byte.
    let suspect = bytes.iter().fold(false, |acc, &b| {
        acc | ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')) | (b == 0xef)
    });
    if !suspect {
        return None;
    }
    bytes.iter().enumerate().position(|(i, &b)| {
        (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
            || (b == 0xef
                && bytes.get(i + 1) == Some(&0xbf)
                && matches!(bytes.get(i + 2), Some(0xbe | 0xbf)))
    })
}

/// XML whitespace (`S` in the XML grammar).
pub(crate) fn is_xml_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Trims XML whitespace (not Unicode whitespace) from both ends.
pub(crate) fn trim_xml(s: &str) -> &str {
    s.trim_matches(is_xml_ws)
}

/// Whether `c` may appear in an XML 1.0 document (`Char`).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn trim_cow(text: Cow<'_, str>) -> Cow<'_, str> {
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(trim_xml(s)),
        Cow::Owned(s) => {
            let t = trim_xml(&s);
            if t.len() == s.len() {
                Cow::Owned(s)
            } else {
                Cow::Owned(t.to_owned())
            }
        }
    }
}

/// Classifies a namespace URI (already unescaped).
fn classify_uri(uri: &str, relaxed: bool) -> Ns {
    match uri {
        DAV_NS => Ns::Dav,
        RVP_NS => Ns::Rvp,
        ACL_NS => Ns::Acl,
        "" => Ns::None,
        _ if relaxed => relaxed_ns(uri),
        _ => Ns::Other(uri.into()),
    }
}

/// The namespace bound to `xml:` by the Namespaces recommendation.
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// A namespace declaration in scope: `prefix` (`""` for the default namespace) bound by
/// the element at `depth`.
#[derive(Debug)]
struct Binding<'i> {
    prefix: &'i str,
    ns: Ns,
    depth: usize,
}

/// `inner` as a slice of `outer` with `outer`'s lifetime, when it is one.
fn reborrow<'i>(outer: &'i str, inner: &str) -> Option<&'i str> {
    let start = (inner.as_ptr() as usize).checked_sub(outer.as_ptr() as usize)?;
    let slice = outer.get(start..start.checked_add(inner.len())?)?;
    (std::ptr::eq(slice.as_ptr(), inner.as_ptr())).then_some(slice)
}

/// The bytes of a key [`simple_attributes`] takes: ASCII letters, digits, `_ : . -`.
const SIMPLE_KEY: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'_' | b':' | b'.' | b'-');
        b += 1;
    }
    table
};

/// The position of the first `:` in `s`, eight bytes at a time (names are short, too
/// short for `memchr`'s vector loop to pay off).
fn find_colon(s: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const COLONS: u64 = ONES * b':' as u64;
    let mut chunks = s.chunks_exact(8);
    let mut offset = 0;
    for chunk in chunks.by_ref() {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        // A zero byte of `x` is a colon of the chunk; the lowest flagged byte is the
        // first zero byte (borrows only flag bytes above a zero byte).
        let x = u64::from_le_bytes(bytes) ^ COLONS;
        let found = x.wrapping_sub(ONES) & !x & HIGH;
        if found != 0 {
            return Some(offset + (found.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b':')
        .map(|i| offset + i)
}

/// How many attributes [`simple_attributes`] takes; a tag with more goes through
/// quick-xml's attribute iterator.
const SIMPLE_ATTRIBUTES: usize = 8;

/// The attributes of a start tag, when they are all in the plain form every RVP peer
/// writes: whitespace, a key of ASCII name characters, `=`, a quoted value without
/// `&` or `<`, no duplicate key. Anything else (`None`) is left to quick-xml's
/// iterator, which accepts every input accepted here with the same keys and values,
/// so the fast path changes no outcome.
fn simple_attributes<'i>(
    raw: &'i str,
    out: &mut [(&'i str, &'i str); SIMPLE_ATTRIBUTES],
) -> Option<usize> {
    let bytes = raw.as_bytes();
    let mut count = 0;
    let mut pos = 0;
    loop {
        let ws = bytes[pos..]
            .iter()
            .take_while(|&&b| is_xml_ws_byte(b))
            .count();
        pos += ws;
        if pos == bytes.len() {
            return Some(count);
        }
        if ws == 0 || count == SIMPLE_ATTRIBUTES {
            return None;
        }
        let key_len = bytes[pos..]
            .iter()
            .take_while(|&&b| SIMPLE_KEY[usize::from(b)])
            .count();
        let eq = pos + key_len;
        let quote = *bytes.get(eq + 1)?;
        if key_len == 0 || bytes.get(eq) != Some(&b'=') || !matches!(quote, b'"' | b'\'') {
            return None;
        }
        let value_start = eq + 2;
        // The closing quote, unless a `&` or `<` comes first (or there is none).
        let rest = bytes.get(value_start..)?;
        let value_len = memchr::memchr3(quote, b'&', b'<', rest)?;
        if rest.get(value_len) != Some(&quote) {
            return None;
        }
        let value_end = value_start + value_len;
        // All split points are next to ASCII bytes, hence char boundaries.
        let key = raw.get(pos..eq)?;
        if out[..count].iter().any(|(k, _)| *k == key) {
            return None;
        }
        out[count] = (key, raw.get(value_start..value_end)?);
        count += 1;
        pos = value_end + 1;
    }
}

/// The three RVP namespaces with any letter case and with or without a trailing slash.
fn relaxed_ns(uri: &str) -> Ns {
    let base = uri.strip_suffix('/').unwrap_or(uri);
    let eq = |canonical: &str| {
        let c = canonical.strip_suffix('/').unwrap_or(canonical);
        base.eq_ignore_ascii_case(c)
    };
    if eq(DAV_NS) {
        Ns::Dav
    } else if eq(RVP_NS) {
        Ns::Rvp
    } else if eq(ACL_NS) {
        Ns::Acl
    } else {
        Ns::Other(uri.into())
    }
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == ':'
}

fn is_name_char(c: char) -> bool {
    is_name_start(c) || c.is_alphanumeric() || matches!(c, '-' | '.' | '\u{B7}')
}

/// Whether `s` is an XML `Name` (approximated with Unicode letters and digits).
pub(crate) fn is_xml_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_name_start) && chars.all(is_name_char)
}

/// The character of a character reference `&#number;` (`number` decimal, or hexadecimal
/// after `x`), when it names one other than NUL.
fn char_reference(number: &str) -> Option<char> {
    let (digits, radix) = match number.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (number, 10),
    };
    // `from_str_radix` would take a sign.
    if digits.starts_with(['+', '-']) {
        return None;
    }
    let code = u32::from_str_radix(digits, radix).ok()?;
    char::from_u32(code).filter(|&c| c != '\0')
}

fn predefined_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "lt" => "<",
        "gt" => ">",
        "amp" => "&",
        "apos" => "'",
        "quot" => "\"",
        _ => return None,
    })
}

impl<'i> Reader<'i> {
    /// Starts reading `bytes`, which must be UTF-8.
    pub(crate) fn new(bytes: &'i [u8], config: &Config) -> Result<Self, XmlError> {
        let input = crate::syntax::from_utf8(bytes).map_err(|e| XmlError::NotUtf8 {
            offset: e.valid_up_to(),
        })?;
        // A byte order mark is dropped; offsets in errors count from after it.
        let input = input.strip_prefix('\u{feff}').unwrap_or(input);
        if !config.allow_xml_control_characters
            && let Some(offset) = forbidden_character(input.as_bytes())
        {
            return Err(XmlError::Syntax {
                kind: SyntaxKind::ForbiddenCharacter,
                offset,
            });
        }
        Ok(Self {
            tokens: Tokenizer::new(input, !config.relaxed_end_tags),
            input,
            bindings: Vec::with_capacity(4),
            config: *config,
            depth: 0,
            elements: 0,
            root_seen: false,
            pending_end: false,
            peeked: None,
        })
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    fn position(&self) -> usize {
        self.tokens.position()
    }

    /// The funnel every event goes through: limits, root rules, entity resolution.
    fn next_item(&mut self) -> Result<Item<'i>, XmlError> {
        if let Some(item) = self.peeked.take() {
            return Ok(item);
        }
        if self.pending_end {
            self.pending_end = false;
            return Ok(self.close(self.position()));
        }
        loop {
            let offset = self.position();
            match self.tokens.next_token()? {
                Token::Start {
                    content,
                    name_len,
                    empty,
                } => return self.start(content, name_len, offset, empty),
                Token::End => return Ok(self.close(offset)),
                Token::Text(text) => {
                    if self.depth == 0 {
                        if !trim_xml(text).is_empty() {
                            let kind = if self.root_seen {
                                SyntaxKind::ContentAfterRoot
                            } else {
                                SyntaxKind::TextBeforeRoot
                            };
                            return Err(XmlError::syntax(offset, kind));
                        }
                        continue;
                    }
                    return Ok(Item::Text {
                        text: Cow::Borrowed(text),
                        cdata: false,
                        offset,
                    });
                }
                Token::CData(text) => {
                    if self.depth == 0 {
                        return Err(XmlError::syntax(offset, SyntaxKind::ContentAfterRoot));
                    }
                    return Ok(Item::Text {
                        text: Cow::Borrowed(text),
                        cdata: true,
                        offset,
                    });
                }
                Token::Ref(name) => {
                    let bad = || XmlError::syntax(offset, SyntaxKind::InvalidReference);
                    if self.depth == 0 {
                        return Err(XmlError::syntax(offset, SyntaxKind::ContentAfterRoot));
                    }
                    let text = match name.strip_prefix('#') {
                        Some(number) => match char_reference(number) {
                            Some(c) if is_xml_char(c) => Cow::Owned(c.to_string()),
                            _ => return Err(bad()),
                        },
                        None => Cow::Borrowed(predefined_entity(name).ok_or_else(bad)?),
                    };
                    return Ok(Item::Text {
                        text,
                        cdata: false,
                        offset,
                    });
                }
                Token::Comment => {}
                Token::Decl => {
                    if offset != 0 {
                        return Err(XmlError::syntax(offset, SyntaxKind::InvalidDeclaration));
                    }
                }
                Token::Pi(content) => {
                    let target = content.split(is_xml_ws).next().unwrap_or("");
                    // The draft's `<?xml.version="1.0"?>`: a declaration with a dot for
                    // the space, skipped before the root with `relaxed_head_syntax`.
                    let broken_declaration = self.config.relaxed_head_syntax
                        && !self.root_seen
                        && content
                            .get(..3)
                            .is_some_and(|t| t.eq_ignore_ascii_case("xml"));
                    if (!is_xml_name(target) || target.eq_ignore_ascii_case("xml"))
                        && !broken_declaration
                    {
                        return Err(XmlError::syntax(offset, SyntaxKind::InvalidDeclaration));
                    }
                }
                Token::Eof => {
                    if self.depth > 0 {
                        return Err(XmlError::syntax(
                            offset,
                            SyntaxKind::UnexpectedEof { open: self.depth },
                        ));
                    }
                    if !self.root_seen {
                        return Err(XmlError::syntax(offset, SyntaxKind::NoRoot));
                    }
                    return Ok(Item::Eof);
                }
            }
        }
    }

    /// A start tag (`empty` for `<x/>`): limits, root rules, namespace declarations,
    /// name resolution. The name is sliced from the borrowed tag, so it keeps the
    /// input's lifetime without a copy.
    fn start(
        &mut self,
        content: &'i str,
        name_len: usize,
        offset: usize,
        empty: bool,
    ) -> Result<Item<'i>, XmlError> {
        if self.depth == 0 && self.root_seen {
            return Err(XmlError::syntax(offset, SyntaxKind::ContentAfterRoot));
        }
        self.elements += 1;
        if self.elements > self.config.limits.max_xml_elements {
            return Err(XmlError::ElementLimit {
                limit: self.config.limits.max_xml_elements,
                offset,
            });
        }
        self.depth += 1;
        if self.depth > self.config.limits.max_xml_depth {
            return Err(XmlError::DepthLimit {
                limit: self.config.limits.max_xml_depth,
                offset,
            });
        }
        let (qname, attributes) = content.split_at_checked(name_len).unwrap_or((content, ""));
        if !attributes.trim_start_matches(is_xml_ws).is_empty() {
            self.declare(content, name_len, attributes, offset)?;
        }
        let (ns, local) = self.resolve(qname, offset)?;
        self.root_seen = true;
        self.pending_end = empty;
        Ok(Item::Start(Elem {
            ns,
            qname,
            local,
            offset,
        }))
    }

    /// Checks the attributes of a start tag (`content`: the tag between `<` and `>`
    /// or `/>`, whose first `name_len` bytes are the name and the rest `attributes`)
    /// and records its namespace declarations (at the element's depth, already
    /// counted).
    fn declare(
        &mut self,
        content: &'i str,
        name_len: usize,
        attributes: &'i str,
        offset: usize,
    ) -> Result<(), XmlError> {
        let mut parsed = [("", ""); SIMPLE_ATTRIBUTES];
        if let Some(count) = simple_attributes(attributes, &mut parsed) {
            for &(key, value) in &parsed[..count] {
                // No `&` in the value: unescaping is the identity.
                self.bind(key, Cow::Borrowed(value), offset)?;
            }
            return Ok(());
        }
        let bad = |kind| XmlError::syntax(offset, kind);
        let start = BytesStart::from_content(content, name_len);
        for attr in start.attributes() {
            let attr = attr.map_err(|_| bad(SyntaxKind::InvalidAttribute))?;
            let key = reborrow(self.input, attr.key.0).unwrap_or("");
            let uri = quick_xml::escape::unescape(&attr.value)
                .map_err(|_| bad(SyntaxKind::InvalidReference))?;
            self.bind(key, uri, offset)?;
        }
        Ok(())
    }

    /// Records the namespace declaration `key="uri"`, if the attribute is one.
    fn bind(&mut self, key: &'i str, uri: Cow<'_, str>, offset: usize) -> Result<(), XmlError> {
        let prefix = if key == "xmlns" {
            ""
        } else if let Some(prefix) = key.strip_prefix("xmlns:") {
            prefix
        } else {
            return Ok(());
        };
        let reserved = prefix == "xmlns"
            || (prefix == "xml") != (uri == XML_NS)
            || uri == "http://www.w3.org/2000/xmlns/"
            || (!prefix.is_empty() && uri.is_empty());
        if reserved {
            return Err(XmlError::syntax(
                offset,
                SyntaxKind::InvalidNamespaceDeclaration,
            ));
        }
        self.bindings.push(Binding {
            prefix,
            ns: classify_uri(&uri, self.config.relaxed_namespaces),
            depth: self.depth,
        });
        Ok(())
    }

    /// Decodes a whole document: opens `bytes`, checks its root with `is_root` (an
    /// [`XmlError::UnexpectedRoot`] naming `expected` otherwise), reads it with `read`
    /// and checks that nothing follows the root.
    pub(crate) fn document<T>(
        bytes: &'i [u8],
        config: &Config,
        expected: &'static str,
        is_root: impl FnOnce(&Reader<'i>, &Elem<'i>) -> bool,
        read: impl FnOnce(&mut Reader<'i>, &Elem<'i>) -> Result<T, XmlError>,
    ) -> Result<T, XmlError> {
        let mut reader = Reader::new(bytes, config)?;
        let root = reader.root()?;
        if !is_root(&reader, &root) {
            return Err(XmlError::UnexpectedRoot {
                expected,
                found: root.qname.to_owned(),
                offset: root.offset,
            });
        }
        let value = read(&mut reader, &root)?;
        reader.finish()?;
        Ok(value)
    }

    /// `raw_from`, made self-contained: the prefixes the fragment uses but declares on an
    /// ancestor are declared on its top-level elements (see the `fragment` module).
    pub(crate) fn fragment_from(&mut self, start: usize) -> Result<String, XmlError> {
        // The bindings must be read before `raw_from` closes the enclosing element.
        let scope: Vec<(String, String)> = self
            .bindings
            .iter()
            .map(|b| (b.prefix.to_string(), b.ns.uri().to_owned()))
            .collect();
        let raw = self.raw_from(start)?;
        let lookup = |p: &str| {
            scope
                .iter()
                .rev()
                .find(|(q, _)| q == p)
                .map(|(_, u)| u.clone())
        };
        Ok(super::fragment::self_contained(raw, lookup).into_owned())
    }

    /// Splits a qualified name and resolves its prefix (or the default namespace).
    fn resolve(&self, qname: &'i str, offset: usize) -> Result<(Ns, &'i str), XmlError> {
        // Names are short: a byte loop beats the generic pattern search. The colon is
        // ASCII, so both halves are char boundaries.
        let (prefix, local) = match find_colon(qname.as_bytes()) {
            Some(colon) => (&qname[..colon], &qname[colon + 1..]),
            None => ("", qname),
        };
        if qname.len() > local.len()
            && (prefix.is_empty() || local.is_empty() || find_colon(local.as_bytes()).is_some())
        {
            return Err(XmlError::Syntax {
                kind: SyntaxKind::InvalidQualifiedName,
                offset,
            });
        }
        if prefix.len() == 3 && prefix == "xml" {
            return Ok((Ns::Other(XML_NS.into()), local));
        }
        // Prefixes are a letter or two: compare inline rather than through memcmp.
        let same = |b: &&Binding<'_>| {
            b.prefix.len() == prefix.len()
                && b.prefix.bytes().zip(prefix.bytes()).all(|(x, y)| x == y)
        };
        match self.bindings.iter().rev().find(same) {
            Some(binding) => Ok((binding.ns.clone(), local)),
            None if prefix.is_empty() => Ok((Ns::None, local)),
            None => Err(XmlError::UndeclaredPrefix {
                prefix: prefix.to_owned(),
                offset,
            }),
        }
    }

    fn close(&mut self, offset: usize) -> Item<'i> {
        while self.bindings.last().is_some_and(|b| b.depth == self.depth) {
            self.bindings.pop();
        }
        self.depth = self.depth.saturating_sub(1);
        Item::End { offset }
    }

    /// Reads up to the root element's start tag.
    pub(crate) fn root(&mut self) -> Result<Elem<'i>, XmlError> {
        match self.next_item()? {
            Item::Start(elem) => Ok(elem),
            // `next_item` reports text outside the root and a missing root itself.
            Item::End { offset } | Item::Text { offset, .. } => {
                Err(XmlError::syntax(offset, SyntaxKind::NoRoot))
            }
            Item::Eof => Err(XmlError::syntax(self.position(), SyntaxKind::NoRoot)),
        }
    }

    /// Checks that nothing but comments, processing instructions and whitespace
    /// follows the root element.
    pub(crate) fn finish(&mut self) -> Result<(), XmlError> {
        match self.next_item()? {
            Item::Eof => Ok(()),
            Item::Start(Elem { offset, .. }) | Item::End { offset } | Item::Text { offset, .. } => {
                Err(XmlError::syntax(offset, SyntaxKind::ContentAfterRoot))
            }
        }
    }

    /// The next child element of the element whose content is being read, or `None` at
    /// its end tag. Whitespace between children is skipped; other text is an error.
    pub(crate) fn child(&mut self, parent: &'static str) -> Result<Option<Elem<'i>>, XmlError> {
        loop {
            match self.next_item()? {
                Item::Start(elem) => return Ok(Some(elem)),
                Item::End { .. } => return Ok(None),
                Item::Text { text, offset, .. } => {
                    if !trim_xml(&text).is_empty() {
                        return Err(XmlError::UnexpectedText {
                            element: parent,
                            offset,
                        });
                    }
                }
                Item::Eof => {
                    return Err(XmlError::syntax(
                        self.position(),
                        SyntaxKind::UnexpectedEof {
                            open: self.depth.max(1),
                        },
                    ));
                }
            }
        }
    }

    /// Whether the element just started has no content at all (`<x/>` or `<x></x>`).
    /// Does not consume anything.
    pub(crate) fn at_empty_end(&mut self) -> Result<bool, XmlError> {
        if self.pending_end {
            return Ok(true);
        }
        if self.peeked.is_none() {
            let item = self.next_item()?;
            self.peeked = Some(item);
        }
        Ok(matches!(self.peeked, Some(Item::End { .. })))
    }

    /// The text content of the element just started, up to its end tag. Child
    /// elements are an error; comments are skipped; CDATA sections and references are
    /// joined in.
    pub(crate) fn text(&mut self, element: &'static str) -> Result<Cow<'i, str>, XmlError> {
        let mut acc: Option<Cow<'i, str>> = None;
        loop {
            match self.next_item()? {
                Item::Text { text, .. } => match &mut acc {
                    None => acc = Some(text),
                    Some(prev) => prev.to_mut().push_str(&text),
                },
                Item::End { .. } => return Ok(acc.unwrap_or(Cow::Borrowed(""))),
                Item::Start(elem) => {
                    return Err(XmlError::UnexpectedElement {
                        parent: element,
                        found: elem.qname.to_owned(),
                        offset: elem.offset,
                    });
                }
                Item::Eof => {
                    return Err(XmlError::syntax(
                        self.position(),
                        SyntaxKind::UnexpectedEof {
                            open: self.depth.max(1),
                        },
                    ));
                }
            }
        }
    }

    /// Text content for `mime-data`: when it holds CDATA sections, whitespace-only text
    /// around them is layout (the draft indents its CDATA) and is dropped.
    pub(crate) fn cdata_text(&mut self, element: &'static str) -> Result<Cow<'i, str>, XmlError> {
        let mut parts: Vec<(Cow<'i, str>, bool)> = Vec::new();
        loop {
            let item = self.next_item()?;
            // Fast path: a single CDATA section or text.
            if parts.is_empty() {
                if let Item::Text { text, cdata, .. } = item {
                    match self.next_item()? {
                        Item::End { .. } => return Ok(text),
                        next => {
                            parts.push((text, cdata));
                            self.peeked = Some(next);
                            continue;
                        }
                    }
                }
                if let Item::End { .. } = item {
                    return Ok(Cow::Borrowed(""));
                }
            }
            match item {
                Item::Text { text, cdata, .. } => parts.push((text, cdata)),
                Item::End { .. } => break,
                Item::Start(elem) => {
                    return Err(XmlError::UnexpectedElement {
                        parent: element,
                        found: elem.qname.to_owned(),
                        offset: elem.offset,
                    });
                }
                Item::Eof => {
                    return Err(XmlError::syntax(
                        self.position(),
                        SyntaxKind::UnexpectedEof {
                            open: self.depth.max(1),
                        },
                    ));
                }
            }
        }
        let has_cdata = parts.iter().any(|(_, cdata)| *cdata);
        let mut kept = parts
            .into_iter()
            .filter(|(text, cdata)| *cdata || !has_cdata || !trim_xml(text).is_empty())
            .map(|(text, _)| text);
        let Some(mut first) = kept.next() else {
            return Ok(Cow::Borrowed(""));
        };
        for text in kept {
            first.to_mut().push_str(&text);
        }
        Ok(first)
    }

    /// A text value with the whitespace policy of `kind`.
    pub(crate) fn value(
        &mut self,
        elem: &Elem<'_>,
        element: &'static str,
        kind: TextKind,
    ) -> Result<Cow<'i, str>, XmlError> {
        let text = self.text(element)?;
        let invalid = |reason| XmlError::InvalidValue {
            element,
            reason,
            offset: elem.offset,
        };
        let text = match kind {
            TextKind::Free if self.config.trim_text => trim_cow(text),
            TextKind::Free => text,
            TextKind::Token | TextKind::Required if self.config.trim_text => trim_cow(text),
            TextKind::Token | TextKind::Required => {
                if trim_xml(&text).len() != text.len() {
                    return Err(invalid("surrounding whitespace"));
                }
                text
            }
        };
        if kind == TextKind::Required && text.is_empty() {
            return Err(invalid("empty"));
        }
        Ok(text)
    }

    /// A decimal number of seconds (or another unsigned value).
    pub(crate) fn number(
        &mut self,
        elem: &Elem<'_>,
        element: &'static str,
    ) -> Result<u32, XmlError> {
        let text = self.value(elem, element, TextKind::Required)?;
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(XmlError::InvalidValue {
                element,
                reason: "not a decimal number",
                offset: elem.offset,
            });
        }
        text.parse().map_err(|_| XmlError::InvalidValue {
            element,
            reason: "number out of range",
            offset: elem.offset,
        })
    }

    /// Skips the content of the element just started, through its end tag.
    pub(crate) fn skip(&mut self) -> Result<usize, XmlError> {
        // A peeked item has already moved `depth`.
        let target = match &self.peeked {
            Some(Item::End { .. }) => self.depth,
            Some(Item::Start(_)) => self.depth.saturating_sub(2),
            _ => self.depth.saturating_sub(1),
        };
        loop {
            match self.next_item()? {
                Item::End { offset } if self.depth == target => return Ok(offset),
                Item::Eof => {
                    return Err(XmlError::syntax(
                        self.position(),
                        SyntaxKind::UnexpectedEof {
                            open: self.depth.max(1),
                        },
                    ));
                }
                _ => {}
            }
        }
    }

    /// Byte position just after the last start tag read (where its content begins).
    pub(crate) fn content_start(&self) -> usize {
        match &self.peeked {
            // `<x/>`: empty content.
            _ if self.pending_end => usize::MAX,
            None => self.position(),
            Some(
                Item::Start(Elem { offset, .. }) | Item::End { offset } | Item::Text { offset, .. },
            ) => *offset,
            Some(Item::Eof) => self.position(),
        }
    }

    /// Skips to the end of the current element and returns its content from `start`
    /// (a [`Reader::content_start`] value) verbatim.
    pub(crate) fn raw_from(&mut self, start: usize) -> Result<&'i str, XmlError> {
        let end = self.skip()?;
        if start == usize::MAX {
            return Ok("");
        }
        Ok(self.input.get(start..end).unwrap_or(""))
    }

    /// Checks that the element just started has no content (except whitespace).
    pub(crate) fn expect_empty(&mut self, element: &'static str) -> Result<(), XmlError> {
        match self.child(element)? {
            None => Ok(()),
            Some(elem) => Err(XmlError::UnexpectedElement {
                parent: element,
                found: elem.qname.to_owned(),
                offset: elem.offset,
            }),
        }
    }

    /// Whether `elem` is `local` in namespace `ns`, or, with `relaxed_namespaces`, in
    /// another of the three RVP namespaces.
    pub(crate) fn is(&self, elem: &Elem<'_>, ns: Ns, local: &str) -> bool {
        elem.local == local
            && (elem.ns == ns || (self.config.relaxed_namespaces && elem.ns.is_rvp_family()))
    }

    /// The error for a child that is not allowed in `parent`.
    pub(crate) fn unexpected(parent: &'static str, elem: &Elem<'_>) -> XmlError {
        XmlError::UnexpectedElement {
            parent,
            found: elem.qname.to_owned(),
            offset: elem.offset,
        }
    }
}

/// Stores `value` in `slot`, or reports a duplicate.
pub(crate) fn set_once<T>(
    slot: &mut Option<T>,
    value: T,
    parent: &'static str,
    element: &'static str,
    offset: usize,
) -> Result<(), XmlError> {
    if slot.is_some() {
        return Err(XmlError::DuplicateElement {
            parent,
            element,
            offset,
        });
    }
    *slot = Some(value);
    Ok(())
}

/// Unwraps a required child, or reports it missing from `parent` (started at `offset`).
pub(crate) fn required<T>(
    slot: Option<T>,
    parent: &'static str,
    missing: &'static str,
    offset: usize,
) -> Result<T, XmlError> {
    slot.ok_or(XmlError::MissingElement {
        parent,
        missing,
        offset,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::xml::{Notification, XmlBody};

    /// quick-xml's reading of the attributes of `<x{raw}>`, or `None` on an error.
    fn quick_xml_attributes(raw: &str) -> Option<Vec<(String, String)>> {
        let content = format!("x{raw}");
        let start = BytesStart::from_content(content.as_str(), 1);
        start
            .attributes()
            .map(|attr| {
                let attr = attr.ok()?;
                Some((attr.key.0.to_owned(), attr.value.into_owned()))
            })
            .collect()
    }

    /// The fast path accepts only attribute lists quick-xml reads the same way.
    #[test]
    fn simple_attributes_agree_with_quick_xml() {
        let cases = [
            "",
            "  ",
            r#" xmlns:d="DAV:""#,
            r#" xmlns:d="DAV:" xmlns:r='http://schemas.microsoft.com/rvp/' "#,
            "\txmlns=\"urn:\u{e9}t\u{e9}\"\r\n a=\"\u{1F600}\"",
            r#" a="1"b="2""#,
            r#" a = "1""#,
            r#" a="1" a="2""#,
            r#" a="x&amp;y""#,
            r#" a="x<y""#,
            r#" a=1"#,
            r#" a"#,
            r#" a=""#,
            r#" é="1""#,
            r#" a="1" b="2" c="3" d="4" e="5" f="6" g="7" h="8" i="9""#,
            r#" a="""#,
        ];
        for raw in cases {
            let mut out = [("", ""); SIMPLE_ATTRIBUTES];
            if let Some(count) = simple_attributes(raw, &mut out) {
                let fast: Vec<(String, String)> = out[..count]
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect();
                assert_eq!(Some(fast), quick_xml_attributes(raw), "{raw:?}");
            }
        }
        let mut out = [("", ""); SIMPLE_ATTRIBUTES];
        assert_eq!(simple_attributes(r#" a="1" b='2' "#, &mut out), Some(2));
        assert_eq!(out[1], ("b", "2"));
        // Left to quick-xml: a reference, a space before `=`, a duplicate, a ninth
        // attribute, a non-ASCII key, no space between attributes.
        for raw in [
            r#" a="x&amp;y""#,
            r#" a = "1""#,
            r#" a="1" a="2""#,
            r#" a="1" b="2" c="3" d="4" e="5" f="6" g="7" h="8" i="9""#,
            r#" é="1""#,
            r#" a="1"b="2""#,
        ] {
            assert_eq!(simple_attributes(raw, &mut out), None, "{raw:?}");
        }
    }

    /// The word-at-a-time colon search finds what a byte loop finds.
    #[test]
    fn find_colon_agrees_with_position() {
        let names = [
            "",
            ":",
            "a",
            "a:",
            ":a",
            "r:state",
            "d:propertyupdate",
            "abcdefg:",
            "abcdefgh:",
            "abcdefgh:i",
            "abcdefghijklmnop:",
            "x:y:z",
            "\u{e9}\u{e8}:\u{1F600}",
            "a\u{3a}b",
            ";;;;;;;;;;;;;:",
            "9999999999:",
        ];
        for name in names {
            for start in 0..name.len() {
                let bytes = &name.as_bytes()[start..];
                assert_eq!(
                    find_colon(bytes),
                    bytes.iter().position(|&b| b == b':'),
                    "{name:?}[{start}..]"
                );
            }
        }
        for b in 0..=255u8 {
            let mut bytes = [b; 11];
            assert_eq!(find_colon(&bytes), (b == b':').then_some(0));
            bytes[9] = b':';
            let expected = if b == b':' { 0 } else { 9 };
            assert_eq!(find_colon(&bytes), Some(expected));
        }
    }

    /// The one-pass screen never clears a body the byte-by-byte search would refuse.
    #[test]
    fn forbidden_character_screen_misses_nothing() {
        let reference = |bytes: &[u8]| {
            bytes.iter().enumerate().position(|(i, &b)| {
                (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
                    || (b == 0xef
                        && bytes
                            .get(i + 1..i + 3)
                            .is_some_and(|t| t[0] == 0xbf && t[1] >= 0xbe))
            })
        };
        let specials: [&[u8]; 7] = [
            b"\x00",
            b"\x08",
            b"\x1f",
            b"\xef\xbf\xbe",
            b"\xef\xbf\xbf",
            b"\xef\xbf\xbd",
            b"\xef",
        ];
        for len in [0, 1, 15, 16, 17, 64, 70] {
            let plain = "a\t\r\n\u{e9}\u{1F600}".repeat(len / 10 + 1).into_bytes();
            assert_eq!(forbidden_character(&plain), reference(&plain));
            for special in specials {
                for at in [0, plain.len() / 2, plain.len()] {
                    let mut bytes = plain.clone();
                    bytes.splice(at..at, special.iter().copied());
                    assert_eq!(forbidden_character(&bytes), reference(&bytes), "{bytes:?}");
                }
            }
        }
        for b in 0..=255u8 {
            let bytes = [b'a', b, b'b'];
            assert_eq!(forbidden_character(&bytes), reference(&bytes), "{b:#x}");
        }
    }

    /// Character references resolve as quick-xml resolves them.
    #[test]
    fn char_reference_agrees_with_quick_xml() {
        let numbers = [
            "",
            "x",
            "0",
            "x0",
            "65",
            "x41",
            "X41",
            "x1F600",
            "128512",
            "+65",
            "-65",
            "x+41",
            "1114111",
            "1114112",
            "x10FFFF",
            "x110000",
            "xD800",
            "55296",
            "4294967295",
            "4294967296",
            "0065",
            " 65",
            "6 5",
            "\u{e9}",
            "x\u{e9}",
        ];
        for number in numbers {
            let reference = format!("#{number}");
            let theirs = quick_xml::events::BytesRef::new(reference.as_str())
                .resolve_char_ref()
                .ok()
                .flatten();
            assert_eq!(char_reference(number), theirs, "{number:?}");
        }
    }

    fn message(root_attributes: &str, description: &str) -> Vec<u8> {
        format!(
            "<r:notification{root_attributes}><r:message><r:notification-from><r:contact>\
             <d:href>http://example.com/instmsg/aliases/\u{e9}l\u{e8}ve</d:href>\
             <r:description>{description}</r:description></r:contact></r:notification-from>\
             <r:msgbody><r:mime-data>\u{1F600}</r:mime-data></r:msgbody></r:message>\
             </r:notification>"
        )
        .into_bytes()
    }

    fn decoded(body: &[u8]) -> Result<(String, String, String), XmlError> {
        match XmlBody::decode(body, &Config::strict())? {
            XmlBody::Notification(Notification::Message(m)) => Ok((
                m.from.href,
                m.from.description.unwrap_or_default(),
                m.mime_data,
            )),
            other => panic!("{other:?}"),
        }
    }

    /// Names, values and text sliced around multi-byte UTF-8 read the same through
    /// the fast attribute path and quick-xml's iterator.
    #[test]
    fn multibyte_text_and_attributes_on_both_paths() {
        let expected = (
            "http://example.com/instmsg/aliases/\u{e9}l\u{e8}ve".to_owned(),
            "\u{e9}\u{4e2d}\u{1F600} &".to_owned(),
            "\u{1F600}".to_owned(),
        );
        for attributes in [
            // Fast path, with a non-ASCII attribute value.
            r#" xmlns:d="DAV:" xmlns:r="http://schemas.microsoft.com/rvp/" t="ü€😀""#,
            // Single quotes and line breaks.
            " xmlns:d='DAV:'\r\n\txmlns:r='http://schemas.microsoft.com/rvp/' ",
            // Fallback: spaces around `=`, a reference, a non-ASCII key.
            r#" xmlns:d = "DAV:" xmlns:r="http://schemas.microsoft.com/rvp&#47;" é="ü""#,
        ] {
            let body = message(attributes, "\u{e9}\u{4e2d}\u{1F600} &amp;");
            assert_eq!(decoded(&body).unwrap(), expected, "{attributes:?}");
        }
        // A multi-byte element name in no namespace is still an unexpected element.
        let body = message(
            r#" xmlns:d="DAV:" xmlns:r="http://schemas.microsoft.com/rvp/""#,
            "<\u{e9}t\u{e9}/>",
        );
        assert!(matches!(
            decoded(&body),
            Err(XmlError::UnexpectedElement { found, .. }) if found == "\u{e9}t\u{e9}"
        ));
    }

    /// Malformed and reserved attributes give the same errors on both paths.
    #[test]
    fn attribute_errors_on_both_paths() {
        let ns = r#" xmlns:d="DAV:" xmlns:r="http://schemas.microsoft.com/rvp/""#;
        let kind = |attributes: &str| match decoded(&message(attributes, "x")) {
            Err(XmlError::Syntax { kind, .. }) => kind,
            other => panic!("{attributes:?}: {other:?}"),
        };
        assert_eq!(
            kind(&format!("{ns} a=\"1\" a=\"2\"")),
            SyntaxKind::InvalidAttribute
        );
        assert_eq!(
            kind(&format!("{ns} xmlns:d=\"DAV:\"")),
            SyntaxKind::InvalidAttribute
        );
        assert_eq!(kind(&format!("{ns} a=1")), SyntaxKind::InvalidAttribute);
        assert_eq!(
            kind(&format!("{ns} xmlns:x=\"\"")),
            SyntaxKind::InvalidNamespaceDeclaration
        );
        assert_eq!(
            kind(&format!("{ns} xmlns:x = \"\"")),
            SyntaxKind::InvalidNamespaceDeclaration
        );
        assert_eq!(
            kind(&format!("{ns} xmlns:xmlns=\"urn:x\"")),
            SyntaxKind::InvalidNamespaceDeclaration
        );
        // Nine attributes take the fallback and still resolve.
        let many = format!("{ns} a=\"1\" b=\"2\" c=\"3\" e=\"4\" f=\"5\" g=\"6\" h=\"7\"");
        assert!(decoded(&message(&many, "x")).is_ok());
    }
}
