//! One open camera: the thread that owns nokhwa's `Camera`, and its release.
//!
//! The thread opens the camera at exactly the mode the constraints picked
//! (nokhwa's `RequestedFormatType::Exact`, and only a mode the camera
//! listed), starts streaming and waits for the first frame before `open`
//! returns, so a busy or failing camera is a `NotReadableError` of
//! `getUserMedia()` and not a track that never gets a frame. Then it copies
//! each frame into a pooled picture ([`super::picture`]), stamps it with the
//! capture clock as it arrives, and hands it to the source, until told to
//! stop, the source goes away, or the camera fails: a failure (including the
//! camera being unplugged) ends the tracks with `ended`, once. Every call
//! into nokhwa runs under `catch_unwind`: a panic in nokhwa is the camera
//! failing, never the process.
//!
//! Release: the camera is dropped on its own thread when the last track
//! stops (the driver's `close`); nothing but that thread ever touches it, so
//! a read blocked inside nokhwa never holds up whoever stops. The capture
//! thread is told to stop and woken where the system allows it (V4L2); else
//! it returns after the camera's next frame. Stopping waits a bounded time:
//! a thread that does not return by then (a camera that stopped sending and
//! cannot be woken) is left to release the camera when nokhwa returns, and
//! says so; `stop()` never hangs.
//!
//! Where a vanished camera leaves nokhwa waiting for ever instead of failing
//! the read (AVFoundation), a watchdog looks once a second at a camera that
//! has sent nothing for a while and ends the tracks when it is gone.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU8, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nokhwa::utils::{CameraFormat, Resolution};
use nokhwa::Camera;

use super::modes::frame_format;
use super::os::{self, Waker};
use super::picture::Pictures;
use crate::backend::capture_thread::StopFlag;
use crate::backend::SourceSink;
use crate::clock::monotonic_us;
use crate::error::{Error, Result};
use crate::frame::{Frame, PixelFormat};

/// How long opening waits for the camera's first frame.
pub const FIRST_FRAME_TIMEOUT: Duration = Duration::from_secs(5);
/// How long closing waits for the capture thread once told to stop (and
/// woken where that is possible).
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);
/// How often the watchdog looks, and how long a camera may send nothing
/// before it asks whether the camera is still there.
const WATCH_PERIOD: Duration = Duration::from_secs(1);
const SILENCE_US: i64 = 2_000_000;

/// What to open: a camera, and the mode the constraints picked.
#[derive(Debug, Clone)]
pub(crate) struct Opening {
    pub target: os::Target,
    /// For messages: the label and where the camera is.
    pub name: String,
    pub format: PixelFormat,
    pub width: u32,
    pub height: u32,
    pub rate: u32,
}

/// `NotReadableError` for a camera that could not be opened or started.
pub(crate) fn open_error(opening: &Opening, message: &str) -> Error {
    os::open_error(opening, message)
}

/// Why a camera's tracks ended when it vanished.
pub(crate) fn disconnected(opening: &Opening) -> String {
    format!("camera {} was disconnected", opening.name)
}

const RUNNING: u8 = 0;
const FINISHED: u8 = 1;
const DETACHED: u8 = 2;

/// What the capture thread, its watchdog and whoever stops them share.
struct Shared {
    stop: AtomicBool,
    waker: Waker,
    /// The tracks were ended (once).
    ended: AtomicBool,
    /// The watchdog found the camera gone: its thread may never return.
    gone: AtomicBool,
    /// Who reports the release: [`RUNNING`], then [`FINISHED`] (whoever
    /// stops it) or [`DETACHED`] (the thread itself, through `late_close`).
    release: AtomicU8,
    late_close: Mutex<Option<Box<dyn FnOnce() + Send>>>,
    /// Capture clock time of the last frame.
    last_frame_us: AtomicI64,
}

impl Shared {
    fn end(&self, sink: &SourceSink, detail: &str) {
        if !self.ended.swap(true, Ordering::AcqRel) && !self.stop.load(Ordering::Acquire) {
            sink.end(detail);
        }
    }
}

/// A camera being captured from.
pub(crate) struct Capture {
    shared: Arc<Shared>,
    name: String,
    thread: Option<JoinHandle<()>>,
    /// Disconnected when the thread has finished (its sender dropped).
    done: Receiver<()>,
    watchdog: Option<Arc<StopFlag>>,
}

impl Capture {
    /// Open the camera and wait for its first frame; frames then go to
    /// `sink`. `closed` is called once a camera this capture gave up waiting
    /// for ([`Capture::stop`] returned false) is released after all.
    pub fn start(
        opening: Opening,
        sink: SourceSink,
        closed: impl FnOnce() + Send + 'static,
    ) -> Result<Capture> {
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            waker: Waker::new(),
            ended: AtomicBool::new(false),
            gone: AtomicBool::new(false),
            release: AtomicU8::new(RUNNING),
            late_close: Mutex::new(None),
            last_frame_us: AtomicI64::new(monotonic_us()),
        });
        let (ready_tx, ready_rx) = mpsc::channel::<Result<()>>();
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let name = opening.name.clone();
        let (inner, thread_opening, thread_sink) =
            (Arc::clone(&shared), opening.clone(), sink.clone());
        let thread = std::thread::Builder::new()
            .name("lms-nokhwa".into())
            .spawn(move || {
                let _done = done_tx;
                capture(&thread_opening, &thread_sink, &inner, ready_tx);
                let given_up = inner
                    .release
                    .compare_exchange(RUNNING, FINISHED, Ordering::AcqRel, Ordering::Acquire)
                    .is_err();
                if given_up {
                    let late = inner.late_close.lock().map(|mut l| l.take());
                    if let Ok(Some(late)) = late {
                        late();
                    }
                }
            })
            .map_err(|e| Error::NotReadable(format!("cannot start a camera thread: {e}")))?;
        let mut started = Capture {
            shared,
            name: name.clone(),
            thread: Some(thread),
            done: done_rx,
            watchdog: None,
        };
        let failed = match ready_rx.recv_timeout(FIRST_FRAME_TIMEOUT) {
            Ok(Ok(())) => {
                *started
                    .shared
                    .late_close
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Some(Box::new(closed));
                if os::WATCHDOG {
                    started.watchdog = watch(opening, sink, &started.shared);
                }
                return Ok(started);
            }
            Ok(Err(e)) => e,
            Err(RecvTimeoutError::Timeout) => Error::NotReadable(format!(
                "camera {name} sent no frame within {} s of starting",
                FIRST_FRAME_TIMEOUT.as_secs()
            )),
            Err(RecvTimeoutError::Disconnected) => Error::NotReadable(format!(
                "the capture thread of camera {name} stopped while opening it"
            )),
        };
        started.stop();
        Err(failed)
    }

    /// Stop capturing and release the camera. From the capture thread itself
    /// (a track ended by a capture error) the thread returns after this
    /// frame. False when the thread did not return in time: it was left to
    /// release the camera when nokhwa returns.
    pub fn stop(&mut self) -> bool {
        self.shared.stop.store(true, Ordering::Release);
        if let Some(watchdog) = self.watchdog.take() {
            watchdog.stop();
        }
        let Some(thread) = self.thread.take() else {
            return true;
        };
        if thread.thread().id() == std::thread::current().id() {
            return true;
        }
        self.shared.waker.wake();
        let wait = if self.shared.gone.load(Ordering::Acquire) {
            Duration::ZERO
        } else {
            CLOSE_TIMEOUT
        };
        match self.done.recv_timeout(wait) {
            Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                let _ = thread.join();
                true
            }
            Err(RecvTimeoutError::Timeout) => {
                let detached = self
                    .shared
                    .release
                    .compare_exchange(RUNNING, DETACHED, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok();
                if !detached {
                    // It finished just now.
                    let _ = thread.join();
                    return true;
                }
                eprintln!(
                    "localmediastream: camera {} did not stop in time; its capture \
                     thread releases it when the camera system returns",
                    self.name
                );
                false
            }
        }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The watchdog of a camera whose vanishing nokhwa may not report: it ends
/// the tracks when the camera sent nothing for a while and is no longer listed.
fn watch(opening: Opening, sink: SourceSink, shared: &Arc<Shared>) -> Option<Arc<StopFlag>> {
    let stop = Arc::new(StopFlag::default());
    let (flag, shared) = (Arc::clone(&stop), Arc::clone(shared));
    // Not joined: it returns within a period of being stopped.
    let spawned = std::thread::Builder::new()
        .name("lms-nokhwa-dog".into())
        .spawn(move || {
            while flag.sleep_until(Instant::now() + WATCH_PERIOD) {
                let last = shared.last_frame_us.load(Ordering::Acquire);
                if monotonic_us().saturating_sub(last) < SILENCE_US {
                    continue;
                }
                if !os::present(&opening.target) && !flag.is_stopped() {
                    shared.gone.store(true, Ordering::Release);
                    shared.end(&sink, &disconnected(&opening));
                    return;
                }
            }
        });
    spawned.ok().map(|_| stop)
}

/// The capture thread's whole life.
fn capture(opening: &Opening, sink: &SourceSink, shared: &Shared, ready: mpsc::Sender<Result<()>>) {
    // Whatever the system needs on a thread that calls nokhwa (COM on
    // Windows), for the thread's whole life: the camera is released first.
    let _setup = os::on_thread();
    let mut camera = match open(opening, &shared.waker) {
        Ok(camera) => camera,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let (stride, largest) = os::layout(&shared.waker);
    let pictures = Pictures::new(
        opening.format,
        opening.width,
        opening.height,
        stride,
        largest,
    );
    let mut pictures = match pictures {
        Ok(p) => p,
        Err(e) => {
            let _ = ready.send(Err(e));
            os::release(camera, &shared.waker);
            return;
        }
    };
    let mut ready = Some(ready);
    let mut sequence = 0u64;
    loop {
        if shared.stop.load(Ordering::Acquire) {
            break;
        }
        // Streaming starts with the first call; each call waits for a frame.
        let frame = catch_unwind(AssertUnwindSafe(|| {
            camera
                .frame_raw()
                .map(|bytes| pictures.copy(&bytes, sequence))
                .map_err(|e| e.to_string())
        }));
        let failure = match frame {
            Ok(Ok(picture)) => {
                let timestamp = monotonic_us();
                shared.last_frame_us.store(timestamp, Ordering::Release);
                if let Some(ready) = ready.take() {
                    let _ = ready.send(Ok(()));
                }
                // `None`: every pooled picture is held by consumers, or the
                // camera sent a broken frame; it is lost and the sequence
                // shows the gap.
                if let Some(data) = picture {
                    if !sink.deliver(Frame::new(data, sequence, timestamp)) {
                        break;
                    }
                }
                sequence += 1;
                continue;
            }
            Ok(Err(message)) => message,
            Err(_) => "nokhwa panicked while capturing".to_string(),
        };
        if let Some(ready) = ready.take() {
            let _ = ready.send(Err(open_error(opening, &failure)));
        } else {
            shared.end(sink, &os::capture_error(opening, &failure));
        }
        break;
    }
    os::release(camera, &shared.waker);
}

/// Open the camera through nokhwa at exactly the mode asked for, and start
/// it (streaming starts with the first frame).
fn open(opening: &Opening, waker: &Waker) -> Result<Camera> {
    let frame_format = frame_format(opening.format).ok_or_else(|| {
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
    let mut camera = os::start(opening, wanted, waker)?;
    let got = catch_unwind(AssertUnwindSafe(|| camera.camera_format()));
    match got {
        Ok(got) if os::runs_as(wanted, got) => {}
        Ok(got) => {
            os::release(camera, waker);
            return Err(open_error(
                opening,
                &format!("asked for {wanted}, the camera runs {got}"),
            ));
        }
        Err(_) => {
            os::release(camera, waker);
            return Err(open_error(opening, "nokhwa panicked while setting it up"));
        }
    }
    match catch_unwind(AssertUnwindSafe(|| camera.open_stream())) {
        Ok(Ok(())) => Ok(camera),
        Ok(Err(e)) => {
            let message = e.to_string();
            os::release(camera, waker);
            Err(open_error(opening, &message))
        }
        Err(_) => {
            os::release(camera, waker);
            Err(open_error(opening, "nokhwa panicked while starting it"))
        }
    }
}
