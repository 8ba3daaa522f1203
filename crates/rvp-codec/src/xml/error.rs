//! [`XmlError`]: why an XML body was rejected, and where.

use http::StatusCode;

/// An XML body that is not well-formed, exceeds a limit, or is not the expected document.
///
/// Every variant carries the byte offset in the body where the problem was found (for
/// a missing element: the offset of its parent's start tag). Every variant answers
/// `400 Bad Request` ([`XmlError::status`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XmlError {
    /// The body is not valid UTF-8 (the only encoding RVP peers use).
    #[error("XML body is not UTF-8: invalid byte at {offset}")]
    NotUtf8 {
        /// Offset of the first byte that is not part of a valid UTF-8 sequence.
        offset: usize,
    },
    /// The body is not well-formed XML.
    #[error("malformed XML at byte {offset}: {kind}")]
    Syntax {
        /// Byte offset in the body.
        offset: usize,
        /// What is malformed.
        kind: SyntaxKind,
    },
    /// An element or attribute name uses a namespace prefix that no `xmlns:` attribute
    /// in scope declares (the draft's SUBSCRIPTIONS answer, `<r:subscriptions>`).
    /// Rejected in every configuration: without the declaration the element has no
    /// namespace to match.
    #[error("undeclared namespace prefix `{prefix}` at byte {offset}")]
    UndeclaredPrefix {
        /// The prefix as written.
        prefix: String,
        /// Offset of the element's start tag.
        offset: usize,
    },
    /// The root element is not the document that was asked for (or, for
    /// [`XmlBody::decode`](crate::xml::XmlBody::decode), not any RVP document).
    #[error("unexpected root element `{found}` at byte {offset}, expected {expected}")]
    UnexpectedRoot {
        /// What was expected, e.g. `DAV: propfind`.
        expected: &'static str,
        /// The root's qualified name as written.
        found: String,
        /// Offset of the root's start tag.
        offset: usize,
    },
    /// An element that is not allowed where it appears.
    #[error("unexpected element `{found}` inside `{parent}` at byte {offset}")]
    UnexpectedElement {
        /// Local name of the parent element.
        parent: &'static str,
        /// The element's qualified name as written.
        found: String,
        /// Offset of the element's start tag.
        offset: usize,
    },
    /// A required child element is missing.
    #[error("element `{parent}` at byte {offset} lacks a `{missing}` child")]
    MissingElement {
        /// Local name of the parent element.
        parent: &'static str,
        /// Local name of the missing child.
        missing: &'static str,
        /// Offset of the parent's start tag.
        offset: usize,
    },
    /// A child element that may appear once appears again.
    #[error("duplicate `{element}` inside `{parent}` at byte {offset}")]
    DuplicateElement {
        /// Local name of the parent element.
        parent: &'static str,
        /// Local name of the repeated child.
        element: &'static str,
        /// Offset of the repeated child's start tag.
        offset: usize,
    },
    /// Character data where only elements are allowed.
    #[error("unexpected text inside `{element}` at byte {offset}")]
    UnexpectedText {
        /// Local name of the element whose content it is.
        element: &'static str,
        /// Offset of the text.
        offset: usize,
    },
    /// An element's text is not a valid value for it.
    #[error("invalid value in `{element}` at byte {offset}: {reason}")]
    InvalidValue {
        /// Local name of the element.
        element: &'static str,
        /// Why the value was rejected.
        reason: &'static str,
        /// Offset of the element's start tag.
        offset: usize,
    },
    /// An ACL principal without credentials, or with an empty `<credentials/>`. The
    /// draft (section 6.7.2) requires the answer `400 credentials not specified`.
    #[error("credentials not specified for the ACL principal at byte {offset}")]
    CredentialsNotSpecified {
        /// Offset of the `principal` start tag.
        offset: usize,
    },
    /// Elements are nested deeper than [`Limits::max_xml_depth`](crate::Limits).
    #[error("XML nesting deeper than {limit} levels at byte {offset}")]
    DepthLimit {
        /// The configured limit.
        limit: usize,
        /// Offset of the start tag that exceeded it.
        offset: usize,
    },
    /// The body has more elements than [`Limits::max_xml_elements`](crate::Limits).
    #[error("more than {limit} XML elements at byte {offset}")]
    ElementLimit {
        /// The configured limit.
        limit: usize,
        /// Offset of the start tag that exceeded it.
        offset: usize,
    },
}

impl XmlError {
    /// A [`XmlError::Syntax`] error.
    pub(crate) fn syntax(offset: usize, kind: SyntaxKind) -> XmlError {
        XmlError::Syntax { offset, kind }
    }

    /// The status code to answer with: `400`.
    ///
    /// For [`XmlError::CredentialsNotSpecified`] the draft also fixes the reason phrase:
    /// `credentials not specified`.
    pub fn status(&self) -> StatusCode {
        StatusCode::BAD_REQUEST
    }

    /// Byte offset in the body where the problem was found.
    pub fn offset(&self) -> usize {
        match self {
            XmlError::NotUtf8 { offset }
            | XmlError::Syntax { offset, .. }
            | XmlError::UndeclaredPrefix { offset, .. }
            | XmlError::UnexpectedRoot { offset, .. }
            | XmlError::UnexpectedElement { offset, .. }
            | XmlError::MissingElement { offset, .. }
            | XmlError::DuplicateElement { offset, .. }
            | XmlError::UnexpectedText { offset, .. }
            | XmlError::InvalidValue { offset, .. }
            | XmlError::CredentialsNotSpecified { offset }
            | XmlError::DepthLimit { offset, .. }
            | XmlError::ElementLimit { offset, .. } => *offset,
        }
    }
}

/// What makes a body malformed XML ([`XmlError::Syntax`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SyntaxKind {
    /// The body ends inside a tag, comment, CDATA section, declaration or processing
    /// instruction.
    #[error("unclosed markup")]
    UnclosedMarkup,
    /// `<!` followed by something other than a comment, CDATA section or DOCTYPE.
    #[error("invalid `<!` markup")]
    InvalidMarkup,
    /// The body ends while elements are still open.
    #[error("end of input with {open} elements still open")]
    UnexpectedEof {
        /// How many elements are still open.
        open: usize,
    },
    /// The body contains no element at all.
    #[error("no root element")]
    NoRoot,
    /// An end tag names another element than the start tag it closes (accepted with
    /// [`Config::relaxed_end_tags`](crate::Config)).
    #[error("end tag `{found}` does not match start tag `{expected}`")]
    MismatchedEndTag {
        /// The start tag's name.
        expected: String,
        /// The end tag's name.
        found: String,
    },
    /// An end tag with no open element.
    #[error("end tag `{found}` closes nothing")]
    UnmatchedEndTag {
        /// The end tag's name.
        found: String,
    },
    /// A second element, or non-whitespace text, after the root element.
    #[error("content after the root element")]
    ContentAfterRoot,
    /// Non-whitespace text before the root element.
    #[error("text before the root element")]
    TextBeforeRoot,
    /// A malformed attribute: no `=`, an unquoted value, a duplicate name.
    #[error("malformed attribute")]
    InvalidAttribute,
    /// A malformed `xmlns` attribute (binding a reserved prefix).
    #[error("invalid namespace declaration")]
    InvalidNamespaceDeclaration,
    /// A qualified name with an empty prefix or local part, or more than one colon
    /// (`:x`, `a:`, `a:b:c`): not a name in a namespace-aware document.
    #[error("invalid qualified name")]
    InvalidQualifiedName,
    /// A character XML 1.0 forbids (a control character other than tab, line feed and
    /// carriage return, or U+FFFE, U+FFFF), unless
    /// [`Config::allow_xml_control_characters`](crate::Config) is set.
    #[error("character not allowed in XML")]
    ForbiddenCharacter,
    /// An entity other than the five predefined ones, a malformed or unterminated
    /// reference, or a character reference to a character XML 1.0 excludes.
    #[error("invalid entity or character reference")]
    InvalidReference,
    /// A malformed XML declaration, or a processing instruction whose target is
    /// reserved (`<?xml.version="1.0"?>` in the draft).
    #[error("invalid XML declaration")]
    InvalidDeclaration,
    /// A document type declaration: RVP bodies never carry one, and none is processed.
    #[error("DOCTYPE is not allowed")]
    Doctype,
    /// Nesting beyond what the underlying parser can track.
    #[error("nesting too deep")]
    TooDeep,
}
