//! Mapping tables between RVP states and other presence vocabularies.
//!
//! Sources: the RVP tokens (draft-osborne-rvp-00 §10.1), the MSN /
//! Communicator statements of Microsoft KB 897567 (public IM connectivity),
//! XMPP `<show/>` (RFC 6121) and PIDF `basic` (RFC 3863) with RPID activities
//! (RFC 4480). The XMPP and PIDF rows are this crate's choice where no source
//! states one; every function says which direction loses information.
//!
//! | RVP | MSN | Communicator | XMPP | PIDF / RPID |
//! |---|---|---|---|---|
//! | `online` | Online | Available | available | `open` |
//! | `busy` | Busy | Busy | `dnd` | `open` + `busy` |
//! | `on-phone` | On The Phone | Busy *(lossy)* | `dnd` *(lossy)* | `open` + `on-the-phone` |
//! | `at-lunch` | Out To Lunch | Away *(lossy, KB)* | `xa` *(lossy)* | `open` + `lunch` |
//! | `back-soon` | Be Right Back | Be Right Back | `away` *(lossy)* | `open` + `away` *(lossy)* |
//! | `away` | Away | Away | `away` | `open` + `away` |
//! | `idle` | Idle | Away *(lossy)* | `xa` *(lossy)* | `open` + `away` *(lossy)* |
//! | `invisible` | Appear Offline | Appear Offline | `unavailable` *(lossy)* | `closed` *(lossy)* |
//! | `offline` | Offline | Offline | `unavailable` | `closed` |
//! | extension | Online *(lossy)* | Available *(lossy)* | available *(lossy)* | `open` *(lossy)* |
//!
//! Cross-network rules from KB 897567: MSN "Be Right Back" and "Out to Lunch"
//! show as Away in Communicator ([`MsnStatus::as_seen_in_communicator`]);
//! Communicator "Do Not Disturb" shows as Away in MSN
//! ([`CommunicatorStatus::as_seen_in_msn`]).

use crate::PresenceState;

/// MSN / Windows Messenger status (the .NET Messenger Service vocabulary).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum MsnStatus {
    /// Online.
    Online,
    /// Busy.
    Busy,
    /// Be Right Back.
    BeRightBack,
    /// Away.
    Away,
    /// On The Phone.
    OnThePhone,
    /// Out To Lunch.
    OutToLunch,
    /// Idle (set by the client after inactivity).
    Idle,
    /// Appear Offline.
    AppearOffline,
    /// Offline.
    Offline,
}

impl MsnStatus {
    /// RVP → MSN. Lossless for the nine known states (MSN has each of them);
    /// extensions become `Online` (lossy).
    pub fn from_rvp(state: &PresenceState) -> Self {
        match state {
            PresenceState::Online | PresenceState::Extension(_) => Self::Online,
            PresenceState::Busy => Self::Busy,
            PresenceState::BackSoon => Self::BeRightBack,
            PresenceState::Away => Self::Away,
            PresenceState::OnPhone => Self::OnThePhone,
            PresenceState::AtLunch => Self::OutToLunch,
            PresenceState::Idle => Self::Idle,
            PresenceState::Invisible => Self::AppearOffline,
            PresenceState::Offline => Self::Offline,
        }
    }

    /// MSN → RVP. Lossless.
    pub fn to_rvp(self) -> PresenceState {
        match self {
            Self::Online => PresenceState::Online,
            Self::Busy => PresenceState::Busy,
            Self::BeRightBack => PresenceState::BackSoon,
            Self::Away => PresenceState::Away,
            Self::OnThePhone => PresenceState::OnPhone,
            Self::OutToLunch => PresenceState::AtLunch,
            Self::Idle => PresenceState::Idle,
            Self::AppearOffline => PresenceState::Invisible,
            Self::Offline => PresenceState::Offline,
        }
    }

    /// How an MSN contact in this state appears to a Communicator user
    /// (KB 897567: "Be Right Back" and "Out to Lunch" show as Away). Lossy.
    pub fn as_seen_in_communicator(self) -> CommunicatorStatus {
        match self {
            Self::Online => CommunicatorStatus::Available,
            Self::Busy | Self::OnThePhone => CommunicatorStatus::Busy,
            Self::BeRightBack | Self::Away | Self::OutToLunch | Self::Idle => {
                CommunicatorStatus::Away
            }
            Self::AppearOffline | Self::Offline => CommunicatorStatus::Offline,
        }
    }
}

/// Office Communicator / Live Communications Server (SIP) status.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum CommunicatorStatus {
    /// Available.
    Available,
    /// Busy (also "in a call", "in a meeting").
    Busy,
    /// Do Not Disturb (no RVP or MSN equivalent).
    DoNotDisturb,
    /// Be Right Back.
    BeRightBack,
    /// Away.
    Away,
    /// Appear Offline.
    AppearOffline,
    /// Offline.
    Offline,
}

impl CommunicatorStatus {
    /// RVP → Communicator. Lossy: `on-phone` → Busy, `at-lunch` → Away (no
    /// Out to Lunch there, KB 897567), `idle` → Away, extensions → Available.
    pub fn from_rvp(state: &PresenceState) -> Self {
        match state {
            PresenceState::Online | PresenceState::Extension(_) => Self::Available,
            PresenceState::Busy | PresenceState::OnPhone => Self::Busy,
            PresenceState::BackSoon => Self::BeRightBack,
            PresenceState::Away | PresenceState::AtLunch | PresenceState::Idle => Self::Away,
            PresenceState::Invisible => Self::AppearOffline,
            PresenceState::Offline => Self::Offline,
        }
    }

    /// Communicator → RVP. Lossy only for Do Not Disturb, which becomes
    /// `busy` (RVP has no DND; `busy` keeps "do not expect an answer").
    pub fn to_rvp(self) -> PresenceState {
        match self {
            Self::Available => PresenceState::Online,
            Self::Busy | Self::DoNotDisturb => PresenceState::Busy,
            Self::BeRightBack => PresenceState::BackSoon,
            Self::Away => PresenceState::Away,
            Self::AppearOffline => PresenceState::Invisible,
            Self::Offline => PresenceState::Offline,
        }
    }

    /// How a Communicator user in this state appears to an MSN contact
    /// (KB 897567: "Do Not Disturb" shows as Away). Lossy for DND.
    pub fn as_seen_in_msn(self) -> MsnStatus {
        match self {
            Self::Available => MsnStatus::Online,
            Self::Busy => MsnStatus::Busy,
            Self::DoNotDisturb | Self::Away => MsnStatus::Away,
            Self::BeRightBack => MsnStatus::BeRightBack,
            Self::AppearOffline | Self::Offline => MsnStatus::Offline,
        }
    }
}

/// XMPP `<show/>` values (RFC 6121 §4.7.2.1).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum XmppShow {
    /// `chat`: actively interested in chatting.
    Chat,
    /// `away`.
    Away,
    /// `xa`: extended away.
    Xa,
    /// `dnd`: do not disturb.
    Dnd,
}

impl XmppShow {
    /// The element text.
    pub fn token(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::Away => "away",
            Self::Xa => "xa",
            Self::Dnd => "dnd",
        }
    }
}

/// An XMPP presence: available with an optional `<show/>`, or `type="unavailable"`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum XmppPresence {
    /// Available; `None` means no `<show/>` (plain online).
    Available(Option<XmppShow>),
    /// `<presence type="unavailable"/>`.
    Unavailable,
}

impl XmppPresence {
    /// RVP → XMPP, with a `<status/>` text to send when the mapping is lossy
    /// (the RVP display name, e.g. "Be Right Back"), so a human still sees
    /// the meaning. Lossy for `on-phone`, `at-lunch`, `back-soon`, `idle`,
    /// `invisible` and extensions.
    pub fn from_rvp(state: &PresenceState) -> (Self, Option<&str>) {
        use PresenceState as S;
        let (p, lossy) = match state {
            S::Online => (Self::Available(None), false),
            S::Busy => (Self::Available(Some(XmppShow::Dnd)), false),
            S::OnPhone => (Self::Available(Some(XmppShow::Dnd)), true),
            S::AtLunch => (Self::Available(Some(XmppShow::Xa)), true),
            S::BackSoon => (Self::Available(Some(XmppShow::Away)), true),
            S::Away => (Self::Available(Some(XmppShow::Away)), false),
            S::Idle => (Self::Available(Some(XmppShow::Xa)), true),
            S::Extension(_) => (Self::Available(None), true),
            // An invisible user must look exactly like an offline one.
            S::Invisible => (Self::Unavailable, false),
            S::Offline => (Self::Unavailable, false),
        };
        (p, lossy.then(|| state.display_name()))
    }

    /// XMPP → RVP. `chat` → `online` (lossy, as Miranda maps FREECHAT);
    /// `xa` → `away` (lossy); `dnd` → `busy`.
    pub fn to_rvp(self) -> PresenceState {
        match self {
            Self::Available(None | Some(XmppShow::Chat)) => PresenceState::Online,
            Self::Available(Some(XmppShow::Away | XmppShow::Xa)) => PresenceState::Away,
            Self::Available(Some(XmppShow::Dnd)) => PresenceState::Busy,
            Self::Unavailable => PresenceState::Offline,
        }
    }
}

/// PIDF `<basic>` status (RFC 3863).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum PidfBasic {
    /// `open`: able to receive messages.
    Open,
    /// `closed`.
    Closed,
}

macro_rules! rpid_activities {
    ($($variant:ident = $token:literal),* $(,)?) => {
        /// RPID `<activities>` values (RFC 4480 §3.2).
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        #[non_exhaustive]
        pub enum RpidActivity {
            $(#[doc = concat!("`", $token, "`.")] $variant,)*
        }

        impl RpidActivity {
            /// Every activity in RFC 4480, alphabetical.
            pub const ALL: &'static [RpidActivity] = &[$(RpidActivity::$variant,)*];

            /// The element name.
            pub fn token(self) -> &'static str {
                match self { $(Self::$variant => $token,)* }
            }

            /// Parses an element name.
            pub fn from_token(token: &str) -> Option<Self> {
                match token { $($token => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

rpid_activities! {
    Appointment = "appointment", Away = "away", Breakfast = "breakfast", Busy = "busy",
    Dinner = "dinner", Holiday = "holiday", InTransit = "in-transit",
    LookingForWork = "looking-for-work", Lunch = "lunch", Meal = "meal", Meeting = "meeting",
    OnThePhone = "on-the-phone", Other = "other", Performance = "performance",
    PermanentAbsence = "permanent-absence", Playing = "playing", Presentation = "presentation",
    Shopping = "shopping", Sleeping = "sleeping", Spectator = "spectator", Steering = "steering",
    Travel = "travel", Tv = "tv", Unknown = "unknown", Vacation = "vacation",
    Working = "working", Worship = "worship",
}

/// A PIDF tuple status plus at most one RPID activity.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Pidf {
    /// `<basic>`.
    pub basic: PidfBasic,
    /// `<rpid:activities>` child, if any.
    pub activity: Option<RpidActivity>,
}

impl Pidf {
    /// RVP → PIDF. Lossy for `back-soon` and `idle` (both `away`),
    /// `invisible` (`closed`, exactly like offline) and extensions (`open`).
    pub fn from_rvp(state: &PresenceState) -> Self {
        use PresenceState as S;
        let (basic, activity) = match state {
            S::Online | S::Extension(_) => (PidfBasic::Open, None),
            S::Busy => (PidfBasic::Open, Some(RpidActivity::Busy)),
            S::OnPhone => (PidfBasic::Open, Some(RpidActivity::OnThePhone)),
            S::AtLunch => (PidfBasic::Open, Some(RpidActivity::Lunch)),
            S::BackSoon | S::Away | S::Idle => (PidfBasic::Open, Some(RpidActivity::Away)),
            S::Invisible | S::Offline => (PidfBasic::Closed, None),
        };
        Self { basic, activity }
    }

    /// PIDF → RVP. `closed` → `offline` whatever the activity. With `open`:
    /// `busy`, `meeting`, `appointment`, `presentation`, `performance` →
    /// `busy`; `on-the-phone` → `on-phone`; `lunch`, `meal`, `breakfast`,
    /// `dinner` → `at-lunch`; `away`, `sleeping`, `vacation`, `holiday`,
    /// `permanent-absence`, `in-transit`, `travel`, `shopping` → `away`;
    /// anything else → `online`. Lossy (27 activities onto 5 states).
    pub fn to_rvp(self) -> PresenceState {
        use RpidActivity as A;
        if self.basic == PidfBasic::Closed {
            return PresenceState::Offline;
        }
        match self.activity {
            Some(A::Busy | A::Meeting | A::Appointment | A::Presentation | A::Performance) => {
                PresenceState::Busy
            }
            Some(A::OnThePhone) => PresenceState::OnPhone,
            Some(A::Lunch | A::Meal | A::Breakfast | A::Dinner) => PresenceState::AtLunch,
            Some(
                A::Away
                | A::Sleeping
                | A::Vacation
                | A::Holiday
                | A::PermanentAbsence
                | A::InTransit
                | A::Travel
                | A::Shopping,
            ) => PresenceState::Away,
            _ => PresenceState::Online,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PresenceState as S;

    #[test]
    fn msn_is_lossless_for_known_states() {
        for s in S::KNOWN {
            assert_eq!(MsnStatus::from_rvp(&s).to_rvp(), s);
        }
        assert_eq!(
            MsnStatus::from_rvp(&S::Extension("x".into())),
            MsnStatus::Online
        );
    }

    #[test]
    fn kb_cross_network_rules() {
        assert_eq!(
            MsnStatus::BeRightBack.as_seen_in_communicator(),
            CommunicatorStatus::Away
        );
        assert_eq!(
            MsnStatus::OutToLunch.as_seen_in_communicator(),
            CommunicatorStatus::Away
        );
        assert_eq!(
            CommunicatorStatus::DoNotDisturb.as_seen_in_msn(),
            MsnStatus::Away
        );
        assert_eq!(
            CommunicatorStatus::from_rvp(&S::AtLunch),
            CommunicatorStatus::Away
        );
    }

    fn lossless_in(list: &[S], f: impl Fn(&S) -> S) {
        for s in S::KNOWN {
            let back = f(&s);
            if list.contains(&s) {
                assert_ne!(back, s, "{s} documented lossy but round-trips");
            } else {
                assert_eq!(back, s, "{s} documented lossless");
            }
        }
    }

    #[test]
    fn communicator_loss_is_as_documented() {
        lossless_in(&[S::OnPhone, S::AtLunch, S::Idle], |s| {
            CommunicatorStatus::from_rvp(s).to_rvp()
        });
        assert_eq!(CommunicatorStatus::DoNotDisturb.to_rvp(), S::Busy);
    }

    #[test]
    fn xmpp_loss_is_as_documented() {
        lossless_in(
            &[S::OnPhone, S::AtLunch, S::BackSoon, S::Idle, S::Invisible],
            |s| XmppPresence::from_rvp(s).0.to_rvp(),
        );
        assert_eq!(
            XmppPresence::from_rvp(&S::BackSoon),
            (
                XmppPresence::Available(Some(XmppShow::Away)),
                Some("Be Right Back")
            )
        );
        assert_eq!(
            XmppPresence::from_rvp(&S::Invisible),
            (XmppPresence::Unavailable, None)
        );
        assert_eq!(
            XmppPresence::Available(Some(XmppShow::Chat)).to_rvp(),
            S::Online
        );
        assert_eq!(XmppShow::Xa.token(), "xa");
    }

    #[test]
    fn pidf_loss_is_as_documented() {
        lossless_in(&[S::BackSoon, S::Idle, S::Invisible], |s| {
            Pidf::from_rvp(s).to_rvp()
        });
        let closed_busy = Pidf {
            basic: PidfBasic::Closed,
            activity: Some(RpidActivity::Busy),
        };
        assert_eq!(closed_busy.to_rvp(), S::Offline);
    }

    #[test]
    fn rpid_tokens_round_trip() {
        assert_eq!(RpidActivity::ALL.len(), 27);
        for a in RpidActivity::ALL {
            assert_eq!(RpidActivity::from_token(a.token()), Some(*a));
            // Every activity maps to some RVP state without panicking.
            let _ = Pidf {
                basic: PidfBasic::Open,
                activity: Some(*a),
            }
            .to_rvp();
        }
        assert_eq!(RpidActivity::from_token("nope"), None);
    }
}
