//! Making a verbatim-kept XML fragment self-contained.
//!
//! Unknown properties and foreign notification content are kept as the exact bytes of
//! their content and written back verbatim. Those bytes may use a prefix (or the default
//! namespace) declared on an ancestor in the received document, for example the draft's
//! `Z:` declared on the root. Written into a new document whose root declares only `d:`,
//! `r:` and `a:`, such a fragment would no longer be namespace-well-formed. So when a
//! fragment is captured, every prefix it uses without declaring is declared on each of its
//! top-level elements, with the URI it had in the received document.
//!
//! A fragment captured from a document this crate wrote is already self-contained, so
//! capturing is idempotent and `encode(decode(x))` stays a fixed point.

use std::borrow::Cow;
use std::collections::BTreeSet;

use quick_xml::events::Event;

use super::writer;
use super::{ACL_NS, DAV_NS, RVP_NS};

/// Returns `raw` with the declarations it needs added, looking each undeclared prefix up
/// with `in_scope` (`""` for the default namespace; `None` when not bound). `raw` is a
/// well-formed fragment (the reader has just read it).
pub(crate) fn self_contained<'a>(
    raw: &'a str,
    in_scope: impl Fn(&str) -> Option<String>,
) -> Cow<'a, str> {
    let mut reader = quick_xml::Reader::from_str(raw);
    // The fragment was read already, end-tag names checked or not as the configuration
    // said; here only its structure matters.
    reader.config_mut().check_end_names = false;
    // For each top-level element: where its declarations go (just after its name), and
    // the prefixes its subtree uses without declaring them ("free" prefixes).
    let mut tops: Vec<(usize, BTreeSet<String>)> = Vec::new();
    // Prefixes declared by each open element of the fragment, outermost first.
    let mut open: Vec<Vec<String>> = Vec::new();
    loop {
        let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(e) => e,
        };
        let (start, empty) = match &event {
            Event::Start(s) => (s, false),
            Event::Empty(s) => (s, true),
            Event::End(_) => {
                open.pop();
                continue;
            }
            _ => continue,
        };
        let name = start.name();
        if open.is_empty() {
            tops.push((
                before.saturating_add(1).saturating_add(name.as_ref().len()),
                BTreeSet::new(),
            ));
        }
        let mut here = Vec::new();
        let mut uses = vec![prefix_of(name.as_ref())];
        for attr in start.attributes().with_checks(false).flatten() {
            let key = attr.key.as_ref();
            if key == "xmlns" {
                here.push(String::new());
            } else if let Some(p) = key.strip_prefix("xmlns:") {
                here.push(p.to_owned());
            } else if key.contains(':') {
                uses.push(prefix_of(key));
            }
        }
        open.push(here);
        if let Some((_, free)) = tops.last_mut() {
            for prefix in uses {
                let declared = open.iter().any(|level| level.contains(&prefix));
                if !declared && prefix != "xml" {
                    free.insert(prefix);
                }
            }
        }
        if empty {
            open.pop();
        }
    }

    let mut out = String::new();
    let mut last = 0;
    for (at, free) in &tops {
        let decls = declarations(free, &in_scope);
        if decls.is_empty() {
            continue;
        }
        let Some(piece) = raw.get(last..*at) else {
            return Cow::Borrowed(raw);
        };
        out.push_str(piece);
        out.push_str(&decls);
        last = *at;
    }
    if last == 0 {
        return Cow::Borrowed(raw);
    }
    out.push_str(raw.get(last..).unwrap_or_default());
    Cow::Owned(out)
}

/// ` xmlns:p="uri"` for each free prefix bound in scope, except the three prefixes every
/// document this crate writes declares on its root (when bound to their usual URIs) and
/// an empty default namespace.
fn declarations(free: &BTreeSet<String>, in_scope: &impl Fn(&str) -> Option<String>) -> String {
    let mut decls = Vec::new();
    for prefix in free {
        let Some(uri) = in_scope(prefix) else {
            continue;
        };
        let standard = matches!(
            (prefix.as_str(), uri.as_str()),
            ("d", DAV_NS) | ("r", RVP_NS) | ("a", ACL_NS)
        );
        // An unprefixed name outside any default namespace declaration is in no
        // namespace, as it is where the fragment is written: no writer of this crate
        // declares a default namespace.
        if standard || (prefix.is_empty() && uri.is_empty()) {
            continue;
        }
        if prefix.is_empty() {
            decls.extend_from_slice(b" xmlns=\"");
        } else {
            decls.extend_from_slice(b" xmlns:");
            decls.extend_from_slice(prefix.as_bytes());
            decls.extend_from_slice(b"=\"");
        }
        writer::escape(&mut decls, &uri, true);
        decls.push(b'"');
    }
    String::from_utf8_lossy(&decls).into_owned()
}

/// The prefix of a qualified name (`""` when it has none).
fn prefix_of(qname: &str) -> String {
    qname
        .split_once(':')
        .map_or("", |(prefix, _)| prefix)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(prefix: &str) -> Option<String> {
        match prefix {
            "Z" => Some(RVP_NS.into()),
            "d" => Some(DAV_NS.into()),
            "" => Some("urn:default".into()),
            "x" => Some("urn:a&b".into()),
            _ => None,
        }
    }

    #[test]
    fn declares_what_each_top_level_element_uses_freely() {
        let raw = r#"<Z:a x:k="1"><b/></Z:a>text<d:c/><e xmlns="urn:own"><Z:f xmlns:Z="urn:z"/></e><Z:g><Z:h xmlns:Z="urn:z"/></Z:g>"#;
        let got = self_contained(raw, scope);
        assert_eq!(
            got,
            concat!(
                r#"<Z:a xmlns="urn:default" xmlns:Z="http://schemas.microsoft.com/rvp/" xmlns:x="urn:a&amp;b" x:k="1"><b/></Z:a>"#,
                r#"text<d:c/><e xmlns="urn:own"><Z:f xmlns:Z="urn:z"/></e>"#,
                r#"<Z:g xmlns:Z="http://schemas.microsoft.com/rvp/"><Z:h xmlns:Z="urn:z"/></Z:g>"#,
            )
        );
        // Idempotent: the result is self-contained.
        assert!(matches!(self_contained(&got, scope), Cow::Borrowed(_)));
    }

    #[test]
    fn self_contained_fragments_are_left_alone() {
        let raw = r#"<m:e xmlns:m="urn:m"><m:f/></m:e><d:x/>"#;
        assert!(matches!(self_contained(raw, scope), Cow::Borrowed(_)));
        assert!(matches!(
            self_contained("just text", scope),
            Cow::Borrowed(_)
        ));
    }
}
