//! `Notification-Type` (draft sections 6.1.3 and 8.2).

use std::fmt;

use super::InvalidValue;
use super::syntax::{self};

/// Longest extension type accepted, in bytes.
const MAX_LEN: usize = 128;

/// `Notification-Type`: in SUBSCRIBE, what the subscriber wants to hear about; in
/// SUBSCRIPTIONS, which subscriptions to list; on pushed NOTIFYs, what they carry.
///
/// Grammar: `token "/" token`. `update/propchange` asks for property changes of the
/// node, `pragma/notify` for the notifications sent to the node (the login
/// subscription). The draft says the set "is extensible to other values": any other
/// `type/subtype` is kept as an extension, compared exactly. The two defined values are
/// recognised in any letter case (ABNF literals are case-insensitive) and written in
/// lower case.
///
/// ```
/// use rvp_codec::header::NotificationType;
///
/// let t: NotificationType = "pragma/notify".parse()?;
/// assert_eq!(t, NotificationType::PRAGMA_NOTIFY);
/// assert_eq!("Update/PropChange".parse::<NotificationType>()?, NotificationType::UPDATE_PROPCHANGE);
///
/// let x: NotificationType = "stock/price".parse()?;
/// assert!(x.is_extension());
/// assert_eq!(x.as_str(), "stock/price");
/// assert!("notify".parse::<NotificationType>().is_err());
/// # Ok::<(), rvp_codec::header::InvalidValue>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct NotificationType(Inner);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Inner {
    UpdatePropchange,
    PragmaNotify,
    Extension(Box<str>),
}

impl NotificationType {
    /// `update/propchange`: notify me when the node's properties change.
    pub const UPDATE_PROPCHANGE: Self = Self(Inner::UpdatePropchange);
    /// `pragma/notify`: deliver notifications sent to the node to my callback.
    pub const PRAGMA_NOTIFY: Self = Self(Inner::PragmaNotify);

    /// Parses a field value.
    pub fn from_bytes(s: &[u8]) -> Result<Self, InvalidValue> {
        if s.len() > MAX_LEN {
            return Err(InvalidValue::TooLong {
                len: s.len(),
                max: MAX_LEN,
            });
        }
        // As peers write them first (one comparison), then in any letter case.
        match s {
            b"update/propchange" => return Ok(Self::UPDATE_PROPCHANGE),
            b"pragma/notify" => return Ok(Self::PRAGMA_NOTIFY),
            _ => {}
        }
        if s.eq_ignore_ascii_case(b"update/propchange") {
            return Ok(Self::UPDATE_PROPCHANGE);
        }
        if s.eq_ignore_ascii_case(b"pragma/notify") {
            return Ok(Self::PRAGMA_NOTIFY);
        }
        let mut cursor = syntax::Cursor::new(s);
        if cursor.token().is_none() {
            return Err(cursor.unexpected());
        }
        if cursor.peek() != Some(b'/') {
            return Err(cursor.unexpected());
        }
        cursor.bump();
        if cursor.token().is_none() || !cursor.at_end() {
            return Err(cursor.unexpected());
        }
        // Tokens and "/" are ASCII.
        let s = std::str::from_utf8(s).map_err(|e| InvalidValue::NotUtf8 {
            offset: e.valid_up_to(),
        })?;
        Ok(Self(Inner::Extension(s.into())))
    }

    /// The value as written.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Inner::UpdatePropchange => "update/propchange",
            Inner::PragmaNotify => "pragma/notify",
            Inner::Extension(s) => s,
        }
    }

    /// Whether this is neither `update/propchange` nor `pragma/notify`.
    pub fn is_extension(&self) -> bool {
        matches!(self.0, Inner::Extension(_))
    }
}

impl fmt::Debug for NotificationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for NotificationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

single_field_header!(
    NotificationType,
    super::NOTIFICATION_TYPE,
    "Notification-Type"
);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::Config;
    use crate::header::TypedHeader;
    use crate::header::strategy;
    use http::HeaderValue;
    use proptest::prelude::*;

    #[test]
    fn defined_values() {
        for config in [Config::strict(), Config::lenient()] {
            for (s, t) in [
                ("update/propchange", NotificationType::UPDATE_PROPCHANGE),
                ("pragma/notify", NotificationType::PRAGMA_NOTIFY),
                ("PRAGMA/NOTIFY", NotificationType::PRAGMA_NOTIFY),
            ] {
                let value = HeaderValue::from_static(s);
                let got = NotificationType::decode([&value].into_iter(), &config).unwrap();
                assert_eq!(got, t);
                assert!(!got.is_extension());
            }
        }
    }

    #[test]
    fn rejects() {
        use InvalidValue::*;
        for (s, e) in [
            ("", UnexpectedEnd { offset: 0 }),
            ("notify", UnexpectedEnd { offset: 6 }),
            ("pragma/", UnexpectedEnd { offset: 7 }),
            (
                "/notify",
                UnexpectedByte {
                    offset: 0,
                    byte: b'/',
                },
            ),
            (
                "pragma / notify",
                UnexpectedByte {
                    offset: 6,
                    byte: b' ',
                },
            ),
            (
                "a/b/c",
                UnexpectedByte {
                    offset: 3,
                    byte: b'/',
                },
            ),
        ] {
            assert_eq!(s.parse::<NotificationType>(), Err(e), "{s:?}");
        }
        assert!(matches!(
            format!("a/{}", "b".repeat(200)).parse::<NotificationType>(),
            Err(TooLong { .. })
        ));
    }

    proptest! {
        #[test]
        fn round_trip(v in strategy::notification_type()) {
            strategy::assert_round_trip(&v);
        }
    }
}
