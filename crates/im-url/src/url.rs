//! Node URLs: logical (`/instmsg/aliases/<alias>`), physical
//! (`/instmsg/local/<im-host>/instmsg/aliases/<alias>`), groups, devices and other nodes.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use crate::address::{Address, Alias, Domain, is_alias_byte};
use crate::error::UrlError;
use crate::host::{Authority, Host};

/// Longest URL accepted, in bytes.
pub const MAX_URL_LEN: usize = 2048;
/// Most path segments accepted.
pub const MAX_SEGMENTS: usize = 64;

/// The URL scheme: RVP is HTTP/1.1, so `http` (and `https` for TLS deployments).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// `http`, default port 80.
    Http,
    /// `https`, default port 443.
    Https,
}

impl Scheme {
    /// The port implied when none is written.
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }

    /// `"http"` or `"https"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Is `b` allowed unescaped in a path segment (RFC 3986 `pchar` without `%`)?
fn is_pchar(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
        )
}

/// Checks that `s` is pchars, `/` (when `slash` is set) and well-formed `%XX` escapes.
/// `base` is added to error offsets.
fn check_path_text(s: &str, slash: bool, base: usize) -> Result<(), UrlError> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let ok = bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
            if !ok {
                return Err(UrlError::BadPercent { index: base + i });
            }
            i += 3;
            continue;
        }
        if !(is_pchar(b) || (slash && b == b'/')) {
            let ch = s[i..].chars().next().unwrap_or('\u{fffd}');
            return Err(UrlError::IllegalPathChar {
                index: base + i,
                ch,
            });
        }
        i += 1;
    }
    Ok(())
}

fn hex(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Decodes `%XX` escapes of an already checked segment; `None` if the result is not an
/// alias (so it is not a principal path).
fn decode_alias(seg: &str) -> Option<Alias> {
    if !seg.contains('%') {
        return Alias::new(seg).ok();
    }
    let bytes = seg.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = hex(*bytes.get(i + 1)?)?;
            let lo = hex(*bytes.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    if !out.iter().all(|&b| is_alias_byte(b)) {
        return None;
    }
    Alias::new(std::str::from_utf8(&out).ok()?).ok()
}

/// One path segment of a group or device node: non-empty pchars and `%XX` escapes, no `/`.
/// Compared byte for byte (HTTP paths are case-sensitive).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Segment(String);

impl Segment {
    /// Validates one path segment.
    ///
    /// # Errors
    /// [`UrlError::IllegalPathChar`], [`UrlError::BadPercent`] or [`UrlError::Empty`].
    pub fn new(s: &str) -> Result<Self, UrlError> {
        if s.is_empty() {
            return Err(UrlError::Empty);
        }
        check_path_text(s, false, 0)?;
        Ok(Self(s.to_owned()))
    }

    /// The segment as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A path that is none of the typed node shapes: kept verbatim, compared byte for byte.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OtherPath(String);

impl OtherPath {
    /// The path as written (starts with `/`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OtherPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The path of a node URL, classified.
///
/// The fixed words (`instmsg`, `aliases`, `local`, `groups`, `devices`) are recognised in
/// any ASCII case, as IIS matches virtual directories, and written in lower case. An alias
/// segment may be percent-encoded on the wire; it is decoded and then compares
/// case-insensitively like every [`Alias`]. Everything else compares byte for byte.
/// A path that fits no typed shape (including near misses such as a trailing `/` after the
/// alias, or the white paper's `/instmsg/aliases/local/...` misprint) is [`NodePath::Other`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum NodePath {
    /// `/instmsg/aliases/<alias>`: a principal's node (logical URL on the IM host, or the
    /// home server's own URL for it).
    Principal(Alias),
    /// `/instmsg/local/<im-host>[:port]/instmsg/aliases/<alias>`: the physical path on a
    /// home server of the principal whose logical URL is on `im`.
    Local {
        /// The IM host (router) of the logical URL.
        im: Authority,
        /// The principal's alias.
        alias: Alias,
    },
    /// `/groups/<name>`: a group notification sink (draft §6.1.3).
    Group(Segment),
    /// `/devices/<class>/<name>`: a device node (draft §5.1.2).
    Device {
        /// Device class, e.g. `printers`.
        class: Segment,
        /// Device name, e.g. `floor1prn`.
        name: Segment,
    },
    /// Any other absolute path, e.g. `/information/stock/companyA` or `/`.
    Other(OtherPath),
}

impl NodePath {
    /// Parses and classifies an absolute path (`""` is `/`).
    ///
    /// # Errors
    /// [`UrlError`] for characters that need escaping, bad escapes, a query or fragment,
    /// or too many segments.
    ///
    /// ```
    /// use im_url::NodePath;
    /// let p = NodePath::parse("/instmsg/aliases/JoBrown")?;
    /// assert_eq!(p.alias().map(|a| a.as_str()), Some("JoBrown"));
    /// assert!(matches!(NodePath::parse("/groups/rec-cycling")?, NodePath::Group(_)));
    /// # Ok::<(), im_url::UrlError>(())
    /// ```
    pub fn parse(path: &str) -> Result<Self, UrlError> {
        if path.contains(['?', '#']) {
            return Err(UrlError::QueryOrFragment);
        }
        if path.is_empty() {
            return Ok(NodePath::Other(OtherPath("/".to_owned())));
        }
        if !path.starts_with('/') {
            return Err(UrlError::BadRequestTarget);
        }
        check_path_text(path, true, 0)?;
        let segs: Vec<&str> = path[1..].split('/').take(MAX_SEGMENTS + 1).collect();
        if segs.len() > MAX_SEGMENTS {
            return Err(UrlError::TooManySegments { max: MAX_SEGMENTS });
        }
        let word = |i: usize, w: &str| segs.get(i).is_some_and(|s| s.eq_ignore_ascii_case(w));
        let typed = match segs.len() {
            3 if word(0, "instmsg") && word(1, "aliases") => {
                decode_alias(segs[2]).map(NodePath::Principal)
            }
            6 if word(0, "instmsg")
                && word(1, "local")
                && word(3, "instmsg")
                && word(4, "aliases") =>
            {
                match (Authority::parse(segs[2]), decode_alias(segs[5])) {
                    (Ok(im), Some(alias)) if !matches!(im.host(), Host::Ipv6(_)) => {
                        Some(NodePath::Local { im, alias })
                    }
                    _ => None,
                }
            }
            2 if word(0, "groups") && !segs[1].is_empty() => {
                Some(NodePath::Group(Segment(segs[1].to_owned())))
            }
            3 if word(0, "devices") && !segs[1].is_empty() && !segs[2].is_empty() => {
                Some(NodePath::Device {
                    class: Segment(segs[1].to_owned()),
                    name: Segment(segs[2].to_owned()),
                })
            }
            _ => None,
        };
        Ok(typed.unwrap_or_else(|| NodePath::Other(OtherPath(path.to_owned()))))
    }

    /// The principal's alias, for [`NodePath::Principal`] and [`NodePath::Local`].
    pub fn alias(&self) -> Option<&Alias> {
        match self {
            NodePath::Principal(a) | NodePath::Local { alias: a, .. } => Some(a),
            _ => None,
        }
    }
}

impl fmt::Display for NodePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodePath::Principal(a) => write!(f, "/instmsg/aliases/{a}"),
            NodePath::Local { im, alias } => {
                write!(f, "/instmsg/local/{im}/instmsg/aliases/{alias}")
            }
            NodePath::Group(g) => write!(f, "/groups/{g}"),
            NodePath::Device { class, name } => write!(f, "/devices/{class}/{name}"),
            NodePath::Other(p) => p.fmt(f),
        }
    }
}

impl FromStr for NodePath {
    type Err = UrlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// An RVP node URL: `http://im.adatum.com/instmsg/aliases/JoBrown`.
///
/// # Equality (addressing draft, after HTTP/1.1 §3.2.3)
/// - scheme and host compare case-insensitively;
/// - an explicit default port equals the implied one (`:80` for http);
/// - an empty path equals `/`;
/// - the path compares case-sensitively, except the alias of a principal path, which
///   compares case-insensitively (see [`NodePath`]);
/// - a name is never equal to an IP address, even one it resolves to.
///
/// `Display` writes the scheme in lower case, the authority as parsed (an explicit `:80`
/// stays) and the canonical path. Parsing what `Display` wrote gives an equal URL.
///
/// ```
/// use im_url::{Address, Authority, NodeUrl};
/// let jo: Address = "JoBrown@adatum.com".parse()?;
/// let im: Authority = "im.adatum.com".parse()?;
/// let logical = NodeUrl::logical(im, jo.alias().clone());
/// assert_eq!(logical.to_string(), "http://im.adatum.com/instmsg/aliases/JoBrown");
/// assert_eq!(logical, "HTTP://IM.adatum.com:80/instmsg/aliases/jobrown".parse()?);
///
/// let physical = logical.to_physical("imhomeserver1".parse()?).ok_or("not a principal")?;
/// assert_eq!(
///     physical.to_string(),
///     "http://imhomeserver1/instmsg/local/im.adatum.com/instmsg/aliases/JoBrown"
/// );
/// assert_eq!(physical.to_logical(), Some(logical));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct NodeUrl {
    scheme: Scheme,
    authority: Authority,
    path: NodePath,
}

impl NodeUrl {
    /// A URL from its parts.
    pub fn new(scheme: Scheme, authority: Authority, path: NodePath) -> Self {
        Self {
            scheme,
            authority,
            path,
        }
    }

    /// The logical URL `http://<im>/instmsg/aliases/<alias>`.
    pub fn logical(im: Authority, alias: Alias) -> Self {
        Self::new(Scheme::Http, im, NodePath::Principal(alias))
    }

    /// The physical URL `http://<home>/instmsg/local/<im>/instmsg/aliases/<alias>`.
    pub fn physical(home: Authority, im: Authority, alias: Alias) -> Self {
        Self::new(Scheme::Http, home, NodePath::Local { im, alias })
    }

    /// Parses an absolute URL `http://host[:port][/path]`.
    ///
    /// # Errors
    /// [`UrlError`] names what is wrong.
    pub fn parse(s: &str) -> Result<Self, UrlError> {
        if s.is_empty() {
            return Err(UrlError::Empty);
        }
        if s.len() > MAX_URL_LEN {
            return Err(UrlError::TooLong {
                len: s.len(),
                max: MAX_URL_LEN,
            });
        }
        let (scheme, rest) = s.split_once("://").ok_or(UrlError::UnsupportedScheme)?;
        let scheme = if scheme.eq_ignore_ascii_case("http") {
            Scheme::Http
        } else if scheme.eq_ignore_ascii_case("https") {
            Scheme::Https
        } else {
            return Err(UrlError::UnsupportedScheme);
        };
        if rest.contains(['?', '#']) {
            return Err(UrlError::QueryOrFragment);
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        Ok(Self {
            scheme,
            authority: Authority::parse(authority)?,
            path: NodePath::parse(path)?,
        })
    }

    /// Builds the URL a request names, from its request target and `Host` header.
    ///
    /// - absolute-form (`SUBSCRIBE http://im.example.com/instmsg/aliases/bob HTTP/1.1`):
    ///   parsed as is; the `Host` header is ignored, as HTTP/1.1 requires;
    /// - origin-form (`SUBSCRIBE /instmsg/aliases/bob HTTP/1.1`, what librvp sends): the
    ///   authority comes from `host`, the scheme is `http`.
    ///
    /// # Errors
    /// [`UrlError::MissingHostHeader`] for origin-form without `host`,
    /// [`UrlError::BadRequestTarget`] for `*` or authority-form, or a parse error.
    ///
    /// ```
    /// use im_url::NodeUrl;
    /// let u = NodeUrl::from_request_target("/instmsg/aliases/bob", Some("im.example.com"))?;
    /// assert_eq!(u.to_string(), "http://im.example.com/instmsg/aliases/bob");
    /// # Ok::<(), im_url::UrlError>(())
    /// ```
    pub fn from_request_target(target: &str, host: Option<&str>) -> Result<Self, UrlError> {
        if target.starts_with('/') {
            if target.len() > MAX_URL_LEN {
                return Err(UrlError::TooLong {
                    len: target.len(),
                    max: MAX_URL_LEN,
                });
            }
            let host = host.ok_or(UrlError::MissingHostHeader)?;
            return Ok(Self {
                scheme: Scheme::Http,
                authority: Authority::parse(host.trim())?,
                path: NodePath::parse(target)?,
            });
        }
        if target.contains("://") {
            return Self::parse(target);
        }
        Err(UrlError::BadRequestTarget)
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The authority as written.
    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// The host.
    pub fn host(&self) -> &Host {
        self.authority.host()
    }

    /// The port to connect to: the written one or the scheme's default.
    pub fn port(&self) -> u16 {
        self.authority.port_or(self.scheme.default_port())
    }

    /// The classified path.
    pub fn path(&self) -> &NodePath {
        &self.path
    }

    /// The principal's alias, for logical and physical principal URLs.
    pub fn alias(&self) -> Option<&Alias> {
        self.path.alias()
    }

    /// Is this a logical (or home-server-direct) principal URL `/instmsg/aliases/<alias>`?
    pub fn is_logical(&self) -> bool {
        matches!(self.path, NodePath::Principal(_))
    }

    /// Is this a physical URL `/instmsg/local/<im>/instmsg/aliases/<alias>`?
    pub fn is_physical(&self) -> bool {
        matches!(self.path, NodePath::Local { .. })
    }

    /// The logical URL of a principal: a physical URL becomes `<scheme>://<im>/instmsg/
    /// aliases/<alias>` with the physical URL's scheme (the one [`to_physical`](Self::to_physical)
    /// kept, and the one whose default port `<im>` left out); a logical URL is returned
    /// unchanged; other nodes give `None`.
    pub fn to_logical(&self) -> Option<NodeUrl> {
        match &self.path {
            NodePath::Principal(_) => Some(self.clone()),
            NodePath::Local { im, alias } => Some(Self::new(
                self.scheme,
                im.clone(),
                NodePath::Principal(alias.clone()),
            )),
            _ => None,
        }
    }

    /// The physical URL of this logical URL on home server `home` (what a router puts in
    /// its `302 Location`); a physical URL is moved to `home`; other nodes give `None`.
    pub fn to_physical(&self, home: Authority) -> Option<NodeUrl> {
        match &self.path {
            NodePath::Principal(alias) => Some(Self {
                scheme: self.scheme,
                authority: home,
                path: NodePath::Local {
                    im: self
                        .authority
                        .without_default_port(self.scheme.default_port()),
                    alias: alias.clone(),
                },
            }),
            NodePath::Local { .. } => Some(Self {
                scheme: self.scheme,
                authority: home,
                path: self.path.clone(),
            }),
            _ => None,
        }
    }

    /// The address of the principal in `domain` (the mail domain, which the URL does not
    /// carry: `im.adatum.com` serves `@adatum.com`).
    pub fn address_in(&self, domain: Domain) -> Option<Address> {
        self.alias().map(|a| Address::new(a.clone(), domain))
    }

    /// The address `alias@<IM host>`: what Miranda derives from a URL (last segment, `@`,
    /// host). For a physical URL the IM host comes from the path. `None` for other nodes
    /// and for IP-literal hosts.
    pub fn host_address(&self) -> Option<Address> {
        let (host, alias) = match &self.path {
            NodePath::Principal(a) => (self.authority.host(), a),
            NodePath::Local { im, alias } => (im.host(), alias),
            _ => return None,
        };
        Some(Address::new(alias.clone(), host.as_domain()?.clone()))
    }

    /// The request target in origin-form: the path, as librvp sends it.
    pub fn origin_form(&self) -> String {
        self.path.to_string()
    }

    /// The `Host` header value: the host, plus `:port` when the port is not the scheme's
    /// default (RFC 9110 §7.2). librvp omits the port even when it is not 80; servers
    /// must accept both.
    pub fn host_header(&self) -> String {
        self.authority
            .without_default_port(self.scheme.default_port())
            .to_string()
    }

    /// The URL as an [`http::Uri`].
    ///
    /// # Errors
    /// [`UrlError::UriRejected`] if `http` refuses the text; validated URLs only contain
    /// characters `http` accepts, so this is not expected.
    pub fn to_uri(&self) -> Result<http::Uri, UrlError> {
        http::Uri::try_from(self.to_string()).map_err(|_| UrlError::UriRejected)
    }
}

impl PartialEq for NodeUrl {
    fn eq(&self, other: &Self) -> bool {
        self.scheme == other.scheme
            && self.authority.host() == other.authority.host()
            && self.port() == other.port()
            && self.path == other.path
    }
}
impl Eq for NodeUrl {}

impl Hash for NodeUrl {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.scheme.hash(state);
        self.authority.host().hash(state);
        self.port().hash(state);
        self.path.hash(state);
    }
}

impl fmt::Display for NodeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.scheme, self.authority, self.path)
    }
}

impl FromStr for NodeUrl {
    type Err = UrlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<&http::Uri> for NodeUrl {
    type Error = UrlError;
    fn try_from(uri: &http::Uri) -> Result<Self, Self::Error> {
        Self::parse(&uri.to_string())
    }
}

impl Address {
    /// The logical URL of this address on IM host `im`: `http://<im>/instmsg/aliases/
    /// <alias>`. `im` is the *resolved* IM host: the SRV target and port
    /// (`im.adatum.com`, librvp: `im.example.com:18207`), or the domain itself when there
    /// is no SRV record.
    ///
    /// ```
    /// let jo: im_url::Address = "JoBrown@adatum.com".parse()?;
    /// let url = jo.logical_url("im.adatum.com".parse()?);
    /// assert_eq!(url.to_string(), "http://im.adatum.com/instmsg/aliases/JoBrown");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn logical_url(&self, im: Authority) -> NodeUrl {
        NodeUrl::logical(im, self.alias().clone())
    }

    /// The logical URL when no SRV record exists: `http://<domain>/instmsg/aliases/<alias>`
    /// (librvp's and Miranda's fallback).
    pub fn fallback_url(&self) -> NodeUrl {
        NodeUrl::logical(Authority::from(self.domain().clone()), self.alias().clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn u(s: &str) -> NodeUrl {
        NodeUrl::parse(s).unwrap()
    }

    #[test]
    fn https_logical_urls_survive_the_trip_to_physical_and_back() {
        // Found by the address_url fuzz target: the physical URL's IM host drops the
        // default port of the logical URL's scheme, so going back must keep the scheme.
        let logical = u("https://moim/instmsg/aliases/=e.&&.nf");
        let physical = logical
            .to_physical("home.example".parse().unwrap())
            .unwrap();
        assert_eq!(
            physical.to_string(),
            "https://home.example/instmsg/local/moim/instmsg/aliases/=e.&&.nf"
        );
        assert_eq!(physical.to_logical().unwrap(), logical);
        let ported = u("https://im.example:8443/instmsg/aliases/bob");
        let back = ported
            .to_physical("h".parse().unwrap())
            .unwrap()
            .to_logical();
        assert_eq!(back.unwrap(), ported);
    }

    #[test]
    fn white_paper_urls() {
        let logical = u("http://im.adatum.com/instmsg/aliases/JoBrown");
        assert!(logical.is_logical());
        let physical =
            u("http://imhomeserver1/instmsg/local/im.adatum.com/instmsg/aliases/JoBrown");
        assert!(physical.is_physical());
        assert_eq!(physical.to_logical().unwrap(), logical);
        assert_eq!(
            logical
                .to_physical("imhomeserver1".parse().unwrap())
                .unwrap(),
            physical
        );
        assert_eq!(
            physical.host_address().unwrap().to_string(),
            "JoBrown@im.adatum.com"
        );
        assert_eq!(
            logical
                .address_in("adatum.com".parse().unwrap())
                .unwrap()
                .to_string(),
            "JoBrown@adatum.com"
        );
        // The misprinted forms of the white paper are not principal paths.
        for s in [
            "http://imhomeserver1/instmsg/aliases/local/im.adatum.com/instmsg/aliases/JoBrown",
            "http://imhomeserver2/instmsg/local/im.adatum.com/instmsg/KariHensien",
            "http://im.example.com/instmsg/aliases/steveb/",
        ] {
            assert!(matches!(u(s).path(), NodePath::Other(_)), "{s}");
            assert_eq!(u(s).to_string(), s);
        }
    }

    #[test]
    fn draft_node_paths() {
        assert!(matches!(
            u("http://im.example.com/groups/rec-cycling").path(),
            NodePath::Group(g) if g.as_str() == "rec-cycling"
        ));
        assert!(matches!(
            u("http://im.somedomain.com/devices/cellphones/555-1234").path(),
            NodePath::Device { class, name } if class.as_str() == "cellphones" && name.as_str() == "555-1234"
        ));
        assert!(matches!(
            u("http://im.somedomain.com/information/stock/companyA").path(),
            NodePath::Other(_)
        ));
    }

    #[test]
    fn equality_rules() {
        let a = u("http://im.example.com/instmsg/aliases/bob");
        let same = [
            "HTTP://IM.Example.COM/instmsg/aliases/bob",
            "http://im.example.com:80/instmsg/aliases/bob",
            "http://im.example.com/InstMsg/Aliases/BOB",
            "http://im.example.com/instmsg/aliases/%62ob",
        ];
        let mut set = HashSet::new();
        set.insert(a.clone());
        for s in same {
            assert_eq!(u(s), a, "{s}");
            assert!(set.contains(&u(s)), "{s}");
        }
        assert_ne!(u("http://im.example.com:8080/instmsg/aliases/bob"), a);
        assert_ne!(u("https://im.example.com/instmsg/aliases/bob"), a);
        assert_eq!(u("https://h:443/groups/x"), u("https://h/groups/x"));
        assert_ne!(u("http://h/groups/X"), u("http://h/groups/x"));
        assert_ne!(u("http://127.0.0.1/x"), u("http://localhost/x"));
        assert_eq!(u("http://h"), u("http://h/"));
        // Explicit :80 survives display.
        assert_eq!(
            u("http://h:80/instmsg/aliases/bob").to_string(),
            "http://h:80/instmsg/aliases/bob"
        );
    }

    #[test]
    fn parse_errors() {
        assert_eq!(NodeUrl::parse(""), Err(UrlError::Empty));
        assert_eq!(
            NodeUrl::parse("rvp://h/x"),
            Err(UrlError::UnsupportedScheme)
        );
        assert_eq!(NodeUrl::parse("h/x"), Err(UrlError::UnsupportedScheme));
        assert_eq!(NodeUrl::parse("http:///x"), Err(UrlError::MissingHost));
        assert_eq!(NodeUrl::parse("http://u@h/x"), Err(UrlError::UserInfo));
        assert_eq!(
            NodeUrl::parse("http://h/x?y"),
            Err(UrlError::QueryOrFragment)
        );
        assert_eq!(
            NodeUrl::parse("http://h/a b"),
            Err(UrlError::IllegalPathChar { index: 2, ch: ' ' })
        );
        assert_eq!(
            NodeUrl::parse("http://h/a%zz"),
            Err(UrlError::BadPercent { index: 2 })
        );
        let deep = format!("http://h{}", "/a".repeat(MAX_SEGMENTS + 1));
        assert_eq!(
            NodeUrl::parse(&deep),
            Err(UrlError::TooManySegments { max: MAX_SEGMENTS })
        );
        assert!(matches!(
            NodeUrl::parse(&format!("http://h/{}", "a".repeat(MAX_URL_LEN))),
            Err(UrlError::TooLong { .. })
        ));
    }

    #[test]
    fn request_targets() {
        let abs = NodeUrl::from_request_target(
            "http://im.example.com/instmsg/aliases/bob",
            Some("imhome1.acme.com"),
        )
        .unwrap();
        assert_eq!(abs.host().to_string(), "im.example.com");
        let origin =
            NodeUrl::from_request_target("/instmsg/aliases/bob", Some("im.example.com:18207"))
                .unwrap();
        assert_eq!(origin.port(), 18207);
        assert_eq!(
            NodeUrl::from_request_target("/x", None),
            Err(UrlError::MissingHostHeader)
        );
        assert_eq!(
            NodeUrl::from_request_target("*", Some("h")),
            Err(UrlError::BadRequestTarget)
        );
    }

    #[test]
    fn wire_forms() {
        let url = u("http://im.example.com:18207/instmsg/aliases/alice");
        assert_eq!(url.origin_form(), "/instmsg/aliases/alice");
        assert_eq!(url.host_header(), "im.example.com:18207");
        assert_eq!(u("http://h:80/x").host_header(), "h");
        let uri = url.to_uri().unwrap();
        assert_eq!(uri.port_u16(), Some(18207));
        assert_eq!(NodeUrl::try_from(&uri).unwrap(), url);
    }

    #[test]
    fn address_to_urls() {
        let a: Address = "alice@example.com".parse().unwrap();
        assert_eq!(
            a.fallback_url().to_string(),
            "http://example.com/instmsg/aliases/alice"
        );
        let im: Authority = "im.example.com:18207".parse().unwrap();
        assert_eq!(
            a.logical_url(im).to_string(),
            "http://im.example.com:18207/instmsg/aliases/alice"
        );
    }
}
