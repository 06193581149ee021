//! The sequence code the fake camera paints, and reading it back.
//!
//! A code is 40 bits: the low 32 bits of the sequence number (most significant
//! first) followed by their CRC-8 (AUTOSAR). It is painted twice, as a cross:
//! along a horizontal band through the vertical centre spanning the full width,
//! and along a vertical band through the horizontal centre spanning the full
//! height. Each band is cut into [`SLOTS`] equal slots along its length; the two
//! middle slots are left grey (the other band crosses there) and the other 40
//! each carry one bit as a black or white cell, in luma only.
//!
//! A centred crop to any aspect ratio keeps one of the two bands whole, with its
//! slots at the same relative positions, so [`decode_sequence`] tries both.

use crate::frame::VideoBuffer;
use crate::video::luma::luma_at;

/// Slots along each band: 40 code bits plus the 2 middle slots where the bands cross.
pub(crate) const SLOTS: u32 = 42;
/// Bits in a code: 32 of sequence number, 8 of checksum.
pub(crate) const CODE_BITS: u32 = 40;
/// Luma of a cell holding a 1 (BT.601 limited-range white).
pub(crate) const LUMA_ONE: u8 = 235;
/// Luma of a cell holding a 0 (BT.601 limited-range black).
pub(crate) const LUMA_ZERO: u8 = 16;
/// Band thickness as a fraction of the picture's other dimension (1/24).
const BAND_FRACTION: u32 = 24;
/// Thinnest band painted, in pixels (bounded by the picture).
const MIN_BAND: u32 = 4;

/// The checksum: CRC-8/AUTOSAR (init and final xor 0xFF, so no code is all one colour).
const CRC8: crc::Crc<u8> = crc::Crc::<u8>::new(&crc::CRC_8_AUTOSAR);

/// The 40-bit code painted for `sequence`: its low 32 bits, then their CRC-8.
pub(crate) fn code_word(sequence: u64) -> u64 {
    let low = sequence as u32;
    let crc = CRC8.checksum(&low.to_be_bytes());
    (u64::from(low) << 8) | u64::from(crc)
}

/// Whether code bit `bit` (0 = the sequence's most significant) is set in `code`.
pub(crate) fn code_bit(code: u64, bit: u32) -> bool {
    (code >> (CODE_BITS - 1 - bit)) & 1 == 1
}

/// The slot (0..SLOTS) that carries code bit `bit`: the middle two slots are skipped.
pub(crate) fn slot_of_bit(bit: u32) -> u32 {
    let half = CODE_BITS / 2;
    if bit < half {
        bit
    } else {
        bit + (SLOTS - CODE_BITS)
    }
}

/// Where slot `slot` starts along a band `length` pixels long (`slot == SLOTS` gives `length`).
pub(crate) fn slot_edge(slot: u32, length: u32) -> u32 {
    (u64::from(slot) * u64::from(length) / u64::from(SLOTS)) as u32
}

/// The pixel range `[start, end)` a band occupies across a picture dimension `across`
/// pixels long: centred, 1/24 of it thick, at least 4 pixels (or the whole dimension).
pub(crate) fn band_span(across: u32) -> (u32, u32) {
    let thickness = (across / BAND_FRACTION).max(MIN_BAND).min(across);
    let start = (across - thickness) / 2;
    (start, start + thickness)
}

/// The sequence number painted into a picture by [`crate::video::Painter`], read back
/// from any raw [`crate::frame::PixelFormat`], also after scaling, format conversion,
/// or a centred crop-and-scale to another aspect ratio (anything from 9:16 to 16:9).
///
/// Returns the low 32 bits of the painted sequence number, or `None` when the
/// picture does not carry a valid code: too small, blurred beyond reading, a
/// foreign picture, MJPEG, or a checksum that does not hold.
///
/// Reliable for every picture of at least 160x120 (either orientation),
/// including pictures scaled or crop-and-scaled down to that size: the band
/// that survives is then at least 120 pixels long, about 3 pixels per cell.
/// Pictures down to about 112x84 still decode in tests, but that is not promised.
pub fn decode_sequence(buf: &VideoBuffer) -> Option<u64> {
    let (width, height) = (buf.width(), buf.height());
    let horizontal = read_band(width, height, |along, across| luma_at(buf, along, across));
    horizontal
        .or_else(|| read_band(height, width, |along, across| luma_at(buf, across, along)))
        .map(u64::from)
}

/// Reads the code from the band running along a dimension `length` pixels long,
/// centred in the other dimension `across` pixels long. `luma(along, across)`
/// gives one pixel's luma.
fn read_band(length: u32, across: u32, luma: impl Fn(u32, u32) -> Option<u8>) -> Option<u32> {
    if length < SLOTS || across == 0 {
        return None;
    }
    // Sample a small window at each cell centre: narrow along the band (cells may
    // be only ~3 px long after scaling), a quarter of the band thickness across it.
    let across_half = (f64::from(across) / (4.0 * f64::from(BAND_FRACTION))).clamp(0.5, 8.0);
    let across_rows = pixel_window(f64::from(across) / 2.0, across_half, across);
    let cell = f64::from(length) / f64::from(SLOTS);
    let along_half = (cell / 6.0).clamp(0.5, 8.0);

    let mut levels = [0f64; CODE_BITS as usize];
    for (bit, level) in (0..CODE_BITS).zip(levels.iter_mut()) {
        let centre = (f64::from(slot_of_bit(bit)) + 0.5) * cell;
        let (mut sum, mut count) = (0u64, 0u64);
        for along in pixel_window(centre, along_half, length) {
            for across in across_rows.clone() {
                sum += u64::from(luma(along, across)?);
                count += 1;
            }
        }
        *level = sum as f64 / count.max(1) as f64;
    }
    let code = threshold(&levels)?;
    let low = (code >> 8) as u32;
    (code_word(u64::from(low)) == code).then_some(low)
}

/// The pixels whose centres lie within `half` of `centre`, clamped to `0..limit`.
fn pixel_window(centre: f64, half: f64, limit: u32) -> std::ops::Range<u32> {
    let first = (centre - half - 0.5).ceil().max(0.0) as u32;
    let last = ((centre + half - 0.5).floor().max(0.0) as u32).min(limit.saturating_sub(1));
    first..last.max(first) + 1
}

/// Turns sampled cell levels into code bits: needs clear contrast, and every cell
/// clearly on one side of the midpoint (a natural picture rarely is).
fn threshold(levels: &[f64; CODE_BITS as usize]) -> Option<u64> {
    let low = levels.iter().copied().fold(f64::INFINITY, f64::min);
    let high = levels.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let contrast = high - low;
    if contrast < 64.0 {
        return None;
    }
    let middle = (low + high) / 2.0;
    let mut code = 0u64;
    for &level in levels {
        if (level - middle).abs() < contrast / 5.0 {
            return None;
        }
        code = (code << 1) | u64::from(level > middle);
    }
    Some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_code_is_all_black_or_all_white() {
        for sequence in [0u64, u64::from(u32::MAX)] {
            let code = code_word(sequence);
            let ones = (0..CODE_BITS).filter(|&b| code_bit(code, b)).count();
            assert!(
                ones > 0 && ones < CODE_BITS as usize,
                "sequence {sequence}: {ones} ones"
            );
        }
    }

    #[test]
    fn the_code_carries_the_low_32_bits_then_their_checksum() {
        let code = code_word(0x1_2345_6789);
        assert_eq!(code >> 8, 0x2345_6789);
        assert_eq!(
            code & 0xFF,
            u64::from(CRC8.checksum(&0x2345_6789u32.to_be_bytes()))
        );
    }

    #[test]
    fn data_slots_skip_the_two_middle_slots() {
        let slots: Vec<u32> = (0..CODE_BITS).map(slot_of_bit).collect();
        assert!(!slots.contains(&20) && !slots.contains(&21));
        assert_eq!(slots.last(), Some(&(SLOTS - 1)));
    }

    #[test]
    fn bands_are_centred_and_never_thinner_than_four_pixels_when_room_allows() {
        assert_eq!(band_span(1080), (517, 562));
        assert_eq!(band_span(120), (57, 62));
        assert_eq!(band_span(3), (0, 3));
        assert_eq!(band_span(1), (0, 1));
    }

    #[test]
    fn sampling_windows_stay_inside_the_picture() {
        assert_eq!(pixel_window(0.2, 0.5, 10), 0..1);
        assert_eq!(pixel_window(9.9, 2.0, 10), 8..10);
        assert_eq!(pixel_window(60.0, 1.25, 120), 59..61);
    }
}
