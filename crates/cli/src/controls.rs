//! `lms controls DEVICE [--set NAME=VALUE ...] [--json]`: a camera's controls
//! (zoom, focus, exposure, white balance, brightness...: the Image Capture
//! specification's constrainable properties) with their ranges or modes and
//! current values, read back from the device; `--set` changes them through
//! getUserMedia with each as an exact constraint, so the library's ordering
//! (a manual value switches its mode to manual first) and errors apply.

use std::fmt;

use lms_core::controls::{Control, ControlValue, MeteringMode, ValueKind};
use lms_core::Error;
use serde_json::{json, Map, Value};

use crate::camera;
use crate::exit::CliError;
use crate::setup::Setup;

/// One `--set NAME=VALUE`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setting {
    pub control: Control,
    pub value: ControlValue,
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.control, self.value)
    }
}

/// Every control's name, in the specification's order.
fn control_names() -> String {
    Control::ALL.map(Control::name).join(", ")
}

/// `NAME=VALUE`: a control name and a number, a mode (`manual`, `continuous`,
/// `single-shot`, `none`) or `true` / `false`, as the control takes.
pub fn parse_setting(text: &str) -> Result<Setting, String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("\"{text}\" is not NAME=VALUE, e.g. brightness=200"))?;
    let (name, value) = (name.trim(), value.trim());
    let control = Control::from_name(name).ok_or_else(|| {
        format!(
            "unknown control \"{name}\"; the controls are: {}",
            control_names()
        )
    })?;
    let value = match control.value_kind() {
        ValueKind::Num => match value.parse::<f64>() {
            Ok(v) if v.is_finite() => ControlValue::Num(v),
            _ => return Err(format!("{name} takes a number, not \"{value}\"")),
        },
        ValueKind::Mode => match MeteringMode::from_name(value) {
            Some(m) => ControlValue::Mode(m),
            None => {
                let modes = MeteringMode::ALL.map(MeteringMode::name).join(", ");
                return Err(format!("{name} takes a mode ({modes}), not \"{value}\""));
            }
        },
        ValueKind::Flag => match value {
            "true" | "on" | "1" => ControlValue::Flag(true),
            "false" | "off" | "0" => ControlValue::Flag(false),
            _ => return Err(format!("{name} takes true or false, not \"{value}\"")),
        },
    };
    Ok(Setting { control, value })
}

/// The unit a control's numbers are in, where the specification fixes one.
fn unit(control: Control) -> &'static str {
    match control {
        Control::ExposureCompensation => " EV",
        Control::ExposureTime => " (units of 100 us)",
        Control::ColorTemperature => " K",
        Control::FocusDistance => " m",
        _ => "",
    }
}

/// A number as a person writes it: 200, 0.5, -3.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn show_value(v: &Value) -> String {
    match v {
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), number),
        Value::String(s) => s.clone(),
        Value::Null => "?".into(),
        other => other.to_string(),
    }
}

/// What a capability offers, in words: `0 to 255, step 1` or `manual continuous`.
fn show_capability(control: Control, cap: &Value) -> String {
    match cap {
        Value::Object(m) => {
            let part = |k: &str| m.get(k).map_or_else(|| "?".into(), show_value);
            let step = m.get("step").and_then(Value::as_f64).unwrap_or(0.0);
            let mut s = format!("{} to {}", part("min"), part("max"));
            if step > 0.0 {
                s.push_str(&format!(", step {}", number(step)));
            }
            s.push_str(unit(control));
            s
        }
        Value::Array(a) => a.iter().map(show_value).collect::<Vec<_>>().join(" "),
        other => show_value(other),
    }
}

/// Whole numbers as integers (`200`, not `200.0`), in a JSON value.
fn tidy(v: &Value) -> Value {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => json!(f as i64),
            _ => v.clone(),
        },
        Value::Array(a) => Value::Array(a.iter().map(tidy).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), tidy(v))).collect()),
        other => other.clone(),
    }
}

/// The control's capability in the JSON output: a range's members, or `{"values": [...]}`.
fn capability_json(cap: &Value) -> Map<String, Value> {
    match tidy(cap) {
        Value::Object(m) => m,
        other => Map::from_iter([("values".to_string(), other)]),
    }
}

pub fn run(
    setup: &Setup,
    device_id: &str,
    settings: &[Setting],
    as_json: bool,
) -> Result<(), CliError> {
    let md = setup.devices(None)?;
    let device = camera::find(&md, device_id, "lms controls")?;
    // Which controls the camera has, without opening it: a control it lacks
    // is named in the error before anything is written.
    let offered = md.device_capabilities(device_id)?;
    let has: Vec<Control> = Control::ALL
        .into_iter()
        .filter(|c| offered.get(c.name()).is_some())
        .collect();
    for s in settings {
        if !has.contains(&s.control) {
            let list = if has.is_empty() {
                "it has none".to_string()
            } else {
                format!(
                    "its controls are: {}",
                    has.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
                )
            };
            return Err(Error::overconstrained(
                s.control.name(),
                format!(
                    "{} ({device_id}) has no {} control; {list}",
                    device.label, s.control
                ),
            )
            .into());
        }
    }
    let extra: Map<String, Value> = settings
        .iter()
        .map(|s| {
            (
                s.control.name().to_string(),
                json!({"exact": s.value.to_json()}),
            )
        })
        .collect();
    let cam = camera::open(&md, device, extra)?;
    let capabilities = cam.track.get_capabilities();
    let values = cam.track.settings_json();
    let rows: Vec<(Control, Value, Value)> = has
        .iter()
        .map(|&c| {
            (
                c,
                values.get(c.name()).cloned().unwrap_or(Value::Null),
                capabilities
                    .get(c.name())
                    .or_else(|| offered.get(c.name()))
                    .cloned()
                    .unwrap_or(Value::Null),
            )
        })
        .collect();
    if as_json {
        let controls: Map<String, Value> = rows
            .iter()
            .map(|(c, value, cap)| {
                let mut entry = Map::new();
                entry.insert("value".into(), tidy(value));
                entry.extend(capability_json(cap));
                (c.name().to_string(), Value::Object(entry))
            })
            .collect();
        let out = json!({"device": cam.device.to_json(), "controls": controls});
        let text = serde_json::to_string_pretty(&out)
            .map_err(|e| CliError::Output(format!("JSON: {e}")))?;
        println!("{text}");
        return Ok(());
    }
    println!("{} ({})", cam.device.label, cam.device.device_id);
    if !settings.is_empty() {
        let set: Vec<String> = settings.iter().map(Setting::to_string).collect();
        println!("set: {}", set.join(" "));
    }
    if rows.is_empty() {
        println!("no camera controls");
        return Ok(());
    }
    let table: Vec<[String; 4]> = rows
        .iter()
        .map(|(c, value, cap)| {
            // A manual value reads as the camera's own choice while its mode is automatic.
            let note = c
                .governing_mode()
                .and_then(|m| values.get(m.name()).and_then(Value::as_str).map(|v| (m, v)))
                .filter(|(_, v)| *v != "manual")
                .map(|(m, v)| format!("(chosen by the camera: {m} is {v})"))
                .unwrap_or_default();
            [
                c.name().to_string(),
                show_value(value),
                show_capability(*c, cap),
                note,
            ]
        })
        .collect();
    let header = ["CONTROL", "VALUE", "RANGE / VALUES", ""].map(String::from);
    crate::devices::print_columns(&header, &table);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_by_the_kind_of_control() {
        assert_eq!(
            parse_setting("brightness=200"),
            Ok(Setting {
                control: Control::Brightness,
                value: ControlValue::Num(200.0)
            })
        );
        assert_eq!(
            parse_setting("exposureMode=manual").map(|s| s.value),
            Ok(ControlValue::Mode(MeteringMode::Manual))
        );
        assert_eq!(
            parse_setting("torch=true").map(|s| s.value),
            Ok(ControlValue::Flag(true))
        );
        assert_eq!(
            parse_setting("zoom=1.5").map(|s| s.to_string()),
            Ok("zoom=1.5".into())
        );
        let unknown = parse_setting("sparkle=3").unwrap_err();
        assert!(
            unknown.contains("\"sparkle\"") && unknown.contains("whiteBalanceMode, exposureMode"),
            "{unknown}"
        );
        for bad in [
            "brightness",
            "brightness=bright",
            "zoom=NaN",
            "focusMode=auto",
            "torch=maybe",
        ] {
            assert!(parse_setting(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn capabilities_read_like_a_spec_sheet() {
        assert_eq!(
            show_capability(
                Control::ExposureCompensation,
                &json!({"min": -3.0, "max": 3.0, "step": 0.5})
            ),
            "-3 to 3, step 0.5 EV"
        );
        assert_eq!(
            show_capability(Control::FocusMode, &json!(["manual", "continuous"])),
            "manual continuous"
        );
        assert_eq!(
            show_capability(Control::Torch, &json!([false, true])),
            "false true"
        );
        assert_eq!(number(0.30000000000000004), "0.3");
    }
}
