//! Closed intervals of numbers: the ranges a candidate's numeric properties take
//! in SelectSettings, in the size search and in `OverconstrainedError` messages.

/// A closed interval of numbers; `lo == hi` is a single value, `lo > hi` is empty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lowest value.
    pub lo: f64,
    /// Highest value.
    pub hi: f64,
}

impl Interval {
    /// The interval `lo..=hi`.
    pub const fn new(lo: f64, hi: f64) -> Self {
        Interval { lo, hi }
    }

    /// The single value `v`.
    pub const fn point(v: f64) -> Self {
        Interval { lo: v, hi: v }
    }

    /// Whether no number lies in it (also when a bound is NaN).
    pub fn is_empty(&self) -> bool {
        self.lo.is_nan() || self.hi.is_nan() || self.lo > self.hi
    }

    /// Whether `v` lies in it.
    pub fn contains(&self, v: f64) -> bool {
        self.lo <= v && v <= self.hi
    }

    /// The values in both.
    pub fn intersect(self, other: Interval) -> Interval {
        Interval::new(self.lo.max(other.lo), self.hi.min(other.hi))
    }

    /// The value in the (non-empty) interval closest to `v`; `lo` for NaN.
    pub(super) fn clamp(self, v: f64) -> f64 {
        v.max(self.lo).min(self.hi)
    }

    /// The integer in the (non-empty, integer-bounded) interval closest to `v`.
    pub(super) fn clamp_integer(self, v: f64) -> f64 {
        self.clamp(v.round())
    }

    /// The integers in it, as an interval with integer bounds.
    pub(super) fn snap_integers(self) -> Interval {
        Interval::new(self.lo.ceil(), self.hi.floor())
    }
}
