//! The tokenizer under [`Reader`](super::reader::Reader): splits a body, already checked
//! to be UTF-8, into markup and text, borrowing every piece from it.
//!
//! It makes the same cuts and raises the same errors at the same offsets as quick-xml's
//! event reader over a `&[u8]`, configured as the reader used to configure it (no text
//! trimming, no comment checks, end names checked unless `relaxed_end_tags`); the
//! differential tests at the end of this file hold it to that on generated input and on
//! every wire vector. The one deliberate difference: a `<!DOCTYPE` is refused where it
//! starts, closed or not, since RVP bodies never carry one. What it does not redo is
//! quick-xml's UTF-8 validation of every event (the body was validated as a whole) and
//! its copy of every open element's name (kept here as borrowed slices, and only when
//! end names are checked). Measured with callgrind, the switch cut the typed decode of
//! librvp's NOTIFY by a quarter (42,164 to 32,002 instructions).
//!
//! What the tokenizer leaves to the reader: names, attributes, namespaces, references
//! beyond their extent, and what may appear where.

use super::error::{SyntaxKind, XmlError};
use crate::syntax::bytes_below;

/// One piece of a document. Offsets are those of the tokenizer before the piece
/// ([`Tokenizer::position`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'i> {
    /// `<name attributes>` or, with `empty`, `<name attributes/>`: `content` is what
    /// lies between `<` and `>` (or `/>`), its first `name_len` bytes the name.
    Start {
        content: &'i str,
        name_len: usize,
        empty: bool,
    },
    /// `</name>`, checked against the open element when end names are checked.
    End,
    /// Character data up to the next `<` or `&`, never empty.
    Text(&'i str),
    /// The content of a CDATA section.
    CData(&'i str),
    /// `&name;`: the name between `&` and `;`, not yet resolved.
    Ref(&'i str),
    /// A comment.
    Comment,
    /// `<?xml ...?>`.
    Decl,
    /// A processing instruction other than the declaration: its content between `<?`
    /// and `?>`.
    Pi(&'i str),
    /// End of input.
    Eof,
}

/// XML whitespace (`S` in the XML grammar) as a byte.
pub(crate) fn is_xml_ws_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The length of the name at the start of a tag's content: up to the first XML
/// whitespace. Eight bytes at a time: a word without a byte below `!` (where all
/// whitespace lies) is all name; a word with one is looked at from that byte on.
fn name_len(content: &[u8]) -> usize {
    let mut i = 0;
    while let Some(chunk) = content.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        let low = bytes_below(u64::from_le_bytes(*chunk), b'!');
        if low != 0 {
            i += (low.trailing_zeros() / 8) as usize;
            break;
        }
        i += 8;
    }
    let rest = content.get(i..).unwrap_or_default();
    rest.iter()
        .position(|&b| is_xml_ws_byte(b))
        .map_or(content.len(), |n| i + n)
}

/// The tokenizer state: a position in the input and the elements open there.
#[derive(Debug)]
pub(crate) struct Tokenizer<'i> {
    input: &'i str,
    pos: usize,
    /// Elements started and not yet ended.
    open: usize,
    /// Their names, innermost last, when end names are checked (else empty). The reader
    /// refuses an element deeper than its depth limit, so this is bounded by it.
    names: Vec<&'i str>,
    check_end_names: bool,
}

impl<'i> Tokenizer<'i> {
    /// A tokenizer at the start of `input`; with `check_end_names`, an end tag must
    /// name the element it closes.
    pub(crate) fn new(input: &'i str, check_end_names: bool) -> Self {
        Self {
            input,
            pos: 0,
            open: 0,
            names: if check_end_names {
                Vec::with_capacity(8)
            } else {
                Vec::new()
            },
            check_end_names,
        }
    }

    /// The byte offset of the next token.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// `input[from..to]`. Every cut is next to an ASCII byte, hence a char boundary;
    /// the empty fallback is never taken.
    fn slice(&self, from: usize, to: usize) -> &'i str {
        self.input.get(from..to).unwrap_or_default()
    }

    /// The next token.
    #[inline]
    pub(crate) fn next_token(&mut self) -> Result<Token<'i>, XmlError> {
        let bytes = self.input.as_bytes();
        let start = self.pos;
        match bytes.get(start) {
            None => Ok(Token::Eof),
            Some(b'<') => self.markup(start),
            Some(b'&') => {
                // The name runs to `;`; a `&` or `<` first, or the end, leaves it open.
                let rest = bytes.get(start + 1..).unwrap_or_default();
                match memchr::memchr3(b';', b'&', b'<', rest) {
                    Some(i) if rest.get(i) == Some(&b';') => {
                        self.pos = start + i + 2;
                        Ok(Token::Ref(self.slice(start + 1, start + 1 + i)))
                    }
                    _ => Err(XmlError::syntax(start, SyntaxKind::InvalidReference)),
                }
            }
            Some(_) => {
                let rest = bytes.get(start..).unwrap_or_default();
                let end = memchr::memchr2(b'<', b'&', rest).map_or(bytes.len(), |i| start + i);
                self.pos = end;
                Ok(Token::Text(self.slice(start, end)))
            }
        }
    }

    /// The offset of the `>` that closes the tag starting at `start`, skipping any in
    /// quoted attribute values; the error names an unclosed tag or value.
    fn tag_end(&self, start: usize) -> Result<usize, XmlError> {
        let bytes = self.input.as_bytes();
        let rest = bytes.get(start..).unwrap_or_default();
        let mut quote = None;
        for i in memchr::memchr3_iter(b'>', b'\'', b'"', rest) {
            let b = rest.get(i).copied();
            match (quote, b) {
                (None, Some(b'>')) => return Ok(start + i),
                (None, Some(q)) => quote = Some(q),
                (Some(q), Some(b)) if q == b => quote = None,
                _ => {}
            }
        }
        Err(XmlError::syntax(start, SyntaxKind::UnclosedMarkup))
    }

    /// The offset of the first `>` after `start + min` whose two preceding bytes are
    /// `closer` (`--` for a comment, `]]` for CDATA).
    fn find_close(&self, start: usize, min: usize, closer: &[u8; 2]) -> Option<usize> {
        let bytes = self.input.as_bytes();
        let rest = bytes.get(start..)?;
        memchr::memchr_iter(b'>', rest)
            .find(|&i| i > min && rest.get(i.saturating_sub(2)..i) == Some(closer))
            .map(|i| start + i)
    }

    /// Markup starting with the `<` at `start`.
    fn markup(&mut self, start: usize) -> Result<Token<'i>, XmlError> {
        let bytes = self.input.as_bytes();
        let unclosed = || XmlError::syntax(start, SyntaxKind::UnclosedMarkup);
        match bytes.get(start + 1) {
            None => Err(unclosed()),
            Some(b'!') => match bytes.get(start + 2) {
                Some(b'-') => {
                    // At least `<!---->`: the `>` comes after offset 5.
                    let gt = self.find_close(start, 5, b"--").ok_or_else(unclosed)?;
                    if bytes.get(start..start + 4) != Some(b"<!--") {
                        return Err(unclosed());
                    }
                    self.pos = gt + 1;
                    Ok(Token::Comment)
                }
                Some(b'[') => {
                    let gt = self.find_close(start, 0, b"]]").ok_or_else(unclosed)?;
                    if bytes.get(start..start + 9) != Some(b"<![CDATA[") || gt < start + 11 {
                        return Err(unclosed());
                    }
                    self.pos = gt + 1;
                    Ok(Token::CData(self.slice(start + 9, gt - 2)))
                }
                Some(b'D' | b'd') => Err(XmlError::syntax(start, SyntaxKind::Doctype)),
                _ => Err(XmlError::syntax(start, SyntaxKind::InvalidMarkup)),
            },
            Some(b'?') => {
                // The first `>` right after a `?` (the one of `<?` counts).
                let rest = bytes.get(start..).unwrap_or_default();
                let gt = memchr::memchr_iter(b'>', rest)
                    .find(|&i| i > 0 && rest.get(i - 1) == Some(&b'?'))
                    .map(|i| start + i)
                    .ok_or_else(unclosed)?;
                // `<?>` is unclosed: its `?` is the opening one.
                if gt < start + 3 {
                    return Err(unclosed());
                }
                self.pos = gt + 1;
                let content = self.slice(start + 2, gt - 1);
                let c = content.as_bytes();
                if c.starts_with(b"xml") && c.get(3).is_none_or(|&b| is_xml_ws_byte(b)) {
                    Ok(Token::Decl)
                } else {
                    Ok(Token::Pi(content))
                }
            }
            Some(b'/') => {
                let gt = self.tag_end(start)?;
                let content = self.slice(start + 2, gt);
                // Whitespace after the name is allowed; a name of whitespace alone is
                // kept as is (and matches no element).
                let trimmed = content.trim_end_matches(super::reader::is_xml_ws);
                let name = if trimmed.is_empty() { content } else { trimmed };
                if self.open == 0 {
                    return Err(XmlError::syntax(
                        start,
                        SyntaxKind::UnmatchedEndTag {
                            found: name.to_owned(),
                        },
                    ));
                }
                self.open -= 1;
                if self.check_end_names {
                    let expected = self.names.pop().unwrap_or_default();
                    if name != expected {
                        return Err(XmlError::syntax(
                            start,
                            SyntaxKind::MismatchedEndTag {
                                expected: expected.to_owned(),
                                found: name.to_owned(),
                            },
                        ));
                    }
                }
                self.pos = gt + 1;
                Ok(Token::End)
            }
            Some(_) => {
                let gt = self.tag_end(start)?;
                let inner = self.slice(start + 1, gt);
                let (content, empty) = match inner.strip_suffix('/') {
                    Some(content) => (content, true),
                    None => (inner, false),
                };
                let name_len = name_len(content.as_bytes());
                if !empty {
                    self.open += 1;
                    if self.check_end_names {
                        self.names.push(content.get(..name_len).unwrap_or_default());
                    }
                }
                self.pos = gt + 1;
                Ok(Token::Start {
                    content,
                    name_len,
                    empty,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use proptest::prelude::*;
    use quick_xml::errors::{Error as QxError, IllFormedError, SyntaxError};
    use quick_xml::events::Event;

    use super::*;

    /// A token with what it borrows copied, for comparison.
    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Owned {
        Start(String, usize, bool),
        End,
        Text(String),
        CData(String),
        Ref(String),
        Comment,
        Decl,
        Pi(String),
        Doctype,
    }

    /// The tokens up to the end or the first error, each with its offset.
    type Run = (Vec<(usize, Owned)>, Option<XmlError>);

    fn ours(input: &str, check_end_names: bool) -> Run {
        let mut tokenizer = Tokenizer::new(input, check_end_names);
        let mut tokens = Vec::new();
        loop {
            let offset = tokenizer.position();
            let token = match tokenizer.next_token() {
                Ok(token) => token,
                Err(e) => return (tokens, Some(e)),
            };
            let owned = match token {
                Token::Start {
                    content,
                    name_len,
                    empty,
                } => Owned::Start(content.to_owned(), name_len, empty),
                Token::End => Owned::End,
                Token::Text(t) => Owned::Text(t.to_owned()),
                Token::CData(t) => Owned::CData(t.to_owned()),
                Token::Ref(t) => Owned::Ref(t.to_owned()),
                Token::Comment => Owned::Comment,
                Token::Decl => Owned::Decl,
                Token::Pi(t) => Owned::Pi(t.to_owned()),
                Token::Eof => return (tokens, None),
            };
            tokens.push((offset, owned));
        }
    }

    /// quick-xml's events, with its errors classified as the reader classified them
    /// when it read through quick-xml (a DOCTYPE event counts as the error the reader
    /// made of it).
    fn quick_xml(input: &str, check_end_names: bool) -> Run {
        let mut reader = quick_xml::Reader::from_str(input);
        reader.config_mut().check_end_names = check_end_names;
        let mut tokens = Vec::new();
        loop {
            let offset = usize::try_from(reader.buffer_position()).unwrap();
            let event = match reader.read_event() {
                Ok(event) => event,
                Err(e) => {
                    let at = usize::try_from(reader.error_position())
                        .ok()
                        .filter(|&p| p > 0)
                        .unwrap_or(offset);
                    return (tokens, Some(classify(e, at)));
                }
            };
            let owned = match event {
                Event::Start(s) => Owned::Start((*s).to_owned(), s.name().0.len(), false),
                Event::Empty(s) => Owned::Start((*s).to_owned(), s.name().0.len(), true),
                Event::End(_) => Owned::End,
                Event::Text(t) => Owned::Text(t.into_inner().into_owned()),
                Event::CData(t) => Owned::CData(t.into_inner().into_owned()),
                Event::GeneralRef(r) => Owned::Ref((*r).to_owned()),
                Event::Comment(_) => Owned::Comment,
                Event::Decl(_) => Owned::Decl,
                Event::PI(p) => Owned::Pi((*p).to_owned()),
                Event::DocType(_) => Owned::Doctype,
                Event::Eof => return (tokens, None),
            };
            if owned == Owned::Doctype {
                return (tokens, Some(XmlError::syntax(offset, SyntaxKind::Doctype)));
            }
            tokens.push((offset, owned));
        }
    }

    /// The classification of quick-xml's errors the reader used.
    fn classify(e: QxError, offset: usize) -> XmlError {
        let kind = match e {
            QxError::Syntax(SyntaxError::InvalidBangMarkup) => SyntaxKind::InvalidMarkup,
            QxError::Syntax(_) => SyntaxKind::UnclosedMarkup,
            QxError::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
                SyntaxKind::MismatchedEndTag { expected, found }
            }
            QxError::IllFormed(IllFormedError::UnmatchedEndTag(found)) => {
                SyntaxKind::UnmatchedEndTag { found }
            }
            QxError::IllFormed(IllFormedError::MissingDoctypeName) => SyntaxKind::Doctype,
            QxError::IllFormed(IllFormedError::UnclosedReference) => SyntaxKind::InvalidReference,
            other => panic!("quick-xml error the tokenizer cannot meet: {other:?}"),
        };
        XmlError::Syntax { offset, kind }
    }

    /// Whether the two runs agree: the same tokens at the same offsets, and the same
    /// error, except that a DOCTYPE is refused where it starts whatever quick-xml made
    /// of it.
    fn agree(input: &str, check_end_names: bool) -> Result<(), TestCaseError> {
        let (ours, our_error) = ours(input, check_end_names);
        let (theirs, their_error) = quick_xml(input, check_end_names);
        prop_assert_eq!(&ours, &theirs, "{:?}", input);
        match (&our_error, &their_error) {
            (
                Some(XmlError::Syntax {
                    kind: SyntaxKind::Doctype,
                    offset,
                }),
                Some(XmlError::Syntax { .. }),
            ) => {
                let at = input.get(*offset..).unwrap_or_default().as_bytes();
                prop_assert!(
                    at.starts_with(b"<!D") || at.starts_with(b"<!d"),
                    "{:?}: {:?} / {:?}",
                    input,
                    our_error,
                    their_error
                );
            }
            _ => prop_assert_eq!(&our_error, &their_error, "{:?}", input),
        }
        Ok(())
    }

    /// Pieces of XML, joined at random: every kind of markup, broken ones included.
    fn document() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "<",
            ">",
            "/",
            "/>",
            "</",
            "<!",
            "<?",
            "?>",
            "!",
            "?",
            "-",
            "--",
            "<!--",
            "-->",
            "[",
            "]",
            "]]",
            "]]>",
            "<![CDATA[",
            "CDATA",
            "<!DOCTYPE",
            "<!d",
            "DOCTYPE",
            "&",
            ";",
            "&#",
            "&#x",
            "&amp;",
            "&lt;",
            "#",
            "x",
            "xml",
            "<?xml",
            " ",
            "\t",
            "\r\n",
            "\n",
            "a",
            "b",
            "r:state",
            "d:",
            ":",
            "=",
            "\"",
            "'",
            "é",
            "\u{1F600}",
            "1",
            "<a>",
            "</a>",
            "<b>",
            "</b>",
            "<a/>",
            "</a >",
            " x=\"1\"",
            " y='>'",
        ]);
        prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// The tokenizer agrees with quick-xml's reader on pieces of XML.
        #[test]
        fn agrees_with_quick_xml(input in document(), check in any::<bool>()) {
            agree(&input, check)?;
        }

        /// ... and on any text at all.
        #[test]
        fn agrees_with_quick_xml_on_any_text(input in any::<String>(), check in any::<bool>()) {
            agree(&input, check)?;
        }
    }

    /// The library's wire vectors tokenize the same through both.
    #[test]
    fn agrees_on_the_vectors() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
        let mut stack = vec![root];
        let mut bodies = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let bytes = std::fs::read(&path).unwrap();
                let Ok(text) = std::str::from_utf8(&bytes) else {
                    continue;
                };
                // The body of a message, or the whole file for a bare body.
                let body = text
                    .find("\r\n\r\n")
                    .map_or(text, |i| text.get(i + 4..).unwrap());
                for check in [false, true] {
                    agree(body, check).unwrap();
                }
                bodies += 1;
            }
        }
        assert!(bodies > 20, "{bodies} files");
    }

    /// The word-at-a-time name scan stops where a byte loop stops.
    #[test]
    fn name_len_agrees_with_position() {
        let stops = [b' ', b'\t', b'\r', b'\n'];
        for len in 0..20 {
            for b in [b'a', b'\x01', b'\x1f', b'!', b'\xc3', b':'] {
                for stop in 0..=len {
                    let mut content = vec![b; len];
                    if stop < len {
                        content[stop] = stops[stop % 4];
                    }
                    let expected = content.iter().position(|b| stops.contains(b));
                    assert_eq!(name_len(&content), expected.unwrap_or(len), "{content:?}");
                }
            }
        }
    }

    #[test]
    fn cuts() {
        let (tokens, error) = ours(
            "<?xml version='1.0'?><a x='>'>t&amp;<![CDATA[c]]><!-- k --><?p i?><b/></a >",
            true,
        );
        assert_eq!(error, None);
        let kinds: Vec<Owned> = tokens.into_iter().map(|(_, t)| t).collect();
        assert_eq!(
            kinds,
            [
                Owned::Decl,
                Owned::Start("a x='>'".into(), 1, false),
                Owned::Text("t".into()),
                Owned::Ref("amp".into()),
                Owned::CData("c".into()),
                Owned::Comment,
                Owned::Pi("p i".into()),
                Owned::Start("b".into(), 1, true),
                Owned::End,
            ]
        );
        let doctype = ours("<!DOCTYPE a><a/>", false).1;
        assert_eq!(
            doctype,
            Some(XmlError::Syntax {
                offset: 0,
                kind: SyntaxKind::Doctype
            })
        );
        let mismatch = ours("<a><b></a>", true).1;
        assert!(matches!(
            mismatch,
            Some(XmlError::Syntax {
                offset: 6,
                kind: SyntaxKind::MismatchedEndTag { .. }
            })
        ));
        assert_eq!(ours("<a><b></a>", false).1, None);
    }
}
