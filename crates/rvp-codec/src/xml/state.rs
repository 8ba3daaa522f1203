//! The `state` property: presence states, the leased form written in PROPPATCH and the
//! bare form sent in NOTIFY.
//!
//! ```text
//! leased:  <r:state><r:leased-value><r:value><r:online/></r:value>
//!            <r:default-value><r:offline/></r:default-value><d:timeout>1200</d:timeout>
//!          </r:leased-value><r:view-id>3577</r:view-id></r:state>
//! bare:    <r:state><r:online/></r:state>
//! ```
//!
//! The draft's DTD (section 10.1.1) only has the leased form, but its own 207 and NOTIFY
//! examples, librvp and Miranda use the bare form: both are read in every configuration.
//! `timeout` belongs to `DAV:` (what both clients send and the draft's responses use);
//! the draft's PROPPATCH request writes `Z:timeout`, which needs
//! [`Config::relaxed_namespaces`](crate::Config).

use std::fmt;

use super::XmlError;
use super::reader::{Elem, Ns, Reader, TextKind, is_xml_name, required, set_once};
use super::writer;

/// A presence state.
///
/// The draft defines seven (`online offline away busy back-soon on-phone at-lunch`);
/// librvp and Miranda also send `idle` and `invisible`. Strict decoding accepts the
/// seven only; [`Config::allow_extended_states`](crate::Config) accepts `idle`,
/// `invisible` and any other element name as [`State::Extension`].
///
/// ```
/// use rvp_codec::xml::State;
///
/// assert_eq!(State::parse("back-soon"), Some(State::BackSoon));
/// assert_eq!(State::OnPhone.as_str(), "on-phone");
/// assert_eq!(State::parse("knitting").unwrap().as_str(), "knitting");
/// assert_eq!(State::parse("not a name"), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// `online`.
    Online,
    /// `offline`.
    Offline,
    /// `away`.
    Away,
    /// `busy`.
    Busy,
    /// `back-soon` ("Be Right Back").
    BackSoon,
    /// `on-phone`.
    OnPhone,
    /// `at-lunch`.
    AtLunch,
    /// `idle` (librvp, Miranda; not in the draft).
    Idle,
    /// `invisible` (Miranda; not in the draft).
    Invisible,
    /// Any other state element.
    Extension(StateToken),
}

/// The name of a [`State::Extension`]: an XML local name that is not one of the nine
/// named states.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StateToken(Box<str>);

impl StateToken {
    /// The token.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StateToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl State {
    /// The element name of the state (`back-soon`).
    pub fn as_str(&self) -> &str {
        match self {
            State::Online => "online",
            State::Offline => "offline",
            State::Away => "away",
            State::Busy => "busy",
            State::BackSoon => "back-soon",
            State::OnPhone => "on-phone",
            State::AtLunch => "at-lunch",
            State::Idle => "idle",
            State::Invisible => "invisible",
            State::Extension(token) => token.as_str(),
        }
    }

    /// Parses a state name: a named state, or an extension when `name` is any other XML
    /// local name. `None` when `name` is not a local name.
    pub fn parse(name: &str) -> Option<State> {
        Some(match name {
            "online" => State::Online,
            "offline" => State::Offline,
            "away" => State::Away,
            "busy" => State::Busy,
            "back-soon" => State::BackSoon,
            "on-phone" => State::OnPhone,
            "at-lunch" => State::AtLunch,
            "idle" => State::Idle,
            "invisible" => State::Invisible,
            _ if is_xml_name(name) && !name.contains(':') => {
                State::Extension(StateToken(name.into()))
            }
            _ => return None,
        })
    }

    /// Whether the draft defines this state (one of the seven).
    pub fn is_draft_state(&self) -> bool {
        !matches!(self, State::Idle | State::Invisible | State::Extension(_))
    }

    /// Reads the state element `elem` (already started) per configuration.
    fn read(reader: &mut Reader<'_>, elem: &Elem<'_>) -> Result<State, XmlError> {
        let invalid = |reason| XmlError::InvalidValue {
            element: "state",
            reason,
            offset: elem.offset,
        };
        if !reader.is(elem, Ns::Rvp, elem.local) {
            return Err(Reader::unexpected("state", elem));
        }
        let state = State::parse(elem.local).ok_or_else(|| invalid("not a state name"))?;
        if !state.is_draft_state() && !reader.config().allow_extended_states {
            return Err(invalid("not one of the draft's seven states"));
        }
        reader.expect_empty("state")?;
        Ok(state)
    }

    /// Reads the single state element inside a `value`/`default-value`/bare `state`.
    fn read_single(
        reader: &mut Reader<'_>,
        parent: &'static str,
        parent_offset: usize,
    ) -> Result<State, XmlError> {
        let mut state = None;
        while let Some(child) = reader.child(parent)? {
            let value = State::read(reader, &child)?;
            set_once(&mut state, value, parent, "state", child.offset)?;
        }
        required(state, parent, "state", parent_offset)
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"<r:");
        out.extend_from_slice(self.as_str().as_bytes());
        out.extend_from_slice(b"/>");
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A leased state: `value` until `timeout_secs` have passed, then `default_value`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LeasedValue {
    /// The state while the lease runs.
    pub value: State,
    /// The state the server reverts to when the lease runs out.
    pub default_value: State,
    /// Lease length in seconds (clients send 1200).
    pub timeout_secs: u32,
}

/// The two shapes of a `state` property value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StateValue {
    /// `<r:state><r:online/></r:state>` (NOTIFY, 207 answers, librvp's logout).
    Bare(State),
    /// `<r:state><r:leased-value>…</r:leased-value></r:state>` (PROPPATCH).
    Leased(LeasedValue),
}

/// The `state` property: a value and an optional view identifier.
///
/// ```
/// use rvp_codec::xml::{LeasedValue, State, StateProperty, StateValue};
///
/// let online = StateProperty::leased(State::Online, State::Offline, 1200);
/// assert_eq!(online.value, StateValue::Leased(LeasedValue {
///     value: State::Online,
///     default_value: State::Offline,
///     timeout_secs: 1200,
/// }));
/// assert_eq!(StateProperty::bare(State::Away).state(), &State::Away);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StateProperty {
    /// The state.
    pub value: StateValue,
    /// `r:view-id`: identifies the presentity (client instance) that set the state.
    /// Servers add one to PROPPATCH answers; librvp echoes it back. Must not be empty nor start or end with whitespace to read back in strict mode.
    pub view_id: Option<String>,
}

impl StateProperty {
    /// The bare form, without a view id.
    pub fn bare(state: State) -> Self {
        Self {
            value: StateValue::Bare(state),
            view_id: None,
        }
    }

    /// The leased form, without a view id.
    pub fn leased(value: State, default_value: State, timeout_secs: u32) -> Self {
        Self {
            value: StateValue::Leased(LeasedValue {
                value,
                default_value,
                timeout_secs,
            }),
            view_id: None,
        }
    }

    /// The current state: the bare state or the leased `value`.
    pub fn state(&self) -> &State {
        match &self.value {
            StateValue::Bare(state) => state,
            StateValue::Leased(leased) => &leased.value,
        }
    }

    /// Reads the content of a `state` element (already started at `elem`).
    pub(crate) fn read(reader: &mut Reader<'_>, elem: &Elem<'_>) -> Result<Self, XmlError> {
        const PARENT: &str = "state";
        let mut value = None;
        let mut view_id = None;
        while let Some(child) = reader.child(PARENT)? {
            if reader.is(&child, Ns::Rvp, "view-id") {
                let id = reader.value(&child, "view-id", TextKind::Required)?;
                set_once(
                    &mut view_id,
                    id.into_owned(),
                    PARENT,
                    "view-id",
                    child.offset,
                )?;
            } else if reader.is(&child, Ns::Rvp, "leased-value") {
                let leased = read_leased(reader, &child)?;
                set_once(
                    &mut value,
                    StateValue::Leased(leased),
                    PARENT,
                    "leased-value",
                    child.offset,
                )?;
            } else {
                let state = State::read(reader, &child)?;
                set_once(
                    &mut value,
                    StateValue::Bare(state),
                    PARENT,
                    "leased-value",
                    child.offset,
                )?;
            }
        }
        Ok(Self {
            value: required(value, PARENT, "leased-value", elem.offset)?,
            view_id,
        })
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        writer::start(out, "r:state");
        match &self.value {
            StateValue::Bare(state) => state.encode(out),
            StateValue::Leased(leased) => {
                writer::start(out, "r:leased-value");
                writer::start(out, "r:value");
                leased.value.encode(out);
                writer::end(out, "r:value");
                writer::start(out, "r:default-value");
                leased.default_value.encode(out);
                writer::end(out, "r:default-value");
                writer::text_element(out, "d:timeout", &leased.timeout_secs.to_string());
                writer::end(out, "r:leased-value");
            }
        }
        if let Some(view_id) = &self.view_id {
            writer::text_element(out, "r:view-id", view_id);
        }
        writer::end(out, "r:state");
    }
}

fn read_leased(reader: &mut Reader<'_>, elem: &Elem<'_>) -> Result<LeasedValue, XmlError> {
    const PARENT: &str = "leased-value";
    let (mut value, mut default_value, mut timeout) = (None, None, None);
    while let Some(child) = reader.child(PARENT)? {
        if reader.is(&child, Ns::Rvp, "value") {
            let state = State::read_single(reader, "value", child.offset)?;
            set_once(&mut value, state, PARENT, "value", child.offset)?;
        } else if reader.is(&child, Ns::Rvp, "default-value") {
            let state = State::read_single(reader, "default-value", child.offset)?;
            set_once(
                &mut default_value,
                state,
                PARENT,
                "default-value",
                child.offset,
            )?;
        } else if reader.is(&child, Ns::Dav, "timeout") {
            let secs = reader.number(&child, "timeout")?;
            set_once(&mut timeout, secs, PARENT, "timeout", child.offset)?;
        } else {
            return Err(Reader::unexpected(PARENT, &child));
        }
    }
    Ok(LeasedValue {
        value: required(value, PARENT, "value", elem.offset)?,
        default_value: required(default_value, PARENT, "default-value", elem.offset)?,
        timeout_secs: required(timeout, PARENT, "timeout", elem.offset)?,
    })
}
