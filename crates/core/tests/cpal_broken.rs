//! A broken ALSA device (its sample file is missing) is not offered and
//! asking for it, or for an unknown cpal device id, is an error, not a panic. (Its own test
//! binary: it sets `ALSA_CONFIG_PATH`.)
#![cfg(feature = "cpal")]

mod cpal_support;

use cpal_support::*;

#[test]
fn broken_and_missing_devices_are_errors() {
    let fixture = install(0.1);
    std::fs::remove_file(fixture.dir.join("tone.raw")).expect("remove the samples");
    let md = media_devices();
    // The broken default cannot be queried, so it is not offered; asking for it is an error.
    let ids: Vec<String> = md
        .enumerate_devices()
        .expect("devices")
        .into_iter()
        .map(|d| d.device_id)
        .collect();
    assert!(!ids.iter().any(|i| i == "cpal:default"), "{ids:?}");
    let err = md
        .get_user_media_json(r#"{"audio": {"deviceId": {"exact": "cpal:default"}}}"#)
        .unwrap_err();
    assert!(
        matches!(
            err.name(),
            "NotReadableError" | "NotFoundError" | "OverconstrainedError"
        ),
        "{err}"
    );
    let err = md
        .get_user_media_json(r#"{"audio": {"deviceId": {"exact": "cpal:no-such-device"}}}"#)
        .unwrap_err();
    assert!(
        matches!(err.name(), "NotFoundError" | "OverconstrainedError"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&fixture.dir);
}
