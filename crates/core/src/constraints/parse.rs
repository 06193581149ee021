//! `MediaStreamConstraints` JSON into typed constraints.
//!
//! The JSON form is the specification's dictionary, the same in every language:
//! `{"audio": true, "video": {"width": {"ideal": 1280}, "advanced": [{"frameRate": 60}]}}`.
//! Values are converted as WebIDL converts them before the algorithm runs: `ConstrainULong`
//! members are `[Clamp] unsigned long`, so `{"max": -1}` is 0, values above 4294967295 are
//! 4294967295 and fractions round to the nearest integer (ties to even); `ConstrainDouble`
//! members are `double` (any finite number); `echoCancellation` also takes the strings of
//! `EchoCancellationModeEnum` (`"all"`, `"remote-only"`). Unlike WebIDL, the JSON form is
//! strict about types: a value of the wrong JSON type (`"640"` for a width, `null`, `1` for a
//! boolean) is a `TypeError` naming the property, never a silent `ToNumber` / `ToBoolean`.
//! As Chromium does, a string of a `ConstrainDOMString` longer than
//! [`MAX_CONSTRAINT_STRING_LEN`] UTF-16 code units, or a list of more than
//! [`MAX_CONSTRAINT_STRING_SEQ_LEN`] strings, is a `TypeError` ("Constraint string too long.",
//! "Constraint string sequence too long.").

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::kind::MediaKind;
use crate::property::{Prop, PropType};

/// The longest constraints text accepted by [`MediaStreamConstraints::parse`] (1 MiB).
pub const MAX_CONSTRAINTS_LEN: usize = 1 << 20;

/// The largest `unsigned long` (WebIDL), the upper bound of `width`, `sampleRate`, ...
const ULONG_MAX: f64 = 4_294_967_295.0;

/// The longest string accepted in a `ConstrainDOMString` (`deviceId`, `groupId`, `facingMode`,
/// ...), in UTF-16 code units: Chromium's `kMaxConstraintStringLength`. Longer is a `TypeError`
/// "Constraint string too long.", in an `ideal` or `exact`, bare or in a list, basic or advanced.
pub const MAX_CONSTRAINT_STRING_LEN: usize = 500;

/// The most strings accepted in one list of a `ConstrainDOMString`: Chromium's
/// `kMaxConstraintStringSeqLength`. More is a `TypeError` "Constraint string sequence too long.".
pub const MAX_CONSTRAINT_STRING_SEQ_LEN: usize = 100;

/// The `EchoCancellationModeEnum` values `echoCancellation` takes besides `true` and `false`.
/// `echoCancellation` is a [`Constraint::Str`] of tokens: `"true"`, `"false"` (for the
/// booleans) and these (see [`crate::audio::EchoCancellation::token`]).
pub const ECHO_CANCELLATION_MODES: [&str; 2] = ["all", "remote-only"];

/// The argument of `getUserMedia()`: what to capture, one entry per kind.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaStreamConstraints {
    /// The microphone request; `None` when audio is absent or `false`.
    pub audio: Option<TrackConstraints>,
    /// The camera request; `None` when video is absent or `false`.
    pub video: Option<TrackConstraints>,
}

/// Parses constraints JSON text into a value: text over [`MAX_CONSTRAINTS_LEN`] bytes,
/// invalid JSON and nesting deeper than the parser's recursion limit are `TypeError`s.
pub fn parse_json(json: &str) -> Result<Value> {
    if json.len() > MAX_CONSTRAINTS_LEN {
        return Err(Error::Type(format!(
            "constraints are {} bytes long; the limit is {MAX_CONSTRAINTS_LEN} bytes (1 MiB)",
            json.len()
        )));
    }
    serde_json::from_str(json)
        .map_err(|e| Error::Type(format!("constraints are not valid JSON: {e}")))
}

impl MediaStreamConstraints {
    /// Parses the JSON text form. Text over [`MAX_CONSTRAINTS_LEN`] bytes, invalid JSON (or
    /// nesting deeper than the JSON parser's recursion limit) and everything
    /// [`MediaStreamConstraints::from_value`] rejects are `TypeError`s.
    pub fn parse(json: &str) -> Result<Self> {
        Self::from_value(&parse_json(json)?)
    }

    /// Converts a JSON value: an object whose `audio` and `video` members are each absent,
    /// `false`, `true` or an object of track constraints, at least one of them requested.
    /// Other members are ignored.
    pub fn from_value(v: &Value) -> Result<Self> {
        let Value::Object(members) = v else {
            return Err(Error::Type(format!(
                "constraints must be an object such as {{\"video\": true}}, got {}",
                describe_type(v)
            )));
        };
        let audio = kind_request(members, MediaKind::Audio)?;
        let video = kind_request(members, MediaKind::Video)?;
        if audio.is_none() && video.is_none() {
            return Err(Error::Type(
                "no media kind requested: at least one of audio and video must be true or an \
                 object"
                    .into(),
            ));
        }
        Ok(MediaStreamConstraints { audio, video })
    }
}

/// The `audio` or `video` member of `MediaStreamConstraints`.
fn kind_request(members: &Map<String, Value>, kind: MediaKind) -> Result<Option<TrackConstraints>> {
    match members.get(kind.as_str()) {
        None | Some(Value::Bool(false)) => Ok(None),
        Some(Value::Bool(true)) => Ok(Some(TrackConstraints::empty(kind))),
        Some(v @ Value::Object(_)) => TrackConstraints::from_value(v, kind)
            .map(Some)
            .map_err(|e| Error::Type(format!("{kind}.{}", e.message()))),
        Some(other) => Err(Error::Type(format!(
            "{kind}: expected true, false or an object of constraints, got {}",
            describe_type(other)
        ))),
    }
}

/// The constraints of one track (`MediaTrackConstraints`): a basic set and advanced sets.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackConstraints {
    /// The kind the constraints are for; properties of the other kind are dropped.
    pub kind: MediaKind,
    /// The basic set: bare values mean `ideal`.
    pub basic: ConstraintSet,
    /// The `advanced` sets in order: bare values mean `exact`; an `ideal` is kept but never
    /// filters.
    pub advanced: Vec<ConstraintSet>,
    /// The JSON as given (`{}` for `true`), which `getConstraints()` returns.
    pub raw: Value,
}

impl TrackConstraints {
    /// Converts a `MediaTrackConstraints` object (the argument of `applyConstraints()`, or the
    /// `audio` / `video` member of `getUserMedia()` constraints when it is an object). Anything
    /// but an object is a `TypeError`: mapping `true` to [`TrackConstraints::empty`] is the
    /// caller's business.
    pub fn from_value(v: &Value, kind: MediaKind) -> Result<Self> {
        let Value::Object(members) = v else {
            return Err(Error::Type(format!(
                "expected an object of constraints, got {}",
                describe_type(v)
            )));
        };
        let basic = ConstraintSet::from_members(members, kind, Bare::Ideal, "")?;
        let advanced = match members.get("advanced") {
            None => Vec::new(),
            Some(Value::Array(sets)) => sets
                .iter()
                .enumerate()
                .map(|(i, set)| {
                    let path = format!("advanced[{i}].");
                    match set {
                        Value::Object(m) => {
                            ConstraintSet::from_members(m, kind, Bare::Exact, &path)
                        }
                        other => Err(Error::Type(format!(
                            "advanced[{i}]: expected an object of constraints, got {}",
                            describe_type(other)
                        ))),
                    }
                })
                .collect::<Result<_>>()?,
            Some(other) => {
                return Err(Error::Type(format!(
                    "advanced: expected an array of constraint sets, got {}",
                    describe_type(other)
                )))
            }
        };
        Ok(TrackConstraints {
            kind,
            basic,
            advanced,
            raw: v.clone(),
        })
    }

    /// The argument of `applyConstraints()` (or what `getConstraints()` gave):
    /// absent or `true` is no constraints, an object is converted, anything else is a `TypeError`.
    pub fn of_track(v: &Value, kind: MediaKind) -> Result<Self> {
        match v {
            Value::Bool(true) | Value::Null => Ok(TrackConstraints::empty(kind)),
            other => TrackConstraints::from_value(other, kind),
        }
    }

    /// No constraints at all (`video: true`): `raw` is `{}`.
    pub fn empty(kind: MediaKind) -> Self {
        TrackConstraints {
            kind,
            basic: ConstraintSet::default(),
            advanced: Vec::new(),
            raw: Value::Object(Map::new()),
        }
    }
}

/// One constraint set (`MediaTrackConstraintSet`): the constraints on properties that apply
/// to the track's kind, in [`Prop::ALL`] order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConstraintSet {
    entries: Vec<(Prop, Constraint)>,
}

impl ConstraintSet {
    /// The constraint on `p`, if the set has one.
    pub fn get(&self, p: Prop) -> Option<&Constraint> {
        self.entries.iter().find(|(q, _)| *q == p).map(|(_, c)| c)
    }

    /// The constraints in [`Prop::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = &(Prop, Constraint)> {
        self.entries.iter()
    }

    /// Whether the set constrains nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Reads the known members of one set object; `path` prefixes error messages.
    fn from_members(
        members: &Map<String, Value>,
        kind: MediaKind,
        bare: Bare,
        path: &str,
    ) -> Result<Self> {
        let mut entries = Vec::new();
        for prop in Prop::ALL {
            let Some(v) = members.get(prop.name()) else {
                continue;
            };
            // Checked whatever the kind, kept only where it applies (CONFORMANCE 3).
            let constraint = Constraint::from_value(v, prop, bare, path)?;
            if prop.applies_to(kind) {
                entries.push((prop, constraint));
            }
        }
        Ok(ConstraintSet { entries })
    }
}

/// What a bare value (`"width": 640`) means: `ideal` in the basic set, `exact` in advanced sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bare {
    Ideal,
    Exact,
}

/// The constraint on one property, typed by [`Prop::prop_type`].
#[derive(Debug, Clone, PartialEq)]
pub enum Constraint {
    /// `ConstrainULong` or `ConstrainDouble`.
    Num(NumConstraint),
    /// `ConstrainDOMString`.
    Str(StrConstraint),
    /// `ConstrainBoolean`.
    Bool(BoolConstraint),
}

/// A numeric constraint. `ULong` values are already integers (clamped and rounded as WebIDL's
/// `[Clamp] unsigned long`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NumConstraint {
    /// Required: the value must be this.
    pub exact: Option<f64>,
    /// Required: the value must be at least this.
    pub min: Option<f64>,
    /// Required: the value must be at most this.
    pub max: Option<f64>,
    /// Preferred value.
    pub ideal: Option<f64>,
}

/// A string constraint: each field is a list of acceptable values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StrConstraint {
    /// Required: the value must be one of these.
    pub exact: Option<Vec<String>>,
    /// Preferred: one of these.
    pub ideal: Option<Vec<String>>,
}

/// A boolean constraint.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BoolConstraint {
    /// Required value.
    pub exact: Option<bool>,
    /// Preferred value.
    pub ideal: Option<bool>,
}

impl Constraint {
    /// Whether the constraint has a required part (`exact`, `min` or `max`).
    pub fn is_required(&self) -> bool {
        match self {
            Constraint::Num(n) => n.exact.is_some() || n.min.is_some() || n.max.is_some(),
            Constraint::Str(s) => s.exact.is_some(),
            Constraint::Bool(b) => b.exact.is_some(),
        }
    }

    fn from_value(v: &Value, prop: Prop, bare: Bare, path: &str) -> Result<Self> {
        let at = |field: &str| format!("{path}{}{field}", prop.name());
        if prop == Prop::EchoCancellation {
            return echo_cancellation(v, bare, &at(""));
        }
        if let (true, Value::Bool(b)) = (prop.accepts_bool(), v) {
            // `pan: true` asks for a camera that has the control (Image Capture).
            let b = Some(*b);
            return Ok(Constraint::Bool(match bare {
                Bare::Ideal => BoolConstraint {
                    ideal: b,
                    exact: None,
                },
                Bare::Exact => BoolConstraint {
                    exact: b,
                    ideal: None,
                },
            }));
        }
        match prop.prop_type() {
            ty @ (PropType::ULong | PropType::Double) => {
                let num = |v: &Value, field: &str| number(v, ty, &at(field));
                let c = match v {
                    Value::Number(_) => {
                        let n = Some(num(v, "")?);
                        match bare {
                            Bare::Ideal => NumConstraint {
                                ideal: n,
                                ..Default::default()
                            },
                            Bare::Exact => NumConstraint {
                                exact: n,
                                ..Default::default()
                            },
                        }
                    }
                    Value::Object(m) => {
                        let field = |name: &str| {
                            m.get(name).map(|v| num(v, &format!(".{name}"))).transpose()
                        };
                        NumConstraint {
                            exact: field("exact")?,
                            min: field("min")?,
                            max: field("max")?,
                            ideal: field("ideal")?,
                        }
                    }
                    other => {
                        return Err(Error::Type(format!(
                            "{}: expected a number or an object with exact, ideal, min or max, \
                             got {}",
                            at(""),
                            describe_type(other)
                        )))
                    }
                };
                Ok(Constraint::Num(c))
            }
            PropType::Str => {
                let c = match v {
                    Value::String(_) | Value::Array(_) => {
                        let list = Some(strings(v, &at(""))?);
                        match bare {
                            Bare::Ideal => StrConstraint {
                                ideal: list,
                                exact: None,
                            },
                            Bare::Exact => StrConstraint {
                                exact: list,
                                ideal: None,
                            },
                        }
                    }
                    Value::Object(m) => {
                        let field = |name: &str| {
                            m.get(name)
                                .map(|v| strings(v, &at(&format!(".{name}"))))
                                .transpose()
                        };
                        StrConstraint {
                            exact: field("exact")?,
                            ideal: field("ideal")?,
                        }
                    }
                    other => {
                        return Err(Error::Type(format!(
                            "{}: expected a string, an array of strings or an object with exact \
                             or ideal, got {}",
                            at(""),
                            describe_type(other)
                        )))
                    }
                };
                Ok(Constraint::Str(c))
            }
            PropType::Bool => {
                let c = match v {
                    Value::Bool(b) => match bare {
                        Bare::Ideal => BoolConstraint {
                            ideal: Some(*b),
                            exact: None,
                        },
                        Bare::Exact => BoolConstraint {
                            exact: Some(*b),
                            ideal: None,
                        },
                    },
                    Value::Object(m) => {
                        let field = |name: &str| {
                            m.get(name)
                                .map(|v| boolean(v, &at(&format!(".{name}"))))
                                .transpose()
                        };
                        BoolConstraint {
                            exact: field("exact")?,
                            ideal: field("ideal")?,
                        }
                    }
                    other => {
                        return Err(Error::Type(format!(
                            "{}: expected true, false or an object with exact or ideal, got {}",
                            at(""),
                            describe_type(other)
                        )));
                    }
                };
                Ok(Constraint::Bool(c))
            }
        }
    }
}

/// `echoCancellation` (`ConstrainBooleanOrDOMString` with `EchoCancellationModeEnum`
/// strings): a string constraint over the tokens `"true"`, `"false"`, `"all"`,
/// `"remote-only"`, so that the four values select as four distinct settings.
fn echo_cancellation(v: &Value, bare: Bare, at: &str) -> Result<Constraint> {
    let c = match v {
        Value::Bool(_) | Value::String(_) => {
            let token = Some(vec![echo_token(v, at)?]);
            match bare {
                Bare::Ideal => StrConstraint {
                    ideal: token,
                    exact: None,
                },
                Bare::Exact => StrConstraint {
                    exact: token,
                    ideal: None,
                },
            }
        }
        Value::Object(m) => {
            let field = |name: &str| {
                m.get(name)
                    .map(|v| echo_token(v, &format!("{at}.{name}")).map(|t| vec![t]))
                    .transpose()
            };
            StrConstraint {
                exact: field("exact")?,
                ideal: field("ideal")?,
            }
        }
        other => {
            return Err(Error::Type(format!(
                "{at}: expected true, false, \"all\", \"remote-only\" or an object with exact \
                 or ideal, got {}",
                describe_type(other)
            )))
        }
    };
    Ok(Constraint::Str(c))
}

/// One `echoCancellation` value as its token.
fn echo_token(v: &Value, at: &str) -> Result<String> {
    match v {
        Value::Bool(b) => Ok(b.to_string()),
        Value::String(s) if ECHO_CANCELLATION_MODES.contains(&s.as_str()) => Ok(s.clone()),
        Value::String(s) => Err(Error::Type(format!(
            "{at}: {} is not a valid value (expected true, false, \"all\" or \"remote-only\")",
            quoted(s)
        ))),
        other => Err(Error::Type(format!(
            "{at}: expected true, false, \"all\" or \"remote-only\", got {}",
            describe_type(other)
        ))),
    }
}

/// A number for a `ULong` (`[Clamp] unsigned long`: NaN is 0, clamped to 0..=4294967295 and
/// rounded to the nearest integer, ties to even) or a `Double` (`double`: finite).
fn number(v: &Value, ty: PropType, at: &str) -> Result<f64> {
    let Value::Number(n) = v else {
        return Err(Error::Type(format!(
            "{at}: expected a number, got {}",
            describe_type(v)
        )));
    };
    // JSON numbers are finite; one too large for an f64 has no value here at all.
    let x = n.as_f64().ok_or_else(|| {
        Error::Type(format!(
            "{at}: {n} is not a valid value (expected a number)"
        ))
    })?;
    match ty {
        PropType::ULong => Ok(clamp_ulong(x)),
        _ if x.is_finite() => Ok(x),
        _ => Err(Error::Type(format!(
            "{at}: {n} is not a valid value (expected a finite number)"
        ))),
    }
}

/// WebIDL's conversion of a number to `[Clamp] unsigned long`: NaN is +0; otherwise clamped to
/// 0..=4294967295 and rounded to the nearest integer, the even one when halfway, never -0.
pub fn clamp_ulong(x: f64) -> f64 {
    if x.is_nan() {
        return 0.0;
    }
    x.clamp(0.0, ULONG_MAX).round_ties_even() + 0.0
}

/// A string or an array of strings, as a list: strings longer than
/// [`MAX_CONSTRAINT_STRING_LEN`] UTF-16 code units and lists longer than
/// [`MAX_CONSTRAINT_STRING_SEQ_LEN`] are `TypeError`s, as in Chromium.
fn strings(v: &Value, at: &str) -> Result<Vec<String>> {
    match v {
        Value::String(s) => Ok(vec![checked_len(s, at)?.to_string()]),
        Value::Array(items) => {
            if items.len() > MAX_CONSTRAINT_STRING_SEQ_LEN {
                return Err(Error::Type(format!(
                    "{at}: Constraint string sequence too long. ({} strings; the limit is \
                     {MAX_CONSTRAINT_STRING_SEQ_LEN})",
                    items.len()
                )));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::String(s) => Ok(checked_len(s, &format!("{at}[{i}]"))?.to_string()),
                    other => Err(Error::Type(format!(
                        "{at}[{i}]: expected a string, got {}",
                        describe_type(other)
                    ))),
                })
                .collect()
        }
        other => Err(Error::Type(format!(
            "{at}: expected a string or an array of strings, got {}",
            describe_type(other)
        ))),
    }
}

/// `s` if it is at most [`MAX_CONSTRAINT_STRING_LEN`] UTF-16 code units long.
fn checked_len<'a>(s: &'a str, at: &str) -> Result<&'a str> {
    // UTF-16 length >= number of chars, <= bytes: count only when the bytes exceed it.
    if s.len() > MAX_CONSTRAINT_STRING_LEN {
        let units = s.encode_utf16().count();
        if units > MAX_CONSTRAINT_STRING_LEN {
            return Err(Error::Type(format!(
                "{at}: Constraint string too long. ({units} UTF-16 code units; the limit is \
                 {MAX_CONSTRAINT_STRING_LEN})"
            )));
        }
    }
    Ok(s)
}

/// A boolean.
fn boolean(v: &Value, at: &str) -> Result<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        other => Err(Error::Type(format!(
            "{at}: expected true or false, got {}",
            describe_type(other)
        ))),
    }
}

/// A string value for a message: quoted, cut to 40 characters.
fn quoted(s: &str) -> String {
    const SHOWN: usize = 40;
    if s.chars().count() <= SHOWN {
        serde_json::to_string(s).unwrap_or_default()
    } else {
        let head: String = s.chars().take(SHOWN).collect();
        format!("{}...", serde_json::to_string(&head).unwrap_or_default())
    }
}

/// `"a number"`, `"an array"`, ...: the JSON type of a value, for messages (never the value
/// itself, which may be large).
fn describe_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
