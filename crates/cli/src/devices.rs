//! `lms devices`: every device with its capabilities, as a table or JSON.
//! Audio outputs are listed too (`audiooutput`, no capabilities): with a sound
//! server each output's monitor is a microphone of its own ("Monitor of ..."),
//! which `lms capture --constraints '{"audio": {"deviceId": {"exact": ID}}}'`
//! records (system-audio loopback).

use lms_core::{DeviceInfo, Error, MediaDevices};
use serde_json::Value;

use crate::exit::CliError;
use crate::setup::Setup;

pub fn run(setup: &Setup, as_json: bool) -> Result<(), CliError> {
    let md = setup.devices(None)?;
    let mut list = Vec::new();
    for device in md.enumerate_devices()? {
        let mut entry = device.to_json();
        entry["capabilities"] = if device.output {
            Value::Null
        } else {
            md.device_capabilities(&device.device_id)?
        };
        list.push(entry);
    }
    // A backend that cannot work here (cpal without libasound) says why.
    let unavailable = md.unavailable_backends()?;
    for (name, why) in &unavailable {
        eprintln!("lms: backend {name} is unavailable: {why}");
    }
    if as_json {
        let text = serde_json::to_string_pretty(&Value::Array(list))
            .map_err(|e| CliError::Output(format!("JSON: {e}")))?;
        println!("{text}");
        return Ok(());
    }
    if list.is_empty() {
        let backends = setup.configuration(None)?.backends.join(", ");
        return Err(lms_core::Error::NotFound(format!(
            "no cameras or microphones found (backends in use: {backends}); use --fake for \
             the built-in fake devices, or play files with LMS_FAKE_VIDEO_FILE / \
             LMS_FAKE_AUDIO_FILE"
        ))
        .into());
    }
    let rows: Vec<[String; 4]> = list
        .iter()
        .map(|d| {
            [
                text(&d["deviceId"]),
                text(&d["kind"]),
                text(&d["label"]),
                if d["kind"] == "audiooutput" {
                    "output: not captured (record its monitor)".to_string()
                } else {
                    summary(&d["capabilities"])
                },
            ]
        })
        .collect();
    let header = ["DEVICE ID", "KIND", "LABEL", "CAPABILITIES"].map(String::from);
    print_columns(&header, &rows);
    Ok(())
}

/// Print `rows` under `header` in aligned columns (the last one runs free).
pub fn print_columns(header: &[String; 4], rows: &[[String; 4]]) {
    let widths: Vec<usize> = (0..3)
        .map(|i| {
            rows.iter()
                .chain([header])
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in [header].into_iter().chain(rows) {
        let line = format!(
            "{:w0$}  {:w1$}  {:w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        println!("{}", line.trim_end());
    }
}

/// The input device `device_id` names; NotFoundError for an unknown id (or an output's).
pub fn find(md: &MediaDevices, device_id: &str) -> Result<DeviceInfo, Error> {
    md.enumerate_devices()?
        .into_iter()
        .find(|d| d.device_id == device_id && !d.output)
        .ok_or_else(|| {
            Error::NotFound(format!(
                "no device with deviceId \"{device_id}\" (see `lms devices`)"
            ))
        })
}

fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// `lo-hi` for a `{min, max}` range (one number when they are equal).
fn range(v: &Value, unit: &str) -> String {
    let show = |x: &Value| match x.as_f64() {
        Some(n) if n.fract() == 0.0 => format!("{n:.0}"),
        Some(n) => format!("{n:.3}").trim_end_matches('0').to_string(),
        None => "?".into(),
    };
    let (lo, hi) = (show(&v["min"]), show(&v["max"]));
    if lo == hi {
        format!("{lo}{unit}")
    } else {
        format!("{lo}-{hi}{unit}")
    }
}

fn list(v: &Value) -> String {
    v.as_array()
        .map(|a| a.iter().map(text).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// One line saying what a device can deliver.
pub fn summary(caps: &Value) -> String {
    if caps.get("width").is_some() {
        let mut s = format!(
            "{} x {}, {}, {}",
            range(&caps["width"], ""),
            range(&caps["height"], ""),
            range(&caps["frameRate"], " fps"),
            list(&caps["pixelFormat"])
        );
        let facing = list(&caps["facingMode"]);
        if !facing.is_empty() {
            s.push_str(&format!(", facing {facing}"));
        }
        s
    } else {
        format!(
            "{}, {} ch, {}, latency {}",
            range(&caps["sampleRate"], " Hz"),
            range(&caps["channelCount"], ""),
            list(&caps["sampleFormat"]),
            range(&caps["latency"], " s")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_summary_reads_like_a_spec_sheet() {
        let video = json!({"width": {"min": 1, "max": 640}, "height": {"min": 1, "max": 480},
            "frameRate": {"min": 1.0, "max": 30.0}, "pixelFormat": ["I420", "NV12"], "facingMode": ["user"]});
        assert_eq!(
            summary(&video),
            "1-640 x 1-480, 1-30 fps, I420 NV12, facing user"
        );
        let audio = json!({"sampleRate": {"min": 8000, "max": 48000}, "channelCount": {"min": 1, "max": 2},
            "sampleFormat": ["f32", "s16"], "latency": {"min": 0.001, "max": 0.5}});
        assert_eq!(
            summary(&audio),
            "8000-48000 Hz, 1-2 ch, f32 s16, latency 0.001-0.5 s"
        );
    }
}
