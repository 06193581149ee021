//! The fake camera's picture, painted incrementally into reused I420 buffers.
//!
//! The picture: 100% colour bars over the top two thirds and a grey ramp below
//! (a static background that makes colour conversion checkable), a black-framed
//! white box that moves with the sequence number inside the top-left quadrant,
//! and the sequence code (see [`crate::video::decode_sequence`]) painted as a
//! cross of two bands through the centre. The box never touches the bands.
//!
//! Painting is incremental: a [`PaintState`] remembers what a pooled buffer
//! already holds, so a paint only moves the box and flips the cells whose bits
//! changed (a few kilobytes at 1080p) instead of redrawing the frame.

use std::ops::Range;

use crate::frame::{PixelFormat, VideoBuffer, MAX_DIMENSION};
use crate::video::code::{
    band_span, code_bit, code_word, slot_edge, slot_of_bit, CODE_BITS, LUMA_ONE, LUMA_ZERO,
};

/// Neutral chroma (no colour), used under the bands and the box.
const NEUTRAL: u8 = 128;
/// Luma of the band parts that carry no bit (the middle slots, where the bands cross).
const BAND_GREY: u8 = 126;
/// The colour bars, left to right, as full-range RGB: white, yellow, cyan, green,
/// magenta, red, blue, black.
pub(crate) const BARS: [[u8; 3]; 8] = [
    [255, 255, 255],
    [255, 255, 0],
    [0, 255, 255],
    [0, 255, 0],
    [255, 0, 255],
    [255, 0, 0],
    [0, 0, 255],
    [0, 0, 0],
];

/// What a reused buffer already holds, so the next paint touches only what differs.
///
/// Keep one per pooled buffer and pass it with that buffer; a default state
/// (a new buffer) makes the next paint draw everything.
#[derive(Debug, Default, Clone)]
pub struct PaintState {
    painted: Option<Painted>,
}

/// A picture fully painted into a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Painted {
    width: u32,
    height: u32,
    code: u64,
    box_at: Option<(u32, u32)>,
}

/// Paints the fake camera's picture at one size.
#[derive(Debug, Clone)]
pub struct Painter {
    width: u32,
    height: u32,
    /// Rows of the horizontal band, columns of the vertical band.
    across_rows: Range<u32>,
    across_cols: Range<u32>,
    /// First luma row of the grey ramp (the bars are above it).
    ramp_from: u32,
    /// Side of the moving box (even), and how many even positions it has in x and y.
    box_side: u32,
    box_steps: (u32, u32),
    /// One row of each background: bars luma, bars U, bars V, ramp luma.
    bars_y: Vec<u8>,
    bars_u: Vec<u8>,
    bars_v: Vec<u8>,
    ramp_y: Vec<u8>,
}

impl Painter {
    /// A painter for `width` x `height` pictures. Sizes outside
    /// 1..=[`MAX_DIMENSION`] give a painter that paints nothing.
    pub fn new(width: u32, height: u32) -> Painter {
        let valid = (1..=MAX_DIMENSION).contains(&width) && (1..=MAX_DIMENSION).contains(&height);
        let (w, h) = if valid { (width, height) } else { (0, 0) };
        let (row_start, row_end) = band_span(h);
        let (col_start, col_end) = band_span(w);
        // The box lives left of and above the bands with a 2-pixel gap, on even
        // coordinates so its chroma never shares a sample with a band's.
        let box_side = even(w.min(h) / 12).max(2);
        let room_x = even(col_start).saturating_sub(2);
        let room_y = even(row_start).saturating_sub(2);
        let box_steps = if room_x >= box_side && room_y >= box_side && w >= 16 && h >= 16 {
            ((room_x - box_side) / 2 + 1, (room_y - box_side) / 2 + 1)
        } else {
            (0, 0)
        };
        let bar_at = |x: u32| BARS[(u64::from(x) * 8 / u64::from(w.max(1))) as usize % 8];
        let chroma: Vec<[u8; 3]> = (0..w.div_ceil(2)).map(|cx| yuv(bar_at(cx * 2))).collect();
        Painter {
            width,
            height,
            across_rows: row_start..row_end,
            across_cols: col_start..col_end,
            ramp_from: h * 2 / 3,
            box_side,
            box_steps,
            bars_y: (0..w).map(|x| yuv(bar_at(x))[0]).collect(),
            bars_u: chroma.iter().map(|c| c[1]).collect(),
            bars_v: chroma.iter().map(|c| c[2]).collect(),
            ramp_y: (0..w)
                .map(|x| (16 + u64::from(x) * 219 / u64::from(w.saturating_sub(1).max(1))) as u8)
                .collect(),
        }
    }

    /// Paint frame `sequence` into an I420 buffer of the painter's size (the first
    /// paint of a buffer, state default, draws everything).
    ///
    /// `state` must be the one kept with this buffer; it is updated to say what
    /// the buffer now holds. A buffer of another format or size is left untouched
    /// and its state reset.
    pub fn paint(&self, buf: &mut VideoBuffer, state: &mut PaintState, sequence: u64) {
        if self.bars_y.is_empty() || !buf.is(PixelFormat::I420, self.width, self.height) {
            *state = PaintState::default();
            return;
        }
        let now = Painted {
            width: self.width,
            height: self.height,
            code: code_word(sequence),
            box_at: self.box_position(sequence),
        };
        let mut planes = Planes::of(buf);
        match state.painted {
            Some(before) if before.width == now.width && before.height == now.height => {
                if before.box_at != now.box_at {
                    if let Some(at) = before.box_at {
                        self.restore_background(&mut planes, self.box_rect(at));
                    }
                    self.draw_box(&mut planes, now.box_at);
                }
                let changed = before.code ^ now.code;
                for bit in (0..CODE_BITS).filter(|&bit| code_bit(changed, bit)) {
                    self.draw_cell(&mut planes, bit, code_bit(now.code, bit));
                }
            }
            _ => self.draw_all(&mut planes, now),
        }
        state.painted = Some(now);
    }

    /// Draws the whole picture: background, bands, cells, box.
    fn draw_all(&self, planes: &mut Planes<'_>, now: Painted) {
        self.restore_background(planes, (0..self.width, 0..self.height));
        let (w, h) = (self.width, self.height);
        for (rows, cols) in [
            (self.across_rows.clone(), 0..w),
            (0..h, self.across_cols.clone()),
        ] {
            planes.fill_luma(rows.clone(), cols.clone(), BAND_GREY);
            planes.fill_chroma(rows, cols, NEUTRAL);
        }
        for bit in 0..CODE_BITS {
            self.draw_cell(planes, bit, code_bit(now.code, bit));
        }
        self.draw_box(planes, now.box_at);
    }

    /// Paints code bit `bit` as a black or white cell in both bands, leaving
    /// alone where the other band crosses (so the order of painting never matters).
    fn draw_cell(&self, planes: &mut Planes<'_>, bit: u32, one: bool) {
        let luma = if one { LUMA_ONE } else { LUMA_ZERO };
        let slot = slot_of_bit(bit);
        let along_x = slot_edge(slot, self.width)..slot_edge(slot + 1, self.width);
        for cols in minus(along_x, &self.across_cols) {
            planes.fill_luma(self.across_rows.clone(), cols, luma);
        }
        let along_y = slot_edge(slot, self.height)..slot_edge(slot + 1, self.height);
        for rows in minus(along_y, &self.across_rows) {
            planes.fill_luma(rows, self.across_cols.clone(), luma);
        }
    }

    /// Where the box's top-left corner is for `sequence`: it bounces around the
    /// top-left quadrant, 3 steps of 2 pixels across and 2 down per frame.
    fn box_position(&self, sequence: u64) -> Option<(u32, u32)> {
        let (steps_x, steps_y) = self.box_steps;
        if steps_x == 0 || steps_y == 0 {
            return None;
        }
        Some((
            2 * bounce(sequence, 3, steps_x),
            2 * bounce(sequence, 2, steps_y),
        ))
    }

    fn box_rect(&self, (x, y): (u32, u32)) -> (Range<u32>, Range<u32>) {
        (x..x + self.box_side, y..y + self.box_side)
    }

    /// Draws the box (black frame, white inside, neutral chroma) at `at`.
    fn draw_box(&self, planes: &mut Planes<'_>, at: Option<(u32, u32)>) {
        let Some(at) = at else { return };
        let (cols, rows) = self.box_rect(at);
        planes.fill_luma(rows.clone(), cols.clone(), LUMA_ZERO);
        planes.fill_chroma(rows.clone(), cols.clone(), NEUTRAL);
        let frame = (self.box_side / 8).max(1);
        let inner = |r: Range<u32>| r.start + frame..r.end.saturating_sub(frame);
        planes.fill_luma(inner(rows), inner(cols), LUMA_ONE);
    }

    /// Puts the background back over `cols` x `rows` (luma, and the chroma
    /// samples of those pixels), one row slice at a time.
    fn restore_background(&self, planes: &mut Planes<'_>, (cols, rows): (Range<u32>, Range<u32>)) {
        for y in rows.clone() {
            let source = if y >= self.ramp_from {
                &self.ramp_y
            } else {
                &self.bars_y
            };
            planes.copy_luma_row(y, cols.clone(), source);
        }
        let chroma_cols = cols.start / 2..cols.end.div_ceil(2);
        for cy in rows.start / 2..rows.end.div_ceil(2) {
            if cy * 2 >= self.ramp_from {
                planes.fill_chroma_row(cy, chroma_cols.clone(), NEUTRAL);
            } else {
                planes.copy_chroma_row(cy, chroma_cols.clone(), &self.bars_u, &self.bars_v);
            }
        }
    }
}

/// The three planes of an I420 picture, with bounds-clamped rectangle writes.
struct Planes<'a> {
    y: &'a mut [u8],
    u: &'a mut [u8],
    v: &'a mut [u8],
    width: usize,
    chroma_width: usize,
}

impl<'a> Planes<'a> {
    fn of(buf: &'a mut VideoBuffer) -> Planes<'a> {
        let width = buf.stride(0);
        let chroma_width = buf.stride(1);
        let [y, u, v, _] = buf.planes_mut();
        Planes {
            y,
            u,
            v,
            width,
            chroma_width,
        }
    }

    fn fill_luma(&mut self, rows: Range<u32>, cols: Range<u32>, value: u8) {
        for y in rows {
            if let Some(px) = row_span(self.y, self.width, y, &cols) {
                px.fill(value);
            }
        }
    }

    fn copy_luma_row(&mut self, y: u32, cols: Range<u32>, source: &[u8]) {
        if let (Some(px), Some(from)) =
            (row_span(self.y, self.width, y, &cols), span(source, &cols))
        {
            if px.len() == from.len() {
                px.copy_from_slice(from);
            }
        }
    }

    /// Fills the chroma samples covering luma `rows` x `cols`.
    fn fill_chroma(&mut self, rows: Range<u32>, cols: Range<u32>, value: u8) {
        let chroma_cols = cols.start / 2..cols.end.div_ceil(2);
        for cy in rows.start / 2..rows.end.div_ceil(2) {
            self.fill_chroma_row(cy, chroma_cols.clone(), value);
        }
    }

    fn fill_chroma_row(&mut self, cy: u32, cols: Range<u32>, value: u8) {
        for plane in [&mut *self.u, &mut *self.v] {
            if let Some(px) = row_span(plane, self.chroma_width, cy, &cols) {
                px.fill(value);
            }
        }
    }

    fn copy_chroma_row(&mut self, cy: u32, cols: Range<u32>, from_u: &[u8], from_v: &[u8]) {
        for (plane, source) in [(&mut *self.u, from_u), (&mut *self.v, from_v)] {
            if let (Some(px), Some(from)) = (
                row_span(plane, self.chroma_width, cy, &cols),
                span(source, &cols),
            ) {
                if px.len() == from.len() {
                    px.copy_from_slice(from);
                }
            }
        }
    }
}

/// Columns `cols` of row `row` of a plane `stride` bytes wide, clamped to the row.
fn row_span<'p>(
    plane: &'p mut [u8],
    stride: usize,
    row: u32,
    cols: &Range<u32>,
) -> Option<&'p mut [u8]> {
    let line = plane.get_mut(row as usize * stride..)?.get_mut(..stride)?;
    let end = (cols.end as usize).min(stride);
    line.get_mut((cols.start as usize).min(end)..end)
}

/// Elements `cols` of a background row, clamped to it.
fn span<'s>(row: &'s [u8], cols: &Range<u32>) -> Option<&'s [u8]> {
    let end = (cols.end as usize).min(row.len());
    row.get((cols.start as usize).min(end)..end)
}

/// `range` without the part inside `hole`: up to two pieces.
fn minus(range: Range<u32>, hole: &Range<u32>) -> [Range<u32>; 2] {
    let before = range.start..range.end.min(hole.start);
    let after = range.start.max(hole.end)..range.end;
    [before, after]
}

/// A position that bounces between 0 and `steps - 1`, moving `speed` per frame.
fn bounce(sequence: u64, speed: u64, steps: u32) -> u32 {
    if steps <= 1 {
        return 0;
    }
    let period = 2 * u64::from(steps - 1);
    let phase = (sequence % period) * speed % period;
    let step = if phase < u64::from(steps) {
        phase
    } else {
        period - phase
    };
    step as u32
}

/// `value` rounded down to an even number.
fn even(value: u32) -> u32 {
    value & !1
}

/// BT.601 limited-range Y, U, V of a full-range RGB colour.
pub(crate) fn yuv([r, g, b]: [u8; 3]) -> [u8; 3] {
    let (r, g, b) = (i32::from(r), i32::from(g), i32::from(b));
    let y = ((66 * r + 129 * g + 25 * b + 128) >> 8) + 16;
    let u = ((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128;
    let v = ((112 * r - 94 * g - 18 * b + 128) >> 8) + 128;
    [y, u, v].map(|c| c.clamp(0, 255) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_box_bounces_back_instead_of_wrapping() {
        let path: Vec<u32> = (0..8).map(|s| bounce(s, 1, 4)).collect();
        assert_eq!(path, [0, 1, 2, 3, 2, 1, 0, 1]);
        assert_eq!(bounce(u64::MAX, 3, 1), 0);
    }

    #[test]
    fn removing_a_hole_leaves_the_pieces_either_side() {
        assert_eq!(minus(0..10, &(4..6)), [0..4, 6..10]);
        assert!(minus(0..3, &(4..6)).iter().map(|r| r.len()).sum::<usize>() == 3);
        assert!(minus(4..6, &(0..10)).iter().all(|r| r.is_empty()));
    }

    #[test]
    fn bar_colours_are_the_standard_bt601_limited_values() {
        assert_eq!(yuv([255, 255, 255]), [235, 128, 128]);
        assert_eq!(yuv([0, 0, 0]), [16, 128, 128]);
        assert_eq!(yuv([255, 255, 0]), [210, 16, 146]);
        assert_eq!(yuv([0, 0, 255]), [41, 240, 110]);
    }

    #[test]
    fn the_box_stays_clear_of_both_bands() {
        let painter = Painter::new(1920, 1080);
        for sequence in 0..2000 {
            let (cols, rows) = painter.box_rect(painter.box_position(sequence).expect("room"));
            assert!(
                cols.end + 2 <= painter.across_cols.start,
                "sequence {sequence}"
            );
            assert!(
                rows.end + 2 <= painter.across_rows.start,
                "sequence {sequence}"
            );
        }
    }
}
