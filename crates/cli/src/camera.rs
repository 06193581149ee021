//! Opening one camera by its deviceId, for `lms controls` and `lms photo`.

use lms_core::{DeviceInfo, Error, MediaDevices, MediaKind, MediaStream, MediaStreamTrack};
use serde_json::{Map, Value};

/// An open camera: its stream (stopped when dropped) and its video track.
pub struct OpenCamera {
    pub device: DeviceInfo,
    pub stream: MediaStream,
    pub track: MediaStreamTrack,
}

impl Drop for OpenCamera {
    fn drop(&mut self) {
        self.stream.stop();
    }
}

/// The camera `device_id` names: NotFoundError for an unknown id, TypeError
/// for a microphone (`what` says what needs a camera).
pub fn find(md: &MediaDevices, device_id: &str, what: &str) -> Result<DeviceInfo, Error> {
    let device = crate::devices::find(md, device_id)?;
    if device.kind != MediaKind::Video {
        return Err(Error::Type(format!(
            "{device_id} is a microphone: {what} needs a camera (a videoinput device)"
        )));
    }
    Ok(device)
}

/// getUserMedia for `device` alone, with `extra` video constraints beside its deviceId.
pub fn open(
    md: &MediaDevices,
    device: DeviceInfo,
    extra: Map<String, Value>,
) -> Result<OpenCamera, Error> {
    let mut video = Map::new();
    video.insert(
        "deviceId".into(),
        serde_json::json!({"exact": device.device_id}),
    );
    video.extend(extra);
    let constraints = serde_json::json!({ "video": video });
    let stream = md.get_user_media_json(&constraints.to_string())?;
    let track = stream
        .get_video_tracks()
        .into_iter()
        .next()
        .ok_or_else(|| {
            Error::Internal(format!(
                "getUserMedia for {} gave no video track",
                device.device_id
            ))
        })?;
    Ok(OpenCamera {
        device,
        stream,
        track,
    })
}
