//! `Authorization` (RFC 9110 section 11.6.2): a client's credentials.

use std::fmt;

use http::{HeaderName, HeaderValue, header};

use super::{
    Algorithm, AuthData, AuthParams, ParamReader, ParamValue, Qop, RawData, Token, Token68,
    auth_data, base64, parse_auth, separator,
};
use crate::Config;
use crate::header::syntax::{self, Cursor, header_value};
use crate::header::{HeaderError, InvalidValue, TypedHeader};

/// `Authorization`: the credentials a client answers a challenge with.
///
/// Digest credentials are typed field by field; NTLM and Negotiate carry a token68
/// (decode it with [`Token68::decode_base64`]); Basic credentials are decoded into
/// user name and password; any other scheme is kept.
///
/// librvp's Digest credentials, exactly as sent (qop and algorithm quoted, nc bare, and
/// with the `domain` option an unescaped backslash in the user name):
///
/// ```
/// use http::{HeaderMap, HeaderValue};
/// use rvp_codec::header::{Algorithm, Authorization, HeaderMapExt, Qop};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("authorization", HeaderValue::from_static(
///     r#"Digest username="CORP\alice", realm="example.com", qop="auth", algorithm="MD5", uri="/instmsg/aliases/alice", nonce="3f2a", nc=00000001, cnonce="f56d92ac1795313356cdb78f82", response="0123456789abcdef0123456789abcdef""#,
/// ));
/// let Some(Authorization::Digest(d)) = headers.typed_get()? else { panic!() };
/// assert_eq!(d.username.as_str(), r"CORP\alice");
/// assert_eq!(d.username_form().domain, Some("CORP"));
/// assert_eq!(d.username_form().alias, "alice");
/// assert_eq!((d.qop, d.nc, d.algorithm), (Some(Qop::Auth), Some(1), Some(Algorithm::Md5)));
/// # Ok::<(), rvp_codec::HeaderError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Authorization {
    /// `Digest` credentials.
    Digest(DigestCredentials),
    /// `NTLM` with a Type 1 or Type 3 message.
    Ntlm(Token68),
    /// `Negotiate` with a SPNEGO token.
    Negotiate(Token68),
    /// `Basic` credentials.
    Basic(BasicCredentials),
    /// Any other scheme. Never holds one of the schemes above: those decode into their
    /// own variants.
    Other {
        /// The scheme.
        scheme: Token,
        /// What follows it.
        data: AuthData,
    },
}

impl Authorization {
    /// `NTLM` credentials carrying `message` (a Type 1 or Type 3 message), base64-encoded.
    ///
    /// ```
    /// use rvp_codec::header::Authorization;
    ///
    /// let a = Authorization::ntlm(b"NTLMSSP\0\x01\0\0\0");
    /// assert_eq!(a.scheme(), "NTLM");
    /// ```
    pub fn ntlm(message: &[u8]) -> Self {
        Authorization::Ntlm(Token68::from_base64_data(message))
    }

    /// The scheme's name (`Digest`, `NTLM`, `Negotiate`, `Basic`, or the other one).
    pub fn scheme(&self) -> &str {
        match self {
            Authorization::Digest(_) => "Digest",
            Authorization::Ntlm(_) => "NTLM",
            Authorization::Negotiate(_) => "Negotiate",
            Authorization::Basic(_) => "Basic",
            Authorization::Other { scheme, .. } => scheme.as_str(),
        }
    }

    /// Parses a field value.
    pub fn from_bytes(s: &[u8], config: &Config) -> Result<Self, InvalidValue> {
        let mut c = Cursor::new(s);
        if s.is_empty() {
            return Err(InvalidValue::Empty);
        }
        let raw = parse_auth(&mut c, config)?;
        c.skip_ows();
        if !c.at_end() {
            return Err(c.unexpected());
        }
        let offset = raw.data_offset;
        let token = |data: RawData<'_>| match auth_data(data)? {
            AuthData::Token68(t) => Ok(t),
            AuthData::None | AuthData::Params(_) => Err(InvalidValue::ExpectedToken68 { offset }),
        };
        let scheme = raw.scheme;
        if scheme.eq_ignore_ascii_case("Digest") {
            return DigestCredentials::from_raw(raw.data, offset).map(Authorization::Digest);
        }
        if scheme.eq_ignore_ascii_case("NTLM") {
            return token(raw.data).map(Authorization::Ntlm);
        }
        if scheme.eq_ignore_ascii_case("Negotiate") {
            return token(raw.data).map(Authorization::Negotiate);
        }
        if scheme.eq_ignore_ascii_case("Basic") {
            let t = token(raw.data)?;
            return BasicCredentials::from_token(&t, offset).map(Authorization::Basic);
        }
        Ok(Authorization::Other {
            scheme: Token::new(scheme)?,
            data: auth_data(raw.data)?,
        })
    }

    /// The field value.
    fn to_value(&self) -> String {
        let mut out = String::new();
        match self {
            Authorization::Digest(d) => d.write(&mut out),
            Authorization::Ntlm(t) => {
                out.push_str("NTLM ");
                out.push_str(t.as_str());
            }
            Authorization::Negotiate(t) => {
                out.push_str("Negotiate ");
                out.push_str(t.as_str());
            }
            Authorization::Basic(b) => {
                out.push_str("Basic ");
                out.push_str(b.to_token68().as_str());
            }
            Authorization::Other { scheme, data } => {
                out.push_str(scheme.as_str());
                data.write(&mut out);
            }
        }
        out
    }
}

/// The names of the parameters [`DigestCredentials`] has fields for.
const DIGEST_CREDENTIAL_PARAMS: [&str; 11] = [
    "username",
    "realm",
    "nonce",
    "uri",
    "response",
    "algorithm",
    "cnonce",
    "opaque",
    "qop",
    "nc",
    "userhash",
];

/// Digest credentials (RFC 7616 section 3.4; RFC 2069 without `qop`).
///
/// `username`, `realm`, `nonce`, `uri` and `response` are required; with `qop`,
/// `cnonce` and `nc` are too. Accepted exactly as the real clients send them:
///
/// * librvp: `Digest username="alice", realm="example.com", qop="auth",
///   algorithm="MD5", uri="/instmsg/aliases/alice", nonce="…", nc=00000001,
///   cnonce="f56d92ac1795313356cdb78f82", response="<32 hex>"`, or without `qop`, `nc`
///   and `cnonce` (RFC 2069) when the challenge had no `qop`;
/// * Miranda: `Digest username="DOM/user", realm="…", algorithm="MD5", uri="…",
///   nonce="…", qop="auth", nc="00000001", cnonce="<32 hex>", response="…"`.
///
/// The encoder writes RFC 7616's form: `algorithm`, `qop` and `nc` as tokens, `nc` as 8
/// lower-case hex digits. Computing or checking `response` is the server's business.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DigestCredentials {
    /// `username`, as sent (see [`DigestCredentials::username_form`]).
    pub username: ParamValue,
    /// `realm`, from the challenge.
    pub realm: ParamValue,
    /// `nonce`, from the challenge.
    pub nonce: ParamValue,
    /// `uri`: the request target the response covers.
    pub uri: ParamValue,
    /// `response`: the digest, in hex.
    pub response: ParamValue,
    /// `algorithm`; absent means MD5.
    pub algorithm: Option<Algorithm>,
    /// `cnonce`: the client's nonce.
    pub cnonce: Option<ParamValue>,
    /// `opaque`, from the challenge.
    pub opaque: Option<ParamValue>,
    /// `qop`: the quality of protection chosen.
    pub qop: Option<Qop>,
    /// `nc`: the nonce count. Both real clients always send 1.
    pub nc: Option<u32>,
    /// `userhash=true`: `username` is hashed.
    pub userhash: bool,
    /// Other parameters, in order; an entry whose name has a field is not written.
    pub other: AuthParams,
}

impl DigestCredentials {
    /// RFC 2069 credentials: the five required parameters and nothing else.
    pub fn new(
        username: ParamValue,
        realm: ParamValue,
        nonce: ParamValue,
        uri: ParamValue,
        response: ParamValue,
    ) -> Self {
        Self {
            username,
            realm,
            nonce,
            uri,
            response,
            algorithm: None,
            cnonce: None,
            opaque: None,
            qop: None,
            nc: None,
            userhash: false,
            other: AuthParams::new(),
        }
    }

    /// The domain and alias in [`username`](Self::username); see [`UsernameForm`].
    pub fn username_form(&self) -> UsernameForm<'_> {
        UsernameForm::parse(self.username.as_str())
    }

    fn from_raw(data: RawData<'_>, offset: usize) -> Result<Self, InvalidValue> {
        let params = match data {
            RawData::Params(p) => p,
            RawData::None => return Err(InvalidValue::MissingParameter { param: "username" }),
            RawData::Token68 { .. } => return Err(InvalidValue::ExpectedParameters { offset }),
        };
        let mut r = ParamReader::new(params);
        let username = r.required("username")?;
        let realm = r.required("realm")?;
        let nonce = r.required("nonce")?;
        let uri = r.required("uri")?;
        let response = r.required("response")?;
        let qop = match r.take("qop") {
            None => None,
            Some(p) => {
                Some(
                    Qop::from_token(&p.value).map_err(|_| InvalidValue::InvalidParameter {
                        param: "qop".into(),
                        offset: p.offset,
                    })?,
                )
            }
        };
        let nc = match r.take("nc") {
            None => None,
            Some(p) => Some(
                parse_nc(&p.value).ok_or_else(|| InvalidValue::InvalidParameter {
                    param: "nc".into(),
                    offset: p.offset,
                })?,
            ),
        };
        let cnonce = r.text("cnonce")?;
        if qop.is_some() {
            if cnonce.is_none() {
                return Err(InvalidValue::MissingParameter { param: "cnonce" });
            }
            if nc.is_none() {
                return Err(InvalidValue::MissingParameter { param: "nc" });
            }
        }
        Ok(Self {
            username,
            realm,
            nonce,
            uri,
            response,
            algorithm: r.algorithm()?,
            cnonce,
            opaque: r.text("opaque")?,
            qop,
            nc,
            userhash: r.boolean("userhash")?.unwrap_or(false),
            other: r.rest()?,
        })
    }

    fn write(&self, out: &mut String) {
        out.push_str("Digest");
        let first = &mut true;
        separator(out, first);
        self.username.write(out, "username", false);
        separator(out, first);
        self.realm.write(out, "realm", false);
        separator(out, first);
        self.uri.write(out, "uri", false);
        if let Some(a) = &self.algorithm {
            a.write(out, first);
        }
        separator(out, first);
        self.nonce.write(out, "nonce", false);
        if let Some(nc) = self.nc {
            separator(out, first);
            out.push_str(&format!("nc={nc:08x}"));
        }
        if let Some(v) = &self.cnonce {
            separator(out, first);
            v.write(out, "cnonce", false);
        }
        if let Some(q) = &self.qop {
            separator(out, first);
            out.push_str("qop=");
            out.push_str(q.as_str());
        }
        separator(out, first);
        self.response.write(out, "response", false);
        if let Some(v) = &self.opaque {
            separator(out, first);
            v.write(out, "opaque", false);
        }
        if self.userhash {
            separator(out, first);
            out.push_str("userhash=true");
        }
        self.other.write(out, first, &DIGEST_CREDENTIAL_PARAMS);
    }
}

/// `nc-value = 8LHEX` (any letter case accepted).
fn parse_nc(s: &str) -> Option<u32> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

/// The parts of a Windows-style user name: an optional domain and the alias.
///
/// Real clients put the domain in several ways; all are recognised:
///
/// | user name | domain | alias |
/// |---|---|---|
/// | `CORP\alice` (librvp with its `domain` option) | `CORP` | `alice` |
/// | `DOM/user` (Miranda) | `DOM` | `user` |
/// | `alice@example.com` | `example.com` | `alice` |
/// | `alice` (librvp without `domain`) | none | `alice` |
///
/// The first `\`, else the first `/`, else the last `@` splits; an empty domain counts
/// as none.
///
/// ```
/// use rvp_codec::header::UsernameForm;
///
/// let f = UsernameForm::parse(r"CORP\alice");
/// assert_eq!((f.domain, f.alias), (Some("CORP"), "alice"));
/// let f = UsernameForm::parse("alice@example.com");
/// assert_eq!((f.domain, f.alias), (Some("example.com"), "alice"));
/// assert_eq!(UsernameForm::parse("alice").domain, None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UsernameForm<'a> {
    /// The NT domain or mail domain, if the user name has one.
    pub domain: Option<&'a str>,
    /// The alias (account name).
    pub alias: &'a str,
}

impl<'a> UsernameForm<'a> {
    /// Splits a user name.
    pub fn parse(username: &'a str) -> Self {
        let non_empty = |s: &'a str| if s.is_empty() { None } else { Some(s) };
        if let Some((domain, alias)) = username.split_once('\\') {
            return Self {
                domain: non_empty(domain),
                alias,
            };
        }
        if let Some((domain, alias)) = username.split_once('/') {
            return Self {
                domain: non_empty(domain),
                alias,
            };
        }
        if let Some((alias, domain)) = username.rsplit_once('@') {
            return Self {
                domain: non_empty(domain),
                alias,
            };
        }
        Self {
            domain: None,
            alias: username,
        }
    }
}

/// Basic credentials (RFC 7617): a user name without `:` and a password, neither with
/// control characters. `Debug` does not show the password.
///
/// ```
/// use rvp_codec::header::BasicCredentials;
///
/// let c = BasicCredentials::new("DOM/user", "secret")?;
/// assert_eq!(c.to_token68().as_str(), "RE9NL3VzZXI6c2VjcmV0");
/// assert!(BasicCredentials::new("a:b", "x").is_err());
/// # Ok::<(), rvp_codec::header::InvalidValue>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BasicCredentials {
    username: String,
    password: String,
}

impl BasicCredentials {
    /// Validates user name and password.
    pub fn new(username: &str, password: &str) -> Result<Self, InvalidValue> {
        let bad_user = username
            .bytes()
            .position(|b| b == b':' || b.is_ascii_control());
        if let Some(offset) = bad_user {
            return Err(syntax::unexpected(username.as_bytes(), offset));
        }
        // Offsets of password errors count from the start of `user:password`.
        let base = username.len() + 1;
        if let Some(offset) = password.bytes().position(|b| b.is_ascii_control()) {
            return Err(InvalidValue::UnexpectedByte {
                offset: base + offset,
                byte: password.as_bytes().get(offset).copied().unwrap_or(0),
            });
        }
        Ok(Self {
            username: username.to_owned(),
            password: password.to_owned(),
        })
    }

    /// The user name.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The password.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The base64 token of `user:password`.
    pub fn to_token68(&self) -> Token68 {
        Token68::from_base64_data(format!("{}:{}", self.username, self.password).as_bytes())
    }

    fn from_token(t: &Token68, offset: usize) -> Result<Self, InvalidValue> {
        let bytes =
            base64::decode(t.as_str().as_bytes()).map_err(|e| InvalidValue::InvalidBase64 {
                offset: offset + e.offset,
            })?;
        let text = String::from_utf8(bytes).map_err(|e| InvalidValue::NotUtf8 {
            offset: e.utf8_error().valid_up_to(),
        })?;
        let (user, password) = text
            .split_once(':')
            .ok_or(InvalidValue::MissingParameter { param: "password" })?;
        Self::new(user, password)
    }
}

impl fmt::Debug for BasicCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicCredentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl TypedHeader for Authorization {
    const NAME: HeaderName = header::AUTHORIZATION;
    const TITLE: &'static str = "Authorization";

    fn decode<'a, I>(values: I, config: &Config) -> Result<Self, HeaderError>
    where
        I: Iterator<Item = &'a HeaderValue>,
    {
        Self::decode_bytes(values.map(HeaderValue::as_bytes), config)
    }

    fn decode_bytes<'a, I>(values: I, config: &Config) -> Result<Self, HeaderError>
    where
        I: Iterator<Item = &'a [u8]>,
    {
        let value = syntax::required(values, Self::TITLE)?;
        Self::from_bytes(value, config).map_err(|reason| HeaderError::Invalid {
            name: Self::TITLE,
            reason,
        })
    }

    fn encode<E: Extend<HeaderValue>>(&self, values: &mut E) {
        values.extend([header_value(self.to_value())]);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::header::strategy;
    use proptest::prelude::*;

    fn decode(s: &str, config: &Config) -> Result<Authorization, HeaderError> {
        let value = HeaderValue::from_str(s).unwrap();
        Authorization::decode([&value].into_iter(), config)
    }

    fn invalid(reason: InvalidValue) -> Result<Authorization, HeaderError> {
        Err(HeaderError::Invalid {
            name: "Authorization",
            reason,
        })
    }

    fn digest(s: &str, config: &Config) -> DigestCredentials {
        match decode(s, config).unwrap() {
            Authorization::Digest(d) => d,
            other => panic!("{other:?}"),
        }
    }

    const RESPONSE: &str = "6629fae49393a05397450978507c4ef1";

    #[test]
    fn librvp_digest_exact_bytes() {
        // librvp-observed.md "Authentication": qop and algorithm quoted, nc bare.
        let s = format!(
            r#"Digest username="alice", realm="example.com", qop="auth", algorithm="MD5", uri="/instmsg/aliases/alice", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", nc=00000001, cnonce="f56d92ac1795313356cdb78f82", response="{RESPONSE}""#
        );
        for config in [Config::strict(), Config::lenient()] {
            let d = digest(&s, &config);
            assert_eq!(d.username.as_str(), "alice");
            assert_eq!(d.realm.as_str(), "example.com");
            assert_eq!(d.uri.as_str(), "/instmsg/aliases/alice");
            assert_eq!(d.nonce.as_str(), "dcd98b7102dd2f0e8b11d0f600bfb0c093");
            assert_eq!(
                d.cnonce.as_ref().unwrap().as_str(),
                "f56d92ac1795313356cdb78f82"
            );
            assert_eq!(d.response.as_str(), RESPONSE);
            assert_eq!(d.qop, Some(Qop::Auth));
            assert_eq!(d.algorithm, Some(Algorithm::Md5));
            assert_eq!(d.nc, Some(1));
            assert!(d.other.is_empty());
            assert_eq!(
                d.username_form(),
                UsernameForm {
                    domain: None,
                    alias: "alice"
                }
            );
        }
    }

    #[test]
    fn librvp_rfc2069_form() {
        let s = format!(
            r#"Digest username="alice", realm="example.com", uri="/instmsg/aliases/alice", nonce="abc", response="{RESPONSE}""#
        );
        for config in [Config::strict(), Config::lenient()] {
            let d = digest(&s, &config);
            assert_eq!(
                (d.qop.as_ref(), d.nc, d.cnonce.as_ref()),
                (None, None, None)
            );
            assert_eq!(d.algorithm, None);
        }
    }

    #[test]
    fn librvp_unescaped_backslash_domain() {
        // With librvp's domain option: username="CORP\alice", backslash not escaped.
        let s = format!(
            r#"Digest username="CORP\alice", realm="example.com", qop="auth", algorithm="MD5-sess", uri="/instmsg/aliases/alice", nonce="n", nc=00000001, cnonce="c", response="{RESPONSE}""#
        );
        for config in [Config::strict(), Config::lenient()] {
            let d = digest(&s, &config);
            assert_eq!(d.username.as_str(), r"CORP\alice");
            assert_eq!(d.algorithm, Some(Algorithm::Md5Sess));
            assert_eq!(
                d.username_form(),
                UsernameForm {
                    domain: Some("CORP"),
                    alias: "alice"
                }
            );
        }
    }

    #[test]
    fn miranda_quoted_nc() {
        // peers.md (e): Miranda quotes qop, nc and algorithm; user name DOM/user.
        let s = format!(
            r#"Digest username="DOM/user", realm="im.acme.com", algorithm="MD5", uri="/instmsg/aliases/user", nonce="abc", qop="auth", nc="00000001", cnonce="0123456789abcdef0123456789abcdef", response="{RESPONSE}""#
        );
        for config in [Config::strict(), Config::lenient()] {
            let d = digest(&s, &config);
            assert_eq!(d.nc, Some(1));
            assert_eq!(d.qop, Some(Qop::Auth));
            assert_eq!(
                d.username_form(),
                UsernameForm {
                    domain: Some("DOM"),
                    alias: "user"
                }
            );
        }
    }

    #[test]
    fn encodes_rfc7616_form() {
        let mut d = DigestCredentials::new(
            r"CORP\alice".parse().unwrap(),
            "example.com".parse().unwrap(),
            "n".parse().unwrap(),
            "/instmsg/aliases/alice".parse().unwrap(),
            RESPONSE.parse().unwrap(),
        );
        d.algorithm = Some(Algorithm::Md5);
        d.qop = Some(Qop::Auth);
        d.nc = Some(0x1a);
        d.cnonce = Some("c".parse().unwrap());
        let mut out = Vec::new();
        Authorization::Digest(d).encode(&mut out);
        assert_eq!(
            out,
            [format!(
                r#"Digest username="CORP\\alice", realm="example.com", uri="/instmsg/aliases/alice", algorithm=MD5, nonce="n", nc=0000001a, cnonce="c", qop=auth, response="{RESPONSE}""#
            )]
        );
    }

    #[test]
    fn ntlm_librvp_type1_and_draft_type3() {
        let t1 = "TlRMTVNTUAABAAAABwIAAAcABwAxAAAACQAJACgAAAAIkwBQDwAAADEyNy4wLjAuMUVYQU1QTEU=";
        for config in [Config::strict(), Config::lenient()] {
            let Authorization::Ntlm(t) = decode(&format!("NTLM {t1}"), &config).unwrap() else {
                panic!()
            };
            assert_eq!(t.as_str(), t1);
            let bytes = t.decode_base64().unwrap();
            assert_eq!(&bytes[..8], b"NTLMSSP\0");
        }
        // Draft §7.3 with its page wrapping undone: one token, in both modes. Its
        // "ABCD" placeholders make it 118 characters, so it is not valid base64.
        let draft = "NTLM TlRMTVNTUAADABCDGAAYAF4AAAAYABgAdgAAAAAAAABABCDDgAOAEAAAAAQABAATgAAAAAAAACOAAAABYKAgHIAbwBiAGUAcgB0AG8AUgBPAEIARQBS";
        for config in [Config::strict(), Config::lenient()] {
            let Authorization::Ntlm(t) = decode(draft, &config).unwrap() else {
                panic!()
            };
            assert!(t.decode_base64().is_err());
        }
    }

    #[test]
    fn draft_folded_ntlm_token_strict_rejects_lenient_joins() {
        // Draft §7.3 taken literally: "Authorization: NTLM" + fold + first half + fold
        // + second half; unfolding leaves spaces inside the token68.
        let folded = "NTLM TlRMTVNTUAADABCDGAAYAF4AAAAYABgAdgAAAAAAAABABCDDgAOAEAAAAAQABAATg AAAAAAAACOAAAABYKAgHIAbwBiAGUAcgB0AG8AUgBPAEIARQBS";
        assert_eq!(
            decode(folded, &Config::strict()),
            invalid(InvalidValue::UnexpectedByte {
                offset: 71,
                byte: b'A'
            })
        );
        let Authorization::Ntlm(t) = decode(folded, &Config::lenient()).unwrap() else {
            panic!()
        };
        assert_eq!(
            t.as_str(),
            folded.replace(' ', "").trim_start_matches("NTLM")
        );
    }

    #[test]
    fn basic_miranda_fallback() {
        let Authorization::Basic(b) =
            decode("Basic RE9NL3VzZXI6c2VjcmV0", &Config::strict()).unwrap()
        else {
            panic!()
        };
        assert_eq!((b.username(), b.password()), ("DOM/user", "secret"));
        assert!(!format!("{b:?}").contains("secret"));
        assert_eq!(
            decode("Basic RE9NL3VzZXI", &Config::strict()),
            invalid(InvalidValue::InvalidBase64 { offset: 17 })
        );
        // "nocolon"
        assert_eq!(
            decode("Basic bm9jb2xvbg==", &Config::strict()),
            invalid(InvalidValue::MissingParameter { param: "password" })
        );
    }

    #[test]
    fn rejects() {
        let strict = Config::strict();
        let base = r#"Digest username="a", realm="r", nonce="n", uri="/", response="x""#;
        assert_eq!(
            decode(
                r#"Digest username="a", realm="r", nonce="n", uri="/""#,
                &strict
            ),
            invalid(InvalidValue::MissingParameter { param: "response" })
        );
        assert_eq!(
            decode(&format!("{base}, qop=auth, nc=00000001"), &strict),
            invalid(InvalidValue::MissingParameter { param: "cnonce" })
        );
        assert_eq!(
            decode(&format!("{base}, qop=auth, cnonce=\"c\""), &strict),
            invalid(InvalidValue::MissingParameter { param: "nc" })
        );
        assert_eq!(
            decode(&format!("{base}, qop=auth, cnonce=\"c\", nc=1"), &strict),
            invalid(InvalidValue::InvalidParameter {
                param: "nc".into(),
                offset: base.len() + 27
            })
        );
        assert_eq!(
            decode(&format!("{base}, Username=\"b\""), &strict),
            invalid(InvalidValue::DuplicateParameter {
                param: "Username".into()
            })
        );
        assert_eq!(
            decode(&format!("{base}, NTLM abc"), &strict),
            invalid(InvalidValue::UnexpectedByte {
                offset: base.len() + 2,
                byte: b'N'
            })
        );
        assert_eq!(
            decode("NTLM", &strict),
            invalid(InvalidValue::ExpectedToken68 { offset: 4 })
        );
        assert_eq!(decode("", &strict), invalid(InvalidValue::Empty));
        let a = HeaderValue::from_static("NTLM abc=");
        assert_eq!(
            Authorization::decode([&a, &a].into_iter(), &strict),
            Err(HeaderError::Repeated {
                name: "Authorization"
            })
        );
    }

    #[test]
    fn username_forms() {
        for (s, domain, alias) in [
            (r"CORP\alice", Some("CORP"), "alice"),
            ("DOM/user", Some("DOM"), "user"),
            ("alice@example.com", Some("example.com"), "alice"),
            ("a@b@example.com", Some("example.com"), "a@b"),
            ("alice", None, "alice"),
            (r"\alice", None, "alice"),
            ("", None, ""),
        ] {
            assert_eq!(
                UsernameForm::parse(s),
                UsernameForm { domain, alias },
                "{s}"
            );
        }
    }

    proptest! {
        #[test]
        fn round_trip(v in strategy::authorization()) {
            strategy::assert_round_trip(&v);
        }

        #[test]
        fn never_panics(s in "[ -~]{0,80}") {
            let _ = Authorization::from_bytes(s.as_bytes(), &Config::strict());
            let _ = Authorization::from_bytes(s.as_bytes(), &Config::lenient());
        }
    }
}
