//! `NativeGenerator`: one `lms_core::TrackGenerator`, owned by one JS
//! `VideoTrackGenerator` (`lib/generator.js`), which writes the frames.

use lms_core::{MediaDevices, PixelFormat, TrackGenerator};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::error::check;
use crate::track::NativeTrack;

/// A video track generator of the core.
#[napi]
pub struct NativeGenerator {
    generator: TrackGenerator,
}

#[napi]
impl NativeGenerator {
    /// A generator whose tracks hold the configuration's `queueSize` frames.
    #[napi(constructor)]
    pub fn new(env: Env) -> Result<Self> {
        let queue_size = MediaDevices::global().config().queue_size;
        let generator = check(&env, TrackGenerator::video(queue_size))?;
        Ok(NativeGenerator { generator })
    }

    /// A handle to the generator's track (the JS side makes one wrapper of it).
    #[napi]
    pub fn track(&self) -> NativeTrack {
        NativeTrack::new(self.generator.track())
    }

    /// Send a picture to every track: `data` holds the planes at `offsets`,
    /// `strides` bytes per row; copied once. `timestamp` in microseconds.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn write(
        &self,
        env: Env,
        format: String,
        width: u32,
        height: u32,
        timestamp: f64,
        data: Uint8Array,
        offsets: Vec<u32>,
        strides: Vec<u32>,
    ) -> Result<()> {
        check(
            &env,
            self.write_planes(&format, width, height, timestamp, &data, &offsets, &strides),
        )
    }

    #[napi]
    pub fn muted(&self) -> bool {
        self.generator.muted()
    }
    #[napi]
    pub fn set_muted(&self, muted: bool) {
        self.generator.set_muted(muted);
    }
    /// End every track and refuse further writes.
    #[napi]
    pub fn close(&self) {
        self.generator.close();
    }
    /// Closed, or every track it fed ended.
    #[napi]
    pub fn closed(&self) -> bool {
        self.generator.is_closed()
    }
}

impl NativeGenerator {
    #[allow(clippy::too_many_arguments)]
    fn write_planes(
        &self,
        format: &str,
        width: u32,
        height: u32,
        timestamp: f64,
        data: &[u8],
        offsets: &[u32],
        strides: &[u32],
    ) -> lms_core::Result<()> {
        let bad = |why: String| lms_core::Error::Type(format!("VideoTrackGenerator: {why}"));
        let format = PixelFormat::from_name(format)
            .ok_or_else(|| bad(format!("unknown pixel format \"{format}\"")))?;
        if !timestamp.is_finite() {
            return Err(bad(format!(
                "the timestamp must be finite, got {timestamp}"
            )));
        }
        if offsets.len() != strides.len() {
            return Err(bad(format!(
                "{} plane offsets but {} strides",
                offsets.len(),
                strides.len()
            )));
        }
        let mut planes = Vec::with_capacity(offsets.len());
        for (i, &offset) in offsets.iter().enumerate() {
            let rest = data.get(offset as usize..).ok_or_else(|| {
                bad(format!(
                    "plane {i} starts at byte {offset}, past the {} bytes given",
                    data.len()
                ))
            })?;
            planes.push(rest);
        }
        let strides: Vec<usize> = strides.iter().map(|&s| s as usize).collect();
        self.generator
            .write_video(format, width, height, timestamp as i64, &planes, &strides)
    }
}
