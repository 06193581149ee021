//! One open camera: the thread that owns nokhwa's `Camera`, and its release.
//!
//! The thread opens the camera at exactly the mode the constraints picked
//! (nokhwa's `RequestedFormatType::Exact`), starts streaming and waits for
//! the first frame before `open` returns, so a busy or failing camera is a
//! `NotReadableError` of `getUserMedia()` and not a track that never gets a
//! frame. Then it copies each frame into a pooled picture
//! ([`super::picture`]) and hands it to the source, until told to stop, the
//! source goes away, or the camera fails: a failure (including the camera
//! being unplugged) ends the tracks with `ended`, once.
//!
//! Release: the camera is dropped on its thread when the last track stops
//! (the driver's `close`), so the device is free when `stop()` returns. A
//! thread waiting for a frame is woken ([`super::wake`]). nokhwa's `Camera`
//! unwraps `stop_stream()` in its `Drop`, and the `v4l` crate under it
//! panics when `VIDIOC_STREAMOFF` or `VIDIOC_REQBUFS` fails (twice, and so
//! aborts the process, when both do): we issue `VIDIOC_STREAMOFF` first
//! ourselves, drop the camera inside `catch_unwind`, and if even our
//! `VIDIOC_STREAMOFF` fails with anything but "no such device" we leave that
//! camera unreleased (`mem::forget`) rather than let the process abort.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
    Resolution,
};
use nokhwa::Camera;

use super::picture::Pictures;
use super::v4l2::{self, errno_in};
use super::wake::{descriptors_on, the_new_one, Waker};
use crate::backend::SourceSink;
use crate::clock::monotonic_us;
use crate::error::{Error, Result};
use crate::frame::{Frame, PixelFormat};

/// How long opening waits for the camera's first frame.
pub const FIRST_FRAME_TIMEOUT: Duration = Duration::from_secs(5);
/// How long closing waits for the capture thread once woken (it returns at
/// once unless the camera's descriptor could not be found).
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// What to open: a node, and the mode the constraints picked.
#[derive(Debug, Clone)]
pub(crate) struct Opening {
    pub number: u32,
    pub path: PathBuf,
    /// For messages: the label and the path.
    pub name: String,
    pub format: PixelFormat,
    pub width: u32,
    pub height: u32,
    pub rate: u32,
}

fn nokhwa_format(format: PixelFormat) -> Option<FrameFormat> {
    match format {
        PixelFormat::Yuy2 => Some(FrameFormat::YUYV),
        PixelFormat::Nv12 => Some(FrameFormat::NV12),
        PixelFormat::Rgb24 => Some(FrameFormat::RAWRGB),
        PixelFormat::Bgr24 => Some(FrameFormat::RAWBGR),
        PixelFormat::Mjpeg => Some(FrameFormat::MJPEG),
        _ => None,
    }
}

/// A camera being captured from.
pub(crate) struct Capture {
    stop: Arc<AtomicBool>,
    waker: Arc<Waker>,
    thread: Option<JoinHandle<()>>,
    /// Disconnected when the thread has finished (its sender dropped).
    done: Receiver<()>,
}

impl Capture {
    /// Open the camera and wait for its first frame; frames then go to `sink`.
    pub fn start(opening: Opening, sink: SourceSink) -> Result<Capture> {
        let stop = Arc::new(AtomicBool::new(false));
        let waker = Arc::new(Waker::new());
        let (ready_tx, ready_rx) = mpsc::channel::<Result<()>>();
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let name = opening.name.clone();
        let (stop_in, waker_in) = (Arc::clone(&stop), Arc::clone(&waker));
        let thread = std::thread::Builder::new()
            .name("lms-nokhwa".into())
            .spawn(move || {
                let _done = done_tx;
                capture(&opening, &sink, &stop_in, &waker_in, ready_tx);
            })
            .map_err(|e| Error::NotReadable(format!("cannot start a camera thread: {e}")))?;
        let mut started = Capture {
            stop,
            waker,
            thread: Some(thread),
            done: done_rx,
        };
        match ready_rx.recv_timeout(FIRST_FRAME_TIMEOUT) {
            Ok(Ok(())) => Ok(started),
            Ok(Err(e)) => {
                started.stop();
                Err(e)
            }
            Err(RecvTimeoutError::Timeout) => {
                started.stop();
                Err(Error::NotReadable(format!(
                    "camera {name} sent no frame within {} s of starting",
                    FIRST_FRAME_TIMEOUT.as_secs()
                )))
            }
            Err(RecvTimeoutError::Disconnected) => {
                started.stop();
                Err(Error::NotReadable(format!(
                    "the capture thread of camera {name} stopped while opening it"
                )))
            }
        }
    }

    /// Stop capturing and release the camera. From the capture thread itself
    /// (a track ended by a capture error) the thread returns after this frame.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Release);
        let Some(thread) = self.thread.take() else {
            return;
        };
        if thread.thread().id() == std::thread::current().id() {
            return;
        }
        self.waker.wake();
        match self.done.recv_timeout(CLOSE_TIMEOUT) {
            Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                let _ = thread.join();
            }
            // Not woken (its descriptor unknown) and no frame came: let it
            // finish on its own; it releases the camera when nokhwa returns.
            Err(RecvTimeoutError::Timeout) => {}
        }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The capture thread's whole life.
fn capture(
    opening: &Opening,
    sink: &SourceSink,
    stop: &AtomicBool,
    waker: &Waker,
    ready: mpsc::Sender<Result<()>>,
) {
    let mut camera = match open(opening, waker) {
        Ok(camera) => camera,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let layout = waker.fd().and_then(|fd| v4l2::current_layout(fd).ok());
    let pictures = Pictures::new(
        opening.format,
        opening.width,
        opening.height,
        layout.map_or(0, |l| l.bytes_per_line as usize),
        layout.map_or(0, |l| l.size_image as usize),
    );
    let mut pictures = match pictures {
        Ok(p) => p,
        Err(e) => {
            let _ = ready.send(Err(e));
            release(camera, waker);
            return;
        }
    };
    let mut ready = Some(ready);
    let mut sequence = 0u64;
    loop {
        if stop.load(Ordering::Acquire) {
            break;
        }
        // Streaming starts with the first call; each call waits for a frame.
        let frame = catch_unwind(AssertUnwindSafe(|| {
            camera
                .frame_raw()
                .map(|bytes| pictures.copy(&bytes, sequence))
                .map_err(|e| e.to_string())
        }));
        let picture = match frame {
            Ok(Ok(picture)) => picture,
            Ok(Err(message)) => {
                if let Some(ready) = ready.take() {
                    let _ = ready.send(Err(open_error(opening, &message)));
                } else if !stop.load(Ordering::Acquire) {
                    sink.end(&capture_error(opening, &message));
                }
                break;
            }
            Err(_) => {
                let message = "nokhwa panicked while capturing";
                if let Some(ready) = ready.take() {
                    let _ = ready.send(Err(open_error(opening, message)));
                } else if !stop.load(Ordering::Acquire) {
                    sink.end(&capture_error(opening, message));
                }
                break;
            }
        };
        if let Some(ready) = ready.take() {
            let _ = ready.send(Ok(()));
        }
        // `None`: every pooled picture is held by consumers, or the camera
        // sent a broken frame; it is lost and the sequence shows the gap.
        if let Some(data) = picture {
            if !sink.deliver(Frame::new(data, sequence, monotonic_us())) {
                break;
            }
        }
        sequence += 1;
    }
    release(camera, waker);
}

/// Open the camera through nokhwa at exactly the mode asked for, and set up
/// its buffers (streaming starts with the first frame).
fn open(opening: &Opening, waker: &Waker) -> Result<Camera> {
    let frame_format = nokhwa_format(opening.format).ok_or_else(|| {
        Error::NotReadable(format!(
            "camera {} cannot deliver {} itself",
            opening.name,
            opening.format.name()
        ))
    })?;
    let wanted = CameraFormat::new(
        Resolution::new(opening.width, opening.height),
        frame_format,
        opening.rate,
    );
    let formats = [frame_format];
    let made = {
        // No listing of ours may open the node while we look for nokhwa's descriptor.
        let _access = super::access();
        let before = descriptors_on(&opening.path);
        let made = catch_unwind(AssertUnwindSafe(|| {
            Camera::with_backend(
                CameraIndex::Index(opening.number),
                RequestedFormat::with_formats(RequestedFormatType::Exact(wanted), &formats),
                ApiBackend::Video4Linux,
            )
        }));
        if let Ok(Ok(_)) = &made {
            if let Some(fd) = the_new_one(&before, &descriptors_on(&opening.path)) {
                waker.set(fd);
            }
        }
        made
    };
    let mut camera = match made {
        Ok(Ok(camera)) => camera,
        Ok(Err(e)) => return Err(open_error(opening, &e.to_string())),
        Err(_) => return Err(open_error(opening, "nokhwa panicked while opening it")),
    };
    let got = camera.camera_format();
    if got != wanted {
        release(camera, waker);
        return Err(open_error(
            opening,
            &format!("asked for {wanted}, the camera runs {got}"),
        ));
    }
    match catch_unwind(AssertUnwindSafe(|| camera.open_stream())) {
        Ok(Ok(())) => Ok(camera),
        Ok(Err(e)) => {
            let message = e.to_string();
            release(camera, waker);
            Err(open_error(opening, &message))
        }
        Err(_) => {
            release(camera, waker);
            Err(open_error(opening, "nokhwa panicked while starting it"))
        }
    }
}

/// Drop the camera on this (its own) thread, never letting a panic of nokhwa
/// or `v4l` out and never giving them the chance to panic twice.
fn release(camera: Camera, waker: &Waker) {
    if let Some(fd) = waker.forget() {
        if let Err(e) = v4l2::stream_off(fd) {
            if e.raw_os_error() != Some(libc::ENODEV) {
                // Dropping would panic in `v4l` twice and abort the process.
                std::mem::forget(camera);
                return;
            }
        }
    }
    let _ = catch_unwind(AssertUnwindSafe(move || drop(camera)));
}

/// `NotReadableError` for a camera that could not be opened or started.
pub(crate) fn open_error(opening: &Opening, message: &str) -> Error {
    let name = &opening.name;
    Error::NotReadable(match errno_in(message) {
        Some(libc::EBUSY) => {
            format!("camera {name} is busy (another program may be using it): {message}")
        }
        Some(libc::ENODEV | libc::ENOENT | libc::ENXIO) => {
            format!("camera {name} is gone (unplugged?): {message}")
        }
        Some(libc::EACCES | libc::EPERM) => format!(
            "camera {name} may not be opened by this user (on Linux: the \"video\" group): {message}"
        ),
        _ => format!("camera {name} failed to start: {message}"),
    })
}

/// Why a capturing camera's tracks ended.
fn capture_error(opening: &Opening, message: &str) -> String {
    let name = &opening.name;
    match errno_in(message) {
        Some(libc::ENODEV | libc::ENOENT | libc::ENXIO) => {
            format!("camera {name} was disconnected")
        }
        _ => format!("camera {name} failed: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opening() -> Opening {
        Opening {
            number: 0,
            path: PathBuf::from("/dev/video0"),
            name: "\"Cam\" (/dev/video0)".into(),
            format: PixelFormat::Yuy2,
            width: 640,
            height: 480,
            rate: 30,
        }
    }

    #[test]
    fn errors_say_which_camera_and_why() {
        let busy = open_error(
            &opening(),
            "Could not open device stream: Device or resource busy (os error 16)",
        );
        assert_eq!(busy.name(), "NotReadableError");
        assert!(
            busy.message().contains("\"Cam\" (/dev/video0) is busy"),
            "{busy}"
        );
        let other = open_error(&opening(), "Input/output error (os error 5)");
        assert!(other.message().contains("failed to start"), "{other}");
        assert_eq!(
            capture_error(
                &opening(),
                "Could not capture frame: No such device (os error 19)"
            ),
            "camera \"Cam\" (/dev/video0) was disconnected"
        );
        assert!(nokhwa_format(PixelFormat::I420).is_none());
    }
}
