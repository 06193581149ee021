//! A broken ALSA device (its sample file is missing) that was never seen
//! working is not offered: asking for a microphone, that one or an unknown
//! cpal device id is `NotFoundError`; never a panic. (A device that stops working after it was seen stays
//! listed and gives `NotReadableError`: cpal_pulse.rs. Its own test binary:
//! it sets `ALSA_CONFIG_PATH`.)
// ALSA devices (its file plugin, a user-space PulseAudio): Linux only; the
// Windows microphone test is cpal_wasapi.rs, run under Wine.
#![cfg(all(feature = "cpal", target_os = "linux"))]

mod cpal_support;

use cpal_support::*;

#[test]
fn broken_and_missing_devices_are_errors() {
    let fixture = install(0.1);
    std::fs::remove_file(fixture.dir.join("tone.raw")).expect("remove the samples");
    let md = media_devices();
    // The broken default cannot be queried, so it is not offered as a
    // microphone (its playback side, writing to /dev/null, is an output);
    // asking for it is an error.
    let ids: Vec<String> = md
        .enumerate_devices()
        .expect("devices")
        .into_iter()
        .filter(|d| d.device_kind() == "audioinput")
        .map(|d| d.device_id)
        .collect();
    assert!(!ids.iter().any(|i| i == "cpal:default"), "{ids:?}");
    // No microphone at all: NotFoundError, as a browser says.
    let err = md.get_user_media_json(r#"{"audio": true}"#).unwrap_err();
    assert_eq!(err.name(), "NotFoundError", "{err}");
    // Insisting on the broken or an unknown device: still NotFoundError (with no
    // microphone at all the spec fails before looking at constraints).
    for id in ["cpal:default", "cpal:no-such-device"] {
        let err = md
            .get_user_media_json(&format!(
                r#"{{"audio": {{"deviceId": {{"exact": "{id}"}}}}}}"#
            ))
            .unwrap_err();
        assert_eq!(err.name(), "NotFoundError", "{err}");
    }
    let _ = std::fs::remove_dir_all(&fixture.dir);
}
