//! `lms probe DEVICE_ID`: what a device offers, how it opens by default, and
//! how it actually delivers over a short capture.

use std::time::{Duration, Instant};

use lms_core::{Error, MediaKind};
use serde_json::{json, Value};

use crate::capture::describe;
use crate::devices::summary;
use crate::exit::CliError;
use crate::setup::Setup;

/// What a short capture showed.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub frames: u64,
    /// Frames per second between the first and last frame's timestamps.
    pub rate: f64,
    /// Mean and standard deviation of the time between frames, in ms.
    pub interval_ms: f64,
    pub jitter_ms: f64,
    pub max_interval_ms: f64,
    /// Frames the track's queue dropped, and sequence numbers that never arrived.
    pub dropped: u64,
    pub missing: u64,
}

impl Report {
    /// The report for frames with these timestamps (µs) and sequence numbers.
    pub fn of(timestamps: &[i64], sequences: &[u64], dropped: u64) -> Report {
        let intervals: Vec<f64> = timestamps
            .windows(2)
            .map(|w| (w[1] - w[0]) as f64 / 1000.0)
            .collect();
        let n = intervals.len().max(1) as f64;
        let mean = intervals.iter().sum::<f64>() / n;
        let variance = intervals.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
        let span_s = match (timestamps.first(), timestamps.last()) {
            (Some(a), Some(b)) if b > a => (b - a) as f64 / 1e6,
            _ => 0.0,
        };
        let missing = sequences
            .windows(2)
            .map(|w| w[1].saturating_sub(w[0]).saturating_sub(1))
            .sum();
        Report {
            frames: timestamps.len() as u64,
            rate: if span_s > 0.0 {
                intervals.len() as f64 / span_s
            } else {
                0.0
            },
            interval_ms: mean,
            jitter_ms: variance.sqrt(),
            max_interval_ms: intervals.iter().copied().fold(0.0, f64::max),
            dropped,
            missing,
        }
    }
}

pub fn run(
    setup: &Setup,
    device_id: &str,
    duration: Duration,
    as_json: bool,
) -> Result<(), CliError> {
    let md = setup.devices(None)?;
    let device = crate::devices::find(&md, device_id)?;
    let capabilities = md.device_capabilities(device_id)?;
    let kind = match device.kind {
        MediaKind::Video => "video",
        MediaKind::Audio => "audio",
    };
    let constraints = json!({ kind: {"deviceId": {"exact": device_id}} });
    let stream = md.get_user_media_json(&constraints.to_string())?;
    let track = stream.get_tracks().into_iter().next().ok_or_else(|| {
        lms_core::Error::Internal(format!("getUserMedia for {device_id} gave no track"))
    })?;
    let settings = track.get_settings();
    if !as_json {
        println!(
            "{} ({}, {})",
            device.label,
            device.device_id,
            device.device_kind()
        );
        println!("capabilities: {}", summary(&capabilities));
        println!("default settings: {}", describe(&settings));
        println!("capturing for {:.1} s ...", duration.as_secs_f64());
    }
    let (mut timestamps, mut sequences) = (Vec::new(), Vec::new());
    let deadline = Instant::now() + duration;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match track.read(Some(left)) {
            Ok(frame) => {
                timestamps.push(frame.timestamp_us());
                sequences.push(frame.sequence());
            }
            Err(e) if e.name() == "TimeoutError" => break,
            Err(e) => return Err(e.into()),
        }
    }
    let report = Report::of(&timestamps, &sequences, track.stats().frames_dropped);
    stream.stop();
    if report.frames == 0 {
        return Err(Error::Timeout(duration.as_millis() as u64).into());
    }
    let unit = if kind == "video" { "frames" } else { "chunks" };
    if as_json {
        let out = json!({
            "device": device.to_json(),
            "capabilities": capabilities,
            "settings": track.settings_json(),
            "report": {
                "seconds": duration.as_secs_f64(),
                unit: report.frames,
                "rate": report.rate,
                "intervalMs": report.interval_ms,
                "jitterMs": report.jitter_ms,
                "maxIntervalMs": report.max_interval_ms,
                "dropped": report.dropped,
                "missing": report.missing,
            },
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).unwrap_or_else(|_| Value::Null.to_string())
        );
    } else {
        let nominal = match &settings {
            lms_core::TrackSettings::Video(v) => v.frame_rate,
            lms_core::TrackSettings::Audio(a) => 1.0 / a.latency.max(1e-6),
        };
        println!(
            "{unit}: {} in {:.2} s",
            report.frames,
            duration.as_secs_f64()
        );
        println!(
            "rate achieved: {:.2} {unit}/s (asked {nominal:.2})",
            report.rate
        );
        println!(
            "interval: mean {:.2} ms, jitter (std dev) {:.2} ms, longest {:.2} ms",
            report.interval_ms, report.jitter_ms, report.max_interval_ms
        );
        println!(
            "dropped: {} by the queue, {} sequence numbers missing",
            report.dropped, report.missing
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_measures_rate_jitter_and_gaps() {
        let timestamps = [0, 33_000, 67_000, 100_000, 133_000];
        let r = Report::of(&timestamps, &[0, 1, 2, 4, 5], 3);
        assert_eq!(r.frames, 5);
        assert!((r.rate - 30.08).abs() < 0.01, "{r:?}");
        assert!((r.interval_ms - 33.25).abs() < 1e-9);
        assert!((r.jitter_ms - 0.433).abs() < 0.001, "{r:?}");
        assert_eq!((r.max_interval_ms, r.dropped, r.missing), (34.0, 3, 1));
        assert_eq!(Report::of(&[], &[], 0).rate, 0.0);
    }
}
