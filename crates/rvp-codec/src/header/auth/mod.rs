//! HTTP authentication: `WWW-Authenticate` challenges and `Authorization` credentials
//! (RFC 9110 section 11), with Digest (RFC 7616, RFC 2617, RFC 2069), NTLM, Negotiate
//! and Basic (RFC 7617) typed, and any other scheme kept.
//!
//! The grammar of both fields is `auth-scheme [ 1*SP ( token68 / #auth-param ) ]`;
//! parameter names are case-insensitive, a parameter may not occur twice, values may be
//! tokens or quoted strings (see the [module docs](crate::header) on quoting), and at
//! most [`MAX_AUTH_PARAMS`] parameters beyond those a scheme defines are read.

use std::fmt;
use std::str::FromStr;

use super::InvalidValue;
use super::syntax::{self, Cursor};
use crate::Config;

mod base64;
mod challenge;
mod credentials;

pub use base64::InvalidBase64;
pub use challenge::{BasicChallenge, Challenge, DigestChallenge, WwwAuthenticate};
pub use credentials::{Authorization, BasicCredentials, DigestCredentials, UsernameForm};

/// Most parameters read in one challenge or one set of credentials, beyond the ones the
/// scheme defines (Digest defines eleven).
pub const MAX_AUTH_PARAMS: usize = 32;

/// Most challenges read from the `WWW-Authenticate` fields of one message.
pub const MAX_CHALLENGES: usize = 16;

/// Bound on the parameters of one challenge or credentials while parsing: the defined
/// ones plus [`MAX_AUTH_PARAMS`] others.
const MAX_RAW_PARAMS: usize = MAX_AUTH_PARAMS + 16;

/// Longest token (scheme, parameter name, algorithm, qop) accepted, in bytes.
const MAX_TOKEN_LEN: usize = 64;

/// An RFC 9110 `token` of 1 to 64 bytes: an authentication scheme (`Digest`), a
/// parameter name, or an extension algorithm or qop. Compared exactly (case matters);
/// the code that gives a token meaning compares case-insensitively.
///
/// ```
/// use rvp_codec::header::Token;
///
/// let t: Token = "Negotiate".parse()?;
/// assert!(t.eq_ignore_ascii_case("negotiate"));
/// assert!("two words".parse::<Token>().is_err());
/// # Ok::<(), rvp_codec::header::InvalidValue>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Token(Box<str>);

impl Token {
    /// Validates a token.
    pub fn new(s: &str) -> Result<Self, InvalidValue> {
        if s.len() > MAX_TOKEN_LEN {
            return Err(InvalidValue::TooLong {
                len: s.len(),
                max: MAX_TOKEN_LEN,
            });
        }
        syntax::check_token(s.as_bytes())?;
        Ok(Self(s.into()))
    }

    /// The token.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the token equals `other`, ignoring ASCII case.
    pub fn eq_ignore_ascii_case(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl FromStr for Token {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The text of a parameter value: any UTF-8 text without control characters other
/// than tab, as a quoted string can carry it (unescaped).
///
/// ```
/// use rvp_codec::header::ParamValue;
///
/// let v = ParamValue::new("CORP\\alice")?;
/// assert_eq!(v.as_str(), "CORP\\alice");
/// assert!(ParamValue::new("line\r\nbreak").is_err());
/// # Ok::<(), rvp_codec::header::InvalidValue>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParamValue(Box<str>);

impl ParamValue {
    /// Validates a parameter value.
    pub fn new(s: &str) -> Result<Self, InvalidValue> {
        match s.bytes().position(|b| !syntax::is_text_byte(b)) {
            Some(offset) => Err(syntax::unexpected(s.as_bytes(), offset)),
            None => Ok(Self(s.into())),
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Appends `name=value`, as a token when `token_form` is set and the value is a
    /// token, else as a quoted string.
    fn write(&self, out: &mut String, name: &str, token_form: bool) {
        out.push_str(name);
        out.push('=');
        if token_form && !self.0.is_empty() && self.0.bytes().all(syntax::is_tchar) {
            out.push_str(&self.0);
        } else {
            syntax::write_quoted(out, &self.0);
        }
    }
}

impl FromStr for ParamValue {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl fmt::Debug for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One `name=value` authentication parameter.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AuthParam {
    /// The name, as received.
    pub name: Token,
    /// The value, unquoted.
    pub value: ParamValue,
}

impl AuthParam {
    /// A parameter.
    pub fn new(name: Token, value: ParamValue) -> Self {
        Self { name, value }
    }
}

/// An ordered set of authentication parameters with distinct names (compared
/// case-insensitively), at most [`MAX_AUTH_PARAMS`] of them.
///
/// ```
/// use rvp_codec::header::{AuthParam, AuthParams};
///
/// let mut params = AuthParams::new();
/// params.push(AuthParam::new("realm".parse()?, "im.acme.com".parse()?))?;
/// assert!(params.push(AuthParam::new("Realm".parse()?, "x".parse()?)).is_err());
/// assert_eq!(params.get("REALM").map(|v| v.as_str()), Some("im.acme.com"));
/// # Ok::<(), rvp_codec::header::InvalidValue>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct AuthParams(Vec<AuthParam>);

impl AuthParams {
    /// No parameters.
    pub const fn new() -> Self {
        Self(Vec::new())
    }

    /// Appends a parameter; fails when one with the same name is present or the set is
    /// full.
    pub fn push(&mut self, param: AuthParam) -> Result<(), InvalidValue> {
        if self.get(param.name.as_str()).is_some() {
            return Err(InvalidValue::DuplicateParameter {
                param: param.name.as_str().into(),
            });
        }
        if self.0.len() >= MAX_AUTH_PARAMS {
            return Err(InvalidValue::TooManyParameters {
                max: MAX_AUTH_PARAMS,
            });
        }
        self.0.push(param);
        Ok(())
    }

    /// The value of the parameter named `name` (case-insensitively).
    pub fn get(&self, name: &str) -> Option<&ParamValue> {
        self.0
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .map(|p| &p.value)
    }

    /// The parameters, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, AuthParam> {
        self.0.iter()
    }

    /// How many parameters there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Appends `, name="value"` for each parameter whose name is not in `skip`.
    fn write(&self, out: &mut String, first: &mut bool, skip: &[&str]) {
        for p in &self.0 {
            if skip.iter().any(|s| p.name.eq_ignore_ascii_case(s)) {
                continue;
            }
            separator(out, first);
            p.value.write(out, p.name.as_str(), false);
        }
    }
}

impl<'a> IntoIterator for &'a AuthParams {
    type Item = &'a AuthParam;
    type IntoIter = std::slice::Iter<'a, AuthParam>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Writes the separator before a parameter: one space after the scheme, `, ` after a
/// parameter.
fn separator(out: &mut String, first: &mut bool) {
    out.push_str(if *first { " " } else { ", " });
    *first = false;
}

/// A `token68`: the opaque data of NTLM and Negotiate messages and Basic credentials,
/// usually base64.
///
/// ```
/// use rvp_codec::header::Token68;
///
/// let t = Token68::from_base64_data(b"NTLMSSP\0\x01\0\0\0");
/// assert_eq!(t.as_str(), "TlRMTVNTUAABAAAA");
/// assert_eq!(t.decode_base64()?, b"NTLMSSP\0\x01\0\0\0");
/// assert!("not base64!".parse::<Token68>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Token68(Box<str>);

impl Token68 {
    /// Validates a token68: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" )
    /// *"="`.
    pub fn new(s: &str) -> Result<Self, InvalidValue> {
        let mut cursor = Cursor::new(s.as_bytes());
        if cursor.token68().is_none() || !cursor.at_end() {
            return Err(cursor.unexpected());
        }
        Ok(Self(s.into()))
    }

    /// The base64 encoding of `data`.
    pub fn from_base64_data(data: &[u8]) -> Self {
        Self(base64::encode(data).into())
    }

    /// The token.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Decodes the token as strict, padded base64.
    pub fn decode_base64(&self) -> Result<Vec<u8>, InvalidBase64> {
        base64::decode(self.0.as_bytes())
    }
}

impl FromStr for Token68 {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl fmt::Debug for Token68 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Token68 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What follows the scheme of a challenge or credentials of a scheme this module does
/// not type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AuthData {
    /// Nothing: the scheme alone.
    None,
    /// A token68.
    Token68(Token68),
    /// Parameters (at least one when decoded).
    Params(AuthParams),
}

impl AuthData {
    fn write(&self, out: &mut String) {
        match self {
            AuthData::None => {}
            AuthData::Token68(t) => {
                out.push(' ');
                out.push_str(t.as_str());
            }
            AuthData::Params(p) => p.write(out, &mut true, &[]),
        }
    }
}

/// A Digest hash algorithm (RFC 7616 section 3.3); names compare case-insensitively and
/// are written as RFC 7616 spells them.
///
/// ```
/// use rvp_codec::header::Algorithm;
///
/// assert_eq!(Algorithm::from_name("md5-SESS")?, Algorithm::Md5Sess);
/// assert_eq!(Algorithm::Sha256.as_str(), "SHA-256");
/// assert!(matches!(Algorithm::from_name("SHA3")?, Algorithm::Other(_)));
/// # Ok::<(), rvp_codec::header::InvalidValue>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// `MD5`, the default when the parameter is absent.
    Md5,
    /// `MD5-sess`.
    Md5Sess,
    /// `SHA-256`.
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
    /// `SHA-512-256`.
    Sha512_256,
    /// `SHA-512-256-sess`.
    Sha512_256Sess,
    /// Any other name, kept as received.
    Other(ParamValue),
}

impl Algorithm {
    const KNOWN: [Algorithm; 6] = [
        Algorithm::Md5,
        Algorithm::Md5Sess,
        Algorithm::Sha256,
        Algorithm::Sha256Sess,
        Algorithm::Sha512_256,
        Algorithm::Sha512_256Sess,
    ];

    /// The algorithm named `name`; fails when `name` is not a valid parameter value.
    pub fn from_name(name: &str) -> Result<Self, InvalidValue> {
        ParamValue::new(name).map(Self::from_value)
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Md5Sess => "MD5-sess",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha256Sess => "SHA-256-sess",
            Algorithm::Sha512_256 => "SHA-512-256",
            Algorithm::Sha512_256Sess => "SHA-512-256-sess",
            Algorithm::Other(v) => v.as_str(),
        }
    }

    /// Whether this is a session variant (`-sess`), whose HA1 includes the nonces.
    pub fn is_session(&self) -> bool {
        matches!(
            self,
            Algorithm::Md5Sess | Algorithm::Sha256Sess | Algorithm::Sha512_256Sess
        )
    }

    fn from_value(v: ParamValue) -> Self {
        match Self::KNOWN
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(v.as_str()))
        {
            Some(a) => a,
            None => Algorithm::Other(v),
        }
    }

    fn write(&self, out: &mut String, first: &mut bool) {
        separator(out, first);
        match self {
            Algorithm::Other(v) => v.write(out, "algorithm", true),
            known => {
                out.push_str("algorithm=");
                out.push_str(known.as_str());
            }
        }
    }
}

/// A Digest quality of protection (RFC 7616 section 3.3).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Qop {
    /// `auth`: authentication only (what RVP peers use).
    Auth,
    /// `auth-int`: authentication with integrity protection of the body.
    AuthInt,
    /// Any other value, kept as received.
    Other(Token),
}

impl Qop {
    /// The value as written.
    pub fn as_str(&self) -> &str {
        match self {
            Qop::Auth => "auth",
            Qop::AuthInt => "auth-int",
            Qop::Other(t) => t.as_str(),
        }
    }

    pub(crate) fn from_token(s: &str) -> Result<Self, InvalidValue> {
        if s.eq_ignore_ascii_case("auth") {
            Ok(Qop::Auth)
        } else if s.eq_ignore_ascii_case("auth-int") {
            Ok(Qop::AuthInt)
        } else {
            Token::new(s).map(Qop::Other)
        }
    }
}

/// One parameter as parsed, before a scheme gives it meaning.
#[derive(Debug)]
struct RawParam<'a> {
    name: &'a str,
    value: String,
    /// Offset of the value in the field value.
    offset: usize,
}

/// What follows a scheme, as parsed.
#[derive(Debug)]
enum RawData<'a> {
    None,
    Token68 { token: String, offset: usize },
    Params(Vec<RawParam<'a>>),
}

/// One challenge or credentials, as parsed.
#[derive(Debug)]
struct RawAuth<'a> {
    scheme: &'a str,
    data: RawData<'a>,
    /// Offset of what follows the scheme and its spaces.
    data_offset: usize,
}

/// Skips whitespace and empty list elements (`, ,`).
fn skip_list_separators(c: &mut Cursor<'_>) {
    loop {
        c.skip_ows();
        if c.peek() == Some(b',') {
            c.bump();
        } else {
            break;
        }
    }
}

/// Parses one `auth-scheme [ 1*SP ( token68 / #auth-param ) ]`, leaving the cursor at
/// the end, at the `,` before the next challenge, or (after parameters) at the next
/// challenge's scheme.
fn parse_auth<'a>(c: &mut Cursor<'a>, config: &Config) -> Result<RawAuth<'a>, InvalidValue> {
    let scheme = c.token().ok_or_else(|| c.unexpected())?;
    if scheme.len() > MAX_TOKEN_LEN {
        return Err(InvalidValue::TooLong {
            len: scheme.len(),
            max: MAX_TOKEN_LEN,
        });
    }
    let spaces = c.skip_ows();
    let data_offset = c.pos();
    if c.at_end() || c.peek() == Some(b',') {
        return Ok(RawAuth {
            scheme,
            data: RawData::None,
            data_offset,
        });
    }
    if spaces == 0 {
        return Err(c.unexpected());
    }
    if let Some(data) = try_token68(c, config) {
        return Ok(RawAuth {
            scheme,
            data,
            data_offset,
        });
    }
    let params = parse_params(c)?;
    Ok(RawAuth {
        scheme,
        data: RawData::Params(params),
        data_offset,
    })
}

/// Reads a token68 standing alone (followed by the end or a `,`); otherwise leaves the
/// cursor where it was. With [`Config::relaxed_head_syntax`], a token68 split by
/// whitespace (a folded line, as in the draft's §7.3 `Authorization: NTLM`) is joined.
fn try_token68<'a>(c: &mut Cursor<'a>, config: &Config) -> Option<RawData<'a>> {
    let start = c.pos();
    let mut token = String::new();
    loop {
        let piece = c.token68()?;
        token.push_str(piece);
        c.skip_ows();
        if c.at_end() || c.peek() == Some(b',') {
            return Some(RawData::Token68 {
                token,
                offset: start,
            });
        }
        let can_join = config.relaxed_head_syntax
            && !piece.ends_with('=')
            && c.peek().is_some_and(syntax::is_token68_char)
            && c.input()
                .get(c.pos().saturating_sub(1))
                .is_some_and(|&b| b == b' ' || b == b'\t');
        if !can_join {
            c.set_pos(start);
            return None;
        }
    }
}

/// Reads `#auth-param` (at least one).
fn parse_params<'a>(c: &mut Cursor<'a>) -> Result<Vec<RawParam<'a>>, InvalidValue> {
    let mut params: Vec<RawParam<'a>> = Vec::new();
    loop {
        let name = c.token().ok_or_else(|| c.unexpected())?;
        c.skip_ows();
        if c.peek() != Some(b'=') {
            return Err(c.unexpected());
        }
        c.bump();
        if name.len() > MAX_TOKEN_LEN {
            return Err(InvalidValue::TooLong {
                len: name.len(),
                max: MAX_TOKEN_LEN,
            });
        }
        c.skip_ows();
        let offset = c.pos();
        let value = if c.peek() == Some(b'"') {
            c.quoted()?
        } else {
            c.token().ok_or_else(|| c.unexpected())?.to_owned()
        };
        if params.iter().any(|p| p.name.eq_ignore_ascii_case(name)) {
            return Err(InvalidValue::DuplicateParameter { param: name.into() });
        }
        if params.len() >= MAX_RAW_PARAMS {
            return Err(InvalidValue::TooManyParameters {
                max: MAX_AUTH_PARAMS,
            });
        }
        params.push(RawParam {
            name,
            value,
            offset,
        });
        c.skip_ows();
        if c.at_end() {
            return Ok(params);
        }
        if c.peek() != Some(b',') {
            return Err(c.unexpected());
        }
        skip_list_separators(c);
        if c.at_end() {
            return Ok(params);
        }
        // Another parameter (`token BWS "="`), or the next challenge's scheme?
        let next = c.pos();
        let is_param = c.token().is_some() && {
            c.skip_ows();
            c.peek() == Some(b'=')
        };
        c.set_pos(next);
        if !is_param {
            return Ok(params);
        }
    }
}

/// Typed access to parsed parameters: takes the defined ones out, keeps the rest.
#[derive(Debug)]
struct ParamReader<'a> {
    params: Vec<Option<RawParam<'a>>>,
}

impl<'a> ParamReader<'a> {
    fn new(params: Vec<RawParam<'a>>) -> Self {
        Self {
            params: params.into_iter().map(Some).collect(),
        }
    }

    /// Takes the parameter named `name` (case-insensitively).
    fn take(&mut self, name: &'static str) -> Option<RawParam<'a>> {
        self.params
            .iter_mut()
            .find(|p| {
                p.as_ref()
                    .is_some_and(|p| p.name.eq_ignore_ascii_case(name))
            })
            .and_then(Option::take)
    }

    fn text(&mut self, name: &'static str) -> Result<Option<ParamValue>, InvalidValue> {
        self.take(name)
            .map(|p| {
                ParamValue::new(&p.value).map_err(|_| InvalidValue::InvalidParameter {
                    param: name.into(),
                    offset: p.offset,
                })
            })
            .transpose()
    }

    fn required(&mut self, name: &'static str) -> Result<ParamValue, InvalidValue> {
        self.text(name)?
            .ok_or(InvalidValue::MissingParameter { param: name })
    }

    fn algorithm(&mut self) -> Result<Option<Algorithm>, InvalidValue> {
        Ok(self.text("algorithm")?.map(Algorithm::from_value))
    }

    fn boolean(&mut self, name: &'static str) -> Result<Option<bool>, InvalidValue> {
        self.take(name)
            .map(|p| {
                if p.value.eq_ignore_ascii_case("true") {
                    Ok(true)
                } else if p.value.eq_ignore_ascii_case("false") {
                    Ok(false)
                } else {
                    Err(InvalidValue::InvalidParameter {
                        param: name.into(),
                        offset: p.offset,
                    })
                }
            })
            .transpose()
    }

    /// The parameters not taken.
    fn rest(self) -> Result<AuthParams, InvalidValue> {
        let mut out = AuthParams::new();
        for p in self.params.into_iter().flatten() {
            let invalid = |_| InvalidValue::InvalidParameter {
                param: p.name.into(),
                offset: p.offset,
            };
            let name = Token::new(p.name).map_err(invalid)?;
            let value = ParamValue::new(&p.value).map_err(invalid)?;
            out.push(AuthParam::new(name, value))?;
        }
        Ok(out)
    }
}

/// Turns parsed data into [`AuthData`].
fn auth_data(data: RawData<'_>) -> Result<AuthData, InvalidValue> {
    Ok(match data {
        RawData::None => AuthData::None,
        RawData::Token68 { token, offset } => AuthData::Token68(
            Token68::new(&token).map_err(|_| InvalidValue::ExpectedToken68 { offset })?,
        ),
        RawData::Params(params) => AuthData::Params(ParamReader::new(params).rest()?),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn parse_all(s: &str, config: &Config) -> Result<Vec<(String, String)>, InvalidValue> {
        let mut c = Cursor::new(s.as_bytes());
        let mut out = Vec::new();
        loop {
            skip_list_separators(&mut c);
            if c.at_end() {
                return Ok(out);
            }
            let raw = parse_auth(&mut c, config)?;
            let data = match raw.data {
                RawData::None => String::new(),
                RawData::Token68 { token, .. } => format!("t68:{token}"),
                RawData::Params(ps) => ps
                    .iter()
                    .map(|p| format!("{}={}", p.name, p.value))
                    .collect::<Vec<_>>()
                    .join(";"),
            };
            out.push((raw.scheme.to_owned(), data));
        }
    }

    #[test]
    fn challenge_lists() {
        let strict = Config::strict();
        let got = parse_all(
            r#"Negotiate, NTLM, Digest qop="auth", realm="im.acme.com", nonce="abc", Basic realm="x",NTLM TlRM=="#,
            &strict,
        )
        .unwrap();
        let want = [
            ("Negotiate", ""),
            ("NTLM", ""),
            ("Digest", "qop=auth;realm=im.acme.com;nonce=abc"),
            ("Basic", "realm=x"),
            ("NTLM", "t68:TlRM=="),
        ];
        assert_eq!(got.len(), want.len());
        for ((s, d), (ws, wd)) in got.iter().zip(want) {
            assert_eq!((s.as_str(), d.as_str()), (ws, wd));
        }
    }

    #[test]
    fn bws_and_empty_elements() {
        let got = parse_all(r#" , Digest realm = "r" ,, nonce=n , "#, &Config::strict()).unwrap();
        assert_eq!(got, [("Digest".to_owned(), "realm=r;nonce=n".to_owned())]);
    }

    #[test]
    fn param_errors() {
        let strict = Config::strict();
        assert_eq!(
            parse_all(r#"Digest realm="a", REALM="b""#, &strict),
            Err(InvalidValue::DuplicateParameter {
                param: "REALM".into()
            })
        );
        assert_eq!(
            parse_all(r#"Digest realm x"#, &strict),
            Err(InvalidValue::UnexpectedByte {
                offset: 13,
                byte: b'x'
            })
        );
        assert_eq!(
            parse_all(r#"Digest realm=x, nonce="#, &strict),
            Err(InvalidValue::UnexpectedEnd { offset: 22 })
        );
        assert_eq!(
            parse_all(r#"Digest realm="x" nonce="y""#, &strict),
            Err(InvalidValue::UnexpectedByte {
                offset: 17,
                byte: b'n'
            })
        );
        assert_eq!(
            parse_all("Digest\trealm=x", &strict).unwrap()[0].1,
            "realm=x"
        );
        let many: String = (0..60).map(|i| format!("p{i}=v, ")).collect();
        assert_eq!(
            parse_all(&format!("X {many}"), &strict),
            Err(InvalidValue::TooManyParameters {
                max: MAX_AUTH_PARAMS
            })
        );
    }

    #[test]
    fn split_token68_only_joined_when_lenient() {
        let s = "NTLM TlRMTVNT AAAA==";
        assert_eq!(
            parse_all(s, &Config::strict()),
            Err(InvalidValue::UnexpectedByte {
                offset: 14,
                byte: b'A'
            })
        );
        assert_eq!(
            parse_all(s, &Config::lenient()).unwrap(),
            [("NTLM".to_owned(), "t68:TlRMTVNTAAAA==".to_owned())]
        );
    }

    #[test]
    fn tokens_and_values() {
        assert!(Token::new("Digest").is_ok());
        assert_eq!(Token::new(""), Err(InvalidValue::Empty));
        assert!(matches!(
            Token::new(&"x".repeat(65)),
            Err(InvalidValue::TooLong { .. })
        ));
        assert!(ParamValue::new("tab\tok").is_ok());
        assert_eq!(
            ParamValue::new("a\u{7f}"),
            Err(InvalidValue::UnexpectedByte {
                offset: 1,
                byte: 0x7f
            })
        );
        assert_eq!(
            Token68::new("abc=d"),
            Err(InvalidValue::UnexpectedByte {
                offset: 4,
                byte: b'd'
            })
        );
        assert_eq!(Algorithm::from_name("sha-256").unwrap(), Algorithm::Sha256);
        assert!(Algorithm::Md5Sess.is_session());
        assert_eq!(Qop::from_token("AUTH").unwrap(), Qop::Auth);
    }
}
