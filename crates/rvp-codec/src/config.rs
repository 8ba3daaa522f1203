//! Decoder configuration: resource limits and lenience for legacy peers.

/// Resource limits applied while decoding.
///
/// Every buffer, list and nesting level a peer can grow is bounded by one of these
/// fields; exceeding one yields a typed error that knows its HTTP status code
/// (see [`Error::status`](crate::Error::status)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Limits {
    /// Largest message head (start line plus header fields plus the blank line), and
    /// largest chunked-body trailer section, in bytes. Exceeding it: `431`.
    pub max_head_size: usize,
    /// Most header fields in one head (and most fields in one MIME header block or
    /// trailer section). Exceeding it: `431`.
    pub max_headers: usize,
    /// Largest body, after removing any chunked framing. Exceeding it: `413`.
    pub max_body_size: usize,
    /// Deepest element nesting accepted in an XML body. Exceeding it: `400`.
    pub max_xml_depth: usize,
    /// Most elements accepted in one XML body. Exceeding it: `400`.
    pub max_xml_elements: usize,
}

impl Limits {
    /// The default limits: 16 KiB heads, 64 header fields, 1 MiB bodies, XML nesting of
    /// 32 levels and 10,000 elements.
    ///
    /// Real RVP traffic is far below these: librvp's largest request head is under 400
    /// bytes with 9 fields, and an instant message body is a few KiB.
    pub const fn new() -> Self {
        Self {
            max_head_size: 16 * 1024,
            max_headers: 64,
            max_body_size: 1024 * 1024,
            max_xml_depth: 32,
            max_xml_elements: 10_000,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::new()
    }
}

/// How the decoders treat input: limits, and which deviations of real peers to accept.
///
/// [`Config::strict`] (the [`Default`]) accepts only what the draft and HTTP/1.1 allow
/// and rejects anything else with a precise error. [`Config::lenient`] additionally
/// accepts every deviation seen from real RVP peers (Windows Messenger as captured by the
/// Miranda plugin, Miranda itself, Pidgin's librvp, and the draft's own examples); each
/// flag below names the peer that needs it. Flags can also be set one by one.
///
/// Encoding is not affected by the configuration: the encoders always write the strict,
/// canonical form.
///
/// ```
/// use rvp_codec::Config;
///
/// let mut config = Config::lenient();
/// config.limits.max_body_size = 64 * 1024;
/// assert!(config.allow_bare_lf);
/// assert!(!Config::strict().allow_bare_lf);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Config {
    /// Resource limits.
    pub limits: Limits,
    /// Accept a bare `\n` as a line ending in message heads, chunked framing and MIME
    /// header blocks. Miranda (and so, by its authors' captures, Messenger-compatible
    /// code) ends head lines with `\n` alone.
    pub allow_bare_lf: bool,
    /// Accept sloppy head syntax: repeated spaces in the start line, whitespace between a
    /// header name and its colon, and obsolete line folding (replaced by one space), in
    /// message heads and in MIME header blocks. The draft's examples contain all three.
    /// In XML bodies: the draft's `<?xml.version="1.0"?>` before the root and its status
    /// line `HTTP/1.1.200.Successful` (dots for spaces) in `d:status`.
    pub relaxed_head_syntax: bool,
    /// Trim whitespace around every XML text value (`<subscription-id> 456 </subscription-id>`,
    /// a multi-line `<d:href>`); strict decoding treats such padding as part of the value,
    /// so a padded number or URL is rejected. `mime-data` is never trimmed: its
    /// whitespace belongs to the message. In MIME payloads, undo the draft's indented
    /// layout (leading blank lines and the common indentation of every line are dropped)
    /// and allow spaces around `=` in parameters.
    pub trim_text: bool,
    /// Accept presence states beyond the draft's seven: `idle` and `invisible` (sent by
    /// librvp and Miranda) and any other token, kept as an extension state.
    pub allow_extended_states: bool,
    /// Match RVP elements by local name when they appear in the wrong one of the three
    /// RVP namespaces (the draft writes `D:notification`, `Z:timeout`), and accept each of
    /// the three namespace URIs in any letter case and with or without its trailing
    /// slash (the draft writes `http://schemas.Microsoft.com/rvp/acl`).
    pub relaxed_namespaces: bool,
    /// Accept an XML end tag whose name differs from its start tag
    /// (`<D:propupdate>…</D:propertyupdate>` in the draft; nesting decides structure),
    /// and the draft's root name `propupdate` for `propertyupdate`.
    pub relaxed_end_tags: bool,
    /// Accept known misspellings in MIME payloads: the draft's `text/x-msmsscontrol` for
    /// `text/x-msmsgscontrol`, `MIME-Version 1.0` without a colon, `;.` before a
    /// parameter, a malformed `Session-Id` (kept raw and echoed back unchanged), and
    /// unknown `Content-Type` parameters on the known payload types (ignored).
    pub allow_known_typos: bool,
    /// Accept characters XML 1.0 forbids (control characters other than tab, line feed
    /// and carriage return; U+FFFE, U+FFFF) in XML bodies. Strict decoding rejects them;
    /// the encoders write U+FFFD in their place, so values holding them do not round-trip.
    pub allow_xml_control_characters: bool,
}

impl Config {
    /// The strict configuration with default [`Limits`].
    pub const fn strict() -> Self {
        Self {
            limits: Limits::new(),
            allow_bare_lf: false,
            relaxed_head_syntax: false,
            trim_text: false,
            allow_extended_states: false,
            relaxed_namespaces: false,
            relaxed_end_tags: false,
            allow_known_typos: false,
            allow_xml_control_characters: false,
        }
    }

    /// The lenient configuration with default [`Limits`]: every lenience flag set.
    ///
    /// This is what a server or client that must talk to real peers should use.
    pub const fn lenient() -> Self {
        Self {
            limits: Limits::new(),
            allow_bare_lf: true,
            relaxed_head_syntax: true,
            trim_text: true,
            allow_extended_states: true,
            relaxed_namespaces: true,
            relaxed_end_tags: true,
            allow_known_typos: true,
            allow_xml_control_characters: true,
        }
    }

    /// Replaces the limits, keeping the lenience flags.
    #[must_use]
    pub const fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

impl Default for Config {
    fn default() -> Self {
        Self::strict()
    }
}
