//! `lms controls` and `lms photo` on the fake camera: every control listed
//! with its range and value (as a table and as JSON), values set and read
//! back, bad names and values refused with their exit codes, and photos that
//! decode (JPEG with our own decoder, PNG with png) at the size asked for.

mod support;

use std::path::Path;

use lms_core::backend::file::mjpeg;
use lms_core::{PixelFormat, VideoBuffer};
use serde_json::{json, Value};
use support::{lms, out_dir, s, text};

const CONTROLS: [&str; 16] = [
    "whiteBalanceMode",
    "exposureMode",
    "focusMode",
    "exposureCompensation",
    "exposureTime",
    "colorTemperature",
    "iso",
    "brightness",
    "contrast",
    "saturation",
    "sharpness",
    "focusDistance",
    "pan",
    "tilt",
    "zoom",
    "torch",
];

fn controls_json(args: &[&str]) -> Value {
    let mut all = vec!["controls", "fake:video:0", "--fake", "--json"];
    all.extend(args);
    let out = lms(&all);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// The JPEG's size from its frame header, and its pixels decoded (RGB).
fn decode_jpeg(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).expect("the photo");
    let frame = mjpeg::frame_at(&bytes, 0, 0)
        .expect("a valid JPEG")
        .expect("one picture");
    assert_eq!(frame.len, bytes.len(), "one JPEG, nothing after it");
    let mut rgb = VideoBuffer::new(PixelFormat::Rgb24, frame.width, frame.height).expect("size");
    mjpeg::decode_rgb(&bytes, &mut rgb).expect("the picture decodes");
    assert!(
        rgb.plane(0).iter().any(|&b| b > 0),
        "the picture is not all black"
    );
    (frame.width, frame.height)
}

fn decode_png(path: &Path) -> (u32, u32) {
    let decoder = png::Decoder::new(std::fs::File::open(path).expect("the photo"));
    let mut reader = decoder.read_info().expect("a valid PNG");
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).expect("its picture decodes");
    (info.width, info.height)
}

#[test]
fn controls_lists_every_control_of_the_fake_camera_with_its_range_and_value() {
    let out = lms(&["controls", "fake:video:0", "--fake"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("Fake Camera 0 (fake:video:0)"),
        "{table}"
    );
    assert!(lines[1].starts_with("CONTROL"), "{table}");
    for (name, line) in CONTROLS.iter().zip(&lines[2..]) {
        assert!(line.starts_with(name), "{name} in order: {table}");
    }
    let row = |name: &str| {
        lines
            .iter()
            .find(|l| l.split_whitespace().next() == Some(name))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    assert_eq!(row("brightness"), "brightness 128 0 to 255, step 1");
    assert_eq!(
        row("exposureMode"),
        "exposureMode continuous manual continuous"
    );
    assert_eq!(row("zoom"), "zoom 1 1 to 4, step 0.1");
    assert_eq!(row("torch"), "torch false false true");
    assert!(
        row("exposureTime").contains("chosen by the camera: exposureMode is continuous"),
        "{table}"
    );

    let doc = controls_json(&[]);
    assert_eq!(doc["device"]["deviceId"], "fake:video:0");
    let controls = doc["controls"].as_object().expect("controls");
    assert_eq!(controls.len(), CONTROLS.len());
    assert_eq!(
        controls["brightness"],
        json!({"value": 128, "min": 0, "max": 255, "step": 1})
    );
    assert_eq!(
        controls["exposureCompensation"],
        json!({"value": 0, "min": -3, "max": 3, "step": 0.5})
    );
    assert_eq!(
        controls["focusMode"],
        json!({"value": "continuous", "values": ["manual", "continuous"]})
    );
    assert_eq!(
        controls["torch"],
        json!({"value": false, "values": [false, true]})
    );
}

#[test]
fn set_writes_controls_and_shows_them_read_back() {
    let doc = controls_json(&["--set", "brightness=200"]);
    assert_eq!(doc["controls"]["brightness"]["value"], 200);
    assert_eq!(
        doc["controls"]["contrast"]["value"], 128,
        "others untouched"
    );

    let doc = controls_json(&[
        "--set",
        "exposureTime=100",
        "--set",
        "zoom=2.5",
        "--set",
        "torch=true",
        "--set",
        "focusMode=manual",
    ]);
    let c = &doc["controls"];
    assert_eq!(c["exposureTime"]["value"], 100);
    assert_eq!(
        c["exposureMode"]["value"], "manual",
        "a manual value switches its mode to manual"
    );
    assert_eq!(c["zoom"]["value"], 2.5);
    assert_eq!(c["torch"]["value"], true);
    assert_eq!(c["focusMode"]["value"], "manual");

    let out = lms(&[
        "controls",
        "fake:video:0",
        "--fake",
        "--set",
        "brightness=200",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(table.contains("set: brightness=200"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.split_whitespace().take(2).collect::<Vec<_>>() == ["brightness", "200"]),
        "{table}"
    );
}

#[test]
fn bad_control_names_and_values_are_refused_clearly() {
    // Not a control at all: a bad command line, naming it and listing the controls.
    let out = lms(&["controls", "fake:video:0", "--fake", "--set", "sparkle=3"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("unknown control \"sparkle\"")
            && CONTROLS.iter().all(|c| stderr.contains(c)),
        "{stderr}"
    );
    for (set, needle) in [
        ("brightness=bright", "brightness takes a number"),
        ("focusMode=auto", "focusMode takes a mode"),
        ("torch=maybe", "torch takes true or false"),
        ("brightness", "NAME=VALUE"),
    ] {
        let out = lms(&["controls", "fake:video:0", "--fake", "--set", set]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{set}: {stderr}");
        assert!(stderr.contains(needle), "{set}: {stderr}");
    }
    // Out of range: the library's OverconstrainedError, naming the control.
    for (set, needle) in [
        ("brightness=300", "OverconstrainedError: brightness"),
        ("zoom=1000", "OverconstrainedError: zoom"),
        ("focusMode=single-shot", "OverconstrainedError: focusMode"),
    ] {
        let out = lms(&["controls", "fake:video:0", "--fake", "--set", set]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(14), "{set}: {stderr}");
        assert!(
            stderr.starts_with("lms: ") && stderr.contains(needle),
            "{set}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "nothing listed after a failure");
    }
    let out = lms(&["controls", "fake:audio:0", "--fake"]);
    assert_eq!(out.status.code(), Some(11), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("microphone"));
    let out = lms(&["controls", "fake:video:9", "--fake"]);
    assert_eq!(out.status.code(), Some(12), "{}", text(&out.stderr));
}

#[test]
fn photo_writes_a_jpeg_or_png_of_the_size_asked() {
    let dir = out_dir("photo");
    std::fs::create_dir_all(&dir).expect("a folder");

    let jpg = dir.join("small.jpg");
    let out = lms(&[
        "photo",
        "fake:video:0",
        s(&jpg),
        "--fake",
        "--width",
        "320",
        "--height",
        "240",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(decode_jpeg(&jpg), (320, 240));
    assert!(
        text(&out.stdout).contains("320x240 image/jpeg"),
        "{}",
        text(&out.stdout)
    );

    let default = dir.join("default.jpeg");
    let out = lms(&["photo", "fake:video:0", s(&default), "--fake"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        decode_jpeg(&default),
        (640, 480),
        "the camera's default size"
    );

    // Larger than the camera's default: the camera is asked for it first.
    let large = dir.join("large.jpg");
    let out = lms(&[
        "photo",
        "fake:video:0",
        s(&large),
        "--fake",
        "--width",
        "1280",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        decode_jpeg(&large),
        (1280, 960),
        "one side keeps the aspect ratio"
    );

    let png = dir.join("photo.png");
    let out = lms(&["photo", "fake:video:0", s(&png), "--fake", "--width", "160"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(decode_png(&png), (160, 120));

    let out = lms(&[
        "photo",
        "fake:video:0",
        s(&dir.join("huge.jpg")),
        "--fake",
        "--width",
        "100000",
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(14), "{stderr}");
    assert!(
        stderr.contains("OverconstrainedError: imageWidth"),
        "{stderr}"
    );
    assert!(!dir.join("huge.jpg").exists());

    let out = lms(&["photo", "fake:audio:0", s(&dir.join("a.jpg")), "--fake"]);
    assert_eq!(out.status.code(), Some(11), "{}", text(&out.stderr));
    let out = lms(&[
        "photo",
        "fake:video:0",
        "/proc/lms-cannot-write.jpg",
        "--fake",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_explains_controls_and_photo() {
    let top = text(&lms(&["--help"]).stdout);
    assert!(top.contains("controls") && top.contains("photo"), "{top}");
    let controls = text(&lms(&["controls", "--help"]).stdout);
    for needle in [
        "--set",
        "NAME=VALUE",
        "--json",
        "OverconstrainedError",
        "manual",
    ] {
        assert!(controls.contains(needle), "{needle}: {controls}");
    }
    let photo = text(&lms(&["photo", "--help"]).stdout);
    for needle in ["FILE", "--width", "--height", ".png", "JPEG"] {
        assert!(photo.contains(needle), "{needle}: {photo}");
    }
}
