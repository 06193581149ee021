//! A camera's device id is the same in two processes: the test runs (with the
//! user-space V4L2 camera of `v4l2_support`) and starts its own binary again
//! as the second process, which inherits the stand-in.
#![cfg(all(feature = "nokhwa", target_os = "linux"))]

mod v4l2_support;

use v4l2_support::*;

const SECOND: &str = "LMS_NOKHWA_ID_SECOND";

fn ids() -> Vec<String> {
    media_devices()
        .enumerate_devices()
        .expect("devices")
        .into_iter()
        .map(|d| format!("{}|{}|{}", d.device_id, d.group_id, d.label))
        .collect()
}

#[test]
fn device_ids_are_the_same_in_another_process() {
    if !in_standin("device_ids_are_the_same_in_another_process") {
        return;
    }
    if std::env::var_os(SECOND).is_some() {
        for id in ids() {
            println!("LMS-ID {id}");
        }
        return;
    }
    let output = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "device_ids_are_the_same_in_another_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(SECOND, "1")
        .output()
        .expect("run the second process");
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let there: Vec<String> = stdout
        .lines()
        .filter_map(|l| l.split_once("LMS-ID ").map(|(_, id)| id.to_string()))
        .collect();
    let here = ids();
    assert_eq!(here, vec![format!("{DEVICE_ID}|{GROUP_ID}|{LABEL}")]);
    assert_eq!(
        here,
        there,
        "the same ids in another process; its stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
