//! The event reader under every document decoder: quick-xml's `NsReader` over the
//! borrowed body, plus namespace classification, limits, well-formedness checks that
//! quick-xml leaves to its caller, and text assembly.
//!
//! The document decoders are small recursive-descent functions over this reader. Their
//! recursion follows the fixed shape of the RVP documents; content of unknown or foreign
//! elements is skipped (or captured as a byte range) iteratively, so nesting depth of
//! peer data never becomes stack depth.

use std::borrow::Cow;

use quick_xml::errors::{Error as QxError, IllFormedError, SyntaxError};
use quick_xml::events::Event;
use quick_xml::name::{NamespaceError, ResolveResult};
use quick_xml::reader::NsReader;

use super::error::{SyntaxKind, XmlError};
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
    Other(Box<str>),
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
    /// Trimmed in every configuration (the draft: "White space surrounding an RVP
    /// PRINCIPAL identifier will be stripped"), must not be empty.
    AlwaysTrimmed,
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
    inner: NsReader<&'i [u8]>,
    input: &'i str,
    config: Config,
    depth: usize,
    elements: usize,
    root_seen: bool,
    /// The element just returned was `<x/>`: its end is still to be reported.
    pending_end: bool,
    peeked: Option<Item<'i>>,
    /// Qualified names of the open elements (for the end-of-input error).
    open: Vec<&'i str>,
}

impl std::fmt::Debug for Reader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("depth", &self.depth)
            .field("elements", &self.elements)
            .finish_non_exhaustive()
    }
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

fn classify(res: &ResolveResult<'_>, relaxed: bool) -> Result<Ns, String> {
    match res {
        ResolveResult::Bound(ns) => {
            // The resolver hands out the attribute value as written.
            let uri = quick_xml::escape::unescape(ns.0).unwrap_or(Cow::Borrowed(ns.0));
            let uri: &str = &uri;
            Ok(match uri {
                DAV_NS => Ns::Dav,
                RVP_NS => Ns::Rvp,
                ACL_NS => Ns::Acl,
                _ if relaxed => relaxed_ns(uri),
                _ => Ns::Other(uri.into()),
            })
        }
        ResolveResult::Unbound => Ok(Ns::None),
        ResolveResult::Unknown(prefix) => Err(prefix.clone()),
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
        let input = std::str::from_utf8(bytes).map_err(|e| XmlError::NotUtf8 {
            offset: e.valid_up_to(),
        })?;
        let mut inner = NsReader::from_str(input);
        inner.config_mut().check_end_names = !config.relaxed_end_tags;
        Ok(Self {
            inner,
            input,
            config: *config,
            depth: 0,
            elements: 0,
            root_seen: false,
            pending_end: false,
            peeked: None,
            open: Vec::with_capacity(16),
        })
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    fn position(&self) -> usize {
        usize::try_from(self.inner.buffer_position()).unwrap_or(usize::MAX)
    }

    fn map_error(&self, e: QxError, offset: usize) -> XmlError {
        let offset = usize::try_from(self.inner.error_position())
            .ok()
            .filter(|&p| p > 0)
            .unwrap_or(offset);
        let kind = match e {
            QxError::Syntax(SyntaxError::InvalidBangMarkup) => SyntaxKind::InvalidMarkup,
            QxError::Syntax(_) | QxError::Io(_) => SyntaxKind::UnclosedMarkup,
            QxError::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
                SyntaxKind::MismatchedEndTag { expected, found }
            }
            QxError::IllFormed(IllFormedError::UnmatchedEndTag(found)) => {
                SyntaxKind::UnmatchedEndTag { found }
            }
            QxError::IllFormed(IllFormedError::MissingEndTag(open)) => {
                SyntaxKind::UnexpectedEof { open }
            }
            QxError::IllFormed(
                IllFormedError::MissingDeclVersion(_) | IllFormedError::UnknownVersion,
            ) => SyntaxKind::InvalidDeclaration,
            QxError::IllFormed(IllFormedError::MissingDoctypeName) => SyntaxKind::Doctype,
            QxError::IllFormed(IllFormedError::DoubleHyphenInComment) => SyntaxKind::InvalidMarkup,
            QxError::IllFormed(IllFormedError::UnclosedReference) | QxError::Escape(_) => {
                SyntaxKind::InvalidReference
            }
            QxError::InvalidAttr(_) => SyntaxKind::InvalidAttribute,
            QxError::Namespace(NamespaceError::UnknownPrefix(prefix)) => {
                return XmlError::UndeclaredPrefix { prefix, offset };
            }
            QxError::Namespace(NamespaceError::TooDeeplyNested(_)) => SyntaxKind::TooDeep,
            QxError::Namespace(
                NamespaceError::InvalidXmlPrefixBind(_)
                | NamespaceError::InvalidXmlnsPrefixBind(_)
                | NamespaceError::InvalidPrefixForXml(_)
                | NamespaceError::InvalidPrefixForXmlns(_)
                | NamespaceError::TooManyBindings(_),
            ) => SyntaxKind::InvalidNamespaceDeclaration,
            QxError::Encoding(_) => return XmlError::NotUtf8 { offset },
        };
        XmlError::Syntax { offset, kind }
    }

    fn syntax(offset: usize, kind: SyntaxKind) -> XmlError {
        XmlError::Syntax { offset, kind }
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
            let (ns, event) = match self.inner.read_resolved_event() {
                Ok((res, event)) => {
                    let ns = match &event {
                        Event::Start(_) | Event::Empty(_) => {
                            Some(classify(&res, self.config.relaxed_namespaces))
                        }
                        _ => None,
                    };
                    (ns, event)
                }
                Err(e) => return Err(self.map_error(e, offset)),
            };
            match event {
                Event::Start(ref start) | Event::Empty(ref start) => {
                    let empty = matches!(event, Event::Empty(_));
                    if self.depth == 0 && self.root_seen {
                        return Err(Self::syntax(offset, SyntaxKind::ContentAfterRoot));
                    }
                    if !start
                        .attributes_raw()
                        .trim_start_matches(is_xml_ws)
                        .is_empty()
                        && start.attributes().any(|attr| attr.is_err())
                    {
                        return Err(Self::syntax(offset, SyntaxKind::InvalidAttribute));
                    }
                    let ns = match ns {
                        Some(Ok(ns)) => ns,
                        Some(Err(prefix)) => {
                            return Err(XmlError::UndeclaredPrefix { prefix, offset });
                        }
                        None => Ns::None,
                    };
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
                    let name_len = start.name().0.len();
                    let qname = offset
                        .checked_add(1)
                        .and_then(|from| self.input.get(from..from.checked_add(name_len)?))
                        .unwrap_or("");
                    let local = qname.rsplit_once(':').map_or(qname, |(_, local)| local);
                    self.root_seen = true;
                    self.open.push(qname);
                    self.pending_end = empty;
                    return Ok(Item::Start(Elem {
                        ns,
                        qname,
                        local,
                        offset,
                    }));
                }
                Event::End(_) => return Ok(self.close(offset)),
                Event::Text(text) => {
                    let text = text.into_inner();
                    if self.depth == 0 {
                        if !trim_xml(&text).is_empty() {
                            let kind = if self.root_seen {
                                SyntaxKind::ContentAfterRoot
                            } else {
                                SyntaxKind::TextBeforeRoot
                            };
                            return Err(Self::syntax(offset, kind));
                        }
                        continue;
                    }
                    return Ok(Item::Text {
                        text,
                        cdata: false,
                        offset,
                    });
                }
                Event::CData(text) => {
                    if self.depth == 0 {
                        return Err(Self::syntax(offset, SyntaxKind::ContentAfterRoot));
                    }
                    return Ok(Item::Text {
                        text: text.into_inner(),
                        cdata: true,
                        offset,
                    });
                }
                Event::GeneralRef(reference) => {
                    let bad = || Self::syntax(offset, SyntaxKind::InvalidReference);
                    if self.depth == 0 {
                        return Err(Self::syntax(offset, SyntaxKind::ContentAfterRoot));
                    }
                    let text = match reference.resolve_char_ref() {
                        Ok(Some(c)) if is_xml_char(c) => Cow::Owned(c.to_string()),
                        Ok(Some(_)) | Err(_) => return Err(bad()),
                        Ok(None) => Cow::Borrowed(predefined_entity(&reference).ok_or_else(bad)?),
                    };
                    return Ok(Item::Text {
                        text,
                        cdata: false,
                        offset,
                    });
                }
                Event::Comment(_) => {}
                Event::Decl(_) => {
                    if offset != 0 {
                        return Err(Self::syntax(offset, SyntaxKind::InvalidDeclaration));
                    }
                }
                Event::PI(pi) => {
                    let content: &str = &pi;
                    let target = content.split(is_xml_ws).next().unwrap_or("");
                    if !is_xml_name(target) || target.eq_ignore_ascii_case("xml") {
                        return Err(Self::syntax(offset, SyntaxKind::InvalidDeclaration));
                    }
                }
                Event::DocType(_) => return Err(Self::syntax(offset, SyntaxKind::Doctype)),
                Event::Eof => {
                    if let Some(open) = self.open.last() {
                        return Err(Self::syntax(
                            offset,
                            SyntaxKind::UnexpectedEof {
                                open: (*open).to_owned(),
                            },
                        ));
                    }
                    if !self.root_seen {
                        return Err(Self::syntax(offset, SyntaxKind::NoRoot));
                    }
                    return Ok(Item::Eof);
                }
            }
        }
    }

    fn close(&mut self, offset: usize) -> Item<'i> {
        self.depth = self.depth.saturating_sub(1);
        self.open.pop();
        Item::End { offset }
    }

    /// Reads up to the root element's start tag.
    pub(crate) fn root(&mut self) -> Result<Elem<'i>, XmlError> {
        match self.next_item()? {
            Item::Start(elem) => Ok(elem),
            // `next_item` reports text outside the root and a missing root itself.
            Item::End { offset } | Item::Text { offset, .. } => {
                Err(Self::syntax(offset, SyntaxKind::NoRoot))
            }
            Item::Eof => Err(Self::syntax(self.position(), SyntaxKind::NoRoot)),
        }
    }

    /// Checks that nothing but comments, processing instructions and whitespace
    /// follows the root element.
    pub(crate) fn finish(&mut self) -> Result<(), XmlError> {
        match self.next_item()? {
            Item::Eof => Ok(()),
            Item::Start(Elem { offset, .. }) | Item::End { offset } | Item::Text { offset, .. } => {
                Err(Self::syntax(offset, SyntaxKind::ContentAfterRoot))
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
                    return Err(Self::syntax(
                        self.position(),
                        SyntaxKind::UnexpectedEof {
                            open: String::new(),
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
                    return Err(Self::syntax(
                        self.position(),
                        SyntaxKind::UnexpectedEof {
                            open: element.to_owned(),
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
                    return Err(Self::syntax(
                        self.position(),
                        SyntaxKind::UnexpectedEof {
                            open: element.to_owned(),
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
            TextKind::AlwaysTrimmed => trim_cow(text),
            TextKind::Token | TextKind::Required if self.config.trim_text => trim_cow(text),
            TextKind::Token | TextKind::Required => {
                if trim_xml(&text).len() != text.len() {
                    return Err(invalid("surrounding whitespace"));
                }
                text
            }
        };
        if matches!(kind, TextKind::Required | TextKind::AlwaysTrimmed) && text.is_empty() {
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
                    return Err(Self::syntax(
                        self.position(),
                        SyntaxKind::UnexpectedEof {
                            open: String::new(),
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
