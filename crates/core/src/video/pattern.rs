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
//!
//! [`Painter::paint_with`] films the pattern through a [`Look`] (what the
//! camera controls do: exposure, colour, sharpness, zoom, pan, tilt), then
//! paints the bands and the code on top, untouched by the look. A neutral look
//! takes the incremental path above; another look renders the picture row by
//! row through lookup tables, and a paint with the same look as the buffer's
//! last one re-renders only the rows that show the box, plus the changed cells.

use std::ops::Range;

use crate::frame::{PixelFormat, VideoBuffer, MAX_DIMENSION};
use crate::video::code::{
    band_span, code_bit, code_word, slot_edge, slot_of_bit, CODE_BITS, LUMA_ONE, LUMA_ZERO, SLOTS,
};
use crate::video::look::{Lens, Look};

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
#[derive(Debug, Clone, Copy, PartialEq)]
struct Painted {
    width: u32,
    height: u32,
    code: u64,
    box_at: Option<(u32, u32)>,
    look: Look,
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
        self.paint_with(buf, state, sequence, &Look::neutral());
    }

    /// [`Painter::paint`] as a camera with controls set to `look` films it: the
    /// pattern changed by the look, the bands and the sequence code on top
    /// unchanged (see [`crate::video::Look`]). Allocates nothing.
    pub fn paint_with(
        &self,
        buf: &mut VideoBuffer,
        state: &mut PaintState,
        sequence: u64,
        look: &Look,
    ) {
        if self.bars_y.is_empty() || !buf.is(PixelFormat::I420, self.width, self.height) {
            *state = PaintState::default();
            return;
        }
        let now = Painted {
            width: self.width,
            height: self.height,
            code: code_word(sequence),
            box_at: self.box_position(sequence),
            look: *look,
        };
        let before = state.painted.filter(|before| {
            before.width == now.width && before.height == now.height && before.look == now.look
        });
        let mut planes = Planes::of(buf);
        if look.is_neutral() {
            match before {
                Some(before) => {
                    if before.box_at != now.box_at {
                        if let Some(at) = before.box_at {
                            self.restore_background(&mut planes, self.box_rect(at));
                        }
                        self.draw_box(&mut planes, now.box_at);
                    }
                    self.draw_changed_cells(&mut planes, before.code, now.code);
                }
                None => self.draw_all(&mut planes, now),
            }
        } else {
            let lens = look.lens(self.width, self.height);
            match before {
                Some(before) => self.redraw_through(&mut planes, &lens, before, now),
                None => self.render_all(&mut planes, &lens, now),
            }
        }
        state.painted = Some(now);
    }

    /// Flips the cells whose bits differ between two codes.
    fn draw_changed_cells(&self, planes: &mut Planes<'_>, before: u64, now: u64) {
        let changed = before ^ now;
        for bit in (0..CODE_BITS).filter(|&bit| code_bit(changed, bit)) {
            self.draw_cell(planes, bit, code_bit(now, bit));
        }
    }

    /// Renders the whole picture through `lens`, row by row.
    fn render_all(&self, planes: &mut Planes<'_>, lens: &Lens, now: Painted) {
        for y in 0..self.height {
            self.render_luma_row(planes, lens, now, y);
        }
        for cy in 0..self.height.div_ceil(2) {
            self.render_chroma_row(planes, lens, now, cy);
        }
    }

    /// Brings a buffer painted through the same `lens` from `before` to `now`:
    /// re-renders the rows that show the scene rows the box left or entered,
    /// then flips the changed cells.
    fn redraw_through(&self, planes: &mut Planes<'_>, lens: &Lens, before: Painted, now: Painted) {
        if before.box_at != now.box_at {
            let rows = |at: Option<(u32, u32)>| at.map_or(0..0, |(_, y)| y..y + self.box_side);
            let (gone, come) = (rows(before.box_at), rows(now.box_at));
            let dirty = |scene_row: u32| gone.contains(&scene_row) || come.contains(&scene_row);
            for (y, scene_row) in (0..self.height).zip(lens.y.walk(0, 1, self.height as usize)) {
                if dirty(scene_row) && !self.across_rows.contains(&y) {
                    self.render_luma_row(planes, lens, now, y);
                }
            }
            let chroma_rows = self.height.div_ceil(2);
            for (cy, scene_row) in (0..chroma_rows).zip(lens.y.walk(0, 2, chroma_rows as usize)) {
                if dirty(scene_row) {
                    self.render_chroma_row(planes, lens, now, cy);
                }
            }
        }
        self.draw_changed_cells(planes, before.code, now.code);
    }

    /// Renders luma row `y`: the scene through the lens, then the bands and
    /// cells of `now`'s code on top.
    fn render_luma_row(&self, planes: &mut Planes<'_>, lens: &Lens, now: Painted, y: u32) {
        let w = self.width;
        if self.across_rows.contains(&y) {
            planes.fill_luma(y..y + 1, 0..w, BAND_GREY);
            for bit in 0..CODE_BITS {
                let slot = slot_of_bit(bit);
                let along_x = slot_edge(slot, w)..slot_edge(slot + 1, w);
                let luma = if code_bit(now.code, bit) {
                    LUMA_ONE
                } else {
                    LUMA_ZERO
                };
                for cols in minus(along_x, &self.across_cols) {
                    planes.fill_luma(y..y + 1, cols, luma);
                }
            }
            return;
        }
        let scene_y = lens.y.at(y);
        let source = if scene_y >= self.ramp_from {
            &self.ramp_y
        } else {
            &self.bars_y
        };
        // The box's columns on this scene row, and its white inside.
        let (box_cols, white_cols) = match now.box_at {
            Some((bx, by)) if (by..by + self.box_side).contains(&scene_y) => {
                let (cols, rows) = self.box_rect((bx, by));
                let frame = (self.box_side / 8).max(1);
                let inner = |r: Range<u32>| r.start + frame..r.end.saturating_sub(frame);
                let white = if inner(rows).contains(&scene_y) {
                    inner(cols.clone())
                } else {
                    0..0
                };
                (cols, white)
            }
            _ => (0..0, 0..0),
        };
        if let Some(row) = row_span(planes.y, planes.width, y, &(0..w)) {
            for (px, scene_x) in row.iter_mut().zip(lens.x.walk(0, 1, w as usize)) {
                *px = if white_cols.contains(&scene_x) {
                    lens.box_luma[1]
                } else if box_cols.contains(&scene_x) {
                    lens.box_luma[0]
                } else {
                    lens.luma[usize::from(source[scene_x as usize])]
                };
            }
            if lens.sharpen != 0 {
                filter_row(row, lens.sharpen);
            }
        }
        let luma = match bit_of_slot(slot_at(y, self.height)) {
            Some(bit) if code_bit(now.code, bit) => LUMA_ONE,
            Some(_) => LUMA_ZERO,
            None => BAND_GREY,
        };
        planes.fill_luma(y..y + 1, self.across_cols.clone(), luma);
    }

    /// Renders chroma row `cy`: each sample shows the scene at its top-left
    /// luma pixel through the lens; the bands stay neutral.
    fn render_chroma_row(&self, planes: &mut Planes<'_>, lens: &Lens, now: Painted, cy: u32) {
        let chroma_cols = 0..self.width.div_ceil(2);
        let luma_rows = cy * 2..cy * 2 + 2;
        if luma_rows.start < self.across_rows.end && self.across_rows.start < luma_rows.end {
            planes.fill_chroma_row(cy, chroma_cols, NEUTRAL);
            return;
        }
        let scene_y = lens.y.at(cy * 2);
        let in_box_rows = now
            .box_at
            .is_some_and(|(_, by)| (by..by + self.box_side).contains(&scene_y));
        let box_cols = match now.box_at {
            Some((bx, _)) if in_box_rows => bx..bx + self.box_side,
            _ => 0..0,
        };
        let grey = scene_y >= self.ramp_from;
        let (neutral_cb, neutral_cr) =
            (lens.cb[usize::from(NEUTRAL)], lens.cr[usize::from(NEUTRAL)]);
        if let (Some(us), Some(vs)) = (
            row_span(planes.u, planes.chroma_width, cy, &chroma_cols),
            row_span(planes.v, planes.chroma_width, cy, &chroma_cols),
        ) {
            let scene = lens.x.walk(0, 2, us.len());
            for ((u, v), scene_x) in us.iter_mut().zip(vs.iter_mut()).zip(scene) {
                if grey || box_cols.contains(&scene_x) {
                    (*u, *v) = (neutral_cb, neutral_cr);
                } else {
                    let c = scene_x as usize / 2;
                    *u = lens.cb[usize::from(self.bars_u[c])];
                    *v = lens.cr[usize::from(self.bars_v[c])];
                }
            }
        }
        let band = self.across_cols.start / 2..self.across_cols.end.div_ceil(2);
        planes.fill_chroma_row(cy, band, NEUTRAL);
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

/// The slot (0..SLOTS) of a band `length` pixels long that pixel `at` lies in.
fn slot_at(at: u32, length: u32) -> u32 {
    let mut slot = (u64::from(at) * u64::from(SLOTS) / u64::from(length.max(1))) as u32;
    while slot + 1 < SLOTS && slot_edge(slot + 1, length) <= at {
        slot += 1;
    }
    slot
}

/// The code bit slot `slot` carries (none for the two middle slots).
fn bit_of_slot(slot: u32) -> Option<u32> {
    let (half, skipped) = (CODE_BITS / 2, SLOTS - CODE_BITS);
    match slot {
        s if s < half => Some(s),
        s if s < half + skipped => None,
        s => Some(s - skipped),
    }
}

/// The edge filter of [`Look::sharpen`] over one luma row, in place:
/// `y + a * (y - (left + right) / 2)` with `a = amount / 256`, the row's ends
/// counting as their own neighbours.
fn filter_row(row: &mut [u8], amount: i32) {
    let mut left = match row.first() {
        Some(&first) => i32::from(first),
        None => return,
    };
    for i in 0..row.len() {
        let here = i32::from(row[i]);
        let right = row.get(i + 1).map_or(here, |&r| i32::from(r));
        let change = amount * (2 * here - left - right);
        let value = here + (change + 256 * change.signum()) / 512;
        row[i] = value.clamp(16, 235) as u8;
        left = here;
    }
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
    fn rendering_through_the_neutral_look_equals_the_plain_painting() {
        for (width, height) in [(640, 480), (161, 121), (35, 17), (4, 3), (1, 1)] {
            let painter = Painter::new(width, height);
            let lens = Look::neutral().lens(width, height);
            for sequence in [0, 9, 123_456] {
                let now = Painted {
                    width,
                    height,
                    code: code_word(sequence),
                    box_at: painter.box_position(sequence),
                    look: Look::neutral(),
                };
                let mut plain = VideoBuffer::new(PixelFormat::I420, width, height).expect("buffer");
                let mut rendered = plain.clone();
                painter.draw_all(&mut Planes::of(&mut plain), now);
                painter.render_all(&mut Planes::of(&mut rendered), &lens, now);
                assert!(
                    plain.bytes() == rendered.bytes(),
                    "{width}x{height} #{sequence}"
                );
            }
        }
    }

    #[test]
    fn slots_are_found_where_their_edges_say() {
        for length in [1, 17, 42, 43, 120, 1080, 1081] {
            for at in 0..length {
                let slot = slot_at(at, length);
                assert!(
                    slot_edge(slot, length) <= at && at < slot_edge(slot + 1, length),
                    "{at} of {length}: slot {slot}"
                );
            }
        }
        let bits: Vec<u32> = (0..SLOTS).filter_map(bit_of_slot).collect();
        assert_eq!(bits, (0..CODE_BITS).collect::<Vec<_>>());
        assert!((0..CODE_BITS).all(|bit| bit_of_slot(slot_of_bit(bit)) == Some(bit)));
    }

    #[test]
    fn the_edge_filter_sharpens_and_softens_a_step() {
        let step = [50u8, 50, 50, 150, 150, 150];
        let mut sharp = step;
        filter_row(&mut sharp, 256);
        assert_eq!(
            sharp,
            [50, 50, 16, 200, 150, 150],
            "overshoot, clamped to black"
        );
        let mut soft = step;
        filter_row(&mut soft, -171);
        assert_eq!(soft, [50, 50, 83, 117, 150, 150], "a 3-tap box blur");
        let mut tiny = [100u8];
        filter_row(&mut tiny, 256);
        filter_row(&mut [], 256);
        assert_eq!(tiny, [100]);
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
