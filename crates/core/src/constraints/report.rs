//! `OverconstrainedError` messages that say what was asked and what the devices offer:
//! `width: no device can deliver min 100000000 (available 1..3840)`.

use super::interval::Interval;
use super::parse::Constraint;
use crate::error::Error;
use crate::property::Prop;

/// At most this many values are listed in a message (asked or available).
const MAX_LISTED: usize = 8;

/// At most this many characters of one string are quoted in a message.
const MAX_QUOTED_CHARS: usize = 64;

/// What one candidate offers for the property that could not be met.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Offer {
    /// A numeric range (a single value when degenerate).
    Range(Interval),
    /// A string value.
    Text(String),
    /// A boolean value.
    Flag(bool),
}

/// The `OverconstrainedError` for a required constraint that no candidate can meet, given what
/// the candidates left at that point offer for the property.
pub(super) fn unsatisfiable(prop: Prop, c: &Constraint, offers: &[Offer]) -> Error {
    let asked = asked(prop, c);
    if let Constraint::Num(n) = c {
        let lo = n
            .min
            .into_iter()
            .chain(n.exact)
            .fold(f64::NEG_INFINITY, f64::max);
        let hi = n
            .max
            .into_iter()
            .chain(n.exact)
            .fold(f64::INFINITY, f64::min);
        if lo > hi {
            return Error::overconstrained(prop.name(), format!("no value can satisfy {asked}"));
        }
    }
    if let Constraint::Str(s) = c {
        if s.exact.as_ref().is_some_and(|e| e.is_empty()) {
            return Error::overconstrained(prop.name(), "no value can be in an empty exact list");
        }
    }
    let why = match available(prop, offers) {
        Some(available) => format!("no device can deliver {asked} (available {available})"),
        None => format!("no device can deliver {asked} (no device reports {prop})"),
    };
    Error::overconstrained(prop.name(), why)
}

/// The required part of a constraint: `min 100 and max 200`, `exact "nope"`, `exact true`.
fn asked(prop: Prop, c: &Constraint) -> String {
    match c {
        Constraint::Num(n) => [("exact", n.exact), ("min", n.min), ("max", n.max)]
            .into_iter()
            .filter_map(|(name, v)| v.map(|v| format!("{name} {}", number(v))))
            .collect::<Vec<_>>()
            .join(" and "),
        Constraint::Str(s) => match s.exact.as_deref().unwrap_or_default() {
            [] => "exact []".into(),
            [one] => format!("exact {}", shown(prop, one)),
            many => format!("exact one of {}", list(many.iter().map(|s| shown(prop, s)))),
        },
        Constraint::Bool(b) => b.exact.map_or_else(String::new, |b| format!("exact {b}")),
    }
}

/// The distinct offers, listed: `1..3840`, `640, 1280`, `"user", "environment"`.
fn available(prop: Prop, offers: &[Offer]) -> Option<String> {
    let mut ranges: Vec<Interval> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    for offer in offers {
        match offer {
            Offer::Range(r) => ranges.push(*r),
            Offer::Text(s) => texts.push(shown(prop, s)),
            Offer::Flag(b) => texts.push(b.to_string()),
        }
    }
    ranges.sort_by(|a, b| a.lo.total_cmp(&b.lo).then(a.hi.total_cmp(&b.hi)));
    ranges.dedup();
    texts.sort();
    texts.dedup();
    let ranges = ranges.into_iter().map(|r| {
        if r.lo == r.hi {
            number(r.lo)
        } else {
            format!("{}..{}", number(r.lo), number(r.hi))
        }
    });
    let all: Vec<String> = ranges.chain(texts).collect();
    (!all.is_empty()).then(|| list(all.into_iter()))
}

/// Comma-separated, at most [`MAX_LISTED`] items.
fn list(items: impl Iterator<Item = String>) -> String {
    let mut items: Vec<String> = items.collect();
    if items.len() > MAX_LISTED {
        items.truncate(MAX_LISTED);
        items.push("...".into());
    }
    items.join(", ")
}

/// A string value of `prop` as it reads in JSON: quoted, but for `echoCancellation`'s
/// boolean tokens (`true`, `false`).
fn shown(prop: Prop, s: &str) -> String {
    match s {
        "true" | "false" if prop == Prop::EchoCancellation => s.to_string(),
        _ => quote(s),
    }
}

/// A string as JSON, cut to [`MAX_QUOTED_CHARS`] characters.
fn quote(s: &str) -> String {
    let cut: String = s.chars().take(MAX_QUOTED_CHARS).collect();
    let quoted = serde_json::Value::String(cut).to_string();
    if s.chars().nth(MAX_QUOTED_CHARS).is_some() {
        format!("{quoted}...")
    } else {
        quoted
    }
}

/// A number for people: integers in full, others with up to 6 decimals, huge ones in
/// scientific notation.
fn number(v: f64) -> String {
    if !v.is_finite() || v.abs() >= 1e15 || (v != 0.0 && v.abs() < 1e-6) {
        format!("{v:e}")
    } else if v.fract() == 0.0 {
        format!("{v}")
    } else {
        let fixed = format!("{v:.6}");
        fixed
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}
