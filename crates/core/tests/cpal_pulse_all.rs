//! `echoCancellation: "all"` against a user-space PulseAudio: the system's
//! output is the far end. The default output (`speaker`) plays a sine; a
//! "room" sink hears it through `module-loopback` (a speaker heard by a
//! microphone, 50 ms later) and the room's monitor is the microphone. A track
//! asking `"all"` has the system's output (the default output's monitor,
//! recorded while it asks) cancelled from what it hears; a `"remote-only"`
//! track on the same microphone cancels only what the application renders
//! (nothing here) and hears the echo like a raw track.
//! (Its own test binary with one test: it sets `PULSE_SERVER` and `LMS_AUDIO_HOST`.)
#![cfg(all(feature = "cpal", target_os = "linux"))]

mod cpal_support;

use cpal_support::pulse::PulseServer;
use cpal_support::*;

/// Mean square of the f32 samples of `chunks` chunks of `track`.
fn energy_of(track: &lms_core::MediaStreamTrack, chunks: usize) -> f64 {
    let (samples, sequences) = read_f32(track, chunks);
    assert!(
        sequences.windows(2).all(|w| w[1] == w[0] + 1),
        "no chunk lost: {sequences:?}"
    );
    samples
        .iter()
        .map(|&x| f64::from(x) * f64::from(x))
        .sum::<f64>()
        / samples.len() as f64
}

fn db(ratio: f64) -> f64 {
    10.0 * ratio.max(1e-20).log10()
}

#[test]
fn all_cancels_what_the_system_plays_and_remote_only_does_not() {
    let _pulse = PulseServer::start_native_with(
        "load-module module-null-sink sink_name=room rate=48000 channels=1 \
         sink_properties=device.description=Room\n\
         load-module module-loopback source=speaker.monitor sink=room latency_msec=50\n",
    );
    let md = media_devices();
    let open = |echo: &str| {
        let stream = md
            .get_user_media_json(&format!(
                r#"{{"audio": {{"deviceId": {{"exact": "cpal:room.monitor"}},
                    "echoCancellation": {{"exact": {echo}}},
                    "noiseSuppression": false, "autoGainControl": false,
                    "sampleRate": 48000, "channelCount": 1}}}}"#
            ))
            .unwrap_or_else(|e| panic!("echoCancellation {echo}: {e}"));
        stream.get_audio_tracks().remove(0)
    };
    let raw = open("false");
    let all = open(r#""all""#);
    let remote = open(r#""remote-only""#);
    assert_eq!(all.settings_json()["echoCancellation"], "all");
    assert_eq!(remote.settings_json()["echoCancellation"], "remote-only");
    // Settle: the system's recording starts, the canceller converges (3 s).
    for _ in 0..300 {
        for track in [&raw, &all, &remote] {
            track.read(TIMEOUT).expect("a chunk");
        }
    }
    // Measure over the next 2 s, the three tracks read in step.
    let (mut e_raw, mut e_all, mut e_remote) = (0.0, 0.0, 0.0);
    for _ in 0..20 {
        e_raw += energy_of(&raw, 10);
        e_all += energy_of(&all, 10);
        e_remote += energy_of(&remote, 10);
    }
    let (all_db, remote_db) = (db(e_all / e_raw), db(e_remote / e_raw));
    println!(
        "raw echo {:.1} dBFS; \"all\": {all_db:.1} dB against raw; \"remote-only\": {remote_db:.1} dB",
        db(e_raw / 20.0)
    );
    assert!(
        db(e_raw / 20.0) > -40.0,
        "the room hears the speaker: {:.1} dB",
        db(e_raw / 20.0)
    );
    assert!(
        all_db <= -20.0,
        "\"all\" cancels the system's output: {all_db:.1} dB against the raw track"
    );
    assert!(
        remote_db > -6.0,
        "\"remote-only\" leaves the system's sound (nothing was rendered): {remote_db:.1} dB"
    );
}
