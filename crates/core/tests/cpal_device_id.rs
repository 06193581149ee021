//! A cpal device id is the same in two processes: this test runs its own
//! binary again as the second process. (Its own test binary: it sets
//! `ALSA_CONFIG_PATH`, which the child inherits.)
// ALSA devices (its file plugin, a user-space PulseAudio): Linux only; the
// Windows microphone test is cpal_wasapi.rs, run under Wine.
#![cfg(all(feature = "cpal", target_os = "linux"))]

mod cpal_support;

use cpal_support::*;

const CHILD: &str = "LMS_CPAL_ID_CHILD";

fn ids() -> Vec<String> {
    media_devices()
        .enumerate_devices()
        .expect("devices")
        .into_iter()
        .map(|d| format!("{}|{}", d.device_id, d.group_id))
        .collect()
}

#[test]
fn device_ids_are_stable_across_processes() {
    if std::env::var_os(CHILD).is_some() {
        // The harness may print "test ... " on the same line first.
        for id in ids() {
            println!("LMS-ID {id}");
        }
        return;
    }
    let fixture = install(0.5);
    let output = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "device_ids_are_stable_across_processes",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .expect("run the second process");
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let there: Vec<String> = stdout
        .lines()
        .filter_map(|l| l.split_once("LMS-ID ").map(|(_, id)| id.to_string()))
        .collect();
    let here = ids();
    assert!(
        here.iter().any(|i| i.starts_with("cpal:default|")),
        "{here:?}"
    );
    assert!(here.iter().all(|i| i.starts_with("cpal:")), "{here:?}");
    assert_eq!(
        here,
        there,
        "the same ids in another process; its stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = std::fs::remove_dir_all(&fixture.dir);
}
