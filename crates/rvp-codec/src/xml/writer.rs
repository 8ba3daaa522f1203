//! Output helpers shared by the document encoders: the root with its namespace
//! declarations, tags, escaped text and CDATA.

use super::reader::is_xml_char;
use super::{ACL_NS, DAV_NS, RVP_NS};

/// The XML declaration every body starts with.
pub(crate) const DECLARATION: &str = "<?xml version=\"1.0\"?>";

/// Appends the declaration and the root start tag `<qname` with the `d`, `r` and `a`
/// namespace declarations.
pub(crate) fn root_start(out: &mut Vec<u8>, qname: &str) {
    out.extend_from_slice(DECLARATION.as_bytes());
    out.push(b'<');
    out.extend_from_slice(qname.as_bytes());
    out.extend_from_slice(b" xmlns:d=\"");
    out.extend_from_slice(DAV_NS.as_bytes());
    out.extend_from_slice(b"\" xmlns:r=\"");
    out.extend_from_slice(RVP_NS.as_bytes());
    out.extend_from_slice(b"\" xmlns:a=\"");
    out.extend_from_slice(ACL_NS.as_bytes());
    out.extend_from_slice(b"\">");
}

/// Appends the root end tag and the final newline.
pub(crate) fn root_end(out: &mut Vec<u8>, qname: &str) {
    end(out, qname);
    out.push(b'\n');
}

pub(crate) fn start(out: &mut Vec<u8>, qname: &str) {
    out.push(b'<');
    out.extend_from_slice(qname.as_bytes());
    out.push(b'>');
}

pub(crate) fn end(out: &mut Vec<u8>, qname: &str) {
    out.extend_from_slice(b"</");
    out.extend_from_slice(qname.as_bytes());
    out.push(b'>');
}

pub(crate) fn empty(out: &mut Vec<u8>, qname: &str) {
    out.push(b'<');
    out.extend_from_slice(qname.as_bytes());
    out.extend_from_slice(b"/>");
}

/// `<qname>text</qname>` with `text` escaped, or `<qname/>` when `text` is empty: the
/// two forms are the same element to XML, and writing one form for both keeps
/// `encode(decode(x))` a fixed point (a reader cannot tell which one was written).
pub(crate) fn text_element(out: &mut Vec<u8>, qname: &str, text: &str) {
    if text.is_empty() {
        empty(out, qname);
        return;
    }
    start(out, qname);
    escape(out, text, false);
    end(out, qname);
}

/// Appends `text` escaped for character data (`attr == false`) or a double-quoted
/// attribute value. `&`, `<`, `>` (and `"` in attributes) become entity references;
/// carriage returns (and tabs and line feeds in attributes) become character
/// references so that line-end and attribute normalization keep them; characters XML
/// 1.0 cannot carry become U+FFFD.
pub(crate) fn escape(out: &mut Vec<u8>, text: &str, attr: bool) {
    let mut last = 0;
    for (i, c) in text.char_indices() {
        let replacement = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' if attr => "&quot;",
            '\r' => "&#13;",
            '\t' if attr => "&#9;",
            '\n' if attr => "&#10;",
            c if !is_xml_char(c) => "\u{FFFD}",
            _ => continue,
        };
        out.extend_from_slice(text.get(last..i).unwrap_or("").as_bytes());
        out.extend_from_slice(replacement.as_bytes());
        last = i + c.len_utf8();
    }
    out.extend_from_slice(text.get(last..).unwrap_or("").as_bytes());
}

/// Appends `text` as CDATA. A `]]>` inside is split across two sections
/// (`]]]]><![CDATA[>`); characters XML 1.0 cannot carry become U+FFFD. An empty
/// `text` writes nothing.
pub(crate) fn cdata(out: &mut Vec<u8>, text: &str) {
    if text.is_empty() {
        return;
    }
    out.extend_from_slice(b"<![CDATA[");
    let mut rest = text;
    while let Some(pos) = rest.find("]]>") {
        // Keep `]]` in this section, start the next one with `>`.
        push_sanitized(out, rest.get(..pos + 2).unwrap_or(""));
        out.extend_from_slice(b"]]><![CDATA[");
        rest = rest.get(pos + 2..).unwrap_or("");
    }
    push_sanitized(out, rest);
    out.extend_from_slice(b"]]>");
}

/// Appends `text` with characters XML 1.0 cannot carry replaced by U+FFFD.
pub(crate) fn push_sanitized(out: &mut Vec<u8>, text: &str) {
    if text.chars().all(is_xml_char) {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    for c in text.chars() {
        let c = if is_xml_char(c) { c } else { '\u{FFFD}' };
        let mut buf = [0; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str, attr: bool) -> String {
        let mut out = Vec::new();
        escape(&mut out, s, attr);
        String::from_utf8(out).unwrap_or_default()
    }

    fn cd(s: &str) -> String {
        let mut out = Vec::new();
        cdata(&mut out, s);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn escapes_markup_and_unrepresentable_characters() {
        assert_eq!(esc("a<b>&c\"", false), "a&lt;b&gt;&amp;c\"");
        assert_eq!(esc("a\"\t\n", true), "a&quot;&#9;&#10;");
        assert_eq!(
            esc("x\r\ny\u{1}\u{FFFE}", false),
            "x&#13;\ny\u{FFFD}\u{FFFD}"
        );
        assert_eq!(esc("Grüße", false), "Grüße");
    }

    #[test]
    fn splits_cdata_terminator() {
        assert_eq!(cd("a]]>b"), "<![CDATA[a]]]]><![CDATA[>b]]>");
        assert_eq!(cd("]]>]]>"), "<![CDATA[]]]]><![CDATA[>]]]]><![CDATA[>]]>");
        assert_eq!(cd(""), "");
        assert_eq!(cd("x\u{0}"), "<![CDATA[x\u{FFFD}]]>");
    }
}
