//! `WWW-Authenticate` (RFC 9110 section 11.6.1): the challenges of a `401`.

use http::{HeaderName, HeaderValue, header};

use super::{
    Algorithm, AuthData, AuthParams, MAX_CHALLENGES, ParamReader, ParamValue, Qop, RawData, Token,
    Token68, auth_data, parse_auth, separator, skip_list_separators,
};
use crate::Config;
use crate::header::syntax::{Cursor, header_value, write_quoted};
use crate::header::{HeaderError, InvalidValue, TypedHeader};

/// `WWW-Authenticate`: the authentication schemes a server accepts, in its order of
/// preference.
///
/// Every field is read, and every challenge inside each field (RFC 9110 allows several,
/// separated by commas: `Negotiate, NTLM, Digest realm="x", nonce="y"`), up to
/// [`MAX_CHALLENGES`]. Encoding writes one field per challenge, as Exchange does in the
/// draft's `401` (§7.3) and as the real clients were observed to receive it. An empty
/// list writes no field.
///
/// The draft's `401` (§7.3), with its page wrapping undone:
///
/// ```
/// use http::{HeaderMap, HeaderValue};
/// use rvp_codec::header::{Challenge, HeaderMapExt, Qop, WwwAuthenticate};
///
/// let mut headers = HeaderMap::new();
/// headers.append("www-authenticate", HeaderValue::from_static("Negotiate"));
/// headers.append("www-authenticate", HeaderValue::from_static("NTLM"));
/// headers.append("www-authenticate", HeaderValue::from_static(
///     r#"Digest qop="auth", realm="im.acme.com", nonce="78a8ffeeb123458a400358100000b4d0ed33ae239123441b44896487feda""#,
/// ));
/// let WwwAuthenticate(challenges) = headers.typed_get()?.unwrap();
/// assert_eq!(challenges.len(), 3);
/// assert_eq!(challenges[1], Challenge::Ntlm(None));
/// let Challenge::Digest(digest) = &challenges[2] else { panic!() };
/// assert_eq!(digest.realm.as_str(), "im.acme.com");
/// assert_eq!(digest.qop, [Qop::Auth]);
/// # Ok::<(), rvp_codec::HeaderError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WwwAuthenticate(pub Vec<Challenge>);

impl WwwAuthenticate {
    /// The first Digest challenge, if any.
    pub fn digest(&self) -> Option<&DigestChallenge> {
        self.0.iter().find_map(|c| match c {
            Challenge::Digest(d) => Some(d),
            _ => None,
        })
    }

    /// Whether an NTLM challenge (with or without a message) is offered.
    pub fn offers_ntlm(&self) -> bool {
        self.0.iter().any(|c| matches!(c, Challenge::Ntlm(_)))
    }

    /// Parses the challenges of one field value, appending them to `out`.
    fn parse_into(
        value: &[u8],
        config: &Config,
        out: &mut Vec<Challenge>,
    ) -> Result<(), InvalidValue> {
        let mut c = Cursor::new(value);
        let start = out.len();
        loop {
            skip_list_separators(&mut c);
            if c.at_end() {
                break;
            }
            if out.len() >= MAX_CHALLENGES {
                return Err(InvalidValue::TooManyChallenges {
                    max: MAX_CHALLENGES,
                });
            }
            let raw = parse_auth(&mut c, config)?;
            out.push(Challenge::from_raw(raw)?);
        }
        if out.len() == start {
            return Err(InvalidValue::Empty);
        }
        Ok(())
    }
}

/// One challenge.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Challenge {
    /// `Digest` with its parameters.
    Digest(DigestChallenge),
    /// `NTLM`, alone in the first round, with the server's Type 2 message in the second.
    Ntlm(Option<Token68>),
    /// `Negotiate` (SPNEGO), alone or with a token. RVP clients ignore it; Exchange
    /// offers it first.
    Negotiate(Option<Token68>),
    /// `Basic`.
    Basic(BasicChallenge),
    /// Any other scheme. Never holds one of the schemes above: those decode into their
    /// own variants.
    Other {
        /// The scheme.
        scheme: Token,
        /// What follows it.
        data: AuthData,
    },
}

impl Challenge {
    /// The scheme's name (`Digest`, `NTLM`, `Negotiate`, `Basic`, or the other one).
    pub fn scheme(&self) -> &str {
        match self {
            Challenge::Digest(_) => "Digest",
            Challenge::Ntlm(_) => "NTLM",
            Challenge::Negotiate(_) => "Negotiate",
            Challenge::Basic(_) => "Basic",
            Challenge::Other { scheme, .. } => scheme.as_str(),
        }
    }

    fn from_raw(raw: super::RawAuth<'_>) -> Result<Self, InvalidValue> {
        let scheme = raw.scheme;
        let offset = raw.data_offset;
        let token_only = |data: RawData<'_>| match auth_data(data)? {
            AuthData::None => Ok(None),
            AuthData::Token68(t) => Ok(Some(t)),
            AuthData::Params(_) => Err(InvalidValue::ExpectedToken68 { offset }),
        };
        if scheme.eq_ignore_ascii_case("Digest") {
            return DigestChallenge::from_raw(raw.data, offset).map(Challenge::Digest);
        }
        if scheme.eq_ignore_ascii_case("NTLM") {
            return token_only(raw.data).map(Challenge::Ntlm);
        }
        if scheme.eq_ignore_ascii_case("Negotiate") {
            return token_only(raw.data).map(Challenge::Negotiate);
        }
        if scheme.eq_ignore_ascii_case("Basic") {
            return BasicChallenge::from_raw(raw.data, offset).map(Challenge::Basic);
        }
        Ok(Challenge::Other {
            scheme: Token::new(scheme)?,
            data: auth_data(raw.data)?,
        })
    }

    /// The field value for this challenge.
    fn to_value(&self) -> String {
        let mut out = String::new();
        match self {
            Challenge::Digest(d) => d.write(&mut out),
            Challenge::Ntlm(t) | Challenge::Negotiate(t) => {
                out.push_str(self.scheme());
                if let Some(t) = t {
                    out.push(' ');
                    out.push_str(t.as_str());
                }
            }
            Challenge::Basic(b) => b.write(&mut out),
            Challenge::Other { scheme, data } => {
                out.push_str(scheme.as_str());
                data.write(&mut out);
            }
        }
        out
    }
}

/// The names of the parameters [`DigestChallenge`] has fields for.
const DIGEST_CHALLENGE_PARAMS: [&str; 9] = [
    "realm",
    "nonce",
    "qop",
    "algorithm",
    "opaque",
    "stale",
    "domain",
    "charset",
    "userhash",
];

/// A Digest challenge (RFC 7616 section 3.3).
///
/// `realm` and `nonce` are required. librvp's test server sends
/// `Digest realm="example.com", nonce="…", qop="auth"`; Exchange (draft §7.3) puts
/// `qop` first. Parameters without a field are kept in `other` (an entry there whose
/// name has a field is not written).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DigestChallenge {
    /// `realm`: the protection space, usually the IM domain.
    pub realm: ParamValue,
    /// `nonce`: the server's nonce, echoed in the credentials.
    pub nonce: ParamValue,
    /// `qop`: the qualities of protection offered; empty for an RFC 2069 challenge.
    pub qop: Vec<Qop>,
    /// `algorithm`; absent means MD5.
    pub algorithm: Option<Algorithm>,
    /// `opaque`: echoed unchanged in the credentials.
    pub opaque: Option<ParamValue>,
    /// `stale=true`: the credentials were right but the nonce expired.
    pub stale: bool,
    /// `domain`: space-separated URIs of the protection space.
    pub domain: Option<ParamValue>,
    /// `charset` (only `UTF-8` is defined).
    pub charset: Option<ParamValue>,
    /// `userhash=true`: the server supports hashed user names.
    pub userhash: bool,
    /// Other parameters, in order.
    pub other: AuthParams,
}

impl DigestChallenge {
    /// A challenge with `realm` and `nonce`, offering `qop=auth` and nothing else.
    pub fn new(realm: ParamValue, nonce: ParamValue) -> Self {
        Self {
            realm,
            nonce,
            qop: vec![Qop::Auth],
            algorithm: None,
            opaque: None,
            stale: false,
            domain: None,
            charset: None,
            userhash: false,
            other: AuthParams::new(),
        }
    }

    fn from_raw(data: RawData<'_>, offset: usize) -> Result<Self, InvalidValue> {
        let params = match data {
            RawData::Params(p) => p,
            RawData::None => return Err(InvalidValue::MissingParameter { param: "realm" }),
            RawData::Token68 { .. } => return Err(InvalidValue::ExpectedParameters { offset }),
        };
        let mut r = ParamReader::new(params);
        let realm = r.required("realm")?;
        let nonce = r.required("nonce")?;
        let qop = match r.take("qop") {
            None => Vec::new(),
            Some(p) => {
                let mut list = Vec::new();
                for item in p.value.split(',') {
                    let item = item.trim_matches([' ', '\t']);
                    if item.is_empty() {
                        continue;
                    }
                    list.push(Qop::from_token(item).map_err(|_| {
                        InvalidValue::InvalidParameter {
                            param: "qop".into(),
                            offset: p.offset,
                        }
                    })?);
                }
                list
            }
        };
        Ok(Self {
            realm,
            nonce,
            qop,
            algorithm: r.algorithm()?,
            opaque: r.text("opaque")?,
            stale: r.boolean("stale")?.unwrap_or(false),
            domain: r.text("domain")?,
            charset: r.text("charset")?,
            userhash: r.boolean("userhash")?.unwrap_or(false),
            other: r.rest()?,
        })
    }

    fn write(&self, out: &mut String) {
        out.push_str("Digest");
        let first = &mut true;
        separator(out, first);
        self.realm.write(out, "realm", false);
        separator(out, first);
        self.nonce.write(out, "nonce", false);
        if !self.qop.is_empty() {
            separator(out, first);
            let list: Vec<&str> = self.qop.iter().map(Qop::as_str).collect();
            out.push_str("qop=");
            write_quoted(out, &list.join(","));
        }
        if let Some(a) = &self.algorithm {
            a.write(out, first);
        }
        if let Some(v) = &self.opaque {
            separator(out, first);
            v.write(out, "opaque", false);
        }
        if self.stale {
            separator(out, first);
            out.push_str("stale=true");
        }
        if let Some(v) = &self.domain {
            separator(out, first);
            v.write(out, "domain", false);
        }
        if let Some(v) = &self.charset {
            separator(out, first);
            v.write(out, "charset", true);
        }
        if self.userhash {
            separator(out, first);
            out.push_str("userhash=true");
        }
        self.other.write(out, first, &DIGEST_CHALLENGE_PARAMS);
    }
}

/// A Basic challenge (RFC 7617): `Basic realm="…"`. Miranda falls back to Basic.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct BasicChallenge {
    /// `realm`.
    pub realm: Option<ParamValue>,
    /// Other parameters (`charset`), in order; an entry named `realm` is not written.
    pub other: AuthParams,
}

impl BasicChallenge {
    /// A challenge for `realm`.
    pub fn new(realm: Option<ParamValue>) -> Self {
        Self {
            realm,
            other: AuthParams::new(),
        }
    }

    fn from_raw(data: RawData<'_>, offset: usize) -> Result<Self, InvalidValue> {
        match data {
            RawData::None => Ok(Self::default()),
            RawData::Token68 { .. } => Err(InvalidValue::ExpectedParameters { offset }),
            RawData::Params(params) => {
                let mut r = ParamReader::new(params);
                Ok(Self {
                    realm: r.text("realm")?,
                    other: r.rest()?,
                })
            }
        }
    }

    fn write(&self, out: &mut String) {
        out.push_str("Basic");
        let first = &mut true;
        if let Some(realm) = &self.realm {
            separator(out, first);
            realm.write(out, "realm", false);
        }
        self.other.write(out, first, &["realm"]);
    }
}

impl TypedHeader for WwwAuthenticate {
    const NAME: HeaderName = header::WWW_AUTHENTICATE;
    const TITLE: &'static str = "WWW-Authenticate";

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
        let mut challenges = Vec::new();
        let mut any = false;
        for value in values {
            any = true;
            Self::parse_into(value, config, &mut challenges).map_err(|reason| {
                HeaderError::Invalid {
                    name: Self::TITLE,
                    reason,
                }
            })?;
        }
        if !any {
            return Err(HeaderError::Missing { name: Self::TITLE });
        }
        Ok(Self(challenges))
    }

    fn encode<E: Extend<HeaderValue>>(&self, values: &mut E) {
        values.extend(self.0.iter().map(|c| header_value(c.to_value())));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::header::strategy;
    use proptest::prelude::*;

    fn decode(values: &[&'static str], config: &Config) -> Result<WwwAuthenticate, HeaderError> {
        let values: Vec<HeaderValue> = values.iter().map(|v| HeaderValue::from_static(v)).collect();
        WwwAuthenticate::decode(values.iter(), config)
    }

    fn invalid(reason: InvalidValue) -> Result<WwwAuthenticate, HeaderError> {
        Err(HeaderError::Invalid {
            name: "WWW-Authenticate",
            reason,
        })
    }

    const DRAFT_NONCE: &str = "78a8ffeeb123458a400358100000b4d0ed33ae239123441b44896487feda";

    #[test]
    fn draft_401_three_fields() {
        // Draft §7.3, page wrapping undone, in both modes.
        for config in [Config::strict(), Config::lenient()] {
            let w = decode(
                &[
                    "Negotiate",
                    "NTLM",
                    r#"Digest qop="auth", realm="im.acme.com", nonce="78a8ffeeb123458a400358100000b4d0ed33ae239123441b44896487feda""#,
                ],
                &config,
            )
            .unwrap();
            let mut digest =
                DigestChallenge::new("im.acme.com".parse().unwrap(), DRAFT_NONCE.parse().unwrap());
            digest.qop = vec![Qop::Auth];
            assert_eq!(
                w.0,
                [
                    Challenge::Negotiate(None),
                    Challenge::Ntlm(None),
                    Challenge::Digest(digest.clone())
                ]
            );
            assert_eq!(w.digest(), Some(&digest));
            assert!(w.offers_ntlm());
        }
    }

    #[test]
    fn draft_401_nonce_folded_keeps_space_in_both_modes() {
        // Draft §7.3 taken literally: the nonce is folded inside its quotes, which the
        // head decoder's unfolding turns into one space.
        for config in [Config::strict(), Config::lenient()] {
            let w = decode(
                &[r#"Digest qop="auth", realm="im.acme.com", nonce="78a8ffeeb123458a400358100000b4d0ed33ae239123441b44896487fe da""#],
                &config,
            )
            .unwrap();
            assert!(w.digest().unwrap().nonce.as_str().ends_with("7fe da"));
        }
    }

    #[test]
    fn several_challenges_in_one_field() {
        let w = decode(
            &[r#"Negotiate, NTLM, Digest realm="example.com", nonce="n1", qop="auth,auth-int", algorithm=MD5-sess, stale=TRUE, Basic realm="x", charset="UTF-8""#],
            &Config::strict(),
        )
        .unwrap();
        assert_eq!(w.0.len(), 4);
        let d = w.digest().unwrap();
        assert_eq!(d.qop, [Qop::Auth, Qop::AuthInt]);
        assert_eq!(d.algorithm, Some(Algorithm::Md5Sess));
        assert!(d.stale);
        let Challenge::Basic(b) = &w.0[3] else {
            panic!("{:?}", w.0[3])
        };
        assert_eq!(b.realm.as_ref().unwrap().as_str(), "x");
        assert_eq!(b.other.get("charset").unwrap().as_str(), "UTF-8");
    }

    #[test]
    fn ntlm_second_round_and_unknown_schemes() {
        let w = decode(
            &[
                "NTLM TlRMTVNTUAACAAAA",
                "Bearer realm=\"r\"",
                "Kerberos",
                "Custom abc==",
            ],
            &Config::strict(),
        )
        .unwrap();
        assert_eq!(
            w.0[0],
            Challenge::Ntlm(Some("TlRMTVNTUAACAAAA".parse().unwrap()))
        );
        assert!(
            matches!(&w.0[1], Challenge::Other { scheme, data: AuthData::Params(p) }
            if scheme.as_str() == "Bearer" && p.get("realm").is_some())
        );
        assert!(matches!(
            &w.0[2],
            Challenge::Other {
                data: AuthData::None,
                ..
            }
        ));
        assert!(matches!(
            &w.0[3],
            Challenge::Other {
                data: AuthData::Token68(_),
                ..
            }
        ));
    }

    #[test]
    fn encoding_writes_one_field_per_challenge() {
        let mut digest =
            DigestChallenge::new("example.com".parse().unwrap(), "abc".parse().unwrap());
        digest.algorithm = Some(Algorithm::Md5);
        let w = WwwAuthenticate(vec![
            Challenge::Negotiate(None),
            Challenge::Ntlm(None),
            Challenge::Digest(digest),
        ]);
        let mut out = Vec::new();
        w.encode(&mut out);
        assert_eq!(
            out,
            [
                "Negotiate",
                "NTLM",
                r#"Digest realm="example.com", nonce="abc", qop="auth", algorithm=MD5"#
            ]
        );
    }

    #[test]
    fn rejects() {
        let strict = Config::strict();
        assert_eq!(
            decode(&[r#"Digest nonce="n""#], &strict),
            invalid(InvalidValue::MissingParameter { param: "realm" })
        );
        assert_eq!(
            decode(&["Digest"], &strict),
            invalid(InvalidValue::MissingParameter { param: "realm" })
        );
        assert_eq!(
            decode(&["Digest abc=="], &strict),
            invalid(InvalidValue::ExpectedParameters { offset: 7 })
        );
        assert_eq!(
            decode(&[r#"NTLM realm="x""#], &strict),
            invalid(InvalidValue::ExpectedToken68 { offset: 5 })
        );
        assert_eq!(
            decode(&[r#"Digest realm="r", nonce="n", stale=maybe"#], &strict),
            invalid(InvalidValue::InvalidParameter {
                param: "stale".into(),
                offset: 35
            })
        );
        assert_eq!(
            decode(&[r#"Digest realm="r", nonce="n", qop="auth,a b""#], &strict),
            invalid(InvalidValue::InvalidParameter {
                param: "qop".into(),
                offset: 33
            })
        );
        assert_eq!(decode(&[", ,"], &strict), invalid(InvalidValue::Empty));
        assert_eq!(
            decode(&["NTLM", "=x"], &strict),
            invalid(InvalidValue::UnexpectedByte {
                offset: 0,
                byte: b'='
            })
        );
        assert_eq!(
            decode(&[], &strict),
            Err(HeaderError::Missing {
                name: "WWW-Authenticate"
            })
        );
        let many = "NTLM, ".repeat(MAX_CHALLENGES + 1);
        let value = HeaderValue::from_str(&many).unwrap();
        assert_eq!(
            WwwAuthenticate::decode([&value].into_iter(), &strict),
            invalid(InvalidValue::TooManyChallenges {
                max: MAX_CHALLENGES
            })
        );
    }

    proptest! {
        #[test]
        fn round_trip(v in strategy::www_authenticate()) {
            strategy::assert_round_trip(&v);
        }

        #[test]
        fn never_panics(s in "[ -~]{0,60}") {
            let value = HeaderValue::from_str(&s).unwrap();
            let _ = WwwAuthenticate::decode([&value].into_iter(), &Config::strict());
            let _ = WwwAuthenticate::decode([&value].into_iter(), &Config::lenient());
        }

        #[test]
        fn never_panics_on_near_misses(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("Digest"), Just("NTLM"), Just(" "), Just(","), Just("="),
                    Just("\""), Just("\\"), Just("realm"), Just("nonce"), Just("qop"),
                    Just("abc=="), Just("\t"), Just("\u{e9}"),
                ],
                0..24,
            )
        ) {
            let s: String = parts.concat();
            let value = HeaderValue::from_str(&s).unwrap();
            let _ = WwwAuthenticate::decode([&value].into_iter(), &Config::lenient());
        }
    }
}
