//! A camera for the nokhwa tests, on machines without one: `standin.c`, a V4L2
//! device in user space loaded with `LD_PRELOAD` (see its header), compiled
//! here with the system's C compiler, and the pictures it serves.
//!
//! A test that needs the camera starts with `if !in_standin("its_name") {
//! return; }`: run by the harness, it builds the stand-in and the pictures,
//! runs its own test binary again as a child (`--exact its_name`) with the
//! stand-in preloaded, and asserts that the child passed; in the child, it
//! returns true and the test body runs against the camera.
//!
//! The camera, `/dev/video0`: "LMS Stand-in Camera" on bus
//! `usb-lms-standin-1.2`, facing the user, with YUYV 640x480 at 30 and 15 fps,
//! YUYV 320x240 at 30 (rows padded by 64 bytes) and MJPEG 640x480 at 30 and
//! 15. Its pictures are the fake camera's ([`Painter`]), so each carries its
//! frame counter ([`decode_sequence`]), for [`PICTURES`] pictures in a loop.
//!
//! It has the controls of a common UVC webcam (listed in `standin.c`), writes
//! to them are logged ([`control_log`]: what reached the driver, in order),
//! and knobs make the driver refuse a control ([`refuse_control`]), clamp it
//! silently ([`limit_control`]), flag it ([`flag_control`]: disabled,
//! grabbed, read-only) or gain more ([`extend_controls`]: iso, exposure
//! bias, a torch).
#![allow(dead_code)]

use std::ffi::{c_char, c_int, c_long, CString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use lms_core::video::{decode_sequence, Converter, PaintState, Painter};
use lms_core::{MediaDevices, PixelFormat, VideoBuffer};

pub const TIMEOUT: Option<Duration> = Some(Duration::from_secs(5));
/// How long [`within`] waits for something that must happen: long, as it
/// returns as soon as it happens; only a test that fails waits it out.
pub const WAIT: Duration = Duration::from_secs(30);
/// Pictures per mode; the frame counter is shown modulo this.
pub const PICTURES: u64 = 32;
pub const NODE: i32 = 0;
pub const LABEL: &str = "LMS Stand-in Camera";
pub const BUS: &str = "usb-lms-standin-1.2";
pub const DEVICE_ID: &str = "nokhwa:usb-lms-standin-1.2";
pub const GROUP_ID: &str = "nokhwa:group:usb-lms-standin-1.2";
const CHILD: &str = "LMS_STANDIN_CHILD";
/// Where the stand-in logs control writes (set for the child by [`in_standin`]).
const CONTROL_LOG: &str = "LMS_STANDIN_CONTROL_LOG";
/// Bump when the pictures or the configuration change.
const FIXTURE_VERSION: u32 = 1;

/// The camera's modes: format, size, rates, row padding.
const MODES: [(&str, u32, u32, &str, u32); 3] = [
    ("YUYV", 640, 480, "30,15", 0),
    ("YUYV", 320, 240, "30", 64),
    ("MJPG", 640, 480, "30,15", 0),
];

/// The stand-in library and its configuration, made once per process.
pub struct Standin {
    pub library: PathBuf,
    pub config: PathBuf,
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn work_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lms-v4l2-standin");
    std::fs::create_dir_all(&dir).expect("the stand-in's directory");
    dir
}

/// Write `bytes` to `path` through a temporary name, so a concurrent test
/// binary never reads half a file.
fn write_atomically(path: &Path, bytes: &[u8]) {
    let temp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&temp, bytes).expect("write a stand-in file");
    std::fs::rename(&temp, path).expect("rename a stand-in file");
}

/// Compile `standin.c` into a shared library (once per source version).
fn library() -> PathBuf {
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/v4l2_support/standin.c");
    let text = std::fs::read(source).expect("standin.c");
    let out = work_dir().join(format!("liblms_v4l2_standin_{:016x}.so", fnv(&text)));
    if out.exists() {
        return out;
    }
    let temp = out.with_extension(format!("tmp{}", std::process::id()));
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let output = Command::new(&cc)
        .args([
            "-shared",
            "-fPIC",
            "-O2",
            "-Wall",
            "-U_FORTIFY_SOURCE",
            "-o",
        ])
        .arg(&temp)
        .arg(source)
        .args(["-ldl", "-lpthread"])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "the V4L2 stand-in needs a C compiler: running `{cc}` failed ({e}); \
                 install gcc (scripts/setup) or set CC"
            )
        });
    assert!(
        output.status.success(),
        "compiling the V4L2 stand-in with `{cc}` failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::rename(&temp, &out).expect("rename the stand-in library");
    out
}

/// The painted I420 picture `k` at `width` x `height`.
pub fn reference(width: u32, height: u32, k: u64) -> VideoBuffer {
    let mut picture = VideoBuffer::new(PixelFormat::I420, width, height).expect("a picture");
    Painter::new(width, height).paint(&mut picture, &mut PaintState::default(), k);
    picture
}

/// `picture` in another format, by the core's own converter.
pub fn converted(picture: &VideoBuffer, format: PixelFormat) -> VideoBuffer {
    let mut out = VideoBuffer::new(format, picture.width(), picture.height()).expect("a picture");
    Converter::new()
        .convert(picture, &mut out)
        .expect("conversion");
    out
}

/// JPEG `k` of the MJPEG mode, as the stand-in serves it.
pub fn jpeg(width: u32, height: u32, k: u64) -> Vec<u8> {
    let rgb = converted(&reference(width, height, k), PixelFormat::Rgb24);
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(
            rgb.plane(0),
            width as u16,
            height as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .expect("JPEG encoding");
    out
}

/// The pictures and the configuration (once per fixture version).
fn config() -> PathBuf {
    let dir = work_dir().join(format!("fixture-v{FIXTURE_VERSION}"));
    let config = dir.join("config");
    if config.exists() {
        return config;
    }
    std::fs::create_dir_all(&dir).expect("the fixture directory");
    let mut text = format!("device|{NODE}|{LABEL}|{BUS}|user\n");
    for (code, width, height, rates, padding) in MODES {
        let frames = dir.join(format!("{code}-{width}x{height}.bin"));
        let mut bytes = Vec::new();
        for k in 0..PICTURES {
            if code == "MJPG" {
                let j = jpeg(width, height, k);
                bytes.extend_from_slice(&(j.len() as u32).to_le_bytes());
                bytes.extend_from_slice(&j);
            } else {
                let yuyv = converted(&reference(width, height, k), PixelFormat::Yuy2);
                bytes.extend_from_slice(yuyv.plane(0));
            }
        }
        write_atomically(&frames, &bytes);
        text.push_str(&format!(
            "mode|{code}|{width}|{height}|{rates}|{}|{padding}\n",
            frames.display()
        ));
    }
    write_atomically(&config, text.as_bytes());
    config
}

/// The stand-in, built on first use.
pub fn standin() -> &'static Standin {
    static STANDIN: OnceLock<Standin> = OnceLock::new();
    STANDIN.get_or_init(|| Standin {
        library: library(),
        config: config(),
    })
}

/// True in the child, where the stand-in is loaded: run the test body. In
/// the harness: run the test `name` in a child with the stand-in, assert
/// that it passed, and return false.
pub fn in_standin(name: &str) -> bool {
    if std::env::var_os(CHILD).is_some() {
        return true;
    }
    let standin = standin();
    let logs = work_dir().join("control-logs");
    std::fs::create_dir_all(&logs).expect("the control logs' directory");
    let log = logs.join(format!("{name}-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&log);
    let output = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", name, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env("LD_PRELOAD", &standin.library)
        .env("LMS_STANDIN_CONFIG", &standin.config)
        .env(CONTROL_LOG, &log)
        .env_remove("LMS_BACKENDS")
        .output()
        .expect("run the test with the stand-in");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{name} with the V4L2 stand-in: {}\n--- stdout\n{stdout}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    false
}

/// A function of the preloaded stand-in.
fn symbol(name: &str) -> *mut libc::c_void {
    let c_name = CString::new(name).expect("symbol name");
    // SAFETY: dlsym with a valid NUL-terminated name; RTLD_DEFAULT searches the process.
    let found = unsafe { libc::dlsym(libc::RTLD_DEFAULT, c_name.as_ptr()) };
    assert!(
        !found.is_null(),
        "{name}: the V4L2 stand-in is not loaded (run through in_standin)"
    );
    found
}

/// Tell the camera to `vanish`, `return`, be `busy`, `broken`, `error`, `wedged`, `stall`, or `ok`.
pub fn control(action: &str) {
    type Control = unsafe extern "C" fn(c_int, *const c_char) -> c_int;
    // SAFETY: the stand-in defines lms_standin_control with this signature.
    let f: Control = unsafe { std::mem::transmute(symbol("lms_standin_control")) };
    let c_action = CString::new(action).expect("action");
    // SAFETY: a valid string; the stand-in copies nothing from it.
    assert_eq!(
        unsafe { f(NODE, c_action.as_ptr()) },
        0,
        "stand-in action {action}"
    );
}

/// What the camera saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub opens: i64,
    pub closes: i64,
    /// Descriptors open on the camera now.
    pub open_now: i64,
    pub streamons: i64,
    pub streamoffs: i64,
    pub frames: i64,
    /// The frame rate the camera is set to (fps).
    pub frame_rate: i64,
}

impl Usage {
    pub fn streaming(&self) -> bool {
        self.streamons > self.streamoffs
    }
}

pub fn usage() -> Usage {
    type GetUsage = unsafe extern "C" fn(c_int, *mut c_long) -> c_int;
    // SAFETY: the stand-in defines lms_standin_usage with this signature.
    let f: GetUsage = unsafe { std::mem::transmute(symbol("lms_standin_usage")) };
    let mut out: [c_long; 7] = [0; 7];
    // SAFETY: `out` has the 7 slots the stand-in writes.
    assert_eq!(unsafe { f(NODE, out.as_mut_ptr()) }, 0);
    Usage {
        opens: out[0],
        closes: out[1],
        open_now: out[2],
        streamons: out[3],
        streamoffs: out[4],
        frames: out[5],
        frame_rate: out[6],
    }
}

/// One control write that reached the stand-in (a line of its log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlSet {
    /// `S_EXT_CTRLS` or `S_CTRL`.
    pub call: String,
    pub id: u32,
    /// v4l2-ctl's name: `zoom_absolute`.
    pub name: String,
    /// The value asked for.
    pub asked: i64,
    /// `ok`, the errno's name (`EBUSY`), or `skipped` (another control of
    /// the same call was refused).
    pub result: String,
    /// The value the driver holds after the call.
    pub held: i64,
}

impl ControlSet {
    pub fn ok(&self) -> bool {
        self.result == "ok"
    }
}

/// Every control write that reached the stand-in so far, in order.
pub fn control_log() -> Vec<ControlSet> {
    let path = std::env::var_os(CONTROL_LOG).expect("the control log (run through in_standin)");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(|line| {
            let f: Vec<&str> = line.split('|').collect();
            assert_eq!(f.len(), 6, "a control log line: {line}");
            ControlSet {
                call: f[0].to_string(),
                id: u32::from_str_radix(f[1].trim_start_matches("0x"), 16).expect("an id"),
                name: f[2].to_string(),
                asked: f[3].parse().expect("a value"),
                result: f[4].to_string(),
                held: f[5].parse().expect("a value"),
            }
        })
        .collect()
}

/// The writes of one control (`"zoom_absolute"`), in order.
pub fn sets_of(name: &str) -> Vec<ControlSet> {
    control_log()
        .into_iter()
        .filter(|s| s.name == name)
        .collect()
}

/// Make every write of the control `name` (`"zoom_absolute"`) fail with `errno`.
pub fn refuse_control(name: &str, errno: i32) {
    control(&format!("refuse:{name}={errno}"));
}

/// Make the driver store writes of `name` above `max` as `max`, silently.
pub fn limit_control(name: &str, max: i64) {
    control(&format!("limit:{name}={max}"));
}

/// V4L2_CTRL_FLAG_* bits the control `name` reports on top of its own.
pub fn flag_control(name: &str, flags: u32) {
    control(&format!("flag:{name}={flags}"));
}

pub const FLAG_DISABLED: u32 = 0x0001;
pub const FLAG_GRABBED: u32 = 0x0002;
pub const FLAG_READ_ONLY: u32 = 0x0004;

/// Give the camera the controls a plain UVC webcam lacks: auto_exposure_bias
/// (an integer menu, -2..2 EV by 0.5), iso_sensitivity (100 to 1600) and
/// led_mode (off, flash, torch).
pub fn extend_controls() {
    control("extend");
}

/// Make the camera an old driver: no `VIDIOC_QUERY_EXT_CTRL`, no
/// `VIDIOC_G/S/TRY_EXT_CTRLS` (`ENOTTY`); `VIDIOC_QUERYCTRL` and
/// `VIDIOC_G/S_CTRL` still work.
pub fn legacy_controls() {
    control("legacy");
}

pub fn media_devices() -> MediaDevices {
    MediaDevices::from_json(r#"{"backends": ["nokhwa"], "queueSize": 64}"#).expect("configuration")
}

/// The frame counter painted into a raw picture, modulo [`PICTURES`].
pub fn counter(picture: &VideoBuffer) -> u64 {
    decode_sequence(picture).expect("a frame counter in the picture") % PICTURES
}

/// Counters in order: each after the one before, by at most half the loop
/// (a late reader may miss frames, but never sees one twice or backwards).
pub fn assert_in_order(counters: &[u64]) {
    for pair in counters.windows(2) {
        let step = (pair[1] + PICTURES - pair[0]) % PICTURES;
        assert!(
            (1..=PICTURES / 2).contains(&step),
            "frame counters out of order: {counters:?}"
        );
    }
}

/// Largest difference between two same-sized planes.
pub fn max_difference(a: &[u8], b: &[u8]) -> u8 {
    assert_eq!(a.len(), b.len(), "plane sizes");
    a.iter()
        .zip(b)
        .map(|(x, y)| x.abs_diff(*y))
        .max()
        .unwrap_or(0)
}

/// Mean absolute difference between two same-sized planes.
pub fn mean_difference(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len(), "plane sizes");
    let sum: u64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.len().max(1) as f64
}

/// Wait up to `limit` for `cond`.
pub fn within(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    cond()
}
