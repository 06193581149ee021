//! Choosing width and height together: the picture size closest to what was asked that stays
//! inside the allowed width and height ranges and, when an `aspectRatio` is required, has a
//! width/height ratio inside the required interval (as integers: `16:9` is `1280x720`, never
//! `1000x562.5`).

use std::cell::Cell;

use super::interval::Interval;

/// How many rows (or columns) the search for an integer size of a required aspect ratio looks
/// at, on each side of the target, before it gives up. Ratios with a simple fraction (16/9,
/// 4/3, 1.7777777) are found within a few steps; the bound only matters for odd ratios on huge
/// ranges, and keeps the work per candidate bounded.
const MAX_SEARCH_STEPS: u64 = 1 << 16;

/// A bound on the total number of steps of aspect-ratio searches, shared by many searches (the
/// checks of every advanced set): a long list of sets with odd ratios stays cheap. A search
/// that runs out finds nothing, as if no size fitted.
#[derive(Debug)]
pub(super) struct SearchBudget {
    steps_left: Cell<u64>,
}

impl SearchBudget {
    /// A budget of `steps` search steps.
    pub fn new(steps: u64) -> Self {
        SearchBudget {
            steps_left: Cell::new(steps),
        }
    }

    /// No bound beyond [`MAX_SEARCH_STEPS`] per search.
    pub fn unlimited() -> Self {
        SearchBudget::new(u64::MAX)
    }

    /// Takes one step; `false` when none is left.
    fn spend(&self) -> bool {
        let left = self.steps_left.get();
        self.steps_left.set(left.saturating_sub(1));
        left > 0
    }
}

/// Which side the caller cares about most: the other is derived from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    Width,
    Height,
}

/// What the size should be close to: the basic set's ideals, else the device's defaults.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct SizeWish {
    /// `width.ideal`.
    pub width: Option<f64>,
    /// `height.ideal`.
    pub height: Option<f64>,
    /// `aspectRatio.ideal`.
    pub aspect: Option<f64>,
    /// The device's default width.
    pub default_width: Option<f64>,
    /// The device's default height.
    pub default_height: Option<f64>,
}

/// One side of the picture: the integers it may take, the value wanted, and whether that
/// value was asked for (an ideal) rather than derived.
#[derive(Debug, Clone, Copy)]
struct Side {
    range: Interval,
    target: f64,
    asked: bool,
}

/// The target size.
#[derive(Debug, Clone, Copy)]
struct Target {
    width: Side,
    height: Side,
    /// The width/height ratio to keep when one side must move.
    ratio: Option<f64>,
    anchor: Anchor,
}

impl Target {
    /// Resolves ideals and defaults into one target size: a lone width ideal derives the
    /// height through the ideal ratio (`aspectRatio.ideal`, else the ratio of the width and
    /// height ideals, else of the defaults), and vice versa; with no ideal, the default size.
    fn new(wish: &SizeWish, width: Interval, height: Interval) -> Target {
        let positive = |x: f64| x.is_finite() && x > 0.0;
        let ratio_of = |w: Option<f64>, h: Option<f64>| Some(w? / h?).filter(|r| positive(*r));
        let ratio = wish
            .aspect
            .filter(|a| positive(*a))
            .or_else(|| ratio_of(wish.width, wish.height))
            .or_else(|| ratio_of(wish.default_width, wish.default_height));
        let default_width = || wish.default_width.unwrap_or(width.lo);
        let default_height = || wish.default_height.unwrap_or(height.lo);
        let (w, h, anchor) = match (wish.width, wish.height) {
            (Some(w), Some(h)) => (w, h, Anchor::Width),
            (Some(w), None) => (
                w,
                ratio.map_or_else(default_height, |r| w / r),
                Anchor::Width,
            ),
            (None, Some(h)) => (
                ratio.map_or_else(default_width, |r| h * r),
                h,
                Anchor::Height,
            ),
            (None, None) if wish.default_width.is_none() && wish.default_height.is_some() => {
                let h = default_height();
                (
                    ratio.map_or_else(default_width, |r| h * r),
                    h,
                    Anchor::Height,
                )
            }
            (None, None) => {
                let w = default_width();
                (
                    w,
                    ratio.map_or_else(default_height, |r| w / r),
                    Anchor::Width,
                )
            }
        };
        Target {
            width: Side {
                range: width,
                target: w,
                asked: wish.width.is_some(),
            },
            height: Side {
                range: height,
                target: h,
                asked: wish.height.is_some(),
            },
            ratio,
            anchor,
        }
    }

    /// The same target with width and height swapped (a portrait problem as a landscape one).
    fn transposed(&self) -> Target {
        Target {
            width: self.height,
            height: self.width,
            ratio: self.ratio.map(|r| 1.0 / r),
            anchor: match self.anchor {
                Anchor::Width => Anchor::Height,
                Anchor::Height => Anchor::Width,
            },
        }
    }
}

/// The integer size in `width` x `height` (both already snapped to integers) closest to `wish`,
/// with `width / height` inside `aspect` when given. `None` when no integer size fits.
pub(super) fn choose_size(
    width: Interval,
    height: Interval,
    aspect: Option<Interval>,
    wish: &SizeWish,
    budget: &SearchBudget,
) -> Option<(f64, f64)> {
    if width.is_empty() || height.is_empty() {
        return None;
    }
    let target = Target::new(wish, width, height);
    match aspect {
        None => Some(free_size(&target)),
        Some(aspect) => ratio_size(&target, aspect, budget),
    }
}

/// No ratio required: the anchor side as close to its target as its range allows, then the
/// other side through the ideal ratio (unless it was asked for itself); if that side hits its
/// range and the anchor was not asked for either, the anchor follows the ratio back.
fn free_size(t: &Target) -> (f64, f64) {
    if t.anchor == Anchor::Height {
        let (h, w) = free_size(&t.transposed());
        return (w, h);
    }
    let (lead, follow) = (t.width, t.height);
    let mut w = lead.range.clamp_integer(lead.target);
    let h = match t.ratio.filter(|_| !follow.asked) {
        None => follow.range.clamp_integer(follow.target),
        Some(r) => {
            let want = w / r;
            let h = follow.range.clamp_integer(want);
            if !lead.asked && (h - want).abs() > 0.5 {
                w = lead.range.clamp_integer(h * r);
            }
            h
        }
    };
    (w, h)
}

/// A ratio is required: the integer size whose ratio is inside `aspect`, nearest the target.
fn ratio_size(t: &Target, aspect: Interval, budget: &SearchBudget) -> Option<(f64, f64)> {
    let one_up = Interval::new(1.0, f64::INFINITY);
    let mut t = *t;
    t.width.range = t.width.range.intersect(one_up);
    t.height.range = t.height.range.intersect(one_up);
    let (w, h) = (t.width.range, t.height.range);
    // Finite and positive (sides are at least 1), so its inverse is too.
    let feasible = aspect.intersect(Interval::new(w.lo / h.hi, w.hi / h.lo));
    if feasible.is_empty() {
        return None;
    }
    let wanted = t.width.target / t.height.target;
    let ratio = if wanted.is_nan() {
        feasible.lo
    } else {
        feasible.clamp(wanted)
    };
    if ratio >= 1.0 {
        landscape_size(&t, feasible, ratio, budget, |w, h| aspect.contains(w / h))
    } else {
        let inverse = Interval::new(1.0 / feasible.hi, 1.0 / feasible.lo);
        landscape_size(&t.transposed(), inverse, 1.0 / ratio, budget, |h, w| {
            aspect.contains(w / h)
        })
        .map(|(h, w)| (w, h))
    }
}

/// [`ratio_size`] for ratios of at least about 1, `ratio` being the one wanted. `fits` is the
/// exact test of the caller's orientation.
///
/// Walks the height (the short side) outward from its target: for each height the admissible
/// widths form an interval whose length grows with the height, so a size turns up within a
/// few steps for ratios with a small denominator, and within [`MAX_SEARCH_STEPS`] otherwise
/// on any range of realistic size.
fn landscape_size(
    t: &Target,
    ratios: Interval,
    ratio: f64,
    budget: &SearchBudget,
    fits: impl Fn(f64, f64) -> bool,
) -> Option<(f64, f64)> {
    let (widths, heights) = (t.width.range, t.height.range);
    let (want_w, want_h) = match t.anchor {
        Anchor::Width => (t.width.target, t.width.target / ratio),
        Anchor::Height => (t.height.target * ratio, t.height.target),
    };
    let heights = heights
        .intersect(Interval::new(widths.lo / ratios.hi, widths.hi / ratios.lo))
        .snap_integers();
    if heights.is_empty() {
        return None;
    }
    // The width for one height: the admissible one nearest what is wanted.
    let width_for = |h: f64| -> Option<f64> {
        let admissible = widths
            .intersect(Interval::new(ratios.lo * h, ratios.hi * h))
            .snap_integers();
        if admissible.is_empty() {
            return None;
        }
        let want = match t.anchor {
            Anchor::Width => want_w,
            Anchor::Height => h * ratio,
        };
        let nearest = admissible.clamp_integer(want);
        [nearest, admissible.lo, admissible.hi]
            .into_iter()
            .find(|&w| fits(w, h))
    };
    let cost = |w: f64, h: f64| relative(w, want_w) + relative(h, want_h);
    let start = heights.clamp_integer(want_h);
    let mut best: Option<(f64, f64, f64)> = None;
    let mut found_at = None;
    for step in 0..=MAX_SEARCH_STEPS {
        // Once a size is found, look one step further on each side for a closer one.
        if found_at.is_some_and(|at| step > at + 1) {
            break;
        }
        let (up, down) = (start + step as f64, start - step as f64);
        if (up > heights.hi && down < heights.lo) || !budget.spend() {
            break;
        }
        let candidates = if step == 0 {
            [Some(start), None]
        } else {
            [Some(up), Some(down)]
        };
        for h in candidates
            .into_iter()
            .flatten()
            .filter(|h| heights.contains(*h))
        {
            let Some(w) = width_for(h) else { continue };
            let c = cost(w, h);
            if best.is_none_or(|(_, _, best_cost)| c < best_cost) {
                best = Some((w, h, c));
            }
            found_at.get_or_insert(step);
        }
    }
    best.map(|(w, h, _)| (w, h))
}

/// `|a - b| / max(|a|, |b|)`, 0 when equal: the fitness distance of one number.
pub(super) fn relative(actual: f64, ideal: f64) -> f64 {
    if actual == ideal {
        0.0
    } else {
        (actual - ideal).abs() / actual.abs().max(ideal.abs())
    }
}
