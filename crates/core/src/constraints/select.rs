//! The specification's SelectSettings algorithm and its fitness distance, over candidate
//! settings described as *spaces*: a device in one discrete configuration, whose numeric
//! properties may range over intervals (a fake camera renders any size up to 3840x2160;
//! crop-and-scale gives any size below the native one).
//!
//! 1. The basic set's required parts (`exact`, `min`, `max`) narrow every space; a space left
//!    empty is dropped. If none is left, the error names the first property, in [`Prop::ALL`]
//!    order, after which no space survived.
//! 2. Each `advanced` set in order narrows the survivors the same way, unless that would leave
//!    none: then the set is skipped.
//! 3. Each surviving space yields its point closest to the basic set's ideals (else the
//!    device's defaults), width, height and aspect ratio chosen together.
//! 4. The point with the smallest fitness distance to the basic set wins; ties go to the
//!    earliest space.
//!
//! Width and height are integers, so a required `aspectRatio` needs a whole-pixel size of that
//! ratio; finding one is a bounded search (see `size.rs`), and the searches made while checking
//! advanced sets share a budget so that a long list of sets stays cheap.

use std::collections::BTreeMap;

use super::interval::Interval;
use super::parse::{Constraint, ConstraintSet, NumConstraint, TrackConstraints};
use super::report::{unsatisfiable, Offer};
use super::size::{choose_size, relative, SearchBudget, SizeWish};
use crate::error::{Error, Result};
use crate::property::{Prop, PropType};

/// Relative tolerance when comparing doubles (`frameRate`, `aspectRatio`, `latency`) with
/// `exact`, `min` and `max`: `aspectRatio: {exact: 1.7777777}` accepts 16/9.
pub const DOUBLE_TOLERANCE: f64 = 1e-6;

/// The total steps of aspect-ratio searches allowed while checking advanced sets (a few
/// milliseconds); sets checked after it runs out are skipped when they need a search.
const ADVANCED_SEARCH_BUDGET: u64 = 1 << 22;

/// The largest WebIDL `unsigned long`.
const ULONG_MAX: f64 = 4_294_967_295.0;

/// A region of settings dictionaries: one device in one discrete configuration (native size
/// or crop-and-scale, pixel format, ...). Spaces are given in order of preference (default
/// device first, native configurations first): ties go to the earliest.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Space {
    /// Numeric properties (width, height, frameRate, sampleRate, channelCount, sampleSize,
    /// latency) and the values they can take; a single value is a degenerate interval.
    /// `aspectRatio` is derived from width and height and ignored here.
    pub nums: BTreeMap<Prop, Interval>,
    /// String properties (deviceId, groupId, facingMode when known, resizeMode, pixelFormat,
    /// sampleFormat).
    pub strs: BTreeMap<Prop, String>,
    /// Boolean properties (echoCancellation, autoGainControl, noiseSuppression,
    /// voiceIsolation). For `pan`,
    /// `tilt` and `zoom`, whether the device has the control (what `pan: true` asks for).
    pub bools: BTreeMap<Prop, bool>,
    /// String properties with several possible values (a camera's `exposureMode` may be
    /// `manual` or `continuous`): the current value first, chosen when nothing is asked.
    pub choices: BTreeMap<Prop, Vec<String>>,
    /// Boolean properties with several possible values (`torch`), the current value first.
    pub flags: BTreeMap<Prop, Vec<bool>>,
    /// The step of numeric properties that take only values `lo + k * step` of their interval
    /// (camera controls); ideals and defaults are rounded to the nearest such value.
    pub steps: BTreeMap<Prop, f64>,
    /// The value chosen for a numeric property when the constraints have no ideal for it
    /// (width 640, height 480, frameRate 30, sampleRate 48000, ...); without one, the
    /// interval's low end.
    pub defaults: BTreeMap<Prop, f64>,
}

/// One chosen settings dictionary: a value for every property of the chosen space, and
/// `aspectRatio` (width / height) for video.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Chosen {
    /// Numeric settings; integers for `ULong` properties.
    pub nums: BTreeMap<Prop, f64>,
    /// String settings.
    pub strs: BTreeMap<Prop, String>,
    /// Boolean settings.
    pub bools: BTreeMap<Prop, bool>,
}

/// SelectSettings: the index of the chosen space and the settings chosen in it.
///
/// Errors: `OverconstrainedError` naming the first required constraint of the basic set that
/// no space can meet; `NotFoundError` when `spaces` is empty; `InternalError` when every space
/// is malformed (an empty interval).
pub fn select_settings(spaces: &[Space], c: &TrackConstraints) -> Result<(usize, Chosen)> {
    if spaces.is_empty() {
        return Err(Error::NotFound(format!(
            "no {} device to choose settings from",
            c.kind
        )));
    }
    let basic = &c.basic;
    let mut regions: Vec<Region> = spaces
        .iter()
        .enumerate()
        .filter_map(|(index, space)| Region::new(index, space))
        .filter(|r| r.pick(basic, &SearchBudget::unlimited()).is_some())
        .collect();
    if regions.is_empty() {
        return Err(Error::Internal(format!(
            "none of the {} candidate {} configurations has a usable range",
            spaces.len(),
            c.kind
        )));
    }

    // Step 1: the basic set's required constraints, one property at a time for naming.
    for (prop, constraint) in basic.iter().filter(|(_, c)| c.is_required()) {
        let narrowed = narrow_all(&regions, basic, &SearchBudget::unlimited(), |r| {
            r.narrowed(*prop, constraint)
        });
        if narrowed.is_empty() {
            let offers: Vec<Offer> = regions.iter().filter_map(|r| r.offer(*prop)).collect();
            return Err(unsatisfiable(*prop, constraint, &offers));
        }
        regions = narrowed;
    }

    // Step 2: advanced sets in order; one that no space can meet is skipped.
    let budget = SearchBudget::new(ADVANCED_SEARCH_BUDGET);
    for set in c
        .advanced
        .iter()
        .filter(|s| s.iter().any(|(_, c)| c.is_required()))
    {
        let narrowed = narrow_all(&regions, basic, &budget, |r| r.narrowed_by_set(set));
        if !narrowed.is_empty() {
            regions = narrowed;
        }
    }

    // Steps 3 and 4: the best point of each space, then the smallest fitness distance.
    let mut best: Option<(f64, usize, Chosen)> = None;
    for region in &regions {
        let Some(point) = region.pick(basic, &SearchBudget::unlimited()) else {
            continue;
        };
        let distance = fitness_distance(&point, basic);
        if best
            .as_ref()
            .is_none_or(|(best_distance, _, _)| distance < *best_distance)
        {
            best = Some((distance, region.index, point));
        }
    }
    match best {
        Some((distance, index, point)) if distance.is_finite() => Ok((index, point)),
        _ => Err(Error::Internal(
            "the selected settings do not satisfy the required constraints".into(),
        )),
    }
}

/// The narrowed regions that still hold a point.
fn narrow_all<'a>(
    regions: &[Region<'a>],
    basic: &ConstraintSet,
    budget: &SearchBudget,
    narrow: impl Fn(&Region<'a>) -> Option<Region<'a>>,
) -> Vec<Region<'a>> {
    regions
        .iter()
        .filter_map(narrow)
        .filter(|r| r.pick(basic, budget).is_some())
        .collect()
}

/// The specification's fitness distance between a settings dictionary and a constraint set:
/// the sum over the set's constraints of
/// - positive infinity when a required part (`exact`, `min`, `max`) is not met, or the
///   settings lack the property;
/// - 1 when the settings lack the property (and nothing is required);
/// - 0 without an ideal;
/// - for a numeric ideal, `|actual - ideal| / max(|actual|, |ideal|)` (0 when equal);
/// - for a string or boolean ideal, 0 when the actual value is among the ideal values, else 1.
pub fn fitness_distance(settings: &Chosen, set: &ConstraintSet) -> f64 {
    set.iter()
        .map(|(prop, c)| constraint_distance(settings, *prop, c))
        .sum()
}

fn constraint_distance(settings: &Chosen, prop: Prop, c: &Constraint) -> f64 {
    let missing = if c.is_required() { f64::INFINITY } else { 1.0 };
    match c {
        Constraint::Num(n) => {
            let Some(&actual) = settings.nums.get(&prop) else {
                return missing;
            };
            if c.is_required() && !required_bounds(prop, n).tolerant.contains(actual) {
                return f64::INFINITY;
            }
            n.ideal.map_or(0.0, |ideal| relative(actual, ideal))
        }
        Constraint::Str(s) => {
            let Some(actual) = settings.strs.get(&prop) else {
                return missing;
            };
            if s.exact
                .as_ref()
                .is_some_and(|exact| !exact.contains(actual))
            {
                return f64::INFINITY;
            }
            s.ideal
                .as_ref()
                .map_or(0.0, |ideal| if ideal.contains(actual) { 0.0 } else { 1.0 })
        }
        Constraint::Bool(b) => {
            let Some(&actual) = settings.bools.get(&prop) else {
                return missing;
            };
            if b.exact.is_some_and(|exact| exact != actual) {
                return f64::INFINITY;
            }
            b.ideal
                .map_or(0.0, |ideal| if ideal == actual { 0.0 } else { 1.0 })
        }
    }
}

/// The values a numeric constraint's required part admits.
struct Bounds {
    /// As asked: `[max(min, exact), min(max, exact)]`.
    nominal: Interval,
    /// Widened by [`DOUBLE_TOLERANCE`] for doubles; the same as `nominal` for integers.
    tolerant: Interval,
}

fn required_bounds(prop: Prop, n: &NumConstraint) -> Bounds {
    let mut lo = n.min.unwrap_or(f64::NEG_INFINITY);
    let mut hi = n.max.unwrap_or(f64::INFINITY);
    if let Some(exact) = n.exact {
        lo = lo.max(exact);
        hi = hi.min(exact);
    }
    let nominal = Interval::new(lo, hi);
    let tolerant = match prop.prop_type() {
        PropType::Double => Interval::new(
            lo - lo.abs() * DOUBLE_TOLERANCE,
            hi + hi.abs() * DOUBLE_TOLERANCE,
        ),
        _ => nominal,
    };
    Bounds { nominal, tolerant }
}

/// The value `base + k * step` nearest to `value` inside `range`; `value` itself when no such
/// value lies in the range (an `exact` between two steps: the device rounds it).
fn on_grid(value: f64, range: Interval, base: f64, step: f64) -> f64 {
    if step <= 0.0 || !step.is_finite() {
        return value;
    }
    let eps = step * 1e-9;
    let k = ((value - base) / step).round();
    [k, k - 1.0, k + 1.0]
        .into_iter()
        .map(|k| base + k * step)
        .filter(|v| *v >= range.lo - eps && *v <= range.hi + eps)
        .min_by(|a, b| (a - value).abs().total_cmp(&(b - value).abs()))
        .map_or(value, |v| v.clamp(range.lo, range.hi))
}

/// One space narrowed by required constraints.
#[derive(Debug, Clone)]
struct Region<'a> {
    /// Index of the space in the caller's slice.
    index: usize,
    space: &'a Space,
    /// The space's numeric intervals, narrowed (integer-bounded for `ULong` properties).
    nums: BTreeMap<Prop, Interval>,
    /// The required width/height ratio, when one is required.
    aspect: Option<Interval>,
    /// The space's `choices`, narrowed.
    choices: BTreeMap<Prop, Vec<String>>,
    /// The space's `flags`, narrowed.
    flags: BTreeMap<Prop, Vec<bool>>,
}

impl<'a> Region<'a> {
    /// The whole space; `None` when one of its intervals is empty.
    fn new(index: usize, space: &'a Space) -> Option<Self> {
        let mut nums = BTreeMap::new();
        for (&prop, &range) in space.nums.iter().filter(|(p, _)| **p != Prop::AspectRatio) {
            let range = match prop.prop_type() {
                PropType::ULong => range
                    .intersect(Interval::new(0.0, ULONG_MAX))
                    .snap_integers(),
                _ => range,
            };
            if range.is_empty() {
                return None;
            }
            nums.insert(prop, range);
        }
        Some(Region {
            index,
            space,
            nums,
            aspect: None,
            choices: space.choices.clone(),
            flags: space.flags.clone(),
        })
    }

    /// The region narrowed by the required part of one constraint; `None` when it eliminates
    /// the region (a required constraint on a property the space lacks does).
    fn narrowed(&self, prop: Prop, c: &Constraint) -> Option<Region<'a>> {
        let mut region = self.clone();
        match c {
            Constraint::Num(n) if c.is_required() => {
                let bounds = required_bounds(prop, n);
                if prop == Prop::AspectRatio {
                    if !(self.nums.contains_key(&Prop::Width)
                        && self.nums.contains_key(&Prop::Height))
                    {
                        return None;
                    }
                    let aspect = self
                        .aspect
                        .map_or(bounds.tolerant, |a| a.intersect(bounds.tolerant));
                    if aspect.is_empty() {
                        return None;
                    }
                    region.aspect = Some(aspect);
                } else {
                    let range = *self.nums.get(&prop)?;
                    // Prefer the values as asked; the tolerance only admits near misses.
                    let exact = range.intersect(bounds.nominal);
                    let range = if exact.is_empty() {
                        range.intersect(bounds.tolerant)
                    } else {
                        exact
                    };
                    if range.is_empty() {
                        return None;
                    }
                    region.nums.insert(prop, range);
                }
            }
            Constraint::Str(s) => {
                if let (Some(exact), Some(choices)) = (&s.exact, self.choices.get(&prop)) {
                    let left: Vec<String> = choices
                        .iter()
                        .filter(|v| exact.contains(v))
                        .cloned()
                        .collect();
                    if left.is_empty() {
                        return None;
                    }
                    region.choices.insert(prop, left);
                } else if let Some(exact) = &s.exact {
                    let actual = self.space.strs.get(&prop)?;
                    if !exact.contains(actual) {
                        return None;
                    }
                }
            }
            Constraint::Bool(b) => {
                if let (Some(exact), Some(flags)) = (b.exact, self.flags.get(&prop)) {
                    if !flags.contains(&exact) {
                        return None;
                    }
                    region.flags.insert(prop, vec![exact]);
                } else if let Some(exact) = b.exact {
                    if *self.space.bools.get(&prop)? != exact {
                        return None;
                    }
                }
            }
            Constraint::Num(_) => {}
        }
        Some(region)
    }

    /// The region narrowed by every required constraint of a set.
    fn narrowed_by_set(&self, set: &ConstraintSet) -> Option<Region<'a>> {
        set.iter()
            .try_fold(self.clone(), |region, (prop, c)| region.narrowed(*prop, c))
    }

    /// The point of the region closest to the basic set's ideals, else to the space's
    /// defaults; `None` when the region holds no point (no integer size of the required ratio).
    fn pick(&self, basic: &ConstraintSet, budget: &SearchBudget) -> Option<Chosen> {
        let ideal = |prop: Prop| match basic.get(prop) {
            Some(Constraint::Num(n)) => n.ideal,
            _ => None,
        };
        let default = |prop: Prop| self.space.defaults.get(&prop).copied();
        let mut nums = BTreeMap::new();
        for (&prop, &range) in &self.nums {
            let target = ideal(prop).or_else(|| default(prop)).unwrap_or(range.lo);
            let value = match prop.prop_type() {
                PropType::ULong => range.clamp_integer(target),
                _ => range.clamp(target),
            };
            let value = match self.space.steps.get(&prop) {
                Some(&step) => on_grid(value, range, self.space.nums[&prop].lo, step),
                None => value,
            };
            nums.insert(prop, value);
        }
        if let (Some(&width), Some(&height)) =
            (self.nums.get(&Prop::Width), self.nums.get(&Prop::Height))
        {
            let wish = SizeWish {
                width: ideal(Prop::Width),
                height: ideal(Prop::Height),
                aspect: ideal(Prop::AspectRatio),
                default_width: default(Prop::Width),
                default_height: default(Prop::Height),
            };
            let (w, h) = choose_size(width, height, self.aspect, &wish, budget)?;
            nums.insert(Prop::Width, w);
            nums.insert(Prop::Height, h);
            if h > 0.0 {
                nums.insert(Prop::AspectRatio, w / h);
            }
        } else if self.aspect.is_some() {
            return None;
        }
        let mut strs = self.space.strs.clone();
        for (&prop, choices) in &self.choices {
            let wanted = match basic.get(prop) {
                Some(Constraint::Str(s)) => s.ideal.as_ref(),
                _ => None,
            };
            let value = wanted
                .and_then(|ideal| choices.iter().find(|v| ideal.contains(v)))
                .or(choices.first());
            if let Some(v) = value {
                strs.insert(prop, v.clone());
            }
        }
        let mut bools = self.space.bools.clone();
        for (&prop, flags) in &self.flags {
            let wanted = match basic.get(prop) {
                Some(Constraint::Bool(b)) => b.ideal,
                _ => None,
            };
            let value = wanted
                .filter(|w| flags.contains(w))
                .or(flags.first().copied());
            if let Some(v) = value {
                bools.insert(prop, v);
            }
        }
        Some(Chosen { nums, strs, bools })
    }

    /// What the region offers for a property, for error messages.
    fn offer(&self, prop: Prop) -> Option<Offer> {
        if let Some(choices) = self.choices.get(&prop) {
            return Some(Offer::Text(choices.join(", ")));
        }
        match prop.prop_type() {
            PropType::Str => self.space.strs.get(&prop).map(|s| Offer::Text(s.clone())),
            PropType::Bool => self.space.bools.get(&prop).map(|b| Offer::Flag(*b)),
            _ if prop == Prop::AspectRatio => {
                let at_least_one = Interval::new(1.0, f64::INFINITY);
                let w = self.nums.get(&Prop::Width)?.intersect(at_least_one);
                let h = self.nums.get(&Prop::Height)?.intersect(at_least_one);
                let ratios = Interval::new(w.lo / h.hi, w.hi / h.lo);
                let ratios = self.aspect.map_or(ratios, |a| a.intersect(ratios));
                Some(Offer::Range(ratios)).filter(|_| !ratios.is_empty())
            }
            _ => self.nums.get(&prop).map(|r| Offer::Range(*r)),
        }
    }
}
