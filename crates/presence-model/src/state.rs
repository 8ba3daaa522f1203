//! Presence states: the seven RVP tokens, `idle`, `invisible` and extensions.

use std::fmt;
use std::sync::Arc;

/// A presence state, as carried in `<r:state>` (draft-osborne-rvp-00 §10.1.3–10.1.11).
///
/// The draft defines seven tokens. Real clients also send `idle` (librvp,
/// Miranda) and `invisible` (Miranda, recognised by librvp); any other token is
/// kept as an [`Extension`](PresenceState::Extension) so that it survives a
/// round trip.
///
/// ```
/// use presence_model::PresenceState;
/// let s: PresenceState = "at-lunch".parse().unwrap();
/// assert_eq!(s, PresenceState::AtLunch);
/// assert_eq!(s.token(), "at-lunch");
/// assert_eq!(s.display_name(), "Out To Lunch");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
#[non_exhaustive]
pub enum PresenceState {
    /// `online`.
    Online,
    /// `offline`: the default of every lease and of a principal nobody set.
    #[default]
    Offline,
    /// `away` ("Away", set by clients after 10 minutes without input).
    Away,
    /// `busy`.
    Busy,
    /// `back-soon` ("Be Right Back").
    BackSoon,
    /// `on-phone` ("On The Phone").
    OnPhone,
    /// `at-lunch` ("Out To Lunch").
    AtLunch,
    /// `idle` (not in the draft; librvp and Miranda).
    Idle,
    /// `invisible` ("Appear Offline"; not in the draft). Watchers see `offline`.
    Invisible,
    /// Any other token, kept verbatim (an XML local name).
    Extension(Arc<str>),
}

/// Error returned when a token is empty or not an XML-name-like token.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid presence state token {token:?}")]
pub struct InvalidStateToken {
    /// The rejected text.
    pub token: String,
}

impl PresenceState {
    /// The seven states defined by the draft, in its order.
    pub const RVP: [PresenceState; 7] = [
        PresenceState::Online,
        PresenceState::Offline,
        PresenceState::Away,
        PresenceState::Busy,
        PresenceState::BackSoon,
        PresenceState::OnPhone,
        PresenceState::AtLunch,
    ];

    /// All nine known (non-extension) states.
    pub const KNOWN: [PresenceState; 9] = [
        PresenceState::Online,
        PresenceState::Offline,
        PresenceState::Away,
        PresenceState::Busy,
        PresenceState::BackSoon,
        PresenceState::OnPhone,
        PresenceState::AtLunch,
        PresenceState::Idle,
        PresenceState::Invisible,
    ];

    /// The wire token (the local name of the element inside `<r:state>`).
    pub fn token(&self) -> &str {
        match self {
            Self::Online => "online",
            Self::Offline => "offline",
            Self::Away => "away",
            Self::Busy => "busy",
            Self::BackSoon => "back-soon",
            Self::OnPhone => "on-phone",
            Self::AtLunch => "at-lunch",
            Self::Idle => "idle",
            Self::Invisible => "invisible",
            Self::Extension(t) => t,
        }
    }

    /// The user-interface text Exchange/Windows Messenger and librvp use.
    pub fn display_name(&self) -> &str {
        match self {
            Self::Online => "Online",
            Self::Offline => "Offline",
            Self::Away => "Away",
            Self::Busy => "Busy",
            Self::BackSoon => "Be Right Back",
            Self::OnPhone => "On The Phone",
            Self::AtLunch => "Out To Lunch",
            Self::Idle => "Idle",
            Self::Invisible => "Appear Offline",
            Self::Extension(t) => t,
        }
    }

    /// Whether this state is one of the draft's seven.
    pub fn is_rvp(&self) -> bool {
        Self::RVP.contains(self)
    }

    /// The state as a watcher sees it: `invisible` is shown as `offline`.
    pub fn as_seen_by_watchers(&self) -> PresenceState {
        match self {
            Self::Invisible => Self::Offline,
            other => other.clone(),
        }
    }

    /// Whether a change to this state in one view is replicated to every view
    /// of the principal (draft §6.5: "busy" and "out to lunch" replicate,
    /// "offline" and "idle" do not).
    ///
    /// Replicated: `busy`, `at-lunch`, `on-phone`, `back-soon` (deliberate
    /// user choices) and `invisible` (a privacy choice must not leak through
    /// another login). Per view: `online`, `offline`, `away`, `idle` (they
    /// describe one machine: its sign-in, its keyboard) and extensions.
    pub fn replicates_to_all_views(&self) -> bool {
        matches!(
            self,
            Self::Busy | Self::AtLunch | Self::OnPhone | Self::BackSoon | Self::Invisible
        )
    }

    /// Availability rank used to aggregate views: higher is more available.
    ///
    /// `online` 9 > `busy` 8 > `on-phone` 7 > `at-lunch` 6 > `back-soon` 5 >
    /// `away` 4 > `idle` 3 > extension 2 > `invisible` 1 > `offline` 0.
    pub fn availability(&self) -> u8 {
        match self {
            Self::Online => 9,
            Self::Busy => 8,
            Self::OnPhone => 7,
            Self::AtLunch => 6,
            Self::BackSoon => 5,
            Self::Away => 4,
            Self::Idle => 3,
            Self::Extension(_) => 2,
            Self::Invisible => 1,
            Self::Offline => 0,
        }
    }

    /// Parses a token; unknown tokens become [`Extension`](Self::Extension).
    /// Surrounding whitespace is ignored, as peers pad XML text.
    pub fn from_token(token: &str) -> Result<Self, InvalidStateToken> {
        let t = token.trim();
        Ok(match t {
            "online" => Self::Online,
            "offline" => Self::Offline,
            "away" => Self::Away,
            "busy" => Self::Busy,
            "back-soon" => Self::BackSoon,
            "on-phone" => Self::OnPhone,
            "at-lunch" => Self::AtLunch,
            "idle" => Self::Idle,
            "invisible" => Self::Invisible,
            _ => {
                let valid = t
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_')
                    && t.chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
                if !valid {
                    return Err(InvalidStateToken {
                        token: token.to_owned(),
                    });
                }
                Self::Extension(t.into())
            }
        })
    }
}

impl std::str::FromStr for PresenceState {
    type Err = InvalidStateToken;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_token(s)
    }
}

impl fmt::Display for PresenceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.token())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        for s in PresenceState::KNOWN {
            assert_eq!(PresenceState::from_token(s.token()), Ok(s.clone()));
        }
        let ext = PresenceState::from_token(" in-meeting ").unwrap();
        assert_eq!(ext, PresenceState::Extension("in-meeting".into()));
        assert_eq!(ext.token(), "in-meeting");
    }

    #[test]
    fn bad_tokens_rejected() {
        for t in ["", "  ", "1abc", "a b", "<x>"] {
            assert!(PresenceState::from_token(t).is_err(), "{t:?}");
        }
    }

    #[test]
    fn availability_is_a_strict_order() {
        let mut ranks: Vec<u8> = PresenceState::KNOWN
            .iter()
            .map(|s| s.availability())
            .collect();
        ranks.push(PresenceState::Extension("x".into()).availability());
        let n = ranks.len();
        ranks.sort_unstable();
        ranks.dedup();
        assert_eq!(ranks.len(), n);
    }

    #[test]
    fn replication_split_follows_the_draft() {
        assert!(PresenceState::Busy.replicates_to_all_views());
        assert!(PresenceState::AtLunch.replicates_to_all_views());
        assert!(!PresenceState::Offline.replicates_to_all_views());
        assert!(!PresenceState::Idle.replicates_to_all_views());
    }

    #[test]
    fn invisible_is_offline_to_watchers() {
        assert_eq!(
            PresenceState::Invisible.as_seen_by_watchers(),
            PresenceState::Offline
        );
        assert_eq!(
            PresenceState::Busy.as_seen_by_watchers(),
            PresenceState::Busy
        );
        assert_eq!(PresenceState::Invisible.display_name(), "Appear Offline");
        assert!(PresenceState::AtLunch.is_rvp() && !PresenceState::Idle.is_rvp());
    }
}
