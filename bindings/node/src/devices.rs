//! The global `MediaDevices` (`MediaDevices::global()`, configured by
//! `LMS_BACKENDS` and friends until `configure()` is called): opening,
//! enumerating, configuration and the fake devices' test controls.

use lms_core::{MediaDevices, MediaStream};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::error::check;
use crate::track::NativeTrack;

fn devices() -> &'static MediaDevices {
    MediaDevices::global()
}

/// Replace the configuration with a JSON document (see the README); absent
/// keys keep the environment's values. Open devices keep running.
#[napi]
pub fn configure(env: &Env, config_json: String) -> Result<()> {
    check(env, devices().configure(&config_json))
}

/// `getUserMedia()` with constraints as JSON: the new tracks (audio first),
/// opened off the JS thread.
#[napi(ts_return_type = "Promise<Array<NativeTrack>>")]
pub fn get_user_media(constraints_json: String) -> AsyncTask<OpenTask> {
    AsyncTask::new(OpenTask { constraints_json })
}

/// `getUserMedia()` on the thread pool.
pub struct OpenTask {
    constraints_json: String,
}

impl Task for OpenTask {
    type Output = lms_core::Result<MediaStream>;
    type JsValue = Vec<NativeTrack>;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(devices().get_user_media_json(&self.constraints_json))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Vec<NativeTrack>> {
        // The core stream is dropped here: each NativeTrack holds the only
        // handle to its track, so collecting its JS wrapper releases the device.
        let stream = check(&env, output)?;
        Ok(stream
            .get_tracks()
            .into_iter()
            .map(NativeTrack::new)
            .collect())
    }
}

/// One input device, as `enumerateDevices()` lists it.
#[napi(object)]
pub struct DeviceRecord {
    pub device_id: String,
    /// `"audioinput"` or `"videoinput"`.
    #[napi(ts_type = "'audioinput' | 'videoinput' | 'audiooutput'")]
    pub kind: String,
    pub label: String,
    pub group_id: String,
    /// `getCapabilities()` of a track on this device, as JSON.
    pub capabilities: String,
}

/// `enumerateDevices()` off the JS thread.
#[napi(ts_return_type = "Promise<Array<DeviceRecord>>")]
pub fn enumerate_devices() -> AsyncTask<EnumerateTask> {
    AsyncTask::new(EnumerateTask)
}

/// `enumerateDevices()` on the thread pool.
pub struct EnumerateTask;

impl Task for EnumerateTask {
    type Output = lms_core::Result<Vec<DeviceRecord>>;
    type JsValue = Vec<DeviceRecord>;

    fn compute(&mut self) -> Result<Self::Output> {
        let md = devices();
        Ok(md.enumerate_devices().map(|list| {
            list.into_iter()
                .map(|info| DeviceRecord {
                    // A device gone since the listing has no capabilities: `{}`;
                    // nor has an output (it is not captured from).
                    capabilities: if info.output {
                        "{}".into()
                    } else {
                        md.device_capabilities(&info.device_id)
                            .map(|c| c.to_string())
                            .unwrap_or_else(|_| "{}".into())
                    },
                    kind: info.device_kind().to_string(),
                    device_id: info.device_id,
                    label: info.label,
                    group_id: info.group_id,
                })
                .collect()
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Vec<DeviceRecord>> {
        check(&env, output)
    }
}

/// `getSupportedConstraints()` as JSON.
#[napi]
pub fn supported_constraints() -> String {
    serde_json::to_string(&MediaDevices::get_supported_constraints())
        .unwrap_or_else(|_| "{}".into())
}

/// Apply a test control to a fake device: `disconnect`, `reconnect`, `mute`,
/// `unmute`, `fail`, `busy`, `free`, `controls-refuse`, `controls-accept`.
#[napi]
pub fn fake_device_control(env: &Env, device_id: String, action: String) -> Result<()> {
    check(env, devices().fake_device_control(&device_id, &action))
}

/// How often a fake device was opened and closed.
#[napi(object)]
pub struct DeviceUsage {
    pub opens: f64,
    pub closes: f64,
}

/// How often a fake device was opened and closed.
#[napi]
pub fn fake_device_usage(env: &Env, device_id: String) -> Result<DeviceUsage> {
    let usage = check(env, devices().fake_device_usage(&device_id))?;
    Ok(DeviceUsage {
        opens: usage.opens as f64,
        closes: usage.closes as f64,
    })
}
