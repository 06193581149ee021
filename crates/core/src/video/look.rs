//! What camera controls do to the fake camera's picture: a [`Look`].
//!
//! The fake camera films its pattern (colour bars, grey ramp, moving box) as a
//! scene and shows the controls in the pixels, so a test (or a person looking
//! at a snapshot) sees their effect, not only the number. The sequence code is
//! painted on top afterwards, untouched by any of this, so
//! [`crate::video::decode_sequence`] reads it under every setting.
//!
//! | control | in the picture |
//! |---|---|
//! | `exposureTime` (manual exposure) | luma gain `exposureTime / 333` (333 = 1/30 s: gain 1) |
//! | `exposureCompensation` (continuous exposure) | luma gain `2^EV` |
//! | `iso` | luma gain `iso / 100` (any exposure mode) |
//! | `torch` | luma gain ×1.5 while on |
//! | `brightness` | luma offset `(brightness - 128) × 0.75` |
//! | `contrast` | luma scaled around mid grey by `contrast / 128` (0: flat grey) |
//! | `saturation` | chroma scaled around 128 by `saturation / 128` (0: grey) |
//! | `colorTemperature` (manual white balance) | a warm or cool cast: Cr `+10` and Cb `-10` per 1000 K below 6500 K (and the reverse above) |
//! | `sharpness` | a light horizontal 3-tap filter: above 128 sharpens (overshoot at edges), below 128 softens |
//! | `focusDistance` (manual focus) | the scene sits 1 m away: focusing elsewhere blurs (the same filter) |
//! | `zoom` | shows the central `1/zoom` of the view, scaled up (zoom 2: the central half) |
//! | `pan`, `tilt` | move the view: the picture spans 60° across its width at zoom 1, so 1° is `width / 60` scene pixels; pan + (turn right) moves the content left, tilt + (look up) moves it down; the scene repeats beyond its edges |
//!
//! Gains multiply `Y - 16` (light above black), then contrast and brightness
//! apply, and every value is clamped to BT.601 limited range. In automatic
//! modes the manual values have no effect, as on a camera: while
//! `exposureMode` is continuous, `exposureTime` reads as the auto-chosen 333;
//! while `whiteBalanceMode` is continuous the picture is neutral; while
//! `focusMode` is continuous it is sharp.

use crate::controls::{Control, ControlValues, MeteringMode};
use crate::video::code::{LUMA_ONE, LUMA_ZERO};

/// The mid control value of the 0..255 controls: no change.
const MID: f64 = 128.0;
/// How much brighter the torch makes the picture.
const TORCH_GAIN: f64 = 1.5;
/// Luma offset per step of brightness.
const BRIGHTNESS_PER_STEP: f64 = 0.75;
/// Chroma shift per 1000 K of colour temperature away from neutral.
const CAST_PER_1000K: f64 = 10.0;
/// The strongest blur the filter does (3-tap box blur).
const MAX_BLUR: f64 = 2.0 / 3.0;
/// Mid grey of limited-range luma, the centre of contrast.
const MID_GREY: f64 = 125.5;

/// What the camera controls do to the picture. [`Look::neutral`] changes
/// nothing (the painter then takes its usual incremental path).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Look {
    /// Multiplies luma above black (`Y - 16`): exposure, ISO, torch.
    pub gain: f64,
    /// Added to luma after gain and contrast: brightness.
    pub brightness: f64,
    /// Scales luma around mid grey (1: unchanged).
    pub contrast: f64,
    /// Scales chroma around 128 (1: unchanged, 0: grey).
    pub saturation: f64,
    /// Colour cast: added to Cr and taken from Cb (positive: warmer, orange).
    pub warmth: f64,
    /// Horizontal edge filter: positive sharpens (1: strong), negative blurs
    /// (-2/3: a 3-tap box blur).
    pub sharpen: f64,
    /// Magnification (1: the whole scene width).
    pub zoom: f64,
    /// Where the camera points, in degrees: right of centre, above centre.
    pub pan: f64,
    pub tilt: f64,
}

impl Default for Look {
    fn default() -> Look {
        Look::neutral()
    }
}

impl Look {
    /// The exposure time (100 µs units) that gives the neutral picture: 1/30 s.
    pub const NEUTRAL_EXPOSURE_TIME: f64 = 333.0;
    /// The ISO that gives the neutral picture.
    pub const NEUTRAL_ISO: f64 = 100.0;
    /// The colour temperature (kelvin) that gives no cast: daylight.
    pub const NEUTRAL_COLOR_TEMPERATURE: f64 = 6500.0;
    /// How far away the scene is (metres): focusing there is sharp.
    pub const SCENE_DISTANCE: f64 = 1.0;
    /// The angle (degrees) the picture's width spans at zoom 1.
    pub const FIELD_OF_VIEW: f64 = 60.0;

    /// The look that changes nothing: the fake camera's default controls.
    pub const fn neutral() -> Look {
        Look {
            gain: 1.0,
            brightness: 0.0,
            contrast: 1.0,
            saturation: 1.0,
            warmth: 0.0,
            sharpen: 0.0,
            zoom: 1.0,
            pan: 0.0,
            tilt: 0.0,
        }
    }

    /// Whether this look changes nothing.
    pub fn is_neutral(&self) -> bool {
        *self == Look::neutral()
    }

    /// What a camera with these control values shows. Missing controls keep
    /// their neutral values; a mode other than `manual` counts as automatic.
    pub fn from_controls(values: &ControlValues) -> Look {
        let num = |c: Control, default: f64| {
            values
                .get(&c)
                .and_then(|v| v.num())
                .filter(|v| v.is_finite())
                .unwrap_or(default)
        };
        let manual =
            |c: Control| values.get(&c).and_then(|v| v.mode()) == Some(MeteringMode::Manual);
        let torch = values
            .get(&Control::Torch)
            .and_then(|v| v.flag())
            .unwrap_or(false);

        let exposure = if manual(Control::ExposureMode) {
            num(Control::ExposureTime, Look::NEUTRAL_EXPOSURE_TIME) / Look::NEUTRAL_EXPOSURE_TIME
        } else {
            num(Control::ExposureCompensation, 0.0).exp2()
        };
        let iso = num(Control::Iso, Look::NEUTRAL_ISO) / Look::NEUTRAL_ISO;
        let gain = exposure * iso * if torch { TORCH_GAIN } else { 1.0 };

        let warmth = if manual(Control::WhiteBalanceMode) {
            let kelvin = num(Control::ColorTemperature, Look::NEUTRAL_COLOR_TEMPERATURE);
            (Look::NEUTRAL_COLOR_TEMPERATURE - kelvin) / 1000.0 * CAST_PER_1000K
        } else {
            0.0
        };

        let sharpness = num(Control::Sharpness, MID) - MID;
        let mut sharpen = if sharpness >= 0.0 {
            sharpness / (255.0 - MID)
        } else {
            sharpness / MID * MAX_BLUR
        };
        if manual(Control::FocusMode) {
            let distance = num(Control::FocusDistance, Look::SCENE_DISTANCE).max(1e-3);
            // Defocus in dioptres; one dioptre off is the strongest blur.
            let defocus = (1.0 / distance - 1.0 / Look::SCENE_DISTANCE).abs();
            sharpen -= (defocus * MAX_BLUR).min(MAX_BLUR);
        }

        Look {
            gain,
            brightness: (num(Control::Brightness, MID) - MID) * BRIGHTNESS_PER_STEP,
            contrast: num(Control::Contrast, MID) / MID,
            saturation: num(Control::Saturation, MID) / MID,
            warmth,
            sharpen: sharpen.clamp(-MAX_BLUR, 1.0),
            zoom: num(Control::Zoom, 1.0),
            pan: num(Control::Pan, 0.0),
            tilt: num(Control::Tilt, 0.0),
        }
    }

    /// The luma value a scene luma `y` shows as.
    fn luma(&self, y: f64) -> f64 {
        let exposed = 16.0 + (y - 16.0) * self.gain;
        MID_GREY + (exposed - MID_GREY) * self.contrast + self.brightness
    }

    /// How a painter applies this look to a `width` x `height` picture.
    pub(crate) fn lens(&self, width: u32, height: u32) -> Lens {
        let mut luma = [0u8; 256];
        let mut cb = [0u8; 256];
        let mut cr = [0u8; 256];
        for i in 0..256 {
            let v = i as f64;
            luma[i] = limited(self.luma(v), 16.0, 235.0);
            let chroma = MID + (v - MID) * self.saturation;
            cb[i] = limited(chroma - self.warmth, 16.0, 240.0);
            cr[i] = limited(chroma + self.warmth, 16.0, 240.0);
        }
        let zoom = if self.zoom.is_finite() {
            self.zoom.clamp(0.01, 1000.0)
        } else {
            1.0
        };
        let degree = f64::from(width) / Look::FIELD_OF_VIEW;
        let angle = |a: f64| if a.is_finite() { a } else { 0.0 };
        let centre_x = f64::from(width) / 2.0 + angle(self.pan) * degree;
        let centre_y = f64::from(height) / 2.0 - angle(self.tilt) * degree;
        let sharpen = if self.sharpen.is_finite() {
            (self.sharpen.clamp(-MAX_BLUR, 1.0) * 256.0).round() as i32
        } else {
            0
        };
        Lens {
            luma,
            cb,
            cr,
            x: Axis::new(centre_x, width, zoom),
            y: Axis::new(centre_y, height, zoom),
            sharpen,
            box_luma: [luma[usize::from(LUMA_ZERO)], luma[usize::from(LUMA_ONE)]],
        }
    }
}

/// `v` rounded and clamped to `lo..=hi`.
fn limited(v: f64, lo: f64, hi: f64) -> u8 {
    if v.is_nan() {
        return lo as u8;
    }
    v.round().clamp(lo, hi) as u8
}

/// A [`Look`] made ready for painting one picture size: lookup tables and
/// the viewport.
#[derive(Debug, Clone)]
pub(crate) struct Lens {
    pub luma: [u8; 256],
    pub cb: [u8; 256],
    pub cr: [u8; 256],
    /// Which scene column and row each picture column and row shows.
    pub x: Axis,
    pub y: Axis,
    /// The edge filter's strength, 256 = 1 (see [`Look::sharpen`]).
    pub sharpen: i32,
    /// The box's black and white after the look.
    pub box_luma: [u8; 2],
}

/// Fixed-point 16.16 map from picture positions to scene positions along one
/// dimension, wrapping around the scene.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Axis {
    /// Scene position of picture position 0, in 1/65536 pixel, in `0..length`.
    origin: i64,
    /// Scene distance between neighbouring picture positions.
    step: i64,
    /// Scene length, in 1/65536 pixel.
    length: i64,
}

const ONE: f64 = 65536.0;

impl Axis {
    /// Picture pixel `i` (centre `i + 0.5`) shows scene pixel
    /// `floor(centre + (i + 0.5 - length / 2) / zoom)`, modulo `length`.
    fn new(centre: f64, pixels: u32, zoom: f64) -> Axis {
        let pixels = pixels.max(1);
        let length = i64::from(pixels) << 16;
        let origin = centre + (0.5 - f64::from(pixels) / 2.0) / zoom;
        Axis {
            origin: ((origin * ONE).round() as i64).rem_euclid(length),
            step: ((ONE / zoom).round() as i64).max(1),
            length,
        }
    }

    /// The scene pixel picture pixel `i` shows.
    pub fn at(&self, i: u32) -> u32 {
        ((self.origin + i64::from(i) * self.step).rem_euclid(self.length) >> 16) as u32
    }

    /// The scene pixels picture pixels `first, first + every, first + 2 * every, ...`
    /// show, `count` of them.
    pub fn walk(&self, first: u32, every: u32, count: usize) -> impl Iterator<Item = u32> {
        let step = self.step * i64::from(every);
        let length = self.length;
        let mut at = (self.origin + i64::from(first) * self.step).rem_euclid(length);
        (0..count).map(move |_| {
            let here = (at >> 16) as u32;
            at += step;
            while at >= length {
                at -= length;
            }
            here
        })
    }

    /// Whether this axis shows the scene unchanged (picture pixel i = scene pixel i).
    #[cfg(test)]
    pub fn is_identity(&self) -> bool {
        self.step == 1 << 16 && self.origin == 1 << 15
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::ControlValue;

    fn with(values: &[(Control, ControlValue)]) -> Look {
        Look::from_controls(&values.iter().copied().collect())
    }

    #[test]
    fn no_controls_and_the_defaults_are_neutral() {
        assert!(Look::from_controls(&ControlValues::new()).is_neutral());
        let defaults = with(&[
            (
                Control::ExposureMode,
                ControlValue::Mode(MeteringMode::Continuous),
            ),
            (Control::ExposureTime, ControlValue::Num(333.0)),
            (Control::ExposureCompensation, ControlValue::Num(0.0)),
            (Control::Iso, ControlValue::Num(100.0)),
            (Control::Brightness, ControlValue::Num(128.0)),
            (Control::Contrast, ControlValue::Num(128.0)),
            (Control::Saturation, ControlValue::Num(128.0)),
            (Control::Sharpness, ControlValue::Num(128.0)),
            (Control::ColorTemperature, ControlValue::Num(6500.0)),
            (Control::Zoom, ControlValue::Num(1.0)),
            (Control::Pan, ControlValue::Num(0.0)),
            (Control::Tilt, ControlValue::Num(0.0)),
            (Control::Torch, ControlValue::Flag(false)),
        ]);
        assert!(defaults.is_neutral(), "{defaults:?}");
        let lens = Look::neutral().lens(640, 480);
        assert!(lens.x.is_identity() && lens.y.is_identity());
        assert!((16..=235).all(|i| lens.luma[i] == i as u8));
        assert!((16..=240).all(|i| lens.cb[i] == i as u8 && lens.cr[i] == i as u8));
    }

    #[test]
    fn manual_values_act_only_in_manual_mode() {
        let continuous = ControlValue::Mode(MeteringMode::Continuous);
        let manual = ControlValue::Mode(MeteringMode::Manual);
        for (mode, value) in [
            (Control::ExposureMode, (Control::ExposureTime, 1000.0)),
            (
                Control::WhiteBalanceMode,
                (Control::ColorTemperature, 2500.0),
            ),
            (Control::FocusMode, (Control::FocusDistance, 0.2)),
        ] {
            let value = (value.0, ControlValue::Num(value.1));
            assert!(with(&[(mode, continuous), value]).is_neutral(), "{mode}");
            assert!(!with(&[(mode, manual), value]).is_neutral(), "{mode}");
        }
        let compensation = (Control::ExposureCompensation, ControlValue::Num(1.0));
        assert_eq!(
            with(&[(Control::ExposureMode, continuous), compensation]).gain,
            2.0
        );
        assert_eq!(
            with(&[(Control::ExposureMode, manual), compensation]).gain,
            1.0
        );
    }

    #[test]
    fn the_tables_move_the_way_the_controls_say() {
        let bright = with(&[(Control::Brightness, ControlValue::Num(200.0))]).lens(64, 48);
        assert!(bright.luma[100] > 100 && bright.luma[235] == 235);
        let flat = with(&[(Control::Contrast, ControlValue::Num(0.0))]).lens(64, 48);
        assert_eq!(flat.luma[16], flat.luma[235]);
        let grey = with(&[(Control::Saturation, ControlValue::Num(0.0))]).lens(64, 48);
        assert!(grey.cb.iter().chain(&grey.cr).all(|&c| c == 128));
        let warm = with(&[
            (
                Control::WhiteBalanceMode,
                ControlValue::Mode(MeteringMode::Manual),
            ),
            (Control::ColorTemperature, ControlValue::Num(2500.0)),
        ])
        .lens(64, 48);
        assert!(warm.cr[128] > 128 && warm.cb[128] < 128);
    }

    #[test]
    fn zoom_shows_the_centre_and_pan_moves_the_view() {
        let zoom2 = Look {
            zoom: 2.0,
            ..Look::neutral()
        }
        .lens(640, 480);
        assert_eq!(
            (zoom2.x.at(0), zoom2.x.at(1), zoom2.x.at(639)),
            (160, 160, 479)
        );
        assert_eq!((zoom2.y.at(0), zoom2.y.at(479)), (120, 359));
        let pan = Look {
            pan: 6.0,
            tilt: 3.0,
            ..Look::neutral()
        }
        .lens(640, 480);
        assert_eq!(pan.x.at(0), 64);
        assert_eq!(pan.x.at(600), 24, "the scene wraps around");
        assert_eq!(pan.y.at(100), 68, "tilting up shows what is above");
        let walked: Vec<u32> = pan.x.walk(0, 2, 320).collect();
        assert!(walked
            .iter()
            .enumerate()
            .all(|(i, &s)| s == pan.x.at(2 * i as u32)));
    }
}
