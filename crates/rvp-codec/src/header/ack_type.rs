//! `RVP-Ack-Type` (draft sections 6.6 and 8.2).

use std::fmt;

use super::InvalidValue;
use super::syntax::{self};

/// `RVP-Ack-Type`: when the receiver of a NOTIFY answers it.
///
/// The three values of the draft, recognised in any letter case (ABNF literals are
/// case-insensitive, and nothing is gained by refusing `deepor`) and written as the
/// draft spells them. Any other value is [`InvalidValue::UnknownValue`]: a server
/// cannot honour an acknowledgement rule it does not know. Real clients send `DeepOr`
/// with instant messages.
///
/// ```
/// use rvp_codec::header::AckType;
///
/// assert_eq!("DeepOr".parse::<AckType>()?, AckType::DeepOr);
/// assert_eq!("singlehop".parse::<AckType>()?, AckType::SingleHop);
/// assert_eq!(AckType::DeepAnd.to_string(), "DeepAnd");
/// assert!("Deep".parse::<AckType>().is_err());
/// # Ok::<(), rvp_codec::header::InvalidValue>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AckType {
    /// Answer once the first receiver (the home server) has the NOTIFY.
    SingleHop,
    /// Answer once one of the final destinations has it (instant messages).
    DeepOr,
    /// Answer once all final destinations have it (groups, lists).
    DeepAnd,
}

impl AckType {
    /// The value as the draft spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            AckType::SingleHop => "SingleHop",
            AckType::DeepOr => "DeepOr",
            AckType::DeepAnd => "DeepAnd",
        }
    }

    /// Parses a field value.
    pub fn from_bytes(s: &[u8]) -> Result<Self, InvalidValue> {
        for t in [AckType::SingleHop, AckType::DeepOr, AckType::DeepAnd] {
            if s.eq_ignore_ascii_case(t.as_str().as_bytes()) {
                return Ok(t);
            }
        }
        syntax::check_token(s)?;
        Err(InvalidValue::UnknownValue)
    }
}

impl fmt::Display for AckType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

single_field_header!(AckType, super::RVP_ACK_TYPE, "RVP-Ack-Type");

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
    fn values() {
        for config in [Config::strict(), Config::lenient()] {
            for (s, t) in [
                ("SingleHop", AckType::SingleHop),
                ("DeepOr", AckType::DeepOr),
                ("DeepAnd", AckType::DeepAnd),
                ("DEEPAND", AckType::DeepAnd),
            ] {
                let value = HeaderValue::from_static(s);
                assert_eq!(AckType::decode([&value].into_iter(), &config).unwrap(), t);
            }
        }
    }

    #[test]
    fn rejects() {
        use InvalidValue::*;
        assert_eq!("".parse::<AckType>(), Err(Empty));
        assert_eq!("DeepXor".parse::<AckType>(), Err(UnknownValue));
        assert_eq!(
            "Deep Or".parse::<AckType>(),
            Err(UnexpectedByte {
                offset: 4,
                byte: b' '
            })
        );
    }

    proptest! {
        #[test]
        fn round_trip(v in strategy::ack_type()) {
            strategy::assert_round_trip(&v);
        }
    }
}
