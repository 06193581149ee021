//! A WASAPI microphone through the cpal backend: under Wine, whose WASAPI
//! (winepulse.drv) reads a PulseAudio server that `scripts/wine-pulse`
//! starts with a 440 Hz sine as its default source.
//!
//! ```text
//! CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine64 WINEPREFIX=$PWD/target/wine \
//!   scripts/wine-pulse cargo test -Z build-std --target x86_64-pc-windows-gnu \
//!   -p lms-core --test cpal_wasapi
//! ```
//!
//! The script says which tone plays in `LMS_WINE_TONE_HZ`; without it the
//! test fails (it never passes without having heard the tone).
#![cfg(all(windows, feature = "cpal"))]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait};
use lms_core::audio::testing::{channel, estimate_frequency};
use lms_core::backend::cpal::usage_of;
use lms_core::{MediaDevices, ReadyState, Samples, TrackEvent};

const TIMEOUT: Option<Duration> = Some(Duration::from_secs(5));
/// Set in the second process of the id-stability check.
const CHILD: &str = "LMS_CPAL_WASAPI_CHILD";

fn tone_hz() -> f64 {
    let Some(hz) = std::env::var_os("LMS_WINE_TONE_HZ") else {
        panic!(
            "LMS_WINE_TONE_HZ is not set: run this test through scripts/wine-pulse \
             (it starts a PulseAudio whose default source is a 440 Hz sine for Wine's \
             WASAPI and says so in LMS_WINE_TONE_HZ), e.g. \
             `WINEPREFIX=$PWD/target/wine scripts/wine-pulse cargo test --target \
             x86_64-pc-windows-gnu -p lms-core --test cpal_wasapi`"
        )
    };
    hz.to_string_lossy()
        .parse()
        .unwrap_or_else(|e| panic!("LMS_WINE_TONE_HZ={hz:?}: {e}"))
}

fn media_devices() -> MediaDevices {
    MediaDevices::from_json(r#"{"backends": ["cpal"], "queueSize": 1024}"#).expect("configuration")
}

fn ids(md: &MediaDevices) -> Vec<String> {
    md.enumerate_devices()
        .expect("devices")
        .into_iter()
        .map(|d| format!("{}|{}|{}", d.device_id, d.group_id, d.label))
        .collect()
}

#[test]
fn a_wasapi_microphone_plays_the_tone_and_is_released() {
    if std::env::var_os(CHILD).is_some() {
        // The second process of the stability check: print the list.
        for id in ids(&media_devices()) {
            println!("LMS-ID {id}");
        }
        return;
    }
    let tone = tone_hz();
    let md = media_devices();
    assert_eq!(
        md.unavailable_backends().expect("backends"),
        Vec::<(String, String)>::new()
    );

    // The list: WASAPI capture endpoints by their endpoint ids, the system default first.
    let all = md.enumerate_devices().expect("devices");
    eprintln!("devices: {all:#?}");
    // The render endpoints are listed after the capture ones, as `audiooutput`.
    let (outputs, devices): (Vec<_>, Vec<_>) = all.into_iter().partition(|d| d.output);
    for d in &outputs {
        assert_eq!(d.device_kind(), "audiooutput");
        assert!(
            d.device_id.starts_with("cpal:{0.0.0."),
            "a WASAPI render endpoint id: {}",
            d.device_id
        );
    }
    assert!(
        !devices.is_empty(),
        "Wine's WASAPI lists no microphone (is winepulse reaching the PulseAudio of \
         scripts/wine-pulse?)"
    );
    let host = cpal::default_host();
    assert_eq!(host.id(), cpal::HostId::Wasapi);
    let default = host
        .default_input_device()
        .expect("WASAPI has a default capture endpoint");
    let default_id = format!("cpal:{}", default.id().expect("its id").id());
    assert_eq!(devices[0].device_id, default_id, "the system default first");
    for d in &devices {
        let endpoint = d.device_id.strip_prefix("cpal:").expect("cpal: prefix");
        assert!(
            endpoint.starts_with("{0.0.1.") && endpoint.ends_with('}'),
            "a WASAPI capture endpoint id, not an index or a label: {}",
            d.device_id
        );
        assert!(!d.label.is_empty() && !d.group_id.is_empty(), "{d:?}");
    }

    // The same ids in another process.
    let output = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "a_wasapi_microphone_plays_the_tone_and_is_released",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .expect("run the second process");
    assert!(output.status.success(), "{output:?}");
    let there: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| l.split_once("LMS-ID ").map(|(_, id)| id.to_string()))
        .collect();
    assert_eq!(
        ids(&md),
        there,
        "the same devices and ids in another process"
    );

    // No devicechange while nothing changes (the watcher lists once a second).
    let changes = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&changes);
    md.add_device_change_listener(move |_| {
        counted.fetch_add(1, Ordering::SeqCst);
    });

    // One second and more of the default microphone.
    let started = Instant::now();
    let stream = md
        .get_user_media_json(r#"{"audio": true}"#)
        .expect("getUserMedia({audio: true})");
    let track = stream.get_audio_tracks().remove(0);
    let ended = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = Arc::clone(&ended);
    track.add_event_listener(TrackEvent::Ended, move |e| {
        seen.lock().unwrap().push(e.detail.clone())
    });
    let settings = track.settings_json();
    eprintln!("settings: {settings}");
    assert_eq!(settings["deviceId"], default_id.as_str(), "{settings}");
    assert_eq!(
        usage_of(&default_id).map(|u| u.is_open()),
        Some(true),
        "open while captured"
    );
    let rate = settings["sampleRate"].as_u64().expect("sampleRate") as usize;
    let channels = settings["channelCount"].as_u64().expect("channelCount") as usize;
    let mut samples = Vec::new();
    let mut chunks = 0;
    // Skip the start (the first WASAPI packets may be silence), then 1.5 s.
    let skip = rate / 5;
    while samples.len() < (skip + rate * 3 / 2) * channels {
        let frame = track.read(TIMEOUT).unwrap_or_else(|e| {
            lms_core::events::flush();
            panic!(
                "a chunk of audio after {} frames ({:.1} s): {e}; ended: {:?}",
                samples.len() / channels,
                started.elapsed().as_secs_f64(),
                ended.lock().unwrap()
            )
        });
        chunks += 1;
        match frame.audio().expect("audio").samples() {
            Samples::F32(s) => samples.extend_from_slice(s),
            Samples::S16(s) => samples.extend(s.iter().map(|&v| f32::from(v) / 32768.0)),
        }
    }
    let captured = Duration::from_secs_f64((samples.len() / channels) as f64 / rate as f64);
    let left = channel(&samples[skip * channels..], channels, 0);
    let hz = estimate_frequency(&left, rate as u32);
    let peak = left.iter().fold(0.0f32, |m, &v| m.max(v.abs()));
    eprintln!(
        "captured {:.2} s in {chunks} chunks ({:.2} s wall): {hz:.3} Hz, peak {peak:.3}",
        captured.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    assert!(captured >= Duration::from_secs(1), "{captured:?}");
    assert!(peak > 0.05, "the tone, not silence: peak {peak}");
    assert!(
        (hz - tone).abs() <= 2.0,
        "the microphone plays {tone} Hz, captured as {hz} Hz"
    );
    // The watcher has looked at the list at least twice meanwhile.
    std::thread::sleep(Duration::from_millis(2_200).saturating_sub(started.elapsed()));

    // stop() releases the device, and fires no `ended`.
    stream.stop();
    assert_eq!(track.ready_state(), ReadyState::Ended);
    let usage = usage_of(&default_id).expect("counted");
    assert_eq!((usage.opens, usage.closes), (1, 1), "released after stop()");
    lms_core::events::flush();
    assert!(
        ended.lock().unwrap().is_empty(),
        "stop() fires no ended: {:?}",
        ended.lock().unwrap()
    );
    assert_eq!(
        changes.load(Ordering::SeqCst),
        0,
        "no devicechange while the devices stay as they are"
    );

    // Released: it opens again.
    let again = md
        .get_user_media_json(&format!(
            r#"{{"audio": {{"deviceId": {{"exact": "{default_id}"}}}}}}"#
        ))
        .expect("the device opens again after stop()");
    let track = again.get_audio_tracks().remove(0);
    track.read(TIMEOUT).expect("audio again");
    again.stop();
    let usage = usage_of(&default_id).expect("counted");
    assert_eq!((usage.opens, usage.closes), (2, 2));
}
